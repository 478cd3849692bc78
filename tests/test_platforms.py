"""Tests for surveyor.inputs.platforms: REDCap and SPSS exports, and the registry."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from surveyor.errors import SurveyorError
from surveyor.inputs.formats import FORMAT_CHOICES, FORMAT_NAMES, PLATFORM_FORMATS
from surveyor.inputs.platforms import PLATFORMS, recognise
from surveyor.inputs.read import load_export, read_export
from surveyor.inputs.recognise import detect_format
from surveyor.instrument.model import load_instrument

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"
# fixture -> (format, id column, note about what was excluded)
CASES = {
    "redcap.csv": ("redcap", "record_id", "(status Incomplete; row 7)"),
    "redcap-labels.csv": ("redcap", "Record ID", "(status Incomplete; row 7)"),
    "qualtrics.sav": ("spss", "ResponseId", "(not finished; case 8)"),
    "surveymonkey.sav": ("spss", "respondent_id", None),
}


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def test_registry():
    assert tuple(PLATFORMS) == PLATFORM_FORMATS == ("limesurvey", "redcap", "spss")
    assert set(PLATFORMS) <= set(FORMAT_CHOICES)
    assert all(name in FORMAT_NAMES for name in PLATFORMS)
    assert recognise([["respondent_id", "organization", "set", "a1"]]) is None


@pytest.mark.parametrize("name", list(CASES))
def test_scores_like_the_canonical_csv(name, mini, scores_like_canonical):
    fmt, id_column, note = CASES[name]
    assert detect_format(EXPORTS / name) == fmt
    table = read_export(EXPORTS / name, mini)  # no mapping
    assert table.format == fmt
    assert table.columns["respondent_id"] == id_column
    if note:
        assert any(n.startswith("excluded 1 incomplete response") and note in n
                   for n in table.notes), table.notes
    scores_like_canonical(EXPORTS / name)


def test_redcap_dk_code_is_dont_know(mini):
    table = read_export(EXPORTS / "redcap.csv", mini)
    assert table.frame["b2"].tolist()[2] == "Don't know / not applicable"


@pytest.mark.parametrize("name", ["redcap.csv", "qualtrics.sav"])
def test_include_partial_keeps_the_incomplete_response(name, mini):
    table = read_export(EXPORTS / name, mini, include_partial=True)
    assert len(table.frame) == 9
    assert any(n.startswith("kept 1 incomplete response") for n in table.notes)


def test_spss_value_and_variable_labels(mini):
    export = load_export(EXPORTS / "qualtrics.sav")
    assert export.keys[:3] == ["ResponseId", "Status", "Finished"]
    assert export.texts[3] == "How much do you agree with each statement? - Alpha item one."
    assert export.rows[0] == 2  # case 1 is the preview, dropped
    assert "dropped 1 Survey Preview case (case 1)" in export.notes
    assert export.data[0][3] == "Agree"  # code 4 read as its value label


def test_spss_without_pyreadstat_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(SurveyorError, match=r"pip install 'surveyor\[spss\]'"):
        load_export(EXPORTS / "qualtrics.sav")


def test_spss_beyond_the_limits_is_refused(monkeypatch):
    from surveyor.inputs.platforms import spss

    monkeypatch.setattr(spss, "MAX_CELLS", 50)
    with pytest.raises(SurveyorError, match="beyond surveyor's limits"):
        load_export(EXPORTS / "qualtrics.sav")


def test_damaged_sav_is_named(tmp_path):
    path = tmp_path / "broken.sav"
    path.write_bytes((EXPORTS / "qualtrics.sav").read_bytes()[:300])
    with pytest.raises(SurveyorError, match="cannot be read as an SPSS .sav file"):
        load_export(path)


def test_spss_forced_on_a_csv_is_refused():
    with pytest.raises(SurveyorError, match="does not look like a SPSS .sav file"):
        load_export(EXPORTS / "canonical.csv", "spss")


def test_cli_scores_a_sav_file(tmp_path):
    from click.testing import CliRunner

    from surveyor.cli import cli

    result = CliRunner().invoke(cli, [
        "validate", str(EXPORTS / "qualtrics.sav"), "--instrument",
        str(FIXTURES / "mini.yaml"),
    ])
    assert result.exit_code == 0, result.output
    assert "SPSS .sav file" in result.output
