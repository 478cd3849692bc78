"""Render the shipped example programme with two versions of surveyor, side by side.

    python3 bench/reports_example.py [BEFORE_REF] [ROUNDS]

BEFORE_REF (default ``main``) is exported with ``git archive`` to a temporary folder and
run from there; the working tree is the "after". Each round renders every report of
``examples/responses.csv`` once with each version (``--jobs 1 --force``, alternating, so
the machine's load falls on both alike). CPU seconds (user + system of the child process)
are compared rather than wall time, which other processes on a shared machine inflate.
Prints a Markdown table with the page count of every report kind.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
RUN = "import sys; sys.path.insert(0, sys.argv.pop(1)); from surveyor.cli import cli; cli()"


def export(ref: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def render(source: Path, out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUN, str(source), "score", str(EXAMPLE), "-o",
                    str(out), "--jobs", "1", "--force", "--data-date", "2026-01-01"],
                   check=True, capture_output=True, cwd=source)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def pages(out: Path) -> dict[str, list[int]]:
    from pypdf import PdfReader

    counts: dict[str, list[int]] = {}
    for pdf in sorted((out / "reports").rglob("*.pdf")):
        kind = ("programme" if pdf.name == "programme.pdf" else
                "technical note" if pdf.name == "technical-note.pdf" else
                "organisation" if pdf.name == "organization.pdf" else "set")
        counts.setdefault(kind, []).append(len(PdfReader(pdf).pages))
    return counts


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "main"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="surveyor-bench-") as tmp:
        tmp = Path(tmp)
        versions = {"before": export(ref, tmp / "before"), "after": ROOT}
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        wall: dict[str, list[float]] = {name: [] for name in versions}
        for k in range(rounds):
            for name, source in versions.items():
                c, w = render(source, tmp / f"out-{name}-{k}")
                cpu[name].append(c)
                wall[name].append(w)
        counts = {name: pages(tmp / f"out-{name}-0") for name in versions}
    best = {name: min(values) for name, values in cpu.items()}
    print(f"| measure | before ({ref}) | after |")
    print("|---|---|---|")
    print(f"| reports | {sum(len(v) for v in counts['before'].values())} | "
          f"{sum(len(v) for v in counts['after'].values())} |")
    for kind in ("set", "organisation", "programme", "technical note"):
        cells = []
        for name in versions:
            found = counts[name].get(kind, [])
            cells.append(f"{min(found)}-{max(found)}" if len(set(found)) > 1 else
                         (str(found[0]) if found else "none"))
        print(f"| pages per {kind} report | {cells[0]} | {cells[1]} |")
    totals = [sum(sum(v) for v in counts[name].values()) for name in versions]
    print(f"| total pages | {totals[0]} | {totals[1]} |")
    print(f"| CPU seconds, best of {rounds} | {best['before']:.1f} | {best['after']:.1f} |")
    print(f"| wall seconds, best of {rounds} | {min(wall['before']):.1f} | "
          f"{min(wall['after']):.1f} |")
    print(f"| after / before (CPU) | | {best['after'] / best['before']:.2f} |")


if __name__ == "__main__":
    main()
