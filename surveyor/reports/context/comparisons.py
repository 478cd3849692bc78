"""Side-by-side views for organisation and programme reports: one chart of every
subscale, heatmaps with a fitted colour scale, and who took part."""

from __future__ import annotations

import math

from markupsafe import Markup

from surveyor.numbers.anonymity import GroupKey
from surveyor.reports import charts

from .common import (
    CHART_WIDTH,
    EN_DASH,
    HEATMAP_ROWS,
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    _chunks,
    _part_anchor,
    _part_title,
    bounded,
)
from .contract import (
    Figure,
    Table,
)


class ComparisonsMixin:
    """The side-by-side chart, heatmaps and participation table."""

    def children(self) -> list[GroupKey]:
        if self.spec.kind == ORGANIZATION:
            return [GroupKey(SET, self.key.organization, s)
                    for s in self.data.sets_by_org[self.key.organization]]
        return [GroupKey(ORGANIZATION, o) for o in sorted(self.data.sets_by_org)]

    def child_name(self, key: GroupKey) -> str:
        return key.set if key.level == SET else key.organization

    def side_by_side(self, keys: list[GroupKey]) -> Figure:
        """Every group on every subscale in one chart, in alphabetical order."""
        subs = self.instrument.subscales
        low, high = self.scale.min, self.scale.max
        cells, notes = [], []
        for key in keys:
            notes.append("" if key in self.data.counts else self.withheld(key))
            row = []
            for sub in subs:
                stats = self.data.cell(key, sub.id)
                if stats is None:
                    row.append(None)
                    continue
                cut = bounded(stats, low, high) or (None, None)
                row.append(charts.IntervalRow(sub.name, stats["mean"], cut[0], cut[1]))
            cells.append(row)
        own = [self.data.cell(self.key, s.id) for s in subs]
        ref_name = self.t("organization") if self.spec.kind == ORGANIZATION else self.t(
            "programme")
        svg = charts.side_by_side_chart(
            [self.child_name(k) for k in keys], [s.name for s in subs], cells, low, high,
            group_notes=notes, references=[r["mean"] if r is not None else None for r in own],
            reference_label=f"{ref_name}: mean", note="not shown",
            title=self.t("side_by_side"), width=CHART_WIDTH, palette=self.palette,
        )
        what = "Sets" if self.spec.kind == ORGANIZATION else "Organisations"
        intro = (f"{what} in alphabetical order, never ranked: each dot is an average, its "
                 "line the 95% interval; the dashed line is the "
                 f"{ref_name.lower()}'s average. Where a line crosses the dashed line, the "
                 "difference may be chance. The axis shows only the part of the scale where "
                 "the results lie.",)
        return Figure("side-by-side-chart", self.t("side_by_side"), Markup(svg), intro)

    def heatmaps(self, keys: list[GroupKey], labels: list[str], title: str,
                 anchor: str, value_range: tuple[float, float] | None = None
                 ) -> tuple[Figure, ...]:
        """The heatmap, split into page-sized parts when there are many groups."""
        parts = _chunks(list(range(len(keys))), HEATMAP_ROWS)
        return tuple(
            self.heatmap([keys[k] for k in part], [labels[k] for k in part],
                         _part_title(title, i, len(parts)), _part_anchor(anchor, i),
                         value_range)
            for i, part in enumerate(parts)
        )

    def heatmap(self, keys: list[GroupKey], labels: list[str], title: str,
                anchor: str, value_range: tuple[float, float] | None = None) -> Figure:
        subs = self.instrument.subscales
        cells = []
        for key in keys:
            cells.append([
                (row["mean"] if (row := self.data.cell(key, s.id)) is not None else None)
                for s in subs
            ])
        svg = charts.heatmap(
            labels, [s.name for s in subs], cells,
            self.scale.min, self.scale.max, note="not shown",
            note_legend=f"not shown ({self.t('fewer_than', n=self.min_n)}, or withheld)",
            title=title, value_range=value_range, width=CHART_WIDTH, palette=self.palette,
        )
        intro = ("Each cell is an average; darker means higher. The colours are fitted to "
                 "these results (see the key), so small differences show: a darker cell is "
                 "more of the dynamic, not better or worse.",)
        return Figure(anchor, title, Markup(svg), intro)

    def participation(self, keys: list[GroupKey]) -> Table:
        shown_head = self.t("set") if self.spec.kind == ORGANIZATION else self.t("organization")
        rows = []
        for key in keys:
            name = self.child_name(key)
            if key in self.data.counts:
                members = self.data.members(key)
                count = str(self.data.counts[key]) + (
                    f" of {members}" if members is not None else "")
                row = [name, count]
                if key.level == ORGANIZATION:
                    sets = self.data.sets_by_org[key.organization]
                    shown = sum(1 for s in sets if GroupKey(SET, key.organization, s)
                                in self.data.counts)
                    row.insert(1, f"{shown} of {len(sets)}")
            else:
                row = [name, self.withheld(key)]
                if key.level == ORGANIZATION:
                    row.insert(1, EN_DASH)
            rows.append(tuple(row))
        headers = ((shown_head, "Sets with a report", self.t("responses"))
                   if self.spec.kind == PROGRAMME_KIND else (shown_head, self.t("responses")))
        return Table(headers, tuple(rows),
                     numeric=tuple([False] + [True] * (len(headers) - 1)))

    def comparison(self, keys: list[GroupKey]) -> dict:
        hidden = [k for k in keys if k not in self.data.counts]
        plural = "sets" if self.spec.kind == ORGANIZATION else "organisations"
        intro = []
        if hidden:
            intro.append(
                f"{len(hidden)} of {len(keys)} {plural} cannot be shown "
                f"({self.t('fewer_than', n=self.min_n)}, or {self.t('withheld')}); they are "
                "listed by name only."
            )
        title = (self.t("heatmap") if self.spec.kind == ORGANIZATION
                 else self.t("org_heatmap"))
        extra = {
            "side_by_side": self.side_by_side(keys),
            "comparison_title": (self.t("sets_side_by_side") if self.spec.kind == ORGANIZATION
                                 else self.t("organizations_side_by_side")),
            "comparison_intro": tuple(intro),
            "comparison_table": self.participation(keys),
            "heatmaps": self.heatmaps(keys, [self.child_name(k) for k in keys], title,
                                      "heatmap"),
            "caveat": self.caveat(),
        }
        if self.spec.kind == PROGRAMME_KIND:
            extra["set_heatmaps"] = self.set_heatmaps()
        return extra

    def set_heatmaps(self) -> tuple[Figure, ...]:
        """Programme overview: each organisation's sets, on one shared colour scale."""
        means = [row["mean"] for (key, _), row in self.data.stats.items()
                 if key.level == SET and self.data.cell(key, _) is not None]
        value_range = None
        if means:
            low = max(self.scale.min, math.floor((min(means) - 0.05) * 4) / 4)
            high = min(self.scale.max, math.ceil((max(means) + 0.05) * 4) / 4)
            value_range = (low, max(high, low + 0.5))
        figures = []
        for index, org in enumerate(sorted(self.data.sets_by_org)):
            sets = [GroupKey(SET, org, name) for name in self.data.sets_by_org[org]]
            figures += self.heatmaps(sets, [k.set for k in sets], org,
                                     f"sets-heatmap-{index}", value_range)
        return tuple(figures)
