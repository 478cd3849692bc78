"""An .xlsx workbook's first sheet as rows of text, read within fixed bounds.

A workbook is a zip of XML files, so a few KB can claim gigabytes: one stray cell at
XFD1048576 makes a dense reader build seventeen billion cells, and a shared string can
unpack to hundreds of MB. This reader checks the archive's sizes before opening it,
streams the sheet's cells sparsely, and stops at the first cell beyond a limit, naming it.
Responses files and survey-tool exports both read workbooks here.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from surveyor.errors import SurveyorError
from surveyor.inputs import limits


def check_archive(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose files would unpack beyond the limits (a zip bomb)."""
    for info in archive.infolist():
        size, packed = info.file_size, max(info.compress_size, 1)
        dense = size > limits.RATIO_FLOOR and size > limits.MAX_RATIO * packed
        if size > limits.MAX_MEMBER_BYTES or dense:
            raise SurveyorError(
                f"{path}: its part '{info.filename}' unpacks to {size:,} bytes from "
                f"{info.compress_size:,} (limits: {limits.MAX_MEMBER_BYTES:,} bytes, and "
                f"{limits.MAX_RATIO} times the packed size beyond {limits.RATIO_FLOOR:,} "
                "bytes); it is no ordinary workbook: save the responses again from Excel, or as CSV"
            )


def read_sheet(path: Path, raw: bytes) -> list[list[str]]:
    """The first sheet's rows as text, row i being sheet row i + 1, all of one width.

    Trailing empty rows and columns are left out. A cell holding a formula whose value
    was never saved is an error naming the cell (its value is unknown, not unanswered).

    Raises
    ------
    SurveyorError
        For a damaged workbook, or one beyond a limit: ``MAX_COLUMNS``, ``MAX_CELLS``,
        ``MAX_CELL_CHARS``, ``MAX_MEMBER_BYTES`` and ``MAX_RATIO``.
    """
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_archive(path, archive)
    except zipfile.BadZipFile as exc:
        raise SurveyorError(
            f"{path}: is a damaged .xlsx (zip) file ({exc}); save it again from Excel"
        ) from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SurveyorError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
    try:
        sparse, width, unsaved = _read_cells(path, workbook.worksheets[0])
    except SurveyorError:
        raise
    except Exception as exc:
        raise SurveyorError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
    finally:
        workbook.close()
    if unsaved:
        shown = ", ".join(unsaved[:5]) + (f" and {len(unsaved) - 5:,} more" if len(unsaved) > 5
                                          else "")
        cells = "cells" if len(unsaved) > 1 else "cell"
        holds = "hold" if len(unsaved) > 1 else "holds"
        raise SurveyorError(
            f"{path}: {cells} {shown} {holds} a formula whose value was never saved (the "
            "program that wrote the workbook does not calculate), so the answer is unknown; "
            "open the workbook in Excel or LibreOffice and save it, or replace the formulas "
            "by their values"
        )
    grid: list[list[str]] = []
    for number, cells in sparse:
        while len(grid) < number - 1:
            grid.append([""] * width)
        row = [""] * width
        for column, text in cells:
            row[column - 1] = text
        grid.append(row)
    return grid


def _read_cells(path: Path, sheet) -> tuple[list[tuple[int, list[tuple[int, str]]]], int, list]:
    """The sheet's non-empty cells by row, the table's width and unsaved formula cells."""
    from openpyxl.utils import get_column_letter

    sparse: list[tuple[int, list[tuple[int, str]]]] = []
    width = 0
    unsaved: list[str] = []
    with sheet._get_source() as source:
        parser = _Parser(
            source, sheet._shared_strings, data_only=True, epoch=sheet.parent.epoch,
            date_formats=sheet.parent._date_formats,
            timedelta_formats=sheet.parent._timedelta_formats,
        )
        for number, cells in parser.parse():
            kept = []
            for cell in cells:
                column = cell["column"]
                where = f"{get_column_letter(min(column, 18278))}{number}"
                if cell.get("unsaved"):
                    unsaved.append(where)
                text = cell_text(cell["value"])
                if not text:
                    continue
                if column > limits.MAX_COLUMNS:
                    raise SurveyorError(
                        f"{path}: cell {where} holds a value in column {column:,}, beyond "
                        f"surveyor's limit of {limits.MAX_COLUMNS:,} columns; delete the stray "
                        "cells right of the responses (or copy the responses into a new "
                        "workbook) and try again"
                    )
                if len(text) > limits.MAX_CELL_CHARS:
                    raise SurveyorError(
                        f"{path}: cell {where} holds {len(text):,} characters, more than "
                        f"the limit of {limits.MAX_CELL_CHARS:,} for one cell (Excel's own); it is "
                        "no answer: remove it and try again"
                    )
                kept.append((column, text))
            if not kept:
                continue
            reach = max(width, max(column for column, _ in kept))
            if number * reach > limits.MAX_CELLS:
                raise SurveyorError(
                    f"{path}: the sheet's values reach row {number:,} and column "
                    f"{reach:,} ({number * reach:,} cells), beyond surveyor's limit of "
                    f"{limits.MAX_CELLS:,} cells; delete stray cells below or right of the "
                    "responses, or save the responses as CSV"
                )
            width = reach
            sparse.append((number, kept))
    return sparse, width, unsaved


def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        """openpyxl's cell parser, marking formulas that have no saved value."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                # Excel saves a formula's empty text as t="str" with an empty value; an
                # empty or absent value of any other type was never calculated.
                saved = element.findtext(VALUE_TAG)
                if saved is None or element.get("t", "n") not in ("str", "s", "inlineStr"):
                    cell["unsaved"] = True
            return cell

    return Parser


def _Parser(*args, **kwargs):
    return _parser_class()(*args, **kwargs)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold (4.0 reads as '4')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
