"""The parts every report has: cover, footer, profile, picture and each subscale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import PROGRAMME, GroupKey
from surveyor.reports import charts
from surveyor.typeset.environment import fmt

if TYPE_CHECKING:
    from surveyor.instrument.model import Subscale

from .common import (
    CHART_WIDTH,
    FOOTER_NAME_LIMIT,
    MEAN_DECIMALS,
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    _interval,
    bounded,
    shown,
)
from .contract import (
    Agreement,
    Cover,
    Fact,
    Figure,
    Footer,
    SubscaleSection,
)
from .glance import listing

# Below this many respondents an answer is shown as a count ("2 of 6"), not a percentage.
COUNTS_BELOW = 10


class SectionsMixin:
    """Cover, footer, profile, picture and subscale sections."""

    def kind_label(self) -> str:
        return {SET: self.t("set_report"), ORGANIZATION: self.t("organization_report"),
                PROGRAMME_KIND: self.t("programme_report")}[self.spec.kind]

    def responses_text(self) -> str:
        """``"6"`` or, with a roster, ``"6 of 8 members"``."""
        members = self.data.members(self.key)
        if members is None:
            return str(self.spec.n)
        return self.t("of_members", n=self.spec.n, members=members)

    def cover(self) -> Cover:
        lines = []
        if self.spec.kind in (SET, ORGANIZATION):
            lines.append(Fact(self.t("organization"), self.key.organization))
        if self.spec.kind == SET:
            lines.append(Fact(self.t("set"), self.key.set))
        facts = [Fact(self.t("responses"), self.responses_text())]
        if self.spec.kind == ORGANIZATION:
            facts.append(Fact(self.t("sets"), str(len(
                self.data.sets_by_org[self.key.organization]))))
        if self.spec.kind == PROGRAMME_KIND:
            facts.append(Fact(self.t("organizations"), str(len(self.data.sets_by_org))))
            facts.append(Fact(self.t("sets"), str(self.data.n_sets)))
        if self.data_date:
            facts.append(Fact(self.t("data_date"), self.data_date))
        if self.brand.client:
            facts.append(Fact(self.t("prepared_for"), self.brand.client))
        if self.brand.consultancy:
            facts.append(Fact(self.t("prepared_by"), self.brand.consultancy))
        return Cover(
            title=self.instrument.display_title,
            kind_label=self.kind_label(),
            group_lines=tuple(lines),
            facts=tuple(facts),
            logo=self.brand.logo_data_url(),
            consultancy=self.brand.consultancy,
        )

    def footer(self) -> Footer:
        name = self.group_name()
        if len(name) > FOOTER_NAME_LIMIT:
            name = name[: FOOTER_NAME_LIMIT - 1].rstrip() + "\u2026"
        return Footer(
            instrument=self.instrument.display_title,
            group=name,
            text=self.brand.footer,
            page=self.t("page"),
            of=self.t("page_of"),
        )

    def profile(self) -> Figure:
        rows = []
        low, high = self.scale.min, self.scale.max
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            refs = self.references(sub.id)
            if row is None:
                rows.append(charts.IntervalRow(sub.name, None, references=refs,
                                               note=self.cell_withheld(self.key, sub.id)))
            else:
                cut = bounded(row, low, high) or (None, None)
                rows.append(charts.IntervalRow(sub.name, row["mean"], cut[0], cut[1],
                                               int(row["n"]), refs))
        series = {SET: self.t("this_set"), ORGANIZATION: self.t("organization"),
                  PROGRAMME_KIND: self.t("programme")}[self.spec.kind]
        svg = charts.profile_chart(
            rows, low, high, self.scale.labels,
            title=self.t("profile"), series_label=f"{series}: mean with 95% interval",
            width=CHART_WIDTH, palette=self.palette,
        )
        intro = ("Each dot is the average on the scale; the line through it is the range "
                 "the true average is likely to lie in (the 95% interval).")
        notes = []
        if self.spec.kind == SET:
            intro += " Open markers show the organisation's and the programme's averages."
            if not self.result.suppression.group_shown(self.org_key):
                notes.append(f"The organisation is not marked: {self.withheld(self.org_key)}.")
        elif self.spec.kind == ORGANIZATION:
            intro += " Open markers show the programme's averages."
        return Figure("profile", self.t("profile"), Markup(svg), (intro,), tuple(notes))

    def picture(self) -> Figure | None:
        if not self.instrument.picture:
            return None
        x_id, y_id = self.instrument.picture
        x_sub, y_sub = self.instrument.subscale(x_id), self.instrument.subscale(y_id)
        low, high = self.scale.min, self.scale.max

        def point(label: str, key: GroupKey, with_ci: bool) -> charts.PicturePoint:
            x, y = self.data.cell(key, x_id), self.data.cell(key, y_id)
            if x is None or y is None:
                why = (self.withheld(key) if not self.result.suppression.group_shown(key)
                       else "not shown")
                return charts.PicturePoint(label, None, None, note=why)
            if not with_ci:  # a reference point: where its printed means say
                return charts.PicturePoint(label, shown(x["mean"]), shown(y["mean"]))
            return charts.PicturePoint(label, x["mean"], y["mean"],
                                       x_ci=bounded(x, low, high), y_ci=bounded(y, low, high))

        kind = self.spec.kind
        points = []
        if kind == SET:
            points.append(point(self.t("this_set"), self.key, True))
            points.append(point(self.t("organization"), self.org_key, False))
            points.append(point(self.t("programme"), PROGRAMME, False))
        elif kind == ORGANIZATION:
            points.append(point(self.t("organization"), self.key, True))
            points.append(point(self.t("programme"), PROGRAMME, False))
        else:
            points.append(point(self.t("programme"), PROGRAMME, True))
            for org in sorted(self.data.sets_by_org):
                points.append(point(org, GroupKey(ORGANIZATION, org), False))
        x_name, y_name = x_sub.name.lower(), y_sub.name.lower()
        captions = (f"more {y_name}, less {x_name}", "both higher: learning inaction",
                    "both lower", f"more {x_name}, less {y_name}")
        svg = charts.picture_chart(
            points, x_sub.name, y_sub.name, low, high, captions,
            title=self.t("picture"), width=CHART_WIDTH, palette=self.palette,
        )
        intro = (
            f"Two of the dynamics together: {x_name} across, {y_name} up. The dashed lines "
            "mark the middle of the scale, not a norm; the axes show only the part of the "
            "scale where the results lie. Towards the top right, members both see reasons "
            "to hold back and expect acting to be risky: what Vince (2008) calls learning "
            "inaction. Neither corner is a verdict; the picture is a prompt for discussion.",
        )
        return Figure("picture", self.t("picture"), Markup(svg), intro)

    def standing(self, row: dict, reference: float) -> str:
        """``"higher"``, ``"lower"`` or ``"similar"``: higher or lower only when the
        group's 95% interval leaves out the reference mean."""
        cut = bounded(row, self.scale.min, self.scale.max)
        if cut is None:
            return "similar"
        if reference < cut[0]:
            return "higher"
        if reference > cut[1]:
            return "lower"
        return "similar"

    def agreement_shown(self, row: dict, subscale: str) -> bool:
        """Agreement is judged only from at least the minimum group size of people who
        answered every statement (DOMAIN.md section 5, rule 9)."""
        return bool(row["agreement"]) and (
            self.data.n_agreement(self.key, subscale) >= self.min_n)

    def subscale_section(self, sub: Subscale) -> SubscaleSection:
        anchor = f"subscale-{sub.id}"
        row = self.data.cell(self.key, sub.id)
        if row is None:
            return SubscaleSection(
                anchor, sub.name, sub.description, False,
                not_shown=f"No result for this subscale: {self.cell_withheld(self.key, sub.id)}.",
            )
        n = int(row["n"])
        headline = (
            f"Average {fmt(row['mean'], MEAN_DECIMALS)} on the {self.scale.min} to "
            f"{self.scale.max} scale, "
            f"likely from {_interval(row, self.scale.min, self.scale.max)}; from {n} "
            f"{'person' if n == 1 else 'people'}."
        )
        refs = self.references(sub.id)
        ref_text = ""
        if refs:
            ref_text = "Compared with " + "; with ".join(
                f"the {name.lower()} ({fmt(value, MEAN_DECIMALS)}): {self.standing(row, value)}"
                for name, value in refs.items()) + "."
        agreement = self.agreement(row, sub) if self.spec.kind == SET else None
        # Subscales flow, so any chart may open a page: each carries its key.
        distribution, omitted = self.distribution(sub)
        band_label, band_text = self.band_reading(sub, row, agreement, distribution is not None)
        return SubscaleSection(
            anchor, sub.name, sub.description, True,
            headline=headline, references=ref_text,
            band_label=band_label, band_text=band_text,
            agreement=agreement, distribution=distribution, omitted=omitted,
        )

    def interval_bands(self, sub: Subscale, row: dict | None) -> tuple[str, str] | None:
        """The labels of the bands at the two ends of the interval (cut at the scale's
        ends), lower case, when they differ; ``None`` when the interval stays in one, or
        when the group has no result on the subscale (``row`` is ``None``)."""
        if row is None:
            return None
        cut = bounded(row, self.scale.min, self.scale.max)
        if cut is None:
            return None
        first, last = sub.band_for(cut[0]), sub.band_for(cut[1])
        if first is last or first is None or last is None:
            return None
        return first.label.lower(), last.label.lower()

    def subscales_intro(self, sections: tuple[SubscaleSection, ...]) -> tuple[str, ...]:
        """What would otherwise repeat under each subscale, said once: why a heading names
        two bands, and which subscales' statements are withheld and why."""
        out = []
        if any(s.shown and s.band_label.startswith("Somewhere between") for s in sections):
            out.append("Where a subscale's heading names two bands (\u201csomewhere "
                       "between\u201d), its interval reaches both: the group is too small "
                       "to say which.")
        withheld = [s.name for s in sections
                    if s.shown and s.distribution is None and not s.omitted]
        if withheld:
            reason = ("too few people answered some of them here, and showing them would "
                      "reveal the scores of the few who answered only some.")
            if len(withheld) == len(sections):
                out.append("The answers to each statement are not shown in this report: "
                           + reason)
            else:
                out.append("The answers to each statement are not shown for "
                           f"{listing([n.lower() for n in withheld])}: " + reason)
        return tuple(out)

    def band_reading(self, sub: Subscale, row: dict, agreement: Agreement | None,
                     with_items: bool = True) -> tuple[str, str]:
        """The band's label and text, only where the interval and agreement bear it out.

        An interval across two bands gets "somewhere between" both, and divergent views
        a sentence saying so, instead of one band's interpretation.
        """
        band = sub.band_for(row["mean"])
        if band is None:
            return "", ""
        span = self.interval_bands(sub, row)
        if span is not None:
            # The heading says it; the section's opening says once why (the interval
            # is too wide), so no subscale repeats it.
            return (f"Somewhere between {span[0]} and {span[1]}",
                    "The answers to each statement below show where people stand."
                    if with_items else "")
        if agreement is not None and agreement.key == "divergent":
            return (band.label, "Members see this differently, so the average hides a "
                                "spread of views" + (": the answers below show how."
                                                     if with_items else "."))
        # Organisation and programme means pool many sets: their own wording, if any.
        return band.label, band.text_for(self.spec.kind != SET)

    def agreement(self, row: dict, sub: Subscale) -> Agreement:
        """How alike members' answers are, in plain words (the statistics behind it are in
        the technical note)."""
        if not self.agreement_shown(row, sub.id):
            return Agreement("Not judged", "Not enough complete answers to judge how alike "
                             f"views on {sub.name.lower()} are.", "")
        label = row["agreement"]
        name = sub.name.lower()
        sentence = {
            "shared view": f"Members see {name} alike: their answers are closer together "
                           "than chance alone would make them.",
            "divergent": f"Members see {name} differently: their answers are spread more "
                         "widely than a shared view would give.",
            "mixed": f"The picture on {name} is mixed: some signs of a shared view, some "
                     "of differing views.",
        }[label]
        title = {"shared view": "Shared view", "divergent": "Views differ",
                 "mixed": "Mixed views"}[label]
        key = {"shared view": "shared_view", "mixed": "mixed", "divergent": "divergent"}[label]
        return Agreement(title, sentence, key)

    def item_counts(self, sub: Subscale) -> list[tuple[object, list[int]]]:
        """The answers (as ticked) to each statement of ``sub`` shown for this group."""
        import numpy as np

        mask = self.data.rows_of(self.key)
        raw = self.result.responses.frame
        values = np.asarray(self.scale.values, dtype=float)
        out = []
        for item in self.instrument.items_of(sub.id):
            if not self.result.suppression.item_shown(self.key, item.id):
                continue
            answers = raw[item.id].to_numpy()[mask]
            out.append((item, [int(np.sum(answers == v)) for v in values]))
        return out

    def distribution(self, sub: Subscale, legend: bool = True
                     ) -> tuple[Figure | None, tuple[str, ...]]:
        items = self.instrument.items_of(sub.id)
        counted = self.item_counts(sub)
        hidden = len(items) - len(counted)
        omitted = []
        # Every statement withheld: said once for all such subscales in the section's
        # opening (``subscales_intro``), not under each.
        if hidden and hidden < len(items):
            what = "statement is" if hidden == 1 else "statements are"
            omitted.append(f"{hidden} {what} not shown: answered by fewer than {self.min_n} "
                           "people here.")
        if not counted:
            return None, tuple(omitted)
        rows = [charts.ItemDistribution(f"{item.text} \u2020" if item.reverse else item.text,
                                        counts) for item, counts in counted]
        neutral = self.scale.values.index(self.scale.midpoint) if (
            self.scale.midpoint in self.scale.values) else None
        svg = charts.diverging_bars(
            rows, self.scale.labels, neutral, title=f"{sub.name}: {self.t('items')}",
            as_counts=self.spec.n < COUNTS_BELOW, legend=legend, width=CHART_WIDTH,
            palette=self.palette,
        )
        notes = []
        if any(item.reverse for item, _ in counted):
            notes.append(self.t("reverse_note"))
        return Figure(f"items-{sub.id}", self.t("items"), Markup(svg), (), tuple(notes)), \
            tuple(omitted)
