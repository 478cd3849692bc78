"""Charts for the reports, as HTML fragments to inline in the report HTML.

Every function here is pure: typed rows in, one fragment string out, built by hand rather
than through a plotting library so that a chart costs well under a millisecond and the
same input always gives byte-identical markup (no ids, no randomness, fixed decimals).

A fragment is a ``<div class="chart-frame">`` holding an ``<svg>`` with the graphics
(lines, bars, markers; ``role="img"`` and a ``<title>``) and, over it, every label as an
absolutely placed ``<span>``: WeasyPrint lays out SVG text one letter at a time, HTML text
a line at a time. The frame's inline style carries everything the placement needs, so a
stylesheet cannot move a label; ``--chart-scale`` (a CSS custom property, default 1)
scales a whole chart, text included.

The visual language follows the domain brief (DOMAIN.md sections 6 and 7):

- means as a dot with a 95% interval whisker on the scale axis, never bars anchored at 1;
- item distributions as diverging stacked bars (Heiberger & Robbins 2014) in a
  colour-blind-safe diverging palette (ColorBrewer PuOr), neutral in grey split at zero;
- the set x subscale heatmap in a single sequential hue, suppressed cells grey and labelled;
- text labels everywhere, so that no reading depends on colour alone; no red/amber/green.

The font family and colours of the labels come from :class:`ChartPalette` (the brand can
override them along with every colour), set on the frame so that the report's own type
does not replace them.
"""

from .bars import agree_summary, diverging_bars, percentages
from .base import ChartError, ChartPalette, IntervalRow, ItemDistribution, PicturePoint
from .heatmap import heatmap
from .intervals import forest_chart, profile_chart
from .panels import side_by_side_chart
from .picture import picture_chart

__all__ = [
    "ChartError",
    "agree_summary",
    "ChartPalette",
    "IntervalRow",
    "ItemDistribution",
    "PicturePoint",
    "diverging_bars",
    "forest_chart",
    "heatmap",
    "percentages",
    "picture_chart",
    "side_by_side_chart",
    "profile_chart",
]
