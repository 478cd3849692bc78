"""Shared fixtures: a 2-subscale, 6-item instrument and a dozen respondents in three sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

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
    from surveyor.instrument.model import load_instrument

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


# --------------------------------------------------------- R reference figures (stats)

REFERENCE = FIXTURES.parent / "reference"
REFERENCE_TOL = 1e-6


@pytest.fixture(scope="session")
def reference_data():
    """The reference programme that tests/reference/make_reference.R scored with psych and
    multilevel (a3 reverse-keyed on 1-5, as the R script does; z a constant item)."""
    import pandas as pd

    frame = pd.read_csv(REFERENCE / "data.csv")
    frame["a3"] = 6 - frame["a3"]
    frame["set_id"] = frame["organization"] + "/" + frame["set"]
    frame["z"] = 3.0
    return frame


def expected(name: str):
    """One of R's expected figure tables, ``tests/reference/expected_<name>.csv``."""
    import pandas as pd

    return pd.read_csv(REFERENCE / f"expected_{name}.csv")


def close(actual: float, wanted: float) -> bool:
    """Equal to R's figure within 1e-6 (NA in R is NaN here)."""
    import math

    import pandas as pd

    if pd.isna(wanted):
        return math.isnan(actual)
    return abs(actual - wanted) <= REFERENCE_TOL


def same(a: float, b: float) -> bool:
    """Equal up to rounding: relative as well as absolute, since an ill-conditioned sample
    (a near-zero sum of correlations) gives a standardized alpha in the thousands, equal
    only to ~12 digits."""
    import math

    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9)


ANSWER = st.one_of(st.integers(1, 5).map(float), st.just(float("nan")))


@st.composite
def group_answers(draw, min_rows=2, max_rows=12):
    """A small group's answers on a 1-5 scale, some missing: rows by items."""
    import numpy as np

    rows = draw(st.integers(min_rows, max_rows))
    columns = draw(st.integers(1, 5))
    return np.array(
        draw(
            st.lists(
                st.lists(ANSWER, min_size=columns, max_size=columns), min_size=rows, max_size=rows
            )
        )
    )


@pytest.fixture
def scores_like_canonical(mini):
    """Check that an export of the mini answers scores exactly like canonical.csv: the same
    scores respondent by respondent (ids aside), group summaries and reliability."""
    import pandas as pd

    from surveyor.pipeline import score

    canonical = score(FIXTURES / "exports" / "canonical.csv", mini, min_group_size=3,
                      consented=True)

    def check(path: Path) -> None:
        result = score(path, mini, min_group_size=3, consented=True)
        pd.testing.assert_frame_equal(
            result.scores.drop(columns="respondent_id").reset_index(drop=True),
            canonical.scores.drop(columns="respondent_id").reset_index(drop=True),
            obj=f"{path.name} scores",
        )
        pd.testing.assert_frame_equal(result.groups, canonical.groups, obj=f"{path.name} groups")
        pd.testing.assert_frame_equal(
            result.reliability, canonical.reliability, obj=f"{path.name} reliability"
        )

    return check
