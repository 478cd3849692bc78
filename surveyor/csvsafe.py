"""Spreadsheet-safe CSV cells.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula ("CSV injection"), so a group name or an
item text could run code on the consultant's machine when the file is opened. Every text
cell surveyor writes to CSV goes through :func:`safe_cell`.

The rule, decided against the ways around a plain ``startswith`` check:

- A *segment* is the whole cell, or the part after a ``,``, ``;``, ``|``, tab, CR or LF
  inside it: a spreadsheet set to another list separator (``;`` in much of Europe), or
  one that does not honour the quotes, splits the cell there and reads each part as a
  cell of its own.
- A segment is dangerous when, after any leading spaces and invisible format characters
  (zero-width space, joiners, direction marks, BOM: Unicode category Cf), it starts with
  a character whose NFKC form starts with ``= + - @`` (so full-width ``＝ ＋ － ＠``,
  small and super/subscript forms too), unless the segment is a plain number
  (``-0.07``).
- A dangerous segment gets an apostrophe inserted where it starts, which spreadsheets
  show as text; a cell starting with a tab or CR is prefixed as before.

Only the apostrophes are added: the text is otherwise written as it is.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

# Plain numbers such as "-0.07" are data, not formulas: they pass through unchanged.
PLAIN_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
# Every character whose NFKC form starts with = + - @ (tests/test_csvsafe.py checks the
# list against unicodedata): full-width, small, superscript and subscript forms.
FORMULA_CHARS = (
    "=+\\-@\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b"
    "\uff0b\uff0d\uff1d\uff20"
)
# Unicode category Cf (format characters: zero-width, joiners, direction marks, BOM).
INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
SEPARATORS = ",;|\t\r\n"
# Spaces (not the separators tab, CR, LF) and format characters before a formula.
BLANKS = rf"(?:[^\S\t\r\n]|[{INVISIBLE}])*"
# Where a dangerous segment may start: the cell's start or just after a separator.
SEGMENT = re.compile(rf"(?:^|(?<=[{SEPARATORS}])){BLANKS}(?=[{FORMULA_CHARS}])")
NEXT_SEPARATOR = re.compile(rf"[{SEPARATORS}]")
# Whether text (or a column joined with LF) may hold a dangerous segment at all.
RISKY = re.compile(rf"(?:^|[{SEPARATORS}]){BLANKS}[{FORMULA_CHARS}]|(?:^|\n)[\t\r]")
STRIP = re.compile(rf"^{BLANKS}|{BLANKS}$")


def neutralise(text: str) -> str:
    """``text`` with an apostrophe where each dangerous segment starts (see the module)."""
    if not RISKY.search(text):
        return text
    positions = {0} if text.startswith(("\t", "\r")) else set()
    for match in SEGMENT.finditer(text):
        end = NEXT_SEPARATOR.search(text, match.end())
        segment = text[match.start(): end.start() if end else len(text)]
        core = unicodedata.normalize("NFKC", STRIP.sub("", segment))
        if not PLAIN_NUMBER.match(core):
            positions.add(match.start())
    for position in sorted(positions, reverse=True):
        text = text[:position] + "'" + text[position:]
    return text


def safe_cell(value: object) -> object:
    """Neutralise a CSV cell that a spreadsheet would run as a formula.

    Parameters
    ----------
    value
        The cell value. Numbers (and ``None``) pass through unchanged, so a negative
        score stays a number; text gets an apostrophe before each part a spreadsheet
        would run as a formula (:func:`neutralise`), which spreadsheets show as text.

    Returns
    -------
    object
        ``value`` itself, or the prefixed text.
    """
    return neutralise(value) if isinstance(value, str) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a header and rows as CSV text with ``\\n`` line ends, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return buffer.getvalue()
