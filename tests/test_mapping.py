"""Tests for surveyor.mapping: the mapping.yaml format, proposals, and `mapping init`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from surveyor.errors import SurveyorError, ValidationError
from surveyor.exports import load_export, read_export
from surveyor.instrument import load_instrument
from surveyor.mapping import (
    ItemColumn,
    Source,
    column_letter,
    load_mapping,
    mapping_yaml,
    match_score,
    norm,
    parse_mapping,
    propose_mapping,
    recode_key,
    text_candidates,
)

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


# ------------------------------------------------------------------------ proposals


def test_proposal_matches_qualtrics_matrix_rows(mini):
    mapping = propose_mapping(EXPORTS / "qualtrics.csv", mini)
    assert {k: v.column for k, v in mapping.items.items()} == {
        "a1": "Q5_1", "a2": "Q5_2", "a3": "Q5_3", "b1": "Q6_1", "b2": "Q6_2", "b3": "Q6_3",
    }
    assert all(entry.match == 1.0 for entry in mapping.items.values())
    assert mapping.ids["respondent_id"] == Source(column="ResponseId")
    assert mapping.ids["organization"] == Source(column="Org")
    assert "not all on the scale 1-5" in mapping.comments["recode"]


@pytest.mark.parametrize("name", ["surveymonkey.csv", "google-forms.csv", "ms-forms.xlsx",
                                  "kobo.csv", "kobo.xlsx", "questions-cp1252.csv"])
def test_proposal_reads_back_to_the_canonical_answers(name, mini, tmp_path):
    """init's proposal, written and loaded again, reads the export like the fixtures do."""
    proposal = propose_mapping(EXPORTS / name, mini)
    path = write(tmp_path, mapping_yaml(proposal))
    mapping = load_mapping(path, mini)
    assert {k: v.column for k, v in mapping.items.items()} == {
        k: v.column for k, v in proposal.items.items()
    }
    table = read_export(EXPORTS / name, mini, mapping=path)
    if name != "surveymonkey.csv":
        assert table.frame["respondent_id"].tolist() == [f"r0{i}" for i in range(1, 9)]
    else:
        # The proposal takes the tool's own id; this export keeps codes in Custom Data 1.
        assert mapping.ids["respondent_id"] == Source(column="Respondent ID")
    assert set(table.frame["set"]) == {"Set A", "Set B"}


def test_proposal_flags_duplicated_weak_and_missing_matches(mini, tmp_path):
    header = ["Timestamp", "Org", "Set", "Alpha item one.", "Alpha item two.", "Alpha item two.",
              "Beta item 1", "Beta item two.", "Something else entirely"]
    path = tmp_path / "export.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, ["t", "O", "S", "1", "2", "3", "4", "5", "1"]])
    path.write_text(buffer.getvalue())
    mapping = propose_mapping(path, mini)
    assert mapping.items["a1"].column == "Alpha item one."
    assert mapping.comments["items.a2"].startswith("AMBIGUOUS: this header heads columns E, F")
    assert mapping.items["b1"].column == "Beta item 1"
    assert mapping.comments["items.b1"].startswith("CHECK: weak match")
    assert mapping.items["b3"].column is None
    assert mapping.comments["items.b3"].startswith("NO MATCH for 'Beta item three.'")
    text = mapping_yaml(mapping)
    assert "b3: {column: null}  # NO MATCH" in text
    # The proposal cannot be used until the consultant fills in the gap.
    with pytest.raises(ValidationError, match="items.b3.column: no export column chosen"):
        load_mapping(write(tmp_path, text), mini)


def test_proposal_ties_between_distinct_fields_are_flagged(mini, tmp_path):
    rows = list(csv.reader(io.StringIO((EXPORTS / "qualtrics.csv").read_text("utf-8-sig"))))
    rows[1][23] = rows[1][18]  # the Q7 comment column now shows item a2's text
    path = tmp_path / "q.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue())
    mapping = propose_mapping(load_export(path), mini)
    assert mapping.items["a2"].column == "Q5_2"
    assert mapping.comments["items.a2"].startswith("CHECK: the same text also heads 'Q7' (X)")


def test_mapping_yaml_quotes_awkward_headers(mini, tmp_path):
    proposal = propose_mapping(EXPORTS / "surveymonkey.csv", mini)
    proposal.items["a1"] = ItemColumn(column='He said: "yes" # no', match=0.5)
    proposal.ids["set"] = Source(value="true")
    loaded, problems = parse_mapping(__import__("yaml").safe_load(mapping_yaml(proposal)), mini)
    assert not problems
    assert loaded.items["a1"].column == 'He said: "yes" # no'
    assert loaded.ids["set"] == Source(value="true")


# ------------------------------------------------------------------------- helpers


def test_text_candidates():
    assert "Alpha item one." in text_candidates("Rate these - sub - Alpha item one.")
    assert "Alpha item one." in text_candidates("Stem-Alpha item one.")
    assert "Row label" in text_candidates("Stem [Row label]")
    assert "Alpha" in text_candidates("Q3. Alpha")
    assert match_score("Alpha item one.", "Stem [alpha  ITEM one]") == 1.0
    assert match_score("Alpha item one.", "Totally different") < 0.6


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


# ----------------------------------------------------------------------------- CLI


def test_mapping_init_writes_a_loadable_proposal(tmp_path, mini):
    from surveyor.cli.mapping import mapping

    out = tmp_path / "mapping.yaml"
    args = ["init", str(EXPORTS / "google-forms.csv"), "--instrument",
            str(FIXTURES / "mini.yaml"), "--out", str(out)]
    result = CliRunner().invoke(mapping, args)
    assert result.exit_code == 0, result.output
    assert "Google Forms export, 8 responses" in result.output
    assert "6 of 6 items matched" in result.output
    assert load_mapping(out, mini).items["a1"].column.endswith("[Alpha item one.]")
    again = CliRunner().invoke(mapping, args)
    assert again.exit_code == 2
    assert "exists" in again.output
    assert CliRunner().invoke(mapping, [*args, "--force"]).exit_code == 0


def test_mapping_init_reports_what_to_check(tmp_path):
    from surveyor.cli.mapping import mapping

    out = tmp_path / "m.yaml"
    result = CliRunner().invoke(mapping, [
        "init", str(EXPORTS / "surveymonkey.xlsx"), "-i", str(FIXTURES / "mini.yaml"),
        "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "Check: organization, set." in result.output
    result = CliRunner().invoke(mapping, [
        "init", str(EXPORTS / "google-forms.csv"), "-i", str(FIXTURES / "mini.yaml"),
        "--format", "kobo", "-o", str(tmp_path / "x.yaml"),
    ])
    assert result.exit_code == 2
    assert "does not look like a KoboToolbox export" in result.output
