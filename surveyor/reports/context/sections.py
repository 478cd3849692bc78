"""The parts every report has: cover, reading guide, summary, profile, picture, subscale detail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import PROGRAMME, GroupKey
from surveyor.reports import charts
from surveyor.typeset.environment import fmt

if TYPE_CHECKING:
    from surveyor.instrument.model import Subscale

from .common import (
    _AGREEMENT_KEYS,
    CHART_WIDTH,
    EN_DASH,
    FOOTER_NAME_LIMIT,
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    _interval,
    _mean_ci,
    shown,
)
from .contract import (
    Agreement,
    Cover,
    Fact,
    Figure,
    Footer,
    SubscaleSection,
    Table,
)


class SectionsMixin:
    """Cover, footer, reading guide, summary, profile, picture and subscale sections."""

    def kind_label(self) -> str:
        return {SET: self.t("set_report"), ORGANIZATION: self.t("organization_report"),
                PROGRAMME_KIND: self.t("programme_report")}[self.spec.kind]

    def cover(self) -> Cover:
        lines = []
        if self.spec.kind in (SET, ORGANIZATION):
            lines.append(Fact(self.t("organization"), self.key.organization))
        if self.spec.kind == SET:
            lines.append(Fact(self.t("set"), self.key.set))
        facts = [Fact(self.t("responses"), str(self.spec.n))]
        if self.spec.kind == ORGANIZATION:
            facts.append(Fact(self.t("sets"), str(len(
                self.data.sets_by_org[self.key.organization]))))
        if self.spec.kind == PROGRAMME_KIND:
            facts.append(Fact(self.t("organizations"), str(len(self.data.sets_by_org))))
            facts.append(Fact(self.t("sets"), str(self.data.n_sets)))
        facts.append(Fact(self.t("data_date"), self.data_date))
        facts.append(Fact(self.t("instrument"),
                          f"{self.instrument.id}, version {self.instrument.version}"))
        if self.brand.client:
            facts.append(Fact(self.t("prepared_for"), self.brand.client))
        if self.brand.consultancy:
            facts.append(Fact(self.t("prepared_by"), self.brand.consultancy))
        return Cover(
            title=self.instrument.title,
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
            instrument=f"{self.instrument.id} v{self.instrument.version}",
            group=name,
            text=self.brand.footer,
            page=self.t("page"),
            of=self.t("page_of"),
        )

    def reading(self) -> tuple[str, ...]:
        s = self.scale
        low, high = s.labels[0], s.labels[-1]
        missing = (f' "{s.missing[0]}" counts as no answer, never as the middle.'
                   if s.missing else "")
        who = {SET: "this set", ORGANIZATION: "the organisation",
               PROGRAMME_KIND: "the programme"}[self.spec.kind]
        paragraphs = [
            f"Each statement was answered on a {s.n_options}-point scale from "
            f"{low} ({s.min}) to {high} ({s.max}).{missing} A subscale score is a person's "
            f"average over the statements of that subscale, so it runs from {s.min} to "
            f"{s.max} as well, with {fmt(s.midpoint, 1).rstrip('0').rstrip('.')} in the "
            "middle. A higher score means more of what the subscale describes. These are "
            "dynamics to notice and talk about, not grades: a high or a low score is "
            "neither good nor bad in itself.",
            f"Each mean is drawn as a dot with a line through it: the 95% confidence "
            f"interval, the range of averages that fits what {who} said, allowing for the "
            "chance of who answered. Small groups have wide intervals. Where the intervals "
            "of two groups overlap a good deal, the difference between them may be chance.",
        ]
        if self.spec.kind == SET:
            paragraphs.append(
                "Agreement says how alike members' answers are: a shared view, a mixed "
                "picture, or divergent views. Each subscale is compared with what purely "
                "random answering would produce in a group of this size, because a small "
                "group can look in agreement by chance."
            )
        consent = (" The sets agreed to see results from groups this small."
                   if self.result.suppression.consented else "")
        paragraphs.append(
            f"Anonymity: no result is shown for a group of fewer than {self.min_n} people, "
            f"for any subscale answered by fewer than {self.min_n}, or for any statement "
            f"answered by fewer than {self.min_n}.{consent} When one group is withheld, the "
            "next smallest may be withheld too, so that the hidden one cannot be worked out "
            "from the total. No report shows individual answers, comments, or any "
            "breakdown within a set."
        )
        return tuple(paragraphs)

    def summary(self) -> Table:
        kind = self.spec.kind
        rows = []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is None:
                note = self.cell_withheld(self.key, sub.id)
                cells = [sub.name, note, "", ""]
            else:
                band = sub.band_for(row["mean"])
                cells = [sub.name, _mean_ci(row), band.label if band else EN_DASH]
                if kind == SET:
                    label = row["agreement"]
                    cells.append(self.t(_AGREEMENT_KEYS[label]) if label else "not assessed")
                else:
                    cells.append(str(int(row["n"])))
            rows.append(tuple(cells))
        last = "Agreement" if kind == SET else "Scores"
        return Table(
            headers=("Subscale", "Mean (95% interval)", "Reads as", last),
            rows=tuple(rows),
            numeric=(False, True, False, kind != SET),
        )

    def profile(self) -> Figure:
        rows = []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            refs = self.references(sub.id)
            if row is None:
                rows.append(charts.IntervalRow(sub.name, None, references=refs,
                                               note=self.cell_withheld(self.key, sub.id)))
            else:
                rows.append(charts.IntervalRow(sub.name, row["mean"], row["ci_low"],
                                               row["ci_high"], int(row["n"]), refs))
        series = {SET: self.t("this_set"), ORGANIZATION: self.t("organization"),
                  PROGRAMME_KIND: self.t("programme")}[self.spec.kind]
        svg = charts.profile_chart(
            rows, self.scale.min, self.scale.max, self.scale.labels,
            title=self.t("profile"), series_label=f"{series}: mean with 95% interval",
            width=CHART_WIDTH, palette=self.palette,
        )
        intro = "Each subscale's mean, with its 95% confidence interval."
        notes = []
        if self.spec.kind == SET:
            intro += (" Open markers show the organisation's and the programme's means for "
                      "comparison, where they can be shown.")
            if not self.result.suppression.group_shown(self.org_key):
                notes.append(f"The organisation is not marked: {self.withheld(self.org_key)}.")
        elif self.spec.kind == ORGANIZATION:
            intro += " Open markers show the programme's means for comparison."
        return Figure("profile", self.t("profile"), Markup(svg), (intro,), tuple(notes))

    def picture(self) -> Figure | None:
        if not self.instrument.picture:
            return None
        x_id, y_id = self.instrument.picture
        x_sub, y_sub = self.instrument.subscale(x_id), self.instrument.subscale(y_id)

        def point(label: str, key: GroupKey, with_ci: bool) -> charts.PicturePoint:
            x, y = self.data.cell(key, x_id), self.data.cell(key, y_id)
            if x is None or y is None:
                why = (self.withheld(key) if not self.result.suppression.group_shown(key)
                       else "not shown")
                return charts.PicturePoint(label, None, None, note=why)
            if not with_ci:  # a reference point: where its printed means say
                return charts.PicturePoint(label, shown(x["mean"]), shown(y["mean"]))
            return charts.PicturePoint(
                label, x["mean"], y["mean"],
                x_ci=(x["ci_low"], x["ci_high"]), y_ci=(y["ci_low"], y["ci_high"]),
            )

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
        svg = charts.picture_chart(
            points, x_sub.name, y_sub.name, self.scale.min, self.scale.max,
            title=self.t("picture"), width=CHART_WIDTH, palette=self.palette,
        )
        intro = (
            f"Two of the dynamics together: {x_sub.name.lower()} across, "
            f"{y_sub.name.lower()} up; the dashed lines mark the middle of the scale, not a "
            "norm. Towards the top right, members both see reasons to hold back and expect "
            "acting to be risky: the conditions Vince (2008) calls learning inaction. Neither "
            "corner is a verdict; the picture is a prompt for discussion.",
        )
        return Figure("picture", self.t("picture"), Markup(svg), intro)

    def subscale_section(self, sub: Subscale) -> SubscaleSection:
        anchor = f"subscale-{sub.id}"
        row = self.data.cell(self.key, sub.id)
        if row is None:
            return SubscaleSection(
                anchor, sub.name, sub.description, False,
                not_shown=f"No result for this subscale: {self.cell_withheld(self.key, sub.id)}.",
            )
        band = sub.band_for(row["mean"])
        n = int(row["n"])
        headline = (
            f"Mean {fmt(row['mean'])} on the {self.scale.min} to {self.scale.max} scale "
            f"(95% interval {_interval(row)}), from {n} {'person' if n == 1 else 'people'} "
            "with a score."
        )
        refs = self.references(sub.id)
        ref_text = ""
        if refs:
            ref_text = "For comparison: " + "; ".join(
                f"{name.lower()} {fmt(value)}" for name, value in refs.items()) + "."
        agreement = self.agreement(row) if self.spec.kind == SET else None
        distribution, omitted = self.distribution(sub)
        return SubscaleSection(
            anchor, sub.name, sub.description, True,
            headline=headline, references=ref_text,
            band_label=band.label if band else "",
            # Organisation and programme means pool many sets: their own wording, if any.
            band_text=band.text_for(self.spec.kind != SET) if band else "",
            agreement=agreement, distribution=distribution, omitted=omitted,
        )

    def agreement(self, row: dict) -> Agreement:
        label = row["agreement"]
        if not label:
            return Agreement("Not assessed", f"Fewer than {self.min_n} members answered every "
                             "statement of this subscale, too few to show how closely they "
                             "agree.")
        rwg, crit, ad = fmt(row["rwg_j"]), fmt(row["rwg_j_critical"]), fmt(row["ad"])
        cut = fmt(self.scale.n_options / 6)
        above = row["rwg_j"] > row["rwg_j_critical"]
        close = row["ad"] <= self.scale.n_options / 6
        chance = (f"rwg(j) is {rwg}, against {crit}, the level purely random answering "
                  "exceeds only one time in twenty in a group of this size")
        spread = f"answers sit on average {ad} scale points from the mean (guide: {cut} or less)"
        if label == "shared view":
            body = f"Answers agree more closely than chance would produce: {chance}; {spread}."
        elif label == "divergent":
            body = (f"Members see this differently: {chance}, and {spread}.")
        else:
            first = "rwg(j) points to agreement" if above else "rwg(j) does not rise above chance"
            second = "answers sit close together" if close else "answers are spread out"
            body = f"The two signs disagree: {first}, but {second}. In full: {chance}; {spread}."
        name = self.t(_AGREEMENT_KEYS[label])
        return Agreement(f"{name[:1].upper()}{name[1:]}", body)

    def distribution(self, sub: Subscale) -> tuple[Figure | None, tuple[str, ...]]:
        import numpy as np

        items = self.instrument.items_of(sub.id)
        shown = [i for i in items if self.result.suppression.item_shown(self.key, i.id)]
        hidden = len(items) - len(shown)
        omitted = []
        if hidden == len(items):
            omitted.append("The answers to these statements are not shown: too few people "
                           "answered them here, or they would reveal the scores of the few who "
                           "answered only some of them.")
        elif hidden:
            what = "statement is" if hidden == 1 else "statements are"
            omitted.append(f"{hidden} {what} not shown: answered by fewer than {self.min_n} "
                           "people here.")
        if not shown:
            return None, tuple(omitted)
        mask = self.data.rows_of(self.key)
        raw = self.result.responses.frame
        values = np.asarray(self.scale.values, dtype=float)
        rows = []
        for item in shown:
            answers = raw[item.id].to_numpy()[mask]
            counts = [int(np.sum(answers == v)) for v in values]
            label = f"{item.text} \u2020" if item.reverse else item.text
            rows.append(charts.ItemDistribution(label, counts))
        neutral = self.scale.values.index(self.scale.midpoint) if (
            self.scale.midpoint in self.scale.values) else None
        svg = charts.diverging_bars(
            rows, self.scale.labels, neutral, title=f"{sub.name}: {self.t('items')}",
            width=CHART_WIDTH, palette=self.palette,
        )
        notes = []
        if any(i.reverse for i in shown):
            notes.append(self.t("reverse_note"))
        return Figure(f"items-{sub.id}", self.t("items"), Markup(svg), (), tuple(notes)), \
            tuple(omitted)
