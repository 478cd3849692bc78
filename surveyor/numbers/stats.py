"""Statistics for scoring: reliability, aggregation and group summaries.

Agreement within a group (rwg(j), AD and the rwg(j) null) is in :mod:`surveyor.numbers.agreement`.

Pure functions: arrays or frames in, floats, dataclasses or frames out, full precision
(round only when formatting). Each function names the R function it reproduces; the
figures are checked against R in ``tests/reference`` (``Rscript
tests/reference/make_reference.R`` regenerates them). Where R answers NA or NaN these
functions answer ``nan``; they never raise on degenerate data (a group of one, an item
nobody varied on, a subscale of two items).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

NAN = float("nan")



@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Cronbach's alpha for one subscale, as ``psych::alpha(x)`` reports it.

    Attributes
    ----------
    alpha, alpha_std, average_r : float
        Raw alpha, standardized alpha and average inter-item r: ``$total$raw_alpha``,
        ``$total$std.alpha`` and ``$total$average_r``.
    ci_low, ci_high : float
        The 95% Feldt interval of raw alpha: ``$feldt$lower.ci`` and ``$feldt$upper.ci``.
    n : int
        Respondents who answered at least one item of the subscale.
    n_rows : int
        Rows passed in, answered or not. psych uses this (``nrow(x)``) as the sample size
        of the Feldt interval, so a respondent who skipped every item still narrows it.
    k : int
        Items used (``$nvar``): items without variance are deleted, as psych does.
    items : pandas.DataFrame
        One row per item (index: item id, in input order) with columns ``n``, ``mean``,
        ``sd`` (n-1), ``r_drop`` (item-rest correlation, ``$item.stats$r.drop``) and
        ``alpha_if_deleted`` (``$alpha.drop$raw_alpha``). Deleted items
        keep ``n``, ``mean`` and ``sd`` and have ``nan`` for the other two.
    dropped : tuple of str
        Items deleted for having no variance (or fewer than two answers).
    """

    alpha: float
    alpha_std: float
    average_r: float
    ci_low: float
    ci_high: float
    n: int
    n_rows: int
    k: int
    items: pd.DataFrame
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupSummary:
    """Descriptive statistics of one group's scores; ``nan`` where undefined."""

    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    median: float
    min: float
    max: float


def _raw_alpha(cov: np.ndarray) -> float:
    k = cov.shape[0]
    # psych's tr() drops NA on the diagonal; sum(C) does not, so NA still propagates.
    return float((1 - np.nansum(np.diag(cov)) / cov.sum()) * (k / (k - 1)))


def alpha(items: pd.DataFrame) -> AlphaResult:
    """Cronbach's alpha, its Feldt interval and item statistics, as ``psych::alpha``.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, already reverse-keyed; missing
        answers as NaN.

    Returns
    -------
    AlphaResult

    Notes
    -----
    Matches ``psych::alpha(x)`` with its defaults (psych 2.2.9). With C the pairwise-
    complete item covariance matrix (``cov(x, use = "pairwise")``) and R = ``cov2cor(C)``
    (so correlations use each item's own variance, not the pair's):

    - raw alpha = k/(k-1) (1 - tr(C)/sum(C)); standardized alpha = k/(k-1) (1 - k/sum(R));
      average r = (sum(R) - k) / (k(k-1)).
    - r.drop_i = (sum(C[, i]) - C[i, i]) / sqrt(C[i, i] sum(C[-i, -i])): the item-rest
      correlation from the same pairwise matrix, not from complete cases.
    - alpha if item i deleted is raw alpha on C[-i, -i]; for two items psych reports
      C[1, 2]/C[2, 2] for item 1 and C[1, 2]/C[1, 1] for item 2, reproduced here.
    - Items whose standard deviation is zero or undefined are deleted before anything
      else, as psych does by default (``delete = TRUE``); k counts the remaining items.
    - The Feldt interval uses n = number of rows passed (psych's ``nrow(x)``), see
      :func:`feldt_ci`.
    """
    frame = _float_frame(items)
    n_rows = len(frame)
    present = frame.notna()
    n = int(present.any(axis=1).sum())
    moments = _exact_moments(frame.to_numpy())
    count, mean, sd = moments[:3] if moments else _mean_sd(frame.to_numpy().T)
    table = pd.DataFrame(
        {
            "n": count,
            "mean": mean,
            "sd": sd,
            "r_drop": NAN,
            "alpha_if_deleted": NAN,
        },
        index=frame.columns,
    )
    sd = table["sd"]
    dropped = tuple(str(c) for c in frame.columns[(sd <= 0) | sd.isna()])
    kept = [c for c in frame.columns if str(c) not in dropped]
    k = len(kept)
    if k < 2:
        return AlphaResult(NAN, NAN, NAN, NAN, NAN, n, n_rows, k, table, dropped)

    if moments:
        at = [i for i, c in enumerate(frame.columns) if str(c) not in dropped]
        cov = moments[3][np.ix_(at, at)]
    else:
        cov = (frame if k == frame.shape[1] else frame[kept]).cov(ddof=1).to_numpy()
    scale = np.sqrt(np.diag(cov))
    cor = cov / np.outer(scale, scale)
    sum_r = cor.sum()
    raw = _raw_alpha(cov)
    std = float((1 - k / sum_r) * (k / (k - 1)))
    average_r = float((sum_r - k) / (k * (k - 1)))

    for i, item in enumerate(kept):
        rest = np.delete(np.arange(k), i)
        cov_rest = cov[np.ix_(rest, rest)]
        with np.errstate(invalid="ignore", divide="ignore"):
            table.loc[item, "r_drop"] = (cov[:, i].sum() - cov[i, i]) / np.sqrt(
                cov[i, i] * cov_rest.sum()
            )
            if k > 2:
                table.loc[item, "alpha_if_deleted"] = _raw_alpha(cov_rest)
            else:
                # psych's two-item special case: the covariance over the other item's variance.
                table.loc[item, "alpha_if_deleted"] = cov[0, 1] / cov[rest[0], rest[0]]
    low, high = feldt_ci(raw, n_rows, k)
    return AlphaResult(raw, std, average_r, low, high, n, n_rows, k, table, dropped)


def _exact_moments(values: np.ndarray):
    """Count, mean, sd per column and the pairwise-complete covariance matrix, computed
    from exact integer sums, so the same whatever the order of the rows; ``None`` when
    the answers are not all whole numbers (or too large to sum exactly).

    On whole-number answers every sum and cross-product below is a whole number under
    2**53, which BLAS adds exactly in any order; each figure is then one division (and a
    square root) of exact integers. Pairwise as ``cov(x, use = "pairwise")``: for items i
    and j over the n_ij rows answering both, C_ij = (n_ij S_ij - S_i|j S_j|i) /
    (n_ij (n_ij - 1)), S_i|j the sum of item i over those rows.
    """
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    rows = len(values)
    top = max(float(filled.max()), -float(filled.min())) if filled.size else 0.0
    # n_ij S_ij and S_i S_j must stay exact in int64 (and the sums exact in float64).
    if not np.array_equal(filled, np.rint(filled)) or rows * rows * top * top >= 2.0**62:
        return None
    mask = present.astype(np.float64)
    pairs = (mask.T @ mask).astype(np.int64)  # n_ij
    cross = (filled.T @ filled).astype(np.int64)  # S_ij
    sums = (filled.T @ mask).astype(np.int64)  # S_i|j: item i over rows answering j
    numerator = pairs * cross - sums * sums.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = numerator / (pairs * (pairs - 1)).astype(np.float64)
        count = np.diag(pairs).copy()
        mean = np.diag(sums) / count.astype(np.float64)
        sd = np.sqrt(np.diag(cov).copy())
    cov[pairs < 2] = NAN
    mean[count == 0] = NAN
    sd[count < 2] = NAN
    return count.astype(int), mean, sd, cov


def _mean_sd(by_item: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``by_item`` (one item each): answers, mean and sd (n-1), NaN skipped.

    Two passes (the mean, then squared deviations from it), numpy's pairwise sums: what
    pandas computes, several times faster on a million answers.
    """
    answered = ~np.isnan(by_item)
    count = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, by_item, 0.0).sum(axis=1) / count
        deviation = np.where(answered, by_item - mean[:, None], 0.0)
        sd = np.sqrt(np.square(deviation).sum(axis=1) / (count - 1))
    mean[count == 0] = NAN
    sd[count < 2] = NAN
    return count.astype(int), mean, sd


def _float_frame(items) -> pd.DataFrame:
    """Items as float columns (text coerced, NaN where not a number) in one row-major block.

    The block's layout fixes the order in which pandas adds up each column, so it is the
    same however the input was built.
    """
    frame = pd.DataFrame(items)
    if all(dtype == np.float64 for dtype in frame.dtypes):
        by_item = frame.to_numpy().T
        if not by_item.flags.c_contiguous:
            by_item = np.array([frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])])
            by_item = by_item.reshape(frame.shape[1], len(frame))
        # Already one row-major block (a fresh selection of columns): used as it is.
        return pd.DataFrame(by_item.T, index=frame.index, columns=frame.columns, copy=False)
    return frame.apply(pd.to_numeric, errors="coerce").astype(float)


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt confidence interval for Cronbach's alpha, as ``psych::alpha.ci``.

    Parameters
    ----------
    alpha : float
        Raw alpha.
    n : int
        Respondents.
    k : int
        Items.
    level : float
        Confidence level.

    Returns
    -------
    tuple of float
        ``(lower, upper)``; ``(nan, nan)`` when n < 2, k < 2 or alpha is nan.

    Notes
    -----
    Feldt, Woodruff & Salih (1987), with g = 1 - level and F the F quantile function on
    (n-1, (n-1)(k-1)) degrees of freedom::

        L = 1 - (1 - alpha) F(1 - g/2),   U = 1 - (1 - alpha) F(g/2)

    alpha = .85, k = 7, n = 89 gives [.797, .893].
    """
    # scipy.special's F quantile: the same function as scipy.stats.f.ppf, without the
    # second it takes to import scipy.stats.
    from scipy.special import fdtri

    if n < 2 or k < 2 or not math.isfinite(alpha):
        return NAN, NAN
    g = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * fdtri(df1, df2, 1 - g / 2)
    upper = 1 - (1 - alpha) * fdtri(df1, df2, g / 2)
    return float(lower), float(upper)


def icc(scores: pd.Series, groups: pd.Series) -> tuple[float, float]:
    """ICC(1) and ICC(2) from a one-way ANOVA, as ``multilevel::ICC1`` and ``ICC2``.

    Parameters
    ----------
    scores : pandas.Series
        One score per respondent; NaN scores are dropped first.
    groups : pandas.Series
        The respondent's group (set), aligned with ``scores``.

    Returns
    -------
    tuple of float
        ``(icc1, icc2)``; ``(nan, nan)`` with fewer than 2 groups or no within-group
        degrees of freedom; icc2 is nan when the between-group mean square is 0.

    Notes
    -----
    Bliese (2000). From ``aov(score ~ factor(group))`` with N scores in K groups::

        ICC(1) = (MSB - MSW) / (MSB + (N/K - 1) MSW),   ICC(2) = (MSB - MSW) / MSB

    N/K is the mean group size, computed by multilevel as (df_within + df_between + 1) /
    (df_between + 1), which equals N/K also for unequal groups. Groups left with no score
    after dropping NaN do not count.
    """
    values = pd.to_numeric(pd.Series(scores), errors="coerce").to_numpy(dtype=float)
    group = pd.Series(groups).to_numpy()
    kept = ~np.isnan(values) & ~pd.isna(group)
    values = values[kept]
    codes = pd.factorize(group[kept])[0]
    n = len(values)
    k = int(codes.max()) + 1 if n else 0
    if k < 2 or n - k < 1:
        return NAN, NAN
    # Group means by counting, not grouping: the same sums of squares, linear in n.
    group_mean = (np.bincount(codes, weights=values, minlength=k)
                  / np.bincount(codes, minlength=k))[codes]
    ms_between = float(((group_mean - values.mean()) ** 2).sum() / (k - 1))
    ms_within = float(((values - group_mean) ** 2).sum() / (n - k))
    mean_size = n / k
    denominator = ms_between + (mean_size - 1) * ms_within
    icc1 = (ms_between - ms_within) / denominator if denominator > 0 else NAN
    icc2 = (ms_between - ms_within) / ms_between if ms_between > 0 else NAN
    return float(icc1), float(icc2)


def describe(values, level: float = 0.95) -> GroupSummary:
    """Descriptive statistics and a t-interval for the mean of one group.

    Parameters
    ----------
    values : array-like
        Scores; NaN are ignored.
    level : float
        Confidence level of the interval.

    Returns
    -------
    GroupSummary
        n, mean, sd (n-1), ci_low, ci_high, median, min, max; with n = 0 everything but
        n is nan, with n = 1 sd and the interval are nan.

    Notes
    -----
    Interval: mean +- t(n-1, (1+level)/2) s / sqrt(n), as R's ``t.test(x)$conf.int``.
    """
    from scipy.special import stdtrit

    array = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    array = array[~np.isnan(array)]
    n = int(array.size)
    if n == 0:
        return GroupSummary(0, NAN, NAN, NAN, NAN, NAN, NAN, NAN)
    mean = float(array.mean())
    if n > 1:
        sd = float(array.std(ddof=1))
        half = float(stdtrit(n - 1, (1 + level) / 2)) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
    else:
        sd = low = high = NAN
    return GroupSummary(
        n, mean, sd, low, high, float(np.median(array)), float(array.min()), float(array.max())
    )


def option_counts(values, scale_values: Sequence[int]) -> pd.Series:
    """Count the answers given to each response option of one item.

    Parameters
    ----------
    values : array-like
        One item's answers; NaN (missing) are not counted.
    scale_values : sequence of int
        The declared response options, in scale order.

    Returns
    -------
    pandas.Series
        Integer counts indexed by option, every option present (zero when unused).

    Raises
    ------
    ValueError
        If an answer is not one of ``scale_values`` (responses are validated upstream).
    """
    answers = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    unknown = sorted(set(answers) - {float(v) for v in scale_values})
    if unknown:
        raise ValueError(f"answers outside the scale {list(scale_values)}: {unknown}")
    counts = answers.value_counts()
    index = pd.Index(list(scale_values), name="option")
    return pd.Series(
        [int(counts.get(float(v), 0)) for v in scale_values], index=index, name="count"
    )
