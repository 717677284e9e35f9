"""How sure is a number? Intervals and paired tests for test-split figures.

Plain NumPy and SciPy (no TensorFlow), so the report script and the unit tests
can import it cheaply.

* :func:`wilson_interval`: a 95% interval for an accuracy measured on n examples.
* :func:`bootstrap_interval`: a 95% interval for a mean per-example error (MAE, MSE).
* :func:`mcnemar_test`: are two classifiers' accuracies on the same examples different?
* :func:`paired_bootstrap`: is one model's mean error on the same examples lower than another's?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats as _stats


def wilson_interval(
    successes: int | float, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``.

    Better than the textbook ``p +/- 1.96 sqrt(p(1-p)/n)`` near 0% and 100%,
    where that one leaves [0, 1]. ``successes`` may be a rounded count
    (accuracy x n).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, n]; got {successes} of {n}")
    z = float(_stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def accuracy_interval(
    correct: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Accuracy of a boolean array of per-example hits, with its Wilson interval."""
    correct = np.asarray(correct, dtype=bool).ravel()
    low, high = wilson_interval(int(correct.sum()), correct.size, confidence)
    return float(correct.mean()), low, high


def _resample_indices(rng: np.random.Generator, n: int, block: int) -> np.ndarray:
    """``n`` indices drawn with replacement; with ``block > 1``, as whole runs of ``block``
    consecutive examples (a moving-block bootstrap, for examples that overlap in time)."""
    if block <= 1:
        return rng.integers(0, n, n)
    starts = rng.integers(0, n - block + 1, int(np.ceil(n / block)))
    return (starts[:, None] + np.arange(block)).ravel()[:n]


def bootstrap_interval(
    per_example: np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    block: int = 1,
) -> tuple[float, float, float]:
    """Percentile bootstrap over examples: ``(statistic, low, high)``.

    Pass per-example errors (``abs(y - p)`` for the MAE, ``(y - p)**2`` for the
    MSE, rows for a multi-output model). Examples are resampled with
    replacement ``n_boot`` times; the interval is the middle ``confidence`` of
    the resampled statistics. Neighbouring examples of a time series overlap
    and are not independent: pass ``block`` (say 24 hourly windows) to resample
    whole runs of consecutive examples, which gives an honestly wider interval.
    """
    values = np.asarray(per_example, dtype="float64")
    if values.ndim == 0 or len(values) < 2:
        raise ValueError("need at least two examples to bootstrap")
    if block > len(values):
        raise ValueError(f"block ({block}) is longer than the {len(values)} examples")
    rng = np.random.default_rng(seed)
    n = len(values)
    resampled = np.array(
        [statistic(values[_resample_indices(rng, n, block)]) for _ in range(n_boot)]
    )
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return float(statistic(values)), float(low), float(high)


@dataclass
class PairedResult:
    """The outcome of a paired comparison of model A with model B."""

    test: str
    difference: float  # A's figure minus B's
    p_value: float
    detail: str

    def __str__(self) -> str:
        verdict = (
            "larger than chance (p < 0.05)"
            if self.p_value < 0.05
            else "within what chance alone gives (p >= 0.05)"
        )
        shown = "p < 1e-300" if self.p_value < 1e-300 else f"p = {self.p_value:.3g}"
        return f"{self.test}: {self.detail}; {shown}: {verdict}"


def mcnemar_test(correct_a: np.ndarray, correct_b: np.ndarray) -> PairedResult:
    """Exact McNemar test for two classifiers scored on the same examples.

    Only the discordant examples count: ``b`` = A right and B wrong, ``c`` = A
    wrong and B right. Under "no difference" each discordant example is a fair
    coin, so the two-sided p-value is a binomial test of ``b`` in ``b + c``.
    """
    a = np.asarray(correct_a, dtype=bool).ravel()
    b_ = np.asarray(correct_b, dtype=bool).ravel()
    if a.shape != b_.shape:
        raise ValueError("both models must be scored on the same examples")
    only_a = int(np.sum(a & ~b_))
    only_b = int(np.sum(~a & b_))
    n = only_a + only_b
    p = 1.0 if n == 0 else float(_stats.binomtest(only_a, n, 0.5).pvalue)
    return PairedResult(
        test="McNemar",
        difference=float(a.mean() - b_.mean()),
        p_value=p,
        detail=f"{only_a} examples only the first got right, {only_b} only the second",
    )


def paired_bootstrap(
    errors_a: np.ndarray,
    errors_b: np.ndarray,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    block: int = 1,
) -> PairedResult:
    """Paired bootstrap of the difference in mean per-example error, A minus B.

    The same resampled examples are used for both models, so what the two
    share (hard examples) cancels. ``block`` as in :func:`bootstrap_interval`. The p-value is two-sided: twice the smaller
    share of resampled differences on either side of zero.
    """
    ea = np.asarray(errors_a, dtype="float64")
    eb = np.asarray(errors_b, dtype="float64")
    if ea.shape != eb.shape:
        raise ValueError("both models must be scored on the same examples")
    diff = ea - eb
    if diff.ndim > 1:
        diff = diff.reshape(len(diff), -1).mean(axis=1)
    mean, low, high = bootstrap_interval(diff, np.mean, n_boot, confidence, seed, block)
    rng = np.random.default_rng(seed)
    n = len(diff)
    draws = np.array(
        [diff[_resample_indices(rng, n, block)].mean() for _ in range(n_boot)]
    )
    p = min(1.0, 2 * min(np.mean(draws <= 0), np.mean(draws >= 0)))
    return PairedResult(
        test="paired bootstrap",
        difference=mean,
        p_value=float(max(p, 1 / n_boot)),
        detail=f"mean difference {mean:.4g} (95% interval {low:.4g} to {high:.4g})",
    )
