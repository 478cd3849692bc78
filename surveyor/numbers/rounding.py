"""Publication rounding: half away from zero, on the decimal value a figure stands for.

Every rounded figure surveyor publishes (groups.csv means, sds, intervals and order
statistics; changes.csv; every number a report prints) goes through
:func:`round_half_away`, so the data files and the reports say the same thing.

The convention is **half away from zero** (4.15 -> 4.2, 4.25 -> 4.3, -0.15 -> -0.2): what
Excel's ``ROUND``, SPSS and most readers do, so a reader who rounds a two-decimal figure
of groups.csv by hand gets the one-decimal figure the report prints. The alternatives
were rejected because they depend on the binary value, not on the figure:

- numpy's ``np.round``, Python's ``round`` and ``format`` round half to even on the binary
  value: 4.15 is stored as 4.1500000000000004 (up) but 4.35 as 4.3499999999999996 (down),
  and a mean computed in another order can land a bit either side of the tie.
- R's ``round`` (R >= 4.0) and ``sprintf`` also decide on the binary value
  (``round(0.15, 1)`` is 0.1, ``round(2.5)`` is 2), so they are not a rule a reader can
  apply to the printed figure either.

Scores are means of whole-number answers, so group means are fractions and a mean can sit
exactly on a tie (83/20 = 4.15). The float that stands for it is within a few units in
the last place of the fraction; a value whose scaled fraction is within
:data:`TIE_TOLERANCE` of one half is treated as the tie it stands for. For a group mean
of n scores with common denominator L the nearest value that is not a tie is at least
``1 / (2 n L)`` away in the same units (8e-9 for a million respondents on six items), so
the tolerance separates the two; the group means themselves are computed from exact
integer sums (``surveyor.numbers.summaries``) so they do not depend on the order of the
rows at all.
"""

from __future__ import annotations

#: How close (in units of the last published decimal) to one half counts as a tie.
TIE_TOLERANCE = 1e-9


def round_half_away(values, decimals):
    """``values`` rounded to ``decimals`` places, halves away from zero (see module notes).

    ``values`` and ``decimals`` may be scalars or arrays (broadcast together). NaN and
    infinities pass through; a result that rounds to zero is ``0.0``, never ``-0.0``.
    Each result is the float nearest to its decimal, so it prints as that decimal.
    """
    import numpy as np

    x = np.asarray(values, dtype=float)
    scale = np.power(10.0, np.asarray(decimals, dtype=float))
    with np.errstate(invalid="ignore", over="ignore"):
        y = np.abs(x) * scale
        whole = np.floor(y)
        up = (y - whole) >= 0.5 - TIE_TOLERANCE
        rounded = np.copysign((whole + up) / scale, x)
        # From 2**52 units of the last decimal up, a float has no fraction left to round
        # (and |x| * scale may overflow): such values are already what they print as.
        exact = ~np.isfinite(x) | ~(y < 2.0**52)
        out = np.where(exact, x, rounded) + 0.0
    return out if out.ndim else float(out)


def round_value(value: float, decimals: int) -> float:
    """One number rounded as :func:`round_half_away` (a plain float)."""
    return float(round_half_away(float(value), decimals))
