"""Tests for surveyor.inputs.mapping: the mapping.yaml format and its helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyor.errors import SurveyorError, ValidationError
from surveyor.inputs.mapping import (
    ItemColumn,
    Source,
    column_letter,
    load_mapping,
    norm,
    parse_mapping,
    recode_key,
    text_candidates,
)
from surveyor.instrument.model import load_instrument

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ITEMS_OK = "items: {a1: A, a2: B, a3: C, b1: D, b2: E, b3: F}\n"


# ------------------------------------------------------------------------- loading


def test_load_the_fixture_mappings(mini):
    mapping = load_mapping(EXPORTS / "qualtrics.mapping.yaml", mini)
    assert mapping.ids["respondent_id"] == Source(column="ExternalReference")
    assert mapping.items["b1"] == ItemColumn(column="Q6_1", match=1.0)
    assert mapping.recode == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "6": None}
    assert mapping.format == "qualtrics"
    assert mapping.source == EXPORTS / "qualtrics.mapping.yaml"


def test_constants_and_item_recode(mini, tmp_path):
    path = write(tmp_path, (
        "organization: {value: Acme}\nset: {value: 'Set 1'}\nwave: {column: Wave}\n"
        "items: {a1: A, a2: B, a3: {column: C, recode: {1: 5, 2: 4, 3: 3, 4: 2, 5: 1,"
        " 'Don t know': missing}}, b1: D, b2: E, b3: F}\n"
    ))
    mapping = load_mapping(path, mini)
    assert mapping.ids["organization"] == Source(value="Acme")
    assert mapping.ids["set"] == Source(value="Set 1")
    assert mapping.ids["wave"] == Source(column="Wave")
    assert mapping.items["a3"].recode["1"] == "5"
    assert mapping.items["a3"].recode["don t know"] is None


def test_every_problem_is_reported_with_its_location(mini, tmp_path):
    path = write(tmp_path, (
        "instrument: other\n"
        "respondent: ResponseId\n"
        "organization: {value: Acme, column: Org}\n"
        "set: Q1\n"
        "items:\n"
        "  a1: Q1\n"
        "  a2: {column: Q2, macth: 0.9}\n"
        "  zz: Q3\n"
        "  b1: Q4\n"
        "  b2: q4\n"
        "  b3: null\n"
        "recode: {0: 1, 1: 2, 2: 6, 3: yes}\n"
    ))
    with pytest.raises(ValidationError) as caught:
        load_mapping(path, mini)
    problems = {p.location: p.message for p in caught.value.problems}
    assert problems["instrument"] == "the mapping is for 'other' but the instrument is 'mini'"
    assert problems["respondent"].startswith("unknown field (did you mean 'respondent_id'?)")
    assert "either column" in problems["organization"]
    assert problems["items.a1.column"] == "column 'Q1' is also used by set"
    assert problems["items.a2.macth"].startswith("unknown field (did you mean 'match'?)")
    assert problems["items.zz"] == "'zz' is not an item of instrument 'mini'"
    assert problems["items.b2.column"] == "column 'q4' is also used by items.b1"
    assert problems["items.b3"].startswith("no export column chosen")
    assert problems["recode.2"] == "6 is not on the scale 1-5"
    assert problems["recode.3"].startswith("must be a scale value")
    assert problems["items"] == "no entry for a3; every item needs a column"
    assert str(path) in str(caught.value)


def test_respondent_id_cannot_be_a_constant(tmp_path):
    _, problems = parse_mapping({"respondent_id": {"value": "x"}, "items": {}})
    assert problems[0].location == "respondent_id.value"


def test_mapping_without_instrument_checks_structure_only(tmp_path):
    mapping = load_mapping(write(tmp_path, "items: {x1: Q1}\nrecode: {0: 9}\n"))
    assert mapping.items["x1"].column == "Q1"
    assert mapping.recode == {"0": "9"}


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(SurveyorError, match="no such file"):
        load_mapping(tmp_path / "absent.yaml")
    with pytest.raises(SurveyorError, match="duplicate key 'a1'"):
        load_mapping(write(tmp_path, "items:\n  a1: Q1\n  a1: Q2\n"))


# ------------------------------------------------------------------------- helpers


def test_text_candidates():
    assert "Alpha item one." in text_candidates("Rate these - sub - Alpha item one.")
    assert "Alpha item one." in text_candidates("Stem-Alpha item one.")
    assert "Row label" in text_candidates("Stem [Row label]")
    assert "Alpha" in text_candidates("Q3. Alpha")


def test_recode_key():
    assert recode_key(4) == recode_key(4.0) == recode_key(" 4.0 ") == recode_key("4") == "4"
    assert recode_key("Strongly  Agree") == "strongly agree"


@given(st.integers(0, 20000))
def test_column_letter_is_bijective_with_spreadsheet_order(index):
    letters = column_letter(index)
    back = 0
    for char in letters:
        back = back * 26 + (ord(char) - ord("A") + 1)
    assert back - 1 == index


@given(st.text(max_size=30))
def test_norm_and_recode_key_are_idempotent(text):
    assert norm(norm(text)) == norm(text)
    assert recode_key(recode_key(text)) == recode_key(text)


def test_a_recode_can_name_any_never_scored_option(tmp_path):
    """Before: 'missing' named only the scale's first never-scored option."""
    from surveyor.inputs.read import read_export
    from surveyor.inputs.validate import validate_export
    from surveyor.instrument.model import load_instrument

    from .conftest import edit

    text = edit('missing: ["Don\'t know / not applicable"]',
                'missing: ["Don\'t know / not applicable", "Prefer not to say"]')
    (tmp_path / "two.yaml").write_text(text, encoding="utf-8")
    instrument = load_instrument(tmp_path / "two.yaml")
    texts = ["Alpha item one.", "Alpha item two.", "Alpha item three, reversed.",
             "Beta item one.", "Beta item two.", "Beta item three."]
    export = tmp_path / "export.csv"
    export.write_text("Respondent code,Organisation,Set," + ",".join(f'"{t}"' for t in texts)
                      + "\nr1,Acme,S,1,6,7,4,5,1\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "respondent_id: Respondent code\norganization: Organisation\nset: Set\nitems:\n"
        + "".join(f'  {i}: "{t}"\n' for i, t in zip(instrument.item_ids, texts, strict=True))
        + 'recode: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: missing, 7: "prefer not to say"}\n',
        encoding="utf-8")
    table = read_export(export, instrument, mapping=mapping)
    assert table.frame.loc[0, ["a2", "a3"]].tolist() == [
        "Don't know / not applicable", "prefer not to say"]
    frame = validate_export(table, instrument, export, "").frame
    assert frame.loc[2, ["a1", "b1"]].tolist() == [1.0, 4.0]
    assert frame.loc[2, ["a2", "a3"]].isna().all()
    from surveyor.inputs.mapping import parse_mapping

    _, problems = parse_mapping({"items": {i: i for i in instrument.item_ids},
                                 "recode": {7: "Prefer to skip"}}, instrument)
    assert [str(p) for p in problems] == [
        "recode.7: must be a scale value (a whole number), missing, or one of the scale's "
        "never-scored options by its text, not 'Prefer to skip'"
    ]
