"""What a platform module hands the export reader: the export's layout, and small helpers.

A platform module (``limesurvey``, ``redcap``, ``spss``) recognises its export from the
header rows and reads it into a :class:`Layout`; :mod:`surveyor.inputs.exports` wraps that
into its ``Export`` and carries on as for every other format. Nothing here imports the
reader, so there is no import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from surveyor.inputs.mapping import norm


@dataclass
class Layout:
    """An export's columns and rows, with what was dropped said in ``notes``.

    ``keys`` name the columns as a mapping refers to them, ``texts`` hold the question text
    over each column, ``data`` rows are padded to the header's width and ``rows`` give each
    data row's number as the consultant sees it.
    """

    keys: list[str]
    texts: list[str]
    data: list[list[str]]
    rows: list[int]
    id_column: str | None
    notes: list[str] = field(default_factory=list)

    def drop(self, rows: set[int]) -> None:
        kept = [(r, d) for r, d in zip(self.rows, self.data, strict=True) if r not in rows]
        self.rows = [r for r, _ in kept]
        self.data = [d for _, d in kept]


@dataclass(frozen=True)
class Platform:
    """A platform the reader knows: its format name (one of ``inputs.formats.FORMATS``),
    how its export is recognised and how it is read."""

    name: str
    recognise: Callable[[list[list[str]]], bool]
    read: Callable[[list[list[str]], bool], Layout]


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def rows_text(rows: list[int], limit: int = 10, word: str = "row") -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{word}{'s' if len(rows) > 1 else ''} {shown}{more}"


def header_index(header: list[str], *names: str) -> int | None:
    """The first column whose header, normalised, is one of ``names``."""
    wanted = {norm(name) for name in names}
    for i, cell in enumerate(header):
        if norm(cell) in wanted:
            return i
    return None


def exclude_partial(
    layout: Layout, partial: list[int], include_partial: bool, why: str, word: str = "row"
) -> None:
    """Drop the rows of incomplete responses (or keep them, as asked), saying so."""
    if not partial:
        return
    what = f"{plural(len(partial), 'incomplete response')} ({why}; {rows_text(partial, word=word)})"
    if include_partial:
        layout.notes.append(f"kept {what} as asked")
    else:
        layout.drop(set(partial))
        layout.notes.append(f"excluded {what}; use --include-partial to keep them")


# An item's column in an export of a survey surveyor built: Qualtrics names a matrix
# statement ``<subscale id>_<item id>``; LimeSurvey names an array row ``<code>[<item id>]``.
BRACKETED = re.compile(r"^[A-Za-z0-9_]+\[([A-Za-z0-9_]+)\]")


def names_item(key: str, item_id: str, subscale_id: str) -> bool:
    """Whether an export header is the column surveyor's Qualtrics or LimeSurvey form gives
    the item: ``alpha_sub_a1``, ``alphasub[a1]`` (case ignored)."""
    key = key.strip()
    if norm(key) == norm(f"{subscale_id}_{item_id}"):
        return True
    match = BRACKETED.match(key)
    return bool(match) and match.group(1).lower() == item_id.lower()


def dk_codes(missing: tuple[str, ...]) -> dict[str, str]:
    """Answer code (lower case) -> never-scored option: ``dk`` is the first, ``dk2``...

    The codes surveyor's LimeSurvey survey gives "Don't know" (``DK``), and the raw codes a
    REDCap radio field may use for it (``dk``), as XLSForm does.
    """
    return {("dk" if i == 0 else f"dk{i + 1}"): option for i, option in enumerate(missing)}
