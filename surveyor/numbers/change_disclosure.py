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
    programme: dict[tuple, int] = {}
    orgs: dict[tuple, dict[str, int]] = {}
    sets: dict[tuple, dict[str, int]] = {}
    for i, row in enumerate(rows):
        cell = (row["wave_from"], row["subscale"])
        if row["level"] == "programme":
            programme[cell] = i
        elif row["level"] == "organization":
            orgs.setdefault(cell, {})[row["organization"]] = i
        else:
            sets.setdefault((*cell, row["organization"]), {})[row["set"]] = i
    for cell in sorted(set(programme) | set(orgs)):
        wave_from, subscale = cell
        top = programme.get(cell)
        programme_hidden = top is not None and bool(reasons[top])
        children = orgs.get(cell, {})
        _siblings(children, rows, reasons, minimum, programme_hidden,
                  movers.get((wave_from, subscale, "organization", ""), 0))
        for org, org_row in children.items():
            _siblings(sets.get((*cell, org), {}), rows, reasons, minimum,
                      bool(reasons[org_row]), movers.get((wave_from, subscale, "set", org), 0))


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
    from surveyor.numbers.rounding import round_half_away

    out = raw.copy()
    small_n = small_group_size(min_group_size)

    def column(name):
        return out[name].to_numpy(dtype=float, na_value=np.nan)

    def published_figures(wave_column: str) -> tuple[np.ndarray, np.ndarray]:
        """Each row's group mean and sd as that wave's groups.csv publishes them."""
        index = {
            wave: {(r["level"], r["organization"], r["set"], r["subscale"]): (r["mean"], r["sd"])
                   for r in frame.to_dict("records")}
            for wave, frame in published.items()
        }
        found = [
            index[wave].get((level, org, name, sub), (np.nan, np.nan))
            for wave, level, org, name, sub in zip(
                out[wave_column], out["level"], out["organization"], out["set"],
                out["subscale"], strict=True)
        ]
        figures = np.array(found, dtype=float).reshape(-1, 2)
        return figures[:, 0], figures[:, 1]

    def rounded(values, places):
        # Half away from zero on the decimal each figure stands for (a change worked out
        # from two published means is a decimal too); never -0.0.
        return round_half_away(values, places)

    is_set = out["level"].to_numpy() == "set"
    with np.errstate(invalid="ignore"):
        if (out["design"] == PAIRED).all():
            n = column("n_paired")
            places = np.where(is_set | ~(n >= small_n), SMALL_DECIMALS, DECIMALS)
            mean_from, mean_to = rounded(column("mean_from"), places), rounded(
                column("mean_to"), places)
            change, sd = rounded(column("change"), places), rounded(column("sd_diff"), places)
            low, high = paired_bounds(change, sd * sd, n)
        else:
            n_from, n_to = column("n_from"), column("n_to")
            places = np.where(is_set | ~((n_from >= small_n) & (n_to >= small_n)),
                              SMALL_DECIMALS, DECIMALS)
            mean_from, sd_from = published_figures("wave_from")
            mean_to, sd_to = published_figures("wave_to")
            exact = mean_to - mean_from
            low, high = welch_bounds(exact, sd_from**2, n_from, sd_to**2, n_to)
            change = rounded(exact, places)
    out["mean_from"], out["mean_to"], out["change"] = mean_from, mean_to, change
    out["ci_low"], out["ci_high"] = rounded(low, places), rounded(high, places)
    return out
