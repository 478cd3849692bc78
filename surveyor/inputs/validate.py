"""Step 5 of the input stage: the one validator, a table of text to ``Responses``.

Every format arrives here as a :class:`~surveyor.inputs.table.Table` of text cells under
its column plan: the canonical table with the identity plan (its own headers, matched
ignoring case, ``organisation`` accepted), an export with the plan its mapping or the
automatic matching made (:mod:`surveyor.inputs.exports`). :func:`validate` returns a
:class:`Responses` holding one row per respondent with the raw scale codes, or raises
:class:`~surveyor.errors.ResponsesError` listing every problem at once (``row 14, column
pe3: '7' is not on the scale 1-5 ...``), so a consultant can fix the file in one pass.

Row numbers are the ones a consultant sees when the file is open in a spreadsheet: the
header is row 1 and the first response row 2. In a CSV file a row is a *record*: a quoted
value that spans several lines still counts as one row, as Excel shows it, so after such a
value the numbers run behind a text editor's line numbers. In an .xlsx file they are the
sheet's own row numbers, blank rows included; in an export, the export's.

The work is vectorised so large files stay fast: each column's distinct values are mapped
to scale codes once, and problems are built only for the cells that have one. The rules
themselves (names, scale values, column resolution) live in :mod:`surveyor.inputs.checks`,
which :mod:`surveyor.inputs.fast_csv`, the same checks done faster on a plain CSV file,
shares.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError, printable
from surveyor.inputs.checks import (
    ID_COLUMNS,
    WAVE,
    build_frame,
    check_name_variants,
    check_names,
    map_value,
    no_answer_problems,
    norm,
    resolve_columns,
    rows_location,
    scale_lookup,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.inputs.table import Table
    from surveyor.instrument.model import Instrument, Scale

# Beyond this many row-level problems the rest are counted, not listed: a file coded on the
# wrong scale would otherwise build millions of messages nobody reads.
MAX_ROW_PROBLEMS = 10_000
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
    # The latest submission date an export carries (YYYY-MM-DD) and the column it came
    # from (surveyor.inputs.submitted); empty for a canonical file.
    data_date: str = ""
    data_date_column: str = ""
    # The waves' order when the export gives it (REDCap events), else empty: then it comes
    # from --waves or the names (surveyor.numbers.waves.wave_order).
    wave_order: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ entry points


def validate(
    path: Path,
    table: Table,
    instrument: Instrument,
    problems: list[Problem],
    digest: str,
    fmt: str,
    export_columns: dict[str, str] | None = None,
) -> Responses:
    """Validate a table under its column plan; raise with every problem, or return the
    Responses.

    ``problems`` holds what earlier steps found (decoding warnings, notes); the canonical
    table's plan is its own header (:func:`surveyor.inputs.checks.resolve_columns`), an
    export's columns carry canonical names and ``export_columns`` names the export header
    each came from, for the messages.
    """
    frame, skipped = _validate(table, instrument, problems)
    if export_columns is not None:
        problems = [_export_column(p, export_columns) for p in problems]
    return responses(path, frame, problems, digest, fmt, table.encoding, skipped)


def responses(
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


def validate_export(table, instrument: Instrument, path: Path, digest: str) -> Responses:
    """Validate a survey-tool export already turned into the canonical table by its plan.

    Parameters
    ----------
    table
        A ``surveyor.inputs.exports.CanonicalTable``: text cells under canonical column names,
        each row's number in the export, and the export header each column came from.
    instrument
        The instrument the answers must follow.
    path, digest
        The export file, for messages, and its sha256.

    Returns
    -------
    Responses
        As :func:`validate`; messages name the export's own column, e.g.
        ``row 5, column 'Q5_1' (a1)``.
    """
    import numpy as np

    from surveyor.inputs.formats import no_responses_left, reading_notes
    from surveyor.inputs.table import Table

    header = [str(c) for c in table.frame.columns]
    cells = table.frame.copy()
    cells.columns = range(len(header))
    grid = Table(header, cells, np.asarray(table.rows, dtype=np.int64), len(header), None, [])

    problems: list[Problem] = [Problem("", note, severity="warning") for note in table.notes]
    notes = reading_notes(table.format, table.notes)
    if cells.empty:
        raise ResponsesError(str(path), [*problems, no_responses_left(table.notes)],
                             notes=notes)
    try:
        validated = validate(path, grid, instrument, problems, digest, table.format,
                             table.columns)
    except ResponsesError as exc:
        raise ResponsesError(str(path), exc.problems, notes=notes) from None
    validated.data_date = table.data_date
    validated.data_date_column = table.data_date_column
    validated.wave_order = list(table.wave_order)
    return validated


def _export_column(problem: Problem, columns: dict[str, str]) -> Problem:
    """Name the export's column beside the canonical one in a problem's location."""
    match = re.search(r"column (\S+)$", problem.location)
    if not match or columns.get(match.group(1), match.group(1)) == match.group(1):
        return problem
    name = match.group(1)
    location = problem.location[: match.start()] + f"column '{columns[name]}' ({name})"
    return Problem(location, problem.message, problem.severity)


# ------------------------------------------------------------------------ validation


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
    table: Table, instrument: Instrument, problems: list[Problem]
) -> tuple[pd.DataFrame, list[int]]:
    """Check the grid; append problems; return the frame and the skipped empty rows."""
    import numpy as np

    layout = resolve_columns(table.header, instrument, problems)
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
            Problem(rows_location(skipped), "is empty and was skipped" if len(skipped) == 1
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
    check_name_variants(text, rows, problems)

    scale = instrument.scale
    lookup = scale_lookup(scale)
    values = np.full((n, len(instrument.items)), np.nan, order="F")
    row_bad = np.zeros(n, dtype=bool)
    messages: dict[str, str] = {}
    summaries: list[Problem] = []
    for j, item in enumerate(instrument.items):
        if item.id not in layout:
            continue
        position = layout[item.id]
        codes, uniques = column(position)
        mapped = np.array([map_value(u, lookup, scale) for u in uniques])
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
    problems.extend(no_answer_problems(rows, no_answer))
    return build_frame(text, text_columns, values, instrument, rows), skipped


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


def _bad_value_message(text: str, scale: Scale) -> str:
    shown = printable(text if len(text) <= 40 else text[:37] + "...", newlines=False)
    base = f"'{shown}' is not on the scale {scale.min}-{scale.max} (or one of its labels)"
    key = norm(text)
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
    labels = {norm(label): label for label in scale.labels}
    labels.update({norm(option): option for option in scale.missing})
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


