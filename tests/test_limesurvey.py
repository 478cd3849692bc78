"""Tests for surveyor.instrument.limesurvey (the survey structure) and
surveyor.inputs.platforms.limesurvey (its response exports read back)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from surveyor.errors import SurveyorError
from surveyor.inputs.read import load_export, read_export
from surveyor.inputs.recognise import detect_format
from surveyor.instrument.build import write_online_form
from surveyor.instrument.limesurvey import build_structure, question_code
from surveyor.instrument.model import load_instrument, shipped_instruments

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"
REAL = Path("/work/shared/real-exports/limesurvey")


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def structure(instrument) -> list[dict[str, str]]:
    text = build_structure(instrument).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def export_columns(rows: list[dict[str, str]]) -> list[str]:
    """The columns LimeSurvey exports (question codes) for the survey's questions."""
    columns, parent = [], None
    for row in rows:
        if row["class"] == "Q":
            parent = row
            if row["type/scale"] == "S":
                columns.append(row["name"])
        elif row["class"] == "SQ":
            columns.append(f"{parent['name']}[{row['name']}]")
    return columns


@pytest.mark.parametrize("instrument", [str(FIXTURES / "mini.yaml"), *shipped_instruments()])
def test_one_array_per_subscale_coded_by_item_ids(instrument):
    inst = load_instrument(instrument)
    rows = structure(inst)
    assert {row["class"] for row in rows} == {"S", "SL", "G", "Q", "SQ", "A"}
    arrays = [row for row in rows if row["class"] == "Q" and row["type/scale"] == "F"]
    subscales = [s for s in inst.subscales if inst.items_of(s.id)]
    assert [a["name"] for a in arrays] == [question_code(s.id) for s in subscales]
    assert [row["name"] for row in rows if row["class"] == "SQ"] == [
        item.id for s in subscales for item in inst.items_of(s.id)
    ]
    answers = [(row["name"], row["text"]) for row in rows if row["class"] == "A"]
    scale = inst.scale
    one = [(str(v), label.replace("&", "&amp;")) for v, label in
           zip(scale.values, scale.labels, strict=True)]
    one += [("DK" if i == 0 else f"DK{i + 1}", m) for i, m in enumerate(scale.missing)]
    assert answers == one * len(subscales)
    groups = [row["name"] for row in rows if row["class"] == "G"]
    assert groups == ["About you", *(f"Part {n} of {len(subscales)}"
                                     for n in range(1, len(subscales) + 1))]
    settings = {row["name"]: row["text"] for row in rows if row["class"] == "S"}
    assert settings["anonymized"] == "Y" and settings["ipaddr"] == "N"


def test_every_row_has_the_header_width(mini):
    lines = build_structure(mini).decode().splitlines()
    widths = {len(next(csv.reader([line], delimiter="\t"))) for line in lines}
    assert widths == {16}


def test_bytes_are_deterministic(mini, tmp_path):
    first = build_structure(mini)
    assert build_structure(mini) == first
    path = write_online_form(mini, "limesurvey", tmp_path)
    assert path.name == "mini-limesurvey.txt"
    assert path.read_bytes() == first


def test_codes_limesurvey_cannot_hold_are_refused(mini):
    items = (replace(mini.items[0], id="a_1"), *mini.items[1:])
    with pytest.raises(SurveyorError, match="item id 'a_1' cannot be a subquestion code"):
        build_structure(replace(mini, items=items))


def test_a_subscale_coded_like_a_first_page_question_is_refused(mini):
    subscales = (replace(mini.subscales[0], id="organization"), *mini.subscales[1:])
    items = tuple(replace(i, subscale="organization") if i.subscale == "alpha_sub" else i
                  for i in mini.items)
    with pytest.raises(SurveyorError, match="gives the question code 'organization' twice"):
        build_structure(replace(mini, subscales=subscales, items=items))


@pytest.mark.parametrize("name", ["limesurvey-codes.csv", "limesurvey-text.csv"])
def test_round_trip_export_scores_like_the_canonical_csv(mini, name, scores_like_canonical):
    export = load_export(EXPORTS / name)
    assert export.format == detect_format(EXPORTS / name) == "limesurvey"
    if name == "limesurvey-codes.csv":
        wanted = export_columns(structure(mini))
        assert [k for k in export.keys if k in wanted] == wanted
    table = read_export(EXPORTS / name, mini)  # no mapping
    assert table.format == "limesurvey"
    assert table.columns["respondent_id"] == export.keys[0]
    assert any("excluded 1 incomplete response (no submit date; row 5)" in n
               for n in table.notes)
    scores_like_canonical(EXPORTS / name)


def test_include_partial_keeps_the_unsubmitted_response(mini):
    table = read_export(EXPORTS / "limesurvey-codes.csv", mini, include_partial=True)
    assert len(table.frame) == 9
    assert table.frame["respondent_id"].tolist()[3] == "4"
    assert any(n.startswith("kept 1 incomplete response") for n in table.notes)


@pytest.mark.skipif(not REAL.is_dir(), reason="the real exports are not on this machine")
def test_real_limesurvey_exports_are_recognised():
    for path in sorted(REAL.glob("*.csv")):
        export = load_export(path)
        assert export.format == "limesurvey", path
        assert export.id_column == "Response ID"
        assert any("no submit date" in note for note in export.notes), path
