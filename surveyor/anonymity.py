"""The suppression pass: the one place that decides what may be shown (DOMAIN.md section 5).

Rules implemented here:

1. Minimum n: no statistic for a group with fewer than ``min_group_size`` respondents
   (default 5; 3 or 4 only when the sets have consented to see their own results).
2. Complementary suppression: among siblings (sets in an organisation, organisations in
   the programme), once any is suppressed, keep suppressing the next-smallest sibling until
   the suppressed pool holds at least ``min_group_size`` respondents, so no suppressed group
   can be recovered by subtracting shown siblings from their parent.
5. One pass per run, recorded as data (``Suppression.records``) for the manifest.

The same two rules are applied per subscale (respondents with a score) and per item
(respondents who answered it), so a statistic based on too few people is never shown even
inside a reportable group, and cannot be recovered from its parent either.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import SurveyorError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_MIN_GROUP_SIZE = 5
CONSENTED_FLOOR = 3

BELOW_MINIMUM = "below_minimum"
COMPLEMENTARY = "complementary"
PARENT = "parent_suppressed"


@dataclass(frozen=True, order=True)
class GroupKey:
    """A group: the programme, an organisation, or a set within its organisation."""

    level: str  # "programme", "organization" or "set"
    organization: str = ""
    set: str = ""

    @property
    def label(self) -> str:
        if self.level == "programme":
            return "programme"
        if self.level == "organization":
            return self.organization
        return f"{self.organization} / {self.set}"


PROGRAMME = GroupKey("programme")


@dataclass(frozen=True)
class Decision:
    suppressed: bool
    reason: str = ""


SHOWN = Decision(False)


@dataclass
class Suppression:
    """The outcome of the single suppression pass of a run.

    ``groups`` decides whole groups (reports, participation); ``cells`` decides a group's
    statistics on one subscale; ``items`` a group's answer distribution on one item.
    """

    min_group_size: int
    consented: bool
    groups: dict[GroupKey, Decision] = field(default_factory=dict)
    cells: dict[tuple[GroupKey, str], Decision] = field(default_factory=dict)
    items: dict[tuple[GroupKey, str], Decision] = field(default_factory=dict)

    def group_shown(self, key: GroupKey) -> bool:
        return not self.groups.get(key, SHOWN).suppressed

    def cell_shown(self, key: GroupKey, subscale: str) -> bool:
        return self.group_shown(key) and not self.cells.get((key, subscale), SHOWN).suppressed

    def item_shown(self, key: GroupKey, item: str) -> bool:
        return self.group_shown(key) and not self.items.get((key, item), SHOWN).suppressed

    def records(self) -> list[dict]:
        """Every suppressed group, cell and item, as plain data for the manifest."""
        out = []
        for key, decision in sorted(self.groups.items()):
            if decision.suppressed:
                out.append(_record(key, "group", "", decision.reason))
        for (key, subscale), decision in sorted(self.cells.items()):
            if decision.suppressed and self.group_shown(key):
                out.append(_record(key, "subscale", subscale, decision.reason))
        for (key, item), decision in sorted(self.items.items()):
            if decision.suppressed and self.group_shown(key):
                out.append(_record(key, "item", item, decision.reason))
        return out


def _record(key: GroupKey, what: str, name: str, reason: str) -> dict:
    return {
        "level": key.level,
        "organization": key.organization,
        "set": key.set,
        "scope": what,
        "name": name,
        "reason": reason,
    }


def check_min_group_size(min_group_size: int, consented: bool = False) -> int:
    """Refuse thresholds below the floor; 3 or 4 only with the sets' consent."""
    if min_group_size < CONSENTED_FLOOR:
        raise SurveyorError(
            f"--min-group-size {min_group_size} is too small: the floor is {CONSENTED_FLOOR}, "
            "and anything below 5 needs the sets' consent (--consented)"
        )
    if min_group_size < DEFAULT_MIN_GROUP_SIZE and not consented:
        raise SurveyorError(
            f"--min-group-size {min_group_size} is below the default of "
            f"{DEFAULT_MIN_GROUP_SIZE}; add --consented only when every set has agreed to "
            "see results from so few people"
        )
    return min_group_size


def complementary_suppression(
    counts: Mapping[Hashable, int],
    min_group_size: int,
    forced: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, str]:
    """Decide which siblings to suppress, and why.

    Parameters
    ----------
    counts
        Sibling groups and how many respondents each contributes to their parent.
    min_group_size
        The threshold N.
    forced
        Siblings already suppressed for another reason (e.g. their parent), with the reason.

    Returns
    -------
    dict
        Suppressed siblings mapped to their reason. A sibling with 0 respondents shows
        nothing and is never the trigger.

    Notes
    -----
    Groups with ``0 < n < N`` are suppressed. If any sibling is suppressed, the smallest
    shown sibling (ties broken by name, so the pass is deterministic) joins the suppressed
    pool until the pool holds at least N respondents or every sibling is suppressed.
    """
    # A group below the threshold is recorded as such even when its parent is hidden too.
    decided: dict[Hashable, str] = {
        key: BELOW_MINIMUM if 0 < counts.get(key, 0) < min_group_size else reason
        for key, reason in (forced or {}).items()
    }
    for key, n in counts.items():
        if key not in decided and 0 < n < min_group_size:
            decided[key] = BELOW_MINIMUM
    pool = sum(counts[k] for k in decided if k in counts)
    if pool == 0:
        return decided
    candidates = sorted(
        (k for k in counts if k not in decided and counts[k] > 0),
        # Indices are in name order, so ties fall to the first name alphabetically.
        key=lambda k: (counts[k], k if isinstance(k, int) else str(k)),
    )
    for key in candidates:
        if pool >= min_group_size:
            break
        decided[key] = COMPLEMENTARY
        pool += counts[key]
    return decided


def set_codes(frame: pd.DataFrame):
    """Integer code per respondent for its (organisation, set), codes in name order.

    Returns the codes (numpy array) and the list of (organisation, set) names. Built from
    two factorizations, which is much faster than grouping on two text columns.
    """
    import numpy as np
    import pandas as pd

    org_code, org_names = pd.factorize(frame["organization"], sort=True)
    set_code, set_names = pd.factorize(frame["set"], sort=True)
    pair = org_code.astype(np.int64) * max(len(set_names), 1) + set_code
    codes, pairs = pd.factorize(pair, sort=True)
    width = max(len(set_names), 1)
    names = [(str(org_names[p // width]), str(set_names[p % width])) for p in pairs]
    return np.asarray(codes), names


def suppression_pass(
    frame: pd.DataFrame,
    scored: pd.DataFrame,
    answered: pd.DataFrame,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    consented: bool = False,
) -> Suppression:
    """Run the run's single suppression pass over the whole hierarchy.

    Parameters
    ----------
    frame
        One row per respondent with ``organization`` and ``set`` columns.
    scored
        Boolean frame, one column per subscale: does the respondent have a score.
    answered
        Boolean frame, one column per item: did the respondent answer it.
    min_group_size, consented
        The threshold and whether sets consented to a threshold below 5.

    Returns
    -------
    Suppression
    """
    import numpy as np

    check_min_group_size(min_group_size, consented)
    result = Suppression(min_group_size=min_group_size, consented=consented)
    set_code, set_names = set_codes(frame)
    org_names = sorted({org for org, _ in set_names})
    org_index = {org: i for i, org in enumerate(org_names)}
    org_keys = [GroupKey("organization", org) for org in org_names]
    set_keys = [GroupKey("set", org, s) for org, s in set_names]
    sets_of_org: list[list[int]] = [[] for _ in org_names]
    for index, (org, _) in enumerate(set_names):
        sets_of_org[org_index[org]].append(index)
    set_org = np.array([org_index[org] for org, _ in set_names], dtype=np.int64)

    def decide(set_counts, parent_forced=None) -> dict[GroupKey, Decision]:
        decisions: dict[GroupKey, Decision] = {}
        org_counts = np.bincount(set_org, weights=set_counts, minlength=len(org_names))
        total = int(org_counts.sum())
        programme_hidden = 0 < total < min_group_size
        if programme_hidden:
            decisions[PROGRAMME] = Decision(True, BELOW_MINIMUM)
        forced_orgs = {
            i: PARENT
            for i, key in enumerate(org_keys)
            if programme_hidden or (parent_forced and parent_forced.get(key, SHOWN).suppressed)
        }
        org_decisions = complementary_suppression(
            {i: int(n) for i, n in enumerate(org_counts)}, min_group_size, forced_orgs
        )
        for i, reason in org_decisions.items():
            decisions[org_keys[i]] = Decision(True, reason)
        for i, members in enumerate(sets_of_org):
            siblings = {j: int(set_counts[j]) for j in members}
            forced_sets = {
                j: PARENT
                for j in members
                if i in org_decisions
                or (parent_forced and parent_forced.get(set_keys[j], SHOWN).suppressed)
            }
            if not forced_sets and all(n >= min_group_size or n == 0 for n in siblings.values()):
                continue
            for j, reason in complementary_suppression(
                siblings, min_group_size, forced_sets
            ).items():
                decisions[set_keys[j]] = Decision(True, reason)
        return decisions

    def counts(mask) -> np.ndarray:
        return np.bincount(set_code[np.asarray(mask, dtype=bool)], minlength=len(set_names))

    result.groups = decide(counts(np.ones(len(frame), dtype=bool)))
    for column in scored.columns:
        for key, decision in decide(counts(scored[column]), result.groups).items():
            result.cells[(key, column)] = decision
    for column in answered.columns:
        for key, decision in decide(counts(answered[column]), result.groups).items():
            result.items[(key, column)] = decision
    return result
