"""Channel 6: two releases that differ by fewer than N people must not both be published."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.release_register import REGISTER
from tests.test_output_folder import programme_csv, snapshot

SETS = {("East", "Ash"): 6, ("East", "Birch"): 6, ("West", "Cedar"): 6, ("West", "Dogwood"): 6}
LATE = "R25"  # the one respondent the second release adds (to Dogwood)
SETS_WITH_LATE = {**SETS, ("West", "Dogwood"): 7}


def score(csv: Path, out: Path, mini: Path, *args: str):
    return CliRunner().invoke(cli, ["score", str(csv), "-i", str(mini), "-o", str(out),
                                    "--no-reports", *args])


def releases(tmp_path: Path, *groupings: dict, skip: str = "") -> list[Path]:
    return [programme_csv(tmp_path / f"release{i}.csv", sets, skip=skip if i else "")
            for i, sets in enumerate(groupings)]


def person_scores(csv: Path, mini: Path, rid: str) -> pd.Series:
    from surveyor.pipeline import score as run_score

    frame = run_score(csv, mini).scores
    return frame.set_index("respondent_id").loc[rid, ["alpha_sub", "beta_sub"]]


def groups(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "groups.csv", keep_default_na=False)


def test_two_releases_one_person_apart_second_is_refused(mini_path, tmp_path):
    """Attack: the late respondent's scores are n2*mean2 - n1*mean1 of any group shown in
    both releases. By default the second release is refused and nothing of it appears."""
    first, second = releases(tmp_path, SETS, SETS_WITH_LATE)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    before = snapshot(out)
    result = score(second, out, mini_path)
    assert result.exit_code == 2, result.output
    assert "differs by 1 respondent from release 1" in result.output
    assert "West / Dogwood" in result.output and "--allow-small-change" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before  # nothing of the second release was written
    # Only one release is in the folder: the late respondent is not in it at all.
    assert len(groups(out).query("level == 'set' and set == 'Dogwood'")) == 2
    assert set(groups(out)["n"].replace("", 0).astype(int)) <= {0, 6, 12, 24}


# Sets of ten: a programme of 40 or more publishes its mean to 2 decimals (under 40, to 1).
LARGE = {key: 10 for key in SETS}
LARGE_WITH_LATE = {**LARGE, ("West", "Dogwood"): 11}
LARGE_LATE = "R41"


def test_the_attack_is_real_when_the_change_is_allowed(mini_path, tmp_path):
    first, second = releases(tmp_path, LARGE, LARGE_WITH_LATE)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    old = groups(out)
    result = score(second, out, mini_path, "--allow-small-change")
    assert result.exit_code == 0, result.output
    assert "Warning: release register: West / Dogwood" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert any("allowed by --allow-small-change" in w["message"] for w in manifest["warnings"])
    new = groups(out)
    # What the guard prevents: the late person's scores narrowed by subtraction. The
    # means are rounded to 2 decimals (40 and 41 people), so the difference is within
    # (40 + 41) x .005 of the score, a multiple of 1/3 (three items): of the 13 possible
    # scores, at most 3 are left, the true one among them.
    truth = person_scores(second, mini_path, LARGE_LATE)
    for subscale in ("alpha_sub", "beta_sub"):
        def total(frame, subscale=subscale):
            row = frame.query("level == 'programme' and subscale == @subscale").iloc[0]
            return int(row["n"]) * float(row["mean"])
        difference = total(new) - total(old)
        scores = [k / 3 for k in range(3, 16)]
        left = [v for v in scores if abs(v - difference) <= 81 * 0.005 + 1e-9]
        assert 1 <= len(left) <= 3
        assert any(v == pytest.approx(truth[subscale]) for v in left)


def test_a_change_of_n_people_or_more_is_published(mini_path, tmp_path):
    bigger = {**SETS, ("West", "Dogwood"): 6, ("West", "Elm"): 5}
    first, second = releases(tmp_path, SETS, bigger)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    result = score(second, out, mini_path)
    assert result.exit_code == 0, result.output
    assert "release register" not in result.output


def test_every_earlier_release_is_compared_not_only_the_last(mini_path, tmp_path):
    """Release 2 adds a set of five (allowed); release 3 is release 1 plus one person:
    one apart from release 1, so refused whatever it is compared with last."""
    plus_five = {**SETS, ("West", "Elm"): 5}
    first, second = releases(tmp_path, SETS, plus_five)
    third = programme_csv(tmp_path / "third.csv", {**SETS, ("West", "Elm"): 1})
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    assert score(second, out, mini_path).exit_code == 0
    result = score(third, out, mini_path)
    assert result.exit_code == 2
    assert "from release 1" in result.output


def test_a_person_moving_set_changes_two_sets(mini_path, tmp_path):
    first = programme_csv(tmp_path / "first.csv", SETS)
    text = first.read_text().replace("R01,East,Ash", "R01,East,Birch")
    moved = tmp_path / "moved.csv"
    moved.write_text(text)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    result = score(moved, out, mini_path)
    assert result.exit_code == 2
    assert "East / Ash" in result.output and "East / Birch" in result.output
    assert "the programme" not in result.output  # the programme's members did not change


def test_a_newly_scored_subscale_counts_as_a_change(mini_path, tmp_path):
    first = programme_csv(tmp_path / "first.csv", SETS)
    lines = first.read_text().splitlines()
    cells = lines[1].split(",")
    cells[6:9] = ["", "", ""]  # R01 has no beta_sub score in the first release
    lines[1] = ",".join(cells)
    first.write_text("\n".join(lines) + "\n")
    second = programme_csv(tmp_path / "second.csv", SETS)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    result = score(second, out, mini_path)
    assert result.exit_code == 2
    assert "(subscale beta_sub)" in result.output
    assert "(subscale alpha_sub)" not in result.output


def test_rerunning_the_same_data_is_fine_and_changes_nothing(mini_path, tmp_path):
    (first,) = releases(tmp_path, SETS)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    register = (out / REGISTER).read_bytes()
    assert score(first, out, mini_path).exit_code == 0
    assert (out / REGISTER).read_bytes() == register
    other = tmp_path / "other"
    assert score(first, other, mini_path).exit_code == 0
    assert (other / REGISTER).read_bytes() == register  # deterministic


def test_the_register_holds_no_ids_and_no_answers(mini_path, tmp_path):
    (first,) = releases(tmp_path, SETS)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    text = (out / REGISTER).read_text()
    assert "R01" not in text and "East" in text  # group names, never respondent ids
    data = json.loads(text)
    (release,) = data["releases"]
    assert set(release) == {"input_sha256", "min_group_size", "subscales", "shown", "sets",
                            "hashes", "set_codes", "masks"}
    from surveyor.release_register import Release

    loaded = Release.from_dict(release)
    assert len(loaded.hashes) == len(set(loaded.hashes.tolist())) == 24
    assert set(loaded.set_codes.tolist()) == {0, 1, 2, 3}
    assert set(loaded.masks.tolist()) == {3}  # both subscales scored, nothing else kept


def test_an_unreadable_register_stops_the_run(mini_path, tmp_path):
    (first,) = releases(tmp_path, SETS)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    (out / REGISTER).write_text("{not json")
    result = score(first, out, mini_path)
    assert result.exit_code == 2
    assert REGISTER in result.output and "restore it" in result.output


def test_a_register_whose_hashes_cannot_be_reproduced_stops_the_run(mini_path, tmp_path):
    (first,) = releases(tmp_path, SETS)
    out = tmp_path / "out"
    assert score(first, out, mini_path).exit_code == 0
    data = json.loads((out / REGISTER).read_text())
    data["salt"] = "0" * 32  # its probe no longer matches: every hash would look new
    (out / REGISTER).write_text(json.dumps(data))
    result = score(first, out, mini_path)
    assert result.exit_code == 2
    assert "different hash function" in result.output
