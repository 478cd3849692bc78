"""Change between consecutive waves, per group and subscale, with its 95% interval.

Two designs (issue 11):

- ``independent``: each wave is a separate sample (anonymous forms). The change is
  ``mean_to - mean_from`` over everyone scored in each wave, with a Welch interval: R's
  ``t.test(to, from)``.
- ``paired``: respondent ids name the same person in both waves. The change is computed
  over the ``n_paired`` people scored in both waves *and in the group in both waves*, with
  a paired interval: R's ``t.test(to, from, paired = TRUE)``.

This module computes every figure before any disclosure rule;
``surveyor.numbers.change_disclosure`` decides which rows may be shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

CHANGE_COLUMNS = [
    "level", "organization", "set", "subscale", "wave_from", "wave_to", "design", "n_from",
    "n_to", "n_paired", "mean_from", "mean_to", "change", "ci_low", "ci_high", "shown",
]
# Counts that the disclosure rules need but changes.csv does not publish.
WORK_COLUMNS = ["n_leavers", "n_joiners", "sd_from", "sd_to", "sd_diff"]
INDEPENDENT = "independent"
PAIRED = "paired"
DESIGNS = (INDEPENDENT, PAIRED)
LEVELS = ("programme", "organization", "set")


def welch_interval(from_values, to_values, level: float = 0.95) -> tuple[float, float, float]:
    """Change in mean and its Welch interval, as R's ``t.test(to, from)``.

    Parameters
    ----------
    from_values, to_values
        The scores of each wave (NaN dropped).
    level
        Confidence level.

    Returns
    -------
    (change, low, high)
        ``mean(to) - mean(from)`` and its interval; the interval is NaN when either wave
        has fewer than 2 scores or both have no spread (R refuses: "data are essentially
        constant").

    Notes
    -----
    ``se = sqrt(s1^2/n1 + s2^2/n2)``; Welch-Satterthwaite
    ``df = se^4 / ((s1^2/n1)^2/(n1-1) + (s2^2/n2)^2/(n2-1))``;
    interval ``change +- t(df, (1+level)/2) se``.
    """
    import numpy as np

    a = np.asarray(from_values, dtype=float)
    b = np.asarray(to_values, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if not len(a) or not len(b):
        return np.nan, np.nan, np.nan
    change = b.mean() - a.mean()
    if len(a) < 2 or len(b) < 2:
        return change, np.nan, np.nan
    low, high = welch_bounds(
        change, a.var(ddof=1), len(a), b.var(ddof=1), len(b), level
    )
    return change, float(low), float(high)


def welch_bounds(change, var_from, n_from, var_to, n_to, level: float = 0.95):
    """Welch interval bounds from summaries (arrays allowed); NaN where undefined."""
    import numpy as np
    from scipy.special import stdtrit

    change, var_from, n_from, var_to, n_to = (
        np.asarray(x, dtype=float) for x in (change, var_from, n_from, var_to, n_to)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        u_from, u_to = var_from / n_from, var_to / n_to
        se2 = u_from + u_to
        df = se2**2 / (u_from**2 / (n_from - 1) + u_to**2 / (n_to - 1))
        ok = (n_from >= 2) & (n_to >= 2) & (se2 > 0)
        half = stdtrit(np.where(ok, df, np.nan), (1 + level) / 2) * np.sqrt(se2)
    return change - half, change + half


def paired_interval(from_values, to_values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean change and its paired interval, as R's ``t.test(to, from, paired = TRUE)``.

    Pairs with either value missing are dropped.

    Notes
    -----
    ``d = to - from``; interval ``mean(d) +- t(n-1, (1+level)/2) sd(d)/sqrt(n)``; NaN for
    fewer than 2 pairs or differences without spread (R refuses those).
    """
    import numpy as np

    a = np.asarray(from_values, dtype=float)
    b = np.asarray(to_values, dtype=float)
    keep = ~np.isnan(a) & ~np.isnan(b)
    d = b[keep] - a[keep]
    if not len(d):
        return np.nan, np.nan, np.nan
    change = d.mean()
    if len(d) < 2:
        return change, np.nan, np.nan
    low, high = paired_bounds(change, d.var(ddof=1), len(d), level)
    return change, float(low), float(high)


def paired_bounds(change, var_d, n, level: float = 0.95):
    """Paired interval bounds from summaries (arrays allowed); NaN where undefined."""
    import numpy as np
    from scipy.special import stdtrit

    change, var_d, n = (np.asarray(x, dtype=float) for x in (change, var_d, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (n >= 2) & (var_d > 0)
        half = stdtrit(np.where(ok, n - 1, np.nan), (1 + level) / 2) * np.sqrt(var_d / n)
    return change - half, change + half


def _keys(frame: pd.DataFrame, level: str, suffix: str = ""):
    """The group key columns of each row at one level (programme: one group)."""
    import numpy as np

    n = len(frame)
    org = frame[f"organization{suffix}"].to_numpy(dtype=object)
    if level == "programme":
        return np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    if level == "organization":
        return org, np.full(n, "", dtype=object)
    return org, frame[f"set{suffix}"].to_numpy(dtype=object)


def _describe_wave(scores: pd.DataFrame, subscale: str, level: str) -> pd.DataFrame:
    """n, mean and variance (n-1) of one subscale per group of one level, in one wave."""
    import pandas as pd

    org, name = _keys(scores, level)
    frame = pd.DataFrame({"organization": org, "set": name, "v": scores[subscale].to_numpy()})
    frame = frame[frame["v"].notna()]
    out = frame.groupby(["organization", "set"], sort=True)["v"].agg(["count", "mean", "var"])
    return out.rename(columns={"count": "n"})


def _pairs(from_scores: pd.DataFrame, to_scores: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent id present in both waves, with each wave's group and scores."""
    return from_scores.merge(
        to_scores, on="respondent_id", suffixes=("_from", "_to"), how="inner", sort=True
    )


def _paired_stats(pairs: pd.DataFrame, subscale: str, level: str) -> pd.DataFrame:
    """Per group of one level: the people in it in both waves with a score in both."""
    import pandas as pd

    org_a, set_a = _keys(pairs, level, "_from")
    org_b, set_b = _keys(pairs, level, "_to")
    a = pairs[f"{subscale}_from"].to_numpy(dtype=float)
    b = pairs[f"{subscale}_to"].to_numpy(dtype=float)
    stay = (org_a == org_b) & (set_a == set_b) & (a == a) & (b == b)
    frame = pd.DataFrame(
        {"organization": org_a[stay], "set": set_a[stay], "a": a[stay], "b": b[stay],
         "d": (b - a)[stay]}
    )
    grouped = frame.groupby(["organization", "set"], sort=True)
    out = grouped.agg(
        n_paired=("d", "count"), mean_from=("a", "mean"), mean_to=("b", "mean"),
        change=("d", "mean"), var_d=("d", "var"),
    )
    return out


def movers(pairs: pd.DataFrame, subscale: str, level: str) -> dict[tuple[str, str], int]:
    """People scored in both waves who changed group *within* each parent group.

    For ``level="organization"``: per programme (key ``("", "")``), those who moved
    between organisations; for ``level="set"``: per organisation, those who moved between
    its sets. They count in the parent's paired change but in no child's.
    """
    a = pairs[f"{subscale}_from"].to_numpy(dtype=float)
    b = pairs[f"{subscale}_to"].to_numpy(dtype=float)
    scored = (a == a) & (b == b)
    org_a, set_a = _keys(pairs, level, "_from")
    org_b, set_b = _keys(pairs, level, "_to")
    p_org_a, p_set_a = _keys(pairs, "programme" if level == "organization" else "organization",
                             "_from")
    p_org_b, p_set_b = _keys(pairs, "programme" if level == "organization" else "organization",
                             "_to")
    same_parent = (p_org_a == p_org_b) & (p_set_a == p_set_b)
    moved = scored & same_parent & ((org_a != org_b) | (set_a != set_b))
    out: dict[tuple[str, str], int] = {}
    for o, s in zip(p_org_a[moved].tolist(), p_set_a[moved].tolist(), strict=True):
        out[(o, s)] = out.get((o, s), 0) + 1
    return out


def compute_changes(
    scores: dict[str, pd.DataFrame],
    order: Sequence[str],
    subscales: Sequence[str],
    design: str = INDEPENDENT,
) -> pd.DataFrame:
    """Every change between consecutive waves, before any disclosure rule.

    Parameters
    ----------
    scores
        Per wave, person-level scores (``respondent_id, organization, set`` and one column
        per subscale).
    order
        The waves, earliest first.
    subscales
        Subscale ids in instrument order.
    design
        ``independent`` or ``paired``.

    Returns
    -------
    DataFrame
        ``CHANGE_COLUMNS`` (``shown`` all True) plus ``WORK_COLUMNS``: ``n_leavers`` and
        ``n_joiners`` (paired: scored in the group in one wave but not among its pairs),
        each wave's sd and the sd of the paired differences. One row per
        consecutive pair of waves, group (programme, organisations, sets; by name) present
        in either wave, and subscale (instrument order).
    """
    import numpy as np
    import pandas as pd

    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design!r}")
    rows = []
    for wave_from, wave_to in zip(order[:-1], order[1:], strict=True):
        a, b = scores[wave_from], scores[wave_to]
        pairs = _pairs(a, b) if design == PAIRED else None
        for level in LEVELS:
            keys_a = set(zip(*_keys(a, level), strict=True))
            keys_b = set(zip(*_keys(b, level), strict=True))
            groups = sorted(keys_a | keys_b)
            per_subscale = {}
            for subscale in subscales:
                stats_a = _describe_wave(a, subscale, level)
                stats_b = _describe_wave(b, subscale, level)
                paired = _paired_stats(pairs, subscale, level) if pairs is not None else None
                # Plain dicts: one lookup per figure, not one pandas indexing call.
                per_subscale[subscale] = tuple(
                    {} if frame is None else frame.to_dict("index")
                    for frame in (stats_a, stats_b, paired)
                )
            for key in groups:
                for subscale in subscales:
                    stats_a, stats_b, paired = per_subscale[subscale]
                    rows.append(
                        _row(level, key, subscale, wave_from, wave_to, design,
                             stats_a, stats_b, paired)
                    )
    columns = CHANGE_COLUMNS + WORK_COLUMNS
    out = pd.DataFrame(rows, columns=columns)
    for column in ("n_from", "n_to", "n_paired", "n_leavers", "n_joiners"):
        out[column] = out[column].astype("Int64")
    for column in ("mean_from", "mean_to", "change", "ci_low", "ci_high", "sd_from", "sd_to",
                   "sd_diff"):
        out[column] = out[column].astype(float)
    _intervals(out)
    out["shown"] = np.ones(len(out), dtype=bool)
    return out


def _row(level, key, subscale, wave_from, wave_to, design, stats_a, stats_b, paired) -> dict:
    def look(stats: dict, column, default):
        found = stats.get(key)
        return default if found is None else found[column]

    n_from = int(look(stats_a, "n", 0))
    n_to = int(look(stats_b, "n", 0))
    row = {
        "level": level, "organization": key[0], "set": key[1], "subscale": subscale,
        "wave_from": wave_from, "wave_to": wave_to, "design": design,
        "n_from": n_from, "n_to": n_to, "n_paired": None, "shown": True,
        "ci_low": math.nan, "ci_high": math.nan,
        "n_leavers": None, "n_joiners": None,
        "sd_from": math.sqrt(look(stats_a, "var", math.nan)),
        "sd_to": math.sqrt(look(stats_b, "var", math.nan)), "sd_diff": math.nan,
    }
    # The intervals are worked out for every row at once, in ``_intervals``.
    if design == INDEPENDENT:
        mean_a = look(stats_a, "mean", math.nan)
        mean_b = look(stats_b, "mean", math.nan)
        row.update(mean_from=mean_a, mean_to=mean_b, change=mean_b - mean_a)
        return row
    n_paired = int(look(paired, "n_paired", 0))
    row.update(
        n_paired=n_paired, mean_from=look(paired, "mean_from", math.nan),
        mean_to=look(paired, "mean_to", math.nan), change=look(paired, "change", math.nan),
        n_leavers=n_from - n_paired, n_joiners=n_to - n_paired,
        sd_diff=math.sqrt(look(paired, "var_d", math.nan)),
    )
    return row


def _intervals(out: pd.DataFrame) -> None:
    """Fill ``ci_low`` and ``ci_high`` of every row, in place, from its design's figures."""
    import numpy as np

    def column(name):
        return out[name].to_numpy(dtype=float, na_value=np.nan)

    paired = out["design"].to_numpy() == PAIRED
    welch = welch_bounds(column("change"), column("sd_from") ** 2, column("n_from"),
                         column("sd_to") ** 2, column("n_to"))
    pairs = paired_bounds(column("change"), column("sd_diff") ** 2, column("n_paired"))
    out["ci_low"] = np.where(paired, pairs[0], welch[0])
    out["ci_high"] = np.where(paired, pairs[1], welch[1])


def mover_counts(
    scores: dict[str, pd.DataFrame], order: Sequence[str], subscales: Sequence[str]
) -> dict[tuple[str, str, str, str], int]:
    """Paired design: people who changed organisation, or set within an organisation.

    Returns ``(wave_from, subscale, level, parent organisation)`` to a count, as
    ``change_disclosure.disclose_changes`` takes it (``level`` is the children's).
    """
    out: dict[tuple[str, str, str, str], int] = {}
    for wave_from, wave_to in zip(order[:-1], order[1:], strict=True):
        pairs = _pairs(scores[wave_from], scores[wave_to])
        for subscale in subscales:
            for level in ("organization", "set"):
                for (org, _), n in movers(pairs, subscale, level).items():
                    out[(wave_from, subscale, level, org)] = n
    return out
