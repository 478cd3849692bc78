"""Where reports are rendered: this machine's worker processes, or an existing Dask cluster.

Scoring always runs here (a national survey fits one machine); only the HTML-to-PDF step,
about a second per report, is sent out. A Dask cluster needs ``surveyor[dask]`` here and
surveyor, at the same version with the same WeasyPrint and Pango, on every worker: the
workers unpickle :func:`surveyor.reports.workers.render_task` by name, and the PDF bytes depend on
those versions. :func:`make_executor` checks both before the first report is sent.

Workers should run one thread each (``dask worker ADDRESS --nthreads 1 --nworkers N``):
WeasyPrint's layout holds the GIL, so a second thread in the same process adds nothing.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Callable, Iterator

from surveyor.errors import SurveyorError

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler and to see its first worker
DASK_HINT = "pip install 'surveyor[dask]'"


class ClusterExecutor(cf.Executor):
    """Runs calls on a Dask cluster; ``submit`` returns ``concurrent.futures`` futures.

    ``workers`` is how many calls the cluster runs at once (its worker threads, or the
    ``jobs`` the caller asked for), which bounds how many reports are kept in flight.
    Failures of the cluster itself (a worker killed again and again, the scheduler gone)
    surface as :class:`SurveyorError` naming the scheduler; an exception raised by the
    call is passed on unchanged.
    """

    def __init__(self, client, address: str, workers: int):
        self._executor = client.get_executor(pure=False)
        self.address = address
        self.workers = workers

    def submit(self, fn: Callable, /, *args, **kwargs) -> cf.Future:
        inner = self._executor.submit(fn, *args, **kwargs)
        outer: cf.Future = cf.Future()
        inner.add_done_callback(lambda done: self._settle(done, outer))
        return outer

    def _settle(self, inner: cf.Future, outer: cf.Future) -> None:
        try:
            self._pass_on(inner, outer)
        except Exception as exc:  # an unsettled future would leave run_tasks waiting forever
            if not outer.done():
                outer.set_exception(exc)

    def _pass_on(self, inner: cf.Future, outer: cf.Future) -> None:
        if inner.cancelled():
            outer.set_exception(
                SurveyorError(f"the Dask cluster at {self.address} dropped a report "
                              "(the scheduler went away or cancelled it)")
            )
            return
        exc = inner.exception()
        if exc is None:
            outer.set_result(inner.result())
        elif type(exc).__module__.split(".")[0] == "distributed":
            failure = SurveyorError(
                f"the Dask cluster at {self.address} could not render a report: {exc}"
            )
            failure.__cause__ = exc
            outer.set_exception(failure)
        else:
            outer.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait and not cancel_futures)


@contextlib.contextmanager
def make_executor(
    kind: str,
    scheduler: str | None = None,
    jobs: int | None = None,
    *,
    timeout: float = CONNECT_TIMEOUT,
) -> Iterator[ClusterExecutor | None]:
    """Open the executor that renders the reports; close it when the block ends.

    Parameters
    ----------
    kind
        ``"local"``: worker processes on this machine, managed by
        :func:`surveyor.reports.workers.write_reports` itself (the block receives ``None``).
        ``"dask"``: the Dask cluster whose scheduler is at ``scheduler``.
    scheduler
        The scheduler's address, such as ``tcp://10.0.0.5:8786``; only with ``"dask"``.
    jobs
        With ``"dask"``: how many reports the cluster renders at once; default its number
        of worker threads. Unused with ``"local"`` (pass it to ``write_reports``).
    timeout
        Seconds to wait for the scheduler to answer and for its first worker.

    Yields
    ------
    ClusterExecutor or None
        ``None`` for ``"local"``.

    Raises
    ------
    SurveyorError
        For an unknown ``kind``; ``"dask"`` without a scheduler or without the
        ``distributed`` package; a scheduler that cannot be reached or has no workers;
        workers that cannot run surveyor or run other versions than this machine.
    """
    if kind not in EXECUTORS:
        raise SurveyorError(f"unknown executor '{kind}': use one of {', '.join(EXECUTORS)}")
    if kind == "local":
        if scheduler:
            raise SurveyorError("a scheduler address is only used with the dask executor")
        yield None
        return
    if not scheduler:
        raise SurveyorError(
            "the dask executor needs the address of a running Dask scheduler "
            "(--scheduler tcp://HOST:8786)"
        )
    try:
        from distributed import Client
    except ImportError as exc:
        raise SurveyorError(
            f"rendering on a Dask cluster needs the 'distributed' package: {DASK_HINT}"
        ) from exc
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise SurveyorError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc}); "
            "check the address and that the scheduler is running"
        ) from exc
    try:
        _check_workers(client, scheduler, timeout)
        threads = sum(client.nthreads().values())
        yield ClusterExecutor(client, scheduler, jobs or max(threads, 1))
    finally:
        client.close()


def worker_environment() -> dict[str, str]:
    """What a report's bytes depend on besides its HTML, on the machine that calls this."""
    from weasyprint import __version__ as weasyprint_version
    from weasyprint.text.ffi import pango

    from surveyor import __version__
    from surveyor.typeset.pdf import harfbuzz_subset_available

    version = pango.pango_version()
    return {
        "surveyor": __version__,
        "WeasyPrint": weasyprint_version,
        "Pango": f"{version // 10000}.{version // 100 % 100}.{version % 100}",
        "HarfBuzz subsetting": "yes" if harfbuzz_subset_available() else "no",
    }


def _check_workers(client, address: str, timeout: float) -> None:
    """Refuse a cluster whose workers would render different bytes, or none at all."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        raise SurveyorError(
            f"the Dask scheduler at {address} has no workers (waited {timeout:g} s); "
            f"start some with 'dask worker {address} --nthreads 1'"
        ) from exc
    try:
        remote = client.run(worker_environment)
    except Exception as exc:  # whatever the worker raised: it cannot run surveyor
        raise SurveyorError(
            f"the workers of the Dask cluster at {address} cannot run surveyor ({exc}); "
            "install surveyor, at this machine's version, on every worker"
        ) from exc
    here = worker_environment()
    for worker, found in sorted(remote.items()):
        differences = [
            f"{name} {found.get(name)} (here {value})"
            for name, value in here.items()
            if found.get(name) != value
        ]
        if differences:
            raise SurveyorError(
                f"worker {worker} of the Dask cluster at {address} would render different "
                f"PDFs: it has {', '.join(differences)}; give every worker the same versions"
            )
