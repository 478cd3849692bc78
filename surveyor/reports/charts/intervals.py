"""Dot and 95% interval charts: the subscale profile and the forest of groups."""

from __future__ import annotations

from collections.abc import Sequence

from surveyor.typeset.environment import fmt

from .base import (
    _REFERENCE_SHAPES,
    ChartError,
    ChartPalette,
    IntervalRow,
    _check_scale,
    _fit,
    _legend,
    _missing,
    _text_width,
    _tick_label,
    _ticks,
)
from .builder import _Svg

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
        hidden = _missing(row.mean)
        svg.text_middle(0, cy, _fit(row.label, label_w, fs), fs, fill=p.text, alone=hidden)
        if hidden:
            svg.text_middle(x0 + 2, cy, row.note or note, small, fill=p.muted_text, italic=True,
                            alone=True)
            continue
        if not (_missing(row.ci_low) or _missing(row.ci_high)):
            svg.line(sx(row.ci_low), cy, sx(row.ci_high), cy, p.point, 1.5)
        for name, value in row.references.items():
            if not _missing(value):
                svg.marker(shapes[name], sx(value), cy, p.reference, False)
        svg.marker("circle", sx(row.mean), cy, p.point, True)
        mean_x = width - right_w + 34 if show_n else width - 4
        svg.text_middle(mean_x, cy, fmt(row.mean, 1), fs, anchor="end", fill=p.text)
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
        One chart fragment (see :mod:`surveyor.reports.charts`).

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
        One chart fragment (see :mod:`surveyor.reports.charts`); its height grows with the number
        of groups (rows get slightly tighter beyond 20 groups).
    """
    return _interval_chart(
        groups, scale_min, scale_max, kind="forest", title=title, series_label=series_label,
        scale_labels=scale_labels, axis_label=axis_label, show_n=True, reference=reference,
        note=note, width=width, palette=palette,
    )


