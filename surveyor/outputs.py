"""Write a run's data files and its manifest: the only scoring code that touches disk.

Every file goes to a temporary name and is renamed when complete; every text cell is made
spreadsheet-safe; numbers are written with a fixed format so two runs on the same input
give byte-identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from .csvsafe import csv_text
from .files import ensure_dir, write_text

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import ScoreResult

FLOAT_FORMAT = "{:.10g}"


def _cell(value: object) -> object:
    """Format one cell: empty for missing, fixed precision for floats, text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else FLOAT_FORMAT.format(value)
    if hasattr(value, "item"):  # numpy scalar
        return _cell(value.item())
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return value


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as safe, deterministic CSV text."""
    columns = list(frame.columns)
    rows = ([_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))
    return csv_text(columns, rows)


def scores_csv(result: ScoreResult) -> str:
    """Person-level scores; numbers written column-wise for speed on large files."""
    import numpy as np

    frame = result.scores
    subscale_ids = result.scored.subscale_ids
    meta = [c for c in frame.columns if c not in subscale_ids]
    text_columns = [frame[c].astype(str).map(_safe_text) for c in meta]
    number_columns = []
    for sid in subscale_ids:
        values = frame[sid].to_numpy()
        formatted = np.array([FLOAT_FORMAT.format(v) for v in values], dtype=object)
        formatted[np.isnan(values)] = ""
        number_columns.append(formatted)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(meta + subscale_ids)
    writer.writerows(zip(*text_columns, *number_columns, strict=True))
    return buffer.getvalue()


def _safe_text(value: str) -> str:
    from .csvsafe import safe_cell

    return safe_cell(value)


def manifest(result: ScoreResult, files: dict[str, str], reports: list[dict]) -> dict:
    """The machine-readable record of a run: inputs, settings, warnings, decisions, files."""
    inst = result.instrument
    return {
        "surveyor_version": result.version,
        "instrument": {"id": inst.id, "version": inst.version, "title": inst.title},
        "input": {
            "file": result.responses.source.name,
            "sha256": result.responses.sha256,
            "format": result.responses.format,
            "respondents": int(len(result.scores)),
            "skipped_empty_rows": list(result.responses.skipped_rows),
        },
        "settings": {
            "min_group_size": result.settings.min_group_size,
            "consented": result.settings.consented,
            "min_answered": result.settings.missing_rule(inst),
            "sd": "sample standard deviation (n-1)",
            "confidence_interval": "95% t-interval",
            "rwg_j_null": f"uniform, (A^2-1)/12 with A={inst.scale.n_options}",
        },
        "scoring": {
            "prorated": result.scored.prorated,
            "unscored": result.scored.unscored,
        },
        "warnings": [
            {"location": w.location, "message": w.message} for w in result.warnings
        ],
        "suppression": result.suppression.records(),
        "files": [{"path": path, "sha256": digest} for path, digest in sorted(files.items())],
        "reports": reports,
    }


def write_data(result: ScoreResult, out: Path) -> dict[str, str]:
    """Write scores.csv, groups.csv, reliability.csv and items.csv; return path -> sha256."""
    out = ensure_dir(Path(out))
    contents = {
        "scores.csv": scores_csv(result),
        "groups.csv": frame_csv(result.groups),
        "reliability.csv": frame_csv(result.reliability),
        "items.csv": frame_csv(result.items),
    }
    return {name: write_text(out / name, text) for name, text in contents.items()}


def write_manifest(
    result: ScoreResult, out: Path, files: dict[str, str], reports: list[dict] | None = None
) -> str:
    data = manifest(result, files, reports or [])
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return write_text(Path(out) / "manifest.json", text)
