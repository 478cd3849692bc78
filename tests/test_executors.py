"""Rendering reports on a Dask cluster: the same bytes as a local run, and clear errors.

The cluster tests start a two-worker ``distributed.LocalCluster`` on the loopback address
(worker processes, one thread each, as on a real cluster) and are skipped when the
``distributed`` package (``surveyor[dask]``) is not installed.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.errors import OutputError, SurveyorError
from surveyor.reports.executors import (
    ClusterExecutor,
    _check_workers,
    make_executor,
    worker_environment,
)
from surveyor.reports.workers import RenderTask, render_task

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_BRAND = ROOT / "examples" / "brand"
UNREACHABLE = "tcp://127.0.0.1:1"  # nothing listens on port 1
LOOPBACK_ANY_PORT = "127.0.0.1:0"  # the scheduler's HTTP server: loopback, a free port


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=LOOPBACK_ANY_PORT,
    ) as local:
        yield local.scheduler_address


def pdfs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


def score(csv: Path, instrument: Path, out: Path, *options):
    # Sets of 3 and 4 are reported with consent, so all six reports exist; the example
    # brand adds a logo and brand CSS, which must reach the workers too.
    return run(
        "score", csv, "-i", instrument, "--out", out, "--min-group-size", 3, "--consented",
        "--template-dir", EXAMPLE_BRAND, "--data-date", "2025-03-12", *options,
    )


def test_dask_renders_the_same_bytes_as_a_local_run(cluster, dozen_csv, mini_path, tmp_path):
    local = score(dozen_csv, mini_path, tmp_path / "local", "--jobs", 1)
    assert local.exit_code == 0, local.output
    remote = score(dozen_csv, mini_path, tmp_path / "dask", "--executor", "dask",
                   "--scheduler", cluster)
    assert remote.exit_code == 0, remote.output
    assert "Wrote 7 reports" in remote.output and "(7 rendered, 0 unchanged)" in remote.output

    expected = pdfs(tmp_path / "local" / "reports")
    assert len(expected) == 7  # six reports and the technical note
    assert pdfs(tmp_path / "dask" / "reports") == expected

    # The cache key does not depend on where a report was rendered: the dask run has the
    # local run's manifest entries, and a dask run over the local output renders nothing.
    manifests = [json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
                 for name in ("local", "dask")]
    assert manifests[0]["reports"] == manifests[1]["reports"]
    again = score(dozen_csv, mini_path, tmp_path / "local", "--executor", "dask",
                  "--scheduler", cluster)
    assert again.exit_code == 0, again.output
    assert "(0 rendered, 7 unchanged)" in again.output


def test_a_worker_reads_no_local_file(cluster):
    html = '<html><body><p>x</p><img src="file:///etc/hostname"></body></html>'
    task = RenderTask("x.pdf", html, str(ROOT / "templates"), (str(ROOT / "templates"),), "x")
    with make_executor("dask", cluster) as executor:
        assert executor.workers == 2
        future = executor.submit(render_task, task.portable())
        # The worker's own exception comes back unchanged.
        with pytest.raises(OutputError, match="refused to fetch file:///etc/hostname"):
            future.result(timeout=60)


def test_portable_task_has_no_file_urls_and_keeps_its_identity():
    from surveyor.typeset.environment import font_faces

    html = f"<html><head><style>{font_faces()}</style></head><body>x</body></html>"
    task = RenderTask("x.pdf", html, "/nowhere", ("/a", "/b"), "x")
    portable = task.portable()
    assert "file:" not in portable.html and "data:font/ttf;base64," in portable.html
    assert portable.allowed_roots == ()
    assert portable.identity == html
    assert portable.portable().identity == html


def test_unreachable_scheduler_is_named():
    pytest.importorskip("distributed")
    with (
        pytest.raises(SurveyorError, match=rf"cannot reach the Dask scheduler at {UNREACHABLE}"),
        make_executor("dask", UNREACHABLE, timeout=1),
    ):
        pass


def test_cli_scheduler_timeout_is_used_and_named(tmp_path):
    """--scheduler-timeout reaches the connection, and the message says how long it waited;
    the cluster is tried before any scoring, so nothing is written."""
    pytest.importorskip("distributed")
    data = Path(__file__).parent.parent / "examples" / "responses.csv"
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(data), "--out", str(out), "--executor",
                                      "dask", "--scheduler", UNREACHABLE,
                                      "--scheduler-timeout", "0.5"])
    assert result.exit_code == 2, result.output
    assert f"cannot reach the Dask scheduler at {UNREACHABLE} within 0.5 s" in result.output
    assert not out.exists()


def test_scheduler_without_workers_is_refused():
    distributed = pytest.importorskip("distributed")
    bare = distributed.LocalCluster(
        n_workers=0, host="127.0.0.1", dashboard_address=LOOPBACK_ANY_PORT
    )
    with (
        bare,
        pytest.raises(SurveyorError, match="has no workers"),
        make_executor("dask", bare.scheduler_address, timeout=1),
    ):
        pass


def test_workers_with_other_versions_are_refused():
    here = worker_environment()

    class Client:
        def wait_for_workers(self, n, timeout):
            pass

        def run(self, function):
            return {"tcp://127.0.0.1:40001": here,
                    "tcp://127.0.0.1:40002": {**here, "WeasyPrint": "0.1"}}

    with pytest.raises(SurveyorError, match=r"tcp://127\.0\.0\.1:40002 .* WeasyPrint 0\.1"):
        _check_workers(Client(), "tcp://127.0.0.1:8786", 1)


def test_cluster_failures_become_surveyor_errors():
    distributed = pytest.importorskip("distributed")

    pool = cf.ThreadPoolExecutor(1)  # stands in for the client's executor

    class Client:
        def get_executor(self, **kwargs):
            return pool

    executor = ClusterExecutor(Client(), "tcp://127.0.0.1:8786", 1)

    def lost():
        worker = SimpleNamespace(address="tcp://127.0.0.1:40001")
        raise distributed.KilledWorker("render_task-1", worker, 3)

    with pytest.raises(SurveyorError, match=r"cluster at tcp://127\.0\.0\.1:8786 could not"):
        executor.submit(lost).result(timeout=10)
    with pytest.raises(ZeroDivisionError):
        executor.submit(lambda: 1 / 0).result(timeout=10)
    assert executor.submit(lambda: 42).result(timeout=10) == 42
    pool.shutdown()


def test_dask_without_scheduler_fails_before_scoring(dozen_csv, mini_path, tmp_path):
    result = run("score", dozen_csv, "-i", mini_path, "--out", tmp_path / "out",
                 "--executor", "dask")
    assert result.exit_code == 2
    assert "needs the address of a running Dask scheduler (--scheduler" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_distributed_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import now raises ImportError
    with (
        pytest.raises(SurveyorError, match=r"surveyor\[dask\]"),
        make_executor("dask", "tcp://127.0.0.1:8786"),
    ):
        pass


def test_local_executor_and_wrong_options():
    with make_executor("local", None, 2) as executor:
        assert executor is None
    with pytest.raises(SurveyorError, match="unknown executor 'ray'"), make_executor("ray"):
        pass
    with (
        pytest.raises(SurveyorError, match="only used with the dask executor"),
        make_executor("local", "tcp://127.0.0.1:8786"),
    ):
        pass
