"""The run's data as reports read it: only shown groups and cells are indexed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from surveyor.numbers.anonymity import PROGRAMME, GroupKey

if TYPE_CHECKING:
    from surveyor.pipeline import ScoreResult

from .common import (
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    _missing,
)
from .contract import (
    ReportSpec,
)


@dataclass
class ReportData:
    """What every report of one run reads, indexed once (build it per worker process).

    Only shown groups and cells are indexed, so nothing downstream can look up a
    suppressed group's statistics.
    """

    result: ScoreResult
    stats: dict[tuple[GroupKey, str], dict] = field(default_factory=dict)
    counts: dict[GroupKey, int] = field(default_factory=dict)
    sets_by_org: dict[str, list[str]] = field(default_factory=dict)
    n_sets: int = 0
    digests: dict[GroupKey, str] = field(default_factory=dict)
    roster: dict[tuple[str, str], int] = field(default_factory=dict)
    complete: dict[tuple[GroupKey, str], int] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: ScoreResult) -> ReportData:
        import numpy as np

        from surveyor.numbers.summaries import group_key

        data = cls(result=result)
        suppression = result.suppression
        for row in result.groups.to_dict("records"):
            key = group_key(row)
            if not row["suppressed"] and suppression.cell_shown(key, row["subscale"]):
                data.stats[(key, row["subscale"])] = row
        levels = result.levels
        for org, name in sorted(levels.set_names):
            data.sets_by_org.setdefault(org, []).append(name)
        data.n_sets = len(levels.set_names)
        # Respondents are counted over shown groups' rows only.
        org_keys = [GroupKey(ORGANIZATION, o) for o in levels.org_names]
        set_keys = [GroupKey(SET, o, s) for o, s in levels.set_names]
        org_code = np.asarray(levels.org_code)
        set_code = np.asarray(levels.set_code)
        shown_orgs = np.array([suppression.group_shown(k) for k in org_keys], dtype=bool)
        shown_sets = np.array([suppression.group_shown(k) for k in set_keys], dtype=bool)
        if suppression.group_shown(PROGRAMME):
            data.counts[PROGRAMME] = len(org_code)
        if len(org_keys):
            in_org = shown_orgs[org_code]
            per_org = np.bincount(org_code[in_org], minlength=len(org_keys))
            for k, key in enumerate(org_keys):
                if shown_orgs[k]:
                    data.counts[key] = int(per_org[k])
        if len(set_keys):
            in_set = shown_sets[set_code]
            per_set = np.bincount(set_code[in_set], minlength=len(set_keys))
            for k, key in enumerate(set_keys):
                if shown_sets[k]:
                    data.counts[key] = int(per_set[k])
        return data

    def cell(self, key: GroupKey, subscale: str) -> dict | None:
        """The statistics of a shown cell, or ``None`` (withheld, or no scores)."""
        row = self.stats.get((key, subscale))
        if row is None or _missing(row["mean"]):
            return None
        return row

    def n_agreement(self, key: GroupKey, subscale: str) -> int:
        """Respondents in a shown group who answered every statement of ``subscale``: the
        people its agreement (rwg(j), AD) rests on.

        Read from ``groups.csv``'s ``n_agreement`` column when the run has one, else counted
        from the answers. Only a shown group's rows are ever counted.
        """
        if (key, subscale) in self.complete:
            return self.complete[(key, subscale)]
        row = self.stats.get((key, subscale))
        if row is not None and not _missing(row.get("n_agreement")):
            n = int(row["n_agreement"])
        else:
            ids = [i.id for i in self.result.instrument.items_of(subscale)]
            answers = self.result.responses.frame[ids].to_numpy(dtype=float)[self.rows_of(key)]
            import numpy as np

            n = int(np.sum(~np.isnan(answers).any(axis=1)))
        self.complete[(key, subscale)] = n
        return n

    def members(self, key: GroupKey) -> int | None:
        """The group's size from the consultant's roster: a set's members, an
        organisation's when every one of its sets is listed; else ``None``."""
        if key.level == SET:
            return self.roster.get((key.organization, key.set))
        if key.level == ORGANIZATION:
            sizes = [self.roster.get((key.organization, s))
                     for s in self.sets_by_org.get(key.organization, [])]
            return sum(sizes) if sizes and None not in sizes else None
        sizes = [self.roster.get(k) for k in self.result.levels.set_names]
        return sum(sizes) if sizes and None not in sizes else None

    def rows_of(self, key: GroupKey):
        """Boolean mask of the respondents in a shown group."""
        import numpy as np

        if not self.result.suppression.group_shown(key):
            raise ValueError(f"{key.label} is suppressed; its rows are never read")
        levels = self.result.levels
        if key.level == PROGRAMME_KIND:
            return np.ones(len(levels.org_code), dtype=bool)
        if key.level == ORGANIZATION:
            return np.asarray(levels.org_code) == levels.org_names.index(key.organization)
        code = levels.set_names.index((key.organization, key.set))
        return np.asarray(levels.set_code) == code

    def data_digest(self, key: GroupKey) -> str:
        """SHA-256 of the answers a report describes: its group's rows, in file order.

        Each report's stamp carries this rather than the whole file's SHA-256 (which
        ``manifest.json`` holds), so a report whose own data and shown references are
        unchanged stays byte-identical when another set's answers are corrected, and its
        cached PDF is still exactly what a fresh run would write. The digest covers the
        respondent ids and every item answer (unanswered as -1), independent of how the
        file was laid out or encoded.
        """
        if key in self.digests:
            return self.digests[key]
        import hashlib

        import numpy as np

        frame = self.result.responses.frame
        rows = frame[self.rows_of(key)]
        answers = rows[list(self.result.instrument.item_ids)].to_numpy(dtype=float)
        codes = np.where(np.isnan(answers), -1, answers).astype("<i4")
        digest = hashlib.sha256()
        digest.update("\0".join(rows["respondent_id"].astype(str)).encode("utf-8"))
        digest.update(b"\1")
        digest.update(np.ascontiguousarray(codes).tobytes())
        self.digests[key] = digest.hexdigest()
        return self.digests[key]


def report_plan(result: ScoreResult | ReportData) -> list[ReportSpec]:
    """Every report of a run: the programme, then each organisation followed by its sets.

    Organisations and sets are in alphabetical order; suppressed groups get no report.

    Parameters
    ----------
    result
        The run's numbers (or its :class:`ReportData`).

    Returns
    -------
    list of ReportSpec
    """
    data = result if isinstance(result, ReportData) else ReportData.from_result(result)
    plan = []
    if PROGRAMME in data.counts:
        plan.append(ReportSpec(PROGRAMME_KIND, PROGRAMME, data.counts[PROGRAMME]))
    for org in sorted(data.sets_by_org):
        org_key = GroupKey(ORGANIZATION, org)
        if org_key in data.counts:
            plan.append(ReportSpec(ORGANIZATION, org_key, data.counts[org_key]))
        for name in data.sets_by_org[org]:
            set_key = GroupKey(SET, org, name)
            if set_key in data.counts:
                plan.append(ReportSpec(SET, set_key, data.counts[set_key]))
    return plan
