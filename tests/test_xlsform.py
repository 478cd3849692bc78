"""Tests for surveyor.instrument.xlsform: converts with pyxform; its Kobo export reads."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from surveyor.inputs.read import load_export, read_export
from surveyor.instrument.model import load_instrument, shipped_instruments
from surveyor.instrument.xlsform import build_xlsform, write_xlsform

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def sheet_rows(data: bytes, name: str) -> list[dict[str, str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(workbook[name].iter_rows(values_only=True))
    header = rows[0]
    return [{h: v for h, v in zip(header, row, strict=True) if v is not None} for row in rows[1:]]


def convert(data: bytes) -> tuple[str, list[str]]:
    from pyxform.xls2xform import convert as pyxform_convert

    warnings: list[str] = []
    result = pyxform_convert(xlsform=data, warnings=warnings, file_type=".xlsx")
    return result.xform, warnings + list(result.warnings or [])


@pytest.mark.parametrize("instrument", [str(FIXTURES / "mini.yaml"), *shipped_instruments()])
def test_pyxform_converts_without_errors_or_warnings(instrument):
    xform, warnings = convert(build_xlsform(load_instrument(instrument)))
    assert warnings == []
    assert "<h:html" in xform


def test_form_structure(mini):
    data = build_xlsform(mini)
    survey = sheet_rows(data, "survey")
    names = [row.get("name") for row in survey]
    assert names[:3] == ["respondent_id", "organization", "set"]
    groups = [row for row in survey if row["type"] == "begin_group"]
    assert [g["name"] for g in groups] == ["alpha_sub", "beta_sub"]
    assert all(g["appearance"] == "field-list" for g in groups)
    assert [g["label"] for g in groups] == ["Part 1 of 2", "Part 2 of 2"]
    items = [row for row in survey if row["type"] == "select_one likert"]
    assert [row["name"] for row in items] == mini.item_ids
    assert [row["label"] for row in items] == [item.text for item in mini.items]
    assert all(row["appearance"] == "likert" for row in items)
    choices = sheet_rows(data, "choices")
    assert [(c["name"], c["label"]) for c in choices] == [
        ("1", "Strongly disagree"), ("2", "Disagree"), ("3", "Neither agree nor disagree"),
        ("4", "Agree"), ("5", "Strongly agree"), ("dk", "Don't know / not applicable"),
    ]
    assert sheet_rows(data, "settings") == [
        {"form_title": "Mini instrument", "form_id": "mini", "version": "0.1"}
    ]


def test_xform_carries_id_version_and_group_paths(mini):
    xform, _ = convert(build_xlsform(mini))
    assert re.search(r'<data id="mini" version="0.1"', xform)
    assert 'nodeset="/data/alpha_sub/a1"' in xform
    assert 'nodeset="/data/organization"' in xform


def test_bytes_are_deterministic(mini, tmp_path):
    first = build_xlsform(mini)
    assert build_xlsform(mini) == first
    path = write_xlsform(mini, tmp_path / "out")
    assert path == tmp_path / "out" / "mini-xlsform.xlsx"
    assert path.read_bytes() == first


def test_kobo_export_of_the_form_reads_without_mapping(mini):
    """The Kobo fixtures' headers are the form's names, with and without group paths."""
    survey = sheet_rows(build_xlsform(mini), "survey")
    paths, group = set(), None
    for row in survey:
        if row["type"] == "begin_group":
            group = row["name"]
        elif row["type"] == "end_group":
            group = None
        elif row["type"] != "note":
            paths.add(f"{group}/{row['name']}" if group else row["name"])
    for name in ("kobo.csv", "kobo.xlsx"):
        export = load_export(FIXTURES / "exports" / name)
        fields = {k for k in export.keys if not k.startswith("_") and k not in ("start", "end")}
        leaves = {p.rsplit("/", 1)[-1] for p in paths}
        assert fields <= paths | leaves
        table = read_export(FIXTURES / "exports" / name, mini)
        assert table.format == "kobo"
        assert len(table.frame) == 8


def test_clashing_ids_are_refused(mini):
    from dataclasses import replace

    from surveyor.errors import SurveyorError

    items = (replace(mini.items[0], id="set"), *mini.items[1:])
    with pytest.raises(SurveyorError, match="is also a form field name"):
        build_xlsform(replace(mini, items=items))


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","click")', "\uff1dcmd", "\u200b=1+1",
                                  "+1+1", "@SUM(A1)"])
def test_an_item_text_that_looks_like_a_formula_stays_text(tmp_path, text):
    """Attack: item text starting with = became a live formula in the XLSForm."""
    import yaml

    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data["items"][0]["text"] = text
    path = tmp_path / "formula.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsform(load_instrument(path))))
    cells = [cell for row in workbook["survey"].iter_rows() for cell in row
             if cell.value == text]
    assert cells, "the item text must be written exactly"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert not [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
