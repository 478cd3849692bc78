"""The bounds on every input, in one place: files beyond them are refused by name.

Each limit is far above what a real survey needs and far below what exhausts a laptop;
the README ("Limits") lists them. The file size limit is ``surveyor.files.MAX_INPUT_BYTES``.
"""

from __future__ import annotations

# Columns of a responses file or export: the widest platform exports hold a few thousand.
MAX_COLUMNS = 10_000
# Cells of a workbook's table (rows x columns up to the last value): a full Excel sheet of
# a million respondents and 40 items is 42 million.
MAX_CELLS = 50_000_000
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
# An organization or set name, or a respondent id: a 10,000-character set name kept the
# reports rendering for minutes.
MAX_NAME_CHARS = 200
# One part of an .xlsx workbook unpacked, and how much smaller than that it may be packed
# once it is larger than RATIO_FLOOR (a zip bomb packs hundreds of MB into a few KB).
MAX_MEMBER_BYTES = 1 << 30
MAX_RATIO = 100
RATIO_FLOOR = 16 << 20
