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
    # Agreement is shown exactly where at least N answered every item (n_agreement).
    agreed = shown["n_agreement"] != ""
    assert agreed.any()
    assert (shown.loc[agreed, "n_agreement"].astype(int) >= 5).all()
    assert ((shown["rwg_j_critical"] != "") == agreed).all()
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
    # Seven reports and the technical note.
    assert "8 reports" in first.output and "8 rendered" in first.output
    manifest = json.loads((out / "manifest.json").read_text())
    kinds = sorted(r["kind"] for r in manifest["reports"])
    assert kinds == ["organization"] * 2 + ["programme"] + ["set"] * 4 + ["technical"]
    again = invoke("score", data, "-i", "learning-inaction-short", "--out", out, "--jobs", "2",
                   "--data-date", "2026-11-01")
    assert "0 rendered, 8 unchanged" in again.output


def report_html(data: Path) -> dict[str, str]:
    """Every report's final HTML for ``data`` (what the render cache is keyed on)."""
    from surveyor.pipeline import score
    from surveyor.reports.brand import load_brand
    from surveyor.reports.context import ReportData, build_context, report_plan
    from surveyor.reports.html import render_report
    from surveyor.reports.workers import report_paths
    from surveyor.typeset.environment import make_environment

    reports = ReportData.from_result(score(data, "learning-inaction"))
    env, brand = make_environment(()), load_brand(())
    specs = report_plan(reports)
    return {path: render_report(build_context(reports, spec, brand, "2026-11-01"), env)
            for spec, path in zip(specs, report_paths(specs), strict=True)}


def test_small_w3_a_corrected_set_changes_its_set_organisation_and_programme(tmp_path):
    """W3 at the HTML level (a report is rendered again exactly when its HTML changes:
    tests/test_reports.py). Two of a set's answers to one statement are swapped between
    two members, as when a data-entry slip is corrected: the set's scores move but no
    mean does, so every other report shows the same figures and must stay the same. Each
    report's stamp carries its own group's answers' SHA-256, so only the set, its
    organisation and the programme change (with the data file's SHA-256 in every stamp,
    all 28 did)."""
    data = tmp_path / "w3.csv"
    invoke("simulate", "--organizations", "3", "--sets", "24", "--min-set-size", "10",
           "--max-set-size", "10", "--respondents", "240", "--seed", "4", "--out", data)
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    org, name = frame.loc[0, "organization"], frame.loc[0, "set"]
    members = frame.index[(frame["organization"] == org) & (frame["set"] == name)]
    item = "lia1"
    other = next(i for i in members if frame.loc[i, item] not in ("", frame.loc[0, item]))
    frame.loc[[0, other], item] = frame.loc[[other, 0], item].to_numpy()
    changed = tmp_path / "changed" / "w3.csv"  # same name: only the answers differ
    changed.parent.mkdir()
    frame.to_csv(changed, index=False)

    before, after = report_html(data), report_html(changed)
    assert before.keys() == after.keys() and len(before) == 28
    differ = {path for path in before if before[path] != after[path]}
    assert differ == {f"{org}/sets/{name}.pdf", f"{org}/organization.pdf", "programme.pdf"}
