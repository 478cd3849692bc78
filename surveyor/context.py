"""The report context: every value a report template prints, finished.

This module is the contract between the numbers (:class:`surveyor.pipeline.ScoreResult`)
and the templates (``templates/report_*.html``). Templates only place values: every number
is formatted here, every sentence written, every chart drawn (SVG as
:class:`markupsafe.Markup`), every decision (what to show, what to withhold, in which
order) taken here, so a consultant's template override cannot get the anonymity rules
wrong.

Anonymity (DOMAIN.md section 5) is enforced by construction: :class:`ReportData` indexes
only the statistics of groups and cells the run's suppression pass shows, and counts
respondents only in shown groups, so a suppressed group's figures are never even looked
up. A suppressed group appears only by name with the note "fewer than N responses" (or
"withheld to protect a smaller group" when it was suppressed to protect a sibling).

``report_plan`` lists the reports of a run; ``build_context`` builds one report's context.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from . import charts
from .anonymity import BELOW_MINIMUM, PROGRAMME, GroupKey
from .brand import Brand
from .questions import (
    ReflectiveQuestion,
    SubscalePattern,
    choose_questions,
    organization_questions,
)
from .render import fmt

if TYPE_CHECKING:
    from .instrument import Instrument, Subscale
    from .pipeline import ScoreResult

SET = "set"
ORGANIZATION = "organization"
PROGRAMME_KIND = "programme"
TEMPLATES = {
    SET: "report_set.html",
    ORGANIZATION: "report_organization.html",
    PROGRAMME_KIND: "report_programme.html",
}
ICC_MIN_SETS = 10  # DOMAIN.md section 4: ICC estimates from fewer sets are noise
RELIABILITY_MIN_N = 30
ALPHA_FLAG = 0.70
FELDT_CAUTION = 0.60
FOOTER_NAME_LIMIT = 70
# Rows per chart so that a chart and its heading fit on one A4 page.
HEATMAP_ROWS = 25
FOREST_ROWS = 36
CHART_WIDTH = 640
EN_DASH = "\u2013"
MINUS = "\u2212"


# ---------------------------------------------------------------------- the contract


@dataclass(frozen=True)
class ReportSpec:
    """One report a run will write.

    Attributes
    ----------
    kind
        ``"set"``, ``"organization"`` or ``"programme"``.
    key
        The group (:class:`surveyor.anonymity.GroupKey`); only shown groups get a spec.
    n
        Respondents in the group (for the manifest and the cover).
    """

    kind: str
    key: GroupKey
    n: int

    @property
    def organization(self) -> str:
        return self.key.organization

    @property
    def set(self) -> str:
        return self.key.set

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]


@dataclass(frozen=True)
class Fact:
    """A labelled value (cover facts, reproducibility stamp)."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    """A finished table: ``headers`` and rows of text cells.

    ``numeric`` flags the columns to right-align (figures); ``notes`` print under it.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()
    caption: str = ""

    def __post_init__(self) -> None:
        flags = tuple(self.numeric) + (False,) * (len(self.headers) - len(self.numeric))
        object.__setattr__(self, "numeric", flags[: len(self.headers)])


@dataclass(frozen=True)
class Figure:
    """A chart with its heading, the sentences that explain it, and notes.

    ``anchor`` is a unique, safe element id (used by the table of contents).
    """

    anchor: str
    title: str
    svg: Markup
    intro: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cover:
    """The cover page.

    ``group_lines`` name the group (organisation, set) in full; ``facts`` list responses,
    date of the data, preparer and client; ``logo`` is a ``data:`` URL or empty.
    """

    title: str
    kind_label: str
    group_lines: tuple[Fact, ...]
    facts: tuple[Fact, ...]
    logo: str = ""
    consultancy: str = ""


@dataclass(frozen=True)
class Footer:
    """The running footer: instrument id and version, the group's name (shortened if very
    long; the cover has it in full), the brand's line, and the page label words."""

    instrument: str
    group: str
    text: str
    page: str
    of: str


@dataclass(frozen=True)
class Agreement:
    """Agreement within the group on one subscale: a label and the sentence explaining it
    (rwg(j) against its null critical value for this group size, and AD)."""

    label: str
    sentence: str


@dataclass(frozen=True)
class SubscaleSection:
    """One subscale in detail.

    Attributes
    ----------
    anchor, name, description
        Element id, subscale name and what it captures.
    shown
        False when the group's result on this subscale is withheld or nobody scored;
        ``not_shown`` then says why, and the figures below are empty.
    headline
        Mean, interval and number of scores, as a sentence.
    references
        Organisation and programme means for comparison, as a sentence (may be empty).
    band_label, band_text
        The instrument's interpretation band for the mean.
    agreement
        Agreement within the group (set reports), or ``None``.
    distribution
        Diverging bars of the answers to each statement, or ``None``.
    omitted
        Notes on statements left out of the chart (too few answers).
    """

    anchor: str
    name: str
    description: str
    shown: bool
    not_shown: str = ""
    headline: str = ""
    references: str = ""
    band_label: str = ""
    band_text: str = ""
    agreement: Agreement | None = None
    distribution: Figure | None = None
    omitted: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupPanel:
    """One organisation in the programme overview: its sets side by side."""

    anchor: str
    name: str
    summary: str
    table: Table | None
    heatmaps: tuple[Figure, ...]


@dataclass(frozen=True)
class ContentsEntry:
    """A line of the table of contents: ``level`` 1 or 2, linking to ``anchor``."""

    anchor: str
    title: str
    level: int = 1


@dataclass(frozen=True)
class Methods:
    """The methods appendix: paragraphs and tables under fixed sub-headings."""

    scoring: tuple[str, ...]
    missing: Table
    agreement: tuple[str, ...]
    reliability_intro: tuple[str, ...]
    reliability: Table
    suppression: tuple[str, ...]


@dataclass(frozen=True)
class ReportContext:
    """Everything a report template receives (its variables are these fields).

    Attributes
    ----------
    lang, title, page_size, document_class
        For ``base.html``: document language, ``<title>``, ``"A4"``, CSS classes.
    kind, template
        The report kind and the template that renders it.
    brand_css
        A ``:root`` rule with the brand's colours (validated hex), or empty.
    strings
        The brand's wording (section titles and labels), by key.
    cover, footer
        The cover page and the running footer.
    reading
        "How to read this report" paragraphs; ``scale`` the scale points with labels.
    contents
        Table of contents (programme overview; empty otherwise).
    summary
        One row per subscale: mean and interval, band, agreement or reference.
    profile, picture
        The subscale profile and the learning-in-action picture (``picture`` is ``None``
        when the instrument declares no pair).
    comparison, comparison_intro, comparison_table, heatmaps
        Groups side by side (sets in an organisation, organisations in the programme):
        a forest chart per subscale in alphabetical order, participation, heatmap.
    panels
        Programme overview: each organisation's sets.
    subscales
        The subscales in detail.
    aggregation
        Aggregation diagnostics: paragraphs and an optional ICC table.
    questions
        Reflective questions (set) or organisation-level questions.
    methods, stamp
        The methods appendix and the reproducibility stamp.
    """

    lang: str
    title: str
    page_size: str
    document_class: str
    kind: str
    template: str
    brand_css: Markup
    strings: Mapping[str, str]
    cover: Cover
    footer: Footer
    reading: tuple[str, ...]
    scale: tuple[Fact, ...]
    summary: Table
    profile: Figure
    picture: Figure | None
    subscales: tuple[SubscaleSection, ...]
    questions: tuple[ReflectiveQuestion, ...]
    questions_intro: str
    methods: Methods
    stamp: tuple[Fact, ...]
    contents: tuple[ContentsEntry, ...] = ()
    comparison: tuple[Figure, ...] = ()
    comparison_title: str = ""
    comparison_intro: tuple[str, ...] = ()
    comparison_table: Table | None = None
    heatmaps: tuple[Figure, ...] = ()
    panels: tuple[GroupPanel, ...] = ()
    aggregation: tuple[str, ...] = ()
    aggregation_table: Table | None = None

    def as_dict(self) -> dict:
        """The template variables (a shallow mapping of the fields)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# ------------------------------------------------------------------ the run's data


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

    @classmethod
    def from_result(cls, result: ScoreResult) -> ReportData:
        import numpy as np

        from .summaries import group_key

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


# ------------------------------------------------------------------------ building


def build_context(
    result: ScoreResult | ReportData,
    spec: ReportSpec,
    brand: Brand,
    data_date: str,
) -> ReportContext:
    """Build the context of one report.

    Parameters
    ----------
    result
        The run's numbers, or a :class:`ReportData` built once and reused across reports.
    spec
        Which report (from :func:`report_plan`).
    brand
        Names, colours and wording.
    data_date
        The date of the data as it should be printed (``"12 March 2025"``).

    Returns
    -------
    ReportContext

    Raises
    ------
    ValueError
        When ``spec`` names a suppressed group (the plan never does).
    """
    data = result if isinstance(result, ReportData) else ReportData.from_result(result)
    if spec.key not in data.counts:
        raise ValueError(f"{spec.key.label}: suppressed groups get no report")
    return _Builder(data, spec, brand, data_date).build()


class _Builder:
    """Builds one report's context; one method per part of the report."""

    def __init__(self, data: ReportData, spec: ReportSpec, brand: Brand, data_date: str):
        self.data = data
        self.spec = spec
        self.key = spec.key
        self.brand = brand
        self.data_date = data_date
        self.result = data.result
        self.instrument: Instrument = data.result.instrument
        self.scale = self.instrument.scale
        self.min_n = data.result.suppression.min_group_size
        self.palette = brand.palette()
        self.t = brand.text

    # -- helpers ------------------------------------------------------------------

    @property
    def org_key(self) -> GroupKey:
        return GroupKey(ORGANIZATION, self.key.organization)

    def group_name(self) -> str:
        if self.spec.kind == SET:
            return f"{self.key.organization}: {self.key.set}"
        if self.spec.kind == ORGANIZATION:
            return self.key.organization
        return self.t("programme")

    def withheld(self, key: GroupKey) -> str:
        """Why a suppressed group shows nothing, in the report's words."""
        decision = self.result.suppression.groups.get(key)
        if decision is not None and decision.reason != BELOW_MINIMUM:
            return self.t("withheld")
        return self.t("fewer_than", n=self.min_n)

    def cell_withheld(self, key: GroupKey, subscale: str) -> str:
        if not self.result.suppression.group_shown(key):
            return self.withheld(key)
        decision = self.result.suppression.cells.get((key, subscale))
        if decision is not None and decision.suppressed:
            if decision.reason != BELOW_MINIMUM:
                return self.t("withheld")
            return self.t("not_shown_cell", n=self.min_n)
        return "no scores"

    def references(self, subscale: str) -> dict[str, float]:
        """Reference means for a row: organisation (set reports) and programme."""
        refs = {}
        if self.spec.kind == SET:
            row = self.data.cell(self.org_key, subscale)
            if row is not None:
                refs[self.t("organization")] = row["mean"]
        if self.spec.kind != PROGRAMME_KIND:
            row = self.data.cell(PROGRAMME, subscale)
            if row is not None:
                refs[self.t("programme")] = row["mean"]
        return refs

    # -- the report ---------------------------------------------------------------

    def build(self) -> ReportContext:
        kind = self.spec.kind
        subscales = tuple(self.subscale_section(s) for s in self.instrument.subscales)
        extra: dict = {}
        if kind == ORGANIZATION:
            sets = [GroupKey(SET, self.key.organization, s)
                    for s in self.data.sets_by_org[self.key.organization]]
            extra.update(self.comparison(sets, self.t("set")))
            extra.update(self.aggregation())
        elif kind == PROGRAMME_KIND:
            orgs = [GroupKey(ORGANIZATION, o) for o in sorted(self.data.sets_by_org)]
            extra.update(self.comparison(orgs, self.t("organization")))
            extra["panels"] = tuple(self.panel(o) for o in orgs)
            extra.update(self.aggregation())
        if kind == SET:
            questions = tuple(self.set_questions())
            questions_intro = (
                "Chosen from this set's pattern of results, as material for the next "
                "meeting. Each notes what prompted it."
            )
        else:
            questions = tuple(organization_questions(self.instrument))
            questions_intro = (
                "For the sponsor and those who support the sets: questions about the "
                "organisation rather than about any one set."
            )
        context = ReportContext(
            lang=self.instrument.language,
            title=f"{self.kind_label()}: {self.group_name()}",
            page_size="A4",
            document_class=f"report report-{kind}",
            kind=kind,
            template=self.spec.template,
            brand_css=Markup(self.brand.css()),
            strings=dict(self.brand.strings),
            cover=self.cover(),
            footer=self.footer(),
            reading=self.reading(),
            scale=tuple(Fact(str(v), label) for v, label in zip(
                self.scale.values, self.scale.labels, strict=True)),
            summary=self.summary(),
            profile=self.profile(),
            picture=self.picture(),
            subscales=subscales,
            questions=questions,
            questions_intro=questions_intro,
            methods=self.methods(),
            stamp=self.stamp(),
            **extra,
        )
        if kind == PROGRAMME_KIND:
            from dataclasses import replace

            context = replace(context, contents=contents_of(context))
        return context

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

    # -- profile, summary, picture ------------------------------------------------------

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
            return charts.PicturePoint(
                label, x["mean"], y["mean"],
                x_ci=(x["ci_low"], x["ci_high"]) if with_ci else None,
                y_ci=(y["ci_low"], y["ci_high"]) if with_ci else None,
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

    # -- subscales in detail ----------------------------------------------------------

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
            band_label=band.label if band else "", band_text=band.text if band else "",
            agreement=agreement, distribution=distribution, omitted=omitted,
        )

    def agreement(self, row: dict) -> Agreement:
        label = row["agreement"]
        if not label:
            return Agreement("Not assessed", "Fewer than two members answered every statement "
                             "of this subscale.")
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
        if hidden:
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

    # -- groups side by side ------------------------------------------------------------

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

    # -- diagnostics, questions, methods ------------------------------------------------

    def aggregation(self) -> dict:
        n_sets = self.data.n_sets
        if n_sets < ICC_MIN_SETS:
            return {"aggregation": (
                f"Intraclass correlations (ICC) are not reported: the programme has {n_sets} "
                f"{'set' if n_sets == 1 else 'sets'}, and with fewer than {ICC_MIN_SETS} the "
                "estimate is too unstable to read. With four sets of six, for instance, a "
                f"true ICC(1) of .10 can be estimated anywhere from {MINUS}.17 to .48.",
            ), "aggregation_table": None}
        rows = []
        for rel in self.result.reliability.to_dict("records"):
            sub = self.instrument.subscale(rel["subscale"])
            rows.append((sub.name, _signed(rel["icc1"]), _signed(rel["icc2"])))
        paragraphs = (
            f"How much of the variation in scores lies between the programme's {n_sets} sets "
            "rather than within them (Bliese 2000). ICC(1) is the share of the variation "
            "that lies between sets; ICC(2) is how reliably a set's mean tells sets apart.",
            "An ICC(1) at or below zero means the sets differ no more than chance would "
            "make them; an ICC(2) below about .70 means set means should be compared with "
            "care. The estimates use every respondent in the programme, so no set can be "
            "read from them.",
        )
        table = Table(("Subscale", "ICC(1)", "ICC(2)"), tuple(rows), (False, True, True))
        return {"aggregation": paragraphs, "aggregation_table": table}

    def set_questions(self) -> list[ReflectiveQuestion]:
        patterns = []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is not None:
                patterns.append(SubscalePattern(sub.id, row["mean"], row["agreement"]))
        chosen = choose_questions(self.instrument, patterns)
        names = {s.id: s.name for s in self.instrument.subscales}
        out = []
        for q in chosen:
            name = names.get(q.subscale, "")
            reason = {
                "high": f"Prompted by: {name}, in its higher band",
                "low": f"Prompted by: {name}, in its lower band",
                "agreement": (f"Prompted by: differing views on {name}" if name
                              else "About how the set handles differing views"),
                "always": f"About: {name}" if name else "",
            }.get(q.reason, "")
            out.append(ReflectiveQuestion(q.text, q.subscale, reason))
        return out

    def methods(self) -> Methods:
        s = self.scale
        reverse_total = s.min + s.max
        scoring = (
            f"Answers are scored {s.min} ({s.labels[0]}) to {s.max} ({s.labels[-1]}). "
            "Statements worded the other way round are reverse-scored on the declared scale "
            f"(score = {reverse_total} {MINUS} answer).",
            "A person's subscale score is the mean of the statements of that subscale they "
            "answered, given only when they answered at least the number shown below. "
            + (f'"{s.missing[0]}" ' if s.missing else "")
            + "counts as not answered, never as the middle of the scale. A score from fewer "
            "than all the statements is a prorated score.",
            "Group means come with 95% confidence intervals from the t distribution "
            f"(mean {_PLUS_MINUS} t \u00d7 SD / \u221an); standard deviations use "
            f"n\u00a0{MINUS}\u00a01.",
        )
        rows = []
        prorated, unscored = self.result.scored.prorated, self.result.scored.unscored
        programme_shown = PROGRAMME in self.data.counts
        for sub in self.instrument.subscales:
            k = len(self.instrument.items_of(sub.id))
            rows.append((
                sub.name, str(k), str(sub.min_answered),
                str(prorated.get(sub.id, 0)) if programme_shown else EN_DASH,
                str(unscored.get(sub.id, 0)) if programme_shown else EN_DASH,
            ))
        missing = Table(
            ("Subscale", "Statements", "Answered at least", "Prorated scores",
             "No score"),
            tuple(rows), (False, True, True, True, True),
            notes=(
                "Prorated scores and people without a score are counted over the whole "
                "programme only. Counted for one set, they would tell a small group how "
                "many of its members left statements blank, which comes close to "
                "identifying them.",
            ),
        )
        agreement = (
            "Agreement within a set uses rwg(j) (James, Demaree & Wolf 1984), computed from "
            "members who answered every statement of the subscale, and the average "
            "deviation AD (Burke & Dunlap 2002). Small groups can look in agreement by "
            "chance, so rwg(j) is compared with the 95th percentile of its value under "
            "purely random answering, worked out for the group's size and the number of "
            f"statements, rather than a fixed .70. AD is read against {fmt(s.n_options / 6)} "
            f"scale points ({s.n_options}/6).",
            "Shared view: rwg(j) above that critical value and AD within the guide. "
            "Divergent: neither. Mixed: one but not the other.",
        )
        return Methods(
            scoring=scoring,
            missing=missing,
            agreement=agreement if self.spec.kind == SET else (),
            reliability_intro=(
                "Reliability (Cronbach's alpha, with a 95% Feldt interval) is computed once, "
                "over everyone in the programme: in a group of a few people it would mean "
                f"nothing. It is printed only when at least {RELIABILITY_MIN_N} people have "
                f"answered; alpha below {_dot(ALPHA_FLAG)} is flagged, and a caution added "
                f"when the interval reaches below {_dot(FELDT_CAUTION)}.",
            ),
            reliability=self.reliability(),
            suppression=self.suppression_text(),
        )

    def reliability(self) -> Table:
        rows = []
        for rel in self.result.reliability.to_dict("records"):
            sub = self.instrument.subscale(rel["subscale"])
            n = int(rel["n"]) if not _missing(rel["n"]) else 0
            if n < RELIABILITY_MIN_N or _missing(rel["alpha"]):
                rows.append((sub.name, str(int(rel["k"])), str(n), EN_DASH, EN_DASH,
                             f"not reported: fewer than {RELIABILITY_MIN_N} people"))
                continue
            notes = []
            if rel["alpha"] < ALPHA_FLAG:
                notes.append(f"below {_dot(ALPHA_FLAG)}: read scores with care")
            if not _missing(rel["alpha_ci_low"]) and rel["alpha_ci_low"] < FELDT_CAUTION:
                notes.append(f"caution: interval reaches below {_dot(FELDT_CAUTION)}")
            rows.append((sub.name, str(int(rel["k"])), str(n), _dot(rel["alpha"]),
                         f"{_dot(rel['alpha_ci_low'])} to {_dot(rel['alpha_ci_high'])}",
                         "; ".join(notes)))
        headers = ("Subscale", "Statements", "People", "Alpha", "95% interval", "Note")
        if not any(row[-1] for row in rows):
            headers, rows = headers[:-1], [row[:-1] for row in rows]
        return Table(headers, tuple(rows), (False, True, True, True, True, False))

    def suppression_text(self) -> tuple[str, ...]:
        n = self.min_n
        first = (f"The minimum group size in this run is {n}. No result is reported for a "
                 f"set, organisation or the programme with fewer than {n} respondents; within "
                 f"a reported group, no subscale result rests on fewer than {n} scores and no "
                 f"statement's answers on fewer than {n} answers.")
        if self.result.suppression.consented:
            first += (f" The sets consented to a minimum below the usual 5; {n} is the "
                      "lowest surveyor allows.")
        return (
            first,
            "When one group is withheld, the next smallest of its siblings is withheld too "
            f"until the withheld groups hold at least {n} respondents between them, so that "
            "no hidden result can be recovered by subtracting the shown groups from their "
            "organisation or programme. All reports of a run come from one such decision, "
            "so no two reports can be subtracted from each other either.",
            "Reports contain no individual answers, no free-text comments and no breakdown "
            "within a set, and sets are never ranked.",
        )

    def stamp(self) -> tuple[Fact, ...]:
        r = self.result
        rule = ", ".join(f"{sub.id} {sub.min_answered} of "
                         f"{len(self.instrument.items_of(sub.id))}"
                         for sub in self.instrument.subscales)
        return (
            Fact("Instrument", f"{self.instrument.id}, version {self.instrument.version}"),
            Fact("Data file", r.responses.source.name),
            Fact("Data file SHA-256", r.responses.sha256),
            Fact("surveyor version", r.version),
            Fact("Minimum group size",
                 f"{r.settings.min_group_size}"
                 + (" (sets consented)" if r.settings.consented else "")),
            Fact("Scores need answers to", rule),
        )


def contents_of(context: ReportContext) -> tuple[ContentsEntry, ...]:
    """The programme overview's table of contents, from the sections it will print."""
    s = context.strings
    entries = [ContentsEntry("how-to-read", s["how_to_read"]),
               ContentsEntry("summary", s["summary"]),
               ContentsEntry("profile", s["profile"], 2)]
    if context.picture is not None:
        entries.append(ContentsEntry("picture", s["picture"], 2))
    entries.append(ContentsEntry("side-by-side", s["organizations_side_by_side"]))
    entries.append(ContentsEntry("organizations", s["organizations"]))
    entries += [ContentsEntry(p.anchor, p.name, 2) for p in context.panels]
    entries.append(ContentsEntry("aggregation", s["aggregation"]))
    entries.append(ContentsEntry("subscales", s["subscales"]))
    entries += [ContentsEntry(sub.anchor, sub.name, 2) for sub in context.subscales]
    entries += [ContentsEntry("questions", s["questions"]),
                ContentsEntry("methods", s["methods"])]
    return tuple(entries)


# --------------------------------------------------------------------------- formatting

_AGREEMENT_KEYS = {"shared view": "shared_view", "mixed": "mixed", "divergent": "divergent"}
_PLUS_MINUS = "\u00b1"


def _chunks(keys: list, size: int) -> list[list]:
    """Split ``keys`` into the fewest parts of at most ``size``, as even as possible."""
    if len(keys) <= size:
        return [keys]
    parts = math.ceil(len(keys) / size)
    step = math.ceil(len(keys) / parts)
    return [keys[k:k + step] for k in range(0, len(keys), step)]


def _part_title(title: str, index: int, parts: int) -> str:
    return title if parts == 1 else f"{title} ({index + 1} of {parts})"


def _part_anchor(anchor: str, index: int) -> str:
    return anchor if index == 0 else f"{anchor}-{index + 1}"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or math.isinf(float(value))
    except (TypeError, ValueError):
        return True


def _interval(row: dict) -> str:
    if _missing(row["ci_low"]) or _missing(row["ci_high"]):
        return "not available"
    return f"{fmt(row['ci_low'])} to {fmt(row['ci_high'])}"


def _mean_ci(row: dict) -> str:
    if _missing(row["ci_low"]) or _missing(row["ci_high"]):
        return fmt(row["mean"])
    return f"{fmt(row['mean'])} ({fmt(row['ci_low'])}{EN_DASH}{fmt(row['ci_high'])})"


def _dot(value: float) -> str:
    """A coefficient bounded by 1 in APA style: ``.85``, ``\u2212.12``."""
    text = fmt(value)
    if text.startswith("-"):
        return MINUS + text[1:].lstrip("0")
    return text.lstrip("0") if text.startswith("0.") else text


def _signed(value: float) -> str:
    return EN_DASH if _missing(value) else _dot(value)
