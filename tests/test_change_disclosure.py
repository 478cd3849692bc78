"""Anonymity across waves: attacks that try to recover people from two waves' outputs.

Each test builds a programme in which a naive release would expose someone, shows that
the attack works on the figures before the rules (so the test can fail), and that it
finds nothing in what surveyor publishes (groups.csv of each wave and changes.csv).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import surveyor
from surveyor.numbers.change_disclosure import (
    COMPLEMENTARY,
    HIDDEN_IN_WAVE,
    LEAVERS_BELOW_MINIMUM,
    PAIRED_BELOW_MINIMUM,
)

N = 5
HEADER = "respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"


def person(pid: str, org: str, set_name: str, wave: str, value: int) -> str:
    # a3 is reverse-keyed: 6 - value keys back to value, so every score equals value.
    return f"{pid},{org},{set_name},{wave},{value},{value},{6 - value},{value},{value},{value}"


def programme(tmp_path, rows: list[str], paired: bool = True):
    path = tmp_path / "waves.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return surveyor.score(path, "tests/fixtures/mini.yaml", waves="1,2", paired=paired)


def cohort(prefix: str, org: str, set_name: str, size: int, start: int = 1) -> list[tuple]:
    return [(f"{prefix}{i}", org, set_name) for i in range(start, start + size)]


def rows_for(wave: str, people: list[tuple]) -> list[str]:
    # Scores spread 1..5 and differ between waves, so no answer is constant.
    out = []
    for i, (pid, org, s) in enumerate(people):
        value = 1 + (i * 3 + int(wave)) % 5
        out.append(person(pid, org, s, wave, value))
    return out


def wave_mean(result, wave: str, level: str, org: str, set_name: str, subscale: str):
    g = result.groups
    row = g[(g["wave"] == wave) & (g["level"] == level) & (g["organization"] == org)
            & (g["set"] == set_name) & (g["subscale"] == subscale)].iloc[0]
    return row["n"], row["mean"]


def exposures(result, changes: pd.DataFrame) -> list[str]:
    """Every way an attacker holding groups.csv and ``changes`` singles out fewer than N.

    1. Leavers/joiners: a group's all-respondents total in a wave minus its pairs' total
       leaves the people outside the pairs; fewer than N of them is an exposure.
    2. Siblings: a parent's pairs minus its shown children's pairs leaves hidden children
       and movers; between 1 and N-1 people is an exposure.
    """
    found = []
    shown = changes[changes["shown"]]
    found += [f"{row.level} {row.organization}/{row.set}: a change over {row.n_paired}"
              for row in shown.itertuples() if row.n_paired < N]
    for row in shown.itertuples():
        for wave, mean_col in ((row.wave_from, "mean_from"), (row.wave_to, "mean_to")):
            n, mean = wave_mean(result, wave, row.level, row.organization, row.set,
                                row.subscale)
            if pd.isna(n) or pd.isna(mean):
                continue
            rest = int(n) - int(row.n_paired)
            if 0 < rest < N:
                total = n * mean - row.n_paired * getattr(row, mean_col)
                found.append(f"{row.level} {row.organization}/{row.set} {row.subscale} "
                             f"{wave}: {rest} outside the pairs, total {total:.3f}")
    for row in shown.itertuples():
        if row.level == "set":
            continue
        child_level = "organization" if row.level == "programme" else "set"
        children = shown[(shown["level"] == child_level) & (shown["subscale"] == row.subscale)
                         & (shown["wave_from"] == row.wave_from)]
        if row.level == "organization":
            children = children[children["organization"] == row.organization]
        rest = int(row.n_paired) - int(children["n_paired"].sum())
        if 0 < rest < N:
            found.append(f"{row.level} {row.organization} {row.subscale}: {rest} people "
                         "recoverable from the children")
    return found


def naive(result, own_rules: bool = False) -> pd.DataFrame:
    """The changes without the cross-wave rules: rule 1 only, or (``own_rules``) rules 1
    to 3 without the complementary rule 4."""
    from surveyor.numbers.change import compute_changes
    from surveyor.numbers.change_disclosure import HIDDEN_IN_WAVE, _own_rule

    run = result.waves
    frames = {w: run.results[w].scored.frame for w in run.order}
    raw = compute_changes(frames, run.order, ["alpha_sub", "beta_sub"], run.design)
    suppressions = {w: run.results[w].suppression for w in run.order}
    for i, row in raw.iterrows():
        reason = _own_rule(row.to_dict(), suppressions, N)
        if reason and (own_rules or reason == HIDDEN_IN_WAVE or not row["n_from"]
                       or not row["n_to"]):
            raw.loc[i, "shown"] = False
    return raw


def reasons(result) -> set[str]:
    return {r["reason"] for r in result.waves.change_records}


def test_one_leaver_cannot_be_recovered(tmp_path):
    a = cohort("a", "North", "A", 6)
    b = cohort("b", "North", "B", 6)
    # a6 leaves after wave 1: set A has 6 then 5 people, 5 pairs.
    result = programme(tmp_path, rows_for("1", a + b) + rows_for("2", a[:5] + b))
    assert exposures(result, naive(result))  # the attack works without the rule
    assert exposures(result, result.waves.changes) == []
    assert LEAVERS_BELOW_MINIMUM in reasons(result)
    row = result.waves.changes.query("level == 'set' and set == 'A'").iloc[0]
    assert not row["shown"] and pd.isna(row["n_paired"]) and math.isnan(row["change"])


def test_one_mover_cannot_be_recovered_from_the_organisation(tmp_path):
    # Every set has 5 or more leavers and joiners, but one person moves from A to B:
    # the organisation's pairs minus its sets' pairs would be that one person.
    a1, a_stay, a_out = cohort("m", "North", "A", 1), cohort("a", "North", "A", 6), \
        cohort("x", "North", "A", 5)
    b_stay, b_in = cohort("b", "North", "B", 6), cohort("y", "North", "B", 5)
    c = cohort("c", "North", "C", 6)
    moved = [("m1", "North", "B")]
    wave1 = a1 + a_stay + a_out + b_stay + c
    wave2 = a_stay + moved + b_stay + b_in + c
    result = programme(tmp_path, rows_for("1", wave1) + rows_for("2", wave2))
    assert exposures(result, naive(result, own_rules=True))
    assert exposures(result, result.waves.changes) == []
    assert COMPLEMENTARY in reasons(result)


def test_a_small_paired_set_cannot_be_recovered_from_its_siblings(tmp_path):
    # Set A: 10 people in each wave but only 4 the same (6 leave, 6 join): its paired
    # change rests on 4 people. Organisation minus B and C would give it back.
    a_stay, a_out, a_in = (cohort("a", "North", "A", 4), cohort("o", "North", "A", 6),
                           cohort("i", "North", "A", 6))
    b, c = cohort("b", "North", "B", 6), cohort("c", "North", "C", 7)
    result = programme(tmp_path, rows_for("1", a_stay + a_out + b + c)
                       + rows_for("2", a_stay + a_in + b + c))
    assert exposures(result, naive(result, own_rules=True))
    assert exposures(result, result.waves.changes) == []
    assert {PAIRED_BELOW_MINIMUM, COMPLEMENTARY} <= reasons(result)


def test_no_change_where_either_wave_hides_the_group(tmp_path):
    a, b, c = (cohort("a", "North", "A", 6), cohort("b", "North", "B", 3),
               cohort("c", "North", "C", 6))
    # B has 3 people in wave 1 (hidden, and C or A with it), 6 in wave 2.
    b2 = b + cohort("b", "North", "B", 3, start=4)
    result = programme(tmp_path, rows_for("1", a + b + c) + rows_for("2", a + b2 + c),
                       paired=False)
    changes = result.waves.changes
    for row in changes.itertuples():
        key_shown = all(
            result.waves.results[w].suppression.cell_shown(
                _group(row.level, row.organization, row.set), row.subscale)
            for w in ("1", "2")
        )
        if not key_shown:
            assert not row.shown and pd.isna(row.n_from) and math.isnan(row.mean_to)
    assert HIDDEN_IN_WAVE in reasons(result)
    assert not changes.query("level == 'set' and set == 'B'")["shown"].any()


def test_a_set_present_in_one_wave_only_has_no_change(tmp_path):
    a, b = cohort("a", "North", "A", 6), cohort("b", "North", "B", 6)
    c = cohort("c", "North", "C", 6)
    result = programme(tmp_path, rows_for("1", a + b + c) + rows_for("2", a + b),
                       paired=False)
    c_rows = result.waves.changes.query("set == 'C'")
    assert len(c_rows) == 2 and not c_rows["shown"].any()
    assert c_rows["n_from"].isna().all()


@pytest.mark.parametrize("paired", [False, True])
def test_shown_changes_add_nothing_to_each_waves_rounded_figures(tmp_path, paired):
    from surveyor.numbers.change import welch_bounds
    from surveyor.numbers.disclosure import small_group_size
    from surveyor.numbers.rounding import round_value

    a, b = cohort("a", "North", "A", 6), cohort("b", "South", "B", 7)
    result = programme(tmp_path, rows_for("1", a + b) + rows_for("2", a + b), paired=paired)
    changes = result.waves.changes
    assert changes["shown"].all()
    for row in changes.itertuples():
        n0, m0 = wave_mean(result, "1", row.level, row.organization, row.set, row.subscale)
        n1, m1 = wave_mean(result, "2", row.level, row.organization, row.set, row.subscale)
        assert row.n_from == n0 and row.n_to == n1
        # Sets and groups under max(40, 8N) publish one decimal, as groups.csv does.
        places = 1 if row.level == "set" or min(n0, n1) < small_group_size(5) else 2
        for value in (row.mean_from, row.mean_to, row.change, row.ci_low, row.ci_high):
            assert value == round(value, places)
        if paired:
            continue
        assert (row.mean_from, row.mean_to) == (m0, m1)
        g = result.groups.set_index(["wave", "level", "organization", "set", "subscale"])
        sd0 = g.loc[("1", row.level, row.organization, row.set, row.subscale), "sd"]
        sd1 = g.loc[("2", row.level, row.organization, row.set, row.subscale), "sd"]
        low, high = welch_bounds(m1 - m0, sd0**2, n0, sd1**2, n1)
        assert (row.ci_low, row.ci_high) == (round_value(low, places),
                                             round_value(high, places))


def _group(level, org, set_name):
    from surveyor.numbers.change_disclosure import _key

    return _key(level, org, set_name)
