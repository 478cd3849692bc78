"""Item distributions as diverging stacked bars (Heiberger & Robbins 2014)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import (
    ChartError,
    ChartPalette,
    ItemDistribution,
    _legend,
    _side_colours,
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


def agree_summary(counts: Sequence[int], n_low: int, n_high: int, as_counts: bool) -> str:
    """``"4 of 6 agree, 1 disagrees"`` (small groups) or ``"67% agree, 17% disagree"``.

    Agreeing options are the last ``n_high``, disagreeing the first ``n_low``. Each share
    is rounded on its own, so one person is the same figure wherever they appear.
    """
    total = sum(counts)
    agree, disagree = sum(counts[len(counts) - n_high:]), sum(counts[:n_low])
    if as_counts:
        return (f"{agree} of {total} agree{'s' if agree == 1 else ''}, "
                f"{disagree} disagree{'s' if disagree == 1 else ''}")
    return (f"{math.floor(100 * agree / total + 0.5)}% agree, "
            f"{math.floor(100 * disagree / total + 0.5)}% disagree")


def diverging_bars(
    rows: Sequence[ItemDistribution],
    option_labels: Sequence[str],
    neutral_index: int | None,
    *,
    title: str = "Item distributions",
    as_counts: bool = False,
    legend: bool = True,
    max_label_lines: int = 2,
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
    as_counts
        Print how many people agree and disagree ("4 of 6 agree") rather than percentages:
        in a group under 10, one person is 10% or more, and counts say so plainly.
    legend
        Draw the key of the answer options, and which side is which, above the bars (a
        report draws it once per page).
    max_label_lines
        Item labels wrap to at most this many lines, the last cut with an ellipsis.
    no_answers
        Shown in place of a bar for an item nobody answered.
    width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`): bars from disagreement
        (left of the centre line) to agreement (right), and at the right of each row how
        many agree and disagree (:func:`agree_summary`). Segments carry no numbers: one
        figure per row, so one person is never printed as two different percentages.

    Notes
    -----
    Shares are of respondents who answered the item; "don't know" is missing, not the
    midpoint, so it is left out of ``counts`` by the caller.
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
    fs, small = p.font_size - 1, p.font_size - 1.5

    n_low = neutral_index if neutral_index is not None else n_options // 2
    n_high = n_options - n_low - (1 if neutral_index is not None else 0)
    colours = _side_colours(p.diverging_low, n_low)
    if neutral_index is not None:
        colours.append(p.neutral)
    colours += list(reversed(_side_colours(p.diverging_high, n_high)))

    y = -8.0
    if legend:
        entries = [("swatch", label, colour, True)
                   for label, colour in zip(option_labels, colours, strict=True)]
        y = _legend(svg, entries, 0, 2, width)

    right_w = 150
    label_w = 0.40 * width
    x0, x1 = label_w + 10, width - right_w - 6
    zero = (x0 + x1) / 2
    per_percent = (x1 - x0) / 200

    head_y = y + 8
    if legend:
        svg.text(zero - 4, head_y, "\u2190 disagree", size=small, anchor="end",
                 fill=p.muted_text)
        svg.text(zero + 4, head_y, "agree \u2192", size=small, fill=p.muted_text)
    top = head_y + 5
    line_h = fs + 2
    wrapped = [_wrap(row.label, label_w, fs, max_label_lines) or [""] for row in rows]
    # Every row holds the same number of lines, blank ones included, so that all the
    # statements print as one evenly spaced column (one text element, not one per line:
    # WeasyPrint's cost is per element), as do the figures at the right.
    lines_per_row = max(2, max(len(lines) for lines in wrapped))
    row_h = line_h * lines_per_row
    bottom = top + row_h * len(rows)
    # A faint stripe behind every other statement keeps rows apart without gaps.
    for index in range(1, len(rows), 2):
        svg.rect(0, top + row_h * index, width, row_h, p.band)
    svg.line(zero, top - 2, zero, bottom + 2, p.axis, 1.0)

    bar_h = 12.0
    for index, (row, lines) in enumerate(zip(rows, wrapped, strict=True)):
        cy = top + row_h * (index + 0.5)
        first = top + row_h * index + line_h / 2
        padded = lines + [""] * (lines_per_row - len(lines))
        for k, line in enumerate(padded):
            svg.text_middle(0, first + k * line_h, line, fs, fill=p.text)
        total = sum(row.counts)
        if total == 0:
            svg.text_middle(zero + 6, cy, no_answers, small, fill=p.muted_text, italic=True)
            continue
        svg.text_middle(width - right_w + 4, cy,
                        agree_summary(row.counts, n_low, n_high, as_counts), small,
                        fill=p.muted_text)
        shares = percentages(row.counts)
        neutral_share = shares[neutral_index] if neutral_index is not None else 0.0
        start = zero - (sum(shares[:n_low]) + neutral_share / 2) * per_percent
        svg.add('<g class="bar">')
        x = start
        for k, share in enumerate(shares):
            seg_w = share * per_percent
            if seg_w > 0:
                svg.rect(x, cy - bar_h / 2, seg_w, bar_h, colours[k],
                         extra=f' data-percent="{share:.4f}"')
            x += seg_w
        svg.add("</g>")
        # Hairlines between segments, so neighbouring options stay apart in greyscale.
        x = start
        for share in shares[:-1]:
            x += share * per_percent
            if share > 0:
                svg.line(x, cy - bar_h / 2, x, cy + bar_h / 2, "#ffffff", 0.75)
    return svg.render(width, bottom + 4, title, "diverging")
