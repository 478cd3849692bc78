"""Keying and person-level scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.instrument.model import load_instrument
from surveyor.numbers.scoring import key_items, score, to_display

from .conftest import MINI

MINI_INSTRUMENT = load_instrument(MINI)
answers = st.one_of(st.just(np.nan), st.integers(min_value=1, max_value=5).map(float))


def frame_of(rows, mini):
    data = pd.DataFrame(rows, columns=mini.item_ids, dtype="float64")
    data.insert(0, "set", "A")
    data.insert(0, "organization", "Org")
    data.insert(0, "respondent_id", [f"r{i}" for i in range(len(data))])
    return data


def test_reverse_keying_uses_declared_range(mini):
    items = pd.DataFrame({i: [1.0, 5.0, np.nan] for i in mini.item_ids})
    keyed = key_items(items, mini)
    assert keyed["a3"].tolist()[:2] == [5.0, 1.0]
    assert np.isnan(keyed["a3"].iloc[2])
    assert keyed["a1"].tolist()[:2] == [1.0, 5.0]


def test_keying_uses_declared_not_observed_range(mini):
    # Only 2s and 3s observed: keying must still use 1-5 (6 - x), not 2-3.
    items = pd.DataFrame({i: [2.0, 3.0] for i in mini.item_ids})
    assert key_items(items, mini)["a3"].tolist() == [4.0, 3.0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(answers, min_size=6, max_size=6), min_size=1, max_size=20))
def test_keying_twice_is_identity(rows):
    mini = MINI_INSTRUMENT
    items = pd.DataFrame(rows, columns=mini.item_ids, dtype="float64")
    twice = key_items(key_items(items, mini), mini)
    pd.testing.assert_frame_equal(twice, items)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(answers, min_size=6, max_size=6), min_size=1, max_size=20))
def test_scores_stay_in_range_and_follow_min_answered(rows):
    mini = MINI_INSTRUMENT
    result = score(frame_of(rows, mini), mini)
    for subscale in mini.subscales:
        values = result.frame[subscale.id]
        finite = values.dropna()
        assert ((finite >= 1) & (finite <= 5)).all()
        ids = [i.id for i in mini.items_of(subscale.id)]
        answered = frame_of(rows, mini)[ids].notna().sum(axis=1)
        assert (values.notna() == (answered >= subscale.min_answered)).all()


def test_three_item_subscale_is_never_prorated(mini):
    rows = [[4, 4, 2, 3, 3, np.nan], [4, 4, 2, 3, 3, 3]]
    result = score(frame_of(rows, mini), mini)
    assert np.isnan(result.frame["beta_sub"].iloc[0])
    assert result.frame["alpha_sub"].iloc[0] == (4 + 4 + 4) / 3
    assert result.prorated == {"alpha_sub": 0, "beta_sub": 0}
    assert result.unscored == {"alpha_sub": 0, "beta_sub": 1}


def test_prorated_count_when_min_answered_allows_gaps(mini):
    from dataclasses import replace

    relaxed = replace(
        mini,
        subscales=(replace(mini.subscales[0], min_answered=2), mini.subscales[1]),
    )
    rows = [[4, np.nan, 2, 3, 3, 3], [4, 4, 2, 3, 3, 3], [np.nan, np.nan, 1, 1, 1, 1]]
    result = score(frame_of(rows, relaxed), relaxed)
    assert result.prorated["alpha_sub"] == 1
    assert result.unscored["alpha_sub"] == 1
    assert result.frame["alpha_sub"].iloc[0] == 4.0


def test_display_transform():
    assert to_display(1, 1, 5) == 0
    assert to_display(5, 1, 5) == 10
    assert to_display(3, 1, 5) == 5
