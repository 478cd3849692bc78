"""Per-group statistics as array kernels: one pass over respondents for every group.

:func:`grouped_describe` (n, mean, sd, median, min, max per group code, with means and sds
from exact integer sums where the scores are fractions of small denominators, so the
result does not depend on row order) and the item spread behind rwg(j) and AD (item
variances and absolute deviations, from per-set answer tables summed up the hierarchy,
or over the rows where answers are not small whole numbers).
:mod:`surveyor.numbers.summaries` builds groups.csv from them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Scores are fractions with the number of answered items as denominator; larger ones mean
# the values did not come from scoring, and group means are then summed as floats.
MAX_DENOMINATOR = 1000


def grouped_describe(codes, values, n_groups: int) -> dict:
    """n, mean, sd (n-1), median, min and max of ``values`` per group code, NaN dropped.

    One stable sort and a few ``bincount`` passes: linear in respondents, whatever the
    number of groups (pandas' groupby recompresses the codes on every call).
    """
    return _describe(codes, _Answered.of(values), n_groups)


@dataclass
class _Answered:
    """The non-missing values of one variable, with their sorted distinct values.

    Computed once per subscale and shared by the three levels of groups.
    """

    ok: object  # boolean mask of the non-missing values
    values: object
    distinct: object
    position: object  # index of each value in ``distinct``
    _exact: object = None

    @property
    def exact(self) -> tuple | None:
        """Each distinct value as ``numerator / denominator`` over one common denominator.

        ``(numerators, denominator)``, numerators an int64 array beside ``distinct``; None
        when some value is not a fraction with a denominator up to ``MAX_DENOMINATOR``
        (scores are means of whole-number answers, so they always are).
        """
        if self._exact is None:
            self._exact = _common_fractions(self.distinct) or ()
        return self._exact or None

    @classmethod
    def of(cls, values) -> _Answered:
        import numpy as np
        import pandas as pd

        ok = ~np.isnan(values)
        v = values[ok]
        if (v == 0).any():
            # 0.0 and -0.0 are one distinct value and print differently: keep the choice
            # sorting has always made between them.
            distinct, position = np.unique(v, return_inverse=True)
            return cls(ok, v, distinct, position.reshape(-1))
        # Hashing then sorting the few distinct values: the same result as np.unique,
        # without sorting a million values.
        position, distinct = pd.factorize(v, sort=True)
        return cls(ok, v, distinct, position)


def _common_fractions(distinct) -> tuple | None:
    """``(numerators, denominator)`` of ``distinct`` over their least common denominator."""
    import math
    from fractions import Fraction

    import numpy as np

    fractions = [Fraction(float(v)).limit_denominator(MAX_DENOMINATOR) for v in distinct]
    if any(float(f) != float(v) for f, v in zip(fractions, distinct, strict=True)):
        return None
    denominator = math.lcm(1, *(f.denominator for f in fractions))
    numerators = [f.numerator * (denominator // f.denominator) for f in fractions]
    if numerators and max(abs(k) for k in numerators) >= 2**31:
        return None
    return np.array(numerators, dtype=np.int64), denominator


def _exact_moments(c, answered: _Answered, n, n_groups: int, table=None):
    """Each group's mean and sd from exact integer sums, or None when they would not fit.

    With every score ``numerator / L``, a group's sum S and sum of squares Q of the
    numerators are whole numbers: the mean ``S / (n L)`` and the variance
    ``(n Q - S^2) / (n (n - 1) L^2)`` are then fixed fractions whatever the order of the
    rows, and the floats below are worked out from them alone. A mean on a rounding tie
    is then the float nearest to the tie, so publication rounding
    (``surveyor.numbers.rounding``) sees it as one, and a file's rows in any order give
    the same bytes.
    """
    import numpy as np

    exact = answered.exact
    if exact is None:
        return None
    numerators, denominator = exact
    top = int(np.abs(numerators).max()) if len(numerators) else 0
    total = int(len(c))
    # Sums of squares: int64 from the table (exact below 2**63), float64 from bincount
    # (exact while below 2**53).
    if total * top * top >= (2**62 if table is not None else 2**53):
        return None
    if table is not None:
        s = table @ numerators
        q = table @ (numerators * numerators)
    else:
        weights = numerators[answered.position].astype(float)
        s = np.rint(np.bincount(c, weights=weights, minlength=n_groups)).astype(np.int64)
        q = np.rint(np.bincount(c, weights=weights * weights, minlength=n_groups)).astype(
            np.int64)
    n64 = n.astype(np.int64)
    if (total * top) ** 2 >= 2**62:
        # n Q and S^2 would overflow int64: Python's integers, then one rounding.
        s_big, n_big = s.astype(object), n64.astype(object)
        spread = (n_big * q.astype(object) - s_big * s_big).astype(float)
    else:
        spread = n64 * q - s * s
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / (n64 * float(denominator))
        variance = spread / (n64 * (n64 - 1) * float(denominator) ** 2)
        sd = np.sqrt(variance)
    return mean, sd


def _describe(codes, answered: _Answered, n_groups: int) -> dict:
    import numpy as np

    c, v = codes[answered.ok], answered.values
    n = np.bincount(c, minlength=n_groups)
    distinct, position = answered.distinct, answered.position
    tabulate = len(distinct) * n_groups <= 5_000_000
    table = None
    if tabulate:
        # Scores take few distinct values (means of a handful of whole numbers): count
        # them per group instead of sorting a million values.
        table = np.bincount(
            c * len(distinct) + position, minlength=n_groups * len(distinct)
        ).reshape(n_groups, len(distinct))
    moments = _exact_moments(c, answered, n, n_groups, table)
    if moments is not None:
        mean, sd = moments
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(c, weights=v, minlength=n_groups) / n
            squares = np.bincount(c, weights=(v - mean[c]) ** 2, minlength=n_groups)
            sd = np.sqrt(squares / (n - 1))
    sd[n < 2] = np.nan
    has = n > 0
    if tabulate:
        cumulative = np.cumsum(table, axis=1)
        lower = np.minimum((n - 1) // 2, np.maximum(n - 1, 0))
        upper = n // 2
        lower_at = (cumulative <= lower[:, None]).sum(axis=1)
        upper_at = (cumulative <= upper[:, None]).sum(axis=1)
        first_at = (cumulative == 0).sum(axis=1)
        last_at = (cumulative < n[:, None]).sum(axis=1)
        top = len(distinct) - 1
        pick = lambda at: distinct[np.minimum(at, top)] if len(distinct) else at  # noqa: E731
        minimum = np.where(has, pick(first_at), np.nan)
        maximum = np.where(has, pick(last_at), np.nan)
        median = np.where(has, (pick(lower_at) + pick(upper_at)) / 2, np.nan)
        return {
            "n": n.astype(int), "mean": mean, "sd": sd, "median": median,
            "min": minimum, "max": maximum,
        }
    order = np.lexsort((v, c))
    ordered = v[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    first = np.where(has, starts, 0)
    last = np.where(has, starts + n - 1, 0)
    lower_mid = np.where(has, starts + (n - 1) // 2, 0)
    upper_mid = np.where(has, starts + n // 2, 0)
    if len(ordered):
        minimum = np.where(has, ordered[first], np.nan)
        maximum = np.where(has, ordered[last], np.nan)
        median = np.where(has, (ordered[lower_mid] + ordered[upper_mid]) / 2, np.nan)
    else:
        minimum = maximum = median = np.full(n_groups, np.nan)
    return {
        "n": n.astype(int),
        "mean": mean,
        "sd": sd,
        "median": median,
        "min": minimum,
        "max": maximum,
    }


def _item_spread(c, columns, n_groups: int):
    """Per group, over the respondents who answered every item (``c`` their group codes,
    one item per row of ``columns``): their count, the mean of the item variances (n-1),
    and AD (mean absolute deviation from the item mean, averaged over items, as
    ``multilevel::ad.m``)."""
    import numpy as np

    n = np.bincount(c, minlength=n_groups)
    variances, deviations = [], []
    # Two scratch rows reused for every item: fresh million-value temporaries cost more
    # in page faults than the arithmetic on them.
    centred = np.empty(len(c))
    scratch = np.empty(len(c))
    with np.errstate(invalid="ignore", divide="ignore"):
        for column in columns:
            mean = np.bincount(c, weights=column, minlength=n_groups) / n
            np.subtract(column, mean.take(c), out=centred)
            np.square(centred, out=scratch)
            variances.append(np.bincount(c, weights=scratch, minlength=n_groups) / (n - 1))
            np.abs(centred, out=scratch)
            deviations.append(np.bincount(c, weights=scratch, minlength=n_groups) / n)
    return n, np.mean(variances, axis=0), np.mean(deviations, axis=0)


def _answer_tables(set_of, columns, n_sets: int) -> list | None:
    """Per item, how many of each set's complete respondents gave each answer.

    ``set_of`` is the set of each complete row, ``columns`` one item per row. Returns a
    list of (answer values, sets x answers counts), or None when some item's answers are
    not whole numbers a few apart (then ``_item_spread`` works on the rows themselves).
    Counts add up exactly, so organisations and the programme are sums of their sets.
    """
    import numpy as np

    if not columns.size:
        return None
    tables = []
    for column in columns:
        low, high = float(column.min()), float(column.max())
        if high - low > 100 or not np.array_equal(column, np.round(column)):
            return None
        width = int(high - low) + 1
        position = (column - low).astype(np.int64)
        counts = np.bincount(set_of * width + position, minlength=n_sets * width)
        tables.append((low + np.arange(width, dtype=float), counts.reshape(n_sets, width)))
    return tables


def _table_spread(tables, group_of_set, n_groups: int):
    """``_item_spread`` from the answer tables of ``_answer_tables``, sets summed per group.

    The same statistics from each answer's count: mean sum(count x answer) / n, variance
    sum(count x (answer - mean)^2) / (n - 1), AD sum(count x |answer - mean|) / n.
    """
    import numpy as np

    variances, deviations = [], []
    n = np.zeros(n_groups, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for values, counts in tables:
            grouped = np.stack(
                [np.bincount(group_of_set, weights=counts[:, v], minlength=n_groups)
                 for v in range(len(values))],
                axis=1,
            )
            n = grouped.sum(axis=1)
            mean = grouped @ values / n
            deviation = values[None, :] - mean[:, None]
            variances.append((grouped * np.square(deviation)).sum(axis=1) / (n - 1))
            deviations.append((grouped * np.abs(deviation)).sum(axis=1) / n)
    return n.astype(np.int64), np.mean(variances, axis=0), np.mean(deviations, axis=0)
