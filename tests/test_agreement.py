"""Tests for surveyor.numbers.agreement: rwg(j), AD and the rwg(j) null, against R's multilevel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.numbers import agreement
from surveyor.numbers.agreement import (
    _item_variance_counted,
    _item_variance_masses,
    _rwg_j_critical_large,
    exact_limit,
)

from .conftest import close, expected, group_answers, same

SUBSCALES = {"alpha_sub": ["a1", "a2", "a3"], "beta_sub": ["b1", "b2", "b3"]}


@pytest.fixture(scope="module")
def data(reference_data) -> pd.DataFrame:
    return reference_data

# --- rwg(j) and AD ---------------------------------------------------------------------


@pytest.mark.parametrize("subscale", list(SUBSCALES))
def test_agreement_matches_multilevel(data, subscale):
    want = expected("agreement")
    want = want[want["subscale"] == subscale].set_index("set_id")
    assert len(want) == data["set_id"].nunique()
    for set_id, group in data.groupby("set_id"):
        items = group[SUBSCALES[subscale]]
        assert close(agreement.rwg_j(items, 5), want.loc[set_id, "rwg_j"]), set_id
        assert close(agreement.average_deviation(items), want.loc[set_id, "ad_m"]), set_id


def test_rwg_j_formula_by_hand():
    items = np.array([[4, 4, 5], [5, 4, 4], [4, 3, 4], [5, 5, 4]], dtype=float)
    s2 = items.var(axis=0, ddof=1).mean()
    ratio = s2 / 2.0
    assert agreement.rwg_j(items, 5) == pytest.approx(3 * (1 - ratio) / (3 * (1 - ratio) + ratio))


def test_rwg_j_edge_cases():
    assert math.isnan(agreement.rwg_j([[1, 2, 3]], 5))
    # Only one respondent answered every item: like a group of one.
    assert math.isnan(agreement.rwg_j([[1, 2, 3], [2, np.nan, 3], [np.nan, 1, 1]], 5))
    assert agreement.rwg_j([[3, 3], [3, 3], [3, 3]], 5) == 1.0
    # Polarised answers vary more than random answering: truncated to 0.
    assert agreement.rwg_j([[1, 1, 1], [5, 5, 5], [1, 1, 1], [5, 5, 5]], 5) == 0.0
    assert agreement.rwg_j(pd.DataFrame({"x": [2, 3, 2, 3]}), 5) == pytest.approx(1 - 1 / 3 / 2)
    with pytest.raises(ValueError):
        agreement.rwg_j([[1, 1], [1, 1]], 1)


def test_average_deviation_by_hand():
    items = [[1, 2], [3, 2], [5, np.nan], [2, 5]]
    # Complete rows: item 1 (1, 3, 2) -> AD 2/3; item 2 (2, 2, 5) -> AD 4/3.
    assert agreement.average_deviation(items) == pytest.approx(1.0)
    # About the median: item 1 (1, 3, 2) -> 2/3; item 2 (2, 2, 5) -> 1.
    assert agreement.average_deviation(items, center="median") == pytest.approx(5 / 6)
    assert math.isnan(agreement.average_deviation([[1, 2]]))
    with pytest.raises(ValueError):
        agreement.average_deviation(items, center="mode")


# --- rwg(j) null distribution -------------------------------------------------------------


@pytest.mark.parametrize(("n", "critical"), [(3, 0.84), (5, 0.74), (6, 0.70), (8, 0.65)])
def test_rwg_critical_matches_domain_figures(n, critical):
    assert agreement.rwg_j_critical(n, 6, 5) == pytest.approx(critical, abs=0.01)


def test_rwg_critical_close_to_multilevel_simulation():
    for _, row in expected("rwg_sim").iterrows():
        mine = agreement.rwg_j_critical(int(row["n"]), int(row["j"]), int(row["n_options"]))
        # Both are simulations with different generators; only closeness is meaningful.
        assert mine == pytest.approx(row["quantile_95"], abs=0.02)


def test_rwg_critical_is_deterministic_and_cached():
    agreement.rwg_j_critical.cache_clear()
    first = agreement.rwg_j_critical(4, 5, 5)
    agreement.rwg_j_critical.cache_clear()
    assert agreement.rwg_j_critical(4, 5, 5) == first
    assert agreement.rwg_j_critical(4, 5, 5) == first
    assert agreement.rwg_j_critical.cache_info().hits >= 1


def test_rwg_critical_falls_with_group_size_and_handles_tiny_groups():
    values = [agreement.rwg_j_critical(n, 4, 5) for n in (3, 6, 12)]
    assert values[0] > values[1] > values[2]
    assert math.isnan(agreement.rwg_j_critical(1, 4, 5))
    assert agreement.rwg_j_critical(5, 4, 5, level=0.5) < agreement.rwg_j_critical(5, 4, 5)


@settings(max_examples=100, deadline=None)
@given(group_answers(), st.randoms(use_true_random=False))
def test_rwg_and_ad_ignore_row_order_and_rwg_is_in_unit_interval(items, random):
    order = list(range(len(items)))
    random.shuffle(order)
    value = agreement.rwg_j(items, 5)
    assert same(value, agreement.rwg_j(items[order], 5))
    assert same(agreement.average_deviation(items), agreement.average_deviation(items[order]))
    assert math.isnan(value) or 0.0 <= value <= 1.0


@pytest.mark.parametrize("n,j", [(31, 6), (45, 5), (60, 3), (100, 6)])
def test_large_group_critical_value_matches_simulation(n, j):
    approx = _rwg_j_critical_large(n, j, 5, 0.95)
    rng = np.random.default_rng(7)
    answers = rng.integers(1, 6, size=(20_000, n, j))
    mean_var = answers.var(axis=1, ddof=1).mean(axis=1)
    ratio = np.minimum(mean_var, 2.0) / 2.0
    rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    assert approx == pytest.approx(np.quantile(rwg, 0.95), abs=0.006)
    assert agreement.rwg_j_critical(n, j, 5) == approx


def exact_quantile(per_item: np.ndarray, n: int, j: int, a: int) -> float:
    """The null's .95 quantile from one item's exact distribution, by direct convolution
    (scipy's FFT convolution, masses below 1e-15 read as outside the support)."""
    from scipy.signal import fftconvolve

    total = per_item
    for _ in range(j - 1):
        total = np.clip(fftconvolve(total, per_item), 0, None)
    below = np.cumsum(total) - total
    k = np.flatnonzero((total > 1e-15) & (below <= 0.05 + 1e-12)).max()
    ratio = min(k / (j * n * (n - 1)), (a * a - 1) / 12) / ((a * a - 1) / 12)
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


# Just above each scale's exact limit, where the expansion is least accurate; exact figures
# from a dynamic programme sized past the limit (or, on 2 and 3 points, counting).
LARGE_CASES = [(2, 1001, 0), (3, 301, 0), (3, 340, 0)] + [
    (a, n, top) for a, top in ((4, 76), (5, 36), (6, 34), (7, 33), (9, 32), (11, 32))
    for n in range(exact_limit(a) + 1, top + 1, 2)
]


@pytest.mark.parametrize("a,n,top", LARGE_CASES)
def test_large_group_critical_value_is_within_a_thousandth_of_exact(a, n, top):
    per_item = _item_variance_counted(n, a) if a <= 3 else _item_variance_masses(a, top)[n]
    for j in (2, 3) if a == 2 else (2, 3, 4, 6, 10):
        exact = exact_quantile(per_item, n, j, a)
        assert agreement.rwg_j_critical(n, j, a) == pytest.approx(exact, abs=0.001), j


@pytest.mark.parametrize("a,n", [(2, 200), (2, 1000), (3, 31), (3, 300), (4, 31), (4, 70)])
def test_exact_null_beyond_thirty_is_the_direct_convolution(a, n):
    per_item = _item_variance_counted(n, a) if a <= 3 else _item_variance_masses(a, 70)[n]
    for j in (2, 5):
        assert agreement.rwg_j_critical(n, j, a) == pytest.approx(
            exact_quantile(per_item, n, j, a), abs=1e-12)


@pytest.mark.parametrize(
    "n,j,a", [(2, 6, 5), (3, 6, 5), (5, 6, 5), (8, 6, 5), (9, 3, 5), (6, 4, 7)]
)
def test_exact_null_quantile_equals_simulation(n, j, a):
    exact = agreement.rwg_j_critical(n, j, a)
    assert exact == pytest.approx(agreement.rwg_j_critical_simulated(n, j, a), abs=0.005)


@pytest.mark.parametrize("n_options", [2, 5, 7])
def test_shared_null_programme_equals_one_per_group_size(n_options):
    # The exact rwg(j) null for each n, built on a grid of its own size, as it once was.
    masses = _item_variance_masses(n_options)
    values = np.arange(1, n_options + 1)
    for n in (2, 3, 7, 30):
        max_sum, max_squares = n * n_options, n * n_options**2
        mass = np.zeros((max_sum + 1, max_squares + 1))
        mass[0, 0] = 1.0
        for _ in range(n):
            step = np.zeros_like(mass)
            for v in values:
                step[v:, v * v :] += mass[: max_sum + 1 - v, : max_squares + 1 - v * v]
            mass = step / n_options
        sums, squares = np.nonzero(mass)
        own = np.bincount(n * squares - sums**2, weights=mass[sums, squares])
        assert np.array_equal(masses[n], own)
