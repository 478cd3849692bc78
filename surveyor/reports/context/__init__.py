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

from .builder import build_context, contents_of
from .common import ICC_MIN_SETS, ORGANIZATION, PROGRAMME_KIND, RELIABILITY_MIN_N, SET, TEMPLATES
from .contract import (
    Agreement,
    ContentsEntry,
    Cover,
    Fact,
    Figure,
    Footer,
    ReportContext,
    ReportSpec,
    SubscaleSection,
    Table,
)
from .data import ReportData, report_plan
from .technical import TechnicalNote, build_technical_note

__all__ = [
    "ICC_MIN_SETS", "ORGANIZATION", "PROGRAMME_KIND", "RELIABILITY_MIN_N", "SET", "TEMPLATES",
    "Agreement", "ContentsEntry", "Cover", "Fact", "Figure", "Footer", "ReportContext",
    "ReportData", "ReportSpec", "SubscaleSection", "Table", "TechnicalNote", "build_context",
    "build_technical_note", "contents_of", "report_plan",
]
