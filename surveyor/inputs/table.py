"""Step 2 of the input stage: bytes to a decoded table of text cells.

One decoder (:func:`surveyor.inputs.text.decode`: encodings, BOM, NUL characters) and one
delimiter sniffer serve every format. A table comes out in one of two shapes:

- :func:`csv_table` / :func:`xlsx_table`, the positional frame of text cells the
  canonical reader validates (item columns parsed as categories, so each distinct answer
  is hashed once; row numbers as a spreadsheet shows them; ragged rows kept);
- :func:`grid`, all records as lists of text, for a survey-tool export whose header rows
  must be understood first (:mod:`surveyor.inputs.exports`).

:func:`head` parses only the first records, enough to recognise the format.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveyor.errors import Problem, ResponsesError, SurveyorError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.inputs.source import Source
    from surveyor.instrument.model import Instrument

COLUMN_ALIASES = {"organisation": "organization"}
DELIMITERS = (",", ";", "\t")
SNIFF_CHARS = 64 * 1024
SNIFF_RECORDS = 20
# Recognising a format needs only the header rows; a national file is not parsed twice.
HEAD_CHARS = 256 * 1024


@dataclass
class Table:
    """The raw grid of a file: header texts, data cells as text, each data row's number."""

    header: list[str]
    cells: pd.DataFrame | None  # positional columns of text; None for an empty file
    rows: np.ndarray  # row number in the file of each row of ``cells``
    n_header_fields: int  # fields in the header record; wider rows are padded beyond it
    encoding: str | None
    problems: list[Problem]



def sniff_delimiter(text: str) -> str:
    """The delimiter among ``,`` ``;`` and tab that splits the first records most evenly.

    Notes
    -----
    Each candidate parses the first records with quoting honoured; the right delimiter
    gives every record the same number of fields (more than one). Counting characters in
    the header alone would be misled by commas inside quoted question texts, and a
    Sniffer by decimal commas in a ``;`` file. The one sniffer for every format.
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
        if not widths or widths[0] < 2:
            continue  # it does not split the first record: no candidate (',' is the default)
        width = widths[0]
        score = (width > 1, sum(w == width for w in widths) / len(widths), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def grid(source: Source) -> list[list[str]]:
    """All rows of a file as text, row i being row i + 1 of the file; parsed once.

    A workbook is read from its first sheet, an SPSS file as variable names, variable
    labels, then its cases (:mod:`surveyor.inputs.platforms.spss`); a text file is decoded
    once (``source.decoded()``) and parsed with quoting honoured.
    """
    if source.rows is None:
        if source.kind == "xlsx":
            from surveyor.inputs.workbook import read_sheet

            source.rows = read_sheet(source.path, source.raw)
        elif source.kind == "spss":
            from surveyor.inputs.platforms.spss import read_sav_grid

            source.rows = read_sav_grid(source.path)
        else:
            try:
                source.rows = parse_delimited(source.decoded().text)
            except SurveyorError as exc:
                raise SurveyorError(f"{source.path}: {exc}") from exc
    return source.rows


def head(source: Source) -> list[list[str]]:
    """The first records of a file, enough to recognise its format from the header rows.

    A text file's first ``HEAD_CHARS`` characters are parsed (up to its last complete
    line), so a national file is not parsed twice; a workbook is read whole.
    """
    text = source.decoded().text if source.kind == "text" else ""
    cut = text.rfind("\n", 0, HEAD_CHARS) if len(text) > HEAD_CHARS else -1
    if cut <= 0:
        return grid(source)
    text = text[: cut + 1]
    try:
        return parse_delimited(text)
    except SurveyorError:
        return grid(source)  # a quoted value open across the cut: the whole file


def parse_delimited(text: str) -> list[list[str]]:
    """Records of a delimited text: CRLF or LF, quoted delimiters and newlines kept in cells.

    Each record is one row, as a spreadsheet numbers it, even when a quoted cell spans
    several lines.
    """
    delimiter = sniff_delimiter(text[:SNIFF_CHARS])
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise SurveyorError(f"the file cannot be read as CSV ({exc})") from exc


@dataclass
class CsvText:
    """A CSV file decoded and sniffed, ready for either parser."""

    body: bytes  # UTF-8 without BOM, what the parsers read
    encoding: str
    problems: list[Problem]
    delimiter: str
    lines: list[str]  # the sniffed sample, split into lines
    leading: int  # blank lines before the header; -1 when the file is blank


def csv_text(source: Source) -> CsvText:
    """Decode and sniff a CSV file once, for the fast reader and then the careful one."""
    path = source.path
    decoded = source.decoded()
    text, encoding = decoded.text, decoded.encoding
    # Plain UTF-8 goes to the parser as it came, without a copy of a large file.
    body = source.raw if encoding == "utf-8" else text.encode("utf-8")
    problems = [Problem("file", note, severity="warning") for note in decoded.notes]
    # Tests on the start of the text only: stripping a copy of a large file costs time.
    if not text or text.isspace():
        return CsvText(body, encoding, problems, ",", [], -1)
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
    delimiter = sniff_delimiter(sample)
    lines = sample.splitlines()
    leading = next((i for i, line in enumerate(lines) if line.strip()), 0)
    refuse_wide(path, len(next(csv.reader([lines[leading] if lines else ""], delimiter=delimiter),
                               [])))
    return CsvText(body, encoding, problems, delimiter, lines, leading)


def refuse_wide(path: Path, width: int) -> None:
    """Refuse a table with more columns than ``MAX_COLUMNS``."""
    from surveyor.inputs.limits import MAX_COLUMNS

    if width > MAX_COLUMNS:
        raise SurveyorError(
            f"{path}: its header has {width:,} columns or more, beyond surveyor's limit of "
            f"{MAX_COLUMNS:,}; keep the identifier columns and the item columns (delete the "
            "others) and try again"
        )


def csv_table(path: Path, source: CsvText, instrument: Instrument) -> Table:
    """The careful parse of a CSV file: every record, ragged or quoted, as text cells."""
    import numpy as np
    import pandas as pd

    body, encoding, problems = source.body, source.encoding, source.problems
    if source.leading < 0:
        return Table([], None, np.empty(0, np.int64), 0, encoding, problems)
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
            # values are reported per row by the validator.
            width = max(widths)
            options["dtype"] = {i: dtypes.get(i, str) for i in range(width)}
            cells = pd.read_csv(io.BytesIO(body), names=list(range(width)), **options)
    except pd.errors.ParserError as exc:
        raise ResponsesError(str(path), problems + [parser_problem(str(exc))]) from exc
    rows = np.arange(len(cells), dtype=np.int64) + leading + 1
    return split_header(cells, rows, n_header_fields, encoding, problems)


def parser_problem(message: str) -> Problem:
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


def xlsx_table(source: Source) -> Table:
    """A workbook's first sheet as text cells, numbered as its rows."""
    import numpy as np
    import pandas as pd

    sheet = grid(source)
    width = max((len(row) for row in sheet), default=0)
    if width == 0:
        return Table([], None, np.empty(0, np.int64), 0, None, [])
    cells = pd.DataFrame(sheet, dtype=object)
    rows = np.arange(1, len(sheet) + 1, dtype=np.int64)
    return split_header(cells, rows, width, None, [])


def split_header(cells, rows, n_header_fields, encoding, problems) -> Table:
    """Take the first non-empty row as the header and the rows below it as data."""
    import numpy as np

    header_at = None
    for i in range(len(cells)):
        if any(str(v).strip() for v in cells.iloc[i].tolist()):
            header_at = i
            break
    if header_at is None:
        return Table([], None, np.empty(0, np.int64), 0, encoding, problems)
    header = [str(v) for v in cells.iloc[header_at].tolist()]
    data = cells.iloc[header_at + 1 :]
    return Table(header, data, rows[header_at + 1 :], n_header_fields, encoding, problems)


def column_key(name: str) -> str:
    """A header as it is matched: case and surrounding spaces ignored, British spelling
    of ``organisation`` accepted."""
    key = str(name).strip().casefold()
    return COLUMN_ALIASES.get(key, key)
