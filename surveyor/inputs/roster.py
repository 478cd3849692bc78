"""Set sizes from the consultant (``--roster sizes.csv``), for "6 of 8 members" on covers.

The roster is a CSV with the columns ``organization``, ``set`` and ``members`` (one row per
set). It is the consultant's own knowledge of how many people each set has; surveyor only
prints it beside the number of responses, so nothing in it can expose a respondent.
"""

from __future__ import annotations

import csv
from pathlib import Path

from surveyor.errors import Problem, SurveyorError, ValidationError

COLUMNS = ("organization", "set", "members")


class RosterError(ValidationError):
    """A roster file is invalid."""


def read_roster(path: str | Path) -> dict[tuple[str, str], int]:
    """Read a roster: ``{(organization, set): members}``.

    Raises
    ------
    SurveyorError
        The file cannot be read.
    RosterError
        Listing every problem: missing columns, a count that is not a whole number of at
        least 1, a set listed twice.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SurveyorError(f"{path}: no such roster file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyorError(f"{path}: cannot read the roster ({exc}); save it as a UTF-8 "
                            "CSV with the columns organization,set,members") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(str(path), [Problem("", "the file is empty; give the columns "
                                                  "organization,set,members")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(str(path), [Problem(
            "row 1", f"missing column{'s' if len(missing) > 1 else ''} "
                     f"{', '.join(missing)}; the header must be organization,set,members")])
    at = {c: header.index(c) for c in COLUMNS}
    problems: list[Problem] = []
    roster: dict[tuple[str, str], int] = {}
    first_row: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[k].strip() if k < len(row) else "") for c, k in at.items()}
        for c in ("organization", "set"):
            if not cells[c]:
                problems.append(Problem(f"row {number}, column {c}",
                                        "is empty; name the organisation and set as in "
                                        "the responses file"))
        value = cells["members"]
        members = int(value) if value.isascii() and value.isdigit() else 0
        if members < 1:
            problems.append(Problem(f"row {number}, column members",
                                    f"{value!r} is not a whole number of at least 1; give "
                                    "the number of people in the set"))
            continue
        key = (cells["organization"], cells["set"])
        if key in first_row:
            problems.append(Problem(f"row {number}",
                                    f"{key[0]} / {key[1]} is already listed in row "
                                    f"{first_row[key]}; keep one row per set"))
            continue
        first_row[key] = number
        roster[key] = members
    if problems:
        raise RosterError(str(path), problems)
    return roster


def check_roster(roster: dict[tuple[str, str], int], responses: dict[tuple[str, str], int],
                 source: str = "roster") -> None:
    """Refuse a roster that lists fewer members than a set has responses.

    Raises
    ------
    RosterError
        Naming every such set, with both numbers.
    """
    problems = [
        Problem(f"{org} / {name}",
                f"the roster gives {members} members but the responses file has "
                f"{responses[(org, name)]} responses from this set; correct the roster")
        for (org, name), members in sorted(roster.items())
        if (org, name) in responses and members < responses[(org, name)]
    ]
    if problems:
        raise RosterError(source, problems)
