"""Group summaries: vectorised statistics agree with R and with the one-group functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveyor.instrument.model import load_instrument
from surveyor.numbers import agreement, stats
from surveyor.numbers.disclosure import ICC_MIN_SETS, icc_members
from surveyor.numbers.summaries import agreement_label, group_statistics, hierarchy
from surveyor.pipeline import score

from .conftest import MINI

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def reference_result(tmp_path_factory):
    """The committed R reference data run through the whole pipeline."""
    data = pd.read_csv(REFERENCE / "data.csv", dtype=str, keep_default_na=False)
    data = data.rename(columns={"respondent": "respondent_id"}).replace("NA", "")
    path = tmp_path_factory.mktemp("ref") / "responses.csv"
    data.to_csv(path, index=False)
    return score(path, MINI, min_group_size=3, consented=True)


def expected(name: str) -> pd.DataFrame:
    """Reference rows for the two subscales of the mini instrument (the files hold more)."""
    frame = pd.read_csv(REFERENCE / f"expected_{name}.csv")
    return frame[frame["subscale"].isin(["alpha_sub", "beta_sub"])]


def test_reliability_matches_psych(reference_result):
    rel = reference_result.reliability.set_index("subscale")
    for row in expected("alpha").itertuples():
        got = rel.loc[row.subscale]
        assert got["alpha"] == pytest.approx(row.raw_alpha, abs=1e-6)
        assert got["alpha_std"] == pytest.approx(row.std_alpha, abs=1e-6)
        assert got["average_r"] == pytest.approx(row.average_r, abs=1e-6)
        assert got["alpha_ci_low"] == pytest.approx(row.feldt_lower, abs=1e-6)
        assert got["alpha_ci_high"] == pytest.approx(row.feldt_upper, abs=1e-6)


def test_icc_matches_multilevel_over_the_shown_sets(reference_result):
    """ICC(1)/ICC(2) are published over the shown sets only (no withheld set enters)."""
    rel = reference_result.reliability.set_index("subscale")
    groups = reference_result.groups
    for row in expected("icc_shown").itertuples():
        shown = groups[(groups["level"] == "set") & (groups["subscale"] == row.subscale)
                       & ~groups["suppressed"]]
        assert sorted(shown["organization"] + "/" + shown["set"]) == row.sets.split()
        assert shown["n"].sum() == row.n_scores
        icc1, icc2 = shown_sets_icc(reference_result, row.subscale)
        assert icc1 == pytest.approx(row.icc1, abs=1e-6)
        assert icc2 == pytest.approx(row.icc2, abs=1e-6)
        # Over 8 shown sets (fewer than ICC_MIN_SETS) reliability.csv leaves them empty.
        assert len(row.sets.split()) < ICC_MIN_SETS
        assert np.isnan(rel.loc[row.subscale, "icc1"]) and np.isnan(rel.loc[row.subscale, "icc2"])


def shown_sets_icc(result, subscale: str) -> tuple[float, float]:
    """ICC(1)/ICC(2) over the respondents of the sets whose cell is shown, unrounded."""
    members = icc_members(result.levels, result.suppression, subscale)
    values = result.scores[subscale].to_numpy(dtype=float)
    return stats.icc(pd.Series(values[members]), pd.Series(result.levels.set_code[members]))


def test_icc_published_over_ten_shown_sets_to_two_decimals(tmp_path):
    from surveyor.numbers.rounding import round_value

    rng = np.random.default_rng(4)
    rows = []
    for s in range(12):
        lean = rng.normal(0, 0.7)
        for _ in range(6):
            answers = np.clip(np.rint(3 + lean + rng.normal(0, 1, 6)), 1, 5).astype(int)
            rows.append({"respondent_id": f"R{len(rows)}", "organization": f"O{s % 2}",
                         "set": f"S{s}", **dict(zip(["a1", "a2", "a3", "b1", "b2", "b3"],
                                                    answers, strict=True))})
    path = tmp_path / "twelve.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    result = score(path, MINI)
    rel = result.reliability.set_index("subscale")
    for subscale in ("alpha_sub", "beta_sub"):
        icc1, icc2 = shown_sets_icc(result, subscale)
        assert rel.loc[subscale, "icc1"] == round_value(icc1, 2)
        assert rel.loc[subscale, "icc2"] == round_value(icc2, 2)


def test_items_match_psych(reference_result):
    items = reference_result.items.set_index("item")
    for row in expected("items").itertuples():
        got = items.loc[row.item]
        assert got["n"] == row.n
        assert got["mean"] == pytest.approx(row.mean, abs=1e-6)
        assert got["sd"] == pytest.approx(row.sd, abs=1e-6)
        assert got["r_drop"] == pytest.approx(row.r_drop, abs=1e-6)
        assert got["alpha_if_deleted"] == pytest.approx(row.alpha_drop, abs=1e-6)


def test_set_agreement_matches_multilevel(reference_result):
    result = reference_result
    raw = group_statistics(result.scores, result.scored.keyed, result.instrument, result.levels)
    sets = raw[raw["level"] == "set"].assign(
        set_id=lambda f: f["organization"] + "/" + f["set"]
    ).set_index(["subscale", "set_id"])
    for row in expected("agreement").itertuples():
        got = sets.loc[(row.subscale, row.set_id)]
        if np.isnan(row.rwg_j):
            assert np.isnan(got["rwg_j"])
            continue
        assert got["rwg_j"] == pytest.approx(row.rwg_j, abs=1e-6)
        assert got["ad"] == pytest.approx(row.ad_m, abs=1e-6)


def test_vectorised_groups_equal_one_group_functions(reference_result):
    result = reference_result
    inst = result.instrument
    raw = group_statistics(result.scores, result.scored.keyed, inst, result.levels)
    frame = result.scores
    for row in raw[raw["level"] == "set"].itertuples():
        members = (frame["organization"] == row.organization) & (frame["set"] == row.set)
        ids = [i.id for i in inst.items_of(row.subscale)]
        summary = stats.describe(frame.loc[members, row.subscale].dropna())
        assert row.n == summary.n
        for name in ("mean", "sd", "ci_low", "ci_high", "median", "min", "max"):
            assert getattr(row, name) == pytest.approx(getattr(summary, name), nan_ok=True)
        items = result.scored.keyed.loc[members, ids]
        assert row.rwg_j == pytest.approx(agreement.rwg_j(items, 5), nan_ok=True)
        complete = items.dropna()
        assert row.ad == pytest.approx(agreement.average_deviation(complete), nan_ok=True)


def test_row_order_does_not_change_any_summary(reference_result):
    result = reference_result
    inst = result.instrument
    shuffled = result.scores.sample(frac=1, random_state=3)
    keyed = result.scored.keyed.loc[shuffled.index]
    a = group_statistics(result.scores, result.scored.keyed, inst, result.levels)
    b = group_statistics(shuffled, keyed, inst, hierarchy(shuffled))
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize(
    "rwg,critical,ad,label",
    [
        (0.9, 0.7, 0.5, "shared view"),
        (0.5, 0.7, 1.0, "divergent"),
        (0.9, 0.7, 1.0, "mixed"),
        (0.5, 0.7, 0.5, "mixed"),
        (float("nan"), 0.7, 0.5, ""),
    ],
)
def test_agreement_labels(rwg, critical, ad, label):
    assert agreement_label(rwg, critical, ad, 5) == label


def test_suppressed_rows_carry_no_statistic(reference_result):
    groups = reference_result.groups
    hidden = groups[groups["suppressed"]]
    assert not hidden.empty
    for column in ("mean", "sd", "ci_low", "ci_high", "median", "min", "max", "rwg_j", "ad"):
        assert hidden[column].isna().all()
    assert hidden["n"].isna().all()
    assert (hidden["agreement"] == "").all()


def test_shipped_instrument_scores_simulated_programme(tmp_path):
    from surveyor.simulate import simulate

    inst = load_instrument("learning-inaction")
    path = tmp_path / "sim.csv"
    simulate(inst).to_csv(path, index=False)
    result = score(path)
    assert set(result.groups["level"]) == {"programme", "organization", "set"}
    assert len(result.reliability) == 5
    assert result.reliability["alpha"].between(0.6, 0.95).all()


def test_agreement_labels_match_the_one_group_rule():
    import itertools

    import numpy as np

    from surveyor.numbers.summaries import agreement_labels

    grid = list(
        itertools.product([np.nan, 0.2, 0.7, 0.9], [np.nan, 0.7], [np.nan, 0.5, 5 / 6, 1.2])
    )
    rwg, critical, ad = (np.array(column) for column in zip(*grid, strict=True))
    expected = [agreement_label(r, c, a, 5) for r, c, a in grid]
    assert agreement_labels(rwg, critical, ad, 5).tolist() == expected


def test_a_constant_item_is_dropped_and_said_so(tmp_path):
    # R's reference: psych::alpha on beta_sub's items plus a constant item z reports
    # $nvar = 3 (expected_alpha.csv, "constant_item"); here b3 is the constant item.
    want = pd.read_csv(REFERENCE / "expected_alpha.csv").set_index("subscale")
    assert want.loc["constant_item", "k"] == 3
    rows = ["respondent_id,organization,set,a1,a2,a3,b1,b2,b3"]
    rows += [f"r{i},Org,S,{1 + i % 5},{1 + (i * 2) % 5},{1 + (i * 3) % 5},{1 + i % 4},"
             f"{1 + (i + 1) % 4},3" for i in range(12)]
    path = tmp_path / "constant.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = score(path, MINI)
    rel = result.reliability.set_index("subscale")
    assert rel.loc["beta_sub", "k"] == 2 and rel.loc["beta_sub", "dropped"] == "b3"
    assert rel.loc["alpha_sub", "k"] == 3 and rel.loc["alpha_sub", "dropped"] == ""
    warned = [w for w in result.warnings if w.location == "item b3"]
    assert len(warned) == 1 and "k=2 of its 3 items" in warned[0].message


def test_answer_tables_give_the_row_by_row_spread():
    """Agreement from per-set answer counts, summed up to organisations and the programme,
    equals agreement computed over the respondents' rows; answers that are not small whole
    numbers are left to the rows."""
    from surveyor.numbers.grouped import _answer_tables, _item_spread, _table_spread

    rng = np.random.default_rng(3)
    n_sets, n = 40, 900
    set_of = np.sort(rng.integers(0, n_sets, n))
    set_org = np.repeat(np.arange(8), 5)
    columns = rng.integers(1, 6, size=(4, n)).astype(float)
    tables = _answer_tables(set_of, columns, n_sets)
    for group_of_set, n_groups in ((np.zeros(n_sets, dtype=int), 1), (set_org, 8),
                                   (np.arange(n_sets), n_sets)):
        expected = _item_spread(group_of_set[set_of], columns, n_groups)
        got = _table_spread(tables, group_of_set, n_groups)
        assert np.array_equal(got[0], expected[0])
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(got[2], expected[2], rtol=1e-12, equal_nan=True)
    assert _answer_tables(set_of, columns + 0.5 * (columns > 4), n_sets) is None
    assert _answer_tables(set_of, columns[:, :0], n_sets) is None


def test_agreement_label_ignores_last_digit_rounding():
    """A group exactly at the critical value is not above it, however the sums rounded."""
    from surveyor.numbers.summaries import agreement_labels

    rwg, critical = 0.6614349775784755, 0.6614349775784752
    assert agreement_label(rwg, critical, 0.93, 5) == "divergent"
    assert agreement_label(0.5, 0.4, 5 / 6 + 1e-15, 5) == "shared view"
    labels = agreement_labels(np.array([rwg]), np.array([critical]), np.array([0.93]), 5)
    assert labels.tolist() == ["divergent"]
