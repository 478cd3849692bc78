"""Item distributions as diverging stacked bars (Heiberger & Robbins 2014)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import (
    ChartError,
    ChartPalette,
    ItemDistribution,
    _ink,
    _legend,
    _side_colours,
    _text_width,
    _wrap,
)
from .builder import _Svg

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
        One chart fragment (see :mod:`surveyor.reports.charts`); the axis runs from 100%
        disagreement to 100% agreement, and the number who answered is printed at the
        right of each row.

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
                                fill=_ink(colours[k], p), cls="bar-percent")
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


