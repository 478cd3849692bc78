"""The suppression pass: thresholds, complementary suppression, adversarial layouts."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.errors import SurveyorError
from surveyor.numbers.anonymity import (
    BELOW_MINIMUM,
    COMPLEMENTARY,
    PARENT,
    PROGRAMME,
    GroupKey,
    check_min_group_size,
    complementary_suppression,
    suppression_pass,
)


def layout(sizes: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = []
    for (org, s), n in sizes.items():
        rows += [{"organization": org, "set": s}] * n
    return pd.DataFrame(rows)


def run(sizes, min_group_size=5, consented=False, scored=None):
    frame = layout(sizes)
    scored = scored if scored is not None else pd.DataFrame({"x": [True] * len(frame)})
    answered = pd.DataFrame({"i1": [True] * len(frame)})
    return suppression_pass(frame, scored, answered, min_group_size, consented)


def test_threshold_floor_and_consent():
    assert check_min_group_size(5) == 5
    assert check_min_group_size(3, consented=True) == 3
    with pytest.raises(SurveyorError, match="floor is 3"):
        check_min_group_size(2, consented=True)
    with pytest.raises(SurveyorError, match="--consented"):
        check_min_group_size(4)


def test_no_suppression_when_all_large_enough():
    assert complementary_suppression({"a": 5, "b": 9}, 5) == {}


def test_single_small_sibling_pulls_in_the_next_smallest():
    decided = complementary_suppression({"a": 3, "b": 6, "c": 8, "d": 5}, 5)
    assert decided == {"a": BELOW_MINIMUM, "d": COMPLEMENTARY}


def test_pool_already_large_enough_needs_no_complement():
    decided = complementary_suppression({"a": 3, "b": 4, "c": 9}, 5)
    assert decided == {"a": BELOW_MINIMUM, "b": BELOW_MINIMUM}


def test_empty_sibling_never_triggers():
    assert complementary_suppression({"a": 0, "b": 6}, 5) == {}


def test_ties_are_broken_by_name_deterministically():
    decided = complementary_suppression({"z": 6, "a": 6, "s": 2}, 5)
    assert decided == {"s": BELOW_MINIMUM, "a": COMPLEMENTARY}


def test_pass_hides_small_set_and_its_complement():
    result = run({("Org", "A"): 3, ("Org", "B"): 6, ("Org", "C"): 7})
    assert not result.group_shown(GroupKey("set", "Org", "A"))
    assert not result.group_shown(GroupKey("set", "Org", "B"))
    assert result.group_shown(GroupKey("set", "Org", "C"))
    assert result.group_shown(GroupKey("organization", "Org"))
    assert result.group_shown(PROGRAMME)
    reasons = {(r["set"], r["reason"]) for r in result.records()}
    assert ("A", BELOW_MINIMUM) in reasons and ("B", COMPLEMENTARY) in reasons


def test_small_organisation_hides_its_sets_and_a_sibling_organisation():
    result = run({("Big", "A"): 8, ("Big", "B"): 9, ("Mid", "C"): 6, ("Tiny", "D"): 4})
    assert not result.group_shown(GroupKey("organization", "Tiny"))
    assert result.groups[GroupKey("set", "Tiny", "D")].reason in (BELOW_MINIMUM, PARENT)
    # Tiny (4) alone is under 5: the next-smallest organisation joins it.
    assert not result.group_shown(GroupKey("organization", "Mid"))
    assert not result.group_shown(GroupKey("set", "Mid", "C"))
    assert result.group_shown(GroupKey("organization", "Big"))


def test_consented_mode_shows_a_set_of_three():
    result = run({("Org", "A"): 3, ("Org", "B"): 3}, min_group_size=3, consented=True)
    assert result.group_shown(GroupKey("set", "Org", "A"))


def test_subscale_cells_with_too_few_scores_are_hidden_with_complement():
    sizes = {("Org", "A"): 6, ("Org", "B"): 6, ("Org", "C"): 9}
    frame = layout(sizes)
    # In set A only two people have a score on x: the cell is hidden, and so is B's.
    scored = pd.Series([True] * len(frame))
    scored.iloc[2:6] = False
    result = suppression_pass(
        frame, pd.DataFrame({"x": scored}), pd.DataFrame({"i": [True] * len(frame)}), 5
    )
    assert result.group_shown(GroupKey("set", "Org", "A"))
    assert not result.cell_shown(GroupKey("set", "Org", "A"), "x")
    assert not result.cell_shown(GroupKey("set", "Org", "B"), "x")
    assert result.cell_shown(GroupKey("set", "Org", "C"), "x")


def recoverable(sizes: dict, result) -> bool:
    """Can any single suppressed set's n be recovered from shown totals by subtraction?"""
    orgs = sorted({o for o, _ in sizes})
    for org in orgs:
        if not result.group_shown(GroupKey("organization", org)):
            continue
        hidden = [
            (o, s) for (o, s) in sizes if o == org and not result.group_shown(GroupKey("set", o, s))
        ]
        if len(hidden) == 1 and sizes[hidden[0]] > 0:
            return True  # parent minus shown siblings equals the one hidden set
    hidden_orgs = [o for o in orgs if not result.group_shown(GroupKey("organization", o))]
    return bool(result.group_shown(PROGRAMME) and len(hidden_orgs) == 1)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["O1", "O2", "O3"]), st.sampled_from(list("ABCDEF"))),
        st.integers(min_value=1, max_value=12),
        min_size=1,
        max_size=12,
    )
)
def test_no_suppressed_group_is_recoverable_by_subtraction(sizes):
    result = run(sizes)
    assert not recoverable(sizes, result)
    for (org, s), n in sizes.items():
        if n < 5:
            assert not result.group_shown(GroupKey("set", org, s))
    # Every hidden pool among siblings holds at least N respondents (or all are hidden).
    for org in {o for o, _ in sizes}:
        hidden = [n for (o, s), n in sizes.items() if o == org and not result.group_shown(
            GroupKey("set", o, s))]
        if hidden and result.group_shown(GroupKey("organization", org)):
            assert sum(hidden) >= 5


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=12), min_size=2, max_size=6),
    st.integers(min_value=0, max_value=5),
)
def test_adding_a_respondent_to_a_suppressed_set_never_reveals_it(sizes, which):
    layout_sizes = {("Org", f"S{i}"): n for i, n in enumerate(sizes)}
    key = ("Org", f"S{which % len(sizes)}")
    before = run(layout_sizes)
    if before.group_shown(GroupKey("set", *key)):
        return
    grown = dict(layout_sizes)
    grown[key] = min(grown[key] + 1, 4)
    after = run(grown)
    if grown[key] < 5:
        assert not after.group_shown(GroupKey("set", *key))


def test_records_are_deterministic_and_plain():
    sizes = {("Org", s): n for s, n in zip("ABCD", [3, 5, 8, 2], strict=True)}
    first = run(sizes).records()
    second = run(dict(reversed(list(sizes.items())))).records()
    assert first == second
    assert all(set(r) == {"level", "organization", "set", "scope", "name", "reason"} for r in first)


@pytest.mark.parametrize("n_sets", [1, 2, 3, 8])
def test_every_layout_of_small_sets_hides_them(n_sets):
    for sizes_tuple in itertools.product([2, 4, 6], repeat=min(n_sets, 3)):
        sizes = {("Org", f"S{i}"): n for i, n in enumerate(sizes_tuple)}
        result = run(sizes)
        for (org, s), n in sizes.items():
            if n < 5:
                assert not result.group_shown(GroupKey("set", org, s))
        assert not recoverable(sizes, result)


def reference_pass(frame, scored, answered, min_group_size):
    """The pass written the plain way: every organisation's sets through
    complementary_suppression on every count, no shortcuts."""
    import numpy as np

    from surveyor.numbers.anonymity import Decision, set_codes

    codes, names = set_codes(frame)
    orgs = sorted({org for org, _ in names})

    def decide(counts, parent):
        decisions = {}
        by_org = {org: sum(n for (o, _), n in zip(names, counts, strict=True) if o == org)
                  for org in orgs}
        total = sum(by_org.values())
        hidden = 0 < total < min_group_size
        if hidden:
            decisions[PROGRAMME] = Decision(True, BELOW_MINIMUM)
        forced = {i: PARENT for i, org in enumerate(orgs)
                  if hidden or (parent and GroupKey("organization", org) in parent)}
        org_decisions = complementary_suppression(
            {i: by_org[org] for i, org in enumerate(orgs)}, min_group_size, forced
        )
        for i, reason in org_decisions.items():
            decisions[GroupKey("organization", orgs[i])] = Decision(True, reason)
        for i, org in enumerate(orgs):
            members = [j for j, (o, _) in enumerate(names) if o == org]
            forced_sets = {
                j: PARENT for j in members
                if i in org_decisions or (parent and GroupKey("set", *names[j]) in parent)
            }
            siblings = {j: int(counts[j]) for j in members}
            for j, reason in complementary_suppression(
                siblings, min_group_size, forced_sets
            ).items():
                decisions[GroupKey("set", *names[j])] = Decision(True, reason)
        return decisions

    def counts(mask):
        return np.bincount(codes[np.asarray(mask, dtype=bool)], minlength=len(names))

    groups = decide(counts(np.ones(len(frame), dtype=bool)), None)
    cells = {(k, c): d for c in scored.columns
             for k, d in decide(counts(scored[c]), groups).items()}
    items = {(k, c): d for c in answered.columns
             for k, d in decide(counts(answered[c]), groups).items()}
    return groups, cells, items


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.booleans(), st.booleans()),
             min_size=1, max_size=120),
    st.sampled_from([3, 5, 8]),
)
def test_pass_matches_the_plain_reference(rows, min_group_size):
    frame = pd.DataFrame({"organization": [f"O{o}" for o, *_ in rows],
                          "set": [f"S{s}" for _, s, *_ in rows]})
    scored = pd.DataFrame({"x": [a for *_, a, _ in rows]})
    answered = pd.DataFrame({"i1": [b for *_, b in rows], "i2": [True] * len(rows)})
    result = suppression_pass(frame, scored, answered, min_group_size, consented=True)
    groups, cells, items = reference_pass(frame, scored, answered, min_group_size)
    assert list(result.groups.items()) == list(groups.items())
    assert list(result.cells.items()) == list(cells.items())
    assert list(result.items.items()) == list(items.items())


def test_records_are_in_group_key_order():
    """The manifest lists groups, then cells, then items, each sorted as GroupKey sorts."""
    from surveyor.numbers.anonymity import COMPLEMENTARY, Decision, GroupKey, Suppression

    keys = [GroupKey("set", "B", "s1"), GroupKey("organization", "B"), GroupKey("set", "A", "z"),
            GroupKey("set", "A", "a"), GroupKey("programme")]
    hidden = Decision(True, COMPLEMENTARY)
    supp = Suppression(5, False, groups={keys[1]: hidden})
    supp.cells = {(k, s): hidden for k in keys[2:4] for s in ("pe", "ca")}
    supp.items = {(k, i): hidden for k in keys for i in ("pe2", "pe1")}
    records = supp.records()
    shown = [k for k in keys if k != keys[1]]
    expected = ([(keys[1], "")] + sorted((k, s) for k in keys[2:4] for s in ("pe", "ca"))
                + sorted((k, i) for k in shown for i in ("pe2", "pe1")))
    assert [(r["level"], r["organization"], r["set"], r["name"]) for r in records] == [
        (k.level, k.organization, k.set, name) for k, name in expected
    ]
