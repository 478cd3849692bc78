"""Reading speed of the input stage, two source trees back to back in one run.

    .venv/bin/python bench/read_bench.py BEFORE_TREE AFTER_TREE [ROUNDS]

Reads 300,000 simulated respondents (bench/national-25.yaml, seed 1) three ways: the plain
canonical CSV (the fast path), the same with quoted ids (the careful path) and as a
Google Forms export (the export path), each in a fresh process importing surveyor from
the tree given; trees alternate within a round, as the shared machine's load drifts.
Prints the median wall-clock and CPU seconds of each (CPU time is the steadier figure
on a loaded machine; the fast path's parser uses two threads, so its CPU time exceeds
its wall time). The files are made once in bench/data/.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"
NATIONAL = HERE / "national-25.yaml"
CODE = """
import sys, time
import surveyor
from surveyor.instrument.model import load_instrument
inst = load_instrument(sys.argv[2])
try:
    from surveyor.inputs.read import read
except ImportError:  # before the one input path
    from surveyor.pipeline import load_responses as read
t, c = time.perf_counter(), time.process_time()
rows = len(read(sys.argv[1], inst).frame)
print(time.perf_counter() - t, time.process_time() - c, rows, surveyor.__file__)
"""


def files() -> list[Path]:
    DATA.mkdir(exist_ok=True)
    plain = DATA / "read-300k.csv"
    if not plain.exists():
        subprocess.run(
            [sys.executable, "-m", "surveyor", "simulate", "--out", str(plain), "-i",
             str(NATIONAL), "--organizations", "50", "--sets", "4000", "--min-set-size", "3",
             "--max-set-size", "90", "--respondents", "300000", "--missing-rate", "0.02",
             "--dont-know-rate", "0.005", "--seed", "1"], check=True)
    lines = plain.read_text(encoding="utf-8").splitlines()
    quoted, google = DATA / "read-300k-quoted.csv", DATA / "read-300k-google.csv"
    if not quoted.exists():
        body = [re.sub(r"^([^,]*),", r'"\1",', line) for line in lines[1:]]
        quoted.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    if not google.exists():
        body = [f"2026/11/02 10:00:00,{line}" for line in lines[1:]]
        google.write_text("\n".join([f"Timestamp,{lines[0]}", *body]) + "\n", encoding="utf-8")
    return [plain, quoted, google]


def main() -> None:
    trees, rounds = sys.argv[1:3], int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for tree in trees:
            for path in files():
                out = subprocess.run(
                    [sys.executable, "-P", "-c", CODE, str(path), str(NATIONAL)],
                    env={**os.environ, "PYTHONPATH": tree}, capture_output=True, text=True,
                    check=True,
                )
                seconds, cpu, rows, module = out.stdout.split()
                # -P: the working directory must not shadow the tree asked for.
                assert rows == "300000" and module.startswith(tree), (tree, path, rows, module)
                times.setdefault((tree, path.name), []).append((float(seconds), float(cpu)))
    for (tree, name), values in times.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        shown = ", ".join(f"{v[0]:.2f}" for v in values)
        print(f"{tree}  {name}: median {wall:.2f} s wall ({shown}), {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
