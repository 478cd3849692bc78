"""The "Since <previous wave>" section: charts, context, anonymity and incremental rebuilds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import surveyor
from surveyor.reports.brand import load_brand
from surveyor.reports.charts.change import ChangeRow, TrendSeries, dumbbell_chart, trend_chart
from surveyor.reports.context import build_context, report_plan
from surveyor.reports.context.change import verdict

MINI = "tests/fixtures/mini.yaml"
HEADER = "respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"
WAVES = ("Autumn 2026", "Winter 2027", "Spring 2027")
SETS = (("North", "Heron", 6), ("North", "Kestrel", 7), ("South", "Wren", 6))


def programme_csv(path: Path, shift: dict | None = None) -> Path:
    """Three waves; Heron's first subscale rises clearly, the rest drift a little."""
    rows = [HEADER]
    for w, wave in enumerate(WAVES):
        for org, name, size in SETS:
            for i in range(size):
                base = 2 + (i % 3)
                a = min(5, 1 + i % 2 + 2 * w) if name == "Heron" else base
                a = (shift or {}).get((wave, name, i), a)
                b = 1 + (i + w) % 5
                rows.append(f"{name}{i},{org},{name},{wave},{a},{a},{6 - a},{b},{b},{b}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = programme_csv(tmp_path_factory.mktemp("since") / "waves.csv")
    return surveyor.score(path, MINI, waves=",".join(WAVES))


def context_of(result, kind, org="", name=""):
    latest = result.latest
    spec = next(s for s in report_plan(latest)
                if (s.kind, s.key.organization, s.key.set) == (kind, org, name))
    return build_context(latest, spec, load_brand(()), "1 June 2027")


def test_the_set_report_names_the_waves_it_compares(result):
    since = context_of(result, "set", "North", "Heron").since
    assert since.title == "Since Winter 2027"
    assert since.verdicts.headers[1:3] == ("Winter 2027", "Spring 2027")
    assert since.trend is not None and "Autumn 2026" in str(since.trend.svg)
    assert "Spring 2027" in str(since.figure.svg)


def test_a_verdict_only_when_the_interval_leaves_out_zero(result):
    changes = result.waves.changes
    for row in changes[changes["shown"]].to_dict("records"):
        said = verdict(row, "Winter 2027")
        if row["ci_low"] > 0:
            assert said == "higher than in Winter 2027"
        elif row["ci_high"] < 0:
            assert said == "lower than in Winter 2027"
        else:
            assert said == "no clear change"
    since = context_of(result, "set", "North", "Heron").since
    assert any(r[-1] == "higher than in Winter 2027" for r in since.verdicts.rows)
    assert "The clearest change: Alpha" in " ".join(since.intro)


def test_organisation_and_programme_list_their_children_by_name(result):
    org = context_of(result, "organization", "North").since
    assert [r[0] for r in org.children.rows] == ["North", "Heron", "Kestrel"]
    programme = context_of(result, "programme").since
    assert [r[0] for r in programme.children.rows][1:] == ["North", "South"]


def test_no_section_without_waves(dozen_csv, mini_path):
    one = surveyor.score(dozen_csv, mini_path)
    spec = report_plan(one)[0]
    assert build_context(one, spec, load_brand(()), "1 June 2027").since is None


def test_a_withheld_change_shows_no_figure(tmp_path):
    # Paired, and one Heron member misses Spring: Heron's change is withheld (one leaver).
    path = programme_csv(tmp_path / "w.csv")
    text = path.read_text().splitlines()
    text = [line for line in text if not line.startswith("Heron5,North,Heron,Spring 2027")]
    path.write_text("\n".join(text) + "\n")
    run = surveyor.score(path, MINI, waves=",".join(WAVES), paired=True)
    heron = run.waves.changes.query("set == 'Heron' and wave_to == 'Spring 2027'")
    assert not heron["shown"].any()
    since = context_of(run, "set", "North", "Heron").since
    assert all(r[1:] == ("\u2013", "\u2013", "not compared") for r in since.verdicts.rows)
    svg = str(since.figure.svg)
    assert "not compared" in svg and "(" not in svg.split("Change (95% interval)")[1]
    raw = run.waves.changes.loc[heron.index]
    assert raw["mean_from"].isna().all() and all(math.isnan(v) for v in raw["change"])


def test_charts_are_deterministic_and_keep_names_whole():
    rows = [ChangeRow("Alpha", (2.0, 1.5, 2.5), (3.0, 2.6, 3.4), "+1.00 (+0.40 to +1.60)"),
            ChangeRow("Beta", None, None, note="not compared")]
    one = dumbbell_chart(rows, 1, 5, before_label="Winter 2027", after_label="Spring 2027")
    assert one == dumbbell_chart(rows, 1, 5, before_label="Winter 2027",
                                 after_label="Spring 2027")
    assert "not compared" in one and "+1.00 (+0.40 to +1.60)" in one
    series = [TrendSeries("Alpha", [(2.0, 1.5, 2.5), None, (3.0, 2.5, 3.5)])]
    trend = trend_chart(series, list(WAVES), 1, 5)
    for wave in WAVES:
        for word in wave.split():
            assert word in trend
    assert "\u2026" not in trend


def test_changing_an_early_wave_rerenders_only_what_shows_it(tmp_path):
    import json

    from click.testing import CliRunner

    from surveyor.cli import cli

    def run(path: Path) -> list[dict]:
        args = ["score", str(path), "-i", MINI, "--out", str(tmp_path / "out"), "--jobs", "1",
                "--waves", ",".join(WAVES), "--data-date", "2027-06-01"]
        outcome = CliRunner().invoke(cli, args)
        assert outcome.exit_code == 0, outcome.output
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
        return manifest["reports"]

    before = run(programme_csv(tmp_path / "a.csv"))
    assert all(e["rendered"] for e in before)
    assert not any(e["rendered"] for e in run(tmp_path / "a.csv"))
    # One Autumn answer of one Kestrel member: only what draws Kestrel's Autumn mean moves
    # (its trend, its organisation's, the programme's, which also prints the file's hash).
    after = run(programme_csv(tmp_path / "a.csv", {("Autumn 2026", "Kestrel", 0): 5}))
    rendered = {e["path"] for e in after if e["rendered"]}
    kestrel = next(e["path"] for e in after if e["path"].endswith("Kestrel.pdf"))
    assert kestrel in rendered and "programme.pdf" in rendered
    # The technical note prints the data file's SHA-256, so it follows every change too.
    assert rendered <= {kestrel, "North/organization.pdf", "programme.pdf",
                        "technical-note.pdf"}
