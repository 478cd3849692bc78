"""Spreadsheet-safe CSV cells.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula ("CSV injection"), so a group name or an
item text could run code on the consultant's machine when the file is opened. Every text
cell surveyor writes to CSV goes through :func:`safe_cell`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Plain numbers such as "-0.07" are data, not formulas: they pass through unchanged.
PLAIN_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def safe_cell(value: object) -> object:
    """Neutralise a CSV cell that a spreadsheet would run as a formula.

    Parameters
    ----------
    value
        The cell value. Numbers (and ``None``) pass through unchanged, so a negative
        score stays a number; text starting with ``= + - @``, a tab or a carriage
        return is prefixed with an apostrophe, which spreadsheets show as text.

    Returns
    -------
    object
        ``value`` itself, or the prefixed text.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a header and rows as CSV text with ``\\n`` line ends, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return buffer.getvalue()
