"""The chart builder: graphics drawn in SVG, labels placed as HTML over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .base import ChartError, ChartPalette, _fixed, _num, _text_width

# --------------------------------------------------------------------------------------
# Chart assembly: graphics in SVG, text as HTML laid over it
#
# WeasyPrint lays out SVG <text> one letter at a time, which made chart text the largest
# cost of a report; HTML text is laid out a line at a time (and kerned). So a chart is a
# frame holding an <svg> of graphics only, with every label an absolutely placed <span>
# on top, at the spot where the SVG would have drawn it. Nothing is measured: a label
# sits in a box that starts, is centred or ends at its anchor, and is aligned in it.
#
# Geometry is written so that one number scales a whole chart: the frame is sized in em
# of a font size of 10px times ``--chart-scale`` (1 unless a stylesheet sets it), labels
# are placed in percent of the frame and sized in em of it. Everything a label needs to
# land in its place is inline, so a brand that replaces report.css cannot move it.

# Lato's hhea ascent and descent per em (1974 and 426 of 2000 units; it does not set
# USE_TYPO_METRICS, so these are what Pango lays a line out with). With the line height
# equal to their sum, a label's line box is the font's content area and its baseline lies
# _ASCENT font sizes below the top of the box. A brand's chart font in place of Lato moves
# labels up or down by the change in half its ascent less descent: for Arial, 0.04 em.
_ASCENT, _DESCENT = 0.987, 0.213
_LINE_HEIGHT = _ASCENT + _DESCENT
# Chart pixels per em of the frame, at scale 1.
_FRAME_EM = 10.0
# Widest spacing of the lines of one run, in font sizes.
_MAX_PITCH = 5.0


@dataclass(frozen=True)
class _Label:
    """One piece of chart text: its anchor point (``y`` is the baseline) and its style."""

    x: float
    y: float
    content: str
    size: float
    anchor: str
    fill: str
    italic: bool
    bold: bool
    cls: str
    rotate: float
    alone: bool


def _runs(labels: Sequence[_Label]) -> list[list[_Label]]:
    """Labels grouped into runs that one HTML element can print, in drawing order.

    A run is labels of the same style at the same anchor ``x`` whose baselines are evenly
    spaced, such as a column of means or the lines of a wrapped item: printed as lines of
    one element, they cost WeasyPrint one box instead of one each (its cost per element,
    mostly computing styles, is far above its cost per line).
    """
    columns: dict[tuple, list[int]] = {}
    runs: list[list[int]] = []
    for index, label in enumerate(labels):
        if label.alone:
            runs.append([index])
            continue
        key = (_num(label.x), label.anchor, label.size, label.fill, label.italic, label.bold,
               label.cls, label.rotate)
        columns.setdefault(key, []).append(index)
    for members in columns.values():
        members.sort(key=lambda k: (labels[k].y, k))
        run = [members[0]]
        for k in members[1:]:
            label, last = labels[k], labels[run[-1]]
            gap = label.y - last.y
            step = last.y - labels[run[-2]].y if len(run) > 1 else gap
            # Rotated text would need its lines placed across the rotation; it stays alone.
            # Lines further apart than a few rows of a table are unrelated labels.
            if (not label.rotate and 0.5 * label.size < gap <= _MAX_PITCH * label.size
                    and abs(gap - step) < 0.005):
                run.append(k)
            else:
                runs.append(run)
                run = [k]
        runs.append(run)
    runs.sort(key=min)
    return [[labels[k] for k in run] for run in runs]


def _run_box(run: Sequence[_Label], width: float, height: float
             ) -> tuple[float, float, float, float]:
    """Left, top, width and line height (px) of the box a run is printed in, before any
    rotation.

    The box reaches from the anchor as far as the widest line could need (twice its
    estimated width) without leaving the frame, along the direction the text runs. The
    line height is the spacing of the baselines, or Lato's content height for one line.
    """
    first = run[0]
    size = first.size
    along = first.y if first.rotate else first.x
    extent = height if first.rotate else width
    room = {"start": extent - along, "end": along,
            "middle": 2 * min(along, extent - along)}[first.anchor]
    widest = max(_text_width(label.content, size) for label in run)
    box_w = max(min(room, 2 * widest + 8), 0.0)
    left = first.x - {"start": 0.0, "middle": box_w / 2, "end": box_w}[first.anchor]
    line = (run[-1].y - first.y) / (len(run) - 1) if len(run) > 1 else _LINE_HEIGHT * size
    # CSS centres the font's content area in each line, so the first baseline lies half
    # the spare height plus the ascent below the top of the box.
    top = first.y - _ASCENT * size - (line - _LINE_HEIGHT * size) / 2
    return left, top, box_w, line


class _Svg:
    """Collects a chart's SVG graphics and its labels; user text passes through ``escape``."""

    def __init__(self, palette: ChartPalette):
        self.palette = palette
        self.parts: list[str] = []
        self.labels: list[_Label] = []

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
             bold: bool = False, cls: str = "", rotate: float = 0.0,
             alone: bool = False) -> None:
        """Text with its baseline at ``y``, anchored at ``x`` as SVG's ``text-anchor``.

        ``rotate`` turns it (degrees, clockwise) about the anchor point. ``alone`` keeps it
        out of runs: the name of a group that is not shown, and the note beside it, stay
        next to each other in the report's text, where the anonymity checks read them.
        """
        if anchor not in ("start", "middle", "end"):
            raise ChartError(f"unknown text anchor {anchor!r}")
        self.labels.append(_Label(x, y, content, size or self.palette.font_size, anchor,
                                  fill or self.palette.text, italic, bold, cls, rotate,
                                  alone))

    def text_middle(self, x: float, cy: float, content: str, size: float, **kwargs) -> None:
        """Text centred vertically on ``cy``: its baseline half Lato's cap height below."""
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

    def _run_markup(self, run: Sequence[_Label], width: float, height: float) -> str:
        first = run[0]
        left, top, box_w, line = _run_box(run, width, height)
        style = [
            "position:absolute",
            f"left:{_fixed(100 * left / width, 4)}%",
            f"top:{_fixed(100 * top / height, 4)}%",
            f"width:{_fixed(100 * box_w / width, 4)}%",
            f"font-size:{_fixed(first.size / _FRAME_EM, 4)}em",
        ]
        if len(run) > 1:
            style.append(f"line-height:{_fixed(line / first.size, 5)};white-space:pre")
        if first.anchor != "start":
            style.append("text-align:" + ("center" if first.anchor == "middle" else "right"))
        if first.fill != self.palette.text:
            style.append(f"color:{first.fill}")
        if first.italic:
            style.append("font-style:italic")
        if first.bold:
            style.append("font-weight:bold")
        if first.rotate:
            # About the anchor: the middle, start or end of the box, on the baseline.
            origin = {"start": "0", "middle": "50%", "end": "100%"}[first.anchor]
            style.append(f"transform-origin:{origin} {_fixed(_ASCENT, 3)}em;"
                         f"transform:rotate({_fixed(first.rotate, 2)}deg)")
        cls = f' class="{escape(first.cls)}"' if first.cls else ""
        # Spaces collapse as SVG collapsed them, also in a run, whose newlines must stay.
        text = "\n".join(" ".join(label.content.split()) for label in run)
        return f'<span{cls} style="{escape(";".join(style))}">{escape(text, quote=False)}</span>'

    def render(self, width: float, height: float, title: str, kind: str) -> str:
        """The chart as one HTML fragment: a frame holding the SVG, then the labels."""
        p = self.palette
        label = escape(title)
        frame = ";".join([
            "position:relative",
            f"width:{_fixed(width / _FRAME_EM, 3)}em",
            f"height:{_fixed(height / _FRAME_EM, 3)}em",
            f"font-size:calc({_num(_FRAME_EM)}px * var(--chart-scale, 1))",
            f"font-family:{p.font_family}",
            "font-style:normal",
            "font-weight:normal",
            f"line-height:{_fixed(_LINE_HEIGHT, 3)}",
            f"color:{p.text}",
            "text-align:left",
            "white-space:nowrap",
        ])
        head = (
            f'<div class="chart-frame" style="{escape(frame)}">'
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
            f'width="{_num(width)}px" height="{_num(height)}px" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="{label}" '
            f'fill="{escape(p.text)}" style="display:block;width:100%;height:100%">'
        )
        return "".join([head, f"<title>{escape(title, quote=False)}</title>", *self.parts,
                        "</svg>",
                        *(self._run_markup(run, width, height) for run in _runs(self.labels)),
                        "</div>"])
