"""Shared fixtures: a 2-subscale, 6-item instrument and a dozen respondents in three sets."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")


def edit(old: str, new: str, text: str = MINI_TEXT) -> str:
    """The mini fixture with one exact edit, failing loudly if the fixture changed."""
    assert text.count(old) == 1, f"fixture no longer contains {old!r} exactly once"
    return text.replace(old, new)


def write(tmp_path: Path, content: str | bytes) -> Path:
    """An instrument file holding ``content`` (text, or raw bytes to test decoding)."""
    path = tmp_path / "broken.yaml"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


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
