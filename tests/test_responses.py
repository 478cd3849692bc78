"""Reading and validating responses files (surveyor.inputs.read, surveyor.inputs.validate)."""

from __future__ import annotations

import hashlib
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyor.errors import ResponsesError, SurveyorError
from surveyor.inputs import validate as validate_module
from surveyor.inputs.read import read_responses
from surveyor.inputs.validate import Responses
from surveyor.instrument.model import load_instrument

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"
ITEMS = ["a1", "a2", "a3", "b1", "b2", "b3"]
MISSING = "Don't know / not applicable"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def write(tmp_path: Path, text: str, name: str = "responses.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def errors(path: Path, instrument) -> list[str]:
    """The error lines of a file expected to fail."""
    with pytest.raises(ResponsesError) as info:
        read_responses(path, instrument)
    return [str(p) for p in info.value.problems if p.severity == "error"]


def warnings_of(result: Responses) -> list[str]:
    return [str(p) for p in result.warnings]


# ------------------------------------------------------------------------ valid files


def test_reads_a_valid_file(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,North,S1,1,2,3,4,5,1", "R2,North,S1,5,4,3,2,1,2"))
    result = read_responses(path, mini)
    frame = result.frame
    assert list(frame.columns) == ["respondent_id", "organization", "set", *ITEMS]
    assert list(frame.index) == [2, 3]
    assert frame.index.name == "row"
    assert frame.loc[2, ITEMS].tolist() == [1, 2, 3, 4, 5, 1]
    # Raw codes: the reverse-keyed a3 is left for scoring to key.
    assert frame.loc[3, "a3"] == 3
    assert all(frame[item].dtype == np.float64 for item in ITEMS)
    assert frame.loc[2, "respondent_id"] == "R1" and isinstance(frame.loc[2, "set"], str)
    assert result.format == "csv" and result.encoding == "utf-8"
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.source == path
    assert result.warnings == [] and result.skipped_rows == [] and result.has_wave is False


def test_codes_labels_and_missing_mixed(tmp_path, mini):
    path = write(
        tmp_path,
        csv_text(
            'R1,O,S1, 4 ,4.0,agree,"Strongly  Agree",  strongly disagree ,NEITHER AGREE NOR '
            "DISAGREE",
            f'R2,O,S1,,"{MISSING}","  don\'t know /  NOT applicable ",2,04,"4,0"',
        ),
    )
    frame = read_responses(path, mini).frame
    assert frame.loc[2, ITEMS].tolist() == [4, 4, 4, 5, 1, 3]
    row = frame.loc[3, ITEMS].tolist()
    assert all(math.isnan(v) for v in row[:3]) and row[3:] == [2, 4, 4]


def test_header_matching_ignores_case_spaces_and_accepts_organisation(tmp_path, mini):
    header = " Respondent_ID , ORGANISATION,Set ,A1,a2 , a3,B1,b2,b3"
    path = write(tmp_path, csv_text("R1,North,S1,1,2,3,4,5,1", header=header))
    frame = read_responses(path, mini).frame
    assert list(frame.columns)[:3] == ["respondent_id", "organization", "set"]
    assert frame.loc[2, "organization"] == "North"


def test_ids_and_names_are_kept_as_text_and_stripped(tmp_path, mini):
    path = write(tmp_path, csv_text("007,  North Trust  , Set A ,1,2,3,4,5,1", "NA,None,S,1,,,,,"))
    frame = read_responses(path, mini).frame
    assert frame.loc[2, ["respondent_id", "organization", "set"]].tolist() == [
        "007", "North Trust", "Set A",
    ]
    # "NA" and "None" are ordinary text in id and name columns, never missing.
    assert frame.loc[3, ["respondent_id", "organization"]].tolist() == ["NA", "None"]


def test_wave_column_allows_one_id_per_wave(tmp_path, mini):
    header = HEADER.replace("set,", "set,Wave,")
    path = write(
        tmp_path,
        csv_text("R1,O,S1,1,1,2,3,4,5,1", "R1,O,S1,2,1,2,3,4,5,1", header=header),
    )
    result = read_responses(path, mini)
    assert result.has_wave
    assert list(result.frame.columns)[:4] == ["respondent_id", "organization", "set", "wave"]
    assert result.frame["wave"].tolist() == ["1", "2"]


def test_bom_is_removed(tmp_path, mini):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text("R1,O,S1,1,2,3,4,5,1").encode())
    result = read_responses(path, mini)
    assert result.encoding == "utf-8-sig"
    assert result.frame.loc[2, "respondent_id"] == "R1"


def test_cp1252_falls_back_with_a_warning(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,Société Générale,S1,1,2,3,4,5,1"), encoding="cp1252")
    result = read_responses(path, mini)
    assert result.encoding == "cp1252"
    assert result.frame.loc[2, "organization"] == "Société Générale"
    assert any("Windows-1252" in w for w in warnings_of(result))


def test_utf16_unicode_text_export(tmp_path, mini):
    text = csv_text("R1,O,S1,1,2,3,4,5,1").replace(",", "\t")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    result = read_responses(path, mini)
    assert result.encoding == "utf-16"
    assert result.frame.loc[2, "b3"] == 1


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters(tmp_path, mini, delimiter):
    rows = ["R1,North, Trust,S1,1,2,3,4,5,1".replace(",", delimiter, 1), "R2,O,S1,2,2,2,2,2,2"]
    text = csv_text(*rows).replace(",", delimiter)
    # A value holding a comma is fine when the delimiter is something else.
    text = text.replace(f"North{delimiter} Trust", "North, Trust")
    result = read_responses(write(tmp_path, text), mini)
    assert result.frame.loc[2, "organization"] == "North, Trust"
    assert result.frame.loc[3, ITEMS].tolist() == [2] * 6


def test_semicolons_with_decimal_commas(tmp_path, mini):
    text = csv_text("R1;O;S1;4,0;2;3;4;5;1", "R2;O;S1;1;2;3;4;5;1").replace(
        HEADER, HEADER.replace(",", ";")
    )
    frame = read_responses(write(tmp_path, text), mini).frame
    assert frame.loc[2, "a1"] == 4


def test_crlf_line_ends(tmp_path, mini):
    text = csv_text("R1,O,S1,1,2,3,4,5,1", "R2,O,S1,7,2,3,4,5,1").replace("\n", "\r\n")
    path = write(tmp_path, text)
    assert errors(path, mini) == [
        "row 3, column a1: '7' is not on the scale 1-5 (or one of its labels); use a whole "
        "number from 1 to 5, or leave it empty"
    ]


def test_quoted_newline_counts_as_one_row(tmp_path, mini):
    # Row numbers follow records (as a spreadsheet shows them), not physical lines: the
    # two-line organization name is row 2, and the next record is row 3.
    text = csv_text('R1,"North\nTrust",S1,1,2,3,4,5,1', "R2,O,S1,9,2,3,4,5,1")
    path = write(tmp_path, text)
    assert errors(path, mini)[0].startswith("row 3, column a1: '9' is not on the scale")


def test_leading_blank_lines_before_header(tmp_path, mini):
    path = write(tmp_path, "\n\n" + csv_text("R1,O,S1,1,2,3,4,5,1", "R2,O,S1,1,2,3,4,5,x"))
    assert errors(path, mini)[0].startswith("row 5, column b3: 'x'")


def test_short_rows_read_as_empty_cells(tmp_path, mini):
    frame = read_responses(write(tmp_path, csv_text("R1,O,S1,1,2")), mini).frame
    assert frame.loc[2, "a2"] == 2 and math.isnan(frame.loc[2, "b3"])


def test_trailing_delimiters_are_harmless(tmp_path, mini):
    result = read_responses(write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1,,")), mini)
    assert result.frame.loc[2, "b3"] == 1 and result.warnings == []


# ------------------------------------------------------------------------------ xlsx


def write_xlsx(path: Path, rows: list[list], blank_rows: tuple[int, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    row_number = 1
    for row in rows:
        while row_number in blank_rows:
            row_number += 1
        for column, value in enumerate(row, start=1):
            sheet.cell(row=row_number, column=column, value=value)
        row_number += 1
    second = workbook.create_sheet("ignored")
    second["A1"] = "only the first sheet is read"
    workbook.save(path)
    return path


def test_xlsx(tmp_path, mini):
    header = HEADER.split(",")
    path = write_xlsx(
        tmp_path / "responses.xlsx",
        [
            header,
            [1001, "North", "S1", 4.0, 2, "Agree", " strongly agree ", MISSING, None],
            [1002, "North", "S1", 1, 2, 3, 4, 5, 1],
        ],
        blank_rows=(3,),
    )
    result = read_responses(path, mini)
    assert result.format == "xlsx" and result.encoding is None
    frame = result.frame
    assert list(frame.index) == [2, 4]
    assert frame.loc[2, "respondent_id"] == "1001"
    assert frame.loc[2, ITEMS].tolist()[:4] == [4, 2, 4, 5]
    assert math.isnan(frame.loc[2, "b2"]) and math.isnan(frame.loc[2, "b3"])
    assert result.skipped_rows == [3]


def test_xlsx_errors_use_sheet_rows(tmp_path, mini):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [HEADER.split(","), ["R1", "O", "S1", 4.5, 2, 3, 4, 5, 1]],
        blank_rows=(2, 3),
    )
    assert errors(path, mini) == [
        "row 4, column a1: '4.5' is not on the scale 1-5 (or one of its labels); use a whole "
        "number from 1 to 5, or leave it empty"
    ]


def test_xlsx_named_csv_is_read_by_content(tmp_path, mini):
    path = write_xlsx(tmp_path / "x.xlsx", [HEADER.split(","), ["R1", "O", "S1", 1, 2, 3, 4, 5, 1]])
    renamed = path.rename(tmp_path / "export.csv")
    assert read_responses(renamed, mini).format == "xlsx"


def test_csv_named_xlsx_is_read_as_csv_with_a_warning(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1"), name="responses.xlsx")
    result = read_responses(path, mini)
    assert result.format == "csv"
    assert warnings_of(result) == ["file: is named .xlsx but holds text, so it was read as CSV"]


# ------------------------------------------------------------------------ cell errors


def test_issue_example_message(tmp_path):
    # The issue's example uses an item called pe3: rename one of mini's items.
    yaml_text = (FIXTURES / "mini.yaml").read_text().replace("id: b3,", "id: pe3,")
    instrument = load_instrument(write(tmp_path, yaml_text, name="pe.yaml"))
    header = HEADER.replace("b3", "pe3")
    rows = [f"R{i},O,S1,1,2,3,4,5,1" for i in range(2, 14)] + ["R14,O,S1,1,2,3,4,5,7"]
    problems = errors(write(tmp_path, csv_text(*rows, header=header)), instrument)
    assert len(problems) == 1
    assert problems[0].startswith("row 14, column pe3: '7' is not on the scale 1-5")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("0", "use a whole number from 1 to 5, or leave it empty"),
        ("3.5", "use a whole number from 1 to 5, or leave it empty"),
        ("NA", f"leave the cell empty, or write '{MISSING}', for an unanswered item"),
        ("None", f"leave the cell empty, or write '{MISSING}', for an unanswered item"),
        ("nan", f"leave the cell empty, or write '{MISSING}', for an unanswered item"),
        ("Agreee", "did you mean 'Agree'?"),
        ("maybe", "use a number from 1 to 5, a label such as 'Strongly agree', or leave it empty"),
    ],
)
def test_value_not_on_scale(tmp_path, mini, value, hint):
    path = write(tmp_path, csv_text(f"R1,O,S1,1,{value},3,4,5,1"))
    assert errors(path, mini) == [
        f"row 2, column a2: '{value}' is not on the scale 1-5 (or one of its labels); {hint}"
    ]


def test_missing_item_columns_named_in_one_problem(tmp_path, mini):
    header = "respondent_id,organization,set,a1,a2,a3,b1"
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4", header=header))
    assert errors(path, mini) == [
        "header: missing item columns: b2, b3; instrument 'mini' needs one column per item"
    ]


def test_missing_item_column_suggests_a_near_name(tmp_path, mini):
    header = HEADER.replace("b3", "B 3")
    problems = errors(write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1", header=header)), mini)
    assert problems == [
        "header: missing item column: b3 (is 'B 3' meant to be b3? rename it); instrument "
        "'mini' needs one column per item"
    ]


def test_no_item_columns_at_all(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1", header="respondent_id,organization,set,Q1"))
    (problem,) = errors(path, mini)
    assert problem.startswith("header: none of the item columns of instrument 'mini'")
    assert problem.endswith("is this the right instrument?")


def test_missing_id_columns(tmp_path, mini):
    header = "Respondent ID,a1,a2,a3,b1,b2,b3"
    path = write(tmp_path, csv_text("R1,1,2,3,4,5,1", header=header))
    assert errors(path, mini) == [
        "header: no 'respondent_id' column (is 'Respondent ID' meant to be respondent_id? "
        "rename it); the file needs columns respondent_id, organization and set, then one per "
        "item",
        "header: no 'organization' column; the file needs columns respondent_id, organization "
        "and set, then one per item",
        "header: no 'set' column; the file needs columns respondent_id, organization and set, "
        "then one per item",
    ]


def test_duplicate_columns_after_normalising(tmp_path, mini):
    header = HEADER + ", A1 ,Organisation"
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1,1,O", header=header))
    assert errors(path, mini) == [
        "header: column 'organization' appears 2 times: 'organization' (column 2) and "
        "'Organisation' (column 11); keep one",
        "header: column 'a1' appears 2 times: 'a1' (column 4) and ' A1 ' (column 10); keep one",
    ]


def test_duplicate_respondent_ids_name_both_rows(tmp_path, mini):
    path = write(
        tmp_path,
        csv_text("R1,O,S1,1,2,3,4,5,1", "R2,O,S1,1,2,3,4,5,1", " R1 ,O,S2,1,2,3,4,5,1"),
    )
    assert errors(path, mini) == [
        "row 4, column respondent_id: 'R1' is also the respondent_id in row 2; each response "
        "needs a unique id: remove the repeated response or correct the id"
    ]


def test_duplicate_id_within_a_wave(tmp_path, mini):
    header = HEADER.replace("set,", "set,wave,")
    path = write(
        tmp_path,
        csv_text("R1,O,S1,1,1,2,3,4,5,1", "R1,O,S1,2,1,2,3,4,5,1", "R1,O,S1,2,1,2,3,4,5,1",
                 header=header),
    )
    (problem,) = errors(path, mini)
    assert problem.startswith("row 4, column respondent_id: 'R1' is also the respondent_id in "
                              "row 3 in wave '2'")


def test_empty_id_organization_set_and_wave(tmp_path, mini):
    header = HEADER.replace("set,", "set,wave,")
    path = write(tmp_path, csv_text(" ,O,S1,1,1,2,3,4,5,1", "R2,,  ,,1,2,3,4,5,1", header=header))
    assert errors(path, mini) == [
        "row 2, column respondent_id: respondent_id is empty; give every response an id "
        "(e.g. R001)",
        "row 3, column organization: organization is empty; every response needs its "
        "organization",
        "row 3, column set: set is empty; every response needs the action learning set it "
        "belongs to",
        "row 3, column wave: wave is empty; fill it in, or delete the wave column if the file "
        "holds one wave",
    ]


def test_header_without_responses(tmp_path, mini):
    assert errors(write(tmp_path, csv_text(",,,,,,,,")), mini) == [
        "the file has a header row but no responses below it"
    ]


@pytest.mark.parametrize("content", ["", "  \n\n", ",,,\n,,,\n"])
def test_empty_file(tmp_path, mini, content):
    empty = ["the file is empty; export the responses again"]
    assert errors(write(tmp_path, content), mini) == empty


def test_empty_xlsx(tmp_path, mini):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert errors(path, mini) == ["the file is empty; export the responses again"]


def test_row_with_more_values_than_header(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1", "R2,North, Trust,S1,1,2,3,4,5,1"))
    problems = errors(path, mini)
    assert problems[-1] == (
        "row 3: has more values than the header has columns (9); a value probably holds the "
        "delimiter: put it in double quotes, or remove the extra values"
    )


def test_unclosed_quote(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1", 'R2,"O,S1,1,2,3,4,5,1'))
    assert errors(path, mini) == [
        "row 3: a quoted value starts here and is never closed; look for an unmatched double "
        'quote (")'
    ]


def test_problems_are_in_file_order(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,9", "R2,O,,9,2,3,4,5,1"))
    assert [p.split(":")[0] for p in errors(path, mini)] == [
        "row 2, column b3", "row 3, column set", "row 3, column a1",
    ]


def test_thirty_defects_are_all_reported(tmp_path, mini):
    rows = [
        "R1,O,S1,0,2,3,4,5,1",  # 1: a1 below the scale
        "R2,O,S1,1,6,3,4,5,1",  # 2: a2 above
        "R3,O,S1,1,2,2.5,4,5,1",  # 3: a3 not whole
        "R4,O,S1,1,2,3,NA,5,1",  # 4: NA
        "R5,O,S1,1,2,3,4,agre,1",  # 5: typo
        "R6,O,S1,1,2,3,4,5,yes",  # 6: unknown text
        ",O,S1,1,2,3,4,5,1",  # 7: empty id
        "R8,,S1,1,2,3,4,5,1",  # 8: empty organization
        "R9,O,,1,2,3,4,5,1",  # 9: empty set
        "R1,O,S1,1,2,3,4,5,1",  # 10: duplicate of row 2
        "R11,O,S1,-1,-2,x,y,z,10",  # 11-16: six bad cells
        "R12,,,1,2,3,4,5,1",  # 17-18: empty organization and set
        "R13,O,S1,1,2,3,4,5,1,extra",  # 19: too many values
        "R14,O,S1,1e9,2,3,4,5,1",  # 20
        "R15,O,S1,inf,2,3,4,5,1",  # 21
        "R16,O,S1,1,2,3,4,5,n/a",  # 22
        "R17,O,S1,1,2,3,4,5,3 4",  # 23
        "R18,O,S1,1,2,3,4,5,Agree!",  # 24
        "R19,O,S1,1,2,3,4,5,-",  # 25
        "R2,O,S1,1,2,3,4,5,1",  # 26: duplicate of row 3
        "R21,O,S1,1,2,3,4,5,99",  # 27
        "R22,O,S1,1,2,3,4,5,5.0000001",  # 28
        "R23,O,S1,1,2,3,4,5,'3'",  # 29
        "R24,O,S1,1,2,3,4,5,strongly disagreed",  # 30
    ]
    path = write(tmp_path, csv_text(*rows))
    with pytest.raises(ResponsesError) as info:
        read_responses(path, mini)
    problems = [p for p in info.value.problems if p.severity == "error"]
    assert len(problems) == 30
    message = str(info.value)
    # A column's off-scale codes are summed up first (a sign of another coding), uncounted.
    lines = message.splitlines()
    assert lines[0] == f"{path}: 30 problems found"
    assert lines[1] == (
        "  note: column a1: 4 values are off the scale 1-5: '-1' (1 row), '0' (1 row), '1e9' "
        "(1 row), 'inf' (1 row); if the survey tool codes its answers differently, give a "
        "mapping with a recode table (`surveyor mapping init` suggests one)"
    )
    first = next(line for line in lines[1:] if not line.startswith("  note: "))
    assert first.startswith("  row 2, column a1: '0'")
    assert message.endswith("  ... and 10 more")
    locations = [p.location for p in problems]
    assert "row 11, column respondent_id" in locations and "row 14" in locations
    assert "row 21, column respondent_id" in locations
    assert locations[-1] == "row 25, column b3"


def test_a_flood_of_errors_is_capped(tmp_path, mini, monkeypatch):
    monkeypatch.setattr(validate_module, "MAX_ROW_PROBLEMS", 5)
    path = write(tmp_path, csv_text(*[f"R{i},O,S1,0,0,0,0,0,0" for i in range(10)]))
    problems = errors(path, mini)
    assert len(problems) == 6
    assert problems[-1].startswith("55 more problems in later rows are not listed")


# --------------------------------------------------------------------------- warnings


def test_unknown_columns_are_ignored_with_a_warning(tmp_path, mini):
    path = write(tmp_path, csv_text("2024-01-01,R1,O,S1,1,2,3,4,5,1,hi",
                                    header="Timestamp," + HEADER + ",Comment"))
    result = read_responses(path, mini)
    assert "Timestamp" not in result.frame.columns
    assert warnings_of(result) == [
        "header: columns not in the instrument are ignored: 'Timestamp', 'Comment'"
    ]


def test_a_long_ignored_column_name_is_shortened(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1,x", header=HEADER + "," + "N" * 10_000))
    (warning,) = warnings_of(read_responses(path, mini))
    assert len(warning) < 200


def test_unnamed_column_with_values_warns(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1,note", header=HEADER + ","))
    assert warnings_of(read_responses(path, mini)) == [
        "header: column 10 has no name; its values are ignored"
    ]


def test_empty_rows_are_skipped_and_listed(tmp_path, mini):
    text = csv_text("R1,O,S1,1,2,3,4,5,1", "", ",,,,,,,,", "R2,O,S1,1,2,3,4,5,1", " , ,,,,,,,")
    result = read_responses(write(tmp_path, text), mini)
    assert result.skipped_rows == [3, 4, 6]
    assert list(result.frame.index) == [2, 5]
    assert warnings_of(result) == ["rows 3-4, 6: are empty and were skipped"]


def test_row_empty_except_for_an_ignored_column_is_not_skipped(tmp_path, mini):
    text = csv_text("R1,O,S1,1,2,3,4,5,1,", ",,,,,,,,,note", header=HEADER + ",Comment")
    assert errors(write(tmp_path, text), mini)[0].startswith("row 3, column respondent_id")


def test_names_differing_in_case_warn_and_spaces_merge(tmp_path, mini):
    text = csv_text(
        "R1,North Trust,Set A,1,2,3,4,5,1",
        "R2,north trust ,set  a,1,2,3,4,5,1",
        "R3,North Trust,SET A,1,2,3,4,5,1",
        "R4,South,Set A,1,2,3,4,5,1",
    )
    result = read_responses(write(tmp_path, text), mini)
    assert result.frame["organization"].tolist() == [
        "North Trust", "north trust", "North Trust", "South",
    ]
    # Inner runs of spaces collapse (surveyor.inputs.names); case differences are kept.
    assert result.frame["set"].tolist() == ["Set A", "set a", "SET A", "Set A"]
    assert warnings_of(result) == [
        "column organization: 'North Trust' (row 2) and 'north trust' (row 3) differ only in "
        "case and are kept as different organizations; write them the same way if they are "
        "one organization",
        "column set: in organization 'North Trust', 'Set A' (row 2) and 'SET A' (row 4) differ "
        "only in case and are kept as different sets; write them the same way if they are one "
        "set",
    ]


def test_respondent_without_answers_is_kept_with_a_warning(tmp_path, mini):
    text = csv_text("R1,O,S1,1,2,3,4,5,1", f"R2,O,S1,,,{MISSING},,,", "R3,O,S1,,,,,,")
    result = read_responses(write(tmp_path, text), mini)
    assert list(result.frame.index) == [2, 3, 4]
    assert result.frame.loc[[3, 4], ITEMS].isna().all().all()
    assert warnings_of(result) == [
        "rows 3-4: no item answered: kept, but these respondents get no scores"
    ]


def test_warnings_travel_with_errors(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,9,2,3,4,5,1", "", header=HEADER + ",Extra"))
    with pytest.raises(ResponsesError) as info:
        read_responses(path, mini)
    severities = sorted(p.severity for p in info.value.problems)
    assert severities == ["error", "warning", "warning"]


# ------------------------------------------------------------- files that are not data


def test_missing_file(tmp_path, mini):
    with pytest.raises(SurveyorError, match="no such file"):
        read_responses(tmp_path / "nope.csv", mini)


def test_folder(tmp_path, mini):
    with pytest.raises(SurveyorError, match="is a folder"):
        read_responses(tmp_path, mini)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path, mini):
    path = write(tmp_path, csv_text("R1,O,S1,1,2,3,4,5,1"))
    path.chmod(0)
    try:
        with pytest.raises(SurveyorError, match="permission denied"):
            read_responses(path, mini)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n...", "is a PDF document, not a CSV or .xlsx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "is an old-format Excel .xls workbook"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "is a PNG image"),
        (b"abc\x00\x01\x02", "is a binary file"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "is an HTML or XML page"),
        (b"\xef\xbb\xbfa\x81\x8d", "is neither UTF-8 nor Windows-1252 text"),
    ],
)
def test_not_a_data_file(tmp_path, mini, content, what):
    path = tmp_path / "responses.csv"
    path.write_bytes(content)
    with pytest.raises(SurveyorError, match=what.replace(".", r"\.")) as info:
        read_responses(path, mini)
    assert not isinstance(info.value, ResponsesError)


@pytest.mark.parametrize(
    ("members", "what"),
    [
        ({"responses.csv": "a,b"}, "is a zip archive, not an .xlsx workbook (it holds "
         "responses.csv); unzip it"),
        ({"word/document.xml": "<w/>"}, "is a Word document"),
        ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"},
         "is an OpenDocument spreadsheet"),
    ],
)
def test_zip_that_is_not_xlsx(tmp_path, mini, members, what):
    path = tmp_path / "responses.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(SurveyorError) as info:
        read_responses(path, mini)
    assert what in str(info.value)


def test_damaged_xlsx(tmp_path, mini):
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER.split(",")])
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(good.read_bytes()[:200])
    with pytest.raises(SurveyorError, match="damaged"):
        read_responses(path, mini)


# ----------------------------------------------------------------------- invariants

CELL = st.one_of(
    st.integers(1, 5).map(lambda v: (str(v), float(v))),
    st.integers(1, 5).map(lambda v: (f" {v}.0 ", float(v))),
    st.sampled_from(
        [("Strongly disagree", 1.0), ("disagree", 2.0), ("NEITHER agree nor disagree", 3.0),
         ("Agree ", 4.0), ("strongly  agree", 5.0), ("", math.nan), (MISSING, math.nan)]
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grid=st.lists(st.lists(CELL, min_size=6, max_size=6), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
    crlf=st.booleans(),
)
def test_any_valid_grid_round_trips(tmp_path, mini, grid, delimiter, crlf):
    # Each row keeps at least one answer so no "no item answered" warning is expected.
    grid = [[("3", 3.0), *row[1:]] for row in grid]
    lines = [HEADER.replace(",", delimiter)]
    for i, row in enumerate(grid):
        lines.append(delimiter.join([f"R{i}", "Org", "S1", *(text for text, _ in row)]))
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    result = read_responses(write(tmp_path, text, name="grid.csv"), mini)
    expected = np.array([[code for _, code in row] for row in grid])
    np.testing.assert_array_equal(result.frame[ITEMS].to_numpy(), expected)
    assert list(result.frame.index) == list(range(2, len(grid) + 2))
    assert result.warnings == []
