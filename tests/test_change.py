"""Change between waves against R's t.test (Welch and paired), to 1e-6."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from surveyor.numbers.change import (
    CHANGE_COLUMNS,
    compute_changes,
    paired_interval,
    welch_interval,
)
from tests.conftest import REFERENCE, close

ORDER = ["Autumn 2026", "Winter 2027", "Spring 2027"]
SUBSCALES = ["alpha_sub", "beta_sub"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "change_data.csv", dtype={"respondent_id": str},
                       keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def wanted() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "expected_change.csv", keep_default_na=False,
                        na_values=["NA"])
    return frame.fillna({"organization": "", "set": ""})


def by_wave(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {w: data[data["wave"] == w].drop(columns="wave") for w in ORDER}


def keyed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["level", "organization", "set", "subscale", "wave_from"])


@pytest.mark.parametrize("design", ["independent", "paired"])
def test_changes_match_r(data, wanted, design):
    got = keyed(compute_changes(by_wave(data), ORDER, SUBSCALES, design))
    want = keyed(wanted)
    assert sorted(got.index) == sorted(want.index)
    prefix = "" if design == "independent" else "paired_"
    checked = 0
    for key, row in want.iterrows():
        mine = got.loc[key]
        assert (mine["n_from"], mine["n_to"]) == (row["n_from"], row["n_to"])
        if design == "paired":
            assert mine["n_paired"] == row["n_paired"]
        for column in ("mean_from", "mean_to", "change", "ci_low", "ci_high"):
            assert close(float(mine[column]), row[prefix + column]), (key, column)
            checked += not math.isnan(row[prefix + column])
    assert checked > 80  # the figures exist, not only NA against NaN


def test_columns_are_the_contract(data):
    frame = compute_changes(by_wave(data), ORDER, SUBSCALES)
    assert list(frame.columns[: len(CHANGE_COLUMNS)]) == CHANGE_COLUMNS
    assert ",".join(CHANGE_COLUMNS) == (
        "level,organization,set,subscale,wave_from,wave_to,design,n_from,n_to,n_paired,"
        "mean_from,mean_to,change,ci_low,ci_high,shown"
    )


def test_one_group_functions_match_r(data, wanted):
    a = data[(data["wave"] == ORDER[0])]
    b = data[(data["wave"] == ORDER[1])]
    row = wanted[(wanted["level"] == "programme") & (wanted["subscale"] == "alpha_sub")
                 & (wanted["wave_from"] == ORDER[0])].iloc[0]
    change, low, high = welch_interval(a["alpha_sub"], b["alpha_sub"])
    assert close(change, row["change"]) and close(low, row["ci_low"])
    assert close(high, row["ci_high"])
    both = a.merge(b, on="respondent_id")
    change, low, high = paired_interval(both["alpha_sub_x"], both["alpha_sub_y"])
    assert close(change, row["paired_change"]) and close(low, row["paired_ci_low"])
    assert close(high, row["paired_ci_high"])


def test_no_spread_gives_no_interval():
    # R's t.test refuses constant data; surveyor leaves the interval empty.
    assert all(map(math.isnan, welch_interval([3, 3, 3], [3, 3, 3])[1:]))
    change, low, high = paired_interval([2, 3, 4], [3, 4, 5])
    assert change == 1 and math.isnan(low) and math.isnan(high)
    assert np.isnan(welch_interval([3], [2, 4])[1])


def test_unknown_design_is_refused(data):
    with pytest.raises(ValueError):
        compute_changes(by_wave(data), ORDER, SUBSCALES, "matched")
