"""The learning-in-action / learning-inaction picture: two subscales as a plane."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from surveyor.typeset.environment import fmt

from .base import (
    _REFERENCE_SHAPES,
    ChartError,
    ChartPalette,
    PicturePoint,
    _check_scale,
    _fit,
    _missing,
    _num,
    _text_width,
    _tick_label,
    _ticks,
    _wrap,
)
from .builder import _Svg

# --------------------------------------------------------------------------------------
# Label placement
#
# Each label, in the order the points come, takes the nearest free spot among candidate
# spots in rings around its marker; "free" means inside the plot and clear of every other
# label, every marker and every leader line, and if possible of the crosshairs and
# captions too. Ties go to the earlier spot, so the same points always give the same
# picture. A label that cannot sit next to its marker gets a thin leader line to it.

_Box = tuple[float, float, float, float]  # x, y, width, height
_Segment = tuple[float, float, float, float]  # x1, y1, x2, y2

_MARKER = 6.0  # half the side of the square that holds any marker shape
_LABEL_GAP = 1.5  # clear space between two labels, and between a label and a leader
_RING_STEP = 8.0  # each ring of spots lies this much farther from the marker
_RINGS = 16  # enough rings to reach a third of the way across the plot
_NEXT_TO = 10.0  # a label this close to its marker's centre needs no leader
# Spots in order of preference: diagonals first (clear of the crosshairs), then sides.
_DIRECTIONS = ((1, -1), (1, 1), (-1, -1), (-1, 1), (1, 0), (-1, 0), (0, -1), (0, 1))


@dataclass(frozen=True)
class _Placed:
    """Where one label went: its box, text anchor and leader line (``None`` when the label
    sits next to its marker)."""

    box: _Box
    anchor: str
    leader: _Segment | None


def _overlap(box: _Box, boxes: Sequence[_Box]) -> float:
    """Total area that ``box`` shares with ``boxes``."""
    x, y, w, h = box
    return sum(max(0.0, min(x + w, bx + bw) - max(x, bx))
               * max(0.0, min(y + h, by + bh) - max(y, by)) for bx, by, bw, bh in boxes)


def _intersects(a: _Box, b: _Box, gap: float = 0.0) -> bool:
    """Whether two boxes share area, or come closer than ``gap``; touching is not sharing
    (within a rounding error, so that a spot built to touch a marker counts as clear)."""
    across = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    down = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return across > 1e-6 - gap and down > 1e-6 - gap


def _crosses(segment: _Segment, box: _Box, gap: float = 0.0) -> bool:
    """Whether a line segment passes through ``box`` grown by ``gap`` (Liang-Barsky)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - (box[0] - gap)), (dx, box[0] + box[2] + gap - x1),
                 (-dy, y1 - (box[1] - gap)), (dy, box[1] + box[3] + gap - y1)):
        if p == 0:
            if q <= 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
        if low >= high:
            return False
    return True


def _segments_cross(a: _Segment, b: _Segment) -> bool:
    """Whether two line segments cross (touching at an end does not count)."""
    def turn(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    a1, a2, b1, b2 = (a[0], a[1]), (a[2], a[3]), (b[0], b[1]), (b[2], b[3])
    return (turn(a1, a2, b1) * turn(a1, a2, b2) < 0
            and turn(b1, b2, a1) * turn(b1, b2, a2) < 0)


def _spots(cx: float, cy: float, w: float, h: float, frame: _Box) -> list[tuple[_Box, str]]:
    """Candidate label boxes around a marker at ``(cx, cy)``, nearest first, each moved
    inside ``frame`` and paired with its text anchor."""
    fx, fy, fw, fh = frame
    found: list[tuple[float, int, _Box, str]] = []
    for ring in range(_RINGS + 1):
        d = _MARKER + ring * _RING_STEP
        offsets = [(across, up, 0.0) for across, up in _DIRECTIONS]
        # Beside the marker, outer rings also try heights above and below, so that labels
        # of a cluster of points can stand in a column beside it.
        offsets += [(across, 0, sign * k * _RING_STEP) for k in range(1, ring + 1)
                    for sign in (-1, 1) for across in (1, -1)]
        for across, up, shift in offsets:
            # Straight beside, above or below, a label keeps a little further out than at
            # a corner, where the marker shapes leave room.
            side_gap = 3 if up == 0 else 0
            end_gap = 1 if across == 0 else -1
            x = {1: cx + d + side_gap, -1: cx - d - w - side_gap, 0: cx - w / 2}[across]
            y = {-1: cy - d - end_gap - h, 1: cy + d + end_gap, 0: cy - h / 2 + shift}[up]
            # A spot beyond the plot edge slides back inside, along the edge.
            x = min(max(x, fx + 1), fx + fw - 1 - w)
            y = min(max(y, fy + 1), fy + fh - 1 - h)
            ex, ey = min(max(cx, x), x + w), min(max(cy, y), y + h)
            distance = math.hypot(ex - cx, ey - cy)
            # Anchor the text on the side nearest the marker: any error in the estimated
            # width then falls away from the marker, not onto it.
            anchor = "start" if ex == x and x > cx else "end" if ex == x + w and x + w < cx \
                else "middle"
            found.append((distance, len(found), (x, y, w, h), anchor))
    found.sort(key=lambda spot: (math.ceil(max(spot[0] - _NEXT_TO, 0) / _RING_STEP), spot[1]))
    return [(box, anchor) for _, _, box, anchor in found]


def _leader(cx: float, cy: float, box: _Box) -> _Segment | None:
    """A line from the edge of the marker at ``(cx, cy)`` to the nearest point of ``box``,
    or ``None`` when the box is next to the marker."""
    x, y, w, h = box
    ex, ey = min(max(cx, x), x + w), min(max(cy, y), y + h)
    length = math.hypot(ex - cx, ey - cy)
    if length <= _NEXT_TO:
        return None
    start = _MARKER / length
    return cx + (ex - cx) * start, cy + (ey - cy) * start, ex, ey


def _place_labels(anchors: Sequence[tuple[float, float, float, float]], frame: _Box,
                  soft: Sequence[_Box]) -> list[_Placed | None]:
    """Place one label per ``(cx, cy, width, height)``, in order, none colliding.

    Parameters
    ----------
    anchors
        Marker centre and label size for each label; earlier labels get the nearer spots.
    frame
        The plot area every label stays inside.
    soft
        Boxes a label may cover but preferably does not (crosshairs, quadrant captions).

    Returns
    -------
    list
        A :class:`_Placed` per label, or ``None`` for a label with no free spot within
        reach (the key beside the plot still names that point).
    """
    markers = [(cx - _MARKER, cy - _MARKER, 2 * _MARKER, 2 * _MARKER)
               for cx, cy, _, _ in anchors]
    placed: list[_Placed | None] = []
    labels: list[_Box] = []
    leaders: list[_Segment] = []
    for cx, cy, w, h in anchors:
        # A leader may start inside a marker drawn at (almost) the same place as its own.
        beneath = [m for m in markers if _intersects(m, (cx, cy, 0.0, 0.0), 0.5)]
        spots = _spots(cx, cy, w, h, frame)
        choice = None
        # First a spot clear of crosshairs and captions too, with a leader that crosses no
        # other marker or leader. A marker walled in by others (in a corner of the plot,
        # say) may then run its leader across them, and last the label may cover the
        # least of the crosshairs and captions, rather than go without a label.
        for clear_of_soft, untangled in ((True, True), (True, False), (False, True),
                                         (False, False)):
            choice, best = None, (math.inf, math.inf)
            for box, anchor in spots:
                leader = _leader(cx, cy, box)
                rank = 0.0 if leader is None else math.ceil(
                    (math.hypot(leader[2] - cx, leader[3] - cy) - _NEXT_TO) / _RING_STEP)
                if rank > best[0]:
                    break  # spots come nearest first: none later can beat the best so far
                if (any(_intersects(box, other, _LABEL_GAP) for other in labels)
                        or any(_intersects(box, marker) for marker in markers)
                        or any(_crosses(line, box, _LABEL_GAP) for line in leaders)):
                    continue
                if leader is not None and (
                    any(_crosses(leader, other, _LABEL_GAP) for other in labels)
                    or untangled and (
                        any(_crosses(leader, m) for m in markers if m not in beneath)
                        or any(_segments_cross(leader, line) for line in leaders))
                ):
                    continue
                cost = _overlap(box, soft)
                if clear_of_soft and cost > 0:
                    continue
                if (rank, cost) < best:
                    choice, best = _Placed(box, anchor, leader), (rank, cost)
            if choice is not None:
                break
        placed.append(choice)
        if choice is not None:
            labels.append(choice.box)
            if choice.leader is not None:
                leaders.append(choice.leader)
    return placed


# --------------------------------------------------------------------------------------
# The two-subscale picture


def picture_chart(
    points: Sequence[PicturePoint],
    x_label: str,
    y_label: str,
    scale_min: float,
    scale_max: float,
    captions: Sequence[str] | None = None,
    *,
    title: str = "The learning-in-action picture",
    zoom: bool = True,
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
    zoom
        Fit both axes (the same range on each, so the plane stays square) to the points and
        their intervals with a margin of a quarter point, always keeping the middle of the
        scale in view; otherwise the axes span the whole scale.
    title, width, palette
        As for :func:`profile_chart`.

    Returns
    -------
    str
        One chart fragment (see :mod:`surveyor.reports.charts`).

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
    low, high = scale_min, scale_max
    if zoom:
        values = [mid]
        for pt in points:
            for v in (pt.x, pt.y, *(pt.x_ci or ()), *(pt.y_ci or ())):
                if not _missing(v):
                    values.append(min(max(v, scale_min), scale_max))
        low = max(scale_min, math.floor((min(values) - 0.25) * 2) / 2)
        high = min(scale_max, math.ceil((max(values) + 0.25) * 2) / 2)

    def sx(value: float) -> float:
        v = min(max(value, low), high)
        return left + (v - low) / (high - low) * side

    def sy(value: float) -> float:
        v = min(max(value, low), high)
        return bottom - (v - low) / (high - low) * side

    ticks = _ticks(low, high)
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

    # Labels keep clear of the dashed midlines (and of the captions and whiskers below).
    taken: list[tuple[float, float, float, float]] = [
        (sx(mid) - 1.5, top, 3.0, side), (left, sy(mid) - 1.5, side, 3.0)]
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
    # Only the report's own group is a filled circle; references cycle through open
    # shapes (an open circle fourth), so that no organisation of a long programme list
    # shares the programme's marker.
    shapes = {id(pt): pt.marker or ("circle" if k == 0 else
                                    _REFERENCE_SHAPES[(k - 1) % len(_REFERENCE_SHAPES)])
              for k, pt in enumerate(points)}
    own = id(points[0]) if points else None
    for pt in shown:
        cx, cy = sx(pt.x), sy(pt.y)
        if pt.x_ci and not any(_missing(v) for v in pt.x_ci):
            svg.line(sx(pt.x_ci[0]), cy, sx(pt.x_ci[1]), cy, p.point, 1.0)
            taken.append((sx(pt.x_ci[0]), cy - 3, sx(pt.x_ci[1]) - sx(pt.x_ci[0]), 6))
        if pt.y_ci and not any(_missing(v) for v in pt.y_ci):
            svg.line(cx, sy(pt.y_ci[0]), cx, sy(pt.y_ci[1]), p.point, 1.0)
            taken.append((cx - 3, sy(pt.y_ci[1]), 6, sy(pt.y_ci[0]) - sy(pt.y_ci[1])))

    # Labels are placed in the order given, so the first point (the group the report is
    # about) gets the spot next to its marker.
    texts = [_fit(pt.label, side / 2 - 12, small) for pt in shown]
    spots = _place_labels(
        [(sx(pt.x), sy(pt.y), _text_width(text, small), small + 2)
         for pt, text in zip(shown, texts, strict=True)],
        (left, top, side, side), taken,
    )
    for spot in spots:
        if spot is not None and spot.leader is not None:
            x1, y1, x2, y2 = spot.leader
            svg.add(f'<line class="picture-leader" x1="{_num(x1)}" y1="{_num(y1)}" '
                    f'x2="{_num(x2)}" y2="{_num(y2)}" stroke="{escape(p.muted_text)}" '
                    'stroke-width="0.75"/>')

    # Open markers first, filled ones on top, so that no marker hides a filled dot.
    for pt in sorted(shown, key=lambda q: id(q) == own):
        svg.marker(shapes[id(pt)], sx(pt.x), sy(pt.y), p.point, id(pt) == own)

    for text, spot in zip(texts, spots, strict=True):
        if spot is None:
            continue
        bx, by, w, h = spot.box
        tx = {"start": bx, "end": bx + w, "middle": bx + w / 2}[spot.anchor]
        svg.text_middle(tx, by + h / 2, text, small, anchor=spot.anchor, fill=p.text,
                        cls="picture-label")

    svg.text((left + right) / 2, bottom + 30, _fit(x_label, side, fs), size=fs,
             anchor="middle", fill=p.text)
    ylx, yly = 12.0, (top + bottom) / 2
    svg.text(ylx, yly, _fit(y_label, side, fs), size=fs, anchor="middle", fill=p.text,
             rotate=-90)

    # The key repeats each point with its values, so no reading depends on the picture.
    # Every entry is four evenly spaced lines of one style (name, the two values, a blank),
    # so the whole key prints as one text element.
    key_x, key_y = right + 22, top + 6
    key_w = width - key_x - 2
    line = small + 3
    if key_w > 90:
        for pt in points:
            hidden = _missing(pt.x) or _missing(pt.y)
            svg.marker(shapes[id(pt)], key_x + 5, key_y + 4, p.point, id(pt) == own)
            if hidden:
                entry = [_fit(pt.label, key_w - 18, small),
                         _fit(pt.note or "not shown", key_w - 18, small), "", ""]
            else:
                entry = [_fit(pt.label, key_w - 18, small)] + [
                    _fit(f"{name}: {fmt(value, 1)}", key_w - 18, small)
                    for name, value in ((x_label, pt.x), (y_label, pt.y))] + [""]
            for k, text in enumerate(entry):
                svg.text(key_x + 16, key_y + 8 + k * line, text, size=small,
                         fill=p.text, alone=hidden and k < 2)
            key_y += 4 * line
    return svg.render(width, max(bottom + 38, key_y), title, "picture")


