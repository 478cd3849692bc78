"""The learning-in-action / learning-inaction picture: two subscales as a plane."""

from __future__ import annotations

from collections.abc import Sequence

from .base import (
    _POINT_SHAPES,
    ChartError,
    ChartPalette,
    PicturePoint,
    _check_scale,
    _fit,
    _missing,
    _num,
    _Svg,
    _text_width,
    _tick_label,
    _ticks,
    _wrap,
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


