"""REDCap data exports: recognised by the record id and the ``*_complete`` status columns.

REDCap's CSV export ("raw") heads each column with the variable name: the record id field
first (``record_id`` by default), then the fields, then per instrument a
``<instrument>_complete`` status (0 Incomplete, 1 Unverified, 2 Complete). The export with
labels heads the columns with the field labels (``Record ID``... ``Complete?``) and writes
the status as words. The record id is the respondent id. A record whose status is
Incomplete in any instrument of the export is excluded unless ``--include-partial`` is
given; Unverified records were entered in full and are kept.

A longitudinal project's export has one row per record per event, the event in
``redcap_event_name`` (``Event Name`` with labels): the event is the wave
(:mod:`surveyor.inputs.exports` plans it so, in the order the events first appear).

Radio fields whose codes are the scale codes (``1, Strongly disagree | 2, ...``), with
``dk`` (``dk2``...) for the never-scored options as in surveyor's XLSForm, read with no
mapping when the variables are named by item id; the labelled export reads by item text.
"""

from __future__ import annotations

import re

from surveyor.inputs.mapping import norm
from surveyor.inputs.platforms.base import Layout, Platform, exclude_partial

STATUS = re.compile(r"^[a-z][a-z0-9_]*_complete$")
INCOMPLETE = frozenset({"0", "incomplete"})


def _status_columns(header: list[str]) -> list[int]:
    return [
        i for i, cell in enumerate(header)
        if STATUS.match(cell.strip()) or norm(cell) == "complete?"
    ]


def recognise(grid: list[list[str]]) -> bool:
    """A first column named like REDCap's record id, and at least one status column."""
    if not grid or not grid[0]:
        return False
    header = grid[0]
    first = norm(header[0])
    raw = first == "record_id" or any(norm(cell).startswith("redcap_") for cell in header)
    labelled = first == "record id"
    return (raw or labelled) and bool(_status_columns(header))


def read(grid: list[list[str]], include_partial: bool) -> Layout:
    header = [cell.strip() for cell in grid[0]]
    layout = Layout(
        keys=header, texts=list(header), data=grid[1:], rows=list(range(2, len(grid) + 1)),
        id_column=header[0],
    )
    status = _status_columns(header)
    partial = [
        row for row, values in zip(layout.rows, layout.data, strict=True)
        if any(norm(values[i]) in INCOMPLETE for i in status)
    ]
    exclude_partial(layout, partial, include_partial, "status Incomplete")
    return layout


PLATFORM = Platform(name="redcap", recognise=recognise, read=read)
