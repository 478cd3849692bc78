"""Keying and person-level subscale scores.

Reverse keying uses the instrument's declared range, never the range seen in the data
(``x' = min + max - x``). A subscale score is the mean of the answered items after keying,
computed only when at least ``min_answered`` items are answered (DOMAIN.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from surveyor.instrument.model import Instrument

if TYPE_CHECKING:
    import pandas as pd

META_COLUMNS = ("respondent_id", "organization", "set", "wave")


@dataclass
class Scores:
    """Keyed item answers and subscale scores, one row per respondent.

    Attributes
    ----------
    frame
        ``respondent_id, organization, set, [wave]`` then one float column per subscale
        id (NaN when too few items were answered). Index: the row number in the file.
    keyed
        The item answers after reverse keying, one float column per item id.
    prorated
        Per subscale, how many scores were computed with at least one item unanswered.
    unscored
        Per subscale, how many respondents got no score (too few items answered).
    """

    frame: pd.DataFrame
    keyed: pd.DataFrame
    prorated: dict[str, int] = field(default_factory=dict)
    unscored: dict[str, int] = field(default_factory=dict)

    @property
    def subscale_ids(self) -> list[str]:
        return [c for c in self.frame.columns if c not in META_COLUMNS]


def key_items(items: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Reverse-key the instrument's reversed items: ``min + max - x`` on the declared scale.

    Parameters
    ----------
    items
        One column per item id with raw scale codes (NaN when unanswered).
    instrument
        Supplies the declared scale range and which items are reversed.

    Returns
    -------
    DataFrame
        A copy with reversed items keyed; NaN stays NaN. Keying twice is the identity.
    """
    import pandas as pd

    ids = [str(c) for c in items.columns]
    by_item = _keyed_rows(items, ids, instrument)
    return pd.DataFrame(by_item.T, index=items.index, columns=items.columns, copy=False)


def _keyed_rows(frame: pd.DataFrame, ids: list[str], instrument: Instrument):
    """The keyed answers as one float array with a row per item (``ids`` order).

    Its transpose is the column block of a frame, so frames built on it share its memory.
    """
    import numpy as np

    total = instrument.scale.min + instrument.scale.max
    reverse = {item.id for item in instrument.items if item.reverse}
    keyed = np.empty((len(ids), len(frame)))
    for row, item_id in enumerate(ids):
        answers = frame[item_id].to_numpy(dtype="float64")
        if item_id in reverse:
            np.subtract(total, answers, out=keyed[row])
        else:
            keyed[row] = answers
    return keyed


def score(frame: pd.DataFrame, instrument: Instrument) -> Scores:
    """Compute every respondent's subscale scores.

    Parameters
    ----------
    frame
        A responses frame: meta columns and one raw-code column per item id.
    instrument
        The instrument; each subscale's ``min_answered`` sets the missing-data rule.

    Returns
    -------
    Scores

    Notes
    -----
    Score = mean of answered keyed items when ``answered >= min_answered``, else NaN
    (equivalent to ``psych::scoreItems(..., impute = "none")`` restricted to respondents
    meeting the rule). A score with any unanswered item counts as prorated.
    """
    import numpy as np
    import pandas as pd

    ids = instrument.item_ids
    by_item = _keyed_rows(frame, ids, instrument)
    keyed = pd.DataFrame(by_item.T, index=frame.index, columns=ids, copy=False)
    row_of = {item_id: row for row, item_id in enumerate(ids)}
    meta = [c for c in META_COLUMNS if c in frame.columns]
    columns = {name: frame[name].to_numpy() for name in meta}
    prorated: dict[str, int] = {}
    unscored: dict[str, int] = {}
    for subscale in instrument.subscales:
        rows = [row_of[item.id] for item in instrument.items_of(subscale.id)]
        # One row per item: each respondent's answers are added item after item, in
        # instrument order, as ``nansum`` across a row per respondent adds them, but
        # over contiguous rows.
        values = by_item[rows]
        missing = np.isnan(values)
        answered = len(rows) - missing.sum(axis=0)
        enough = answered >= subscale.min_answered
        np.copyto(values, 0.0, where=missing)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = values.sum(axis=0) / answered
        columns[subscale.id] = np.where(enough, means, np.nan)
        prorated[subscale.id] = int(np.sum(enough & (answered < len(rows))))
        unscored[subscale.id] = int(np.sum(~enough))
    out = pd.DataFrame(columns, index=frame.index)
    return Scores(frame=out, keyed=keyed, prorated=prorated, unscored=unscored)


def to_display(score_value: float, scale_min: float, scale_max: float) -> float:
    """The 0-10 transform used for display, as the NHS Staff Survey does."""
    return 10 * (score_value - scale_min) / (scale_max - scale_min)
