"""Shared fixtures: a 2-subscale, 6-item instrument and a dozen respondents in three sets."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"


@pytest.fixture
def mini():
    from surveyor.instrument import load_instrument

    return load_instrument(MINI)


@pytest.fixture
def mini_path() -> Path:
    return MINI


@pytest.fixture
def dozen_csv(tmp_path) -> Path:
    """Twelve respondents in three sets of two organisations, with gaps and a 'Don't know'."""
    rows = [
        "respondent_id,organization,set,a1,a2,a3,b1,b2,b3",
        "r01,North,A,4,4,2,3,3,3",
        "r02,North,A,5,4,1,2,3,2",
        "r03,North,A,4,5,2,3,,3",
        "r04,North,A,3,4,2,4,4,4",
        "r05,North,A,4,3,3,3,3,2",
        "r06,North,B,2,2,4,5,4,5",
        "r07,North,B,1,2,5,4,5,4",
        "r08,North,B,2,,4,4,4,5",
        "r09,South,C,3,3,3,2,2,1",
        "r10,South,C,3,2,3,1,2,2",
        "r11,South,C,Don't know / not applicable,3,3,2,1,1",
        "r12,South,C,4,3,2,2,2,2",
    ]
    path = tmp_path / "dozen.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
