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
inside a reportable group, and cannot be recovered from its parent either. They are
applied once more to the people who answered a subscale only in part: where those number
1 to N-1, the subscale's item detail is withheld (``surveyor.numbers.disclosure``, rule 2).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_MIN_GROUP_SIZE = 5
CONSENTED_FLOOR = 3

BELOW_MINIMUM = "below_minimum"
COMPLEMENTARY = "complementary"
PARENT = "parent_suppressed"
#: An item withheld because 1 to N-1 people answered its subscale only in part (see
#: ``surveyor.numbers.disclosure``, rule 2).
PARTIAL = "partial_answers"


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
        for key, decision in sorted(self.groups.items(), key=_group_order):
            if decision.suppressed:
                out.append(_record(key, "group", "", decision.reason))
        for (key, subscale), decision in sorted(self.cells.items(), key=_part_order):
            if decision.suppressed and self.group_shown(key):
                out.append(_record(key, "subscale", subscale, decision.reason))
        for (key, item), decision in sorted(self.items.items(), key=_part_order):
            if decision.suppressed and self.group_shown(key):
                out.append(_record(key, "item", item, decision.reason))
        return out


def _group_order(entry) -> tuple:
    """GroupKey's own order as a plain tuple, which sorts without calling Python code."""
    key = entry[0]
    return key.level, key.organization, key.set


def _part_order(entry) -> tuple:
    (key, name), _ = entry
    return key.level, key.organization, key.set, name


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
    if pool == 0 or pool >= min_group_size:
        return decided  # nothing to protect, or the pool already protects itself
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
    orgs, sets = org_names.tolist(), set_names.tolist()
    names = [(str(orgs[p // width]), str(sets[p % width])) for p in pairs.tolist()]
    return np.asarray(codes), names


def suppression_pass(
    frame: pd.DataFrame,
    scored: pd.DataFrame,
    answered: pd.DataFrame,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    consented: bool = False,
    partial: pd.DataFrame | None = None,
    items_of: Mapping[str, list[str]] | None = None,
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
    partial, items_of
        Boolean frame, one column per subscale: did the respondent answer some but not
        all of its items; and each subscale's item ids. Where such people number 1 to
        N-1 (or protect a sibling that does), every item of the subscale is withheld.

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
    set_org = np.array([org_index[org] for org, _ in set_names], dtype=np.int64)

    def hidden_by(parent: dict[GroupKey, Decision] | None) -> tuple[np.ndarray, np.ndarray]:
        """Which organisations and sets the parent pass (whole groups) suppressed."""
        orgs = np.zeros(len(org_keys), dtype=bool)
        sets = np.zeros(len(set_keys), dtype=bool)
        if parent:
            orgs[:] = [parent.get(key, SHOWN).suppressed for key in org_keys]
            sets[:] = [parent.get(key, SHOWN).suppressed for key in set_keys]
        return orgs, sets

    def decide(set_counts, parent_forced) -> dict[GroupKey, Decision]:
        decisions: dict[GroupKey, Decision] = {}
        org_counts = np.bincount(set_org, weights=set_counts, minlength=len(org_names))
        total = int(org_counts.sum())
        programme_hidden = 0 < total < min_group_size
        if programme_hidden:
            decisions[PROGRAMME] = Decision(True, BELOW_MINIMUM)
        orgs_hidden, sets_hidden = parent_forced
        forced_orgs = {
            i: PARENT for i in range(len(org_keys)) if programme_hidden or orgs_hidden[i]
        }
        org_decisions = complementary_suppression(
            {i: int(n) for i, n in enumerate(org_counts)}, min_group_size, forced_orgs
        )
        for i, reason in org_decisions.items():
            decisions[org_keys[i]] = Decision(True, reason)
        # The sets, all organisations at once: the rule of complementary_suppression
        # applied to each organisation's sets, in array form. Every shown set with anyone
        # in it has at least N, so once a pool needs protecting the smallest such sibling
        # (ties to the first name) is the only one it takes.
        hidden_orgs = np.zeros(len(org_keys), dtype=bool)
        hidden_orgs[list(org_decisions)] = True
        forced = hidden_orgs[set_org] | sets_hidden
        small = (set_counts > 0) & (set_counts < min_group_size)
        decided = forced | small
        in_pool = np.where(decided, set_counts, 0)
        pool = np.bincount(set_org, weights=in_pool, minlength=len(org_keys))
        short = (pool > 0) & (pool < min_group_size)
        candidates = np.flatnonzero(~decided & (set_counts > 0) & short[set_org])
        ordered = candidates[np.lexsort((candidates, set_counts[candidates], set_org[candidates]))]
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = set_org[ordered][1:] != set_org[ordered][:-1]
        # Recorded as complementary_suppression records them: per organisation, the forced
        # sets, then those below the threshold, then the one protecting them.
        phase = np.full(len(set_keys), -1)
        phase[forced] = 0
        phase[small & ~forced] = 1
        phase[ordered[first]] = 2
        listed = np.flatnonzero(phase >= 0)
        listed = listed[np.lexsort((listed, phase[listed], set_org[listed]))]
        for j in listed.tolist():
            reason = BELOW_MINIMUM if small[j] else PARENT if phase[j] == 0 else COMPLEMENTARY
            decisions[set_keys[j]] = Decision(True, reason)
        return decisions

    def counts(mask) -> np.ndarray:
        return np.bincount(set_code[np.asarray(mask, dtype=bool)], minlength=len(set_names))

    result.groups = decide(counts(np.ones(len(frame), dtype=bool)), hidden_by(None))
    parent = hidden_by(result.groups)
    for column in scored.columns:
        for key, decision in decide(counts(scored[column]), parent).items():
            result.cells[(key, column)] = decision
    for column in answered.columns:
        for key, decision in decide(counts(answered[column]), parent).items():
            result.items[(key, column)] = decision
    withheld: dict[str, Decision] = {}  # one (immutable) decision per reason, shared
    for column in partial.columns if partial is not None else ():
        for key, decision in decide(counts(partial[column]), parent).items():
            reason = PARTIAL if decision.reason == BELOW_MINIMUM else decision.reason
            hidden = withheld.setdefault(reason, Decision(True, reason))
            for item in (items_of or {})[column]:
                if not result.items.get((key, item), SHOWN).suppressed:
                    result.items[(key, item)] = hidden
    return result
