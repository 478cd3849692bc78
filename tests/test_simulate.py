"""Seeded synthetic programmes, one wave or several."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyor.errors import SurveyorError
from surveyor.instrument.model import load_instrument
from surveyor.simulate import SimulationSettings, simulate

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def inst():
    return load_instrument("learning-inaction")


def test_one_wave_is_the_shipped_example(inst):
    text = simulate(inst).to_csv(index=False, lineterminator="\n")
    assert text == (EXAMPLES / "responses.csv").read_text(encoding="utf-8")


def test_the_shipped_waves_example_is_reproducible(inst):
    settings = SimulationSettings(waves=3,
                                  wave_names=("Autumn 2026", "Winter 2027", "Spring 2027"))
    text = simulate(inst, settings).to_csv(index=False, lineterminator="\n")
    assert text == (EXAMPLES / "waves.csv").read_text(encoding="utf-8")


def test_later_waves_keep_ids_lose_people_and_move(inst):
    import pandas as pd

    one = simulate(inst)
    table = simulate(inst, SimulationSettings(waves=3, attrition=0.2, programme_effect=0.5))
    first = table[table["wave"] == "1"].drop(columns="wave").reset_index(drop=True)
    pd.testing.assert_frame_equal(first, one)
    counts = table["wave"].value_counts()
    assert counts["1"] == len(one) and counts["2"] < len(one) and counts["3"] < len(one)
    assert set(table["respondent_id"]) == set(one["respondent_id"])
    lia = [c for c in table.columns if c.startswith("lia")]

    def mean(wave):
        rows = table.loc[table["wave"] == wave, lia]
        return pd.to_numeric(rows.stack(), errors="coerce").mean()

    assert mean("1") < mean("2") < mean("3")


def test_wave_settings_are_checked(inst):
    with pytest.raises(SurveyorError, match="names for 3 waves"):
        simulate(inst, SimulationSettings(waves=3, wave_names=("A", "B")))
    with pytest.raises(SurveyorError, match="attrition"):
        simulate(inst, SimulationSettings(waves=2, attrition=0.95))
