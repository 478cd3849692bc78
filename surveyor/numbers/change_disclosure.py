"""Which changes between waves may be shown (DOMAIN.md section 5, rules 6, 7 and 9).

Each wave is scored and suppressed on its own (one pass per wave), so every figure in a
wave's groups.csv is as safe as a one-wave run. A change row adds figures of its own only
in the paired design (the means of the people present in both waves); the rules below
close the ways those can be combined with the per-wave tables to single out a person.

1. A change is shown only when the group is shown on that subscale in both waves (the
   per-wave pass, complementary suppression included). A group present in one wave only
   has no change.
2. Paired: ``n_paired`` must reach the minimum group size (rule 9: every statistic has
   its own n).
3. Paired: the *leavers* (scored in the group in the earlier wave but not among its pairs)
   and the *joiners* (likewise in the later wave) must each number 0 or at least the
   minimum. ``n_from * mean_from(all) - n_paired * mean_from(pairs)`` is the leavers' sum:
   with one leaver it is that person's score.
4. Paired, complementary: among siblings (organisations in the programme, sets in an
   organisation), the parent's pairs are the children's pairs plus the *movers* (people in
   the parent in both waves who changed child). Movers are never shown on their own, so
   they start the hidden pool; once the pool holds anyone, the smallest shown siblings
   join it until it holds at least the minimum, so no hidden change, and no mover, can be
   recovered by subtracting shown children from their parent. A hidden parent hides its
   children, as in the per-wave pass.
5. Rounding, as for every group's figures (``surveyor.numbers.disclosure``, rule 5): the
   independent change is worked out from the two waves' *published* n, mean and sd, so it
   adds nothing to groups.csv; paired means, change and the sd of the differences are
   rounded to 1 decimal for a set or a group of fewer than ``small_group_size`` pairs (2
   otherwise), and the interval is worked out from the rounded change and sd.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveyor.numbers.anonymity import (
    COMPLEMENTARY,
    PARENT,
    GroupKey,
    Suppression,
    complementary_suppression,
)
from surveyor.numbers.change import CHANGE_COLUMNS, PAIRED

if TYPE_CHECKING:
    import pandas as pd

HIDDEN_IN_WAVE = "hidden_in_a_wave"
ABSENT_IN_WAVE = "absent_in_a_wave"
PAIRED_BELOW_MINIMUM = "paired_below_minimum"
LEAVERS_BELOW_MINIMUM = "leavers_below_minimum"
JOINERS_BELOW_MINIMUM = "joiners_below_minimum"
MOVERS = "__movers__"  # the pseudo-sibling of rule 4; never a real group name

STATISTICS = ["n_from", "n_to", "n_paired", "mean_from", "mean_to", "change", "ci_low",
              "ci_high"]


def _key(level: str, organization: str, set_name: str) -> GroupKey:
    if level == "programme":
        return GroupKey("programme")
    if level == "organization":
        return GroupKey("organization", organization)
    return GroupKey("set", organization, set_name)


def _own_rule(row: dict, suppressions: dict[str, Suppression], minimum: int) -> str:
    """Rules 1 to 3 for one row: the reason it is hidden, or "" when it may be shown."""
    key = _key(row["level"], row["organization"], row["set"])
    if not row["n_from"] or not row["n_to"]:
        return ABSENT_IN_WAVE
    for wave in (row["wave_from"], row["wave_to"]):
        if not suppressions[wave].cell_shown(key, row["subscale"]):
            return HIDDEN_IN_WAVE
    if row["design"] != PAIRED:
        return ""
    if row["n_paired"] < minimum:
        return PAIRED_BELOW_MINIMUM
    if 0 < row["n_leavers"] < minimum:
        return LEAVERS_BELOW_MINIMUM
    if 0 < row["n_joiners"] < minimum:
        return JOINERS_BELOW_MINIMUM
    return ""


def disclose_changes(
    raw: pd.DataFrame,
    suppressions: dict[str, Suppression],
    min_group_size: int,
    movers: dict[tuple[str, str, str, str], int] | None = None,
    published: dict[str, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Apply the rules above: blank every statistic of a hidden change.

    Parameters
    ----------
    raw
        ``surveyor.numbers.change.compute_changes`` output.
    suppressions
        Each wave's suppression pass.
    min_group_size
        The threshold N.
    movers
        Paired design: ``(wave_from, subscale, level, parent organisation)`` to the number
        of people who changed child group within that parent (``level`` is the children's:
        ``organization`` for the programme's, ``set`` for an organisation's).
    published
        Each wave's published groups.csv rows (rounded); given, the figures of shown rows
        are the rounded ones of rule 5 (the pipeline always gives them).

    Returns
    -------
    (DataFrame, list of dict)
        ``CHANGE_COLUMNS`` with ``shown`` decided and hidden rows blank; one record per
        hidden row (group, subscale, waves, reason) for the manifest.
    """
    import numpy as np

    movers = movers or {}
    rows = raw.to_dict("records")
    reasons = [_own_rule(row, suppressions, min_group_size) for row in rows]
    if len(rows) and rows[0]["design"] == PAIRED:
        _complementary(rows, reasons, min_group_size, movers)
    figures = raw if published is None else rounded_changes(raw, published, min_group_size)
    out = figures[CHANGE_COLUMNS].copy()
    hidden = np.array([bool(r) for r in reasons], dtype=bool)
    for column in STATISTICS:
        out.loc[hidden, column] = None if column.startswith("n_") else np.nan
    out["shown"] = ~hidden
    records = [
        {
            "level": row["level"], "organization": row["organization"], "set": row["set"],
            "subscale": row["subscale"], "wave_from": row["wave_from"],
            "wave_to": row["wave_to"], "reason": reason,
        }
        for row, reason in zip(rows, reasons, strict=True)
        if reason and reason != ABSENT_IN_WAVE
    ]
    return out, records


def _complementary(rows: list[dict], reasons: list[str], minimum: int, movers: dict) -> None:
    """Rule 4, in place on ``reasons``: the programme, then organisations, then sets."""
    index: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        index[(row["wave_from"], row["subscale"], row["level"], row["organization"],
               row["set"])] = i
    cells = sorted({(row["wave_from"], row["subscale"]) for row in rows})
    for wave_from, subscale in cells:
        top = index.get((wave_from, subscale, "programme", "", ""))
        programme_hidden = top is not None and bool(reasons[top])
        orgs = {
            o: i for (w, s, lv, o, _), i in index.items()
            if (w, s, lv) == (wave_from, subscale, "organization")
        }
        _siblings(orgs, rows, reasons, minimum, programme_hidden,
                  movers.get((wave_from, subscale, "organization", ""), 0))
        for org, org_row in orgs.items():
            sets = {
                n: i for (w, s, lv, o, n), i in index.items()
                if (w, s, lv, o) == (wave_from, subscale, "set", org)
            }
            _siblings(sets, rows, reasons, minimum, bool(reasons[org_row]),
                      movers.get((wave_from, subscale, "set", org), 0))


def _siblings(children: dict, rows, reasons, minimum: int, parent_hidden: bool,
              n_movers: int) -> None:
    counts = {name: int(rows[i]["n_paired"] or 0) for name, i in children.items()}
    forced = {name: PARENT for name in children if parent_hidden}
    forced.update({name: reasons[i] for name, i in children.items() if reasons[i]})
    if n_movers:
        counts[MOVERS] = n_movers
        forced[MOVERS] = "moved"
    decided = complementary_suppression(counts, minimum, forced)
    for name, reason in decided.items():
        if name == MOVERS:
            continue
        i = children[name]
        if not reasons[i]:
            reasons[i] = PARENT if reason == PARENT else COMPLEMENTARY


def rounded_changes(
    raw: pd.DataFrame, published: dict[str, pd.DataFrame], min_group_size: int
) -> pd.DataFrame:
    """Rule 5: the figures of each change as published (see the module notes)."""
    import numpy as np

    from surveyor.numbers.change import paired_bounds, welch_bounds
    from surveyor.numbers.disclosure import DECIMALS, SMALL_DECIMALS, small_group_size

    out = raw.copy()
    small_n = small_group_size(min_group_size)
    index = {
        wave: {(r["level"], r["organization"], r["set"], r["subscale"]): r
               for r in frame.to_dict("records")}
        for wave, frame in published.items()
    }
    rows = out.to_dict("records")
    for i, row in enumerate(rows):
        key = (row["level"], row["organization"], row["set"], row["subscale"])
        if row["design"] == PAIRED:
            n = row["n_paired"]
            small = row["level"] == "set" or not n or n < small_n
            places = SMALL_DECIMALS if small else DECIMALS
            change = round(float(row["change"]), places)
            sd = round(float(row["sd_diff"]), places)
            low, high = paired_bounds(change, sd * sd, n or 0)
            figures = {
                "mean_from": round(float(row["mean_from"]), places),
                "mean_to": round(float(row["mean_to"]), places), "change": change,
            }
        else:
            a = index[row["wave_from"]].get(key)
            b = index[row["wave_to"]].get(key)
            if a is None or b is None:
                continue
            small = row["level"] == "set" or not (
                row["n_from"] >= small_n and row["n_to"] >= small_n)
            places = SMALL_DECIMALS if small else DECIMALS
            change = float(b["mean"]) - float(a["mean"])
            low, high = welch_bounds(change, float(a["sd"]) ** 2, row["n_from"],
                                     float(b["sd"]) ** 2, row["n_to"])
            figures = {"mean_from": float(a["mean"]), "mean_to": float(b["mean"]),
                       "change": round(change, places)}
        # + 0.0: a rounded -0.0 is written as 0.0.
        figures["ci_low"] = float(np.round(low, places)) + 0.0
        figures["ci_high"] = float(np.round(high, places)) + 0.0
        figures["change"] += 0.0
        for column, value in figures.items():
            out.iat[i, out.columns.get_loc(column)] = value
    return out
