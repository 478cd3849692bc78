"""Write every report of a run: safe file names, worker processes, cache, manifest entries.

The main process builds each report's HTML (context and charts cost milliseconds);
worker processes turn HTML into PDF (WeasyPrint's layout holds the GIL, so threads would
not help). Each worker keeps one FontConfiguration for its whole life. HTML is produced
lazily and at most a few documents are in flight, so memory stays flat however many
reports a programme has.

A report whose HTML, surveyor version and assets are unchanged since the last run in the
same folder is not rendered again (its manifest entry records the cache key); ``force``
renders everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor import __version__
from surveyor.files import write_bytes, write_text
from surveyor.resources import font_files, templates_dir

if TYPE_CHECKING:
    from surveyor.pipeline import ScoreResult

MAX_NAME = 80
# Windows device names, also reserved with any extension ("nul.txt" is NUL); COM0 and
# LPT0 too, and the superscript forms, which NFKC turns into digits.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in
                                                  range(10)}
# Names the reports folder itself uses beside the organisation folders.
TECHNICAL_NOTE = "technical-note.pdf"
TOP_LEVEL_FILES = {"programme.pdf", "programme.html", TECHNICAL_NOTE, "technical-note.html"}


def safe_name(name: str, taken: set[str] | None = None, limit: int = MAX_NAME) -> str:
    """A file or folder name made safe from a group name.

    No path separators, no ``..``, no control characters, no leading dots, at most
    ``limit`` characters, never a Windows device name, and unique (case-insensitively)
    among ``taken``, which is updated. The real name is printed inside the report.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(ch if (ch.isalnum() or ch in " -_.()&,'") else "_" for ch in text)
    text = re.sub(r"\s+", " ", text).strip(" ._")
    text = re.sub(r"\.{2,}", ".", text)
    text = text[:limit].rstrip(" ._") or "unnamed"
    if text.split(".", 1)[0].rstrip(" ").lower() in WINDOWS_RESERVED:
        text = f"_{text}"[:limit].rstrip(" ._")
    if taken is None:
        return text
    candidate, counter = text, 2
    while candidate.casefold() in taken:
        suffix = f"-{counter}"
        candidate = text[: limit - len(suffix)] + suffix
        counter += 1
    taken.add(candidate.casefold())
    return candidate


def report_paths(specs: Sequence) -> list[str]:
    """Relative output paths for report specs, collision-free, in spec order.

    ``programme.pdf``, ``<organization>/organization.pdf``, ``<organization>/sets/<set>.pdf``.
    """
    org_folders: dict[str, str] = {}
    taken_orgs: set[str] = set(TOP_LEVEL_FILES)
    taken_sets: dict[str, set[str]] = {}
    paths = []
    for spec in specs:
        if spec.kind == "programme":
            paths.append("programme.pdf")
            continue
        if spec.organization not in org_folders:
            org_folders[spec.organization] = safe_name(spec.organization, taken_orgs)
        folder = org_folders[spec.organization]
        if spec.kind == "organization":
            paths.append(f"{folder}/organization.pdf")
        else:
            name = safe_name(spec.set, taken_sets.setdefault(folder, set()))
            paths.append(f"{folder}/sets/{name}.pdf")
    return paths


@dataclass(frozen=True)
class RenderTask:
    """What a worker needs to render one report: its HTML and where assets may come from.

    ``identity`` is the HTML the PDF's file identifier is derived from when it differs from
    ``html`` (a :meth:`portable` copy), so a report has the same bytes wherever it renders.
    """

    path: str
    html: str
    base_url: str
    allowed_roots: tuple[str, ...]
    title: str
    identity: str | None = None

    def portable(self) -> RenderTask:
        """A copy that renders on a machine without this one's files.

        The fonts become ``data:`` URLs (stylesheets and the brand logo are inline
        already), so the worker needs no asset folder and may read no file at all.
        """
        from surveyor.typeset.environment import inline_fonts

        return replace(
            self, html=inline_fonts(self.html), allowed_roots=(),
            identity=self.identity or self.html,
        )


def _asset_roots(template_dirs: Sequence[Path]) -> tuple[str, ...]:
    """The shipped templates, then the brand folders, then the font folder."""
    roots = [templates_dir(), *template_dirs, next(iter(font_files().values())).parent]
    return tuple(str(Path(r).resolve()) for r in roots)


# A WeasyPrint process grows by about 0.2 MB per report it renders (89 MB after 10 set
# reports, 134 MB after 250: bench/bench.py's worker_growth), so a worker is replaced after
# this many reports. A new one costs about 1 s to start and warm up: under 1% of 100
# reports' rendering, and memory stays flat however large the programme.
REPORTS_PER_WORKER = 100


ASSET_SUFFIXES = {
    ".html", ".css", ".toml", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ttf",
    ".otf", ".woff", ".woff2",
}


def assets_digest(roots: Sequence[str], skip: Path | None = None) -> str:
    """A digest of the brand folders' template and asset files (once per run).

    Only files that can change a rendering count (templates, styles, brand.toml, images,
    fonts); hidden folders and the output folder itself (a brand folder may contain it)
    are skipped.
    """
    digest = hashlib.sha256()
    skipped = skip.resolve() if skip else None
    for root in roots:
        for file in sorted(Path(root).rglob("*")):
            relative = file.relative_to(root)
            if (
                file.suffix.lower() not in ASSET_SUFFIXES
                or any(part.startswith(".") for part in relative.parts)
                or (skipped and file.resolve().is_relative_to(skipped))
                or not file.is_file()
            ):
                continue
            digest.update(str(relative).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_key(task: RenderTask, assets: str = "") -> str:
    """Everything a PDF depends on: its HTML, the renderer versions, the asset folders
    and ``assets``, the digest of the brand folders' files."""
    import weasyprint

    digest = hashlib.sha256()
    for part in (task.html, __version__, weasyprint.__version__, *task.allowed_roots, assets):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def render_task(task: RenderTask) -> tuple[str, bytes]:
    """Render one report to PDF bytes (runs in a worker process)."""
    from surveyor.typeset.pdf import html_to_pdf

    pdf = html_to_pdf(
        task.html,
        base_url=Path(task.base_url),
        allowed_roots=[Path(r) for r in task.allowed_roots],
        title=task.title,
        identity=task.identity,
    )
    return task.path, pdf


def _previous_entries(out: Path) -> dict[str, dict]:
    manifest = out.parent / "manifest.json" if out.name == "reports" else out / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {entry.get("path"): entry for entry in data.get("reports", []) if "path" in entry}


def _unchanged(out: Path, entry: dict | None, key: str) -> bool:
    if not entry or entry.get("cache_key") != key:
        return False
    path = out / entry["path"]
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256")
    except OSError:
        return False


def _remove_stale(out: Path, earlier: dict[str, dict], current: set[str]) -> None:
    """Delete the reports an earlier run wrote into ``out`` that this run does not write.

    Output folders are reused: a group suppressed now (a corrected file, a higher
    threshold) must not keep its old report beside the new ones. Only a PDF the earlier
    manifest lists whose bytes still match the SHA-256 it records is deleted (with its
    HTML copy): a manifest surveyor did not write cannot make it delete anything. The CLI
    cleans up through :class:`surveyor.output_folder.OutputFolder` instead.
    """
    from surveyor.output_folder import previous_record, remove_if_ours

    manifest_folder = out.parent if out.name == "reports" else out
    record = previous_record(manifest_folder)
    prefix = "reports/" if out.name == "reports" else ""
    for path, entry in earlier.items():
        if path in current or not str(path).endswith(".pdf"):
            continue
        companion = prefix + str(path)[: -len(".pdf")] + ".html"
        if remove_if_ours(out, str(path), entry.get("sha256")) and companion in record:
            remove_if_ours(manifest_folder, companion, record[companion])


def run_tasks(
    tasks: Iterable[RenderTask], jobs: int, executor=None
) -> Iterator[tuple[str, bytes]]:
    """Render tasks in order of completion with ``jobs`` worker processes (1: in-process).

    At most ``2 * jobs`` tasks are in flight, so HTML and PDFs never pile up in memory.
    ``executor`` may be any ``concurrent.futures.Executor`` (a Dask client's, say).
    """
    if jobs <= 1 and executor is None:
        for task in tasks:
            yield render_task(task)
        return
    import concurrent.futures as cf
    import multiprocessing

    own = executor is None
    if own:
        executor = cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=REPORTS_PER_WORKER,
        )
    try:
        pending: set = set()
        iterator = iter(tasks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < 2 * max(jobs, 1):
                try:
                    task = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending.add(executor.submit(render_task, task))
            if not pending:
                break
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def write_reports(
    result: ScoreResult,
    out: Path,
    *,
    template_dirs: Sequence[Path] = (),
    jobs: int | None = None,
    html: bool = False,
    force: bool = False,
    data_date: str = "",
    roster: dict[tuple[str, str], int] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    executor=None,
    previous: Path | None = None,
) -> list[dict]:
    """Render every reportable group's report into ``out``; return manifest entries.

    Parameters
    ----------
    result
        The scored run; its suppression pass decides which reports exist.
    out
        The reports folder (``output/reports``).
    template_dirs
        Brand folders, searched before the shipped templates.
    jobs
        Worker processes; default the number of cores.
    html
        Also write each report's self-contained HTML next to its PDF.
    force
        Render every report even when an unchanged copy exists.
    data_date
        The date of the data, printed on the cover; empty to print none.
    roster
        Members per ``(organization, set)`` from the consultant, printed as "6 of 8
        members"; empty to print the responses alone.
    progress
        Called as ``progress(done, total, path)`` after each report.
    executor
        Render on this ``concurrent.futures``-style executor (a Dask cluster's, from
        :func:`surveyor.reports.executors.make_executor`) instead of local worker processes; at
        most ``2 * jobs`` reports are in flight. Its workers may be other machines, so
        each report is sent self-contained (:meth:`RenderTask.portable`).
    previous
        The live reports folder when ``out`` is a staging folder
        (:class:`surveyor.output_folder.OutputFolder`): unchanged reports are looked up
        there and left in place, and nothing outside ``out`` is deleted (the folder's
        commit removes stale files). Default: ``out`` itself.

    Returns
    -------
    list of dict
        One entry per report, the technical note (kind ``"technical"``) last: kind,
        organization, set, n, path, data_sha256 (its group's answers; the data file's for
        the note), sha256, cache_key.
    """
    from surveyor.reports.brand import load_brand
    from surveyor.reports.context import (
        ReportData,
        build_context,
        build_technical_note,
        report_plan,
    )
    from surveyor.reports.html import render_report
    from surveyor.typeset.environment import inline_fonts, make_environment

    jobs = jobs or os.cpu_count() or 1
    env = make_environment(template_dirs)
    brand = load_brand(template_dirs)
    data = ReportData.from_result(result)
    data.roster = dict(roster or {})
    specs = report_plan(data)
    paths = report_paths(specs)
    # The technical note accompanies the reports: a run that may show nothing has none.
    every_path = [*paths, TECHNICAL_NOTE] if specs else []
    roots = _asset_roots(template_dirs)
    live = out if previous is None else previous
    assets = assets_digest(roots[1:-1], skip=live)
    earlier = _previous_entries(live)
    cached = {} if force else earlier
    entries: dict[str, dict] = {}
    finished = 0

    def tick(path: str) -> None:
        nonlocal finished
        finished += 1
        if progress:
            progress(finished, len(every_path), path)

    def documents() -> Iterator[tuple[str, object, dict]]:
        for spec, path in zip(specs, paths, strict=True):
            yield path, build_context(data, spec, brand, data_date), {
                "kind": spec.kind, "organization": spec.organization, "set": spec.set,
                "n": int(spec.n), "path": path, "data_sha256": data.data_digest(spec.key)}
        if not specs:
            return
        yield TECHNICAL_NOTE, build_technical_note(data, brand, data_date), {
            "kind": "technical", "organization": "", "set": "",
            "n": int(len(result.responses.frame)), "path": TECHNICAL_NOTE,
            "data_sha256": result.responses.sha256}

    def tasks() -> Iterator[RenderTask]:
        for path, context, entry in documents():
            document = render_report(context, env)
            task = RenderTask(
                path=path,
                html=document,
                base_url=roots[0],
                allowed_roots=roots,
                title=getattr(context, "title", path),
            )
            key = cache_key(task, assets)
            entry["cache_key"] = key
            entries[path] = entry
            companion = out / (path[: -len(".pdf")] + ".html")
            if html:
                write_text(companion, inline_fonts(document))
            elif previous is None:
                # An HTML copy from an earlier --html run would now disagree with the PDF.
                companion.unlink(missing_ok=True)
            if _unchanged(live, cached.get(path), key):
                entry["sha256"] = cached[path]["sha256"]
                entry["rendered"] = False
                tick(path)
                continue
            yield task if executor is None else task.portable()

    for path, pdf in run_tasks(tasks(), jobs, executor):
        entries[path]["sha256"] = write_bytes(out / path, pdf)
        entries[path]["rendered"] = True
        tick(path)
    if previous is None:
        _remove_stale(out, earlier, set(every_path))
    return [entries[path] for path in every_path]
