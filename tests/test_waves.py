"""Wave order, --waves / --wave / --paired, and a multi-wave run's outputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.errors import ResponsesError, SurveyorError
from surveyor.numbers.waves import natural_order, parse_wave_list, wave_order

HEADER = "respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"
MINI = "tests/fixtures/mini.yaml"


def three_waves(tmp_path, names=("Autumn 2026", "Winter 2027", "Spring 2027")):
    rows = [HEADER]
    for w, name in enumerate(names):
        for org, sets in (("North", "AB"), ("South", "C")):
            for s in sets:
                for i in range(6):
                    v = 1 + (i + w + ord(s)) % 5
                    rows.append(f"{s}{i},{org},{s},{name},{v},{(v + i) % 5 + 1},3,{v},"
                                f"{(v + 2) % 5 + 1},{5 - v % 4}")
    path = tmp_path / "waves.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_numbers_and_dates_sort_themselves():
    assert natural_order(["10", "2", "1"]) == ["1", "2", "10"]
    assert natural_order(["2027-03-01", "2026-10-01"]) == ["2026-10-01", "2027-03-01"]
    assert natural_order(["Spring"]) == ["Spring"]


def test_names_without_an_order_ask_for_waves():
    with pytest.raises(SurveyorError, match="--waves"):
        natural_order(["Winter 2027", "Autumn 2026"])
    with pytest.raises(SurveyorError, match="--waves"):
        natural_order(["1", "2026-10-01"])


def test_wave_list_is_checked():
    assert parse_wave_list(" A , B ") == ["A", "B"]
    with pytest.raises(SurveyorError, match="more than once"):
        parse_wave_list("A,B,A")
    with pytest.raises(SurveyorError, match="empty"):
        parse_wave_list("A,,B")


def test_a_wave_not_in_waves_names_row_and_value():
    frame = pd.DataFrame({"wave": ["A", "B", "C", "A"]}, index=[2, 3, 4, 5])
    with pytest.raises(ResponsesError) as caught:
        wave_order(frame, ["A", "B"], "f.csv")
    assert [str(p) for p in caught.value.problems] == [
        "row 4, column wave: 'C' is not one of the waves given with --waves ('A', 'B'); "
        "correct the row, or add the wave to --waves in its place"
    ]
    assert wave_order(frame, ["C", "B", "A", "D"], "f.csv") == ["C", "B", "A"]


def test_validate_lists_the_waves(tmp_path):
    path = three_waves(tmp_path)
    result = run("validate", path, "-i", MINI, "--waves", "Autumn 2026,Winter 2027,Spring 2027",
                 "--paired")
    assert result.exit_code == 0, result.output
    assert "3 waves, in order:\n  Autumn 2026: n = 18\n  Winter 2027: n = 18\n" in result.output
    assert "Autumn 2026 -> Winter 2027: 18 respondent ids in both" in result.output
    refused = run("validate", path, "-i", MINI)
    assert refused.exit_code == 2 and "--waves" in refused.output
    assert "Traceback" not in refused.output
    wrong = run("validate", path, "-i", MINI, "--waves", "Autumn 2026,Spring 2027")
    assert wrong.exit_code == 2 and "row 20, column wave: 'Winter 2027'" in wrong.output


def test_three_waves_score_in_one_run(tmp_path):
    path = three_waves(tmp_path)
    out = tmp_path / "out"
    result = run("score", path, "-i", MINI, "--out", out, "--no-reports",
                 "--waves", "Autumn 2026,Winter 2027,Spring 2027")
    assert result.exit_code == 0, result.output
    for name in ("groups", "reliability", "items"):
        frame = pd.read_csv(out / f"{name}.csv")
        assert frame.columns[0] == "wave"
        assert frame["wave"].unique().tolist() == ["Autumn 2026", "Winter 2027", "Spring 2027"]
    changes = pd.read_csv(out / "changes.csv", keep_default_na=False)
    assert changes["design"].unique().tolist() == ["independent"]
    assert set(zip(changes["wave_from"], changes["wave_to"], strict=True)) == {
        ("Autumn 2026", "Winter 2027"), ("Winter 2027", "Spring 2027")}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["waves"]["order"] == ["Autumn 2026", "Winter 2027", "Spring 2027"]
    assert manifest["waves"]["design"] == "independent"
    assert manifest["waves"]["respondents"] == {"Autumn 2026": 18, "Winter 2027": 18,
                                                "Spring 2027": 18}
    assert "changes.csv" in {f["path"] for f in manifest["files"]}
    # Each wave suppressed on its own: the same groups as scoring that wave alone.
    alone = tmp_path / "alone"
    assert run("score", path, "-i", MINI, "--out", alone, "--no-reports",
               "--wave", "Winter 2027").exit_code == 0
    one = pd.read_csv(alone / "groups.csv")
    both = pd.read_csv(out / "groups.csv")
    winter = both[both["wave"] == "Winter 2027"].drop(columns="wave").reset_index(drop=True)
    pd.testing.assert_frame_equal(winter, one)
    assert not (alone / "changes.csv").exists()


def test_paired_run_records_its_design(tmp_path):
    path = three_waves(tmp_path, names=("1", "2", "3"))
    out = tmp_path / "out"
    result = run("score", path, "-i", MINI, "--out", out, "--no-reports", "--paired")
    assert result.exit_code == 0, result.output
    changes = pd.read_csv(out / "changes.csv")
    assert changes["design"].unique().tolist() == ["paired"]
    shown = changes[changes["shown"]]
    assert len(shown) and (shown["n_paired"] >= 5).all()
    assert json.loads((out / "manifest.json").read_text())["waves"]["design"] == "paired"


def test_an_unknown_wave_is_refused(tmp_path):
    result = run("score", three_waves(tmp_path), "-i", MINI, "--wave", "Summer",
                 "--out", tmp_path / "o")
    assert result.exit_code == 2 and "no row belongs to wave 'Summer'" in result.output


def test_the_same_input_gives_the_same_bytes(tmp_path):
    path = three_waves(tmp_path, names=("1", "2", "3"))
    texts = []
    for out in (tmp_path / "a", tmp_path / "b"):
        assert run("score", path, "-i", MINI, "--out", out, "--no-reports",
                   "--paired").exit_code == 0
        texts.append((out / "changes.csv").read_bytes())
    assert texts[0] == texts[1]


def test_waves_for_a_file_without_a_wave_column_is_refused(dozen_csv, mini_path, tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "score"):
        result = run(command, dozen_csv, "-i", mini_path, "--waves", "1,2")
        assert result.exit_code == 2, result.output
        assert "--waves given, but the file has no wave column" in result.output
