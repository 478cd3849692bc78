"""Group summaries, reliability and item statistics, vectorised over every group at once.

Per-group statistics are computed with grouped array operations (a national survey has
tens of thousands of sets); ``surveyor.stats`` holds the one-group reference functions
these must agree with, and the tests check that they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .anonymity import PROGRAMME, GroupKey, Suppression
from .instrument import Instrument

if TYPE_CHECKING:
    import pandas as pd

GROUP_COLUMNS = [
    "level", "organization", "set", "subscale", "n", "mean", "sd", "ci_low", "ci_high",
    "median", "min", "max", "rwg_j", "rwg_j_critical", "ad", "agreement", "suppressed",
]
STAT_COLUMNS = [
    "n", "mean", "sd", "ci_low", "ci_high", "median", "min", "max", "rwg_j",
    "rwg_j_critical", "ad", "agreement",
]
RELIABILITY_COLUMNS = [
    "subscale", "k", "n", "alpha", "alpha_std", "average_r", "alpha_ci_low", "alpha_ci_high",
    "icc1", "icc2",
]

SHARED = "shared view"
MIXED = "mixed"
DIVERGENT = "divergent"


@dataclass(frozen=True)
class Levels:
    """Integer codes for the hierarchy, computed once per run."""

    org_code: object  # numpy int array, one per respondent
    set_code: object
    org_names: list[str]
    set_names: list[tuple[str, str]]


def hierarchy(frame: pd.DataFrame) -> Levels:
    import numpy as np
    import pandas as pd

    from .anonymity import set_codes

    org_code, org_names = pd.factorize(frame["organization"], sort=True)
    codes, names = set_codes(frame)
    return Levels(
        org_code=np.asarray(org_code),
        set_code=codes,
        org_names=[str(name) for name in org_names],
        set_names=names,
    )


def ad_cutoff(n_options: int) -> float:
    """Burke & Dunlap (2002) practical cut-off for AD: c/6 for c response options."""
    return n_options / 6


def agreement_label(rwg: float, critical: float, ad: float, n_options: int) -> str:
    """Name the pattern of agreement within a group.

    A shared view needs rwg(j) above the 95th percentile of its null distribution for this
    group size and item count *and* AD within the c/6 cut-off; divergent means neither;
    mixed is everything in between. Empty when rwg(j) is undefined.
    """
    import math

    if any(math.isnan(x) for x in (rwg, critical, ad)):
        return ""
    above = rwg > critical
    close = ad <= ad_cutoff(n_options)
    if above and close:
        return SHARED
    if not above and not close:
        return DIVERGENT
    return MIXED


def grouped_describe(codes, values, n_groups: int) -> dict:
    """n, mean, sd (n-1), median, min and max of ``values`` per group code, NaN dropped.

    One stable sort and a few ``bincount`` passes: linear in respondents, whatever the
    number of groups (pandas' groupby recompresses the codes on every call).
    """
    import numpy as np

    ok = ~np.isnan(values)
    c, v = codes[ok], values[ok]
    n = np.bincount(c, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=v, minlength=n_groups) / n
        squares = np.bincount(c, weights=(v - mean[c]) ** 2, minlength=n_groups)
        sd = np.sqrt(squares / (n - 1))
    sd[n < 2] = np.nan
    has = n > 0
    distinct, position = np.unique(v, return_inverse=True)
    if len(distinct) * n_groups <= 5_000_000:
        # Scores take few distinct values (means of a handful of whole numbers): count
        # them per group instead of sorting a million values.
        table = np.bincount(
            c * len(distinct) + position, minlength=n_groups * len(distinct)
        ).reshape(n_groups, len(distinct))
        cumulative = np.cumsum(table, axis=1)
        lower = np.minimum((n - 1) // 2, np.maximum(n - 1, 0))
        upper = n // 2
        lower_at = (cumulative <= lower[:, None]).sum(axis=1)
        upper_at = (cumulative <= upper[:, None]).sum(axis=1)
        first_at = (cumulative == 0).sum(axis=1)
        last_at = (cumulative < n[:, None]).sum(axis=1)
        top = len(distinct) - 1
        pick = lambda at: distinct[np.minimum(at, top)] if len(distinct) else at  # noqa: E731
        minimum = np.where(has, pick(first_at), np.nan)
        maximum = np.where(has, pick(last_at), np.nan)
        median = np.where(has, (pick(lower_at) + pick(upper_at)) / 2, np.nan)
        return {
            "n": n.astype(int), "mean": mean, "sd": sd, "median": median,
            "min": minimum, "max": maximum,
        }
    order = np.lexsort((v, c))
    ordered = v[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    first = np.where(has, starts, 0)
    last = np.where(has, starts + n - 1, 0)
    lower_mid = np.where(has, starts + (n - 1) // 2, 0)
    upper_mid = np.where(has, starts + n // 2, 0)
    if len(ordered):
        minimum = np.where(has, ordered[first], np.nan)
        maximum = np.where(has, ordered[last], np.nan)
        median = np.where(has, (ordered[lower_mid] + ordered[upper_mid]) / 2, np.nan)
    else:
        minimum = maximum = median = np.full(n_groups, np.nan)
    return {
        "n": n.astype(int),
        "mean": mean,
        "sd": sd,
        "median": median,
        "min": minimum,
        "max": maximum,
    }


def grouped_item_spread(codes, items, n_groups: int):
    """Per group, over respondents who answered every item: their count, the mean of the
    item variances (n-1), and AD (mean absolute deviation from the item mean, averaged
    over items, as ``multilevel::ad.m``)."""
    import numpy as np

    complete = ~np.isnan(items).any(axis=1)
    c, x = codes[complete], items[complete]
    n = np.bincount(c, minlength=n_groups)
    variances, deviations = [], []
    with np.errstate(invalid="ignore", divide="ignore"):
        for column in x.T:
            mean = np.bincount(c, weights=column, minlength=n_groups) / n
            centred = column - mean[c]
            variances.append(np.bincount(c, weights=centred**2, minlength=n_groups) / (n - 1))
            deviations.append(np.bincount(c, weights=np.abs(centred), minlength=n_groups) / n)
    return n, np.mean(variances, axis=0), np.mean(deviations, axis=0)


def group_statistics(
    scores: pd.DataFrame,
    keyed: pd.DataFrame,
    instrument: Instrument,
    levels: Levels,
) -> pd.DataFrame:
    """Every group's statistics on every subscale, before suppression.

    Returns a frame with ``GROUP_COLUMNS`` (``suppressed`` all False). Groups: the
    programme, each organisation, each set within its organisation.

    Notes
    -----
    mean, sd (n-1), 95% t-interval ``mean +- t(n-1, .975) sd / sqrt(n)``, median, min and
    max over respondents with a score. rwg(j) (``multilevel::rwg.j``, uniform null
    ``(A^2-1)/12``, mean item variance truncated to the null) and AD (``multilevel::ad.m``,
    mean over items) over respondents who answered every item of the subscale.
    """
    import numpy as np
    import pandas as pd
    from scipy.special import stdtrit

    from . import stats

    n_options = instrument.scale.n_options
    null_variance = (n_options**2 - 1) / 12
    layouts = [
        ("programme", np.zeros(len(scores), dtype=np.int64), [("", "")]),
        ("organization", levels.org_code, [(o, "") for o in levels.org_names]),
        ("set", levels.set_code, levels.set_names),
    ]
    frames = []
    for level, codes, names in layouts:
        n_groups = len(names)
        for subscale in instrument.subscales:
            ids = [item.id for item in instrument.items_of(subscale.id)]
            described = grouped_describe(codes, scores[subscale.id].to_numpy(), n_groups)
            agg = pd.DataFrame(described)
            n = described["n"]
            with np.errstate(invalid="ignore", divide="ignore"):
                tq = stdtrit(np.where(n > 1, n - 1, np.nan), 0.975)
                half = tq * described["sd"] / np.sqrt(n)
            agg["ci_low"] = described["mean"] - half
            agg["ci_high"] = described["mean"] + half

            j = len(ids)
            n_complete, mean_var, ad = grouped_item_spread(
                codes, keyed[ids].to_numpy(), n_groups
            )
            ratio = np.minimum(mean_var, null_variance) / null_variance
            with np.errstate(invalid="ignore", divide="ignore"):
                rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
            rwg = np.where(n_complete >= 2, rwg, np.nan)
            ad = np.where(n_complete >= 2, ad, np.nan)
            critical = np.array(
                [
                    stats.rwg_j_critical(int(k), j, n_options) if k >= 2 else np.nan
                    for k in n_complete
                ]
            )
            agg["rwg_j"] = rwg
            agg["rwg_j_critical"] = critical
            agg["ad"] = ad
            agg["agreement"] = [
                agreement_label(r, c, a, n_options)
                for r, c, a in zip(rwg, critical, ad, strict=True)
            ]
            agg.insert(0, "subscale", subscale.id)
            agg.insert(0, "set", [name[1] for name in names])
            agg.insert(0, "organization", [name[0] for name in names])
            agg.insert(0, "level", level)
            agg["suppressed"] = False
            frames.append(agg)
    out = pd.concat(frames, ignore_index=True)
    order = {"programme": 0, "organization": 1, "set": 2}
    subscale_order = {s.id: i for i, s in enumerate(instrument.subscales)}
    out = out.assign(
        _l=out["level"].map(order), _s=out["subscale"].map(subscale_order)
    ).sort_values(["_l", "organization", "set", "_s"], kind="stable")
    return out.drop(columns=["_l", "_s"]).reset_index(drop=True)[GROUP_COLUMNS]


def group_key(row) -> GroupKey:
    return _key(row["level"], row["organization"], row["set"])


def _key(level: str, organization: str, set_name: str) -> GroupKey:
    if level == "programme":
        return PROGRAMME
    if level == "organization":
        return GroupKey("organization", organization)
    return GroupKey("set", organization, set_name)


def apply_suppression(groups: pd.DataFrame, suppression: Suppression) -> pd.DataFrame:
    """Blank every statistic of a suppressed group or cell; mark it ``suppressed``."""
    import numpy as np

    out = groups.copy()
    # Suppressed groups and cells are few: look each row up in a small set of keys.
    hidden_groups = {k for k, d in suppression.groups.items() if d.suppressed}
    hidden_cells = {k for k, d in suppression.cells.items() if d.suppressed}
    hidden = np.fromiter(
        (
            (key := _key(level, org, name)) in hidden_groups or (key, sub) in hidden_cells
            for level, org, name, sub in zip(
                out["level"], out["organization"], out["set"], out["subscale"], strict=True
            )
        ),
        dtype=bool,
        count=len(out),
    )
    out["n"] = out["n"].astype("Int64")
    for column in STAT_COLUMNS:
        if column == "agreement":
            out.loc[hidden, column] = ""
        elif column == "n":
            out.loc[hidden, column] = None
        else:
            out.loc[hidden, column] = np.nan
    out["suppressed"] = hidden
    return out


def reliability(
    keyed: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument, levels: Levels
) -> tuple[pd.DataFrame, dict]:
    """Pooled reliability per subscale and between-set ICCs.

    Returns the reliability frame (``RELIABILITY_COLUMNS``) and, per subscale, the
    ``AlphaResult`` from ``surveyor.stats.alpha`` (its item table feeds items.csv).
    """
    import pandas as pd

    from . import stats

    rows = []
    results = {}
    for subscale in instrument.subscales:
        ids = [item.id for item in instrument.items_of(subscale.id)]
        result = stats.alpha(keyed[ids])
        results[subscale.id] = result
        icc1, icc2 = stats.icc(scores[subscale.id], pd.Series(levels.set_code, index=scores.index))
        rows.append(
            {
                "subscale": subscale.id,
                "k": len(ids),
                "n": result.n,
                "alpha": result.alpha,
                "alpha_std": result.alpha_std,
                "average_r": result.average_r,
                "alpha_ci_low": result.ci_low,
                "alpha_ci_high": result.ci_high,
                "icc1": icc1,
                "icc2": icc2,
            }
        )
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), results


def item_statistics(
    raw: pd.DataFrame,
    instrument: Instrument,
    alpha_results: dict,
    suppression: Suppression,
) -> pd.DataFrame:
    """Per item over the programme: n, keyed mean and sd, r.drop, alpha if deleted, shares.

    Shares are of the answers as ticked (before keying), in percent of those answering.
    """
    import numpy as np
    import pandas as pd

    rows = []
    values = list(instrument.scale.values)
    for item in instrument.items:
        table = alpha_results[item.subscale].items
        stats_row = table.loc[item.id]
        answers = raw[item.id].to_numpy()
        answered = answers[~np.isnan(answers)]
        shown = suppression.item_shown(PROGRAMME, item.id)
        row = {
            "item": item.id,
            "subscale": item.subscale,
            "reverse": item.reverse,
            "n": int(stats_row["n"]) if shown else None,
            "mean": stats_row["mean"] if shown else np.nan,
            "sd": stats_row["sd"] if shown else np.nan,
            "r_drop": stats_row["r_drop"] if shown else np.nan,
            "alpha_if_deleted": stats_row["alpha_if_deleted"] if shown else np.nan,
        }
        for value in values:
            share = 100 * np.mean(answered == value) if len(answered) and shown else np.nan
            row[f"share_{value}"] = share
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype("Int64")
    return frame


def item_distributions(
    raw: pd.DataFrame, instrument: Instrument, codes, n_groups: int
) -> dict[str, object]:
    """Counts per scale option for every item and group: item id -> array (groups x options)."""
    import numpy as np

    values = np.array(instrument.scale.values)
    out = {}
    for item in instrument.items:
        answers = raw[item.id].to_numpy()
        ok = ~np.isnan(answers)
        option = np.searchsorted(values, answers[ok])
        flat = codes[ok] * len(values) + option
        counts = np.bincount(flat, minlength=n_groups * len(values))
        out[item.id] = counts.reshape(n_groups, len(values))
    return out
