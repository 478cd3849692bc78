"""Groups side by side on every subscale at once: one panel per subscale, one row per group."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import (
    ChartError,
    ChartPalette,
    IntervalRow,
    _check_scale,
    _fit,
    _legend,
    _missing,
    _text_width,
    _tick_label,
    _wrap,
)
from .builder import _Svg


def side_by_side_chart(
    groups: Sequence[str],
    subscales: Sequence[str],
    cells: Sequence[Sequence[IntervalRow | None]],
    scale_min: float,
    scale_max: float,
    *,
    group_notes: Sequence[str] = (),
    references: Sequence[float | None] = (),
    reference_label: str = "",
    series_label: str = "Mean with 95% interval",
    note: str = "not shown",
    title: str = "Groups side by side",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Small multiples: a dot and 95% interval per group in one panel per subscale.

    Parameters
    ----------
    groups
        Group names, top to bottom in the order given (alphabetical in the reports; never
        sorted by value, which would make a league table).
    subscales
        Panel headings, left to right.
    cells
        ``cells[i][j]``: group ``i`` on subscale ``j`` (only ``mean``, ``ci_low`` and
        ``ci_high`` are read), or ``None`` when it is not shown.
    scale_min, scale_max
        The declared scale; every panel shares one axis fitted to the intervals (to the
        nearest half point, with a margin), so panels can be compared by eye.
    group_notes
        Per group, a note printed across all panels instead of its row (a group that is
        withheld), or empty.
    references
        Per subscale, a reference mean drawn as a dashed line down its panel, or ``None``.
    reference_label, series_label
        Legend texts for the dashed line and for the dot with its interval.
    note
        Text of a cell that is not shown within a shown group.
    title, width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`).
    """
    _check_scale(scale_min, scale_max)
    if not groups or not subscales:
        raise ChartError("a side-by-side chart needs at least one group and one subscale")
    if len(cells) != len(groups) or any(len(r) != len(subscales) for r in cells):
        raise ChartError(f"side-by-side cells must be {len(groups)} rows of "
                         f"{len(subscales)} values")
    notes = list(group_notes) + [""] * (len(groups) - len(group_notes))
    refs = list(references) + [None] * (len(subscales) - len(references))
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small = p.font_size - 0.5, p.font_size - 2

    values = [v for row in cells for c in row if c is not None
              for v in (c.mean, c.ci_low, c.ci_high) if not _missing(v)]
    values += [v for v in refs if v is not None and not _missing(v)]
    low, high = scale_min, scale_max
    if values:
        low = max(scale_min, math.floor((min(values) - 0.1) * 2) / 2)
        high = min(scale_max, math.ceil((max(values) + 0.1) * 2) / 2)

    entries = [("interval", series_label, p.point, True)]
    if any(r is not None for r in refs) and reference_label:
        entries.append(("rule", reference_label, p.reference, False))
    y = _legend(svg, entries, 0, 2, width)

    label_w = min(max(_text_width(g, fs) for g in groups) + 4, 0.3 * width)
    x_start = label_w + 10
    gap = 14.0
    panel_w = (width - x_start - gap * (len(subscales) - 1)) / len(subscales)
    heads = [_wrap(name, panel_w - 2, small, 3) for name in subscales]
    head_lines = max(len(h) for h in heads)
    top = y + 4 + 11 * head_lines + 4
    row_h = 20.0
    bottom = top + row_h * len(groups)

    def sx(j: int, value: float) -> float:
        v = min(max(value, low), high)
        return x_start + j * (panel_w + gap) + 4 + (v - low) / (high - low) * (panel_w - 8)

    for i in range(1, len(groups), 2):
        svg.rect(0, top + i * row_h, width, row_h, p.band)
    for j, lines in enumerate(heads):
        px = x_start + j * (panel_w + gap)
        for k, line in enumerate(lines):
            svg.text(px + panel_w / 2, top - 6 - 11 * (len(lines) - 1 - k), line, size=small,
                     anchor="middle", fill=p.text, bold=True)
        svg.rect(px, top, panel_w, bottom - top, "none", stroke=p.grid)
        reference = refs[j]
        if reference is not None and not _missing(reference):
            # Down the rows that have results only, so no note is crossed by the line.
            for i in range(len(groups)):
                if not notes[i]:
                    svg.line(sx(j, reference), top + i * row_h, sx(j, reference),
                             top + (i + 1) * row_h, p.reference, 1.0, "3 2")
        svg.text(px + 1, bottom + 11, _tick_label(low), size=small, fill=p.muted_text)
        svg.text(px + panel_w - 1, bottom + 11, _tick_label(high), size=small, anchor="end",
                 fill=p.muted_text)

    for i, name in enumerate(groups):
        cy = top + row_h * (i + 0.5)
        svg.text_middle(0, cy, _fit(name, label_w, fs), fs, fill=p.text, alone=bool(notes[i]))
        if notes[i]:
            svg.text_middle(x_start + 4, cy, notes[i], small, fill=p.muted_text, italic=True,
                            alone=True)
            continue
        for j, cell in enumerate(cells[i]):
            if cell is None or _missing(cell.mean):
                svg.text_middle(x_start + j * (panel_w + gap) + panel_w / 2, cy,
                                _fit(note, panel_w - 4, small), small, anchor="middle",
                                fill=p.muted_text, italic=True, alone=True)
                continue
            if not (_missing(cell.ci_low) or _missing(cell.ci_high)):
                svg.line(sx(j, cell.ci_low), cy, sx(j, cell.ci_high), cy, p.point, 1.5)
            svg.marker("circle", sx(j, cell.mean), cy, p.point, True)
    return svg.render(width, bottom + 16, title, "side-by-side")
