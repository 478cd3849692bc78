"""Export files as text: reading, decoding, delimiter sniffing, and format detection.

Survey tools write CSV in UTF-8 (with or without BOM), UTF-16 ("Unicode text") or
Windows-1252, with ``,`` ``;`` or tab, and xlsx workbooks. This module turns any of them
into a grid of text cells and recognises which tool wrote it from its header rows;
``surveyor.inputs.exports`` reads the grid into the canonical table.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from surveyor.errors import SurveyorError
from surveyor.files import read_input
from surveyor.inputs.mapping import norm

DELIMITERS = (",", ";", "\t")
SNIFF_RECORDS = 20
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


def read_file_bytes(path: Path) -> bytes:
    """The bytes of an export, or a SurveyorError saying why it cannot be read."""
    return read_input(path, "give a CSV or .xlsx export")


def decode_text(raw: bytes, source: str = "file") -> tuple[str, str]:
    """Decode an exported text file; return the text and the encoding used.

    The decoding is ``surveyor.inputs.text.decode``'s, shared with responses files.
    """
    from surveyor.inputs.text import DecodeError, decode

    try:
        decoded = decode(raw)
    except DecodeError as exc:
        raise SurveyorError(f"{source}: {exc}") from exc
    return decoded.text, decoded.encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``,`` ``;`` and tab that splits the first records most evenly.

    Notes
    -----
    Each candidate parses the first records with quoting honoured; the right delimiter
    gives every record the same number of fields (more than one). Counting characters in
    the header alone would be misled by commas inside quoted question texts.
    """
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        widths = []
        try:
            for record in reader:
                if any(cell.strip() for cell in record):
                    widths.append(len(record))
                if len(widths) >= SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not widths:
            continue
        width = widths[0]
        score = (width > 1, sum(w == width for w in widths) / len(widths), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_delimited(text: str) -> list[list[str]]:
    """Records of a delimited text: CRLF or LF, quoted delimiters and newlines kept in cells.

    Each record is one row, as a spreadsheet numbers it, even when a quoted cell spans
    several lines.
    """
    sample = text[: 64 * 1024]
    delimiter = sniff_delimiter(sample)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise SurveyorError(f"the file cannot be read as CSV ({exc})") from exc


def read_grid(path: str | Path) -> tuple[list[list[str]], str | None]:
    """All rows of an export as text, row i being row i + 1 of the file, and its encoding.

    An .xlsx workbook (recognised by content, not name) is read from its first sheet; any
    other file is decoded and parsed as delimited text.
    """
    path = Path(path)
    raw = read_file_bytes(path)
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _read_xlsx_grid(path, raw), None
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise SurveyorError(
            f"{path}: is an old-format Excel .xls workbook; save it as .xlsx or CSV"
        )
    text, encoding = decode_text(raw, str(path))
    try:
        grid = parse_delimited(text)
    except SurveyorError as exc:
        raise SurveyorError(f"{path}: {exc}") from exc
    return grid, encoding


def _read_xlsx_grid(path: Path, raw: bytes) -> list[list[str]]:
    from surveyor.inputs.workbook import read_sheet

    return read_sheet(path, raw)


# ------------------------------------------------------------------------- detection


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
    from surveyor.inputs.platforms.spss import is_sav

    if is_sav(path):
        return "spss"
    grid = head_grid(path)
    if grid is None:
        grid, _ = read_grid(path)
    return detect_grid_format(grid)


HEAD_BYTES = 256 * 1024


def head_grid(path: str | Path) -> list[list[str]] | None:
    """The first records of a delimited text file, read from its first 256 KB only.

    Detection needs only the header rows, and a national file is too big to parse twice.
    Returns None for a workbook or when the start cannot be decoded on its own; the caller
    then reads the whole file.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(HEAD_BYTES + 1)
    except OSError:
        return None
    if raw.startswith(b"PK") or not raw:
        return None
    complete = len(raw) <= HEAD_BYTES
    if not complete:
        raw = raw[:HEAD_BYTES]
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        cut = raw.rfind("\n".encode("utf-16-le") if utf16 else b"\n")
        if cut <= 0:
            return None
        raw = raw[: cut + (2 if utf16 else 1)]
    try:
        text, _ = decode_text(raw)
        return parse_delimited(text)
    except (SurveyorError, UnicodeError, ValueError):
        return None


def header_has_items(path: str | Path, item_ids) -> bool:
    """Whether a plain table's header is surveyor's own: every item id, or a
    ``respondent_id`` column (then a missing item is reported as such). Case and spaces
    are ignored."""
    grid = head_grid(path)
    if grid is None:
        grid, _ = read_grid(path)
    header = next((row for row in grid if any(cell.strip() for cell in row)), [])
    names = {cell.strip().casefold() for cell in header}
    return "respondent_id" in names or all(item.casefold() in names for item in item_ids)


