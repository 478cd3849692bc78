"""Constants and formatting helpers shared by the context builders."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from surveyor.typeset.environment import fmt

if TYPE_CHECKING:
    pass


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
# Client reports print every mean and interval to one decimal: groups.csv rounds the
# means and sds of sets and small groups to one (surveyor.numbers.disclosure, rule 5),
# and one precision on every page means a reader never sees 2.7 beside 2.68.
MEAN_DECIMALS = 1
MINUS = "\u2212"





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


def bounded(row: dict, low: float, high: float) -> tuple[float, float] | None:
    """A row's 95% interval cut at the scale's ends (``None`` when there is none).

    A t interval is symmetric about the mean and can run past the scale (4.45 +- 0.74 on
    a 1-5 scale); no mean can lie outside the scale, so the part beyond it is cut off and
    the printed interval says so (:func:`_interval`).
    """
    if _missing(row["ci_low"]) or _missing(row["ci_high"]):
        return None
    return max(float(row["ci_low"]), low), min(float(row["ci_high"]), high)


def _interval(row: dict, low: float, high: float) -> str:
    """``"2.10 to 3.25"``, marked where the interval was cut at an end of the scale."""
    cut = bounded(row, low, high)
    if cut is None:
        return "not available"
    text = f"{fmt(cut[0], MEAN_DECIMALS)} to {fmt(cut[1], MEAN_DECIMALS)}"
    ends = [name for name, was, now in (("bottom", row["ci_low"], cut[0]),
                                         ("top", row["ci_high"], cut[1])) if was != now]
    if ends:
        text += f" (cut at the {' and '.join(ends)} of the scale)"
    return text


def _dot(value: float) -> str:
    """A coefficient bounded by 1 in APA style: ``.85``, ``\u2212.12``."""
    text = fmt(value)
    if text.startswith("-"):
        return MINUS + text[1:].lstrip("0")
    return text.lstrip("0") if text.startswith("0.") else text


def _signed(value: float) -> str:
    return EN_DASH if _missing(value) else _dot(value)


def shown(value: float) -> float:
    """Another group's mean as a reference mark: rounded to the two decimals reports print.

    A mark is drawn where its printed figure says (half a hundredth is under a point on
    the page), and a report changes only when a reference it shows changes: correcting one
    set's answers moves the programme mean in the fifth decimal, which must not re-render
    every other report of the programme (issue 6, W3).
    """
    return round(float(value), 2)
