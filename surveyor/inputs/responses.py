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
is read by ``surveyor.inputs.fast_csv`` instead, with the same result; anything else, and every
error, comes from the careful reader here.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError, printable
from surveyor.inputs.response_files import (
    _column_key,
    _csv_text,
    _CsvText,
    _detect_format,
    _read_bytes,
    _read_csv,
    _read_xlsx,
    _Table,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.instrument.model import Instrument, Scale

ID_COLUMNS = ("respondent_id", "organization", "set")
WAVE = "wave"
# Beyond this many row-level problems the rest are counted, not listed: a file coded on the
# wrong scale would otherwise build millions of messages nobody reads.
MAX_ROW_PROBLEMS = 10_000
# Ignored columns named in the warning; the rest are counted.
IGNORED_LISTED = 20
# What people type for "no answer". Never silently treated as missing (a typo for a label
# must not vanish), but the error message then says how to mark an unanswered item.
NA_LIKE = frozenset(
    {"na", "n/a", "n.a.", "nan", "none", "null", "-", "--", ".", "?", "dk", "missing",
     "not applicable", "don't know", "dont know", "unknown"}
)
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
        A ``surveyor.inputs.exports.CanonicalTable``: text cells under canonical column names,
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
    from surveyor.inputs.exports import no_responses_left, reading_notes

    problems: list[Problem] = [Problem("", note, severity="warning") for note in table.notes]
    notes = reading_notes(table.format, table.notes)
    if cells.empty:
        raise ResponsesError(str(path), [*problems, no_responses_left(table.notes)],
                             notes=notes)
    try:
        return _validated(path, grid, instrument, problems, digest, table.format, table.columns)
    except ResponsesError as exc:
        raise ResponsesError(str(path), exc.problems, notes=notes) from None


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
    from surveyor.inputs.fast_csv import read_plain

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


# ------------------------------------------------------------------------ validation


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
        where = f"column {table.header[position].strip()}"
        codes, distinct = check_names(codes, distinct, rows, where, name, problems)
        text[name] = codes, distinct
        blank = np.flatnonzero((distinct == "")[codes])
        if len(blank):
            entries.append((blank, position, _blank_factory(rows, where, name)))
    if "respondent_id" in text:
        _check_duplicates(text, layout, rows, table.header, entries)
    _check_name_variants(text, rows, problems)

    scale = instrument.scale
    lookup = _scale_lookup(scale)
    values = np.full((n, len(instrument.items)), np.nan, order="F")
    row_bad = np.zeros(n, dtype=bool)
    messages: dict[str, str] = {}
    summaries: list[Problem] = []
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
        counts = np.bincount(kept[bad], minlength=len(uniques))
        summary = _off_scale_summary(where, uniques, counts, scale)
        if summary is not None:
            summaries.append(summary)

    problems.extend(_row_problems(entries))
    problems.extend(summaries)
    no_answer = np.isnan(values).all(axis=1) & ~row_bad if n else np.zeros(0, bool)
    problems.extend(_no_answer_problems(rows, no_answer))
    return _frame(text, text_columns, values, instrument, rows), skipped


def check_names(
    codes: np.ndarray,
    distinct: np.ndarray,
    rows: np.ndarray,
    where: str,
    name: str,
    problems: list[Problem],
) -> tuple[np.ndarray, np.ndarray]:
    """Normalise an organization or set column (``surveyor.inputs.names``), warn about the
    spellings that became one, and report every name or id longer than the limit.

    Returns the column's codes and distinct values after normalisation.
    """
    from surveyor.inputs.limits import MAX_NAME_CHARS
    from surveyor.inputs.names import normalise_codes, too_long

    if name in ("organization", "set"):
        old, old_codes = distinct, codes
        codes, distinct, merged = normalise_codes(codes, distinct)
        if merged:
            row_of = _first_rows(old_codes, rows)
            problems.extend(_merge_warnings(old, merged, row_of, where, name))
    long = too_long(distinct)
    if long:
        row_of = _first_rows(codes, rows)
        what = {"respondent_id": "an id", "organization": "an organization name"}.get(
            name, f"a {name} name")
        for index in (i for i in long if i in row_of):
            problems.append(Problem(
                f"row {row_of[index]}, {where}",
                f"'{distinct[index][:40]}...' is {len(distinct[index]):,} characters long, "
                f"more than the limit of {MAX_NAME_CHARS} for {what}; shorten it (and every "
                "row that repeats it)",
            ))
    return codes, distinct


def _first_rows(codes: np.ndarray, rows: np.ndarray) -> dict[int, int]:
    """Each code that occurs, with the row number where it first occurs."""
    import pandas as pd

    first = pd.Series(codes).drop_duplicates()
    return dict(zip(first.to_numpy().tolist(), rows[first.index.to_numpy()].tolist(),
                    strict=True))


def _visible(name: str) -> str:
    """A name with its combining marks, control and invisible characters escaped, so that
    'E\\u0301quipe' (NFD) shows how it differs from 'Équipe' (NFC), in the manifest too."""
    import unicodedata

    marked = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Mn" else c
                     for c in name)
    return printable(marked, newlines=False)


def _merge_warnings(old, merged, row_of, where: str, name: str) -> list[Problem]:
    from surveyor.inputs.names import normalise_name

    found = []
    for members in merged:
        members = sorted((m for m in members if m in row_of), key=row_of.__getitem__)
        if len(members) < 2:
            continue
        spelled = " and ".join(f"'{_visible(old[m])}' (row {row_of[m]})" for m in members)
        found.append(Problem(
            where,
            f"{spelled} differ only in spacing, invisible characters or how accents are "
            f"encoded, and are read as one {name}, '{normalise_name(old[members[0]])}'",
            severity="warning",
        ))
    return found


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
    # Headers match ignoring case; an item keeps the instrument's spelling (A1, Q5_1).
    spelled = {name.casefold(): name for name in wanted}
    found: dict[str, list[int]] = {}
    ignored: list[int] = []
    for position, name in enumerate(header):
        key = spelled.get(_column_key(name))
        if key is not None:
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
        names = ", ".join(f"'{header[p].strip()[:60]}'" for p in ignored[:IGNORED_LISTED])
        if len(ignored) > IGNORED_LISTED:
            names += f" and {len(ignored) - IGNORED_LISTED:,} more"
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
                f"{within}{spelled} differ only in case and are kept as different "
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
    shown = printable(text if len(text) <= 40 else text[:37] + "...", newlines=False)
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


# A column with this many rows off the scale gets one line summing them up.
SUMMARY_FROM = 3


def _off_scale_summary(where: str, uniques, counts, scale: Scale) -> Problem | None:
    """One line per column: each value off the scale and how often, with what to do."""
    total = int(counts.sum())
    numeric = any(c and re.fullmatch(r"\s*[+-]?\d+\s*", uniques[u])
                  for u, c in enumerate(counts.tolist()))
    if total < SUMMARY_FROM or not numeric:
        return None
    order = sorted(((int(c), uniques[u]) for u, c in enumerate(counts.tolist()) if c),
                   key=lambda pair: (-pair[0], pair[1]))
    listed = ", ".join(
        f"'{printable(value[:20], newlines=False)}' ({count} row{'s' if count > 1 else ''})"
        for count, value in order[:8])
    more = f" and {len(order) - 8} more values" if len(order) > 8 else ""
    return Problem(where, (
        f"{total} values are off the scale {scale.min}-{scale.max}: {listed}{more}; if the "
        "survey tool codes its answers differently, give a mapping with a recode table "
        "(`surveyor mapping init` suggests one)"), severity="note")


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
