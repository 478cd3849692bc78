"""Reading .xlsx workbooks within bounds (surveyor.inputs.workbook)."""

from __future__ import annotations

import contextlib
import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.errors import SurveyorError
from surveyor.inputs import limits
from surveyor.inputs.read import read_responses
from surveyor.inputs.source import open_source
from surveyor.inputs.table import grid
from surveyor.instrument.model import load_instrument

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
HEADER = ["respondent_id", "organization", "set", "a1", "a2", "a3", "b1", "b2", "b3"]


@pytest.fixture(scope="module")
def mini():
    return load_instrument(MINI)


def responses_book(path: Path, edit=None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["R1", "North", "S1", 1, 2, 3, 4, 5, 1])
    sheet.append(["R2", "North", "S1", 5, 4, 3, 2, 1, 2])
    if edit:
        edit(sheet)
    book.save(path)
    return path


def validate(path: Path):
    return CliRunner().invoke(cli, ["validate", str(path), "-i", str(MINI)])


def peak_memory(function, *args) -> tuple[Exception | None, int]:
    """Run ``function``; return what it raised and the peak memory it allocated.

    It runs once before the measurement, so that importing modules is not counted.
    """
    with contextlib.suppress(Exception):
        function(*args)
    tracemalloc.start()
    try:
        function(*args)
        raised = None
    except Exception as exc:  # the caller inspects it
        raised = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return raised, peak


def test_a_stray_cell_at_the_last_column_and_row_is_refused_in_bounded_memory(tmp_path, mini):
    # Before: the dense reader built 1,048,576 x 16,384 cells and ran out of memory.
    def stray(sheet):
        sheet["XFD1048576"] = "x"

    path = responses_book(tmp_path / "stray.xlsx", stray)
    assert path.stat().st_size < 10_000
    for read in (lambda: read_responses(path, mini), lambda: grid(open_source(path))):
        raised, peak = peak_memory(read)
        assert isinstance(raised, SurveyorError)
        assert "cell XFD1048576" in str(raised) and "limit of 10,000 columns" in str(raised)
        assert peak < 20_000_000
    result = validate(path)
    assert result.exit_code == 2 and "cell XFD1048576" in result.output


def test_a_stray_cell_far_below_is_refused_by_the_cell_count(tmp_path, mini, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 100_000)

    def stray(sheet):
        sheet["I1048576"] = "x"

    path = responses_book(tmp_path / "below.xlsx", stray)
    raised, peak = peak_memory(read_responses, path, mini)
    assert isinstance(raised, SurveyorError)
    assert "reach row 1,048,576 and column 9" in str(raised)
    assert "limit of 100,000 cells" in str(raised)
    assert peak < 20_000_000


SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>{}</t></si></sst>'
)


def bomb(path: Path, text_size: int) -> Path:
    """A workbook whose cell B4 is a shared string of ``text_size`` characters, packed
    as tightly as zip allows (openpyxl writes inline strings, so the part is added here)."""
    source = responses_book(path.with_suffix(".src.xlsx"), lambda s: s.append(["R3", "x"]))
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cell = '<c r="B4" t="inlineStr"><is><t>x</t></is></c>'
    assert cell in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(cell, '<c r="B4" t="s"><v>0</v></c>')
    parts["xl/sharedStrings.xml"] = SHARED_STRINGS.format("A" * text_size)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>",
        '<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.encode("utf-8"))
    return path


def test_a_shared_string_bomb_is_refused_before_unpacking(tmp_path, mini):
    # 40 MB of text packed into a few KB: the ratio, not the cell, gives it away.
    path = bomb(tmp_path / "bomb.xlsx", 40_000_000)
    assert path.stat().st_size < 200_000
    raised, peak = peak_memory(read_responses, path, mini)
    assert isinstance(raised, SurveyorError)
    message = str(raised)
    assert "'xl/sharedStrings.xml' unpacks to" in message and "100 times" in message
    assert peak < 20_000_000
    result = validate(path)
    assert result.exit_code == 2 and "sharedStrings.xml" in result.output


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path, mini):
    path = bomb(tmp_path / "long.xlsx", 40_000)
    with pytest.raises(SurveyorError, match="cell B4 holds 40,000 characters, more than the "
                       "limit of 32,767"):
        read_responses(path, mini)


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path, mini):
    # openpyxl saves formulas without calculating them, as some exporters do.
    def formula(sheet):
        sheet["D3"] = "=2+3"
        sheet["E3"] = "=D3"

    path = responses_book(tmp_path / "formula.xlsx", formula)
    with pytest.raises(SurveyorError, match="cells D3, E3 hold a formula whose value was "
                       "never saved"):
        read_responses(path, mini)
    result = validate(path)
    assert result.exit_code == 2 and "D3, E3" in result.output


def test_a_formula_with_a_saved_value_reads_its_value(tmp_path, mini):
    path = responses_book(tmp_path / "saved.xlsx", lambda s: s.__setitem__("D3", "=2+3"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert '<c r="D3"><f>2+3</f><v /></c>' in sheet
    # As Excel saves it: the formula and its value, and an empty text result as t="str".
    sheet = sheet.replace('<c r="D3"><f>2+3</f><v /></c>', '<c r="D3"><f>2+3</f><v>5</v></c>')
    sheet, n = re.subn('<c r="E3"[^>]*>.*?</c>', '<c r="E3" t="str"><f>""</f><v></v></c>', sheet)
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    result = read_responses(path, mini)
    assert result.frame.loc[3, "a1"] == 5.0
    assert np.isnan(result.frame.loc[3, "a2"])
