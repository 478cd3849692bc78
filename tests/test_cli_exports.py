"""Every survey-tool export scores exactly like the canonical CSV, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyor.cli import cli

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
FIXTURES = [
    "qualtrics.csv", "qualtrics-labels.csv", "qualtrics-legacy.csv", "surveymonkey.csv",
    "surveymonkey.xlsx", "google-forms.csv", "ms-forms.xlsx", "kobo.csv", "kobo.xlsx",
    "questions-cp1252.csv", "questions-utf16.txt",
    # Real-export defects (issue 12): each scores with no mapping.
    "ms-forms.csv", "surveymonkey-respondentid.csv", "surveymonkey-startdate.csv",
    "kobo-hxl.csv", "odk-central.csv",
]


def score(path: Path, out: Path, *extra: str):
    args = ["score", str(path), "-i", str(MINI), "--out", str(out), "--no-reports",
            "--min-group-size", "3", "--consented", *extra]
    return CliRunner().invoke(cli, args)


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    out = tmp_path_factory.mktemp("canonical")
    result = score(EXPORTS / "canonical.csv", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", FIXTURES)
def test_export_scores_like_canonical(name, canonical, tmp_path):
    stem = name.rsplit(".", 1)[0]
    mapping = EXPORTS / f"{stem}.mapping.yaml"
    extra = ["--mapping", str(mapping)] if mapping.exists() else []
    result = score(EXPORTS / name, tmp_path, *extra)
    assert result.exit_code == 0, result.output
    for data in ("scores.csv", "groups.csv", "reliability.csv", "items.csv"):
        assert (tmp_path / data).read_bytes() == (canonical / data).read_bytes(), data


def test_unmapped_recode_is_a_clear_error(tmp_path):
    result = score(EXPORTS / "qualtrics.csv", tmp_path)
    assert result.exit_code == 2
    assert "row 7, column 'Q6_2' (b2): '6' is not on the scale 1-5" in result.output
    assert not (tmp_path / "scores.csv").exists()


def test_detected_format_is_reported(tmp_path):
    result = score(EXPORTS / "kobo.csv", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Detected KoboToolbox export" in result.output


def test_instrument_build_xlsform(tmp_path):
    result = CliRunner().invoke(
        cli, ["instrument", "build", "learning-inaction", "--format", "xlsform", "--out",
              str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "learning-inaction-xlsform.xlsx").is_file()
