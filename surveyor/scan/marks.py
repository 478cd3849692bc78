"""How much of each tick box is inked, and what the marks on a statement's row mean.

Each box is measured inside its printed border (so the border never counts), on the page
resampled by :mod:`surveyor.scan.register`. Two measures, each the share of the box's
inside that is darker than a level set between this page's paper and its printed ink:

- ``dark``: darker than half way from paper to ink, what a pen stroke leaves;
- ``faint``: darker than a quarter of the way, which also catches a pale or faint stroke.

A box is *empty* below ``EMPTY``, *marked* (a tick, a cross, a blob) from ``MARK``, and
*filled* (a cancelled answer: "fill the wrong box completely") from ``FILLED``. A faint
mark, or a mark too small to be sure of, is neither: the statement goes to review, as does
a statement with two or more marked boxes. Nothing uncertain is ever decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveyor.instrument.layout import ItemPlace, Rect
from surveyor.scan.register import PX_PER_PT

INSET_PT = 2.6  # inside the printed border (0.9 pt) and registration slack
EMPTY = 0.012
MARK = 0.07
FILLED = 0.62
FAINT_EMPTY = 0.012

DECIDED = "answered"
BLANK = "blank"
REVIEW = "review"


@dataclass(frozen=True)
class BoxMeasure:
    option: int
    dark: float
    faint: float
    state: str  # empty, marked, filled, unclear


@dataclass(frozen=True)
class ItemReading:
    item: str
    decision: str  # answered, blank, review
    option: int | None
    reason: str
    boxes: tuple[BoxMeasure, ...]


@dataclass(frozen=True)
class Levels:
    """The page's paper and ink grey levels, and the thresholds between them."""

    paper: float
    ink: float

    @property
    def dark_below(self) -> float:
        return self.ink + 0.5 * (self.paper - self.ink)

    @property
    def faint_below(self) -> float:
        return self.paper - 0.25 * (self.paper - self.ink)


def page_levels(image, fiducials_pt) -> Levels:
    """Paper: the page's commonest light grey; ink: the inside of the corner squares."""
    import numpy as np

    paper = float(np.percentile(image, 75))
    inks = []
    for x, y in fiducials_pt:
        cx, cy = round(x * PX_PER_PT), round(y * PX_PER_PT)
        inks.append(np.median(image[cy - 4: cy + 5, cx - 4: cx + 5]))
    ink = float(np.median(inks))
    if paper - ink < 40:  # a washed-out scan: keep the thresholds apart
        ink = paper - 40
    return Levels(paper, ink)


def measure_box(image, rect: Rect, levels: Levels, option: int) -> BoxMeasure:
    x, y, w, h = rect
    x0 = round((x + INSET_PT) * PX_PER_PT)
    y0 = round((y + INSET_PT) * PX_PER_PT)
    x1 = round((x + w - INSET_PT) * PX_PER_PT)
    y1 = round((y + h - INSET_PT) * PX_PER_PT)
    inside = image[y0:y1, x0:x1]
    dark = float((inside < levels.dark_below).mean())
    faint = float((inside < levels.faint_below).mean())
    if dark >= FILLED:
        state = "filled"
    elif dark >= MARK:
        state = "marked"
    elif dark < EMPTY and faint < FAINT_EMPTY:
        state = "empty"
    else:
        state = "unclear"
    return BoxMeasure(option, round(dark, 4), round(faint, 4), state)


def read_item(image, place: ItemPlace, levels: Levels) -> ItemReading:
    """Measure a statement's boxes and decide: one answer, blank, or review."""
    boxes = tuple(
        measure_box(image, rect, levels, option) for option, rect in enumerate(place.boxes)
    )
    marked = [b.option for b in boxes if b.state == "marked"]
    unclear = [b.option for b in boxes if b.state == "unclear"]
    if len(marked) >= 2:
        return ItemReading(place.item, REVIEW, None, "more than one box marked", boxes)
    if unclear:
        reason = "faint or unclear mark" if not marked else "a tick and an unclear mark"
        return ItemReading(place.item, REVIEW, None, reason, boxes)
    if marked:
        return ItemReading(place.item, DECIDED, marked[0], "", boxes)
    return ItemReading(place.item, BLANK, None, "", boxes)


def border_found(image, rect: Rect, levels: Levels) -> bool:
    """Whether the printed border of a box is where the layout puts it: along each of its
    four edges, most points have ink within 2 px of the line (darker than ``faint_below``:
    at 150 dpi the thin border, blurred, is paler than a pen stroke)."""
    import numpy as np

    x, y, w, h = (v * PX_PER_PT for v in rect)
    half = 0.45 * PX_PER_PT  # the border is 0.9 pt wide, its centre line half that in
    reach = 2
    left, right = round(x + half), round(x + w - half)
    top, bottom = round(y + half), round(y + h - half)
    if left - reach < 0 or top - reach < 0 or right + reach >= image.shape[1] or (
        bottom + reach >= image.shape[0]
    ):
        return False
    edges = [
        image[top - reach: top + reach + 1, left:right].min(axis=0),
        image[bottom - reach: bottom + reach + 1, left:right].min(axis=0),
        image[top:bottom, left - reach: left + reach + 1].min(axis=1),
        image[top:bottom, right - reach: right + reach + 1].min(axis=1),
    ]
    return all(float(np.mean(edge < levels.faint_below)) >= 0.6 for edge in edges)


def prepare(image):
    """Smooth scanner noise before measuring (a 3x3 median keeps stroke edges)."""
    import cv2

    return cv2.medianBlur(image, 3)
