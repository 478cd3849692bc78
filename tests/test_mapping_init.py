"""Tests for surveyor.inputs.mapping_init: proposing a mapping for an export, and `mapping init`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from surveyor.errors import ValidationError
from surveyor.inputs.mapping import ItemColumn, Source, load_mapping, parse_mapping
from surveyor.inputs.mapping_init import mapping_yaml, match_score, propose_mapping
from surveyor.inputs.read import load_export, read_export

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"


def write(tmp_path: Path, text: str) -> Path:
    """A proposal saved where the consultant would save it."""
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "mapping.yaml"


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
    loaded, problems = parse_mapping(yaml.safe_load(mapping_yaml(proposal)), mini)
    assert not problems
    assert loaded.items["a1"].column == 'He said: "yes" # no'
    assert loaded.ids["set"] == Source(value="true")


def test_match_score_compares_the_item_with_the_best_part_of_a_header():
    assert match_score("Alpha item one.", "Stem [alpha  ITEM one]") == 1.0
    assert match_score("Alpha item one.", "Totally different") < 0.6


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


# -------------------------------------------------- ids and groups (issue 12 §3)


def test_platform_id_wins_and_groups_are_found_by_meaning(mini, tmp_path):
    """Before: respondent_id was guessed from 'Please enter your address - Postal code'
    (the word 'code') ahead of RespondentID, and set from the free text 'About your set'."""
    proposal = propose_mapping(EXPORTS / "surveymonkey-meaning.csv", mini)
    assert proposal.ids == {
        "respondent_id": Source(column="RespondentID"),
        "organization": Source(column="Your organisation"),
        "set": Source(column="Which set are you in?"),
    }
    assert proposal.comments["set"] == (
        "CHECK: found by what its question asks, 'Which set are you in?'"
    )
    # Accepted unchanged, the proposal reads the canonical sets and answers.
    path = write(tmp_path, mapping_yaml(proposal))
    table = read_export(EXPORTS / "surveymonkey-meaning.csv", mini, mapping=path)
    canonical = list(csv.DictReader(io.StringIO((EXPORTS / "canonical.csv").read_text())))
    assert table.frame["set"].tolist() == [row["set"] for row in canonical]
    assert table.frame["organization"].tolist() == [row["organization"] for row in canonical]


def plain_export(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / "export.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_an_embedded_data_field_names_the_set(mini, tmp_path):
    texts = ["Alpha item one.", "Alpha item two.", "Alpha item three, reversed.",
             "Beta item one.", "Beta item two.", "Beta item three."]
    header = ["Email", "Your action learning set", "alsset", "Organisation", *texts]
    rows = [[f"p{i}@example.org", f"we are set {i}", "Set A" if i < 4 else "Set B", "Acme",
             "1", "2", "3", "4", "5", "1"] for i in range(8)]
    proposal = propose_mapping(plain_export(tmp_path, header, rows), mini)
    # The free-text answers under 'Your action learning set' are all different: not a group.
    assert proposal.ids["set"] == Source(column="alsset")
    assert proposal.ids["organization"] == Source(column="Organisation")
    assert "respondent_id" not in proposal.ids  # never the e-mail address


def test_personal_data_is_never_proposed_as_a_group(mini, tmp_path):
    texts = ["Alpha item one.", "Alpha item two.", "Alpha item three, reversed.",
             "Beta item one.", "Beta item two.", "Beta item three."]
    header = ["Organisation e-mail address", "Set-up time", *texts]
    rows = [["a@example.org", "5", "1", "2", "3", "4", "5", "1"] for _ in range(6)]
    proposal = propose_mapping(plain_export(tmp_path, header, rows), mini)
    assert "organization" not in proposal.ids and "set" not in proposal.ids


def test_recode_hints_are_per_item_and_fit_the_scale(tmp_path):
    """Before: one generic 5-point example whatever the scale. A 4-point instrument whose
    export codes 0-3 (and 9 for "Don't know"), one item coded 1-4 already."""
    from tests.conftest import edit

    text = edit("values: [1, 2, 3, 4, 5]", "values: [1, 2, 3, 4]")
    text = edit('"Neither agree nor disagree", ', "", text)
    (tmp_path / "four.yaml").write_text(text, encoding="utf-8")
    from surveyor.instrument.model import load_instrument

    four = load_instrument(tmp_path / "four.yaml")
    texts = ["Alpha item one.", "Alpha item two.", "Alpha item three, reversed.",
             "Beta item one.", "Beta item two.", "Beta item three."]
    header = ["Respondent code", "Organisation", "Set", *texts]
    rows = [[f"r{i}", "Acme", "S", str(i % 4), "0", "3", "9", "2", str(i % 4 + 1)]
            for i in range(6)]
    proposal = propose_mapping(plain_export(tmp_path, header, rows), four)
    assert proposal.comments["items.a1"].endswith(
        "codes seen 0, 1, 2, 3, not all on the scale 1-4; e.g. recode: {0: 1, 1: 2, 2: 3, 3: 4}"
    )
    # Only 9 was seen there: the example follows the codes of the export as a whole.
    assert proposal.comments["items.b1"].endswith(
        "codes seen 9, not all on the scale 1-4; e.g. recode: {0: 1, 1: 2, 2: 3, 3: 4, "
        "9: missing}"
    )
    assert "codes seen" not in proposal.comments["items.b3"]  # 1-4: on the scale
    text = mapping_yaml(proposal)
    assert "# recode: {0: 1, 1: 2, 2: 3, 3: 4, 9: missing}" in text
    assert "(the items use different codes: give each its own recode)" in text
