"""Step 3 of the input stage: which format a table is, from its header rows.

``csv`` is surveyor's own table (or any plain table headed by item ids or question
texts); the others are the survey tools of :data:`surveyor.inputs.formats.FORMATS`. The
signature is read from the first records only (:func:`surveyor.inputs.table.head`).
"""

from __future__ import annotations

import re
from pathlib import Path

from surveyor.inputs.mapping import norm

# Google Forms names its first column in the form owner's language.
GOOGLE_TIMESTAMPS = frozenset(
    {"timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora",
     "informazioni cronologiche", "tijdstempel", "sygnatura czasowa", "tidsstempel"}
)
SURVEYMONKEY_FIRST = frozenset({"respondentid", "respondent id", "startdate", "start date"})
ODK_CENTRAL_META = frozenset({"meta-instanceid", "key", "submitterid", "reviewstate"})
KOBO_META = frozenset(
    {"_id", "_uuid", "_submission_time", "_index", "_validation_status", "_submitted_by",
     "_parent_index", "__version__"}
)



def _header_set(row: list[str]) -> set[str]:
    return {norm(cell) for cell in row}


def _is_import_row(row: list[str]) -> bool:
    first = next((cell for cell in row if cell.strip()), "")
    return bool(re.match(r"""^\{\s*["']importid["']\s*:""", first.strip(), re.IGNORECASE))


def _surveymonkey_subheader(grid: list[list[str]]) -> bool:
    """An older SurveyMonkey export: first ``RespondentID`` (or ``StartDate``, ``EndDate``
    without any id), then the row of answer kinds (``Response``, ``Open-Ended Response``)."""
    if len(grid) < 2 or not grid[0]:
        return False
    kinds = {norm(cell) for cell in grid[1]}
    return norm(grid[0][0]) in SURVEYMONKEY_FIRST and not grid[1][0].strip() and bool(
        kinds & {"response", "open-ended response"}
    )


def detect_grid_format(grid: list[list[str]]) -> str:
    """The export format a grid's header rows show; ``csv`` when none matches."""
    if not grid:
        return "csv"
    first = _header_set(grid[0])
    second = _header_set(grid[1]) if len(grid) > 1 else set()
    third = grid[2] if len(grid) > 2 else []
    if {"startdate", "status"} <= first and "responseid" in first and _is_import_row(third):
        return "qualtrics"
    if "responseid" in first | second and "status" in first | second and (
        "startdate" in first | second or "finished" in first | second
    ):
        return "qualtrics-legacy"
    if {"respondent id", "collector id"} <= first or _surveymonkey_subheader(grid):
        return "surveymonkey"
    if grid[0] and norm(grid[0][0]) in GOOGLE_TIMESTAMPS:
        return "google-forms"
    if grid[0] and norm(grid[0][0]) == "id" and {"start time", "completion time"} <= first:
        return "ms-forms"
    if first & KOBO_META:
        return "kobo"
    if "submissiondate" in first and first & ODK_CENTRAL_META:
        return "odk-central"
    from surveyor.inputs.platforms import recognise

    return recognise(grid) or "csv"


def detect_format(path: str | Path) -> str:
    """The export format of a file, from its header signature (not its name).

    Returns
    -------
    str
        One of ``FORMATS``: ``csv`` for a plain table (item ids or question texts as
        headers), else the survey tool that wrote it.
    """
    from surveyor.inputs.source import open_source
    from surveyor.inputs.table import head

    source = open_source(path)
    return "spss" if source.kind == "spss" else detect_grid_format(head(source))


def is_canonical(header_rows: list[list[str]], item_ids) -> bool:
    """Whether a plain table's header is surveyor's own: every item id, or a
    ``respondent_id`` column (then a missing item is reported as such). Case and spaces
    are ignored; the first non-blank row is the header."""
    header = next((row for row in header_rows if any(cell.strip() for cell in row)), [])
    names = {cell.strip().casefold() for cell in header}
    return "respondent_id" in names or all(item.casefold() in names for item in item_ids)
