"""The date an export carries: the latest submission among the responses it keeps, read
from each platform's own column, never a guess at a day/month order."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.inputs.read import read_export
from surveyor.inputs.submitted import column_dates, latest_submission
from surveyor.instrument.model import load_instrument

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def edited(tmp_path: Path, name: str, *swaps: tuple[str, str]) -> Path:
    """A copy of an export fixture with some cells' text replaced (each exactly once)."""
    data = (EXPORTS / name).read_bytes()  # as bytes: some fixtures are not UTF-8
    for old, new in swaps:
        assert data.count(old.encode()) == 1, old
        data = data.replace(old.encode(), new.encode())
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_qualtrics_latest_recorded_date_of_the_responses_kept(mini, tmp_path):
    """A later date on the preview row (dropped) or the unfinished one (excluded) does not
    count; the latest RecordedDate of a kept response does."""
    path = edited(
        tmp_path, "qualtrics.csv",
        ("2024-03-04 09:06:00,R_00", "2024-04-30 09:06:00,R_00"),   # preview: dropped
        ("2024-03-04 11:26:00,R_20", "2024-04-29 11:26:00,R_20"),   # unfinished: excluded
        ("2024-03-04 09:55:00,R_07", "2024-03-07 09:55:00,R_07"),
    )
    table = read_export(path, mini, mapping=EXPORTS / "qualtrics.mapping.yaml")
    assert (table.data_date, table.data_date_column) == ("2024-03-07", "RecordedDate")
    kept = read_export(path, mini, mapping=EXPORTS / "qualtrics.mapping.yaml",
                       include_partial=True)
    assert kept.data_date == "2024-04-29"


def test_google_forms_timestamp(mini, tmp_path):
    path = edited(tmp_path, "google-forms.csv",
                  ("2024/03/04 09:35:00 AM GMT", "2024/03/11 09:35:00 AM GMT"))
    table = read_export(path, mini)
    assert (table.data_date, table.data_date_column) == ("2024-03-11", "Timestamp")


@pytest.mark.parametrize(("name", "column"), [
    ("kobo.csv", "_submission_time"), ("odk-central.csv", "SubmissionDate"),
    ("ms-forms.xlsx", "Completion time"), ("redcap.csv", "ratings_timestamp"),
    ("redcap-labels.csv", "Survey Timestamp"), ("qualtrics-legacy.csv", "EndDate"),
])
def test_each_platforms_submission_column(mini, name, column):
    stem = name.rsplit(".", 1)[0]
    mapping = EXPORTS / f"{stem}.mapping.yaml"
    table = read_export(EXPORTS / name, mini, mapping=mapping if mapping.exists() else None)
    assert table.data_date_column == column
    assert dt.date.fromisoformat(table.data_date).year in (2015, 2024)


def test_limesurvey_placeholder_date_is_no_date(mini):
    """LimeSurvey writes 1980-01-01 when a survey records no dates: no date, not 1980."""
    assert read_export(EXPORTS / "limesurvey-codes.csv", mini).data_date == ""


def test_day_month_order_only_when_a_value_settles_it(mini, tmp_path):
    """3/4/2024 could be 3 April or 4 March: no date. A 14 in the second place makes the
    column month-first; a 14 in the first place day-first; both, no date."""
    assert read_export(EXPORTS / "ms-forms.csv", mini).data_date == ""
    settled = edited(tmp_path, "ms-forms.csv", ("3/4/2024 09:13", "3/14/2024 09:13"))
    assert read_export(settled, mini).data_date == "2024-03-14"
    assert column_dates(["14/3/2024", "2/4/2024"]) == [dt.date(2024, 3, 14),
                                                       dt.date(2024, 4, 2)]
    assert column_dates(["14/3/2024", "3/14/2024"]) == []
    assert column_dates(["31/2/2024", "2024-02-30", "n/a", ""]) == []


def test_canonical_file_and_unknown_columns_carry_no_date():
    assert latest_submission(["respondent_id", "when"], [["r1", "2024-03-04"]], "csv") == (
        "", "")


def test_cover_date_from_the_export_and_same_bytes_whatever_the_mtime(tmp_path):
    """The cover prints the export's own date, so two copies of it with different
    modification times give the same PDFs; --data-date still wins."""
    first = tmp_path / "one" / "google-forms.csv"
    second = tmp_path / "two" / "google-forms.csv"
    for copy, stamp in ((first, 86_400 * 400), (second, 86_400 * 9_000)):
        copy.parent.mkdir()
        shutil.copyfile(EXPORTS / "google-forms.csv", copy)
        os.utime(copy, (stamp, stamp))
    outputs = []
    for csv in (first, second):
        out = csv.parent / "out"
        result = CliRunner().invoke(cli, ["score", str(csv), "-i", str(FIXTURES / "mini.yaml"),
                                          "-o", str(out), "--jobs", "1",
                                          "--min-group-size", "3", "--consented"])
        assert result.exit_code == 0, result.output
        assert "Date of the data: 2024-03-04 (the latest 'Timestamp'" in result.output
        outputs.append({p.relative_to(out): p.read_bytes()
                        for p in sorted((out / "reports").rglob("*.pdf"))})
    assert outputs[0] == outputs[1] and outputs[0]
    from pypdf import PdfReader

    cover = PdfReader(first.parent / "out" / "reports" / "programme.pdf").pages[0]
    text = " ".join(cover.extract_text().split())
    assert "Date of the data" in text and "2024-03-04" in text
    given = tmp_path / "given"
    result = CliRunner().invoke(cli, ["score", str(first), "-i", str(FIXTURES / "mini.yaml"),
                                      "-o", str(given), "--jobs", "1", "--min-group-size",
                                      "3", "--consented", "--data-date", "2024-05-01"])
    assert result.exit_code == 0, result.output
    cover = PdfReader(given / "reports" / "programme.pdf").pages[0]
    assert "2024-05-01" in cover.extract_text() and "2024-03-04" not in cover.extract_text()
