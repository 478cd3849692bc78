"""Charts for the reports, as SVG markup strings to inline in the report HTML.

Every function here is pure: typed rows in, one ``<svg>`` string out, built by hand
rather than through a plotting library so that a chart costs well under a millisecond and
the same input always gives byte-identical markup (no ids, no randomness, fixed decimals).

The visual language follows the domain brief (DOMAIN.md sections 6 and 7):

- means as a dot with a 95% interval whisker on the scale axis, never bars anchored at 1;
- item distributions as diverging stacked bars (Heiberger & Robbins 2014) in a
  colour-blind-safe diverging palette (ColorBrewer PuOr), neutral in grey split at zero;
- the set x subscale heatmap in a single sequential hue, suppressed cells grey and labelled;
- text labels everywhere, so that no reading depends on colour alone; no red/amber/green.

WeasyPrint does not cascade the HTML document's CSS into inline SVG, so the font family is
set on each chart from :class:`ChartPalette` (the brand can override it along with every
colour).
"""

from .bars import diverging_bars, percentages
from .base import ChartError, ChartPalette, IntervalRow, ItemDistribution, PicturePoint
from .heatmap import heatmap
from .intervals import forest_chart, profile_chart
from .picture import picture_chart

__all__ = [
    "ChartError",
    "ChartPalette",
    "IntervalRow",
    "ItemDistribution",
    "PicturePoint",
    "diverging_bars",
    "forest_chart",
    "heatmap",
    "percentages",
    "picture_chart",
    "profile_chart",
]
