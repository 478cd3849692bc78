"""Charts for the reports, as SVG markup strings to inline in the report HTML.

Every function here is pure: typed rows in, one ``<svg>`` string out, built by hand
rather than through a plotting library so that a chart costs well under a millisecond and
the same input always gives byte-identical markup (no ids, no randomness, fixed decimals).

The visual language follows the domain brief (DOMAIN.md sections 6 and 7):

- means as a dot with a 95% interval whisker on the scale axis, never bars anchored at 1;
- item distributions as diverging stacked bars (Heiberger & Robbins 2014) in a
  colour-blind-safe diverging palette (ColorBrewer PuOr), neutral in grey split at zero;
- the set x subscale heatmap in a single sequential hue, suppressed cells grey and labelled;
- text labels everywhere, so that no reading depends on colour alone; no red/amber/green.

WeasyPrint does not cascade the HTML document's CSS into inline SVG, so the font family is
set on each chart from :class:`ChartPalette` (the brand can override it along with every
colour).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from .errors import SurveyorError

__all__ = [
    "ChartError",
    "ChartPalette",
    "IntervalRow",
    "ItemDistribution",
    "PicturePoint",
    "diverging_bars",
    "forest_chart",
    "heatmap",
    "percentages",
    "picture_chart",
    "profile_chart",
]


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
        first point is a filled circle and the others open shapes in that order.
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


def _num(value: float) -> str:
    """A coordinate with at most two decimals, never ``-0``, for deterministic output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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


# --------------------------------------------------------------------------------------
# SVG assembly


class _Svg:
    """Collects SVG elements; every piece of user text passes through ``escape``."""

    def __init__(self, palette: ChartPalette):
        self.palette = palette
        self.parts: list[str] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str,
             width: float = 1.0, dash: str = "") -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                 f'stroke="{escape(stroke)}" stroke-width="{_num(width)}"{extra}/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str,
             stroke: str = "", extra: str = "") -> None:
        outline = f' stroke="{escape(stroke)}" stroke-width="0.75"' if stroke else ""
        self.add(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
                 f'height="{_num(max(h, 0))}" fill="{escape(fill)}"{outline}{extra}/>')

    def text(self, x: float, y: float, content: str, *, size: float | None = None,
             anchor: str = "start", fill: str | None = None, italic: bool = False,
             bold: bool = False, extra: str = "") -> None:
        """Text with its baseline at ``y``."""
        attrs = [f'x="{_num(x)}"', f'y="{_num(y)}"']
        if size is not None:
            attrs.append(f'font-size="{_num(size)}"')
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if fill is not None:
            attrs.append(f'fill="{escape(fill)}"')
        if italic:
            attrs.append('font-style="italic"')
        if bold:
            attrs.append('font-weight="bold"')
        if extra:
            attrs.append(extra)
        self.add(f"<text {' '.join(attrs)}>{escape(content, quote=False)}</text>")

    def text_middle(self, x: float, cy: float, content: str, size: float, **kwargs) -> None:
        """Text vertically centred on ``cy`` (computed here: WeasyPrint only guesses at
        ``dominant-baseline``)."""
        self.text(x, cy + 0.36 * size, content, size=size, **kwargs)

    def marker(self, shape: str, cx: float, cy: float, colour: str, filled: bool) -> None:
        """A filled marker, or an open one on the background colour (hiding gridlines and
        whiskers behind it; callers draw filled dots last so that none is hidden)."""
        fill = colour if filled else self.palette.background
        paint = f'fill="{escape(fill)}" stroke="{escape(colour)}" stroke-width="1.25"'
        if shape == "circle":
            self.add(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="4" {paint}/>')
            return
        if shape == "square":
            points = [(-3.8, -3.8), (3.8, -3.8), (3.8, 3.8), (-3.8, 3.8)]
        elif shape == "triangle":
            points = [(0, -5), (4.6, 3.4), (-4.6, 3.4)]
        else:  # diamond
            points = [(0, -5.2), (5.2, 0), (0, 5.2), (-5.2, 0)]
        coords = " ".join(f"{_num(cx + dx)},{_num(cy + dy)}" for dx, dy in points)
        self.add(f'<polygon points="{coords}" {paint}/>')

    def render(self, width: float, height: float, title: str, kind: str) -> str:
        p = self.palette
        label = escape(title)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
            f'width="{_num(width)}px" height="{_num(height)}px" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="{label}" '
            f'font-family="{escape(p.font_family)}" font-size="{_num(p.font_size)}" '
            f'fill="{escape(p.text)}">'
        )
        return "".join([head, f"<title>{escape(title, quote=False)}</title>", *self.parts,
                        "</svg>"])


_REFERENCE_SHAPES = ("diamond", "square", "triangle", "circle")
_POINT_SHAPES = ("circle", "diamond", "square", "triangle")


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


# --------------------------------------------------------------------------------------
# Dot-and-interval charts: profile and forest


def _interval_chart(
    rows: Sequence[IntervalRow],
    scale_min: float,
    scale_max: float,
    *,
    kind: str,
    title: str,
    series_label: str,
    scale_labels: Sequence[str] | None,
    axis_label: str,
    show_n: bool,
    reference: tuple[str, float] | None,
    note: str,
    width: float,
    palette: ChartPalette | None,
) -> str:
    """One helper draws both charts: same axis, same dot, same whisker, same notes."""
    _check_scale(scale_min, scale_max)
    if not rows:
        raise ChartError(f"a {kind} chart needs at least one row")
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small = p.font_size, p.font_size - 1.5

    ref_names: list[str] = []
    for row in rows:
        ref_names += [name for name in row.references if name not in ref_names]
    shapes = {name: _REFERENCE_SHAPES[k % len(_REFERENCE_SHAPES)]
              for k, name in enumerate(ref_names)}

    right_w = 80 if show_n else 40
    label_w = min(max(_text_width(r.label, fs) for r in rows) + 4, 0.36 * width)
    x0, x1 = label_w + 14, width - right_w - 10

    def sx(value: float) -> float:
        clipped = min(max(value, scale_min), scale_max)
        return x0 + (clipped - scale_min) / (scale_max - scale_min) * (x1 - x0)

    entries = [("interval", series_label, p.point, True)]
    entries += [(shapes[name], name, p.reference, False) for name in ref_names]
    if reference is not None:
        entries.append(("rule", reference[0], p.reference, False))
    y = _legend(svg, entries, 0, 2, width)

    # Column heads over the printed numbers, so the values read as a small table.
    head_y = y + 8
    if show_n:
        svg.text(width - right_w + 34, head_y, "Mean", size=small, anchor="end",
                 fill=p.muted_text)
        svg.text(width - 4, head_y, "n", size=small, anchor="end", fill=p.muted_text)
    else:
        svg.text(width - 4, head_y, "Mean", size=small, anchor="end", fill=p.muted_text)
    top = head_y + 6
    row_h = 22.0 if len(rows) <= 20 else 18.0
    bottom = top + row_h * len(rows)

    if len(rows) > 6:
        for index in range(1, len(rows), 2):
            svg.rect(0, top + index * row_h, width, row_h, p.band)
    for tick in _ticks(scale_min, scale_max):
        svg.line(sx(tick), top, sx(tick), bottom, p.grid, 0.75)
    if reference is not None and not _missing(reference[1]):
        svg.line(sx(reference[1]), top, sx(reference[1]), bottom, p.reference, 1.0, "3 2")

    for index, row in enumerate(rows):
        cy = top + row_h * (index + 0.5)
        svg.text_middle(0, cy, _fit(row.label, label_w, fs), fs, fill=p.text)
        if _missing(row.mean):
            svg.text_middle(x0 + 2, cy, row.note or note, small, fill=p.muted_text, italic=True)
            continue
        if not (_missing(row.ci_low) or _missing(row.ci_high)):
            svg.line(sx(row.ci_low), cy, sx(row.ci_high), cy, p.point, 1.5)
        for name, value in row.references.items():
            if not _missing(value):
                svg.marker(shapes[name], sx(value), cy, p.reference, False)
        svg.marker("circle", sx(row.mean), cy, p.point, True)
        mean_x = width - right_w + 34 if show_n else width - 4
        svg.text_middle(mean_x, cy, f"{row.mean:.1f}", fs, anchor="end", fill=p.text)
        if show_n and row.n is not None:
            svg.text_middle(width - 4, cy, str(row.n), fs, anchor="end", fill=p.muted_text)

    svg.line(x0, bottom, x1, bottom, p.axis, 0.75)
    for tick in _ticks(scale_min, scale_max):
        svg.line(sx(tick), bottom, sx(tick), bottom + 3, p.axis, 0.75)
        svg.text(sx(tick), bottom + 14, _tick_label(tick), size=small, anchor="middle",
                 fill=p.muted_text)
    y = bottom + 14
    if scale_labels:
        low, high = scale_labels[0], scale_labels[-1]
        half = (x1 - x0) / 2 - 6
        y += 12
        svg.text(x0, y, _fit(low, half, small), size=small, fill=p.muted_text, italic=True)
        svg.text(x1, y, _fit(high, half, small), size=small, anchor="end", fill=p.muted_text,
                 italic=True)
    if axis_label:
        y += 14
        svg.text((x0 + x1) / 2, y, _fit(axis_label, x1 - x0, small), size=small,
                 anchor="middle", fill=p.muted_text)
    return svg.render(width, y + 5, title, kind)


def profile_chart(
    rows: Sequence[IntervalRow],
    scale_min: float,
    scale_max: float,
    scale_labels: Sequence[str] | None = None,
    *,
    title: str = "Subscale profile",
    series_label: str = "Mean with 95% interval",
    axis_label: str = "",
    note: str = "no scores",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Subscale profile: one row per subscale, a dot with its 95% interval on the scale.

    Parameters
    ----------
    rows
        One :class:`IntervalRow` per subscale, drawn top to bottom in the order given.
        Reference means (organisation, programme) go in each row's ``references`` and are
        drawn as open markers, a distinct shape per name, with a legend entry each.
    scale_min, scale_max
        The declared scale range; the axis spans exactly this, with a gridline and tick
        label at each integer. Intervals beyond it are clipped to it.
    scale_labels
        Optional labels of the scale ends (the first and last are used), printed under
        the axis ends, such as ``("Strongly disagree", "Strongly agree")``.
    title
        Accessible name of the chart (``<title>`` and ``aria-label``).
    series_label
        Legend text for the dot and whisker.
    axis_label
        Optional line under the axis.
    note
        Text for rows without a mean and without a note of their own.
    width
        Width in px (640 px prints 16.9 cm wide at 96 px per inch).
    palette
        Colours and type; :class:`ChartPalette` defaults when omitted.

    Returns
    -------
    str
        One ``<svg>`` element.

    Notes
    -----
    Means are never drawn as bars from the scale minimum (DOMAIN.md section 7): the length
    of such a bar has no meaning on an agreement scale.
    """
    return _interval_chart(
        rows, scale_min, scale_max, kind="profile", title=title, series_label=series_label,
        scale_labels=scale_labels, axis_label=axis_label, show_n=False, reference=None,
        note=note, width=width, palette=palette,
    )


def forest_chart(
    groups: Sequence[IntervalRow],
    scale_min: float,
    scale_max: float,
    scale_labels: Sequence[str] | None = None,
    *,
    reference: tuple[str, float] | None = None,
    title: str = "Groups side by side",
    series_label: str = "Mean with 95% interval",
    axis_label: str = "",
    note: str = "not shown",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Forest chart: one row per group (set, organisation), dot and 95% interval, with n.

    Parameters
    ----------
    groups
        One :class:`IntervalRow` per group, drawn in the order given (alphabetical, as the
        report lists sets; never sorted by value, which would make a league table).
        Suppressed groups have ``mean=None`` and a ``note`` such as
        ``"fewer than 5 responses"``; their ``n`` is never printed.
    scale_min, scale_max, scale_labels, title, series_label, axis_label, width, palette
        As for :func:`profile_chart`.
    reference
        Optional ``(name, mean)`` drawn as a dashed vertical line across all rows, such as
        the organisation mean.
    note
        Text for rows without a mean and without a note of their own.

    Returns
    -------
    str
        One ``<svg>`` element; its height grows with the number of groups (rows get
        slightly tighter beyond 20 groups).
    """
    return _interval_chart(
        groups, scale_min, scale_max, kind="forest", title=title, series_label=series_label,
        scale_labels=scale_labels, axis_label=axis_label, show_n=True, reference=reference,
        note=note, width=width, palette=palette,
    )


# --------------------------------------------------------------------------------------
# The two-subscale picture


def _overlap(box: tuple[float, float, float, float],
             boxes: Sequence[tuple[float, float, float, float]]) -> float:
    """Total area that ``box`` shares with ``boxes``."""
    x, y, w, h = box
    return sum(max(0.0, min(x + w, bx + bw) - max(x, bx))
               * max(0.0, min(y + h, by + bh) - max(y, by)) for bx, by, bw, bh in boxes)


def picture_chart(
    points: Sequence[PicturePoint],
    x_label: str,
    y_label: str,
    scale_min: float,
    scale_max: float,
    captions: Sequence[str] | None = None,
    *,
    title: str = "The learning-in-action picture",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Two subscale means against each other, for a few labelled groups.

    Parameters
    ----------
    points
        One :class:`PicturePoint` per group (set, organisation, programme); each gets its
        own marker shape and a label beside it, and a key to the right lists the values.
    x_label, y_label
        Subscale names of the horizontal and vertical axes.
    scale_min, scale_max
        The declared scale range, the same on both axes.
    captions
        Optional four short captions for the quadrants, in the order top left, top
        right, bottom left, bottom right; printed small and muted in the outer corners.
    title, width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One ``<svg>`` element.

    Notes
    -----
    The lines through the scale midpoint divide the plane into quadrants; they mark the
    middle of the scale, not a norm.
    """
    _check_scale(scale_min, scale_max)
    if captions is not None and len(captions) != 4:
        raise ChartError("the picture takes four quadrant captions "
                         "(top left, top right, bottom left, bottom right)")
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small = p.font_size, p.font_size - 1.5
    side = min(380.0, width - 60)
    left, top = 46.0, 8.0
    right, bottom = left + side, top + side
    mid = (scale_min + scale_max) / 2

    def sx(value: float) -> float:
        v = min(max(value, scale_min), scale_max)
        return left + (v - scale_min) / (scale_max - scale_min) * side

    def sy(value: float) -> float:
        v = min(max(value, scale_min), scale_max)
        return bottom - (v - scale_min) / (scale_max - scale_min) * side

    ticks = _ticks(scale_min, scale_max)
    for tick in ticks:
        svg.line(sx(tick), top, sx(tick), bottom, p.grid, 0.75)
        svg.line(left, sy(tick), right, sy(tick), p.grid, 0.75)
        svg.text(sx(tick), bottom + 14, _tick_label(tick), size=small, anchor="middle",
                 fill=p.muted_text)
        svg.text_middle(left - 6, sy(tick), _tick_label(tick), small, anchor="end",
                        fill=p.muted_text)
    svg.line(sx(mid), top, sx(mid), bottom, p.axis, 0.75, "4 3")
    svg.line(left, sy(mid), right, sy(mid), p.axis, 0.75, "4 3")
    svg.rect(left, top, side, side, "none", stroke=p.axis)

    taken: list[tuple[float, float, float, float]] = []
    if captions is not None:
        quarter = side / 2 - 14
        corners = ((left + 6, top + 6, "start"), (right - 6, top + 6, "end"),
                   (left + 6, bottom - 6, "start"), (right - 6, bottom - 6, "end"))
        for caption, (cx, cy, anchor) in zip(captions, corners, strict=True):
            lines = _wrap(caption, quarter, small, 3)
            if cy > top + side / 2:  # bottom quadrants grow upwards from the corner
                cy -= 12 * len(lines) - 4
            for k, line in enumerate(lines):
                svg.text(cx, cy + 8 + 12 * k, line, size=small, anchor=anchor,
                         fill=p.muted_text, italic=True)
            box_w = max((_text_width(x, small) for x in lines), default=0)
            box_x = cx if anchor == "start" else cx - box_w
            taken.append((box_x, cy - 1, box_w, 12 * len(lines)))

    shown = [pt for pt in points if not (_missing(pt.x) or _missing(pt.y))]
    shapes = {id(pt): pt.marker or _POINT_SHAPES[k % len(_POINT_SHAPES)]
              for k, pt in enumerate(points)}
    for pt in shown:
        cx, cy = sx(pt.x), sy(pt.y)
        taken.append((cx - 6, cy - 6, 12, 12))
        if pt.x_ci and not any(_missing(v) for v in pt.x_ci):
            svg.line(sx(pt.x_ci[0]), cy, sx(pt.x_ci[1]), cy, p.point, 1.0)
            taken.append((sx(pt.x_ci[0]), cy - 3, sx(pt.x_ci[1]) - sx(pt.x_ci[0]), 6))
        if pt.y_ci and not any(_missing(v) for v in pt.y_ci):
            svg.line(cx, sy(pt.y_ci[0]), cx, sy(pt.y_ci[1]), p.point, 1.0)
            taken.append((cx - 3, sy(pt.y_ci[1]), 6, sy(pt.y_ci[0]) - sy(pt.y_ci[1])))
    # Open markers first, filled ones on top, so that no marker hides a filled dot.
    for pt in sorted(shown, key=lambda q: shapes[id(q)] == "circle"):
        shape = shapes[id(pt)]
        svg.marker(shape, sx(pt.x), sy(pt.y), p.point, shape == "circle")

    # Labels go diagonally off the marker, clear of its crosshairs, at the corner that stays
    # inside the plot and overlaps other labels, markers and crosshairs the least.
    for pt in shown:
        cx, cy = sx(pt.x), sy(pt.y)
        text = _fit(pt.label, side / 2 - 12, small)
        w, h = _text_width(text, small), small + 2
        spots = ((cx + 6, cy - 5 - h, "start"), (cx + 6, cy + 5, "start"),
                 (cx - 6 - w, cy - 5 - h, "end"), (cx - 6 - w, cy + 5, "end"),
                 (cx + 9, cy - h / 2, "start"))
        costs = [_overlap((sx_, sy_, w, h), taken)
                 + (0.0 if left < sx_ and sx_ + w < right and top < sy_ < bottom - h else 1e6)
                 for sx_, sy_, _ in spots]
        # The clearest spot; ties go to the earlier one, so the choice is deterministic.
        chosen = spots[costs.index(min(costs))]
        bx, by, anchor = chosen
        taken.append((bx, by, w, h))
        tx = {"start": bx, "end": bx + w, "middle": bx + w / 2}[anchor]
        svg.text_middle(tx, by + h / 2, text, small, anchor=anchor, fill=p.text)

    svg.text((left + right) / 2, bottom + 30, _fit(x_label, side, fs), size=fs,
             anchor="middle", fill=p.text)
    ylx, yly = 12.0, (top + bottom) / 2
    svg.text(ylx, yly, _fit(y_label, side, fs), size=fs, anchor="middle", fill=p.text,
             extra=f'transform="rotate(-90 {_num(ylx)} {_num(yly)})"')

    # The key repeats each point with its values, so no reading depends on the picture.
    key_x, key_y = right + 22, top + 6
    key_w = width - key_x - 2
    if key_w > 90:
        for pt in points:
            lines = _wrap(pt.label, key_w - 18, fs, 2)
            shape = shapes[id(pt)]
            svg.marker(shape, key_x + 5, key_y + 4, p.point, shape == "circle")
            for line in lines:
                svg.text(key_x + 16, key_y + 8, line, size=fs, fill=p.text)
                key_y += 13
            if not (_missing(pt.x) or _missing(pt.y)):
                for axis_name, value in ((x_label, pt.x), (y_label, pt.y)):
                    svg.text(key_x + 16, key_y + 6, _fit(axis_name, key_w - 40, small),
                             size=small, fill=p.muted_text)
                    svg.text(width - 2, key_y + 6, f"{value:.1f}", size=small, anchor="end",
                             fill=p.text)
                    key_y += 12
                key_y -= 12
            else:
                svg.text(key_x + 16, key_y + 6, _fit(pt.note or "not shown", key_w - 18, small),
                         size=small, fill=p.muted_text, italic=True)
            key_y += 18
    return svg.render(width, max(bottom + 38, key_y), title, "picture")


# --------------------------------------------------------------------------------------
# Diverging stacked bars


def percentages(counts: Sequence[int]) -> list[float]:
    """Percent of answers per option; all zeros when nobody answered.

    Parameters
    ----------
    counts
        Respondents per scale option, answered options only.

    Returns
    -------
    list of float
        ``100 * count / sum(counts)`` per option (they sum to 100 unless nobody answered).
    """
    if any(c < 0 for c in counts):
        raise ChartError(f"answer counts cannot be negative: {list(counts)}")
    total = sum(counts)
    return [100 * c / total if total else 0.0 for c in counts]


def _rounded_percentages(shares: Sequence[float]) -> list[int]:
    """Whole percentages that still add up to 100 (largest remainder), for labels."""
    floors = [math.floor(s) for s in shares]
    short = round(sum(shares)) - sum(floors)
    order = sorted(range(len(shares)), key=lambda k: (floors[k] - shares[k], k))
    for k in order[:max(short, 0)]:
        floors[k] += 1
    return floors


def diverging_bars(
    rows: Sequence[ItemDistribution],
    option_labels: Sequence[str],
    neutral_index: int | None,
    *,
    title: str = "Item distributions",
    label_min_percent: float = 8.0,
    max_label_lines: int = 3,
    no_answers: str = "no answers",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Diverging stacked bars of answers per item (Heiberger & Robbins 2014).

    Parameters
    ----------
    rows
        One :class:`ItemDistribution` per item, drawn in the order given; the label is
        the item text (wrapped to ``max_label_lines`` lines) or its id.
    option_labels
        Scale option labels from the lowest (strongest disagreement) to the highest; every
        one appears in the legend.
    neutral_index
        Position of the neutral option, drawn in grey and split half and half around zero;
        ``None`` for a scale without one. Options before it extend left of zero, options
        after it right.
    title
        Accessible name of the chart.
    label_min_percent
        Segments of at least this share, and wide enough, print their percentage.
    max_label_lines
        Item labels wrap to at most this many lines, the last cut with an ellipsis.
    no_answers
        Shown in place of a bar for an item nobody answered.
    width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One ``<svg>`` element; the axis runs from 100% disagreement to 100% agreement, and
        the number who answered is printed at the right of each row.

    Notes
    -----
    Percentages are of respondents who answered the item; "don't know" is missing, not
    the midpoint, so it is left out of ``counts`` by the caller.
    """
    n_options = len(option_labels)
    if n_options < 2:
        raise ChartError("diverging bars need at least two scale options")
    if neutral_index is not None and not 0 <= neutral_index < n_options:
        raise ChartError(f"neutral_index {neutral_index} is outside the {n_options} options")
    if not rows:
        raise ChartError("diverging bars need at least one item")
    for row in rows:
        if len(row.counts) != n_options:
            raise ChartError(f"item {row.label!r} has {len(row.counts)} counts for "
                             f"{n_options} scale options")
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small, tiny = p.font_size - 1, p.font_size - 1.5, p.font_size - 2

    n_low = neutral_index if neutral_index is not None else n_options // 2
    n_high = n_options - n_low - (1 if neutral_index is not None else 0)
    colours = _side_colours(p.diverging_low, n_low)
    if neutral_index is not None:
        colours.append(p.neutral)
    colours += list(reversed(_side_colours(p.diverging_high, n_high)))

    entries = [("swatch", label, colour, True)
               for label, colour in zip(option_labels, colours, strict=True)]
    y = _legend(svg, entries, 0, 2, width)

    right_w = 34
    label_w = 0.42 * width
    x0, x1 = label_w + 12, width - right_w - 8
    zero = (x0 + x1) / 2
    per_percent = (x1 - x0) / 200

    head_y = y + 8
    svg.text(width - 2, head_y, "n", size=small, anchor="end", fill=p.muted_text)
    top = head_y + 6
    line_h = fs + 2
    layout = []
    cursor = top
    for row in rows:
        lines = _wrap(row.label, label_w, fs, max_label_lines) or [""]
        row_h = max(24.0, line_h * len(lines) + 10)
        layout.append((row, lines, cursor, row_h))
        cursor += row_h
    bottom = cursor

    for tick in (-100, -50, 50, 100):
        svg.line(zero + tick * per_percent, top, zero + tick * per_percent, bottom, p.grid, 0.75)
    # Under the bars, so it never crosses the neutral percentage.
    svg.line(zero, top - 2, zero, bottom + 2, p.axis, 1.0)

    bar_h = 14.0
    for row, lines, row_top, row_h in layout:
        cy = row_top + row_h / 2
        first = cy - line_h * (len(lines) - 1) / 2
        for k, line in enumerate(lines):
            svg.text_middle(0, first + k * line_h, line, fs, fill=p.text)
        total = sum(row.counts)
        svg.text_middle(width - 2, cy, str(total), fs, anchor="end", fill=p.muted_text)
        if total == 0:
            svg.text_middle(zero + 6, cy, no_answers, small, fill=p.muted_text, italic=True)
            continue
        shares = percentages(row.counts)
        shown = _rounded_percentages(shares)
        neutral_share = shares[neutral_index] if neutral_index is not None else 0.0
        start = zero - (sum(shares[:n_low]) + neutral_share / 2) * per_percent
        svg.add('<g class="bar">')
        x = start
        for k, share in enumerate(shares):
            seg_w = share * per_percent
            if seg_w <= 0:
                continue
            svg.rect(x, cy - bar_h / 2, seg_w, bar_h, colours[k],
                     extra=f' data-percent="{share:.4f}"')
            label = str(shown[k])
            if share >= label_min_percent and _text_width(label, tiny) + 3 <= seg_w:
                svg.text_middle(x + seg_w / 2, cy, label, tiny, anchor="middle",
                                fill=_ink(colours[k], p))
            x += seg_w
        svg.add("</g>")
        # Hairlines between segments, so neighbouring options stay apart in greyscale.
        x = start
        for share in shares[:-1]:
            x += share * per_percent
            if share > 0:
                svg.line(x, cy - bar_h / 2, x, cy + bar_h / 2, "#ffffff", 0.75)

    svg.line(x0, bottom + 2, x1, bottom + 2, p.axis, 0.75)
    for tick in (-100, -50, 0, 50, 100):
        tx = zero + tick * per_percent
        svg.line(tx, bottom + 2, tx, bottom + 5, p.axis, 0.75)
        svg.text(tx, bottom + 16, f"{abs(tick)}%" if tick else "0", size=small,
                 anchor="middle", fill=p.muted_text)
    axis_y = bottom + 30
    svg.text(zero, axis_y, "percent of those who answered", size=small, anchor="middle",
             fill=p.muted_text)
    return svg.render(width, axis_y + 5, title, "diverging")


# --------------------------------------------------------------------------------------
# Set x subscale heatmap


def heatmap(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: Sequence[Sequence[float | None]],
    scale_min: float,
    scale_max: float,
    *,
    note: str = "suppressed",
    note_legend: str = "",
    title: str = "Means by group and subscale",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Heatmap of means: one row per group, one column per subscale, value in each cell.

    Parameters
    ----------
    row_labels
        Group names, drawn top to bottom in the order given.
    col_labels
        Subscale names; wrapped to up to three lines over their column.
    cells
        ``cells[i][j]`` is the mean of group ``i`` on subscale ``j``, or ``None`` (or NaN)
        for a suppressed cell, drawn grey with ``note`` in small text.
    scale_min, scale_max
        The declared scale range, mapped onto the palette's single-hue ramp.
    note
        Text in suppressed cells, such as ``"fewer than 5"``.
    note_legend
        Legend text for the grey swatch; defaults to ``note``.
    title, width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One ``<svg>`` element with a colour legend bar under the grid.

    Notes
    -----
    A single hue (not a diverging or traffic-light scheme), because a high mean on these
    subscales is a dynamic to discuss, not a good or bad grade (DOMAIN.md section 2).
    """
    _check_scale(scale_min, scale_max)
    if not row_labels or not col_labels:
        raise ChartError("a heatmap needs at least one row and one column")
    if len(cells) != len(row_labels) or any(len(r) != len(col_labels) for r in cells):
        raise ChartError(f"heatmap cells must be {len(row_labels)} rows of "
                         f"{len(col_labels)} values")
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small, tiny = p.font_size, p.font_size - 1.5, p.font_size - 2.5

    label_w = min(max(_text_width(r, fs) for r in row_labels) + 4, 0.3 * width)
    x0 = label_w + 10
    col_w = min((width - x0) / len(col_labels), 120.0)
    cell_h, gap = 26.0, 2.0

    def colour(value: float) -> str:
        return _sample(p.sequential, (value - scale_min) / (scale_max - scale_min))

    heads = [_wrap(c, col_w - 6, small, 3) for c in col_labels]
    head_lines = max(len(h) for h in heads)
    top = 4 + 12 * head_lines + 4
    for j, lines in enumerate(heads):
        cx = x0 + col_w * (j + 0.5)
        for k, line in enumerate(lines):
            # Bottom-align the headings so short ones sit just above their column.
            svg.text(cx, top - 6 - 12 * (len(lines) - 1 - k), line, size=small,
                     anchor="middle", fill=p.text)

    for i, label in enumerate(row_labels):
        cy = top + cell_h * (i + 0.5)
        svg.text_middle(0, cy, _fit(label, label_w, fs), fs, fill=p.text)
        for j, value in enumerate(cells[i]):
            x, y = x0 + col_w * j + gap / 2, top + cell_h * i + gap / 2
            w, h = col_w - gap, cell_h - gap
            if _missing(value):
                svg.rect(x, y, w, h, p.suppressed)
                lines = _wrap(note, w - 4, tiny, 2)
                first = y + h / 2 - (tiny + 1) * (len(lines) - 1) / 2
                for k, line in enumerate(lines):
                    svg.text_middle(x + w / 2, first + k * (tiny + 1), line, tiny,
                                    anchor="middle", fill=p.muted_text, italic=True)
                continue
            fill = colour(value)
            svg.rect(x, y, w, h, fill)
            svg.text_middle(x + w / 2, y + h / 2, f"{value:.1f}", fs, anchor="middle",
                            fill=_ink(fill, p))
    bottom = top + cell_h * len(row_labels)

    # Legend: the ramp as thin slices (no gradient, so no id to collide between charts).
    bar_x, bar_y, bar_w, slices = x0, bottom + 12, 160.0, 40
    for k in range(slices):
        svg.rect(bar_x + bar_w * k / slices, bar_y, bar_w / slices + 0.3, 10,
                 _sample(p.sequential, (k + 0.5) / slices))
    svg.text_middle(bar_x - 8, bar_y + 5, "Mean", small, anchor="end", fill=p.muted_text)
    for tick in _ticks(scale_min, scale_max):
        tx = bar_x + (tick - scale_min) / (scale_max - scale_min) * bar_w
        svg.line(tx, bar_y + 10, tx, bar_y + 13, p.axis, 0.75)
        svg.text(tx, bar_y + 23, _tick_label(tick), size=small, anchor="middle",
                 fill=p.muted_text)
    if any(_missing(v) for row in cells for v in row):
        sx = bar_x + bar_w + 24
        svg.rect(sx, bar_y, 14, 10, p.suppressed)
        svg.text_middle(sx + 19, bar_y + 5, note_legend or note, small, fill=p.muted_text)
    return svg.render(width, bar_y + 28, title, "heatmap")
