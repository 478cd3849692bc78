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


# A REDCap longitudinal export: one row per record per event. The event is the wave, in the
# order the events first appear (REDCap's unique event names do not sort by name).
LONGITUDINAL = EXPORTS / "redcap-longitudinal.csv"
EVENTS = ["baseline_arm_1", "month_6_arm_1", "month_12_arm_1"]


def canonical_of_longitudinal(path: Path) -> Path:
    """The same answers written by hand in surveyor's own layout, with a wave column."""
    import csv

    with open(LONGITUDINAL, encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["ratings_complete"] == "2"]
    items = ["a1", "a2", "a3", "b1", "b2", "b3"]
    lines = ["respondent_id,organization,set,wave," + ",".join(items)]
    lines += [",".join([row["record_id"], row["organization"], row["set"],
                        row["redcap_event_name"],
                        *("Don't know / not applicable" if row[i] == "dk" else row[i]
                          for i in items)])
              for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_redcap_events_are_waves(mini):
    table = read_export(LONGITUDINAL, mini)
    assert table.columns["wave"] == "redcap_event_name"
    assert table.wave_order == EVENTS
    assert table.frame["wave"].tolist()[:3] == EVENTS
    assert any(n.startswith("each REDCap event is a wave") for n in table.notes)
    assert any("(status Incomplete; row 9)" in n for n in table.notes), table.notes


def test_redcap_labelled_export_names_events_by_label(tmp_path, mini):
    # the export with labels heads the column "Event Name" and writes the events' labels
    labels = dict(zip(EVENTS, ["Baseline", "Month 6", "Month 12"], strict=True))
    lines = LONGITUDINAL.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace("record_id,redcap_event_name", "Record ID,Event Name").replace(
        "ratings_complete", "Complete?")
    rows = []
    for line in lines[1:]:
        cells = line.split(",")
        cells[1] = labels[cells[1]]
        cells[-1] = {"2": "Complete", "0": "Incomplete"}[cells[-1]]
        rows.append(",".join(cells))
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    table = read_export(path, mini)
    assert table.format == "redcap"
    assert table.columns["wave"] == "Event Name"
    assert table.wave_order == ["Baseline", "Month 6", "Month 12"]


@pytest.mark.parametrize("design", ["independent", "paired"])
def test_redcap_longitudinal_scores_as_the_canonical_multi_wave_file(tmp_path, design):
    from click.testing import CliRunner

    from surveyor.cli import cli

    paired = ["--paired"] if design == "paired" else []
    by_hand = canonical_of_longitudinal(tmp_path / "by-hand.csv")
    outputs = {}
    for name, path, order in (("redcap", LONGITUDINAL, []),
                              ("by-hand", by_hand, ["--waves", ",".join(EVENTS)])):
        out = tmp_path / name
        result = CliRunner().invoke(cli, [
            "score", str(path), "-i", str(FIXTURES / "mini.yaml"), "--out", str(out),
            "--no-reports", "--min-group-size", "3", "--consented", *order, *paired])
        assert result.exit_code == 0, result.output
        outputs[name] = out
    for name in ("groups.csv", "reliability.csv", "items.csv", "changes.csv"):
        assert (outputs["redcap"] / name).read_bytes() == (outputs["by-hand"] / name).read_bytes()
    import pandas as pd

    changes = pd.read_csv(outputs["redcap"] / "changes.csv")
    assert changes["design"].unique().tolist() == [design]
    assert list(dict.fromkeys(zip(changes["wave_from"], changes["wave_to"], strict=True))) == [
        (EVENTS[0], EVENTS[1]), (EVENTS[1], EVENTS[2])]
    shown = changes[changes["shown"]]
    assert len(shown)
    if design == "paired":
        # 6 records answered at both 6 and 12 months (3 was Incomplete, 8 missed the last
        # event); one of them left a Beta item blank, so 5 are paired on Beta
        later = shown[shown["wave_from"] == EVENTS[1]]
        assert later["n_paired"].tolist() == [5, 5]


def test_redcap_event_order_can_be_given(tmp_path):
    from click.testing import CliRunner

    from surveyor.cli import cli

    out = tmp_path / "out"
    order = [EVENTS[0], EVENTS[2], EVENTS[1]]
    result = CliRunner().invoke(cli, [
        "score", str(LONGITUDINAL), "-i", str(FIXTURES / "mini.yaml"), "--out", str(out),
        "--no-reports", "--min-group-size", "3", "--consented", "--waves", ",".join(order)])
    assert result.exit_code == 0, result.output
    import json

    assert json.loads((out / "manifest.json").read_text())["waves"]["order"] == order
