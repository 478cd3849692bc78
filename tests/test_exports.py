"""Tests for surveyor.inputs.exports: format detection, each tool's reader, and export defects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.errors import ResponsesError, SurveyorError
from surveyor.inputs.exports import CanonicalTable
from surveyor.inputs.read import load_export, read_export
from surveyor.inputs.recognise import detect_format
from surveyor.inputs.table import parse_delimited, sniff_delimiter
from surveyor.inputs.text import decode
from surveyor.instrument.model import load_instrument

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"
ITEMS = ["a1", "a2", "a3", "b1", "b2", "b3"]

# file -> (detected format, mapping file or None)
CASES = {
    "canonical.csv": ("csv", None),
    "qualtrics.csv": ("qualtrics", "qualtrics.mapping.yaml"),
    "qualtrics-labels.csv": ("qualtrics", "qualtrics-labels.mapping.yaml"),
    "qualtrics-legacy.csv": ("qualtrics-legacy", "qualtrics-legacy.mapping.yaml"),
    "surveymonkey.csv": ("surveymonkey", "surveymonkey.mapping.yaml"),
    "surveymonkey.xlsx": ("surveymonkey", "surveymonkey.mapping.yaml"),
    "google-forms.csv": ("google-forms", None),
    "ms-forms.xlsx": ("ms-forms", None),
    "kobo.csv": ("kobo", None),
    "kobo.xlsx": ("kobo", None),
    "questions-cp1252.csv": ("csv", None),
    "questions-utf16.txt": ("csv", None),
    "ms-forms.csv": ("ms-forms", None),
    "surveymonkey-respondentid.csv": ("surveymonkey", None),
    "surveymonkey-startdate.csv": ("surveymonkey", None),
    "kobo-hxl.csv": ("kobo", None),
    "odk-central.csv": ("odk-central", None),
}


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def as_codes(frame: pd.DataFrame, instrument) -> pd.DataFrame:
    """Item values as scale codes (labels looked up, never-scored options as 'DK')."""
    scale = instrument.scale
    lookup = {label.casefold(): str(v) for v, label in zip(scale.values, scale.labels, strict=True)}
    lookup |= {str(v): str(v) for v in scale.values}
    lookup |= {label.casefold(): "DK" for label in scale.missing}
    lookup[""] = ""
    out = frame.copy()
    for item in instrument.item_ids:
        out[item] = [lookup[value.strip().casefold()] for value in out[item]]
    return out


def canonical_frame() -> pd.DataFrame:
    return pd.read_csv(EXPORTS / "canonical.csv", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------- every format


@pytest.mark.parametrize("name", list(CASES))
def test_detect_format(name):
    assert detect_format(EXPORTS / name) == CASES[name][0]


@pytest.mark.parametrize("name", list(CASES))
def test_every_format_gives_the_canonical_answers(name, mini):
    fmt, mapping = CASES[name]
    table = read_export(EXPORTS / name, mini, mapping=mapping and EXPORTS / mapping)
    assert isinstance(table, CanonicalTable)
    assert table.format == fmt
    assert list(table.frame.columns) == ["respondent_id", "organization", "set", *ITEMS]
    assert all(isinstance(v, str) for v in table.frame.to_numpy().ravel())
    assert len(table.rows) == len(table.frame)
    got = as_codes(table.frame, mini)
    expected = as_codes(canonical_frame(), mini)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_canonical_values_pass_through_unchanged(mini):
    table = read_export(EXPORTS / "canonical.csv", mini)
    pd.testing.assert_frame_equal(table.frame.astype(str), canonical_frame())
    assert table.rows == list(range(2, 10))
    assert table.columns["a1"] == "a1"


def test_row_numbers_are_the_exports_own(mini):
    table = read_export(EXPORTS / "qualtrics.csv", mini, mapping=EXPORTS / "qualtrics.mapping.yaml")
    # Three header rows, the preview at row 4, the unfinished response at row 9.
    assert table.rows == [5, 6, 7, 8, 10, 11, 12, 13]
    monkey = read_export(
        EXPORTS / "surveymonkey.csv", mini, mapping=EXPORTS / "surveymonkey.mapping.yaml"
    )
    assert monkey.rows == list(range(3, 11))
    # A comment with a line break is one record, as a spreadsheet numbers it.
    google = read_export(EXPORTS / "google-forms.csv", mini)
    assert google.rows == list(range(2, 10))


def test_columns_name_the_export_headers(mini):
    table = read_export(EXPORTS / "qualtrics.csv", mini, mapping=EXPORTS / "qualtrics.mapping.yaml")
    assert table.columns == {
        "respondent_id": "ExternalReference", "organization": "Org", "set": "Set",
        "a1": "Q5_1", "a2": "Q5_2", "a3": "Q5_3", "b1": "Q6_1", "b2": "Q6_2", "b3": "Q6_3",
    }
    google = read_export(EXPORTS / "google-forms.csv", mini)
    assert google.columns["a3"] == (
        "How much do you agree with each statement? [Alpha item three, reversed.]"
    )


def test_responses_validator_reads_every_format_alike(mini, tmp_path):
    """The canonical tables validate to the same codes through surveyor.inputs.validate."""
    from surveyor.inputs.read import read_responses

    frames = []
    for name, (_, mapping) in CASES.items():
        table = read_export(EXPORTS / name, mini, mapping=mapping and EXPORTS / mapping)
        path = tmp_path / f"{name}.csv"
        table.frame.to_csv(path, index=False)
        frames.append(read_responses(path, mini).frame[ITEMS].reset_index(drop=True))
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])


# ------------------------------------------------------------------------- qualtrics


def test_qualtrics_preview_rows_dropped_with_a_note(mini):
    table = read_export(EXPORTS / "qualtrics-labels.csv", mini,
                        mapping=EXPORTS / "qualtrics-labels.mapping.yaml")
    assert "dropped 1 Survey Preview row (row 4)" in table.notes
    assert "" not in set(table.frame["respondent_id"])


def test_qualtrics_unfinished_excluded_unless_asked(mini):
    mapping = EXPORTS / "qualtrics.mapping.yaml"
    table = read_export(EXPORTS / "qualtrics.csv", mini, mapping=mapping)
    assert "r99" not in set(table.frame["respondent_id"])
    assert any(n.startswith("excluded 1 unfinished response (row 9)") for n in table.notes)
    partial = read_export(EXPORTS / "qualtrics.csv", mini, mapping=mapping, include_partial=True)
    assert partial.rows[partial.frame["respondent_id"].tolist().index("r99")] == 9
    assert any(n.startswith("kept 1 unfinished response") for n in partial.notes)


def test_qualtrics_recode_maps_dont_know_to_the_missing_option(mini):
    table = read_export(EXPORTS / "qualtrics.csv", mini, mapping=EXPORTS / "qualtrics.mapping.yaml")
    r03 = table.frame.set_index("respondent_id").loc["r03"]
    assert r03["b2"] == "Don't know / not applicable"
    assert table.frame.set_index("respondent_id").loc["r04"]["b3"] == ""


def test_qualtrics_recode_mismatch_names_row_column_value(mini, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    text = (EXPORTS / "qualtrics.mapping.yaml").read_text()
    mapping.write_text(text.replace(
        "recode: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: missing}",
        "recode: {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}",
    ))
    with pytest.raises(ResponsesError) as caught:
        read_export(EXPORTS / "qualtrics.csv", mini, mapping=mapping)
    message = str(caught.value)
    assert "row 5, column 'Q5_2' (S): '5' (item a2) is not in the mapping's recode table" in message
    assert "(0, 1, 2, 3, 4)" in message
    assert "row 7, column 'Q6_2' (V): '6' (item b2)" in message
    lines = message.splitlines()[1:]
    # How the export was read comes first, then the problems row by row.
    assert lines[0] == "  note: read as a Qualtrics export"
    assert lines[1].startswith("  note: dropped 1 Survey Preview row")
    problems = [line for line in lines if not line.startswith("  note: ")]
    rows = [int(line.split(",")[0].split()[-1]) for line in problems]
    assert rows == sorted(rows)


def test_qualtrics_numeric_codes_without_recode_are_kept_for_validation(mini, tmp_path):
    """Without a recode table, the off-scale code 6 reaches the validator, never blank."""
    mapping = tmp_path / "mapping.yaml"
    text = (EXPORTS / "qualtrics.mapping.yaml").read_text()
    mapping.write_text(text.replace("recode: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: missing}", ""))
    table = read_export(EXPORTS / "qualtrics.csv", mini, mapping=mapping)
    position = table.frame["respondent_id"].tolist().index("r03")
    assert table.frame["b2"][position] == "6"
    assert table.rows[position] == 7
    assert table.columns["b2"] == "Q6_2"


def test_qualtrics_forced_format_accepts_legacy(mini):
    export = load_export(EXPORTS / "qualtrics-legacy.csv", "qualtrics")
    assert export.format == "qualtrics-legacy"
    assert export.rows[0] == 3


def test_forced_format_that_does_not_fit(mini):
    with pytest.raises(SurveyorError, match="does not look like a Qualtrics export"):
        load_export(EXPORTS / "google-forms.csv", "qualtrics")
    with pytest.raises(SurveyorError, match="unknown export format"):
        load_export(EXPORTS / "google-forms.csv", "stata")


# ------------------------------------------------------------------- other defects


def test_unmatched_label_is_kept_with_its_location(mini, tmp_path):
    """A label that matches no option reaches the validator with its export row and
    column; it never becomes a silent missing value."""
    text = (EXPORTS / "google-forms.csv").read_bytes().decode("utf-8")
    lines = text.split("\r\n")
    lines[1] = lines[1].replace(",Agree,Strongly agree,", ",Agree,Strongly agre,", 1)
    path = tmp_path / "google.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    table = read_export(path, mini)
    assert table.frame["a2"][0] == "Strongly agre"
    assert table.rows[0] == 2
    assert table.columns["a2"] == "How much do you agree with each statement? [Alpha item two.]"


def test_duplicated_question_text_is_ambiguous(mini, tmp_path):
    rows = list(csv.reader(io.StringIO((EXPORTS / "google-forms.csv").read_text())))
    rows[0][-1] = rows[0][5]  # "Any comments?" renamed to the a2 question
    path = tmp_path / "dup.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini)
    message = str(caught.value)
    assert "item a2: the item text 'Alpha item two.' heads 2 columns (F, K)" in message
    assert "duplicated" in message


def test_duplicated_text_named_in_a_mapping_is_ambiguous(mini, tmp_path):
    rows = list(csv.reader(io.StringIO((EXPORTS / "surveymonkey.csv").read_text())))
    rows[1][17] = rows[1][12]  # the comment column now reads like item a2
    rows[0][17] = ""
    path = tmp_path / "monkey.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini, mapping=EXPORTS / "surveymonkey.mapping.yaml")
    assert "items.a2: item a2:" in str(caught.value)
    assert "heads 2 columns (M, R)" in str(caught.value)


def test_missing_mapped_column(mini, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    text = (EXPORTS / "qualtrics-labels.mapping.yaml").read_text()
    mapping.write_text(text.replace("a3: Q5_3", "a3: Q5_9").replace("set: Set", "set: Group"))
    with pytest.raises(ResponsesError) as caught:
        read_export(EXPORTS / "qualtrics-labels.csv", mini, mapping=mapping)
    message = str(caught.value)
    assert "2 problems found" in message
    assert "mapping.yaml items.a3: item a3: the export has no column 'Q5_9'" in message
    assert "mapping.yaml set: set column: the export has no column 'Group'" in message


def test_no_mapping_and_no_item_columns_points_to_mapping_init(mini, tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text("respondent_id,organization,set,Q1,Q2,Q3,Q4,Q5,Q6\nr1,O,S,1,2,3,4,5,1\n")
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini)
    message = str(caught.value)
    assert "6 problems found" in message
    assert "item a1: no column is headed 'a1' or with the item text 'Alpha item one.'" in message
    assert "surveyor mapping init EXPORT --instrument mini" in message


def test_exact_item_texts_need_no_mapping(mini):
    """Legacy Qualtrics 'Stem-Statement' headers whose statements are the item texts."""
    table = read_export(EXPORTS / "qualtrics-legacy.csv", mini)
    assert table.columns["a1"] == "Q5_1"
    assert "matched 6 items to export columns by exact question text" in table.notes


def test_organization_and_set_from_the_command_line(mini):
    table = read_export(
        EXPORTS / "surveymonkey.csv", mini, mapping=EXPORTS / "surveymonkey.mapping.yaml",
        organization="Beta Ltd", set_name="Only set",
    )
    assert set(table.frame["organization"]) == {"Beta Ltd"}
    assert set(table.frame["set"]) == {"Only set"}
    assert "organization" not in table.columns
    assert any("replaces column 'Your organisation'" in note for note in table.notes)


def test_missing_organization_says_how_to_give_it(mini, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("respondent_id,set,a1,a2,a3,b1,b2,b3\nr1,S,1,2,3,4,5,1\n")
    with pytest.raises(ResponsesError, match="give --organization"):
        read_export(path, mini)
    table = read_export(path, mini, organization="Acme")
    assert table.frame["organization"].tolist() == ["Acme"]


# ------------------------------------------------------------------------------ kobo


def test_kobo_with_and_without_group_names(mini):
    grouped = read_export(EXPORTS / "kobo.csv", mini)
    flat = read_export(EXPORTS / "kobo.xlsx", mini)
    assert grouped.columns["a1"] == "alpha_sub/a1"
    assert flat.columns["a1"] == "a1"
    pd.testing.assert_frame_equal(grouped.frame, flat.frame)


def test_kobo_dont_know_choice_becomes_the_missing_option(mini):
    table = read_export(EXPORTS / "kobo.csv", mini)
    r03 = table.frame.set_index("respondent_id").loc["r03"]
    assert r03["b2"] == "Don't know / not applicable"


def test_kobo_blank_respondent_code_uses_uuid(mini, tmp_path):
    text = (EXPORTS / "kobo.csv").read_text(encoding="utf-8")
    path = tmp_path / "kobo.csv"
    path.write_text(text.replace(";r02;", ";;"), encoding="utf-8")
    table = read_export(path, mini)
    assert table.frame["respondent_id"][1] == "6f1c2e4a-0000-4000-8000-000000000002"
    assert any("_uuid" in note for note in table.notes)


# ------------------------------------------------------------- encodings and dialects


def test_decode_text_encodings():
    text = "Caf\u00e9;na\u00efve\r\n"

    def decode_text(raw):
        decoded = decode(raw)
        return decoded.text, decoded.encoding

    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")
    assert decode_text(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_text(text.encode("cp1252")) == (text, "cp1252")


def test_sniff_delimiter_ignores_commas_inside_quotes():
    text = 'Code;"How, and why?";Set\r\nr1;"Agree, mostly";A\r\nr2;Agree;B\r\n'
    assert sniff_delimiter(text) == ";"
    assert parse_delimited(text)[1] == ["r1", "Agree, mostly", "A"]


def test_bom_and_crlf_in_canonical_csv(mini, tmp_path):
    path = tmp_path / "bom.csv"
    text = (EXPORTS / "canonical.csv").read_text().replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8-sig"))
    table = read_export(path, mini)
    pd.testing.assert_frame_equal(table.frame.astype(str), canonical_frame())


def test_unreadable_files(tmp_path):
    with pytest.raises(SurveyorError, match="no such file"):
        detect_format(tmp_path / "absent.csv")
    with pytest.raises(SurveyorError, match="is a folder"):
        detect_format(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SurveyorError, match="empty"):
        load_export(empty)


CELL = st.text(alphabet=st.sampled_from(list('ab Z1é"\n')), max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    width=st.integers(2, 5),
    data=st.data(),
)
def test_delimited_round_trip(delimiter, width, data):
    """Whatever the cells hold (quotes, line breaks, the delimiter), parsing recovers them."""
    cell = st.one_of(CELL, CELL.map(lambda s: s + delimiter))
    grid = data.draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1,
                              max_size=6))
    header = [f"h{i}" for i in range(width)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *grid])
    assert parse_delimited(buffer.getvalue()) == [header, *grid]


def test_every_format_scores_identically(mini, tmp_path):
    """Scores, group summaries and reliability agree across every format's fixture.

    The canonical table goes through a CSV here because the pipeline reads a path; row
    numbers differ from the export's, which does not change any number.
    """
    from surveyor.pipeline import score

    results = {}
    for name, (_, mapping) in CASES.items():
        table = read_export(EXPORTS / name, mini, mapping=mapping and EXPORTS / mapping)
        path = tmp_path / f"{name}.csv"
        table.frame.to_csv(path, index=False)
        results[name] = score(path, mini, min_group_size=3, consented=True)
    first = results["canonical.csv"]
    for name, result in results.items():
        pd.testing.assert_frame_equal(
            result.scores.reset_index(drop=True), first.scores.reset_index(drop=True),
            obj=f"{name} scores",
        )
        pd.testing.assert_frame_equal(result.groups, first.groups, obj=f"{name} groups")
        pd.testing.assert_frame_equal(
            result.reliability, first.reliability, obj=f"{name} reliability"
        )


# ----------------------------------------------------------- real-export defects (issue 12)


def test_ms_forms_headed_id_uses_it_as_the_platform_id():
    # Before: "'ID' is not in list" unless a mapping was given.
    export = load_export(EXPORTS / "ms-forms.csv")
    assert (export.format, export.id_column) == ("ms-forms", "Id")
    assert export.notes == [
        "the file is not UTF-8, so it was read as Windows-1252 (Western European); check "
        "that accented names look right, or export it again as UTF-8"
    ]


@pytest.mark.parametrize(
    "name, id_column",
    [("surveymonkey-respondentid.csv", "RespondentID"), ("surveymonkey-startdate.csv", None)],
)
def test_older_surveymonkey_exports_drop_their_answer_kinds_row(name, id_column, mini):
    export = load_export(EXPORTS / name, "surveymonkey")  # --format is accepted too
    assert export.id_column == id_column
    assert export.rows[0] == 3 and len(export.data) == 8
    assert "Response" not in export.data[0]
    table = read_export(EXPORTS / name, mini)
    assert table.frame["respondent_id"].tolist()[:2] == ["r01", "r02"]


def test_kobo_hxl_row_is_dropped_with_a_note(mini):
    table = read_export(EXPORTS / "kobo-hxl.csv", mini)
    assert table.rows[0] == 3 and len(table.rows) == 8
    assert table.notes[0] == (
        "dropped the HXL hashtag row (row 2: #respondent, #org, #group+set...)"
    )


def test_odk_central_reads_group_paths_and_choice_names(mini):
    table = read_export(EXPORTS / "odk-central.csv", mini)
    assert table.format == "odk-central"
    assert table.columns["a1"] == "alpha_sub-a1"
    expected = as_codes(canonical_frame(), mini)
    assert as_codes(table.frame, mini)[mini.item_ids].equals(expected[mini.item_ids])


def qualtrics_grid(statuses: list[str]) -> str:
    """A 3-row Qualtrics export with one respondent per status."""
    names = ["StartDate", "EndDate", "Status", "Finished", "ResponseId", "Org", "Set",
             "a1", "a2", "a3", "b1", "b2", "b3"]
    texts = ["Start Date", "End Date", "Response Type", "Finished", "Response ID", "Org",
             "Set", *(f"Q - item {i}" for i in range(6))]
    imports = [f'"{{""ImportId"":""{n}""}}"' for n in names]
    lines = [",".join(names), ",".join(texts), ",".join(imports)]
    for i, status in enumerate(statuses):
        lines.append(f"2024-01-01,2024-01-01,{status},1,R_{i},Acme,Set A,1,2,3,4,5,1")
    return "\n".join(lines) + "\n"


def test_qualtrics_spam_statuses_are_dropped(mini, tmp_path):
    path = tmp_path / "qualtrics.csv"
    path.write_text(qualtrics_grid(["0", "8", "9", "12", "17", "Spam", "0"]), encoding="utf-8")
    export = load_export(path)
    assert export.format == "qualtrics" and export.rows == [4, 10]
    assert export.notes == [
        "dropped 2 Spam rows (rows 5, 9)", "dropped 1 Preview Spam row (row 6)",
        "dropped 1 Imported Spam row (row 7)", "dropped 1 Offline Survey Preview row (row 8)",
    ]


def test_an_export_with_every_row_filtered_out_says_what_was_dropped(mini, tmp_path):
    path = tmp_path / "qualtrics.csv"
    path.write_text(qualtrics_grid(["2", "2", "1"]), encoding="utf-8")
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini)
    assert str(caught.value).splitlines()[1:] == [
        "  note: read as a Qualtrics export",
        "  note: dropped 2 Survey Test rows (rows 4, 5)",
        "  note: dropped 1 Survey Preview row (row 6)",
        "  no responses are left in the export after the rows dropped above; check the survey "
        "tool's filters and export the real responses (test and preview responses are never "
        "scored; --include-partial keeps unfinished ones)",
    ]


def duplicated_export(tmp_path: Path) -> Path:
    """A Google Forms export asking 'Alpha item two.' twice (columns F and G)."""
    header = ["Timestamp", "Respondent code", "Organisation", "Action learning set",
              "Alpha item one.", "Alpha item two.", "Alpha item two.",
              "Alpha item three, reversed.", "Beta item one.", "Beta item two.",
              "Beta item three."]
    rows = [["2024-01-01", "r1", "Acme", "Set A", "1", "2", "4", "3", "4", "5", "1"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path = tmp_path / "google.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def mapping_file(tmp_path: Path, a2: str) -> Path:
    items = {"a1": "Alpha item one.", "a3": "Alpha item three, reversed.",
             "b1": "Beta item one.", "b2": "Beta item two.", "b3": "Beta item three."}
    lines = ["respondent_id: Respondent code", "organization: Organisation",
             "set: Action learning set", "items:", f"  a2: {a2}"]
    lines += [f'  {k}: "{v}"' for k, v in items.items()]
    path = tmp_path / "mapping.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("a2, value", [
    ('{column: "Alpha item two.", occurrence: 1}', "2"),
    ('{column: "Alpha item two.", occurrence: 2}', "4"),
    ("{letter: G}", "4"),
    ('{letter: f, column: "Alpha item two."}', "2"),
])
def test_a_repeated_header_is_chosen_by_occurrence_or_letter(mini, tmp_path, a2, value):
    path = duplicated_export(tmp_path)
    table = read_export(path, mini, mapping=mapping_file(tmp_path, a2))
    assert table.frame["a2"].tolist() == [value]


@pytest.mark.parametrize("a2, message", [
    ('"Alpha item two."',
     "items.a2: item a2: the question text 'Alpha item two.' heads 2 columns (F, G), so the "
     "column is ambiguous; choose one in the mapping by its letter ({letter: F}) or by "
     "occurrence ({column: ..., occurrence: 2} for the second from the left)"),
    ('{column: "Alpha item two.", occurrence: 3}',
     "items.a2: item a2: occurrence 3 of 'Alpha item two.' is asked for, but 2 columns are "
     "so headed"),
    ('{letter: E, column: "Alpha item two."}',
     "items.a2: item a2: column E is headed 'Alpha item one.', not 'Alpha item two.'"),
    ("{letter: Z}", "items.a2: item a2: the export has no column Z; its last column is K"),
])
def test_a_bad_column_choice_says_what_to_write(mini, tmp_path, a2, message):
    path = duplicated_export(tmp_path)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini, mapping=mapping_file(tmp_path, a2))
    assert message in str(caught.value)


def test_a_repeated_field_name_is_called_a_field_name(mini, tmp_path):
    rows = list(csv.reader(io.StringIO((EXPORTS / "qualtrics.csv").read_text("utf-8-sig"))))
    rows[0][18] = "Q5_1"  # Q5_2's field name now repeats Q5_1's
    path = tmp_path / "q.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(ResponsesError) as caught:
        read_export(path, mini, mapping=EXPORTS / "qualtrics.mapping.yaml")
    assert "the field name 'Q5_1' heads 2 columns (R, S)" in str(caught.value)


def shared_label_instrument(tmp_path: Path, stems: bool):
    """Items a1 and b1 share the row label 'I feel safe' in two matrices."""
    from tests.conftest import MINI_TEXT

    text = MINI_TEXT.replace('"Alpha item one."', '"I feel safe."').replace(
        '"Beta item one."', '"I feel safe."')
    if stems:
        text = text.replace("    name: Alpha\n",
                            "    name: Alpha\n    stem: How much do you agree?\n")
        text = text.replace("    name: Beta\n", "    name: Beta\n    stem: How often?\n")
    (tmp_path / "shared.yaml").write_text(text, encoding="utf-8")
    return load_instrument(tmp_path / "shared.yaml")


def shared_label_export(tmp_path: Path) -> Path:
    """A Google Forms export of the two matrices, Beta's first."""
    header = ["Timestamp", "Respondent code", "Organisation", "Action learning set",
              "How often? [I feel safe.]", "How often? [Beta item two.]",
              "How often? [Beta item three.]", "How much do you agree? [I feel safe.]",
              "How much do you agree? [Alpha item two.]",
              "How much do you agree? [Alpha item three, reversed.]"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, ["t", "r1", "Acme", "S", "1", "2", "3", "4", "5",
                                           "2"]])
    path = tmp_path / "google.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_stem_tells_apart_items_sharing_a_row_label(tmp_path):
    from surveyor.inputs.mapping_init import propose_mapping

    path = shared_label_export(tmp_path)
    with pytest.raises(ResponsesError, match="the item text 'I feel safe.' heads 2 columns"):
        read_export(path, shared_label_instrument(tmp_path, stems=False))
    instrument = shared_label_instrument(tmp_path, stems=True)
    assert instrument.stem_of(instrument.items[0]) == "How much do you agree?"
    table = read_export(path, instrument)
    assert table.columns["a1"] == "How much do you agree? [I feel safe.]"
    assert table.columns["b1"] == "How often? [I feel safe.]"
    assert table.frame.loc[0, ["a1", "b1"]].tolist() == ["4", "1"]
    proposal = propose_mapping(path, instrument)
    assert proposal.items["a1"].column == "How much do you agree? [I feel safe.]"
    assert proposal.items["b1"].column == "How often? [I feel safe.]"
