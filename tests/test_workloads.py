"""Small versions of the benchmark workloads (bench/run), for behaviour, not timings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from surveyor.cli import cli

NATIONAL = Path(__file__).parent.parent / "bench" / "national-25.yaml"


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_small_w1_national_scoring(tmp_path):
    data = tmp_path / "w1.csv"
    invoke("simulate", "-i", NATIONAL, "--organizations", "12", "--sets", "300",
           "--min-set-size", "3", "--max-set-size", "90", "--respondents", "12000",
           "--missing-rate", "0.02", "--dont-know-rate", "0.005", "--seed", "1", "--out", data)
    out = tmp_path / "out"
    invoke("score", data, "-i", NATIONAL, "--out", out, "--no-reports")
    groups = pd.read_csv(out / "groups.csv", keep_default_na=False, dtype=str)
    assert len(groups) == (1 + 12 + 300) * 5
    sets = groups[groups["level"] == "set"]
    hidden = sets[sets["suppressed"] == "true"]
    assert 0 < len(hidden) < len(sets)
    assert (hidden["mean"] == "").all()
    shown = sets[sets["suppressed"] == "false"]
    assert (shown["n"].astype(int) >= 5).all()
    assert (shown["rwg_j_critical"] != "").all()
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == 12000
    reliability = pd.read_csv(out / "reliability.csv")
    assert reliability["icc1"].notna().all()


def test_small_w2_programme_reports_and_w3_rerun(tmp_path):
    data = tmp_path / "w2.csv"
    invoke("simulate", "-i", "learning-inaction-short", "--organizations", "2", "--sets", "4",
           "--min-set-size", "6", "--max-set-size", "6", "--respondents", "24",
           "--seed", "2", "--out", data)
    out = tmp_path / "out"
    first = invoke("score", data, "-i", "learning-inaction-short", "--out", out, "--jobs", "2",
                   "--data-date", "2026-11-01")
    assert "7 reports" in first.output and "7 rendered" in first.output
    manifest = json.loads((out / "manifest.json").read_text())
    kinds = sorted(r["kind"] for r in manifest["reports"])
    assert kinds == ["organization"] * 2 + ["programme"] + ["set"] * 4
    again = invoke("score", data, "-i", "learning-inaction-short", "--out", out, "--jobs", "2",
                   "--data-date", "2026-11-01")
    assert "0 rendered, 7 unchanged" in again.output
