"""Side-by-side views for organisation and programme reports: forests, heatmaps, panels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import GroupKey
from surveyor.reports import charts

if TYPE_CHECKING:
    from surveyor.instrument.model import Subscale

from .common import (
    CHART_WIDTH,
    EN_DASH,
    FOREST_ROWS,
    HEATMAP_ROWS,
    ICC_MIN_SETS,
    MINUS,
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    _chunks,
    _part_anchor,
    _part_title,
    _signed,
)
from .contract import (
    Figure,
    GroupPanel,
    Table,
)


class ComparisonsMixin:
    """Forests, heatmaps, participation, panels and aggregation diagnostics."""

    def children(self) -> list[GroupKey]:
        if self.spec.kind == ORGANIZATION:
            return [GroupKey(SET, self.key.organization, s)
                    for s in self.data.sets_by_org[self.key.organization]]
        return [GroupKey(ORGANIZATION, o) for o in sorted(self.data.sets_by_org)]

    def child_name(self, key: GroupKey) -> str:
        return key.set if key.level == SET else key.organization

    def forests(self, sub: Subscale) -> tuple[Figure, ...]:
        """A subscale's forest chart, split into page-sized parts when there are many
        groups (an SVG cannot break across pages)."""
        parts = _chunks(self.children(), FOREST_ROWS)
        return tuple(
            self.forest(sub, part, _part_title(sub.name, k, len(parts)),
                        _part_anchor(f"forest-{sub.id}", k))
            for k, part in enumerate(parts)
        )

    def forest(self, sub: Subscale, keys: list[GroupKey], title: str, anchor: str) -> Figure:
        reference_key = self.key
        rows = []
        for key in keys:
            row = self.data.cell(key, sub.id)
            if row is None:
                rows.append(charts.IntervalRow(self.child_name(key), None,
                                               note=self.cell_withheld(key, sub.id)))
            else:
                rows.append(charts.IntervalRow(self.child_name(key), row["mean"],
                                               row["ci_low"], row["ci_high"], int(row["n"])))
        own = self.data.cell(reference_key, sub.id)
        ref_name = (self.t("organization") if reference_key.level == ORGANIZATION
                    else self.t("programme"))
        reference = (ref_name, own["mean"]) if own is not None else None
        svg = charts.forest_chart(
            rows, self.scale.min, self.scale.max, self.scale.labels, reference=reference,
            title=f"{sub.name}: groups side by side", width=CHART_WIDTH, palette=self.palette,
        )
        what = "Sets" if self.spec.kind == ORGANIZATION else "Organisations"
        intro = (f"{what} in alphabetical order, each with its mean, 95% interval and number "
                 f"of scores; the dashed line is the {ref_name.lower()}'s mean.",)
        return Figure(anchor, title, Markup(svg), intro)

    def heatmaps(self, keys: list[GroupKey], title: str, anchor: str) -> tuple[Figure, ...]:
        """The heatmap, split into page-sized parts when there are many groups."""
        parts = _chunks(keys, HEATMAP_ROWS)
        return tuple(
            self.heatmap(part, _part_title(title, k, len(parts)), _part_anchor(anchor, k))
            for k, part in enumerate(parts)
        )

    def heatmap(self, keys: list[GroupKey], title: str, anchor: str) -> Figure:
        subs = self.instrument.subscales
        cells = []
        for key in keys:
            cells.append([
                (row["mean"] if (row := self.data.cell(key, s.id)) is not None else None)
                for s in subs
            ])
        svg = charts.heatmap(
            [self.child_name(k) for k in keys], [s.name for s in subs], cells,
            self.scale.min, self.scale.max, note="not shown",
            note_legend=f"not shown ({self.t('fewer_than', n=self.min_n)}, or withheld)",
            title=title, width=CHART_WIDTH, palette=self.palette,
        )
        intro = ("Each cell is a mean on the scale; darker means higher. One colour only: "
                 "a higher mean is more of the dynamic, not better or worse.",)
        return Figure(anchor, title, Markup(svg), intro)

    def participation(self, keys: list[GroupKey]) -> Table:
        shown_head = self.t("set") if self.spec.kind == ORGANIZATION else self.t("organization")
        rows = []
        for key in keys:
            name = self.child_name(key)
            if key in self.data.counts:
                row = [name, str(self.data.counts[key])]
                if key.level == ORGANIZATION:
                    row.insert(1, str(len(self.data.sets_by_org[key.organization])))
            else:
                row = [name, self.withheld(key)]
                if key.level == ORGANIZATION:
                    row.insert(1, EN_DASH)
            rows.append(tuple(row))
        headers = ((shown_head, self.t("sets"), self.t("responses"))
                   if self.spec.kind == PROGRAMME_KIND else (shown_head, self.t("responses")))
        return Table(headers, tuple(rows),
                     numeric=tuple([False] + [True] * (len(headers) - 1)))

    def comparison(self, keys: list[GroupKey], noun: str) -> dict:
        title = (self.t("heatmap") if self.spec.kind == ORGANIZATION
                 else self.t("org_heatmap"))
        hidden = [k for k in keys if k not in self.data.counts]
        plural = "sets" if self.spec.kind == ORGANIZATION else "organisations"
        intro = [f"The {plural} in alphabetical order, never ranked. Differences between "
                 "small groups are often within chance: read the intervals before the dots."]
        if hidden:
            intro.append(
                f"{len(hidden)} of {len(keys)} {plural} cannot be shown "
                f"({self.t('fewer_than', n=self.min_n)}, or {self.t('withheld')}); they are "
                "listed by name only."
            )
        return {
            "comparison": tuple(f for s in self.instrument.subscales for f in self.forests(s)),
            "comparison_title": (self.t("sets_side_by_side") if self.spec.kind == ORGANIZATION
                                 else self.t("organizations_side_by_side")),
            "comparison_intro": tuple(intro),
            "comparison_table": self.participation(keys),
            "heatmaps": self.heatmaps(keys, title, "heatmap"),
        }

    def panel(self, org_key: GroupKey) -> GroupPanel:
        anchor = f"organization-{self.data.result.levels.org_names.index(org_key.organization)}"
        sets = [GroupKey(SET, org_key.organization, s)
                for s in self.data.sets_by_org[org_key.organization]]
        if org_key not in self.data.counts:
            return GroupPanel(anchor, org_key.organization,
                              f"Not shown: {self.withheld(org_key)}.", None, ())
        hidden = sum(1 for k in sets if k not in self.data.counts)
        summary = (f"{self.data.counts[org_key]} responses from {len(sets)} "
                   f"{'set' if len(sets) == 1 else 'sets'}.")
        if hidden:
            summary += (f" {hidden} of them cannot be shown and appear by name only.")
        rows = tuple(
            (k.set, str(self.data.counts[k]) if k in self.data.counts else self.withheld(k))
            for k in sets
        )
        table = Table((self.t("set"), self.t("responses")), rows, numeric=(False, True))
        heatmaps = self.heatmaps(sets, self.t("heatmap"), f"{anchor}-heatmap")
        return GroupPanel(anchor, org_key.organization, summary, table, heatmaps)

    def aggregation(self) -> dict:
        # The ICCs rest on the shown sets only (surveyor.numbers.disclosure, rule 1).
        n_sets = sum(1 for key in self.data.counts if key.level == SET)
        if n_sets < ICC_MIN_SETS:
            return {"aggregation": (
                f"Intraclass correlations (ICC) are not reported: the programme has {n_sets} "
                f"{'set' if n_sets == 1 else 'sets'} with results, and with fewer than "
                f"{ICC_MIN_SETS} the "
                "estimate is too unstable to read. With four sets of six, for instance, a "
                f"true ICC(1) of .10 can be estimated anywhere from {MINUS}.17 to .48.",
            ), "aggregation_table": None}
        rows = []
        for rel in self.result.reliability.to_dict("records"):
            sub = self.instrument.subscale(rel["subscale"])
            rows.append((sub.name, _signed(rel["icc1"]), _signed(rel["icc2"])))
        paragraphs = (
            f"How much of the variation in scores lies between the programme's {n_sets} "
            "sets with results "
            "rather than within them (Bliese 2000). ICC(1) is the share of the variation "
            "that lies between sets; ICC(2) is how reliably a set's mean tells sets apart.",
            "An ICC(1) at or below zero means the sets differ no more than chance would "
            "make them; an ICC(2) below about .70 means set means should be compared with "
            "care. The estimates use only the sets shown in this run's reports, so they "
            "are worked out from those sets' published results and say nothing about a "
            "set that is withheld.",
        )
        table = Table(("Subscale", "ICC(1)", "ICC(2)"), tuple(rows), (False, True, True))
        return {"aggregation": paragraphs, "aggregation_table": table}
