"""Benchmark ``surveyor scan`` (issue 13): pages a second for 200-dpi scans.

Builds a pre-filled pack, fills and scans it with the test simulator (not timed), then
times ``surveyor scan`` on the resulting PDF as a user runs it (a fresh process, so
start-up and laying the form out once are included). The figure for a whole programme
is extrapolated from the measured batch: fixed cost plus pages times the cost a page.

    python3 bench/scan_bench.py [--copies 30]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import scan_simulator as sim  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--programme", type=int, default=300, help="copies to extrapolate to")
    args = parser.parse_args()

    import numpy as np

    from surveyor.instrument.build import build_instrument
    from surveyor.instrument.layout import FormLayout
    from surveyor.instrument.model import load_instrument
    from surveyor.instrument.questionnaire import QuestionnaireOptions

    rng = np.random.default_rng(5)
    instrument = load_instrument("learning-inaction")
    n_options = len(instrument.scale.values) + len(instrument.scale.missing)
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        tmp = Path(tmp)
        options = QuestionnaireOptions(organization="Bench Trust", set="Set A",
                                       count=args.copies)
        built = {b.kind: b.path for b in build_instrument("learning-inaction", tmp, options)}
        layout = FormLayout.from_json(built["layout"].read_text(encoding="utf-8"))
        printed = sim.rasterise(built["pdf"])
        per_copy = len(layout.pages)
        scans = []
        for copy in range(args.copies):
            truth = {item: sim.choose_truth(rng, n_options) for item in instrument.item_ids}
            for page in range(per_copy):
                filled = sim.fill(printed[copy * per_copy + page],
                                  layout.page(page + 1).items, truth, rng)
                scans.append(sim.degrade(filled, rng))
        pdf = sim.write_pdf(scans, tmp / "scans.pdf")
        # the pack's list names the organisation and set of its codes
        command = [sys.executable, "-m", "surveyor", "scan", str(pdf), str(built["template"]),
                   "--instrument", "learning-inaction", "--out", str(tmp / "out")]
        # the fixed cost: the same run on the first copy alone
        one = sim.write_pdf(scans[:per_copy], tmp / "one.pdf")
        start = time.perf_counter()
        cpu_start = _child_cpu()
        subprocess.run([*command[:4], str(one), *command[5:-1], str(tmp / "out1")],
                       check=True, capture_output=True)
        fixed = time.perf_counter() - start
        fixed_cpu = _child_cpu() - cpu_start
        start = time.perf_counter()
        cpu_start = _child_cpu()
        subprocess.run(command, check=True, capture_output=True)
        total = time.perf_counter() - start
        total_cpu = _child_cpu() - cpu_start
    pages = len(scans)
    per_page = (total - fixed) / (pages - per_copy)
    programme_pages = args.programme * per_copy
    print(f"cores: {os.cpu_count()}; pages: {pages} at 200 dpi (JPEG in PDF)")
    print(f"surveyor scan: {total:.1f} s, {pages / total:.1f} pages/s overall")
    print(f"fixed cost (start-up, layout, outputs): {fixed - per_copy * per_page:.1f} s; "
          f"per page: {per_page * 1000:.0f} ms ({1 / per_page:.1f} pages/s)")
    cpu_per_page = (total_cpu - fixed_cpu) / (pages - per_copy)
    print(f"CPU time (load-independent): {total_cpu:.1f} s in all; per page "
          f"{cpu_per_page * 1000:.0f} ms, {1 / cpu_per_page:.1f} pages per CPU-second")
    estimate = (fixed - per_copy * per_page) + programme_pages * per_page
    print(f"extrapolated: {args.programme} copies ({programme_pages} pages): "
          f"{estimate:.0f} s")


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
