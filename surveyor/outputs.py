"""Write a run's data files and its manifest: the only scoring code that touches disk.

Every file goes to a temporary name and is renamed when complete; every text cell is made
spreadsheet-safe; numbers are written with a fixed format so two runs on the same input
give byte-identical files.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.csvsafe import FORMULA_CHARS
from surveyor.files import ensure_dir, write_text

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.pipeline import ScoreResult


_FORMULA_SIGN = re.compile(f"[{FORMULA_CHARS}\t\r]")


def _neutralise(column: pd.Series) -> list[str]:
    """Make a text column spreadsheet-safe, vectorised (see ``csvsafe.neutralise``)."""
    import pandas as pd

    from surveyor.csvsafe import RISKY, neutralise

    text = column.astype(str)
    cells = text.tolist()
    # One search over the joined column finds whether any cell may hold a formula; only
    # then is each distinct cell looked at (a million cells hold few distinct names).
    # Every match of RISKY holds a formula sign, a tab or a carriage return: searching for
    # those characters alone first is ten times faster, and usually all it takes.
    joined = "\n".join(cells)
    if not _FORMULA_SIGN.search(joined) or not RISKY.search(joined):
        return cells
    codes, uniques = pd.factorize(text)
    safe = pd.Index([neutralise(value) for value in uniques.tolist()], dtype=object)
    return safe.take(codes).tolist()


def _float_text(values) -> list[str]:
    """Floats as text (Python's shortest round-trip form, empty for NaN).

    Scores are means of a few whole numbers and take few distinct values, so each
    distinct value is formatted once; pandas would format a million floats one by one.
    """
    import numpy as np
    import pandas as pd

    if (values == 0).any():
        # Hashing would merge 0.0 and -0.0, which print differently: sort instead, as
        # this function always has, so such files keep their exact bytes.
        distinct, position = np.unique(values, return_inverse=True)
        if len(distinct) > max(1000, len(values) // 10):
            return ["" if v != v else repr(v) for v in values.tolist()]
        text = ["" if v != v else repr(v) for v in distinct.tolist()]
        return np.array(text, dtype=object)[position.reshape(-1)].tolist()
    position, distinct = pd.factorize(values)  # NaN gets position -1, the last text
    text = np.array([*map(repr, distinct.tolist()), ""], dtype=object)
    return text[position].tolist()


def _cell_texts(column: pd.Series) -> list[str] | None:
    """A column's cells as the text pandas' CSV writer would write; None for other types."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return [{True: "true", False: "false"}.get(v, "") for v in column.tolist()]
    if pd.api.types.is_float_dtype(column):
        return _float_text(column.to_numpy(dtype=float))
    if pd.api.types.is_integer_dtype(column):
        # Plain and nullable integers: the number, or an empty cell for NA.
        return ["" if v is pd.NA else str(v) for v in column.tolist()]
    if pd.api.types.is_numeric_dtype(column):
        return None
    return _neutralise(column.fillna(""))


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as safe, deterministic CSV text.

    Text cells are neutralised against formula injection, booleans written as
    ``true``/``false``, missing values as empty cells, floats in full (shortest
    round-trip) precision. The text is what ``DataFrame.to_csv`` writes (minimal quoting,
    ``\n`` line ends), built faster: cells are joined directly when none needs quotes.
    """
    header = [str(c) for c in frame.columns]
    columns = [_cell_texts(frame[name]) for name in frame.columns]
    if any(cells is None for cells in columns):
        return _pandas_csv(frame)
    head = csv_text_rows([header])
    if not len(frame):
        return head
    if len(columns) > 1 and not any(map(_needs_quotes, columns)):
        return head + "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"
    return head + csv_text_rows(zip(*columns, strict=True))


def _needs_quotes(cells: list[str]) -> bool:
    """Whether the csv writer would quote any of these cells (minimal quoting)."""
    joined = "".join(cells)
    return any(mark in joined for mark in ',"\r\n')


def csv_text_rows(rows) -> str:
    """Rows of text cells as CSV with minimal quoting, as pandas' writer (``csv``) does."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _pandas_csv(frame: pd.DataFrame) -> str:
    """The general writer, for column types ``_cell_texts`` does not format itself."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        cells = _cell_texts(column)
        out[name] = column if cells is None else cells
    out.columns = [str(c) for c in frame.columns]
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


def scores_csv(result: ScoreResult) -> str:
    """Person-level scores, one row per respondent."""
    return frame_csv(result.scores)


def manifest(
    result: ScoreResult, files: dict[str, str], reports: list[dict],
    outputs: dict[str, str] | None = None,
) -> dict:
    """The machine-readable record of a run: inputs, settings, warnings, decisions, files.

    ``outputs`` (every file of the run's output folder but the manifest, path -> SHA-256)
    is surveyor's own record of what it wrote: the next run into the folder deletes a
    stale file only when its bytes still match it (``surveyor.output_folder``).
    """
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
        "suppression": suppression_records(result),
        **waves_entry(result),
        "files": [{"path": path, "sha256": digest} for path, digest in sorted(files.items())],
        "reports": reports,
        **({} if outputs is None else {"outputs": [
            {"path": path, "sha256": digest} for path, digest in sorted(outputs.items())]}),
    }


def run_record(staged: dict[str, Path], reports: list[dict]) -> dict[str, str]:
    """Every file a run's output folder holds from it, path -> SHA-256, but the manifest.

    The staged files, and the reports kept unchanged from the last run (not staged again).
    """
    import hashlib

    record = {rel: hashlib.sha256(path.read_bytes()).hexdigest()
              for rel, path in staged.items() if rel != "manifest.json"}
    for entry in reports:
        record.setdefault(f"reports/{entry['path']}", entry["sha256"])
    return record


DATA_FILES = ("scores.csv", "groups.csv", "reliability.csv", "items.csv")
#: With two or more waves, beside the data files.
CHANGES = "changes.csv"


def suppression_records(result: ScoreResult) -> list[dict]:
    """The run's suppression decisions; with waves, each wave's pass, its name first."""
    if result.waves is None:
        return result.suppression.records()
    return [
        {"wave": name, **record}
        for name in result.waves.order
        for record in result.waves.results[name].suppression.records()
    ]


def waves_entry(result: ScoreResult) -> dict:
    """The manifest's ``waves``: order, design, respondents per wave, hidden changes."""
    run = result.waves
    if run is None:
        return {}
    counts = result.responses.frame["wave"].value_counts()
    return {
        "waves": {
            "order": list(run.order),
            "design": run.design,
            "respondents": {name: int(counts.get(name, 0)) for name in run.order},
            "changes_hidden": run.change_records,
        }
    }


def write_data(result: ScoreResult, out: Path) -> dict[str, str]:
    """Write scores.csv, groups.csv, reliability.csv and items.csv (and, with waves,
    changes.csv); return path -> sha256."""
    out = ensure_dir(Path(out))
    texts = (scores_csv(result), frame_csv(result.groups), frame_csv(result.reliability),
             frame_csv(result.items))
    contents = dict(zip(DATA_FILES, texts, strict=True))
    if result.waves is not None:
        contents[CHANGES] = frame_csv(result.waves.changes)
    return {name: write_text(out / name, text) for name, text in contents.items()}


def write_manifest(
    result: ScoreResult, out: Path, files: dict[str, str], reports: list[dict] | None = None,
    outputs: dict[str, str] | None = None,
) -> str:
    data = manifest(result, files, reports or [], outputs)
    return write_text(Path(out) / "manifest.json", json_text(data) + "\n")


def json_text(data) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)``, faster.

    With ``indent`` the standard library encodes in pure Python, a few seconds for a
    national manifest (a record per suppressed cell). Here the nesting is walked in Python
    and every flat object (the records) is encoded by the C encoder in one call, its item
    separator carrying the line end and indentation: the same text, byte for byte.
    """
    return _json_text(data, 0)


_SCALAR = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


@functools.cache
def _flat_encoder(depth: int):
    """Encode one flat object whose items sit at ``depth + 1``: the C encoder, made once."""
    from json import encoder

    separator = ",\n" + "  " * (depth + 1)
    if encoder.c_make_encoder is None:  # a Python without the C accelerator
        slow = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(separator, ": "))
        return slow.encode
    fast = encoder.c_make_encoder(
        None, _SCALAR.default, encoder.encode_basestring, None, ": ", separator, False, False,
        False,
    )
    return lambda value: "".join(fast(value, 0))


def _json_text(value, depth: int) -> str:
    inner = "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not any(isinstance(v, dict | list | tuple) for v in value.values()):
            flat = _flat_encoder(depth)(value)
            return "{\n" + inner + flat[1:-1] + "\n" + "  " * depth + "}"
        parts = [
            f"{inner}{_key_text(key)}: {_json_text(v, depth + 1)}" for key, v in value.items()
        ]
        return "{\n" + ",\n".join(parts) + "\n" + "  " * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if _flat_objects(value):
            # A list of records in one call: between records the encoder writes
            # "},\n<indent>{", which only ever occurs there (text holds no raw line end).
            inner2 = "  " * (depth + 2)
            flat = _flat_encoder(depth + 1)(value)
            flat = flat[2:-2].replace("},\n" + inner2 + "{", f"\n{inner}}},\n{inner}{{\n{inner2}")
            return f"[\n{inner}{{\n{inner2}{flat}\n{inner}}}\n" + "  " * depth + "]"
        parts = [inner + _json_text(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(parts) + "\n" + "  " * depth + "]"
    return _SCALAR.encode(value)


_SCALARS = (str, int, float, bool, type(None))


def _flat_objects(values) -> bool:
    """Whether every element is a non-empty object of plain scalars (a list of records)."""
    return all(type(v) is dict and v for v in values) and all(
        isinstance(x, _SCALARS) for v in values for x in v.values()
    )


def _key_text(key) -> str:
    """A key as json writes it: strings as they are, numbers, booleans and None as text."""
    if isinstance(key, str):
        return _SCALAR.encode(key)
    return json.dumps({key: 0})[1:-4]  # '{"1": 0}' -> '"1"'
