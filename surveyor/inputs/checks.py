"""The validation rules: which column is which (the canonical identity plan), names, values.

The validator (``surveyor.inputs.validate``) and its fast implementation for plain CSV
(``surveyor.inputs.fast_csv``) check the same things the same way; the rules live here,
so neither borrows the other's internals.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import TYPE_CHECKING

from surveyor.errors import Problem, printable
from surveyor.inputs.mapping import norm
from surveyor.inputs.table import column_key

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.instrument.model import Instrument, Scale

ID_COLUMNS = ("respondent_id", "organization", "set")


WAVE = "wave"


# Ignored columns named in the warning; the rest are counted.
IGNORED_LISTED = 20


def check_names(
    codes: np.ndarray,
    distinct: np.ndarray,
    rows: np.ndarray,
    where: str,
    name: str,
    problems: list[Problem],
    lengths_checked: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Normalise an organization or set column (``surveyor.inputs.names``), warn about the
    spellings that became one, and report every name or id longer than the limit.

    Returns the column's codes and distinct values after normalisation.
    ``lengths_checked`` says the caller has measured the values already (the fast reader
    does so in pyarrow, which is quicker for a million ids).
    """
    from surveyor.inputs.limits import MAX_NAME_CHARS
    from surveyor.inputs.names import normalise_codes, too_long

    if name in ("organization", "set"):
        old, old_codes = distinct, codes
        codes, distinct, merged = normalise_codes(codes, distinct)
        if merged:
            row_of = _first_rows(old_codes, rows)
            problems.extend(_merge_warnings(old, merged, row_of, where, name))
    long = [] if lengths_checked else too_long(distinct)
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


def no_answer_problems(rows: np.ndarray, no_answer: np.ndarray) -> list[Problem]:
    """The warning naming the respondents who answered no item (kept, without scores)."""
    if not no_answer.any():
        return []
    listed = rows[no_answer].tolist()
    return [
        Problem(
            rows_location(listed),
            "no item answered: kept, but these respondents get no scores"
            if len(listed) > 1 else "no item answered: kept, but this respondent gets no "
            "scores",
            severity="warning",
        )
    ]


def build_frame(text, text_columns, values, instrument: Instrument, rows) -> pd.DataFrame:
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


def resolve_columns(
    header: list[str], instrument: Instrument, problems: list[Problem]
) -> dict[str, int]:
    """Map each known column to its position; report missing, repeated and ignored ones."""
    wanted = list(ID_COLUMNS) + [WAVE] + instrument.item_ids
    # Headers match ignoring case; an item keeps the instrument's spelling (A1, Q5_1).
    spelled = {name.casefold(): name for name in wanted}
    found: dict[str, list[int]] = {}
    ignored: list[int] = []
    for position, name in enumerate(header):
        key = spelled.get(column_key(name))
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


def check_name_variants(text, rows, problems) -> None:
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
                groups.setdefault(("organization", "", norm(name)), []).append((name, rows[at]))
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
                groups.setdefault(("set", org, norm(name)), []).append((name, rows[at]))
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


def scale_lookup(scale: Scale) -> dict[str, float]:
    """Normalised text -> code: codes and labels map to their code, missing options to NaN."""
    lookup = {str(value): float(value) for value in scale.values}
    lookup.update({norm(label): float(value) for label, value in zip(
        scale.labels, scale.values, strict=True)})
    lookup.update({norm(option): math.nan for option in scale.missing})
    lookup[""] = math.nan
    return lookup


def map_value(text: str, lookup: dict[str, float], scale: Scale) -> float:
    """A cell's code; NaN when unanswered; +inf marks a value that is not on the scale."""
    key = norm(text)
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


def rows_location(rows: list[int], limit: int = 20) -> str:
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
