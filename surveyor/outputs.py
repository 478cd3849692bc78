"""Write a run's data files and its manifest: the only scoring code that touches disk.

Every file goes to a temporary name and is renamed when complete; every text cell is made
spreadsheet-safe; numbers are written with a fixed format so two runs on the same input
give byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .files import ensure_dir, write_text

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import ScoreResult

def _neutralise(column: pd.Series) -> pd.Series:
    """Make a text column spreadsheet-safe, vectorised (see ``csvsafe.safe_cell``)."""
    from .csvsafe import FORMULA_STARTS, PLAIN_NUMBER

    text = column.astype(str)
    risky = text.str.startswith(FORMULA_STARTS).to_numpy(dtype=bool)
    if risky.any():
        # The number test runs only on the few cells that start like a formula.
        candidates = text[risky]
        risky[risky] = ~candidates.str.match(PLAIN_NUMBER.pattern).to_numpy(dtype=bool)
        text = text.where(~risky, "'" + text)
    return text


def _float_text(values):
    """Floats as text (Python's shortest round-trip form, empty for NaN).

    Scores are means of a few whole numbers and take few distinct values, so each
    distinct value is formatted once; pandas would format a million floats one by one.
    """
    import numpy as np

    distinct, position = np.unique(values, return_inverse=True)
    if len(distinct) > max(1000, len(values) // 10):
        return np.array(["" if v != v else repr(v) for v in values.tolist()], dtype=object)
    text = np.array(["" if v != v else repr(v) for v in distinct.tolist()], dtype=object)
    return text[position.reshape(-1)]


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as safe, deterministic CSV text.

    Text cells are neutralised against formula injection, booleans written as
    ``true``/``false``, missing values as empty cells, floats in full (shortest
    round-trip) precision.
    """
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            out[name] = column.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(column):
            out[name] = _float_text(column.to_numpy(dtype=float))
        elif pd.api.types.is_numeric_dtype(column):
            out[name] = column
        else:
            out[name] = _neutralise(column.fillna(""))
    out.columns = [str(c) for c in frame.columns]
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


def scores_csv(result: ScoreResult) -> str:
    """Person-level scores, one row per respondent."""
    return frame_csv(result.scores)


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
