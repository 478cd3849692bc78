"""Build one report's context from the run's data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import BELOW_MINIMUM, PROGRAMME, GroupKey
from surveyor.reports.brand import Brand

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument
    from surveyor.pipeline import ScoreResult

from .appendix import AppendixMixin
from .change import change_section
from .common import (
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    shown,
)
from .comparisons import ComparisonsMixin
from .contract import (
    ContentsEntry,
    ReportContext,
    ReportSpec,
)
from .data import ReportData
from .glance import GlanceMixin
from .sections import SectionsMixin


def build_context(
    result: ScoreResult | ReportData,
    spec: ReportSpec,
    brand: Brand,
    data_date: str = "",
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
        The date of the data as it should be printed (``"2025-03-12"``), or empty to
        print none.

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


class _Builder(SectionsMixin, GlanceMixin, ComparisonsMixin, AppendixMixin):
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
        """Reference means for a row: organisation (set reports) and programme, at the
        precision reports print (:func:`shown`)."""
        refs = {}
        if self.spec.kind == SET:
            row = self.data.cell(self.org_key, subscale)
            if row is not None:
                refs[self.t("organization")] = shown(row["mean"])
        if self.spec.kind != PROGRAMME_KIND:
            row = self.data.cell(PROGRAMME, subscale)
            if row is not None:
                refs[self.t("programme")] = shown(row["mean"])
        return refs

    def build(self) -> ReportContext:
        kind = self.spec.kind
        subscales = tuple(self.subscale_section(s) for s in self.instrument.subscales)
        extra: dict = {}
        if kind in (ORGANIZATION, PROGRAMME_KIND):
            extra.update(self.comparison(self.children()))
        if kind == SET:
            questions = tuple(self.set_questions())
            questions_intro = (
                "Chosen from this set's pattern of results, as material for the next "
                "meeting. Each notes what prompted it."
            )
            extra["actions"] = (self.t("action_what"), self.t("action_who"),
                                self.t("action_when"))
        else:
            questions = tuple(self.organization_questions())
            questions_intro = (
                "For the sponsor and those who support the sets: questions about the "
                "organisation rather than about any one set, chosen from its pattern."
            )
        since = change_section(self)
        glance = self.glance(questions)
        if since is not None:
            # The clearest change since the previous wave, just before the closing pointer
            # to the questions.
            glance = (*glance[:-1], since.headline, glance[-1]) if questions else (
                *glance, since.headline)
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
            glance=glance,
            profile=self.profile(),
            picture=self.picture(),
            subscales=subscales,
            subscales_intro=self.subscales_intro(subscales),
            questions=questions,
            questions_intro=questions_intro,
            about=self.about(),
            stamp_line=self.stamp_line(),
            since=since,
            **extra,
        )
        if kind == PROGRAMME_KIND:
            from dataclasses import replace

            context = replace(context, contents=contents_of(context))
        return context


def contents_of(context: ReportContext) -> tuple[ContentsEntry, ...]:
    """The programme overview's table of contents, from the sections it will print."""
    s = context.strings
    entries = [ContentsEntry(context.since.anchor, context.since.title)] if (
        context.since is not None) else []
    entries += [ContentsEntry("results", s["results"]),
               ContentsEntry("profile", s["profile"], 2)]
    if context.picture is not None:
        entries.append(ContentsEntry("picture", s["picture"], 2))
    entries.append(ContentsEntry("side-by-side", s["organizations_side_by_side"]))
    if context.set_heatmaps:
        entries.append(ContentsEntry("sets", s["heatmap"]))
    entries.append(ContentsEntry("subscales", s["subscales"]))
    entries += [ContentsEntry(sub.anchor, sub.name, 2) for sub in context.subscales]
    entries += [ContentsEntry("questions", s["questions"]),
                ContentsEntry("about", s["about"])]
    return tuple(entries)
