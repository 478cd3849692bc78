"""Responses files as tables of text: recognise the file, decode it, split it into cells.

A responses file may be CSV (UTF-8 with or without BOM, UTF-16, cp1252; comma, semicolon
or tab) or an .xlsx workbook; anything else (an old .xls, a zip, a PDF, an SPSS file) is
refused by name. The result is a table of text cells with the row numbers a consultant
sees in a spreadsheet, for :mod:`surveyor.inputs.responses` to check against the instrument.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveyor.errors import Problem, ResponsesError, SurveyorError
from surveyor.files import read_input

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.instrument.model import Instrument

COLUMN_ALIASES = {"organisation": "organization"}
DELIMITERS = ",;\t"
SNIFF_CHARS = 64 * 1024
MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old-format Excel .xls workbook (or a password-protected one); save it as an "
     "Excel Workbook (.xlsx) without a password, or as CSV"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"$FL2", "an SPSS .sav file"),
    (b"$FL3", "an SPSS .sav file"),
)
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")



@dataclass
class _Table:
    """The raw grid of a file: header texts, data cells as text, each data row's number."""

    header: list[str]
    cells: pd.DataFrame | None  # positional columns of text; None for an empty file
    rows: np.ndarray  # row number in the file of each row of ``cells``
    n_header_fields: int  # fields in the header record; wider rows are padded beyond it
    encoding: str | None
    problems: list[Problem]



def _read_bytes(path: Path) -> bytes:
    return read_input(path, "give a CSV or .xlsx file of responses")


def refuse_foreign_file(path: str | Path) -> None:
    """Raise a clear SurveyorError when a file is a PDF, image, archive, SPSS file and so
    on rather than a table; only its first bytes are read."""
    path = Path(path)
    with open(path, "rb") as handle:
        _refuse_magic(path, handle.read(16))


def _refuse_magic(path: Path, start: bytes) -> None:
    for magic, what in MAGIC:
        if start.startswith(magic):
            hint = "" if "save it" in what else "; export the responses as CSV or Excel (.xlsx)"
            raise SurveyorError(f"{path}: is {what}, not a CSV or .xlsx file{hint}")


def _detect_format(path: Path, raw: bytes) -> tuple[str, list[Problem]]:
    """Decide from the content (not the name) whether a file is an xlsx workbook or text."""
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        _check_zip(path, raw)
        return "xlsx", []
    _refuse_magic(path, raw)
    notes = []
    if path.suffix.lower() in SPREADSHEET_SUFFIXES and raw.strip():
        notes.append(
            Problem(
                "file",
                f"is named {path.suffix} but holds text, so it was read as CSV",
                severity="warning",
            )
        )
    return "csv", notes


def _check_zip(path: Path, raw: bytes) -> None:
    """Accept an xlsx workbook; name what any other zip file is."""
    from surveyor.inputs.workbook import check_archive

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_archive(path, archive)
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode("ascii", "replace") if (
                "mimetype" in names
            ) else ""
    except (zipfile.BadZipFile, OSError) as exc:
        raise SurveyorError(
            f"{path}: is a damaged .xlsx (zip) file ({exc}); save it again from Excel"
        ) from exc
    if any(name.startswith("xl/") for name in names):
        return
    if "spreadsheet" in mimetype:
        what = "an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV"
    elif any(name.startswith("word/") for name in names):
        what = "a Word document, not a CSV or .xlsx file"
    elif any(name.startswith("ppt/") for name in names):
        what = "a PowerPoint presentation, not a CSV or .xlsx file"
    else:
        inside = [n for n in names if n.lower().endswith((".csv", ".xlsx", ".txt"))][:3]
        holds = f" (it holds {', '.join(inside)})" if inside else ""
        what = (
            f"a zip archive, not an .xlsx workbook{holds}; unzip it and give the CSV or "
            ".xlsx file inside"
        )
    raise SurveyorError(f"{path}: is {what}")


def _decode(path: Path, raw: bytes) -> tuple[str, bytes, str, list[Problem]]:
    """Return the text, UTF-8 bytes for the parser, the encoding read and any warning."""
    from surveyor.inputs.text import DecodeError, decode

    try:
        decoded = decode(raw)
    except DecodeError as exc:
        raise SurveyorError(f"{path}: {exc}") from exc
    text, encoding = decoded.text, decoded.encoding
    # Plain UTF-8 goes to the parser as it came, without a copy of a large file.
    body = raw if encoding == "utf-8" else text.encode("utf-8")
    notes = [Problem("file", note, severity="warning") for note in decoded.notes]
    return text, body, encoding, notes


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among ``,`` ``;`` and tab: the Sniffer's pick if the header has it."""
    header = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    # The Sniffer prefers ',' when several characters look regular, which misreads
    # ';'-files with decimal commas; a header line never has decimal commas.
    if found and counts[found]:
        return found
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


@dataclass
class _CsvText:
    """A CSV file decoded and sniffed, ready for either parser."""

    body: bytes  # UTF-8 without BOM, what the parsers read
    encoding: str
    problems: list[Problem]
    delimiter: str
    lines: list[str]  # the sniffed sample, split into lines
    leading: int  # blank lines before the header; -1 when the file is blank


def _csv_text(path: Path, raw: bytes) -> _CsvText:
    """Decode and sniff a CSV file once, for the fast reader and then the careful one."""
    text, body, encoding, problems = _decode(path, raw)
    # Tests on the start of the text only: stripping a copy of a large file costs time.
    if not text or text.isspace():
        return _CsvText(body, encoding, problems, ",", [], -1)
    start = text[:4096].lstrip() or text.lstrip()
    start = start[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<table")):
        raise SurveyorError(
            f"{path}: is an HTML or XML page, not a CSV or .xlsx file; export the "
            "responses as CSV or Excel (.xlsx)"
        )
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    delimiter = _sniff_delimiter(sample)
    lines = sample.splitlines()
    leading = next((i for i, line in enumerate(lines) if line.strip()), 0)
    refuse_wide(path, len(next(csv.reader([lines[leading] if lines else ""], delimiter=delimiter),
                               [])))
    return _CsvText(body, encoding, problems, delimiter, lines, leading)


def refuse_wide(path: Path, width: int) -> None:
    """Refuse a table with more columns than ``MAX_COLUMNS``."""
    from surveyor.inputs.limits import MAX_COLUMNS

    if width > MAX_COLUMNS:
        raise SurveyorError(
            f"{path}: its header has {width:,} columns or more, beyond surveyor's limit of "
            f"{MAX_COLUMNS:,}; keep the identifier columns and the item columns (delete the "
            "others) and try again"
        )


def _read_csv(path: Path, source: _CsvText, instrument: Instrument) -> _Table:
    import numpy as np
    import pandas as pd

    body, encoding, problems = source.body, source.encoding, source.problems
    if source.leading < 0:
        return _Table([], None, np.empty(0, np.int64), 0, encoding, problems)
    delimiter, lines, leading = source.delimiter, source.lines, source.leading

    # Item columns are read as categories: the parser then hashes each distinct answer
    # once, which is what the scale mapping needs, and no string object per cell is built.
    dtypes: dict[int, Any] = {}
    try:
        header = next(csv.reader(io.StringIO("\n".join(lines[leading:])), delimiter=delimiter))
    except (csv.Error, StopIteration):
        header = []
    items = {item_id.casefold() for item_id in instrument.item_ids}
    for position, name in enumerate(header):
        dtypes[position] = "category" if column_key(name) in items else str
    options: dict[str, Any] = dict(
        sep=delimiter, header=None, dtype=dtypes or str, na_filter=False,
        skip_blank_lines=False, skiprows=leading, encoding="utf-8", engine="c",
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            cells = pd.read_csv(io.BytesIO(body), on_bad_lines="warn", **options)
        widths = [int(n) for w in caught for n in re.findall(r"saw (\d+)", str(w.message))]
        n_header_fields = cells.shape[1]
        if widths:
            # Re-read wide enough for every row so row numbers stay exact; the extra
            # values are reported per row by _validate.
            width = max(widths)
            options["dtype"] = {i: dtypes.get(i, str) for i in range(width)}
            cells = pd.read_csv(io.BytesIO(body), names=list(range(width)), **options)
    except pd.errors.ParserError as exc:
        raise ResponsesError(str(path), problems + [_parser_problem(str(exc))]) from exc
    rows = np.arange(len(cells), dtype=np.int64) + leading + 1
    return _split_header(cells, rows, n_header_fields, encoding, problems)


def _parser_problem(message: str) -> Problem:
    match = re.search(r"EOF inside string starting at row (\d+)", message)
    if match:
        # The parser counts records from 0, including the blank lines it was told to skip.
        row = int(match.group(1)) + 1
        return Problem(
            f"row {row}",
            "a quoted value starts here and is never closed; look for an unmatched double "
            "quote (\")",
        )
    return Problem("", f"the file cannot be read as CSV ({message.split('C error: ')[-1]})")


def _read_xlsx(path: Path, raw: bytes) -> _Table:
    import numpy as np
    import pandas as pd

    from surveyor.inputs.workbook import read_sheet

    grid = read_sheet(path, raw)
    width = max((len(row) for row in grid), default=0)
    if width == 0:
        return _Table([], None, np.empty(0, np.int64), 0, None, [])
    cells = pd.DataFrame(grid, dtype=object)
    rows = np.arange(1, len(grid) + 1, dtype=np.int64)
    return _split_header(cells, rows, width, None, [])


def _split_header(cells, rows, n_header_fields, encoding, problems) -> _Table:
    """Take the first non-empty row as the header and the rows below it as data."""
    import numpy as np

    header_at = None
    for i in range(len(cells)):
        if any(str(v).strip() for v in cells.iloc[i].tolist()):
            header_at = i
            break
    if header_at is None:
        return _Table([], None, np.empty(0, np.int64), 0, encoding, problems)
    header = [str(v) for v in cells.iloc[header_at].tolist()]
    data = cells.iloc[header_at + 1 :]
    return _Table(header, data, rows[header_at + 1 :], n_header_fields, encoding, problems)


def column_key(name: str) -> str:
    """A header as it is matched: case and surrounding spaces ignored, British spelling
    of ``organisation`` accepted."""
    key = str(name).strip().casefold()
    return COLUMN_ALIASES.get(key, key)
