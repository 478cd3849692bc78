"""Statistics for scoring: reliability, agreement, aggregation and group summaries.

Pure functions: arrays or frames in, floats, dataclasses or frames out, full precision
(round only when formatting). Each function names the R function it reproduces; the
figures are checked against R in ``tests/reference`` (``Rscript
tests/reference/make_reference.R`` regenerates them). Where R answers NA or NaN these
functions answer ``nan``; they never raise on degenerate data (a group of one, an item
nobody varied on, a subscale of two items).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

NAN = float("nan")

#: Seed and replications of the rwg(j) null simulation in :func:`rwg_j_critical`.
RWG_SIM_SEED = 20240611
RWG_SIM_REPLICATIONS = 100_000
# Up to this group size the rwg(j) null is computed exactly; above it, approximated.
RWG_EXACT_MAX_N = 30


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
    table = pd.DataFrame(
        {
            "n": present.sum().astype(int),
            "mean": frame.mean(),
            "sd": frame.std(ddof=1),
            "r_drop": NAN,
            "alpha_if_deleted": NAN,
        }
    )
    sd = table["sd"]
    dropped = tuple(str(c) for c in frame.columns[(sd <= 0) | sd.isna()])
    kept = [c for c in frame.columns if str(c) not in dropped]
    k = len(kept)
    if k < 2:
        return AlphaResult(NAN, NAN, NAN, NAN, NAN, n, n_rows, k, table, dropped)

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


def _complete(items) -> np.ndarray:
    matrix = np.asarray(pd.DataFrame(items).apply(pd.to_numeric, errors="coerce"), dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    return matrix[~np.isnan(matrix).any(axis=1)]


def _null_variance(n_options: int) -> float:
    if n_options < 2:
        raise ValueError(f"a response scale needs at least 2 options, not {n_options}")
    return (n_options**2 - 1) / 12


def _rwg_from_variance(mean_var: np.ndarray, j: int, null_var: float) -> np.ndarray:
    # James, Demaree & Wolf (1984); truncating s2 at the null variance sets rwg(j) to 0
    # rather than letting it go negative or above 1, as multilevel::rwg.j does.
    ratio = np.minimum(mean_var, null_var) / null_var
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def rwg_j(items, n_options: int) -> float:
    """Within-group agreement rwg(j) of one group, as ``multilevel::rwg.j``.

    Parameters
    ----------
    items : array-like, shape (n, J)
        One group's answers, one column per item, NaN for missing.
    n_options : int
        A, the number of response options (5 on a 5-point scale).

    Returns
    -------
    float
        rwg(j) in [0, 1]; nan when fewer than 2 respondents answered every item.

    Notes
    -----
    Matches ``multilevel::rwg.j(x, grpid, ranvar = (A^2 - 1)/12)``. Only respondents who
    answered every item count. With s2 the mean of the J item variances (n-1) and
    s2_EU = (A^2 - 1)/12 the variance of uniform random answering::

        rwg(j) = J (1 - s2/s2_EU) / (J (1 - s2/s2_EU) + s2/s2_EU)

    where s2 is first truncated to s2_EU, so rwg(j) is 0 when the group disagrees more
    than random answering would.
    """
    null_var = _null_variance(n_options)
    matrix = _complete(items)
    if matrix.shape[0] < 2:
        return NAN
    mean_var = matrix.var(axis=0, ddof=1).mean()
    return float(_rwg_from_variance(np.asarray(mean_var), matrix.shape[1], null_var))


def average_deviation(items, center: str = "mean") -> float:
    """Average deviation AD_M(J) of one group, as ``multilevel::ad.m``.

    Parameters
    ----------
    items : array-like, shape (n, J)
        One group's answers, one column per item, NaN for missing.
    center : {"mean", "median"}
        Deviations about each item's mean (AD_M, the default) or median (AD_Md).

    Returns
    -------
    float
        AD in scale points; nan when fewer than 2 respondents answered every item.

    Notes
    -----
    Burke & Dunlap (2002). Over respondents who answered every item, the mean over items
    of the mean absolute deviation from the item's mean (divided by n, not n-1), as
    ``multilevel::ad.m(x, grpid, type = "mean")``. Practical cut-off: A/6 (0.83 on a
    5-point scale).
    """
    if center not in ("mean", "median"):
        raise ValueError(f"center must be 'mean' or 'median', not {center!r}")
    matrix = _complete(items)
    if matrix.shape[0] < 2:
        return NAN
    middle = matrix.mean(axis=0) if center == "mean" else np.median(matrix, axis=0)
    return float(np.abs(matrix - middle).mean(axis=0).mean())


@functools.lru_cache(maxsize=512)
def _rwg_j_critical_normal(n: int, j: int, n_options: int, level: float) -> float:
    """Large-group critical value from the normal approximation to the null.

    Under uniform random answering the J item variances are independent, each with mean
    ``s2_EU`` and sampling variance ``mu4/n - s2_EU^2 (n-3)/(n(n-1))`` (mu4 the fourth
    central moment of the discrete uniform), so their mean is close to normal for large n.
    The ``level`` quantile of rwg(j) is rwg(j) at the ``1 - level`` quantile of that mean.
    It agrees with the simulation to about .001 from n = 30 up (tests check n = 31-100).
    """
    from scipy.special import ndtri

    values = np.arange(1, n_options + 1, dtype=float)
    centred = values - values.mean()
    variance = float(np.mean(centred**2))
    mu4 = float(np.mean(centred**4))
    sampling = mu4 / n - variance**2 * (n - 3) / (n * (n - 1))
    low = variance - ndtri(level) * math.sqrt(sampling / j)
    return float(_rwg_from_variance(np.array([low]), j, variance)[0])


@functools.lru_cache(maxsize=512)
def rwg_j_critical(n: int, j: int, n_options: int, level: float = 0.95) -> float:
    """Critical value of rwg(j) under random answering: the null's ``level`` quantile.

    Parameters
    ----------
    n : int
        Respondents in the group (complete answers).
    j : int
        Items in the subscale.
    n_options : int
        A, the number of response options.
    level : float
        Quantile of the null distribution to return.

    Returns
    -------
    float
        The ``level`` quantile of rwg(j) when n respondents answer J items uniformly at
        random on 1..A; nan when n < 2.

    Notes
    -----
    The null is the one ``multilevel::rwg.j.sim(gsize = n, nitems = J, nresp = A)``
    simulates (independent uniform answers). Up to ``RWG_EXACT_MAX_N`` (30) respondents it
    is computed exactly (``_rwg_j_critical_exact``): no random numbers, so every machine
    gets the same value. It equals the 100,000-replication simulation
    (``rwg_j_critical_simulated``) at every size checked, and agrees with R's
    ``quantile(sim$rwg, .95, type = 1)`` from 10,000 replications within simulation
    error (.006 in the reference checks). multilevel's own ``rwg.95`` reports the next
    distinct simulated value above that quantile, higher by up to about .015 for small
    groups. Above 30 respondents the normal approximation ``_rwg_j_critical_normal``
    is used, within about .001 of the simulation there. Results are cached per argument
    tuple, as the function is called once per group.
    """
    if n < 2:
        return NAN
    if j < 1:
        raise ValueError(f"a subscale needs at least 1 item, not {j}")
    _null_variance(n_options)
    if n > RWG_EXACT_MAX_N:
        return _rwg_j_critical_normal(n, j, n_options, level)
    return _rwg_j_critical_exact(n, j, n_options, level)


def _rwg_j_critical_exact(n: int, j: int, n_options: int, level: float) -> float:
    """The exact null quantile for small groups.

    The distribution of (sum, sum of squares) of n independent uniform answers on 1..A
    is built by dynamic programming; each gives one item's variance as the integer
    ``k = n * sumsq - sum^2`` over ``n(n-1)``. The J items are independent, so the sum of
    their k is the J-fold convolution. rwg(j) falls as the mean variance rises, so its
    ``level`` quantile (R's type 1) is rwg(j) at the largest total k whose lower tail
    ``P(K < k)`` is at most ``1 - level``.
    """
    null_var = _null_variance(n_options)
    per_item = _item_variance_masses(n_options)[n]
    total = per_item
    for _ in range(j - 1):
        total = np.convolve(total, per_item)
    below = np.cumsum(total) - total
    admissible = np.flatnonzero((total > 1e-15) & (below <= 1 - level + 1e-12))
    mean_var = admissible.max() / (j * n * (n - 1))
    return float(_rwg_from_variance(np.array([mean_var]), j, null_var)[0])


@functools.lru_cache(maxsize=8)
def _item_variance_masses(n_options: int) -> tuple[np.ndarray, ...]:
    """For each group size n up to ``RWG_EXACT_MAX_N``, the null distribution of one item's
    ``k = n * sumsq - sum^2`` (index n of the tuple; entry k holds P(k)).

    One dynamic programme over (sum, sum of squares) serves every n: after n steps the
    grid holds the distribution for n respondents. The grid is sized for the largest n;
    cells a smaller n cannot reach stay exactly 0, so each n gets the same figures as a
    grid of its own size would give.
    """
    top = RWG_EXACT_MAX_N
    values = np.arange(1, n_options + 1)
    max_sum, max_squares = top * n_options, top * n_options**2
    mass = np.zeros((max_sum + 1, max_squares + 1))
    mass[0, 0] = 1.0
    masses = [np.ones(1)]
    for n in range(1, top + 1):
        step = np.zeros_like(mass)
        for v in values:
            step[v:, v * v :] += mass[: max_sum + 1 - v, : max_squares + 1 - v * v]
        mass = step / n_options
        sums, squares = np.nonzero(mass)
        k = n * squares - sums**2
        masses.append(np.bincount(k, weights=mass[sums, squares]))
    return tuple(masses)


def rwg_j_critical_simulated(n: int, j: int, n_options: int, level: float = 0.95) -> float:
    """The same quantile by simulation, as ``multilevel::rwg.j.sim`` does it.

    ``RWG_SIM_REPLICATIONS`` (100,000) groups drawn with numpy's
    ``default_rng(RWG_SIM_SEED)``; the quantile is R's ``quantile(type = 1)``. Kept as an
    independent check on the exact computation (tests compare the two).
    """
    null_var = _null_variance(n_options)
    rng = np.random.default_rng(RWG_SIM_SEED)
    reps = RWG_SIM_REPLICATIONS
    # Bound memory for large groups: draw the replications in blocks of a size that
    # depends only on (n, J), so the result stays a fixed function of the arguments.
    block = max(1, min(reps, 2_000_000 // (n * j)))
    values = np.empty(reps)
    for start in range(0, reps, block):
        size = min(block, reps - start)
        answers = rng.integers(1, n_options + 1, size=(size, n, j), dtype=np.int16)
        mean_var = answers.var(axis=1, ddof=1).mean(axis=1)
        values[start : start + size] = _rwg_from_variance(mean_var, j, null_var)
    values.sort()
    position = math.ceil(level * reps - 1e-9) - 1
    return float(values[min(max(position, 0), reps - 1)])


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
    frame = pd.DataFrame(
        {
            "score": pd.to_numeric(pd.Series(scores), errors="coerce").to_numpy(dtype=float),
            "group": pd.Series(groups).to_numpy(),
        }
    )
    frame = frame[frame["score"].notna() & frame["group"].notna()]
    n = len(frame)
    by_group = frame.groupby("group", sort=False)["score"]
    k = by_group.ngroups
    if k < 2 or n - k < 1:
        return NAN, NAN
    group_mean = by_group.transform("mean").to_numpy()
    values = frame["score"].to_numpy()
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
