"""Agreement within a group: rwg(j) against its null distribution, and AD.

A set "shares a view" when its members answer alike: rwg(j) (James, Demaree & Wolf 1984,
as ``multilevel::rwg.j``) compares the items' observed variance with the variance of
purely random answering, and AD (Burke & Dunlap 2002, ``multilevel::ad.m``) is the mean
absolute deviation from the item means. Small groups look in agreement by chance, so
rwg(j) is read against the 95th percentile of its own null for the group's size
(:func:`rwg_j_critical`), worked out exactly up to 30 respondents. Pure functions, full
precision, ``nan`` where R answers NA; checked against R in ``tests/reference``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

NAN = float("nan")

#: Seed and replications of the rwg(j) null simulation in :func:`rwg_j_critical`.
RWG_SIM_SEED = 20240611
RWG_SIM_REPLICATIONS = 100_000
# The rwg(j) null is computed exactly up to this group size on every scale, and further on
# scales where that stays cheap (``exact_limit``); above, by a Cornish-Fisher expansion that
# is within .001 of the exact quantile there (tests/test_agreement.py checks).
RWG_EXACT_MAX_N = 30
RWG_EXACT_LIMITS = {2: 1000, 3: 300, 4: 70}


def exact_limit(n_options: int) -> int:
    """The largest group size whose rwg(j) null ``rwg_j_critical`` computes exactly."""
    return RWG_EXACT_LIMITS.get(n_options, RWG_EXACT_MAX_N)


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
def _rwg_j_critical_large(n: int, j: int, n_options: int, level: float) -> float:
    """Large-group critical value: a Cornish-Fisher expansion of the null's lower tail.

    Each item's variance is the k-statistic k2 of n independent uniform answers, whose
    first three cumulants are known exactly (Kendall & Stuart, cumulants of k-statistics):
    ``E = K2``, ``Var = K4/n + 2 K2^2/(n-1)`` and
    ``K3(k2) = K6/n^2 + 12 K4 K2/(n(n-1)) + 8 K2^3/(n-1)^2`` (the odd cumulants of the
    uniform vanish), with the discrete uniform's cumulants ``K2 = (A^2-1)/12``,
    ``K4 = -(A^4-1)/120``, ``K6 = (A^6-1)/252``. The mean of J independent items has
    variance ``Var/J`` and third cumulant ``K3/J^2``; its ``1 - level`` quantile is
    ``mean + w sd`` with ``w = z + (z^2 - 1) skew / 6``, and rwg(j) at that mean variance is
    the critical value. Above ``exact_limit(A)`` it is within .001 of the exact quantile.
    """
    from scipy.special import ndtri

    a2 = n_options**2
    k2, k4, k6 = (a2 - 1) / 12, -(a2**2 - 1) / 120, (a2**3 - 1) / 252
    variance = (k4 / n + 2 * k2**2 / (n - 1)) / j
    third = (k6 / n**2 + 12 * k4 * k2 / (n * (n - 1)) + 8 * k2**3 / (n - 1) ** 2) / j**2
    z = float(ndtri(1 - level))
    w = z + (z * z - 1) * third / variance**1.5 / 6
    low = k2 + w * math.sqrt(variance)
    return float(_rwg_from_variance(np.array([low]), j, k2)[0])


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
    simulates (independent uniform answers). Up to ``exact_limit(A)`` respondents (30 on any
    scale; 1000 on a 2-point, 300 on a 3-point and 70 on a 4-point scale, where the
    expansion below needs larger groups) it is computed exactly (``_rwg_j_critical_exact``):
    no random numbers, so every machine gets the same value. It equals the
    100,000-replication simulation (``rwg_j_critical_simulated``) at every size checked, and
    agrees with R's ``quantile(sim$rwg, .95, type = 1)`` from 10,000 replications within
    simulation error (.006 in the reference checks). multilevel's own ``rwg.95`` reports the
    next distinct simulated value above that quantile, higher by up to about .015 for small
    groups. Above that size the Cornish-Fisher expansion ``_rwg_j_critical_large`` is used,
    within .001 of the exact quantile for J >= 2 items (every subscale has at least two) on
    every scale (checked from 2 to 11 points).
    Results are cached per argument tuple, as the function is called once per group.
    """
    if n < 2:
        return NAN
    if j < 1:
        raise ValueError(f"a subscale needs at least 1 item, not {j}")
    _null_variance(n_options)
    if n > exact_limit(n_options):
        return _rwg_j_critical_large(n, j, n_options, level)
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
    per_item = _item_variance_pmf(n, n_options)
    if n <= RWG_EXACT_MAX_N:
        total = per_item
        for _ in range(j - 1):
            total = np.convolve(total, per_item)
        below = np.cumsum(total) - total
        admissible = np.flatnonzero((total > 1e-15) & (below <= 1 - level + 1e-12))
        k = admissible.max()
    else:
        # Long distributions: the J-fold convolution by FFT. The quantile is the first k
        # whose inclusive lower tail passes 1 - level, the same point as above (the tail
        # only rises at k in the support), so no support test on rounded masses is needed.
        size = j * (len(per_item) - 1) + 1
        length = 1 << (size - 1).bit_length()
        total = np.fft.irfft(np.fft.rfft(per_item, length) ** j, length)[:size]
        k = int(np.argmax(np.cumsum(total) > 1 - level + 1e-12))
    mean_var = k / (j * n * (n - 1))
    return float(_rwg_from_variance(np.array([mean_var]), j, null_var)[0])


def _item_variance_pmf(n: int, n_options: int) -> np.ndarray:
    """The null distribution of one item's ``k = n * sumsq - sum^2`` for n respondents.

    From the shared dynamic programme (sized 30, or ``exact_limit`` for a larger n); on 2-
    and 3-point scales beyond 30, from the multinomial counts of each option directly.
    """
    if n <= RWG_EXACT_MAX_N:
        return _item_variance_masses(n_options)[n]
    if n_options <= 3:
        return _item_variance_counted(n, n_options)
    return _item_variance_masses(n_options, exact_limit(n_options))[n]


@functools.lru_cache(maxsize=64)
def _item_variance_counted(n: int, n_options: int) -> np.ndarray:
    """``k``'s distribution by enumerating how many chose each option (2 or 3 options)."""
    from scipy.special import gammaln

    if n_options == 2:
        ones = np.arange(n + 1)
        counts = (ones, n - ones)
    elif n_options == 3:
        a, b = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
        keep = a + b <= n
        counts = (a[keep], b[keep], n - a[keep] - b[keep])
    else:
        raise ValueError(f"counting is for 2- or 3-point scales, not {n_options}")
    log_p = gammaln(n + 1) - sum(gammaln(c + 1) for c in counts) - n * math.log(n_options)
    total = sum(c * (v + 1) for v, c in enumerate(counts))
    squares = sum(c * (v + 1) ** 2 for v, c in enumerate(counts))
    return np.bincount(n * squares - total**2, weights=np.exp(log_p))


@functools.lru_cache(maxsize=8)
def _item_variance_masses(n_options: int, top: int = RWG_EXACT_MAX_N) -> tuple[np.ndarray, ...]:
    """For each group size n up to ``top``, the null distribution of one item's
    ``k = n * sumsq - sum^2`` (index n of the tuple; entry k holds P(k)).

    One dynamic programme over (sum, sum of squares) serves every n: after n steps the
    grid holds the distribution for n respondents. The grid is sized for the largest n;
    cells a smaller n cannot reach stay exactly 0, so each n gets the same figures as a
    grid of its own size would give.
    """
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
