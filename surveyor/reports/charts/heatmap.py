"""The group by subscale heatmap: sequential single hue, suppressed cells labelled."""

from __future__ import annotations

import math
from collections.abc import Sequence

from surveyor.typeset.environment import fmt

from .base import (
    ChartError,
    ChartPalette,
    _check_scale,
    _fit,
    _ink,
    _missing,
    _sample,
    _text_width,
    _tick_label,
    _wrap,
)
from .builder import _Svg

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
    fit: bool = True,
    value_range: tuple[float, float] | None = None,
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
    fit
        Fit the colour ramp to the means shown (to the nearest quarter point, within the
        scale) rather than to the whole scale, so that differences of a few tenths still
        show; the legend under the grid says which values the ends of the ramp stand for.
    value_range
        The means the ends of the ramp stand for, when several heatmaps must share one
        colour scale; overrides ``fit``.
    title, width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`) with a colour legend bar
        under the grid.

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

    low, high = scale_min, scale_max
    values = [v for row in cells for v in row if not _missing(v)]
    if value_range is not None:
        low, high = value_range
    elif fit and values:
        low = max(scale_min, math.floor((min(values) - 0.05) * 4) / 4)
        high = min(scale_max, math.ceil((max(values) + 0.05) * 4) / 4)
        if high - low < 0.5:
            low, high = max(scale_min, low - 0.25), min(scale_max, high + 0.25)

    def colour(value: float) -> str:
        return _sample(p.sequential, (value - low) / (high - low))

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
        svg.text_middle(0, cy, _fit(label, label_w, fs), fs, fill=p.text,
                        alone=any(_missing(v) for v in cells[i]))
        for j, value in enumerate(cells[i]):
            x, y = x0 + col_w * j + gap / 2, top + cell_h * i + gap / 2
            w, h = col_w - gap, cell_h - gap
            if _missing(value):
                svg.rect(x, y, w, h, p.suppressed)
                lines = _wrap(note, w - 4, tiny, 2)
                first = y + h / 2 - (tiny + 1) * (len(lines) - 1) / 2
                for k, line in enumerate(lines):
                    svg.text_middle(x + w / 2, first + k * (tiny + 1), line, tiny,
                                    anchor="middle", fill=p.muted_text, italic=True, alone=True)
                continue
            fill = colour(value)
            svg.rect(x, y, w, h, fill)
            svg.text_middle(x + w / 2, y + h / 2, fmt(value, 1), fs, anchor="middle",
                            fill=_ink(fill, p))
    bottom = top + cell_h * len(row_labels)

    # Legend: the ramp as thin slices (no gradient, so no id to collide between charts).
    bar_x, bar_y, bar_w, slices = x0, bottom + 12, 160.0, 40
    for k in range(slices):
        svg.rect(bar_x + bar_w * k / slices, bar_y, bar_w / slices + 0.3, 10,
                 _sample(p.sequential, (k + 0.5) / slices))
    svg.text_middle(bar_x - 8, bar_y + 5, "Mean", small, anchor="end", fill=p.muted_text)
    for tick in (low, high):  # the ends of the ramp: what its lightest and darkest mean
        tx = bar_x + (tick - low) / (high - low) * bar_w
        svg.line(tx, bar_y + 10, tx, bar_y + 13, p.axis, 0.75)
        svg.text(tx, bar_y + 23, _tick_label(tick), size=small, anchor="middle",
                 fill=p.muted_text)
    if any(_missing(v) for row in cells for v in row):
        sx = bar_x + bar_w + 24
        svg.rect(sx, bar_y, 14, 10, p.suppressed)
        svg.text_middle(sx + 19, bar_y + 5, note_legend or note, small, fill=p.muted_text)
    return svg.render(width, bar_y + 28, title, "heatmap")
