"""Shared pieces of the charts: palette, input rows, formatting, text measuring, legends.

The builder that assembles a chart is :mod:`surveyor.reports.charts.builder`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    from .builder import _Svg


class ChartError(SurveyorError):
    """A chart was asked for with inputs it cannot draw (empty rows, inverted scale...)."""


# ColorBrewer PuOr (Brewer, Harrower & Penn State), each side from its darkest to its
# lightest class; colour-blind safe and print friendly, unlike RdYlGn or Spectral.
_PUOR_LOW = ("#7f3b08", "#b35806", "#e08214", "#fdb863", "#fee0b6")
_PUOR_HIGH = ("#2d004b", "#542788", "#8073ac", "#b2abd2", "#d8daeb")
# ColorBrewer Blues, light to dark, without its near-white first class so that the lowest
# cell still reads as a filled cell against the page.
_BLUES = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")


@dataclass(frozen=True)
class ChartPalette:
    """Colours and type for every chart; a brand overrides any field.

    Attributes
    ----------
    text, muted_text
        Labels; notes, captions and tick labels.
    text_on_dark
        Text printed on a dark fill (percentages, heatmap values).
    background
        The page behind the chart, used inside open markers.
    axis, grid, band
        Axis lines and zero line; gridlines; the faint stripe behind every other row.
    point, reference
        The group's dot and interval; the outline of reference marks.
    diverging_low, diverging_high
        Disagree and agree colours, each from the strongest option to the one next to
        neutral; the charts sample as many as they need.
    neutral
        The neutral option; lighter than every other option, so it also reads in greyscale.
    sequential
        The heatmap ramp, from the scale minimum to the maximum (one hue).
    suppressed
        Cells and rows that cannot be shown.
    font_family, font_size
        Type of all chart text; sizes of smaller text derive from ``font_size`` (px).
    """

    text: str = "#262626"
    muted_text: str = "#6b6b6b"
    text_on_dark: str = "#ffffff"
    background: str = "#ffffff"
    axis: str = "#7a7a7a"
    grid: str = "#e2e2e2"
    band: str = "#f5f5f5"
    point: str = "#1d3f5e"
    reference: str = "#4a4a4a"
    diverging_low: tuple[str, ...] = _PUOR_LOW
    diverging_high: tuple[str, ...] = _PUOR_HIGH
    neutral: str = "#dedede"
    sequential: tuple[str, ...] = _BLUES
    suppressed: str = "#e6e6e6"
    font_family: str = "Lato, 'Helvetica Neue', Arial, sans-serif"
    font_size: float = 11.0


@dataclass(frozen=True)
class IntervalRow:
    """One row of a profile or forest chart: a mean with its 95% interval.

    Attributes
    ----------
    label
        Subscale name (profile) or group name (forest).
    mean
        The mean on the scale; ``None`` or NaN when it may not or cannot be shown, in which
        case ``note`` is printed instead of a dot.
    ci_low, ci_high
        The 95% interval; ``None`` or NaN draws the dot alone (a group of one).
    n
        Respondents behind the mean; printed by the forest chart, never for a row
        without a mean.
    references
        Reference means for the same row, by name (``{"Organisation": 3.1}``); each name
        gets its own open marker and a legend entry.
    note
        Text shown instead of the dot, such as ``"fewer than 5 responses"``.
    """

    label: str
    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    references: Mapping[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class PicturePoint:
    """One group's position on the two-subscale picture.

    Attributes
    ----------
    label
        Group name (``"This set"``, ``"Organisation"``).
    x, y
        Means on the two subscales; a point with either missing is listed as not shown,
        with ``note``.
    x_ci, y_ci
        Optional 95% intervals, drawn as thin crosshairs.
    marker
        ``"circle"``, ``"diamond"``, ``"square"`` or ``"triangle"``; by default the
        first point is a filled circle and the others open diamond, square, triangle and
        circle in turn. Only the first point is ever filled.
    note
        Why the point is not shown.
    """

    label: str
    x: float | None
    y: float | None
    x_ci: tuple[float, float] | None = None
    y_ci: tuple[float, float] | None = None
    marker: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ItemDistribution:
    """Answers to one item: ``counts[k]`` respondents chose scale option ``k``.

    Counts cover answered options only; "don't know" and blanks are left out, so the
    percentages are of those who answered.
    """

    label: str
    counts: Sequence[int]


# --------------------------------------------------------------------------------------
# Formatting, text measurement and colour helpers


def _fixed(value: float, places: int) -> str:
    """``value`` with at most ``places`` decimals, never ``-0``, for deterministic output."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _num(value: float) -> str:
    """A coordinate with at most two decimals."""
    return _fixed(value, 2)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# Advance widths in em, rounded from Lato Regular; close enough for Helvetica and Arial.
# Layout only needs to know whether a label fits, not where each glyph falls.
def _char_width(char: str) -> float:
    if char in "iljI.,;:'!| ":
        return 0.25
    if char in 'frt-()/"?[]':
        return 0.37
    if char in "MW":
        return 0.97
    if char in "mw%&@":
        return 0.78
    if char.isdigit():
        return 0.58
    if char.isupper():
        return 0.68
    return 0.53


_WIDTHS = {chr(code): _char_width(chr(code)) for code in range(32, 0x250)}


def _text_width(text: str, size: float) -> float:
    """Estimated rendered width of ``text`` in px, with a small safety margin."""
    return 1.04 * size * sum(_WIDTHS.get(c, 0.6) for c in text)


def _fit(text: str, max_px: float, size: float) -> str:
    """``text`` cut with an ellipsis so that it fits in ``max_px``."""
    scale = 1.04 * size
    if scale * sum(_WIDTHS.get(c, 0.6) for c in text) <= max_px:
        return text
    room = max_px / scale - 0.73  # the ellipsis
    used, keep = 0.0, 0
    for char in text:
        used += _WIDTHS.get(char, 0.6)
        if used > room:
            break
        keep += 1
    return text[:keep].rstrip() + "…"


def _wrap(text: str, max_px: float, size: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines, the last one cut if needed."""
    words = text.split()
    if not words:
        return []
    space = _text_width(" ", size)
    lines = [[words[0]]]
    line_w = _text_width(words[0], size)
    for index, word in enumerate(words[1:], start=1):
        word_w = _text_width(word, size)
        if line_w + space + word_w <= max_px:
            lines[-1].append(word)
            line_w += space + word_w
        elif len(lines) == max_lines:
            # Out of lines: the rest joins the last line, which is then cut with an ellipsis.
            lines[-1] += words[index:]
            break
        else:
            lines.append([word])
            line_w = word_w
    return [_fit(" ".join(line), max_px, size) for line in lines]


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _sample(ramp: Sequence[str], position: float) -> str:
    """The colour at ``position`` (0 to 1) along ``ramp``, interpolated in sRGB."""
    position = min(max(position, 0.0), 1.0) * (len(ramp) - 1)
    low = min(int(position), len(ramp) - 2) if len(ramp) > 1 else 0
    if len(ramp) == 1:
        return ramp[0]
    t = position - low
    a, b = _rgb(ramp[low]), _rgb(ramp[low + 1])
    mixed = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _luminance(colour: str) -> float:
    """WCAG relative luminance, to choose dark or light text on a fill."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(fill: str, palette: ChartPalette) -> str:
    # Light text from mid-tones down: on saturated mid blues and purples the WCAG ratio
    # slightly favours dark text, yet light text reads better there (as APCA predicts).
    return palette.text if _luminance(fill) >= 0.3 else palette.text_on_dark


def _side_colours(ramp: Sequence[str], count: int) -> list[str]:
    """``count`` colours from a strongest-to-lightest ``ramp``, strongest first.

    Few options keep away from the extremes (ColorBrewer's 4- and 5-class schemes do the
    same); many options use the whole ramp.
    """
    if count <= 0:
        return []
    if count == 1:
        return [_sample(ramp, 0.5)]
    # Positions chosen to reproduce ColorBrewer's 4-, 7-, 9- and 11-class PuOr.
    start, stop = {2: (0.375, 0.75), 3: (0.25, 1.0), 4: (0.25, 1.0)}.get(count, (0.0, 1.0))
    return [_sample(ramp, start + (stop - start) * k / (count - 1)) for k in range(count)]


def _nice_step(span: float, max_ticks: int = 10) -> float:
    # Whole steps whenever the span allows: the scales are integer response positions.
    steps = (0.25, 0.5) if span < 2 else ()
    for step in (*steps, 1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= max_ticks:
            return step
    return span / max_ticks


def _ticks(low: float, high: float) -> list[float]:
    step = _nice_step(high - low)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def _tick_label(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _check_scale(scale_min: float, scale_max: float) -> None:
    if _missing(scale_min) or _missing(scale_max) or not scale_min < scale_max:
        raise ChartError(f"the scale must run from a lower to a higher value, "
                         f"got {scale_min} to {scale_max}")


_REFERENCE_SHAPES = ("diamond", "square", "triangle", "circle")


def _legend(svg: _Svg, entries: Sequence[tuple[str, str, str, bool]], x: float, y: float,
            max_x: float) -> float:
    """Draw ``(kind, label, colour, filled)`` legend entries from ``(x, y)``, wrapping at
    ``max_x``; return the y below the legend.

    ``kind`` is a marker shape, ``"interval"`` (dot with whisker), ``"rule"`` (a dashed
    vertical line) or ``"swatch"``.
    """
    size = svg.palette.font_size - 1
    cursor, line_y = x, y + 6
    for kind, label, colour, filled in entries:
        key_w = 24 if kind == "interval" else 12
        need = key_w + 5 + _text_width(label, size) + 16
        if cursor > x and cursor + need > max_x:
            cursor, line_y = x, line_y + 16
        if kind == "interval":
            svg.line(cursor, line_y, cursor + key_w, line_y, colour, 1.5)
            svg.marker("circle", cursor + key_w / 2, line_y, colour, True)
        elif kind == "swatch":
            svg.rect(cursor, line_y - 5, key_w, 10, colour)
        elif kind == "rule":
            svg.line(cursor + key_w / 2, line_y - 6, cursor + key_w / 2, line_y + 6, colour,
                     1.0, "3 2")
        else:
            svg.marker(kind, cursor + key_w / 2, line_y, colour, filled)
        svg.text_middle(cursor + key_w + 5, line_y, label, size, fill=svg.palette.text)
        cursor += need
    return line_y + 12


