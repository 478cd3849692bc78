"""The template contract: the dataclasses every report template receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import GroupKey
from surveyor.reports.questions import (
    ReflectiveQuestion,
)

if TYPE_CHECKING:
    from .change import ChangeSection

from .common import (
    TEMPLATES,
)


@dataclass(frozen=True)
class ReportSpec:
    """One report a run will write.

    Attributes
    ----------
    kind
        ``"set"``, ``"organization"`` or ``"programme"``.
    key
        The group (:class:`surveyor.numbers.anonymity.GroupKey`); only shown groups get a spec.
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
    """Agreement within a set on one subscale, in plain words: a label ("Views differ"),
    the sentence explaining it, and ``key`` ("shared_view", "mixed", "divergent", or ""
    when there were too few complete answers to judge)."""

    label: str
    sentence: str
    key: str = ""


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
        Mean, interval (cut at the scale's ends, and marked) and number of scores.
    references
        How the mean compares with the organisation's and programme's ("higher" only when
        the interval leaves out theirs), as a sentence (may be empty).
    band_label, band_text
        The instrument's interpretation band, only where the interval and agreement bear
        it out ("somewhere between ..." otherwise); in organisation and programme
        reports, the band's ``organization_text`` when it has one.
    agreement
        Agreement within the set (set reports), or ``None``.
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
class ContentsEntry:
    """A line of the table of contents: ``level`` 1 or 2, linking to ``anchor``."""

    anchor: str
    title: str
    level: int = 1


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
    glance
        "At a glance": three to five plain sentences generated from the results.
    contents
        Table of contents (programme overview; empty otherwise).
    profile, picture
        The subscale profile and the learning-in-action picture (``picture`` is ``None``
        when the instrument declares no pair).
    side_by_side, comparison_title, comparison_intro, comparison_table, heatmaps, caveat
        Organisation and programme reports: every child group on every subscale in one
        chart (alphabetical, never ranked), participation, the heatmap with a fitted
        colour scale, and the aggregation caveat as one plain sentence.
    set_heatmaps
        Programme overview: every set of every organisation.
    subscales
        Each subscale: a few sentences and the answers to each statement.
    subscales_intro
        Said once before the subscales instead of under each: why a heading names two
        bands, which subscales' statements are withheld.
    questions, questions_intro
        Reflective questions (set) or questions for the sponsor, chosen from the pattern.
    actions
        Column heads of the action-planning space (set reports), or empty.
    about
        "About these results": the scale, an interval, the anonymity rule, in plain words.
    stamp_line
        The reproducibility stamp in one line (the technical note has it in full).
    since
        With waves, "Since <previous wave>" (``surveyor.reports.context.change``).
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
    glance: tuple[str, ...]
    profile: Figure
    picture: Figure | None
    subscales: tuple[SubscaleSection, ...]
    questions: tuple[ReflectiveQuestion, ...]
    questions_intro: str
    about: tuple[str, ...]
    stamp_line: str
    actions: tuple[str, ...] = ()
    contents: tuple[ContentsEntry, ...] = ()
    side_by_side: Figure | None = None
    comparison_title: str = ""
    comparison_intro: tuple[str, ...] = ()
    comparison_table: Table | None = None
    heatmaps: tuple[Figure, ...] = ()
    set_heatmaps: tuple[Figure, ...] = ()
    caveat: str = ""
    since: ChangeSection | None = None
    subscales_intro: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """The template variables (a shallow mapping of the fields)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
