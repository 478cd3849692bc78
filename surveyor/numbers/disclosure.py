"""What a figure inside a shown group may still give away, and the rules that stop it.

The suppression pass (``surveyor.numbers.anonymity``) decides which groups, subscale cells
and items are shown. A shown group can still expose a person, or a withheld group, through
a figure that rests on fewer people than its group or that combines with other published
figures into an equation (DOMAIN.md section 5, rules 7 to 9). The rules for those figures
live here, one function each; the README's "Anonymity" table lists every published figure
with the rule that protects it, and ``tests/test_disclosure.py`` attacks each one.

1. **ICC over shown sets only** (:func:`icc_members`). ICC(1) and ICC(2) are computed from
   the respondents of the sets whose cell is shown, so they are a function of those sets'
   own n, mean and sd (which groups.csv publishes, rounded) and no withheld set enters
   them. Over every set, the between-set sum of squares they imply leaves a quadratic in
   a withheld set's mean. Kept at full precision, they add one equation over all shown
   sets' unrounded figures together. With few sets that equation pins scores: two shown
   sets of five, their rounded means and sds and the ICCs (in full, or to 2 decimals) fix
   all five scores of a set in some programmes. So the ICCs are published only over at
   least :data:`ICC_MIN_SETS` shown sets (what the reports already required before
   reading them), rounded to 2 decimals (:func:`published_icc`).
2. **Item detail needs 0 or at least N partial answerers** (:func:`partial_answerers`).
   k * n * mean of a subscale minus the item sums (items.csv, the reports' item counts) is
   the contribution of the people who answered some but not all of its items (prorated
   scores, and the answers of people left without a score). The suppression pass treats
   those people as a group of their own: where they number 1 to N-1 (with complementary
   suppression among siblings), the subscale's item detail is withheld.
3. **Agreement needs N complete answerers** (:func:`withhold_agreement`). rwg(j), AD, the
   critical value (a function of their number) and the verdict rest on those who answered
   every item; below N they, and that count (``n_agreement``), are left empty. Where they
   are the whole set, rwg(j) and AD follow from the per-item answer counts the set's
   report prints, so they tie no answer to a person.
4. **Small groups** are those under ``max(SMALL_GROUP, 8 N)`` respondents (40 at the
   default N), and every set. A parent's mean and sd to 2 decimals, with its sets'
   1-decimal figures, constrain the sets' sums and sums of squares together
   (``tests/test_disclosure.py``, section 6, attacks a parent of several sets by dynamic
   programming over them). Under ``max(10, 2 N)`` an organisation of two sets of five
   pinned scores far (.2 or more) from a set's mean in 5 of 16 random programmes. Under
   ``max(20, 4 N)``, parents of 20 still did where sets are alike (answers spread .4 to
   .7 around each set's lean, 20 seeds x 5 subscales each): four sets of five in 2 of 300
   cases, a set of five and one of fifteen in 4 of 300 (two sets of ten in none); six
   sets of five (30) in 1 of 100. Parents of 40 (eight sets of five, five and 35) pinned
   none in 400. To 1 decimal a parent of 20 still pinned one score in 100 cases, and two
   sets of five one in 100, only among alike answers (spread .4): scores .2 to .3 from
   the mean of a set of five whose sd is .2, within about 1.5 sd of it (open: closing
   that would take coarser figures for parents, or for sets that alike). Their median,
   min and max, which are one or two people's scores (with mean and sd they gave every
   score of a set of five), are never published (:func:`withhold_order_statistics`).
5. **Means and sds are rounded** (:func:`round_figures`): to 1 decimal in small groups, 2
   in larger ones, and the 95% interval is worked out from the rounded figures so it adds
   nothing to them. At full precision the mean and sd of a set of five fix the sum and sum
   of squares of its scores, which on the grid of possible scores often leaves a single
   answer (the example's Riverside service leads); to 2 decimals still about one set in
   ten. To 1 decimal, no set of five tried was pinned down, and any score common to all
   the answers left lies within .2 of the mean: the set's own result, not a person apart
   from it (``tests/test_disclosure.py`` attacks this; DOMAIN.md section 5, rule 8).
   Rounding is half away from zero on the exact fraction
   (``surveyor.numbers.rounding``), so a mean on a tie rounds the same way whatever the
   order of the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.instrument.model import Instrument
    from surveyor.numbers.anonymity import Suppression
    from surveyor.numbers.summaries import Levels

#: Groups under ``max(SMALL_GROUP, 8 N)`` respondents, and every set, are small.
SMALL_GROUP = 40
ORDER_STATISTICS = ("median", "min", "max")
#: Decimals of the means and sds published for small groups and for the others.
SMALL_DECIMALS = 1
DECIMALS = 2
#: ICCs are published over at least this many shown sets, to ``ICC_DECIMALS`` (rule 1).
ICC_MIN_SETS = 10
ICC_DECIMALS = 2


def published_icc(icc1: float, icc2: float, n_sets: int) -> tuple[float, float]:
    """ICC(1) and ICC(2) as published: empty over fewer than ``ICC_MIN_SETS`` sets (rule 1)."""
    from surveyor.numbers.rounding import round_value

    if n_sets < ICC_MIN_SETS:
        return float("nan"), float("nan")
    return round_value(icc1, ICC_DECIMALS), round_value(icc2, ICC_DECIMALS)


def small_group_size(min_group_size: int) -> int:
    """Groups with fewer respondents than this (and every set) are small."""
    return max(SMALL_GROUP, 8 * min_group_size)


def _small(groups: pd.DataFrame, min_group_size: int):
    import numpy as np

    n = groups["n"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        large = n >= small_group_size(min_group_size)
    return (groups["level"].to_numpy() == "set") | ~large


def withhold_order_statistics(groups: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank the median, min and max of every small group (rule 4)."""
    import numpy as np

    out = groups.copy()
    hidden = _small(out, min_group_size)
    for column in ORDER_STATISTICS:
        out.loc[hidden, column] = np.nan
    return out


def round_figures(groups: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Means, sds and order statistics rounded, intervals from the rounded figures (rule 5).

    The interval is ``mean +- t(n-1, .975) sd / sqrt(n)`` on the rounded mean and sd, then
    rounded: from the published figures anyone can work it out, so it reveals nothing more.
    """
    import numpy as np
    from scipy.special import stdtrit

    from surveyor.numbers.rounding import round_half_away

    out = groups.copy()
    decimals = np.where(_small(out, min_group_size), SMALL_DECIMALS, DECIMALS)
    n = out["n"].to_numpy(dtype=float, na_value=np.nan)

    def rounded(values):
        return round_half_away(np.asarray(values, dtype=float), decimals)

    mean, sd = rounded(out["mean"]), rounded(out["sd"])
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stdtrit(np.where(n > 1, n - 1, np.nan), 0.975) * sd / np.sqrt(n)
    out["mean"], out["sd"] = mean, sd
    out["ci_low"], out["ci_high"] = rounded(mean - half), rounded(mean + half)
    for column in ORDER_STATISTICS:
        out[column] = rounded(out[column])
    return out


def withhold_agreement(groups: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank the agreement figures of every group where fewer than N answered every item."""
    import numpy as np

    out = groups.copy()
    n = out["n_agreement"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        hidden = ~(n >= min_group_size)
    out["n_agreement"] = out["n_agreement"].astype("Int64")
    out.loc[hidden, "n_agreement"] = None
    for column in ("rwg_j", "rwg_j_critical", "ad"):
        out.loc[hidden, column] = np.nan
    out.loc[hidden, "agreement"] = ""
    return out


def withhold(groups: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Rules 3, 4 and 5 on the group statistics, after the suppression pass is applied."""
    agreement = withhold_agreement(groups, min_group_size)
    return round_figures(withhold_order_statistics(agreement, min_group_size), min_group_size)


def partial_answerers(keyed: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Per subscale, who answered at least one of its items but not all of them.

    Their scores (prorated) or their answers (no score) are what separates the item sums
    from k * n * mean; the suppression pass counts them like a group (rule 2).
    """
    import numpy as np
    import pandas as pd

    columns = {}
    for subscale in instrument.subscales:
        ids = [item.id for item in instrument.items_of(subscale.id)]
        answered = np.zeros(len(keyed), dtype=np.int64)
        for item_id in ids:
            answered += keyed[item_id].notna().to_numpy()
        columns[subscale.id] = (answered > 0) & (answered < len(ids))
    return pd.DataFrame(columns, index=keyed.index)


def icc_members(levels: Levels, suppression: Suppression, subscale: str):
    """Boolean mask of the respondents whose set's cell on ``subscale`` is shown (rule 1)."""
    import numpy as np

    from surveyor.numbers.anonymity import PROGRAMME, GroupKey

    if not suppression.cell_shown(PROGRAMME, subscale):
        return np.zeros(len(levels.set_code), dtype=bool)
    shown = np.array(
        [suppression.cell_shown(GroupKey("set", o, s), subscale) for o, s in levels.set_names],
        dtype=bool,
    )
    return shown[np.asarray(levels.set_code)] if len(shown) else shown
