"""Group summaries, reliability and item statistics, vectorised over every group at once.

Per-group statistics are computed with grouped array operations (a national survey has
tens of thousands of sets); ``surveyor.numbers.stats`` holds the one-group reference functions
these must agree with, and the tests check that they do.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveyor.instrument.model import Instrument
from surveyor.numbers.anonymity import PROGRAMME, GroupKey, Suppression
from surveyor.numbers.grouped import (
    _answer_tables,
    _Answered,
    _describe,
    _item_spread,
    _table_spread,
)

if TYPE_CHECKING:
    import pandas as pd

GROUP_COLUMNS = [
    "level", "organization", "set", "subscale", "n", "mean", "sd", "ci_low", "ci_high",
    "median", "min", "max", "n_agreement", "rwg_j", "rwg_j_critical", "ad", "agreement",
    "suppressed",
]
STAT_COLUMNS = [
    "n", "mean", "sd", "ci_low", "ci_high", "median", "min", "max", "n_agreement", "rwg_j",
    "rwg_j_critical", "ad", "agreement",
]
RELIABILITY_COLUMNS = [
    "subscale", "k", "n", "alpha", "alpha_std", "average_r", "alpha_ci_low", "alpha_ci_high",
    "icc1", "icc2", "dropped",
]

SHARED = "shared view"
# rwg(j), AD and their cut-offs come from sums whose rounding depends on their order; a
# group exactly at the critical value (attainable: it is a quantile of the same values)
# must not count as above it (nor AD at c/6 as beyond it) for a last-digit difference.
RWG_TIE = 1e-9
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

    from surveyor.numbers.anonymity import set_codes

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
    above = rwg > critical + RWG_TIE
    close = ad <= ad_cutoff(n_options) + RWG_TIE
    if above and close:
        return SHARED
    if not above and not close:
        return DIVERGENT
    return MIXED


def agreement_labels(rwg, critical, ad, n_options: int):
    """``agreement_label`` for arrays of groups at once (an object array of labels)."""
    import numpy as np

    undefined = np.isnan(rwg) | np.isnan(critical) | np.isnan(ad)
    with np.errstate(invalid="ignore"):
        above = rwg > critical + RWG_TIE
        close = ad <= ad_cutoff(n_options) + RWG_TIE
    labels = np.full(len(rwg), MIXED, dtype=object)
    labels[above & close] = SHARED
    labels[~above & ~close] = DIVERGENT
    labels[undefined] = ""
    return labels


def group_statistics(
    scores: pd.DataFrame,
    keyed: pd.DataFrame,
    instrument: Instrument,
    levels: Levels,
) -> pd.DataFrame:
    """Every group's statistics on every subscale, before suppression.

    Returns a frame with ``GROUP_COLUMNS`` (``suppressed`` all False). Groups: the
    programme, each organisation, each set within its organisation; rows in that order,
    groups by name, and within a group the subscales in instrument order.

    Notes
    -----
    mean, sd (n-1), 95% t-interval ``mean +- t(n-1, .975) sd / sqrt(n)``, median, min and
    max over respondents with a score. rwg(j) (``multilevel::rwg.j``, uniform null
    ``(A^2-1)/12``, mean item variance truncated to the null) and AD (``multilevel::ad.m``,
    mean over items) over respondents who answered every item of the subscale; their
    number is ``n_agreement``. What may be published of these is decided afterwards
    (``apply_suppression``, then ``surveyor.numbers.disclosure.withhold``).
    """
    import numpy as np
    import pandas as pd
    from scipy.special import stdtrit

    from surveyor.numbers.agreement import rwg_j_critical

    n_options = instrument.scale.n_options
    null_variance = (n_options**2 - 1) / 12
    layouts = [
        ("programme", np.zeros(len(scores), dtype=np.int64), [("", "")]),
        ("organization", levels.org_code, [(o, "") for o in levels.org_names]),
        ("set", levels.set_code, levels.set_names),
    ]
    # Each set's organisation (and the programme's single group): sets nest in them.
    n_sets = len(levels.set_names)
    set_org = np.zeros(n_sets, dtype=np.int64)
    set_org[levels.set_code] = levels.org_code
    group_of_set = [np.zeros(n_sets, dtype=np.int64), set_org, np.arange(n_sets)]
    # One task per subscale, run in threads: numpy releases the GIL. Taking the arrays out
    # of the frames is serialised (pandas indexing is not documented as thread-safe), and
    # a task holds its own subscale's arrays only, so memory stays that of two subscales.
    lock = threading.Lock()

    def subscale_statistics(subscale) -> list[dict]:
        ids = [item.id for item in instrument.items_of(subscale.id)]
        with lock:
            values = scores[subscale.id].to_numpy(dtype=float)
            by_item = np.array([keyed[item_id].to_numpy(dtype=float) for item_id in ids])
        answered = _Answered.of(values)
        complete = ~np.isnan(by_item).any(axis=0)
        columns = by_item[:, complete]
        del by_item
        tables = _answer_tables(levels.set_code[complete], columns, len(levels.set_names))
        return [
            level_statistics(answered, complete, columns, codes, len(names), tables, of_set)
            for (_, codes, names), of_set in zip(layouts, group_of_set, strict=True)
        ]

    def level_statistics(answered, complete, columns, codes, n_groups, tables, of_set) -> dict:
        j = len(columns)
        described = _describe(codes, answered, n_groups)
        n = described["n"]
        with np.errstate(invalid="ignore", divide="ignore"):
            tq = stdtrit(np.where(n > 1, n - 1, np.nan), 0.975)
            half = tq * described["sd"] / np.sqrt(n)
        described["ci_low"] = described["mean"] - half
        described["ci_high"] = described["mean"] + half

        if tables is None:
            n_complete, mean_var, ad = _item_spread(codes[complete], columns, n_groups)
        else:
            n_complete, mean_var, ad = _table_spread(tables, of_set, n_groups)
        ratio = np.minimum(mean_var, null_variance) / null_variance
        with np.errstate(invalid="ignore", divide="ignore"):
            rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
        rwg = np.where(n_complete >= 2, rwg, np.nan)
        ad = np.where(n_complete >= 2, ad, np.nan)
        sizes, at = np.unique(n_complete, return_inverse=True)
        critical = np.array(
            [
                rwg_j_critical(int(k), j, n_options) if k >= 2 else np.nan
                for k in sizes.tolist()
            ],
            dtype=float,
        )[at.reshape(-1)]
        described["n_agreement"] = n_complete.astype(int)
        described["rwg_j"] = rwg
        described["rwg_j_critical"] = critical
        described["ad"] = ad
        described["agreement"] = agreement_labels(rwg, critical, ad, n_options)
        return described

    # Per level, one dict of column arrays per subscale (in instrument order); interleaved
    # below so that each group's subscales follow one another.
    per_subscale = in_threads(subscale_statistics, list(instrument.subscales))
    stats_of = {
        level: [levels_of[k] for levels_of in per_subscale]
        for k, (level, _, _) in enumerate(layouts)
    }

    n_subscales = len(instrument.subscales)
    parts = []
    for level, _, names in layouts:
        per_subscale = stats_of[level]
        part = {
            "level": np.full(len(names) * n_subscales, level, dtype=object),
            "organization": np.repeat(np.array([o for o, _ in names], dtype=object), n_subscales),
            "set": np.repeat(np.array([s for _, s in names], dtype=object), n_subscales),
            "subscale": np.tile(
                np.array([s.id for s in instrument.subscales], dtype=object), len(names)
            ),
        }
        for column in STAT_COLUMNS:
            part[column] = np.stack([d[column] for d in per_subscale], axis=1).reshape(-1)
        parts.append(part)
    out = pd.DataFrame(
        {
            column: np.concatenate([part[column] for part in parts])
            for column in GROUP_COLUMNS
            if column != "suppressed"
        }
    )
    out["suppressed"] = False
    return out[GROUP_COLUMNS]


def in_threads(function, tasks: list) -> list:
    """``[function(t) for t in tasks]``, run on up to four threads (one per core).

    For work that spends its time in numpy or pandas code that releases the GIL. Each
    task's result depends on its task alone, so the answers are the same as in one thread.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    workers = min(len(tasks), os.cpu_count() or 1, 4)
    if workers < 2:
        return [function(task) for task in tasks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, tasks))


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
    # Suppressed groups and cells are few: look each row up in a small set of keys, as
    # plain tuples (building a GroupKey per row costs more than the lookup).
    hidden_groups = {
        (k.level, k.organization, k.set) for k, d in suppression.groups.items() if d.suppressed
    }
    hidden_cells = {
        (k.level, k.organization, k.set, sub)
        for (k, sub), d in suppression.cells.items()
        if d.suppressed
    }
    level = out["level"].to_numpy()
    # The same normalising as ``_key``: the programme has no names, an organisation no set.
    org = np.where(level == "programme", "", out["organization"].to_numpy())
    name = np.where(level == "set", out["set"].to_numpy(), "")
    hidden = np.fromiter(
        (
            (key := (lv, o, n)) in hidden_groups or (*key, sub) in hidden_cells
            for lv, o, n, sub in zip(
                level.tolist(), org.tolist(), name.tolist(), out["subscale"].tolist(),
                strict=True,
            )
        ),
        dtype=bool,
        count=len(out),
    )
    out["n"] = out["n"].astype("Int64")
    out["n_agreement"] = out["n_agreement"].astype("Int64")
    for column in STAT_COLUMNS:
        if column == "agreement":
            out.loc[hidden, column] = ""
        elif column in ("n", "n_agreement"):
            out.loc[hidden, column] = None
        else:
            out.loc[hidden, column] = np.nan
    out["suppressed"] = hidden
    return out


def reliability(
    keyed: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    levels: Levels,
    suppression: Suppression,
) -> tuple[pd.DataFrame, dict]:
    """Pooled reliability per subscale and between-set ICCs.

    Returns the reliability frame (``RELIABILITY_COLUMNS``: ``k`` counts the items alpha
    used, as psych does, and ``dropped`` names, space-separated, the items it deleted for
    having no variance) and, per subscale, the
    ``AlphaResult`` from ``surveyor.numbers.stats.alpha`` (its item table feeds items.csv).
    Alpha is over every respondent (the programme); the ICCs over the respondents of the
    sets whose cell is shown (``surveyor.numbers.disclosure.icc_members``), so no withheld
    set enters them, and only over at least ``ICC_MIN_SETS`` of them, to 2 decimals
    (``published_icc``). Nothing is published when the programme itself is withheld.
    """
    import numpy as np
    import pandas as pd

    from surveyor.numbers import stats
    from surveyor.numbers.disclosure import icc_members, published_icc

    # One task per subscale, run in threads (pandas' reductions and covariance release
    # the GIL), each on its own copy of its items; the copying itself is serialised.
    lock = threading.Lock()

    def subscale_statistics(subscale) -> tuple:
        with lock:
            items = keyed[[item.id for item in instrument.items_of(subscale.id)]]
            values = scores[subscale.id].to_numpy(copy=True)
        members = icc_members(levels, suppression, subscale.id) & ~np.isnan(values)
        codes = levels.set_code[members]
        icc = stats.icc(pd.Series(values[members]), pd.Series(codes))
        return stats.alpha(items), published_icc(*icc, len(np.unique(codes)))

    rows = []
    results = {}
    for subscale, (result, (icc1, icc2)) in zip(
        instrument.subscales, in_threads(subscale_statistics, list(instrument.subscales)),
        strict=True,
    ):
        results[subscale.id] = result
        if not suppression.cell_shown(PROGRAMME, subscale.id):
            # Withheld: the instrument's item count, and no word on which items varied.
            rows.append({"subscale": subscale.id, "k": len(instrument.items_of(subscale.id)),
                         "n": None, "alpha": np.nan, "dropped": ""})
            continue
        rows.append(
            {
                "subscale": subscale.id,
                # As psych counts it ($nvar): items without variance are deleted.
                "k": result.k,
                "n": result.n,
                "alpha": result.alpha,
                "alpha_std": result.alpha_std,
                "average_r": result.average_r,
                "alpha_ci_low": result.ci_low,
                "alpha_ci_high": result.ci_high,
                "icc1": icc1,
                "icc2": icc2,
                "dropped": " ".join(result.dropped),
            }
        )
    frame = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    frame["n"] = frame["n"].astype("Int64")
    return frame, results


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
