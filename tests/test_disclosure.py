"""Attacks on the published figures: each must fail to recover a withheld set or a person.

The attacker holds what a consultant shares: groups.csv, items.csv, reliability.csv and
manifest.json from a real ``surveyor score`` run, and the per-statement answer counts the
reports print (shown exactly where the run's suppression pass shows an item). Each attack
is also run against the figure as surveyor used to publish it (computed here from the
consultant-only answers), where it must succeed: the attack is real, so its failure on
the shared files means something. The rules are in ``surveyor.numbers.disclosure``.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.instrument.model import load_instrument
from surveyor.numbers import stats
from surveyor.numbers.agreement import rwg_j_critical
from surveyor.numbers.anonymity import PROGRAMME, GroupKey
from surveyor.numbers.disclosure import (
    DECIMALS,
    ICC_MIN_SETS,
    SMALL_DECIMALS,
    icc_members,
    round_figures,
    small_group_size,
    withhold_order_statistics,
)
from surveyor.numbers.rounding import round_value
from surveyor.numbers.summaries import apply_suppression, group_statistics
from surveyor.pipeline import score

EXAMPLE = Path(__file__).parent.parent / "examples" / "responses.csv"
INSTRUMENT = load_instrument("learning-inaction")
SUBSCALES = [s.id for s in INSTRUMENT.subscales]
ITEMS = {s: [i.id for i in INSTRUMENT.items_of(s)] for s in SUBSCALES}
REVERSED = {i.id for i in INSTRUMENT.items if i.reverse}
K = 6  # items per subscale in the shipped instrument
N = 5  # the default minimum group size


@dataclass
class Shared:
    """The files a consultant shares, as an attacker reads them."""

    groups: pd.DataFrame
    items: pd.DataFrame
    reliability: pd.DataFrame
    manifest: dict
    out: Path

    def row(self, level: str, subscale: str, org: str = "", name: str = "") -> pd.Series:
        g = self.groups
        found = g[(g["level"] == level) & (g["subscale"] == subscale)
                  & (g["organization"].fillna("") == org) & (g["set"].fillna("") == name)]
        assert len(found) == 1
        return found.iloc[0]


def shared_files(tmp_path: Path, responses: Path, *options: str) -> Shared:
    out = tmp_path / "out"
    run = CliRunner().invoke(
        cli, ["score", str(responses), "--out", str(out), "--no-reports", *options]
    )
    assert run.exit_code == 0, run.output
    read = lambda name: pd.read_csv(out / name)  # noqa: E731
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return Shared(read("groups.csv"), read("items.csv"), read("reliability.csv"), manifest, out)


def programme(sizes: dict[tuple[str, str], int], seed: int, spread: float = 1.0) -> pd.DataFrame:
    """Complete random answers on the shipped instrument, each set with its own lean (answers
    spread around it by ``spread``: smaller, the set's people answer more alike)."""
    rng = np.random.default_rng(seed)
    rows = []
    for (org, name), n in sizes.items():
        lean = rng.normal(0, 0.8)
        for _ in range(n):
            answers = np.clip(np.rint(rng.normal(3 + lean, spread, len(INSTRUMENT.items))),
                              1, 5)
            rows.append({"organization": org, "set": name,
                         **{i.id: int(a) for i, a in zip(INSTRUMENT.items, answers, strict=True)}})
    frame = pd.DataFrame(rows)
    frame.insert(0, "respondent_id", [f"P{i:04d}" for i in range(len(frame))])
    return frame


def save(frame: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    return path


def truth(path: Path):
    """The consultant-only run: every person's score and the unsuppressed statistics."""
    return score(path)


# ------------------------------------------------------------------ 1. ICC differencing


def icc_attack(shared: Shared, subscale: str, org: str, target: str, icc2: float):
    """Solve for the mean of the withheld set ``target`` of ``org`` from an ICC(2) taken
    to be over every set (as surveyor published it before), with everything else from
    groups.csv and the manifest.

    ICC(2) gives MSB/MSW; with the programme's total sum of squares that fixes the
    between-set sum of squares. Its shown-set terms are published; the withheld pool of
    ``org`` (parent minus shown siblings) has a known size and sum, and the target's size
    is one of 1..N-1, leaving a quadratic in the target's mean. Returns, per size guess,
    the exact roots and the roots that sit on the grid of possible means (multiples of
    1/(30 n): every score is a multiple of 1/6 or 1/5).
    """
    g = shared.groups[shared.groups["subscale"] == subscale]
    prog = shared.row("programme", subscale)
    big_n, grand = int(prog["n"]), float(prog["mean"])
    sst = (big_n - 1) * float(prog["sd"]) ** 2
    sets = g[g["level"] == "set"]
    n_sets = len(sets)
    ratio = 1 / (1 - icc2)  # MSB / MSW
    msw = sst / (ratio * (n_sets - 1) + big_n - n_sets)
    ssb = sst - msw * (big_n - n_sets)
    shown = sets[~sets["suppressed"]]
    rest = ssb - float((shown["n"] * (shown["mean"] - grand) ** 2).sum())
    org_row = shared.row("organization", subscale, org)
    in_org = shown[shown["organization"] == org]
    pool_n = int(org_row["n"]) - int(in_org["n"].sum())
    pool_sum = float(org_row["n"] * org_row["mean"]) - float((in_org["n"] * in_org["mean"]).sum())
    hidden_elsewhere = sets[sets["suppressed"] & (sets["organization"] != org)]
    assert hidden_elsewhere.empty  # the attacks below are built with one withheld pool
    others = sets[sets["suppressed"] & (sets["organization"] == org) & (sets["set"] != target)]
    found = {}
    for n_t in range(1, N):
        n_c = pool_n - n_t
        if n_c < 0 or (n_c == 0) != others.empty:
            continue
        # n_t (m - M)^2 + n_c ((S - n_t m)/n_c - M)^2 = rest, a quadratic in m.
        if n_c:
            a = n_t + n_t**2 / n_c
            b = -2 * n_t * grand - 2 * n_t * (pool_sum - n_c * grand) / n_c
            c = n_t * grand**2 + (pool_sum - n_c * grand) ** 2 / n_c - rest
        else:
            a, b, c = n_t, -2 * n_t * grand, n_t * grand**2 - rest
        disc = b * b - 4 * a * c
        roots = [] if disc < 0 else sorted({(-b - math.sqrt(disc)) / (2 * a),
                                            (-b + math.sqrt(disc)) / (2 * a)})
        step = 1 / (30 * n_t)
        on_grid = [r for r in roots if 1 <= r <= 5 and abs(r / step - round(r / step)) < 1e-6]
        found[n_t] = (roots, on_grid)
    return found


def recovered(found: dict, n_true: int, mean_true: float) -> bool:
    """Whether the attack pins the target: its true size leaves a root on the grid at the
    true mean (an attacker then reads the mean off; a set of one gives the person's score)."""
    roots, on_grid = found.get(n_true, ([], []))
    return any(abs(r - mean_true) < 1e-6 for r in on_grid) or any(
        abs(r - mean_true) < 1e-6 for r in roots)


def hidden_truth(result, subscale: str, org: str, name: str) -> tuple[int, float]:
    scores = result.scores
    mine = scores[(scores["organization"] == org) & (scores["set"] == name)][subscale].dropna()
    return len(mine), float(mine.mean())


def exact(shared: Shared, result) -> Shared:
    """The shared files with groups.csv at full precision, as surveyor wrote it before."""
    raw = group_statistics(result.scores, result.scored.keyed, result.instrument, result.levels)
    return Shared(apply_suppression(raw, result.suppression), shared.items,
                  shared.reliability, shared.manifest, shared.out)


def shown_icc(result, subscale: str) -> tuple[float, float]:
    """ICC(1)/ICC(2) over the shown sets in full: what rule 1 computes before publishing
    it (over at least ICC_MIN_SETS sets, to 2 decimals; empty otherwise)."""
    members = icc_members(result.levels, result.suppression, subscale)
    values = result.scores[subscale].to_numpy(dtype=float)
    return stats.icc(pd.Series(values[members]), pd.Series(result.levels.set_code[members]))


def all_sets_icc2(result, subscale: str) -> float:
    """ICC(2) over every set, as reliability.csv used to print it."""
    scores = result.scores
    return stats.icc(scores[subscale], scores["organization"] + "/" + scores["set"])[1]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Shared:
    return shared_files(tmp_path_factory.mktemp("example"), EXAMPLE)


@pytest.fixture(scope="module")
def example_truth():
    return truth(EXAMPLE)


TARGET = ("Eastbrook Integrated Care Board", "Clinical directors")


@pytest.mark.parametrize("subscale", SUBSCALES)
def test_icc_does_not_give_the_withheld_sets_mean(example, example_truth, subscale):
    org, name = TARGET
    n_true, mean_true = hidden_truth(example_truth, subscale, org, name)
    assert 1 <= n_true < N
    # Over the example's 9 shown sets reliability.csv leaves the ICCs empty; attack them
    # as if they were published in full.
    assert np.isnan(example.reliability.set_index("subscale").loc[subscale, "icc2"])
    published = shown_icc(example_truth, subscale)[1]
    assert not recovered(icc_attack(example, subscale, org, name, published), n_true, mean_true)
    # Even with groups.csv at full precision, the ICC over shown sets gives nothing...
    full = exact(example, example_truth)
    assert not recovered(icc_attack(full, subscale, org, name, published), n_true, mean_true)
    # ...while the ICC over every set (what was published before) gives the mean.
    old = all_sets_icc2(example_truth, subscale)
    assert recovered(icc_attack(full, subscale, org, name, old), n_true, mean_true)


def test_icc_is_a_function_of_the_shown_sets_figures(example, example_truth):
    """ICC(1)/ICC(2) follow from the shown sets' n, mean and sd alone."""
    full = exact(example, example_truth).groups
    for subscale in SUBSCALES:
        icc1_shown, icc2_shown = shown_icc(example_truth, subscale)
        sets = full[(full["level"] == "set") & (full["subscale"] == subscale)
                    & ~full["suppressed"]]
        n = sets["n"].to_numpy(float)
        mean, sd = sets["mean"].to_numpy(float), sets["sd"].to_numpy(float)
        grand = (n * mean).sum() / n.sum()
        msb = (n * (mean - grand) ** 2).sum() / (len(n) - 1)
        msw = ((n - 1) * sd**2).sum() / (n.sum() - len(n))
        icc1 = (msb - msw) / (msb + (n.sum() / len(n) - 1) * msw)
        assert icc1_shown == pytest.approx(icc1, abs=1e-12)
        assert icc2_shown == pytest.approx((msb - msw) / msb, abs=1e-12)


def test_icc_does_not_change_with_the_withheld_sets_answers(tmp_path):
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    first = truth(save(frame, tmp_path))
    hidden = (frame["organization"] == TARGET[0]) & (frame["set"] == TARGET[1])
    items = [i.id for i in INSTRUMENT.items]
    frame.loc[hidden, items] = "5"
    second = truth(save(frame, tmp_path))
    for subscale in SUBSCALES:
        assert shown_icc(first, subscale) == shown_icc(second, subscale)
        assert all_sets_icc2(first, subscale) != all_sets_icc2(second, subscale)


def test_icc_does_not_give_a_set_of_one(tmp_path):
    sizes = {("Alpha", "A1"): 7, ("Alpha", "A2"): 6, ("Alpha", "A3"): 1,
             ("Beta", "B1"): 6, ("Beta", "B2"): 8, ("Beta", "B3"): 9}
    path = save(programme(sizes, seed=11), tmp_path)
    shared = shared_files(tmp_path, path)
    result = truth(path)
    for subscale in SUBSCALES:
        n_true, mean_true = hidden_truth(result, subscale, "Alpha", "A3")
        assert n_true == 1
        assert np.isnan(shared.reliability.set_index("subscale").loc[subscale, "icc2"])
        published = shown_icc(result, subscale)[1]  # as if published in full
        assert not recovered(icc_attack(shared, subscale, "Alpha", "A3", published), 1, mean_true)
        full = exact(shared, result)
        assert not recovered(icc_attack(full, subscale, "Alpha", "A3", published), 1, mean_true)
        old = all_sets_icc2(result, subscale)
        assert recovered(icc_attack(full, subscale, "Alpha", "A3", old), 1, mean_true)


# ------------------------------------------------------------ 2. prorating differencing


def item_counts(result, key, item: str) -> np.ndarray | None:
    """The answer counts of one item in one group as a report prints them (None: withheld)."""
    if not result.suppression.item_shown(key, item):
        return None
    frame = result.responses.frame
    if key.level == "organization":
        frame = frame[frame["organization"] == key.organization]
    elif key.level == "set":
        frame = frame[(frame["organization"] == key.organization) & (frame["set"] == key.set)]
    answers = frame[item].to_numpy()
    return np.array([np.sum(answers == v) for v in INSTRUMENT.scale.values])


def keyed_total(counts: np.ndarray, item: str) -> float:
    values = np.array(INSTRUMENT.scale.values, dtype=float)
    if item in REVERSED:
        values = INSTRUMENT.scale.min + INSTRUMENT.scale.max - values
    return float(counts @ values)


def programme_difference(shared: Shared, subscale: str) -> float | None:
    """k n mean (groups.csv) minus the sum of n_i mean_i (items.csv): the prorated people's
    extra. None when items.csv withholds any of the subscale's items."""
    prog = shared.row("programme", subscale)
    items = shared.items.set_index("item").loc[ITEMS[subscale]]
    if items["mean"].isna().any() or pd.isna(prog["mean"]):
        return None
    return K * prog["n"] * prog["mean"] - float((items["n"] * items["mean"]).sum())


def one_prorated(tmp_path: Path) -> tuple[Path, str, float]:
    sizes = {("Alpha", "A1"): 6, ("Alpha", "A2"): 7, ("Beta", "B1"): 8, ("Beta", "B2"): 6}
    frame = programme(sizes, seed=5)
    skipped = ITEMS["collusion"][2]
    frame[skipped] = frame[skipped].astype(object)
    frame.loc[3, skipped] = ""
    path = save(frame, tmp_path)
    scores = truth(path).scores
    person = scores.loc[scores["respondent_id"] == frame.loc[3, "respondent_id"], "collusion"]
    return path, skipped, float(person.iloc[0])


def test_prorating_difference_does_not_give_the_one_prorated_person(tmp_path):
    path, _, person = one_prorated(tmp_path)
    shared = shared_files(tmp_path, path)
    assert shared.manifest["scoring"]["prorated"]["collusion"] == 1
    assert programme_difference(shared, "collusion") is None
    # Other subscales, where nobody skipped, keep their item statistics.
    assert programme_difference(shared, "emotional_risk") is not None
    # Before: items.csv carried every item, and the difference was the person's score.
    result = truth(path)
    table = result.alpha_results["collusion"].items
    prog = exact(shared, result).row("programme", "collusion")
    old = K * prog["n"] * prog["mean"] - float((table["n"] * table["mean"]).sum())
    assert old / (K - 5) == pytest.approx(person, abs=1e-9)


def test_prorating_difference_from_the_reports_item_counts(tmp_path):
    """Set level: the set's mean against the item counts its report prints, and every
    parent-minus-shown-children combination of them."""
    path, _, person = one_prorated(tmp_path)
    result = truth(path)
    shared = shared_files(tmp_path, path)

    keys = [PROGRAMME, GroupKey("organization", "Alpha"), GroupKey("set", "Alpha", "A1")]
    for key in keys:
        assert all(item_counts(result, key, i) is None for i in ITEMS["collusion"])
        assert all(item_counts(result, key, i) is not None for i in ITEMS["emotional_risk"])
    # Before, the set's report printed every count: the difference is the person's score.
    mine = result.responses.frame["set"] == "A1"
    totals = 0.0
    for item in ITEMS["collusion"]:
        answers = result.responses.frame.loc[mine, item].to_numpy()
        counts = np.array([np.sum(answers == v) for v in INSTRUMENT.scale.values])
        totals += keyed_total(counts, item)
    row = exact(shared, result).row("set", "collusion", "Alpha", "A1")
    assert (K * row["n"] * row["mean"] - totals) == pytest.approx(person, abs=1e-9)


def partial_people(result, subscale: str) -> pd.Series:
    keyed = result.scored.keyed[ITEMS[subscale]]
    answered = keyed.notna().sum(axis=1)
    return (answered > 0) & (answered < K)


def mixed_partial_programme(tmp_path: Path) -> Path:
    """Sets with 1, 2, 0 and 6 people who skipped a collusion item, beside complete ones:
    complementary suppression must pick the right siblings."""
    sizes = {("Alpha", "A1"): 6, ("Alpha", "A2"): 7, ("Alpha", "A3"): 8, ("Alpha", "A4"): 9,
             ("Beta", "B1"): 8, ("Beta", "B2"): 6, ("Gamma", "G1"): 7, ("Gamma", "G2"): 6}
    frame = programme(sizes, seed=8)
    skips = {"A1": 1, "A2": 2, "A4": 6, "B1": 5, "G1": 1}
    for column in ITEMS["collusion"]:
        frame[column] = frame[column].astype(object)
    for name, count in skips.items():
        rows = frame.index[frame["set"] == name][:count]
        for j, row in enumerate(rows):
            frame.loc[row, ITEMS["collusion"][j % K]] = ""
    return save(frame, tmp_path)


@pytest.mark.parametrize("which", ["example", "mixed"])
def test_no_item_difference_isolates_fewer_than_n_partial_answerers(
    which, example_truth, tmp_path
):
    """Every difference an attacker can form from shown item counts (a group's own, a
    parent's minus its shown children's) rests on 0 or at least N people who answered in
    part, so it gives no one's score."""
    result = example_truth if which == "example" else truth(mixed_partial_programme(tmp_path))
    frame = result.responses.frame
    for subscale in SUBSCALES:
        partial = partial_people(result, subscale)
        members = {PROGRAMME: np.ones(len(frame), dtype=bool)}
        tree = {PROGRAMME: []}
        for org in sorted(frame["organization"].unique()):
            okey = GroupKey("organization", org)
            members[okey] = (frame["organization"] == org).to_numpy()
            tree[PROGRAMME].append(okey)
            tree[okey] = []
            for name in sorted(frame.loc[members[okey], "set"].unique()):
                skey = GroupKey("set", org, name)
                members[skey] = members[okey] & (frame["set"] == name).to_numpy()
                tree[okey].append(skey)

        def visible(key, items=tuple(ITEMS[subscale])) -> bool:
            return all(item_counts(result, key, i) is not None for i in items)

        formed = 0
        for parent, children in tree.items():
            if visible(parent):
                formed += 1
                assert partial[members[parent]].sum() == 0 or partial[members[parent]].sum() >= N
                rest = members[parent].copy()
                for child in children:
                    if visible(child):
                        rest &= ~members[child]
                left = int(partial[rest].sum())
                assert left == 0 or left >= N, (subscale, parent, left)
        for key in members:
            if key.level == "set" and visible(key):
                m = int(partial[members[key]].sum())
                assert m == 0 or m >= N, (subscale, key, m)
        assert formed >= 1  # the programme's item detail is shown


# -------------------------------------------------------------- 3. agreement from few


def test_agreement_never_rests_on_fewer_than_n(example, example_truth):
    g = example.groups
    shown = g[g["rwg_j"].notna()]
    assert not shown.empty
    assert (shown["n_agreement"] >= N).all()
    for row in shown.itertuples():
        assert row.rwg_j_critical == pytest.approx(rwg_j_critical(int(row.n_agreement), K, 5))
    hidden = g[~g["suppressed"] & g["n_agreement"].isna()]
    assert not hidden.empty  # the example has shown cells with too few complete answerers
    assert hidden[["rwg_j", "rwg_j_critical", "ad"]].isna().all().all()
    assert (hidden["agreement"].fillna("") == "").all()
    # The attack: read the number of complete answerers off rwg_j_critical.
    criticals = {round(rwg_j_critical(n, K, 5), 12): n for n in range(2, N)}
    assert not any(round(v, 12) in criticals for v in g["rwg_j_critical"].dropna())
    # Before, it read them off: the unsuppressed figures include criticals of 2 to N-1.
    raw = group_statistics(example_truth.scores, example_truth.scored.keyed,
                           example_truth.instrument, example_truth.levels)
    shown_before = raw.merge(g.loc[~g["suppressed"], ["level", "organization", "set",
                                                      "subscale"]].fillna(""))
    assert any(round(v, 12) in criticals for v in shown_before["rwg_j_critical"].dropna())


# --------------------------------------------------------- 4. order statistics of a set


def multisets(grid: np.ndarray, n: int) -> np.ndarray:
    combos = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations_with_replacement(range(len(grid)), n)),
        dtype=np.int16,
    ).reshape(-1, n)
    return grid[combos]


def solutions(candidates: np.ndarray, row: pd.Series, decimals: int | None) -> np.ndarray:
    """The candidate score multisets (sorted rows) that match every figure of ``row``: to
    within its rounding to ``decimals``, or exactly (``None``). The interval is left out
    when rounded: it is worked out from the rounded mean and sd (checked below)."""
    from scipy.special import stdtrit

    tol = 1e-9 if decimals is None else 0.5 * 10**-decimals + 1e-9
    n = len(candidates[0])
    mean, sd = candidates.mean(axis=1), candidates.std(axis=1, ddof=1)
    half = stdtrit(n - 1, 0.975) * sd / math.sqrt(n)
    figures = [("mean", mean), ("sd", sd), ("min", candidates[:, 0]),
               ("max", candidates[:, -1]), ("median", candidates[:, n // 2])]
    if decimals is None:
        figures += [("ci_low", mean - half), ("ci_high", mean + half)]
    ok = np.ones(len(candidates), dtype=bool)
    for name, value in figures:
        if not pd.isna(row[name]):
            ok &= np.abs(value - row[name]) <= tol
    return candidates[ok]


def pinned(found: np.ndarray) -> set[float]:
    """Scores that every remaining answer contains: what the attacker learns for sure."""
    common = set(np.round(found[0], 9))
    for other in found[1:]:
        common &= set(np.round(other, 9))
    return common


@pytest.fixture(scope="module")
def fives():
    """Every set of five scores: complete (multiples of 1/6), or also prorated (of 1/5)."""
    complete = np.arange(6, 31) / 6
    return {
        False: multisets(complete, 5),
        True: multisets(np.unique(np.concatenate([complete, np.arange(5, 26) / 5])), 5),
    }


def possible(fives, shared: Shared, subscale: str) -> np.ndarray:
    """The attacker's candidates: prorated scores only if the manifest says there are any."""
    return fives[shared.manifest["scoring"]["prorated"][subscale] > 0]


def test_a_set_of_five_is_not_pinned_down(tmp_path, fives):
    sizes = {("Alpha", "Five"): 5, ("Alpha", "A2"): 9, ("Beta", "B1"): 8, ("Beta", "B2"): 7}
    path = save(programme(sizes, seed=3), tmp_path)
    shared = shared_files(tmp_path, path)
    result = truth(path)
    before = exact(shared, result)
    for subscale in SUBSCALES:
        row = shared.row("set", subscale, "Alpha", "Five")
        assert row[["median", "min", "max"]].isna().all()
        people = np.sort(result.scores.loc[result.scores["set"] == "Five", subscale])
        found = solutions(possible(fives, shared, subscale), row, SMALL_DECIMALS)
        assert any(np.allclose(s, people) for s in found)
        assert len(found) > 1, (subscale, found)
        assert all(abs(score - people.mean()) < 0.2 for score in pinned(found))
        # With median, min and max as before, the five scores come out.
        old = solutions(possible(fives, shared, subscale),
                        before.row("set", subscale, "Alpha", "Five"), None)
        assert len(old) == 1 and np.allclose(old[0], people)


def test_example_set_of_five_is_not_pinned_down(example, example_truth, fives):
    scores = example_truth.scores
    pinned_before = 0
    for subscale in SUBSCALES:
        row = example.row("set", subscale, "Riverside Community Health Services",
                          "Service leads")
        mine = scores[(scores["set"] == "Service leads")
                      & (scores["organization"] == "Riverside Community Health Services")]
        people = np.sort(mine[subscale].dropna())
        if len(people) != 5:
            continue
        found = solutions(possible(fives, example, subscale), row, SMALL_DECIMALS)
        assert any(np.allclose(s, people) for s in found)
        assert len(found) > 1, subscale
        assert all(abs(score - people.mean()) < 0.2 for score in pinned(found))
        # At full precision, mean and sd alone pin some of this set's subscales.
        exact_row = exact(example, example_truth).row(
            "set", subscale, "Riverside Community Health Services", "Service leads")
        for name in ("median", "min", "max"):
            exact_row[name] = np.nan
        pinned_before += len(solutions(possible(fives, example, subscale), exact_row, None)) == 1
    assert pinned_before >= 1


def test_order_statistics_only_for_large_organisations_and_programme(example):
    g = example.groups
    with_order = g[g[["median", "min", "max"]].notna().any(axis=1)]
    assert not with_order.empty
    assert set(with_order["level"]) <= {"organization", "programme"}
    assert (with_order["n"] >= small_group_size(N)).all()
    assert g.loc[g["level"] == "set", ["median", "min", "max"]].isna().all().all()


def test_intervals_follow_from_the_published_mean_and_sd(example):
    from scipy.special import stdtrit

    g = example.groups[example.groups["n"] > 1]
    small = (g["level"] == "set") | (g["n"] < small_group_size(N))
    for row, is_small in zip(g.itertuples(), small, strict=True):
        decimals = SMALL_DECIMALS if is_small else DECIMALS
        assert row.mean == round(row.mean, decimals) and row.sd == round(row.sd, decimals)
        half = stdtrit(row.n - 1, 0.975) * row.sd / math.sqrt(row.n)
        assert row.ci_low == round_value(row.mean - half, decimals)
        assert row.ci_high == round_value(row.mean + half, decimals)


def test_no_set_of_five_is_pinned_far_from_its_mean(fives):
    """Many sets of five, from alike to scattered answers: the published (rounded) mean
    and sd never give all five scores, and any score they do fix is close to the mean."""
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(60):
        lean, spread = rng.normal(0, 0.8), rng.uniform(0.5, 2.0)
        answers = np.clip(np.rint(rng.normal(3 + lean, spread, (5, K))), 1, 5)
        people = np.sort(answers.mean(axis=1))
        rows.append({"level": "set", "n": 5, "mean": people.mean(),
                     "sd": people.std(ddof=1), "ci_low": np.nan, "ci_high": np.nan,
                     "median": np.median(people), "min": people[0], "max": people[-1],
                     "people": people})
    frame = pd.DataFrame(rows)
    published = round_figures(withhold_order_statistics(frame, N), N)
    for row in published.itertuples():
        found = solutions(fives[False], pd.Series(row._asdict()), SMALL_DECIMALS)
        assert any(np.allclose(s, row.people) for s in found)
        assert len(found) > 1, row.people
        assert all(abs(score - row.people.mean()) < 0.2 for score in pinned(found))


def test_a_programme_below_n_publishes_no_reliability(tmp_path):
    path = save(programme({("Alpha", "A1"): 4}, seed=1), tmp_path)
    shared = shared_files(tmp_path, path, "--min-group-size", "5")
    figures = shared.reliability.drop(columns=["subscale", "k"])
    assert figures.isna().all().all()
    assert shared.items.drop(columns=["item", "subscale", "reverse"]).isna().all().all()
    assert shared.groups["suppressed"].all()


# ------------------------------------- 5. ICC, agreement and alpha at full precision


def two_fives(tmp_path: Path, seed: int) -> Shared:
    sizes = {("Alpha", "F1"): 5, ("Alpha", "F2"): 5}
    tmp_path.mkdir(parents=True, exist_ok=True)
    return shared_files(tmp_path, save(programme(sizes, seed=seed), tmp_path))


def pair_attack(shared: Shared, subscale: str, fives, icc: tuple | None = None,
                icc_decimals: int | None = None, use_parent: bool = True):
    """Candidates for two shown sets of five (Alpha / F1 and F2, the whole programme).

    Each set's candidates are the multisets of scores that match its rounded mean and sd;
    a pair is kept when the programme's mean and sd (the parent of both) match, and, given
    ``icc`` (ICC(1), ICC(2) over the two sets), when the pair's ICCs match it: to 1e-9, or
    to its rounding to ``icc_decimals``. ICC over sets is a function of each set's sum and
    within sum of squares (``test_icc_is_a_function_of_the_shown_sets_figures``), worked
    out here per pair. Returns the candidates left for F1 and F2.
    """
    a, b = (solutions(fives[False], shared.row("set", subscale, "Alpha", name), SMALL_DECIMALS)
            for name in ("F1", "F2"))
    sa, sb = a.sum(axis=1)[:, None], b.sum(axis=1)[None, :]
    wa = ((a - a.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)[:, None]
    wb = ((b - b.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)[None, :]
    grand = (sa + sb) / 10
    between = 5 * (sa / 5 - grand) ** 2 + 5 * (sb / 5 - grand) ** 2  # MSB, 1 df
    within = (wa + wb) / 8
    keep = np.ones((len(a), len(b)), dtype=bool)
    if use_parent:
        prog = shared.row("programme", subscale)
        # The parent's figures to the precision they are published at (rule 4).
        places = SMALL_DECIMALS if prog["n"] < small_group_size(N) else DECIMALS
        tol = 0.5 * 10**-places + 1e-9
        keep &= np.abs(grand - prog["mean"]) <= tol
        keep &= np.abs(np.sqrt((wa + wb + between) / 9) - prog["sd"]) <= tol
    if icc is not None:
        tol = 1e-9 if icc_decimals is None else 0.5 * 10**-icc_decimals + 1e-9
        published = icc if icc_decimals is None else [round_value(v, icc_decimals) for v in icc]
        with np.errstate(invalid="ignore", divide="ignore"):
            icc1 = (between - within) / (between + (10 / 2 - 1) * within)
            icc2 = (between - within) / between
        keep &= (np.abs(icc1 - published[0]) <= tol) & (np.abs(icc2 - published[1]) <= tol)
    return a[keep.any(axis=1)], b[keep.any(axis=0)]


def far_pinned(shared: Shared, subscale: str, found) -> set[tuple[str, float]]:
    """Scores every candidate of a set contains, .2 or more from the set's published mean."""
    out = set()
    for name, candidates in zip(("F1", "F2"), found, strict=True):
        mean = shared.row("set", subscale, "Alpha", name)["mean"]
        out |= {(name, s) for s in pinned(candidates) if abs(s - mean) >= 0.2}
    return out


def test_icc_over_two_sets_of_five_pins_them_so_it_is_withheld(tmp_path, fives):
    """ICC(1)/ICC(2) over two shown sets of five: one exact equation on their unrounded
    sums and sums of squares. With each set's rounded mean and sd it fixes all five scores
    of a set (the rounding to 2 decimals the reports print does too), so reliability.csv
    leaves the ICCs empty over fewer than ICC_MIN_SETS shown sets."""
    shared = two_fives(tmp_path, 7)
    result = truth(tmp_path / "responses.csv")
    icc = shown_icc(result, "collusion")
    rows = shared.reliability.set_index("subscale")
    assert rows[["icc1", "icc2"]].isna().all().all()
    assert not far_pinned(shared, "collusion", pair_attack(shared, "collusion", fives,
                                                          use_parent=False))
    for decimals in (None, 2):
        found = pair_attack(shared, "collusion", fives, icc, decimals, use_parent=False)
        assert len(far_pinned(shared, "collusion", found)) == 4, decimals
        for name, candidates in zip(("F1", "F2"), found, strict=True):
            people = np.sort(result.scores.loc[result.scores["set"] == name, "collusion"])
            assert any(np.allclose(s, people) for s in candidates)
    assert ICC_MIN_SETS > 2


def test_a_parent_of_two_sets_of_five_does_not_pin_them(tmp_path, fives):
    """A parent of two sets of five is small (under max(40, 8N)): its mean and sd are
    published to 1 decimal. To 2 decimals, with its sets' 1-decimal figures, they pinned
    scores far from either set's mean (seed 7 among them); to 1 decimal, none."""
    for seed in (7, 11, 19):
        shared = two_fives(tmp_path / str(seed), seed)
        prog = shared.row("programme", "collusion")
        assert prog["n"] == 10 and prog["n"] < small_group_size(N)
        assert round(prog["mean"], 1) == prog["mean"] and round(prog["sd"], 1) == prog["sd"]
        found = pair_attack(shared, "collusion", fives)
        assert all(len(candidates) for candidates in found)
        assert not far_pinned(shared, "collusion", found)


def spread_from_counts(counts: list[np.ndarray], items: list[str]) -> tuple[float, float]:
    """rwg(j) and AD worked out from the answer counts a report prints for each item."""
    variances, deviations = [], []
    for c, item in zip(counts, items, strict=True):
        values = np.array(INSTRUMENT.scale.values, dtype=float)
        if item in REVERSED:
            values = INSTRUMENT.scale.min + INSTRUMENT.scale.max - values
        n = c.sum()
        mean = c @ values / n
        variances.append(c @ (values - mean) ** 2 / (n - 1))
        deviations.append(c @ np.abs(values - mean) / n)
    null = (5**2 - 1) / 12
    ratio = min(np.mean(variances), null) / null
    j = len(items)
    return j * (1 - ratio) / (j * (1 - ratio) + ratio), float(np.mean(deviations))


def test_agreement_adds_nothing_to_the_printed_answer_counts(tmp_path, example,
                                                             example_truth):
    """rwg(j) and AD in full: where everyone in a shown set answered every item (so
    n_agreement = n), they follow from the per-statement answer counts the set's report
    prints, which link no answer to a person; they cannot give one person's answers that
    the counts do not. Where the counts are withheld (partial answerers), so is the
    subscale's item detail, and agreement needs N complete answerers of its own."""
    sizes = {("Alpha", "A1"): 5, ("Alpha", "A2"): 6, ("Beta", "B1"): 7, ("Beta", "B2"): 9}
    path = save(programme(sizes, seed=8), tmp_path)
    checked = 0
    for shared, result in ((example, example_truth), (shared_files(tmp_path, path), truth(path))):
        g = shared.groups
        for row in g[(g["level"] == "set") & g["rwg_j"].notna()].itertuples():
            key = GroupKey("set", row.organization, row.set)
            counts = [item_counts(result, key, item) for item in ITEMS[row.subscale]]
            # Each item's answerers include the complete ones: as many means the same people.
            if any(c is None or c.sum() != row.n_agreement for c in counts):
                continue
            rwg, ad = spread_from_counts(counts, ITEMS[row.subscale])
            assert row.rwg_j == pytest.approx(rwg, abs=1e-12)
            assert row.ad == pytest.approx(ad, abs=1e-12)
            checked += 1
    assert checked >= 20


# ---------------------------- 6. a parent of several sets, published to 2 decimals


TICKS = np.arange(6, 31)  # complete scores, in sixths: 1 to 5


class Reach:
    """Which (sum, sum of squares) of ``n`` scores on ``TICKS`` (in sixths) can occur, with
    every tick and with each tick left out (all sizes up to ``largest``): a bitset over
    the sum of squares per (size, sum), built by dynamic programming over the ticks."""

    def __init__(self, largest: int, sizes: set[int]):
        self.all = self._build(TICKS, largest, sizes)
        self.without = {int(t): self._build(np.delete(TICKS, i), largest, sizes)
                        for i, t in enumerate(TICKS)}

    @staticmethod
    def _build(ticks: np.ndarray, largest: int, sizes: set[int]) -> dict[int, list[int]]:
        top = int(TICKS[-1]) * largest
        layers = [[0] * (top + 1) for _ in range(largest + 1)]
        layers[0][0] = 1
        for t in (int(v) for v in ticks):
            for c in range(1, largest + 1):
                below, here = layers[c - 1], layers[c]
                for total in range(t, min(top, int(TICKS[-1]) * c) + 1):
                    if below[total - t]:
                        here[total] |= below[total - t] << (t * t)
        return {c: layers[c] for c in sizes}


def child_states(reach: Reach, n: int, mean: float, sd: float, tol: float) -> np.ndarray:
    """(T, Q), in sixths, of every multiset of ``n`` scores whose mean and sd round to the
    published ``mean`` and ``sd`` (within ``tol``)."""
    states = []
    for total in range(6 * n, 30 * n + 1):
        if abs(total / (6 * n) - mean) > tol:
            continue
        bits = reach.all[n][total]
        low = (36 * (n - 1) * max(sd - tol, 0) ** 2 + total * total / n)
        high = (36 * (n - 1) * (sd + tol) ** 2 + total * total / n)
        for q in range(max(int(math.floor(low)), 0), int(math.ceil(high)) + 1):
            if bits >> q & 1 and abs(math.sqrt(max(q - total * total / n, 0)
                                               / (36 * (n - 1))) - sd) <= tol:
                states.append((total, q))
    return np.array(states, dtype=np.int64).reshape(-1, 2)


def _sumset(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.unique((a[:, None, :] + b[None, :, :]).reshape(-1, 2), axis=0)


def parent_attack(reach: Reach, children: list[tuple[int, float, float]],
                  parent: tuple[float, float], tol_child: float,
                  tol_parent: float, states: list | None = None) -> list[np.ndarray]:
    """The (T, Q) states left for each child once the children's states must add up to
    the parent's mean and sd (to within ``tol_parent``): each child against the sum-set
    of the others, built child by child (dynamic programming over children). ``states``:
    the children's states so far (from another parent), else from their own figures."""
    if states is None:
        states = [child_states(reach, n, m, s, tol_child) for n, m, s in children]
    total_n = sum(n for n, _, _ in children)
    mean, sd = parent

    def fits(sums: np.ndarray) -> np.ndarray:
        t, q = sums[:, 0].astype(float), sums[:, 1].astype(float)
        parent_sd = np.sqrt(np.maximum(q - t * t / total_n, 0) / (36 * (total_n - 1)))
        return (np.abs(t / (6 * total_n) - mean) <= tol_parent) & (
            np.abs(parent_sd - sd) <= tol_parent)

    kept = []
    for i, mine in enumerate(states):
        others = [s for j, s in enumerate(states) if j != i]
        rest = others[0]
        for more in others[1:]:
            rest = _sumset(rest, more)
        ok = np.zeros(len(mine), dtype=bool)
        for k, state in enumerate(mine):
            ok[k] = fits(rest + state).any()
        kept.append(mine[ok])
    return kept


def pinned_ticks(reach: Reach, n: int, states: np.ndarray) -> set[int]:
    """Ticks every multiset left for a child contains: none of its states is reachable
    without that tick."""
    return {int(t) for t in TICKS
            if len(states) and not any(reach.without[int(t)][n][int(T)] >> int(Q) & 1
                                       for T, Q in states)}


@pytest.fixture(scope="module")
def reach() -> Reach:
    return Reach(15, {5, 10, 15})


def far_from_mean(reach: Reach, children, kept) -> list[tuple[int, float]]:
    """(child, score) pinned for a child .2 or more from its published mean."""
    return [(i, t / 6) for i, ((n, mean, _), states) in enumerate(zip(children, kept, strict=True))
            for t in pinned_ticks(reach, n, states) if abs(t / 6 - mean) >= 0.2]


def parent_case(tmp_path: Path, sizes: list[int], seed: int, spread: float = 1.0):
    """One organisation of sets of ``sizes``: the shared files, the parent at full
    precision, and per subscale the sets' published (n, mean, sd) and true (T, Q)."""
    names = [f"S{i}" for i in range(len(sizes))]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = save(programme({("Alpha", name): n for name, n in zip(names, sizes, strict=True)},
                          seed, spread), tmp_path)
    shared, result = shared_files(tmp_path, path), truth(path)
    full = exact(shared, result)
    cases = {}
    for subscale in SUBSCALES:
        children, true = [], []
        for name, n in zip(names, sizes, strict=True):
            row = shared.row("set", subscale, "Alpha", name)
            children.append((n, row["mean"], row["sd"]))
            ticks = np.rint(6 * result.scores.loc[result.scores["set"] == name, subscale])
            true.append((int(ticks.sum()), int((ticks**2).sum())))
        cases[subscale] = children, true
    return shared, full, cases


def holds_truth(kept, true) -> bool:
    return all(((states[:, 0] == t) & (states[:, 1] == q)).any()
               for states, (t, q) in zip(kept, true, strict=True))


def test_child_states_are_those_of_every_set_of_five(tmp_path, fives, reach):
    """The dynamic programme over ticks finds the same (sum, sum of squares) as listing
    every multiset of five scores and keeping those that match the rounded figures."""
    shared, _, cases = parent_case(tmp_path, [5, 5], 7)
    for subscale in SUBSCALES[:3]:
        for n, mean, sd in cases[subscale][0]:
            row = pd.Series({"mean": mean, "sd": sd, "min": np.nan, "max": np.nan,
                             "median": np.nan})
            ticks = np.rint(6 * solutions(fives[False], row, SMALL_DECIMALS)).astype(int)
            listed = {(int(t.sum()), int((t**2).sum())) for t in ticks}
            found = child_states(reach, n, mean, sd, 0.05 + 1e-9)
            assert {tuple(int(v) for v in s) for s in found} == listed


def test_the_parent_attack_pins_two_sets_of_five_from_a_two_decimal_parent(tmp_path, reach):
    """The attack works: on two sets of five (seed 7, collusion), the parent's mean and sd
    to 2 decimals, or in full, pin four scores far from their sets' means, as the
    pairwise attack above found. Published (1 decimal, the parent is small), none."""
    shared, full, cases = parent_case(tmp_path, [5, 5], 7)
    children, true = cases["collusion"]
    prog, raw = shared.row("programme", "collusion"), full.row("programme", "collusion")
    for parent, tol in (((raw["mean"], raw["sd"]), 1e-7),
                        ((round_value(raw["mean"], 2), round_value(raw["sd"], 2)), 0.005)):
        kept = parent_attack(reach, children, parent, 0.05 + 1e-9, tol + 1e-9)
        assert holds_truth(kept, true)
        assert len(far_from_mean(reach, children, kept)) == 4
    kept = parent_attack(reach, children, (prog["mean"], prog["sd"]), 0.05 + 1e-9, 0.05 + 1e-9)
    assert holds_truth(kept, true) and not far_from_mean(reach, children, kept)


def test_the_parent_attack_pins_a_set_from_a_two_decimal_parent_of_twenty(tmp_path, reach):
    """Why parents of 20 are small: a set of five and one of fifteen whose people answer
    alike (seed 3, spread .7), the parent's mean and sd to 2 decimals leave one (sum, sum
    of squares) for each set, and two scores of the set of five .23 and .27 from its
    mean. To 1 decimal, as published, none."""
    shared, full, cases = parent_case(tmp_path, [5, 15], 3, spread=0.7)
    children, true = cases["political_expediency"]
    prog = shared.row("programme", "political_expediency")
    raw = full.row("programme", "political_expediency")
    two = (round_value(raw["mean"], DECIMALS), round_value(raw["sd"], DECIMALS))
    kept = parent_attack(reach, children, two, 0.05 + 1e-9, 0.005 + 1e-9)
    assert holds_truth(kept, true) and [len(states) for states in kept] == [1, 1]
    assert sorted(far_from_mean(reach, children, kept)) == [(0, 23 / 6), (0, 26 / 6)]
    assert prog["n"] < small_group_size(N)
    assert (prog["mean"], prog["sd"]) == (round_value(raw["mean"], SMALL_DECIMALS),
                                          round_value(raw["sd"], SMALL_DECIMALS))
    kept = parent_attack(reach, children, (prog["mean"], prog["sd"]), 0.05 + 1e-9, 0.05 + 1e-9)
    assert holds_truth(kept, true) and not far_from_mean(reach, children, kept)


@pytest.mark.parametrize("sizes", [[5, 5, 5, 5], [10, 10], [5, 15]])
def test_a_parent_of_twenty_does_not_pin_its_sets(tmp_path, reach, sizes):
    """A parent of 20 is small: its mean and sd are published to 1 decimal. With its sets'
    1-decimal figures no score comes out .2 or more from its set's mean (4 seeds x 5
    subscales of each shape here; more in ``surveyor.numbers.disclosure``, rule 4), nor,
    with answers spread as here, from the parent's figures in full. The attack does
    narrow the sets' (sum, sum of squares)."""
    narrowed = 0
    for seed in range(4):
        shared, full, cases = parent_case(tmp_path / str(seed), sizes, seed)
        for subscale, (children, true) in cases.items():
            prog, raw = shared.row("programme", subscale), full.row("programme", subscale)
            assert prog["n"] == 20 < small_group_size(N)
            assert (prog["mean"], prog["sd"]) == (round_value(raw["mean"], SMALL_DECIMALS),
                                                  round_value(raw["sd"], SMALL_DECIMALS))
            alone = [child_states(reach, n, m, s, 0.05 + 1e-9) for n, m, s in children]
            for parent, tol in (((prog["mean"], prog["sd"]), 0.05),
                                ((raw["mean"], raw["sd"]), 1e-7)):
                kept = parent_attack(reach, children, parent, 0.05 + 1e-9, tol + 1e-9)
                assert holds_truth(kept, true)
                assert not far_from_mean(reach, children, kept), (seed, subscale)
                narrowed += sum(map(len, kept)) < sum(map(len, alone))
    assert narrowed > 0


@pytest.mark.parametrize("sizes", [[5] * 8, [10] * 4])
def test_a_parent_of_forty_at_two_decimals_does_not_pin_alike_sets(tmp_path, reach, sizes):
    """A parent of 40 is not small (2 decimals). Even where each set's people answer alike
    (spread .4, where parents of 20 and 30 at 2 decimals pinned scores), its figures pin
    no score .2 or more from its set's mean."""
    for seed in range(3):
        shared, full, cases = parent_case(tmp_path / str(seed), sizes, seed, spread=0.4)
        for subscale, (children, true) in cases.items():
            prog, raw = shared.row("programme", subscale), full.row("programme", subscale)
            assert prog["n"] == 40 == small_group_size(N)
            assert (prog["mean"], prog["sd"]) == (round_value(raw["mean"], DECIMALS),
                                                  round_value(raw["sd"], DECIMALS))
            kept = parent_attack(reach, children, (prog["mean"], prog["sd"]), 0.05 + 1e-9,
                                 0.005 + 1e-9)
            assert holds_truth(kept, true)
            assert not far_from_mean(reach, children, kept), (seed, subscale)
