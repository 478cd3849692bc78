"""Change between waves: a dumbbell chart of two means, and a small trend chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .base import (
    ChartError,
    ChartPalette,
    _check_scale,
    _fit,
    _legend,
    _missing,
    _text_width,
    _tick_label,
    _ticks,
    _wrap,
)
from .builder import _Svg


@dataclass(frozen=True)
class ChangeRow:
    """One row of a dumbbell chart: a mean in the earlier and in the later wave.

    Attributes
    ----------
    label
        Subscale (or group) name.
    before, after
        ``(mean, ci_low, ci_high)`` of each wave; ``None`` when that wave's figure is not
        shown. Without both, ``note`` is printed instead of the dumbbell.
    change
        Text for the right-hand column (``"+0.4 (+0.1 to +0.7)"``), or empty.
    note
        Why the row is not compared.
    """

    label: str
    before: tuple[float, float, float] | None
    after: tuple[float, float, float] | None
    change: str = ""
    note: str = ""


@dataclass(frozen=True)
class TrendSeries:
    """One small panel of a trend chart: a subscale's mean in each wave (``None``: not
    shown), each ``(mean, ci_low, ci_high)``."""

    label: str
    points: Sequence[tuple[float, float, float] | None]


def dumbbell_chart(
    rows: Sequence[ChangeRow],
    scale_min: float,
    scale_max: float,
    *,
    before_label: str,
    after_label: str,
    title: str = "Change since the previous wave",
    change_head: str = "Change",
    note: str = "not compared",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Two means per row joined by a line, each with its 95% interval, and the change.

    The earlier wave is an open circle, the later a filled one, both on the scale axis with
    their own interval whiskers (offset above and below the row so both stay visible); the
    right column prints the change with its interval as text, so nothing relies on colour.

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`).
    """
    _check_scale(scale_min, scale_max)
    if not rows:
        raise ChartError("a dumbbell chart needs at least one row")
    p = palette or ChartPalette()
    svg = _Svg(p)
    fs, small = p.font_size, p.font_size - 1.5
    right_w = max(_text_width(r.change, fs) for r in rows) + 12
    right_w = max(right_w, _text_width(change_head, small) + 12, 90)
    label_w = min(max(_text_width(r.label, fs) for r in rows) + 4, 0.3 * width)
    x0, x1 = label_w + 14, width - right_w - 10

    def sx(value: float) -> float:
        clipped = min(max(value, scale_min), scale_max)
        return x0 + (clipped - scale_min) / (scale_max - scale_min) * (x1 - x0)

    entries = [("circle", before_label, p.reference, False), ("circle", after_label, p.point,
                                                                True)]
    y = _legend(svg, entries, 0, 2, width)
    head_y = y + 8
    svg.text(width - 4, head_y, change_head, size=small, anchor="end", fill=p.muted_text)
    top = head_y + 6
    row_h = 26.0
    bottom = top + row_h * len(rows)
    for tick in _ticks(scale_min, scale_max):
        svg.line(sx(tick), top, sx(tick), bottom, p.grid, 0.75)
    for index, row in enumerate(rows):
        cy = top + row_h * (index + 0.5)
        compared = row.before is not None and row.after is not None
        svg.text_middle(0, cy, _fit(row.label, label_w, fs), fs, fill=p.text,
                        alone=not compared)
        if not compared:
            svg.text_middle(x0 + 2, cy, row.note or note, small, fill=p.muted_text,
                            italic=True, alone=True)
            continue
        (m0, lo0, hi0), (m1, lo1, hi1) = row.before, row.after
        if not (_missing(lo0) or _missing(hi0)):
            svg.line(sx(lo0), cy - 4, sx(hi0), cy - 4, p.reference, 1.0)
        if not (_missing(lo1) or _missing(hi1)):
            svg.line(sx(lo1), cy + 4, sx(hi1), cy + 4, p.point, 1.5)
        svg.line(sx(m0), cy, sx(m1), cy, p.axis, 2.0)
        svg.marker("circle", sx(m0), cy, p.reference, False)
        svg.marker("circle", sx(m1), cy, p.point, True)
        if row.change:
            svg.text_middle(width - 4, cy, row.change, fs, anchor="end", fill=p.text)
    svg.line(x0, bottom, x1, bottom, p.axis, 0.75)
    for tick in _ticks(scale_min, scale_max):
        svg.line(sx(tick), bottom, sx(tick), bottom + 3, p.axis, 0.75)
        svg.text(sx(tick), bottom + 14, _tick_label(tick), size=small, anchor="middle",
                 fill=p.muted_text)
    return svg.render(width, bottom + 19, title, "dumbbell")


def trend_chart(
    series: Sequence[TrendSeries],
    waves: Sequence[str],
    scale_min: float,
    scale_max: float,
    *,
    title: str = "Over the waves",
    width: float = 640,
    palette: ChartPalette | None = None,
) -> str:
    """Small multiples: one panel per subscale, its mean and 95% interval in each wave.

    Waves run left to right in their order, named as given; a wave whose figure is not
    shown leaves a gap (the line is not drawn across it).

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`).
    """
    _check_scale(scale_min, scale_max)
    if not series or len(waves) < 2:
        raise ChartError("a trend chart needs a series and at least two waves")
    if any(len(s.points) != len(waves) for s in series):
        raise ChartError("every trend series needs one point per wave")
    p = palette or ChartPalette()
    svg = _Svg(p)
    small = p.font_size - 2
    gap, axis_w = 10.0, 16.0
    panel_w = (width - axis_w - gap * (len(series) - 1)) / len(series)
    top, height = 4.0, 90.0
    title_h = 14.0
    tiny = small - 0.5
    step_w = panel_w / len(waves) - 2
    # Wave names as given, never cut: on two lines under each panel when they fit there;
    # otherwise the caller names them under the chart (``trend_labels_fit`` says which).
    names_fit = trend_labels_fit(waves, step_w, tiny)

    for k, one in enumerate(series):
        left = axis_w + k * (panel_w + gap)
        svg.text(left + panel_w / 2, top + 10, _fit(one.label, panel_w, small),
                 size=small, anchor="middle", fill=p.text, alone=True)
        y_top, y_bottom = top + title_h + 4, top + title_h + 4 + height

        def sy(value: float, y_top=y_top, y_bottom=y_bottom) -> float:
            clipped = min(max(value, scale_min), scale_max)
            return y_bottom - (clipped - scale_min) / (scale_max - scale_min) * (y_bottom - y_top)

        for tick in _ticks(scale_min, scale_max):
            svg.line(left, sy(tick), left + panel_w, sy(tick), p.grid, 0.75)
            if k == 0:
                svg.text(axis_w - 4, sy(tick) + 3, _tick_label(tick), size=small - 0.5,
                         anchor="end", fill=p.muted_text)
        step = panel_w / len(waves)
        xs = [left + step * (i + 0.5) for i in range(len(waves))]
        previous = None
        for i, point in enumerate(one.points):
            if point is None:
                previous = None
                continue
            mean, low, high = point
            if previous is not None:
                svg.line(xs[i - 1], sy(previous), xs[i], sy(mean), p.axis, 1.25)
            if not (_missing(low) or _missing(high)):
                svg.line(xs[i], sy(low), xs[i], sy(high), p.point, 1.25)
            svg.marker("circle", xs[i], sy(mean), p.point, True)
            previous = mean
        svg.line(left, y_bottom, left + panel_w, y_bottom, p.axis, 0.75)
        if names_fit:
            for i, wave in enumerate(waves):
                for line, text in enumerate(_wrap(wave, step - 2, tiny, 2)):
                    svg.text(xs[i], y_bottom + 10 + 9 * line, text, size=tiny,
                             anchor="middle", fill=p.muted_text, alone=True)
    return svg.render(width, top + title_h + 4 + height + (28 if names_fit else 6), title,
                      "trend")


def trend_labels_fit(waves: Sequence[str], room: float, size: float) -> bool:
    """Whether every wave name fits, uncut, on at most two lines of ``room`` px."""
    for wave in waves:
        lines = _wrap(wave, room, size, 2)
        if " ".join(lines) != " ".join(wave.split()):
            return False
    return True


def trend_wave_room(n_series: int, n_waves: int, width: float = 640,
                    font_size: float = 11.0) -> tuple[float, float]:
    """The room (px) and type size a trend chart gives each wave name."""
    panel_w = (width - 16.0 - 10.0 * (n_series - 1)) / n_series
    return panel_w / n_waves - 2, font_size - 2.5
