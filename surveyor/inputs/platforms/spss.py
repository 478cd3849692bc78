"""SPSS .sav exports (Qualtrics, SurveyMonkey): read with the optional ``pyreadstat``.

A .sav file carries a variable name (``Q5_1``), a variable label (the question text) and
value labels (code -> answer text) for each column. Here the variable names are the
column keys a mapping refers to, the variable labels the question text that items are
matched against, and every value with a value label becomes that label's text, so the
scale labels read as they do in a CSV export with choice text (``Strongly agree``, "Don't
know / not applicable"), whatever codes the survey used. Values without a label read as
numbers (``4``, not ``4.0``).

Rows are the file's cases, numbered from 1. Qualtrics files (with ``ResponseId``) drop
preview and test responses (``Status``) and unfinished ones (``Finished``) unless
``--include-partial`` is given, as their CSV exports do.

Install the reader with ``pip install 'surveyor[spss]'``.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

from surveyor.errors import SurveyorError
from surveyor.inputs.limits import MAX_CELLS, MAX_COLUMNS
from surveyor.inputs.mapping import norm
from surveyor.inputs.platforms.base import (
    Layout,
    Platform,
    exclude_partial,
    header_index,
    plural,
    rows_text,
)

ID_NAMES = ("responseid", "respondent_id", "respondentid", "respondent id")
NOT_RESPONSES = {"1": "Survey Preview", "survey preview": "Survey Preview",
                 "2": "Survey Test", "survey test": "Survey Test"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else (
            value.isoformat()
        )
    return str(value)


def read_sav_grid(path: Path) -> list[list[str]]:
    """Variable names, variable labels, then one row of text per case."""
    try:
        import pyreadstat
    except ImportError:
        raise SurveyorError(
            f"{path}: is an SPSS .sav file, and reading one needs the optional pyreadstat "
            "package: pip install 'surveyor[spss]' (or export the responses as CSV)"
        ) from None
    # The bounds every input keeps (inputs.limits): the size was checked when the bytes
    # were read (inputs.source); the table's shape from the header alone, before any
    # data is read.
    try:
        _, head = pyreadstat.read_sav(str(path), metadataonly=True)
        if head.number_columns > MAX_COLUMNS or (
            (head.number_rows or 0) * head.number_columns > MAX_CELLS
        ):
            raise SurveyorError(
                f"{path}: holds {head.number_columns:,} variables and "
                f"{head.number_rows or 0:,} cases, beyond surveyor's limits of "
                f"{MAX_COLUMNS:,} columns and {MAX_CELLS:,} cells; keep the identifier and "
                "item variables and save it again"
            )
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except SurveyorError:
        raise
    except Exception as exc:  # pyreadstat raises its own error types
        raise SurveyorError(f"{path}: cannot be read as an SPSS .sav file ({exc})") from exc
    names = list(meta.column_names)
    labels = [
        label if label else name
        for name, label in zip(names, meta.column_labels, strict=True)
    ]
    value_labels = meta.variable_value_labels
    columns = []
    for name in names:
        table = {_text(code): text for code, text in value_labels.get(name, {}).items()}
        values = [_text(v) for v in frame[name].tolist()]
        columns.append([table.get(v, v) if v else v for v in values])
    rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return [names, labels, *rows]


def recognise(grid: list[list[str]]) -> bool:
    return False  # a .sav is recognised by its first bytes (inputs.source), never from text


def read(grid: list[list[str]], include_partial: bool) -> Layout:
    names, labels = grid[0], grid[1]
    id_index = header_index(names, *ID_NAMES)
    layout = Layout(
        keys=list(names), texts=list(labels), data=grid[2:],
        rows=list(range(1, len(grid) - 1)),
        id_column=names[id_index] if id_index is not None else None,
    )
    status = header_index(names, "status")
    if id_index is not None and status is not None:
        dropped: dict[str, list[int]] = {}
        for row, values in zip(layout.rows, layout.data, strict=True):
            kind = NOT_RESPONSES.get(norm(values[status]))
            if kind:
                dropped.setdefault(kind, []).append(row)
        for kind, rows in dropped.items():
            layout.drop(set(rows))
            layout.notes.append(
                f"dropped {plural(len(rows), f'{kind} case')} ({rows_text(rows, word='case')})"
            )
    finished = header_index(names, "finished")
    if id_index is not None and finished is not None:
        partial = [
            row for row, values in zip(layout.rows, layout.data, strict=True)
            if norm(values[finished]) in ("0", "false")
        ]
        exclude_partial(layout, partial, include_partial, "not finished", word="case")
    return layout


PLATFORM = Platform(name="spss", recognise=recognise, read=read)
