"""Intervals and paired tests, against values computed by hand or by SciPy."""

import numpy as np
import pytest
from scipy import stats

from utils.stats import (
    accuracy_interval,
    bootstrap_interval,
    mcnemar_test,
    paired_bootstrap,
    wilson_interval,
)


@pytest.mark.parametrize("k,n", [(830, 1000), (9943, 10000), (0, 20), (20, 20), (7, 9)])
def test_wilson_matches_scipy(k, n):
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(ref.low, abs=1e-9)
    assert high == pytest.approx(ref.high, abs=1e-9)


def test_wilson_by_hand():
    # p = 0.5, n = 100, z = 1.96: centre 0.5, half-width
    # 1.96 * sqrt(0.0025 + 1.96**2 / 40000) / (1 + 1.96**2 / 100) = 0.0961...
    low, high = wilson_interval(50, 100)
    z = stats.norm.ppf(0.975)
    half = z * np.sqrt(0.25 / 100 + z**2 / 40000) / (1 + z**2 / 100)
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half))
    assert half == pytest.approx(0.0961, abs=1e-4)
    # about +/- 2.3 points at 83% on 1,000 test photos
    low, high = wilson_interval(830, 1000)
    assert high - low == pytest.approx(0.046, abs=0.002)


def test_wilson_rejects_nonsense():
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_accuracy_interval():
    acc, low, high = accuracy_interval(np.array([1] * 83 + [0] * 17))
    assert acc == pytest.approx(0.83)
    assert low < 0.83 < high


def test_bootstrap_interval_of_a_constant_is_a_point():
    mean, low, high = bootstrap_interval(np.full(50, 3.0))
    assert (mean, low, high) == (3.0, 3.0, 3.0)


def test_bootstrap_interval_agrees_with_scipy():
    rng = np.random.default_rng(1)
    errors = rng.exponential(2.0, size=400)
    mean, low, high = bootstrap_interval(errors, n_boot=4000, seed=0)
    ref = stats.bootstrap(
        (errors,), np.mean, n_resamples=4000, method="percentile", random_state=0
    ).confidence_interval
    assert mean == pytest.approx(errors.mean())
    assert low == pytest.approx(ref.low, rel=0.02)
    assert high == pytest.approx(ref.high, rel=0.02)
    # and the normal approximation: mean +/- 1.96 s / sqrt(n)
    se = errors.std(ddof=1) / np.sqrt(len(errors))
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.1)


def test_mcnemar_by_hand():
    # 10 examples only A got right, 2 only B: p = 2 * P(X <= 2 | 12, 0.5) = 158 / 4096
    a = np.array([1] * 10 + [0] * 2 + [1] * 50 + [0] * 5, dtype=bool)
    b = np.array([0] * 10 + [1] * 2 + [1] * 50 + [0] * 5, dtype=bool)
    result = mcnemar_test(a, b)
    assert result.p_value == pytest.approx(158 / 4096)
    assert result.difference == pytest.approx(8 / 67)
    assert "10 examples only the first" in result.detail
    assert "larger than chance" in str(result)


def test_mcnemar_no_discordant_pairs():
    a = np.array([1, 0, 1], dtype=bool)
    assert mcnemar_test(a, a).p_value == 1.0
    assert "within what chance" in str(mcnemar_test(a, a))


def test_mcnemar_needs_the_same_examples():
    with pytest.raises(ValueError):
        mcnemar_test(np.ones(3, bool), np.ones(4, bool))


def test_paired_bootstrap_sees_a_real_difference_and_not_a_fake_one():
    rng = np.random.default_rng(0)
    hard = rng.exponential(5.0, size=300)  # shared difficulty cancels in the pairing
    better = hard + rng.normal(0, 0.1, 300)
    worse = hard + 0.3 + rng.normal(0, 0.1, 300)
    real = paired_bootstrap(better, worse)
    assert real.difference == pytest.approx(-0.3, abs=0.03)
    assert real.p_value < 0.01
    twin = hard + rng.normal(0, 0.1, 300)
    fake = paired_bootstrap(better, twin)
    assert fake.p_value > 0.05


def test_block_bootstrap_widens_the_interval_for_correlated_examples():
    rng = np.random.default_rng(0)
    # a slowly wandering error: neighbours are alike, so it holds far fewer than 2,000 independent examples
    errors = np.repeat(rng.normal(1.0, 0.5, 100), 20)
    _, low1, high1 = bootstrap_interval(errors, seed=0)
    _, low24, high24 = bootstrap_interval(errors, seed=0, block=20)
    assert (high24 - low24) > 2.5 * (high1 - low1)
    # the independent-block answer: 100 values, so about 1.96 * 0.5 / sqrt(100) each side
    assert (high24 - low24) / 2 == pytest.approx(
        1.96 * errors.std() / np.sqrt(100), rel=0.25
    )
    with pytest.raises(ValueError):
        bootstrap_interval(errors[:10], block=11)


def test_paired_block_bootstrap_runs_on_time_series_errors():
    rng = np.random.default_rng(0)
    base = np.repeat(rng.exponential(1.0, 60), 24)
    result = paired_bootstrap(base + 0.2, base, block=24)
    assert result.difference == pytest.approx(0.2)
    assert result.p_value < 0.01


def test_a_p_value_below_float_range_is_not_shown_as_zero():
    right = np.array([True] * 4000 + [False] * 700)
    result = mcnemar_test(right, ~right)
    assert result.p_value < 1e-300
    assert "p = 0:" not in str(result) and "p < 1e-300" in str(result)
