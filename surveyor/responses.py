"""Responses files: read a CSV or Excel file of answers and check it against an instrument.

``read_responses`` returns a :class:`Responses` holding one row per respondent with the raw
scale codes, or raises :class:`~surveyor.errors.ResponsesError` listing every problem in the
file at once (``row 14, column pe3: '7' is not on the scale 1-5 ...``), so a consultant can
fix the file in one pass.

Row numbers are the ones a consultant sees when the file is open in a spreadsheet: the
header is row 1 and the first response row 2. In a CSV file a row is a *record*: a quoted
value that spans several lines still counts as one row, as Excel shows it, so after such a
value the numbers run behind a text editor's line numbers. In an .xlsx file they are the
sheet's own row numbers, blank rows included.

The work is vectorised so large exports stay fast: each column's distinct values are
mapped to scale codes once, and problems are built only for the cells that have one. A
plain, valid CSV file (no quotes, no blank or ragged rows, nothing to report but warnings)
is read by ``surveyor.fast_csv`` instead, with the same result; anything else, and every
error, comes from the careful reader here.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem, ResponsesError, SurveyorError
from .files import read_input

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .instrument import Instrument, Scale

ID_COLUMNS = ("respondent_id", "organization", "set")
WAVE = "wave"
COLUMN_ALIASES = {"organisation": "organization"}
DELIMITERS = ",;\t"
SNIFF_CHARS = 64 * 1024
# Beyond this many row-level problems the rest are counted, not listed: a file coded on the
# wrong scale would otherwise build millions of messages nobody reads.
MAX_ROW_PROBLEMS = 10_000
# What people type for "no answer". Never silently treated as missing (a typo for a label
# must not vanish), but the error message then says how to mark an unanswered item.
NA_LIKE = frozenset(
    {"na", "n/a", "n.a.", "nan", "none", "null", "-", "--", ".", "?", "dk", "missing",
     "not applicable", "don't know", "dont know", "unknown"}
)
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
class Responses:
    """A validated responses file.

    ``frame`` is indexed by the row number as the consultant sees it in the file and holds
    ``respondent_id``, ``organization``, ``set`` (and ``wave`` when the file has it) as text,
    then one float64 column per instrument item, in instrument order, with the raw scale
    codes (not reverse-keyed) and NaN for unanswered items.
    """

    frame: pd.DataFrame
    source: Path
    sha256: str
    format: str
    encoding: str | None
    warnings: list[Problem] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    has_wave: bool = False


@dataclass
class _Table:
    """The raw grid of a file: header texts, data cells as text, each data row's number."""

    header: list[str]
    cells: pd.DataFrame | None  # positional columns of text; None for an empty file
    rows: np.ndarray  # row number in the file of each row of ``cells``
    n_header_fields: int  # fields in the header record; wider rows are padded beyond it
    encoding: str | None
    problems: list[Problem]


# --------------------------------------------------------------------------- reading


def read_responses(path: str | Path, instrument: Instrument) -> Responses:
    """Read a CSV or .xlsx responses file and check it against ``instrument``.

    Parameters
    ----------
    path
        A CSV file (UTF-8 with or without BOM, or Windows-1252; delimiter ``,``, ``;`` or
        tab, detected) or an .xlsx workbook (first sheet). Columns ``respondent_id``,
        ``organization`` (or ``organisation``), ``set``, optionally ``wave``, then one per
        item id; names match ignoring case and surrounding spaces.
    instrument
        The instrument whose items and response scale the file must follow.

    Returns
    -------
    Responses
        The responses with their row numbers, the file's sha256, and any warnings (ignored
        columns, skipped empty rows, names differing only in case or spacing, respondents
        who answered no item).

    Raises
    ------
    ResponsesError
        Listing every problem found, each with its row and column.
    SurveyorError
        When the file is missing, a folder, unreadable, or not a CSV or .xlsx file.

    Notes
    -----
    A value is a scale code (``4``, ``" 4 "``, ``4.0``), a scale label in any case and
    spacing (``strongly  agree``), or empty or one of the scale's ``missing`` options,
    both read as unanswered (NaN). ``NA`` and similar texts are errors, never silently
    missing. A respondent id may repeat only across waves.
    """
    path = Path(path)
    raw = _read_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    fmt, notes = _detect_format(path, raw)
    if fmt == "xlsx":
        table = _read_xlsx(path, raw)
    else:
        source = _csv_text(path, raw)
        fast = _read_plain_csv(source, instrument)
        if fast is not None:
            frame, found = fast
            return _responses(path, frame, notes + found, digest, fmt, source.encoding, [])
        table = _read_csv(path, source, instrument)
    problems = notes + table.problems
    if table.cells is None:
        problems.append(Problem("", "the file is empty; export the responses again"))
        raise ResponsesError(str(path), problems)
    return _validated(path, table, instrument, problems, digest, fmt)


def responses_from_table(table, instrument: Instrument, source: str | Path) -> Responses:
    """Validate a survey-tool export already turned into the canonical table.

    Parameters
    ----------
    table
        A ``surveyor.exports.CanonicalTable``: text cells under canonical column names,
        each row's number in the export, and the export header each column came from.
    instrument
        The instrument the answers must follow.
    source
        The export file, for its sha256 and for messages.

    Returns
    -------
    Responses
        As ``read_responses``; messages name the export's own column, e.g.
        ``row 5, column 'Q5_1' (a1)``.
    """
    import numpy as np

    path = Path(source)
    digest = hashlib.sha256(_read_bytes(path)).hexdigest()
    header = [str(c) for c in table.frame.columns]
    cells = table.frame.copy()
    cells.columns = range(len(header))
    grid = _Table(header, cells, np.asarray(table.rows, dtype=np.int64), len(header), None, [])
    problems: list[Problem] = [Problem("", note, severity="warning") for note in table.notes]
    if cells.empty:
        problems.append(Problem("", "the export holds no responses; check its filters"))
        raise ResponsesError(str(path), problems)
    return _validated(path, grid, instrument, problems, digest, table.format, table.columns)


def _validated(
    path: Path,
    table: _Table,
    instrument: Instrument,
    problems: list[Problem],
    digest: str,
    fmt: str,
    export_columns: dict[str, str] | None = None,
) -> Responses:
    """Validate a grid; raise with every problem, or return the Responses."""
    frame, skipped = _validate(table, instrument, problems)
    if export_columns is not None:
        problems = [_export_column(p, export_columns) for p in problems]
    return _responses(path, frame, problems, digest, fmt, table.encoding, skipped)


def _responses(
    path: Path,
    frame: pd.DataFrame,
    problems: list[Problem],
    digest: str,
    fmt: str,
    encoding: str | None,
    skipped: list[int],
) -> Responses:
    """Raise with every problem if any is an error, else return the Responses."""
    if any(p.severity == "error" for p in problems):
        raise ResponsesError(str(path), problems)
    return Responses(
        frame=frame,
        source=path,
        sha256=digest,
        format=fmt,
        encoding=encoding,
        warnings=[p for p in problems if p.severity == "warning"],
        skipped_rows=skipped,
        has_wave=WAVE in frame.columns,
    )


def _read_plain_csv(
    source: _CsvText, instrument: Instrument
) -> tuple[pd.DataFrame, list[Problem]] | None:
    """The fast reader's frame and problems, or None when the careful reader must run."""
    from .fast_csv import read_plain

    if source.leading != 0:
        return None
    return read_plain(source.body, source.delimiter, instrument, list(source.problems))


def _export_column(problem: Problem, columns: dict[str, str]) -> Problem:
    """Name the export's column beside the canonical one in a problem's location."""
    match = re.search(r"column (\S+)$", problem.location)
    if not match or columns.get(match.group(1), match.group(1)) == match.group(1):
        return problem
    name = match.group(1)
    location = problem.location[: match.start()] + f"column '{columns[name]}' ({name})"
    return Problem(location, problem.message, problem.severity)


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
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
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
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-delimited.
        text = raw.decode("utf-16")
        return text, text.encode("utf-8"), "utf-16", []
    body, encoding = (raw[3:], "utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" else (raw, "utf-8")
    if b"\x00" in body[:8192]:
        raise SurveyorError(f"{path}: is a binary file, not a CSV or .xlsx file")
    try:
        return body.decode("utf-8"), body, encoding, []
    except UnicodeDecodeError:
        pass
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SurveyorError(
            f"{path}: is neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
            "save it as 'CSV UTF-8'"
        ) from exc
    warning = Problem(
        "file",
        "is not UTF-8, so it was read as Windows-1252 (Western European); check that "
        "accented names look right, or save it as 'CSV UTF-8'",
        severity="warning",
    )
    return text, text.encode("utf-8"), "cp1252", [warning]


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
    return _CsvText(body, encoding, problems, delimiter, lines, leading)


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
    items = set(instrument.item_ids)
    for position, name in enumerate(header):
        dtypes[position] = "category" if _column_key(name) in items else str
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
    import openpyxl
    import pandas as pd

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SurveyorError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        # Some writers store a wrong sheet size; forgetting it makes openpyxl read every cell.
        sheet.reset_dimensions()
        grid = [
            [_cell_text(v) for v in row]
            for row in sheet.iter_rows(min_row=1, values_only=True)
        ]
    except Exception as exc:
        raise SurveyorError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
    finally:
        workbook.close()
    width = max((len(row) for row in grid), default=0)
    if width == 0 or not any(cell.strip() for row in grid for cell in row):
        return _Table([], None, np.empty(0, np.int64), 0, None, [])
    grid = [row + [""] * (width - len(row)) for row in grid]
    cells = pd.DataFrame(grid, dtype=object)
    rows = np.arange(1, len(grid) + 1, dtype=np.int64)
    return _split_header(cells, rows, width, None, [])


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold (4.0 reads as '4')."""
    from .export_files import cell_text

    return cell_text(value)


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


# ------------------------------------------------------------------------ validation


def _column_key(name: str) -> str:
    key = str(name).strip().casefold()
    return COLUMN_ALIASES.get(key, key)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _factorize(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of a column; a trailing '' stands for code -1."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    # Every cell was read as text, so the distinct values are str already.
    return codes, [*uniques.tolist(), ""]


def _validate(
    table: _Table, instrument: Instrument, problems: list[Problem]
) -> tuple[pd.DataFrame, list[int]]:
    """Check the grid; append problems; return the frame and the skipped empty rows."""
    import numpy as np

    layout = _resolve_columns(table.header, instrument, problems)
    cells, rows = table.cells, table.rows
    factorized: dict[int, tuple[np.ndarray, list[str]]] = {}

    def column(position: int) -> tuple[np.ndarray, list[str]]:
        if position not in factorized:
            factorized[position] = _factorize(cells.iloc[:, position])
        return factorized[position]

    stripped_columns: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def stripped(position: int) -> tuple[np.ndarray, np.ndarray]:
        if position not in stripped_columns:
            stripped_columns[position] = _stripped(*column(position))
        return stripped_columns[position]

    def empty_mask(position: int) -> np.ndarray:
        codes, distinct = stripped(position)
        return (distinct == "")[codes]

    # A fully empty row is skipped: first test the columns in use, then the rest only on
    # the few rows that are still candidates.
    used = sorted(set(layout.values()))
    empty = np.ones(len(cells), dtype=bool)
    for position in used:
        empty &= empty_mask(position)
    others = [p for p in range(cells.shape[1]) if p not in set(used)]
    candidates = np.flatnonzero(empty)
    for position in others:
        if not len(candidates):
            break
        codes, uniques = _factorize(cells.iloc[candidates, position])
        still = np.array([not u.strip() for u in uniques])[codes]
        empty[candidates[~still]] = False
        candidates = candidates[still]
    keep = ~empty
    skipped = rows[empty].tolist()
    if skipped:
        problems.append(
            Problem(_rows_location(skipped), "is empty and was skipped" if len(skipped) == 1
                    else "are empty and were skipped", severity="warning")
        )
    rows = rows[keep]
    n = len(rows)
    if n == 0:
        problems.append(
            Problem("", "the file has a header row but no responses below it")
        )

    entries: list[tuple[np.ndarray, int, Callable[[int], Problem]]] = []
    _check_unnamed(table, cells, keep, rows, layout, problems, entries)

    # Text columns as (codes, distinct values with surrounding spaces stripped).
    text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    text_columns = ID_COLUMNS + ((WAVE,) if WAVE in layout else ())
    for name in text_columns:
        if name not in layout:
            continue
        position = layout[name]
        codes, distinct = stripped(position)
        codes = codes[keep]
        text[name] = codes, distinct
        blank = np.flatnonzero((distinct == "")[codes])
        if len(blank):
            where = f"column {table.header[position].strip()}"
            entries.append((blank, position, _blank_factory(rows, where, name)))
    if "respondent_id" in text:
        _check_duplicates(text, layout, rows, table.header, entries)
    _check_name_variants(text, rows, problems)

    scale = instrument.scale
    lookup = _scale_lookup(scale)
    values = np.full((n, len(instrument.items)), np.nan, order="F")
    row_bad = np.zeros(n, dtype=bool)
    messages: dict[str, str] = {}
    for j, item in enumerate(instrument.items):
        if item.id not in layout:
            continue
        position = layout[item.id]
        codes, uniques = column(position)
        mapped = np.array([_map_value(u, lookup, scale) for u in uniques])
        kept = codes[keep]
        values[:, j] = mapped[kept]
        bad_unique = np.isinf(mapped)
        if not bad_unique.any():
            continue
        bad = np.flatnonzero(bad_unique[kept])
        if not len(bad):
            continue
        values[bad, j] = np.nan
        row_bad[bad] = True
        for u in np.flatnonzero(bad_unique):
            messages.setdefault(uniques[u], _bad_value_message(uniques[u], scale))
        where = f"column {table.header[position].strip()}"
        entries.append((bad, position, _bad_value_factory(rows, kept, uniques, where, messages)))

    problems.extend(_row_problems(entries))
    no_answer = np.isnan(values).all(axis=1) & ~row_bad if n else np.zeros(0, bool)
    problems.extend(_no_answer_problems(rows, no_answer))
    return _frame(text, text_columns, values, instrument, rows), skipped


def _no_answer_problems(rows: np.ndarray, no_answer: np.ndarray) -> list[Problem]:
    """The warning naming the respondents who answered no item (kept, without scores)."""
    if not no_answer.any():
        return []
    listed = rows[no_answer].tolist()
    return [
        Problem(
            _rows_location(listed),
            "no item answered: kept, but these respondents get no scores"
            if len(listed) > 1 else "no item answered: kept, but this respondent gets no "
            "scores",
            severity="warning",
        )
    ]


def _frame(text, text_columns, values, instrument: Instrument, rows) -> pd.DataFrame:
    """The responses frame: text columns from (codes, distinct values), then the items."""
    import numpy as np
    import pandas as pd

    n = len(rows)
    # ``values`` is Fortran-ordered, so its transpose is the item block pandas keeps: the
    # frame wraps it without copying a million rows.
    frame = pd.DataFrame(
        values, index=pd.Index(rows, name="row"), columns=instrument.item_ids, copy=False
    )
    for name in reversed(text_columns):
        column = text[name][1][text[name][0]] if name in text else np.full(n, "", dtype=object)
        frame.insert(0, name, column)
    return frame


def _resolve_columns(
    header: list[str], instrument: Instrument, problems: list[Problem]
) -> dict[str, int]:
    """Map each known column to its position; report missing, repeated and ignored ones."""
    wanted = list(ID_COLUMNS) + [WAVE] + instrument.item_ids
    found: dict[str, list[int]] = {}
    ignored: list[int] = []
    for position, name in enumerate(header):
        key = _column_key(name)
        if key in wanted:
            found.setdefault(key, []).append(position)
        elif name.strip():
            ignored.append(position)
    for key in wanted:
        positions = found.get(key, [])
        if len(positions) > 1:
            spelled = " and ".join(f"'{header[p]}' (column {p + 1})" for p in positions)
            problems.append(
                Problem("header", f"column '{key}' appears {len(positions)} times: {spelled}; "
                        "keep one")
            )
    unused = {_loose(header[p]): header[p] for p in ignored}
    for key in ID_COLUMNS:
        if key not in found:
            problems.append(
                Problem("header", f"no '{key}' column{_rename_hint(key, unused)}; the file "
                        "needs columns respondent_id, organization and set, then one per item")
            )
    missing = [item for item in instrument.item_ids if item not in found]
    if missing:
        hints = "".join(_rename_hint(item, unused) for item in missing)
        if len(missing) == len(instrument.item_ids):
            what = (
                f"none of the item columns of instrument '{instrument.id}' "
                f"({', '.join(missing)}) were found{hints}; is this the right instrument?"
            )
        else:
            what = (
                f"missing item column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
                f"{hints}; instrument '{instrument.id}' needs one column per item"
            )
        problems.append(Problem("header", what))
    if ignored:
        names = ", ".join(f"'{header[p].strip()}'" for p in ignored)
        problems.append(
            Problem("header", f"columns not in the instrument are ignored: {names}",
                    severity="warning")
        )
    return {key: positions[0] for key, positions in found.items()}


def _loose(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().casefold())


def _rename_hint(key: str, unused: dict[str, str]) -> str:
    match = difflib.get_close_matches(key, list(unused), n=1, cutoff=0.8)
    return f" (is '{unused[match[0]].strip()}' meant to be {key}? rename it)" if match else ""


def _check_unnamed(table, cells, keep, rows, layout, problems, entries) -> None:
    """Report values in columns without a header name, and rows wider than the header."""
    import numpy as np

    taken = set(layout.values())
    unnamed_with_data = []
    for position, name in enumerate(table.header):
        if name.strip() or position in taken:
            continue
        codes, uniques = _factorize(cells.iloc[:, position])
        filled = np.array([bool(u.strip()) for u in uniques])[codes][keep]
        if not filled.any():
            continue
        if position < table.n_header_fields:
            unnamed_with_data.append(position + 1)
            continue
        wide = np.flatnonzero(filled)
        message = (
            f"has more values than the header has columns ({table.n_header_fields}); a value "
            "probably holds the delimiter: put it in double quotes, or remove the extra values"
        )
        entries.append((wide, position, lambda i, m=message: Problem(f"row {rows[i]}", m)))
    if unnamed_with_data:
        listed = ", ".join(str(p) for p in unnamed_with_data)
        problems.append(
            Problem("header", f"column{'s' if len(unnamed_with_data) > 1 else ''} {listed} "
                    "has no name; its values are ignored", severity="warning")
        )


def _blank_factory(rows, where: str, name: str) -> Callable[[int], Problem]:
    what = {
        "respondent_id": "respondent_id is empty; give every response an id (e.g. R001)",
        "organization": "organization is empty; every response needs its organization",
        "set": "set is empty; every response needs the action learning set it belongs to",
        WAVE: "wave is empty; fill it in, or delete the wave column if the file holds one wave",
    }[name]
    return lambda i: Problem(f"row {rows[i]}, {where}", what)


def _stripped(codes: np.ndarray, uniques: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Recode a column so values equal but for surrounding spaces share one code."""
    import numpy as np
    import pandas as pd

    stripped = [u.strip() for u in uniques]
    if stripped == uniques:
        return codes, np.array(stripped, dtype=object)
    recode, distinct = pd.factorize(np.array(stripped, dtype=object))
    return recode[codes], np.asarray(distinct, dtype=object)


def _first_positions(key: np.ndarray) -> np.ndarray:
    """For each position, the position where its key first occurs."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(key)
    firsts = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    first_of_code = np.empty(len(uniques), dtype=np.int64)
    first_of_code[codes[firsts]] = firsts
    return first_of_code[codes]


def _check_duplicates(text, layout, rows, header, entries) -> None:
    """A respondent id may appear once per wave; name the row that used it first."""
    import numpy as np
    import pandas as pd

    id_codes, ids = text["respondent_id"]
    key = id_codes.astype(np.int64)
    if WAVE in text:
        wave_codes, waves = text[WAVE]
        key = key * (len(waves) + 1) + wave_codes
    repeated = pd.Series(key).duplicated().to_numpy() & (ids != "")[id_codes]
    if not repeated.any():
        return
    first_of = _first_positions(key)
    repeats = np.flatnonzero(repeated)
    where = f"column {header[layout['respondent_id']].strip()}"

    def problem(i: int) -> Problem:
        wave = f" in wave '{text[WAVE][1][text[WAVE][0][i]]}'" if WAVE in text else ""
        return Problem(
            f"row {rows[i]}, {where}",
            f"'{ids[id_codes[i]]}' is also the respondent_id in row {rows[first_of[i]]}{wave}; "
            "each response needs a unique id: remove the repeated response or correct the id",
        )

    entries.append((repeats, layout["respondent_id"], problem))


def _check_name_variants(text, rows, problems) -> None:
    """Warn about organization (and, within one, set) names equal but for case or spacing."""
    import numpy as np
    import pandas as pd

    groups: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    orgs = None
    if "organization" in text:
        org_codes, orgs = text["organization"]
        for at in np.flatnonzero(~pd.Series(org_codes).duplicated().to_numpy()).tolist():
            name = orgs[org_codes[at]]
            if name:
                groups.setdefault(("organization", "", _norm(name)), []).append((name, rows[at]))
    if "set" in text:
        set_codes, sets = text["set"]
        # Sets are compared within their organization: "Set 1" may recur elsewhere.
        pairs = set_codes.astype(np.int64)
        if orgs is not None:
            pairs = org_codes.astype(np.int64) * len(sets) + pairs
        for at in np.flatnonzero(~pd.Series(pairs).duplicated().to_numpy()).tolist():
            org = orgs[org_codes[at]] if orgs is not None else ""
            name = sets[set_codes[at]]
            if name:
                groups.setdefault(("set", org, _norm(name)), []).append((name, rows[at]))
    for (what, org, _), members in groups.items():
        if len(members) < 2:
            continue
        within = f"in organization '{org}', " if org else ""
        spelled = " and ".join(f"'{name}' (row {row})" for name, row in members)
        problems.append(
            Problem(
                f"column {what}",
                f"{within}{spelled} differ only in case or spacing and are kept as different "
                f"{what}s; write them the same way if they are one {what}",
                severity="warning",
            )
        )


def _scale_lookup(scale: Scale) -> dict[str, float]:
    """Normalised text -> code: codes and labels map to their code, missing options to NaN."""
    lookup = {str(value): float(value) for value in scale.values}
    lookup.update({_norm(label): float(value) for label, value in zip(
        scale.labels, scale.values, strict=True)})
    lookup.update({_norm(option): math.nan for option in scale.missing})
    lookup[""] = math.nan
    return lookup


def _map_value(text: str, lookup: dict[str, float], scale: Scale) -> float:
    """A cell's code; NaN when unanswered; +inf marks a value that is not on the scale."""
    key = _norm(text)
    if key in lookup:
        return lookup[key]
    try:
        # Decimal commas come from European spreadsheets ("4,0").
        number = float(key.replace(",", "."))
    except ValueError:
        return math.inf
    if math.isfinite(number) and number.is_integer() and int(number) in scale.values:
        return number
    return math.inf


def _bad_value_message(text: str, scale: Scale) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    shown = shown.replace("\n", " ")
    base = f"'{shown}' is not on the scale {scale.min}-{scale.max} (or one of its labels)"
    key = _norm(text)
    try:
        float(key.replace(",", "."))
        numeric = True
    except ValueError:
        numeric = False
    if numeric and key not in ("nan", "inf", "-inf", "infinity"):
        return f"{base}; use a whole number from {scale.min} to {scale.max}, or leave it empty"
    if key in NA_LIKE:
        option = f", or write '{scale.missing[0]}'," if scale.missing else ""
        return f"{base}; leave the cell empty{option} for an unanswered item"
    labels = {_norm(label): label for label in scale.labels}
    labels.update({_norm(option): option for option in scale.missing})
    close = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.75)
    if close:
        return f"{base}; did you mean '{labels[close[0]]}'?"
    return (
        f"{base}; use a number from {scale.min} to {scale.max}, a label such as "
        f"'{scale.labels[-1]}', or leave it empty"
    )


def _bad_value_factory(rows, kept, uniques, where, messages) -> Callable[[int], Problem]:
    return lambda i: Problem(f"row {rows[i]}, {where}", messages[uniques[kept[i]]])


def _row_problems(entries) -> list[Problem]:
    """Build the row-level problems in file order (row, then column), up to the cap."""
    import numpy as np

    if not entries:
        return []
    positions = np.concatenate([e[0] for e in entries])
    columns = np.concatenate([np.full(len(e[0]), e[1]) for e in entries])
    owners = np.concatenate([np.full(len(e[0]), k) for k, e in enumerate(entries)])
    order = np.lexsort((columns, positions))
    listed = order[:MAX_ROW_PROBLEMS]
    problems = [entries[owners[k]][2](int(positions[k])) for k in listed.tolist()]
    if len(order) > MAX_ROW_PROBLEMS:
        problems.append(
            Problem("", f"{len(order) - MAX_ROW_PROBLEMS:,} more problems in later rows are "
                    "not listed; fix the ones above (or check the file uses this instrument's "
                    "scale) and run again")
        )
    return problems


def _rows_location(rows: list[int], limit: int = 20) -> str:
    """'row 5' or 'rows 5, 9, 12-14' (runs joined, long lists cut with a count)."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in runs]
    text = ", ".join(parts[:limit])
    if len(parts) > limit:
        text += f" and {len(rows) - sum(b - a + 1 for a, b in runs[:limit]):,} more"
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {text}"
