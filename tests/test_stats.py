"""Tests for surveyor.numbers.stats: figures from R (psych, multilevel), edge cases, invariants.

The reference figures in tests/reference/expected_*.csv come from
``Rscript tests/reference/make_reference.R``; these tests only read them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.numbers import stats

from .conftest import close, expected, group_answers, same

SUBSCALES = {"alpha_sub": ["a1", "a2", "a3"], "beta_sub": ["b1", "b2", "b3"]}
ALPHA_CASES = {
    **SUBSCALES,
    "two_items": ["a1", "a2"],
    "constant_item": ["b1", "b2", "b3", "z"],
}
# Our column names where they differ from the reference CSV's.
WANT = {"alpha_if_deleted": "alpha_drop"}


@pytest.fixture(scope="module")
def data(reference_data) -> pd.DataFrame:
    return reference_data


# --- psych::alpha ---------------------------------------------------------------------


@pytest.mark.parametrize("case", list(ALPHA_CASES))
def test_alpha_matches_psych(data, case):
    want = expected("alpha").set_index("subscale").loc[case]
    result = stats.alpha(data[ALPHA_CASES[case]])
    assert close(result.alpha, want["raw_alpha"])
    assert close(result.alpha_std, want["std_alpha"])
    assert close(result.average_r, want["average_r"])
    assert close(result.ci_low, want["feldt_lower"])
    assert close(result.ci_high, want["feldt_upper"])
    assert result.n == want["n_answered"]
    assert result.n_rows == want["n_rows"]
    assert result.k == want["k"]


@pytest.mark.parametrize("case", list(ALPHA_CASES))
def test_alpha_item_table_matches_psych(data, case):
    want = expected("items")
    want = want[want["subscale"] == case].set_index("item")
    table = stats.alpha(data[ALPHA_CASES[case]]).items
    for item, row in want.iterrows():
        assert table.loc[item, "n"] == row["n"]
        for column in ("mean", "sd", "r_drop", "alpha_if_deleted"):
            assert close(table.loc[item, column], row[WANT.get(column, column)]), (item, column)


def test_alpha_deletes_constant_item_like_psych(data):
    result = stats.alpha(data[["b1", "b2", "b3", "z"]])
    assert result.dropped == ("z",)
    assert result.k == 3
    assert result.items.loc["z", "n"] == len(data)
    assert math.isnan(result.items.loc["z", "r_drop"])
    assert math.isnan(result.items.loc["z", "alpha_if_deleted"])


def test_alpha_counts_empty_rows_for_feldt_as_psych_does(data):
    items = data[SUBSCALES["alpha_sub"]]
    result = stats.alpha(items)
    assert result.n == result.n_rows - 1
    trimmed = stats.alpha(items.dropna(how="all"))
    assert trimmed.alpha == pytest.approx(result.alpha, abs=1e-12)
    assert trimmed.ci_low < result.ci_low


def test_alpha_with_too_few_rows_is_nan_not_an_error():
    one_row = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0]})
    result = stats.alpha(one_row)
    assert math.isnan(result.alpha)
    assert math.isnan(result.ci_low)
    assert result.n == 1
    no_pairs = pd.DataFrame(
        {"a": [1.0, np.nan, np.nan, 4.0], "b": [np.nan, 2.0, 5.0, np.nan], "c": [3, 1, 2, 5]}
    )
    result = stats.alpha(no_pairs)
    assert math.isnan(result.alpha)
    assert math.isnan(result.alpha_std)


def test_alpha_of_a_single_usable_item_is_nan():
    result = stats.alpha(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}))
    assert result.k == 1
    assert math.isnan(result.alpha)
    assert result.dropped == ("b",)


def test_alpha_of_parallel_items_is_one():
    column = [1.0, 2.0, 4.0, 5.0, 3.0]
    result = stats.alpha(pd.DataFrame({"a": column, "b": column, "c": column}))
    assert result.alpha == pytest.approx(1.0)
    assert result.average_r == pytest.approx(1.0)


# --- Feldt interval ---------------------------------------------------------------------


def test_feldt_check_figure():
    lower, upper = stats.feldt_ci(0.85, 89, 7)
    assert (round(lower, 3), round(upper, 3)) == (0.797, 0.893)
    want = expected("feldt").iloc[0]
    assert close(lower, want["lower"])
    assert close(upper, want["upper"])


def test_feldt_small_group_is_wide():
    # DOMAIN.md: alpha .80, k = 5, n = 6 gives [.34, .97].
    lower, upper = stats.feldt_ci(0.80, 6, 5)
    assert (round(lower, 2), round(upper, 2)) == (0.34, 0.97)


@pytest.mark.parametrize("args", [(0.8, 1, 5), (0.8, 30, 1), (float("nan"), 30, 5)])
def test_feldt_undefined_is_nan(args):
    assert all(math.isnan(v) for v in stats.feldt_ci(*args))


def test_feldt_level_widens_interval():
    narrow = stats.feldt_ci(0.8, 40, 6, level=0.90)
    wide = stats.feldt_ci(0.8, 40, 6, level=0.99)
    assert wide[0] < narrow[0] < 0.8 < narrow[1] < wide[1]


# --- ICC ----------------------------------------------------------------------------------


def subscale_scores(data: pd.DataFrame, items: list[str]) -> pd.Series:
    # All three items required: never prorate a subscale of three items.
    answered = data[items].notna().all(axis=1)
    return data[items].mean(axis=1).where(answered)


@pytest.mark.parametrize("subscale", list(SUBSCALES))
def test_icc_matches_multilevel(data, subscale):
    want = expected("icc").set_index("subscale").loc[subscale]
    scores = subscale_scores(data, SUBSCALES[subscale])
    assert scores.notna().sum() == want["n_scores"]
    icc1, icc2 = stats.icc(scores, data["set_id"])
    assert close(icc1, want["icc1"])
    assert close(icc2, want["icc2"])


def test_icc_degenerate_cases():
    assert all(math.isnan(v) for v in stats.icc(pd.Series([1.0, 2.0]), pd.Series(["a", "a"])))
    # Every group of one: no within-group variance to compare with.
    singletons = stats.icc(pd.Series([1.0, 2.0, 3.0]), pd.Series(["a", "b", "c"]))
    assert all(math.isnan(v) for v in singletons)
    # A group whose only score is missing does not count as a group.
    scores = pd.Series([1.0, 2.0, np.nan, 3.0])
    assert all(math.isnan(v) for v in stats.icc(scores, pd.Series(["a", "a", "b", "a"])))


def test_icc_with_identical_groups_has_no_between_variance():
    icc1, icc2 = stats.icc(pd.Series([1.0, 2.0, 1.0, 2.0]), pd.Series(["a", "a", "b", "b"]))
    assert icc1 == pytest.approx(-1.0)
    assert math.isnan(icc2)


# --- describe and option counts ----------------------------------------------------------


def test_describe():
    from scipy.stats import t

    values = [2.0, 4.0, np.nan, 3.0, 5.0]
    summary = stats.describe(values)
    sd = np.std([2, 4, 3, 5], ddof=1)
    half = t.ppf(0.975, 3) * sd / 2
    assert summary.n == 4
    assert summary.mean == pytest.approx(3.5)
    assert summary.sd == pytest.approx(sd)
    assert summary.ci_low == pytest.approx(3.5 - half)
    assert summary.ci_high == pytest.approx(3.5 + half)
    assert (summary.median, summary.min, summary.max) == (3.5, 2.0, 5.0)


def test_describe_small_groups():
    one = stats.describe([3.0])
    assert (one.n, one.mean, one.median, one.min, one.max) == (1, 3.0, 3.0, 3.0, 3.0)
    assert math.isnan(one.sd) and math.isnan(one.ci_low) and math.isnan(one.ci_high)
    empty = stats.describe([np.nan])
    assert empty.n == 0 and math.isnan(empty.mean) and math.isnan(empty.max)


def test_option_counts():
    counts = stats.option_counts([1, 2, 2, np.nan, 5, 5, 5], [1, 2, 3, 4, 5])
    assert counts.to_dict() == {1: 1, 2: 2, 3: 0, 4: 0, 5: 3}
    assert list(counts.index) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="outside the scale"):
        stats.option_counts([1, 7], [1, 2, 3, 4, 5])


# --- invariants --------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(group_answers(min_rows=3, max_rows=20), st.randoms(use_true_random=False))
def test_alpha_ignores_row_order(items, random):
    order = list(range(len(items)))
    random.shuffle(order)
    frame = pd.DataFrame(items)
    first, second = stats.alpha(frame), stats.alpha(frame.iloc[order])
    for field in ("alpha", "alpha_std", "average_r", "ci_low", "ci_high"):
        assert same(getattr(first, field), getattr(second, field)), field
    assert (first.n, first.n_rows, first.k) == (second.n, second.n_rows, second.k)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcd"), st.floats(1, 5)), min_size=2, max_size=30),
    st.randoms(use_true_random=False),
)
def test_icc_ignores_row_order(pairs, random):
    shuffled = list(pairs)
    random.shuffle(shuffled)
    first = stats.icc(pd.Series([s for _, s in pairs]), pd.Series([g for g, _ in pairs]))
    second = stats.icc(pd.Series([s for _, s in shuffled]), pd.Series([g for g, _ in shuffled]))
    assert all(same(a, b) for a, b in zip(first, second, strict=True))


def test_alpha_does_not_depend_on_the_order_of_the_rows():
    """Whole-number answers: exact sums, so every figure is identical in any row order,
    and equal (to rounding) to pandas' pairwise covariance; other answers still work."""
    rng = np.random.default_rng(5)
    answers = rng.integers(1, 6, (3000, 4)).astype(float)
    answers[:, 1:] += answers[:, :1] // 2
    answers[rng.random(answers.shape) < 0.1] = np.nan
    frame = pd.DataFrame(answers, columns=list("abcd"))
    first = stats.alpha(frame)
    pairwise = frame.cov(ddof=1).to_numpy()
    scale = np.sqrt(np.diag(pairwise))
    assert first.alpha == pytest.approx(
        (1 - np.trace(pairwise) / pairwise.sum()) * 4 / 3, abs=1e-12)
    assert np.allclose(first.items["sd"], scale, rtol=0, atol=1e-12)
    for seed in (1, 2):
        shuffled = stats.alpha(frame.sample(frac=1, random_state=seed))
        assert (shuffled.alpha, shuffled.alpha_std, shuffled.ci_low) == (
            first.alpha, first.alpha_std, first.ci_low)
        assert shuffled.items.equals(first.items)
    halves = stats.alpha(frame / 2)  # not whole numbers: pandas' covariance
    assert halves.alpha == pytest.approx(first.alpha, abs=1e-12)
