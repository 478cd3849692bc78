"""The output folder as a unit: no input overwritten, no two runs mixed, nothing deleted
that surveyor cannot prove it wrote."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.output_folder import LOCK_NAME, OutputFolder, remove_if_ours


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK_NAME}


def changed_copy(csv: Path, tmp_path: Path) -> Path:
    """The dozen with one answer changed: every data file's bytes differ."""
    text = csv.read_text(encoding="utf-8").replace("r01,North,A,4,4,2", "r01,North,A,1,4,2")
    path = tmp_path / "changed.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_input_named_like_an_output_is_never_overwritten(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    inside = out / "groups.csv"
    inside.write_bytes(dozen_csv.read_bytes())
    result = run("score", inside, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 2, result.output
    assert "groups.csv" in result.output and "input" in result.output
    assert "Traceback" not in result.output
    assert inside.read_bytes() == dozen_csv.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["groups.csv"]


def test_a_hard_link_to_the_input_is_not_written_over_either(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.link(dozen_csv, out / "items.csv")
    result = run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 2
    assert (out / "items.csv").read_bytes() == dozen_csv.read_bytes()


@pytest.mark.parametrize("step", ["surveyor.outputs.write_data",
                                  "surveyor.outputs.write_manifest",
                                  "surveyor.outputs.run_record"])
def test_ctrl_c_leaves_the_previous_run_untouched(dozen_csv, mini_path, tmp_path, monkeypatch,
                                                  step):
    out = tmp_path / "out"
    assert run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports").exit_code == 0
    before = snapshot(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(step, interrupted)
    changed = changed_copy(dozen_csv, tmp_path)
    result = run("score", changed, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 130
    assert "no partial output" in result.output
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".surveyor-staging")]


def test_ctrl_c_during_the_swap_is_held_until_the_swap_is_done(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), OutputFolder(out) as folder:
        (folder.stage / "a.csv").write_text("new a\n")
        (folder.stage / "manifest.json").write_text("{}\n")
        original = os.replace

        def replace_then_signal(source, target):
            original(source, target)
            if Path(target).name == "a.csv":
                os.kill(os.getpid(), signal.SIGINT)

        os.replace = replace_then_signal
        try:
            folder.commit({"a.csv": hashlib.sha256(b"new a\n").hexdigest()})
        finally:
            os.replace = original
    assert (out / "a.csv").read_text() == "new a\n"
    assert (out / "manifest.json").read_text() == "{}\n"  # moved after the signal arrived


def test_a_second_run_into_a_locked_folder_is_refused(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    assert run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports").exit_code == 0
    before = snapshot(out)
    with OutputFolder(out):  # a run in progress
        result = run("score", changed_copy(dozen_csv, tmp_path), "-i", mini_path, "--out",
                     out, "--no-reports")
    assert result.exit_code == 2
    assert "another surveyor run is writing to this folder" in result.output
    assert snapshot(out) == before
    # Once the first run is over the folder is free again.
    assert run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports").exit_code == 0


def test_a_foreign_manifest_deletes_nothing(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    precious = {"reports/thesis.pdf": b"%PDF my thesis", "notes.csv": b"a,b\n1,2\n",
                "reports/x/sets/y.html": b"<p>mine</p>"}
    for rel, data in precious.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    forged = {
        "files": [{"path": "notes.csv", "sha256": "0" * 64}],
        "reports": [{"path": "thesis.pdf", "sha256": "f" * 64},
                    {"path": "x/sets/y.pdf"}],
        "outputs": [{"path": "../elsewhere.csv", "sha256": "0" * 64}],
    }
    (out / "manifest.json").write_text(json.dumps(forged))
    (tmp_path / "elsewhere.csv").write_text("keep")
    result = run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 0, result.output
    for rel, data in precious.items():
        assert (out / rel).read_bytes() == data, rel
    assert (tmp_path / "elsewhere.csv").read_text() == "keep"


def test_a_file_surveyor_wrote_but_someone_changed_is_kept_with_a_warning(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        (folder.stage / "old.pdf").write_bytes(b"%PDF old")
        folder.commit({"old.pdf": hashlib.sha256(b"%PDF old").hexdigest()})
    Path(out / "manifest.json").write_text(json.dumps(
        {"outputs": [{"path": "old.pdf", "sha256": hashlib.sha256(b"%PDF old").hexdigest()}]}))
    (out / "old.pdf").write_bytes(b"%PDF annotated by the consultant")
    with OutputFolder(out) as folder:
        (folder.stage / "manifest.json").write_text("{}")
        kept = folder.commit({})
    assert (out / "old.pdf").read_bytes() == b"%PDF annotated by the consultant"
    assert len(kept) == 1 and "old.pdf" in kept[0] and "kept" in kept[0]


def test_remove_if_ours_refuses_links_outside_and_inputs(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"x")
    digest = hashlib.sha256(b"x").hexdigest()
    (root / "link.pdf").symlink_to(outside)
    assert not remove_if_ours(root, "link.pdf", digest)
    assert not remove_if_ours(root, "../outside.pdf", digest)
    (root / "input.csv").write_bytes(b"x")
    assert not remove_if_ours(root, "input.csv", digest, inputs=[root / "input.csv"])
    (root / "data.txt").write_bytes(b"x")
    assert not remove_if_ours(root, "data.txt", digest)  # not a kind surveyor writes
    assert outside.exists() and (root / "input.csv").exists() and (root / "data.txt").exists()
    (root / "sub").mkdir()
    (root / "sub" / "ours.csv").write_bytes(b"x")
    assert remove_if_ours(root, "sub/ours.csv", digest)
    assert not (root / "sub").exists()  # emptied folders go too


def test_a_killed_run_s_staging_folder_is_cleared_by_the_next(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    abandoned = out / ".surveyor-staging-x"
    abandoned.mkdir(parents=True)
    (abandoned / ".surveyor-staging").write_bytes(b"")
    (abandoned / "scores.csv").write_text("respondent_id\nr01\n")
    other = out / ".surveyor-staging-not-ours"
    other.mkdir()
    assert run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports").exit_code == 0
    assert not abandoned.exists()
    assert other.exists()  # no mark: not provably surveyor's


def test_the_manifest_records_every_output_file(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    assert run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["outputs"]}
    on_disk = set(snapshot(out)) - {"manifest.json"}
    assert set(listed) == on_disk
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest


# ------------------------------------------------------ channel 5: stale reports


def programme_csv(path: Path, sets: dict[tuple[str, str], int], skip: str = "") -> Path:
    """Respondents R01... in the given (organisation, set): size groups, answers varied."""
    rows = ["respondent_id,organization,set,a1,a2,a3,b1,b2,b3"]
    number = 0
    for (org, name), size in sets.items():
        for _ in range(size):
            number += 1
            rid = f"R{number:02d}"
            if rid == skip:
                continue
            answers = [1 + (number * k + k) % 5 for k in range(1, 7)]
            rows.append(",".join([rid, org, name, *map(str, answers)]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


SETS = {("East", "Ash"): 6, ("East", "Birch"): 5, ("West", "Cedar"): 6, ("West", "Dogwood"): 6}
BIRCH_MEMBER = "R07"  # the first of Birch's five


@pytest.fixture(scope="module")
def first_release(tmp_path_factory):
    """A run with reports and their HTML, Birch (5 people) among them."""
    from tests.conftest import MINI

    folder = tmp_path_factory.mktemp("first")
    out = folder / "out"
    first = programme_csv(folder / "first.csv", SETS)
    result = run("score", first, "-i", MINI, "-o", out, "--jobs", "1", "--html",
                 "--data-date", "2025-01-01")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("second", [["--no-reports"], ["--jobs", "1"], ["--jobs", "1", "--html"]])
def test_a_set_that_drops_below_the_threshold_loses_its_report(mini_path, tmp_path, second,
                                                               first_release):
    """Attack: a respondent withdraws, Birch falls to 4 and is suppressed; whatever the
    next run's mode, Birch's old report (the withdrawn person's answers) must be gone."""
    out = tmp_path / "out"
    shutil.copytree(first_release, out)
    birch = [p for p in snapshot(out) if "Birch" in p]
    assert sorted(birch) == ["reports/East/sets/Birch.html", "reports/East/sets/Birch.pdf"]

    withdrawn = programme_csv(tmp_path / "second.csv", SETS, skip=BIRCH_MEMBER)
    result = run("score", withdrawn, "-i", mini_path, "-o", out, "--data-date", "2025-01-01",
                 "--allow-small-change", *second)
    assert result.exit_code == 0, result.output
    files = snapshot(out)
    assert not [p for p in files if "Birch" in p]
    manifest = json.loads(files["manifest.json"])
    # The folder holds exactly this run's files: nothing of the first run is left over.
    assert set(files) - {"manifest.json"} == {e["path"] for e in manifest["outputs"]}
    if "--no-reports" in second:
        assert not [p for p in files if p.startswith("reports/")]
    # A PDF is searched decompressed: three bytes of a compressed stream can spell "R07".
    from tests.test_reports import pdf_internals

    assert not any(BIRCH_MEMBER.encode() in (pdf_internals(data) if path.endswith(".pdf")
                                             else data) for path, data in files.items())
