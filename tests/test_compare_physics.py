"""The weighted figures of ``sklml compare`` against scipy, scikit-learn and their definitions."""

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score, roc_curve

from sklml.compare._physics import (
    asimov_significance,
    efficiency_curve,
    separation,
    signal_efficiency_at,
    weighted_correlation,
    weighted_ks,
    weighted_roc_auc,
    variable_ranking,
)

SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_ks_with_equal_weights_is_scipys(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=300), rng.normal(0.15, 1.1, size=420)
    ref = ks_2samp(a, b, method="asymp")
    assert weighted_ks(a, b) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-12, abs=1e-15)
    assert weighted_ks(a, b, np.full(300, 2.5), np.full(420, 0.3)) == pytest.approx(
        (ref.statistic, ref.pvalue), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_ks_with_integer_weights_is_the_repeated_sample(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=200), rng.exponential(size=150)
    wa, wb = rng.integers(1, 5, 200), rng.integers(1, 5, 150)
    statistic, _ = weighted_ks(a, b, wa, wb)
    assert statistic == pytest.approx(ks_2samp(np.repeat(a, wa), np.repeat(b, wb)).statistic,
                                      abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_ks_with_negative_weights_matches_the_definition(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=150), rng.normal(0.3, 1, size=170)
    wa, wb = rng.normal(1, 0.7, 150), rng.normal(1, 0.7, 170)
    assert (wa < 0).any()
    grid = np.linspace(-5, 5, 20001)  # the weighted CDFs on a fine grid
    fa = np.array([wa[a <= x].sum() for x in grid]) / wa.sum()
    fb = np.array([wb[b <= x].sum() for x in grid]) / wb.sum()
    statistic, pvalue = weighted_ks(a, b, wa, wb)
    assert statistic >= np.abs(fa - fb).max() - 1e-12
    assert statistic == pytest.approx(np.abs(fa - fb).max(), abs=0.02)
    assert 0.0 <= pvalue <= 1.0
    # identical samples: no distance, p-value 1
    assert weighted_ks(a, a, wa, wa) == (0.0, 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_and_efficiency_at_fixed_background(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 2000)
    score = rng.normal(size=2000) + 1.2 * y
    w = rng.uniform(0.2, 3.0, 2000)
    assert weighted_roc_auc(y, score, w) == pytest.approx(roc_auc_score(y, score, sample_weight=w),
                                                          abs=1e-12)
    fpr, tpr, _ = roc_curve(y, score, sample_weight=w)
    assert signal_efficiency_at(y, score, w, 0.1) == pytest.approx(np.interp(0.1, fpr, tpr),
                                                                   abs=1e-12)
    # directly: the cut that keeps 10 % of the background weight
    order = np.argsort(-score[y == 0])
    kept = np.cumsum(w[y == 0][order]) / w[y == 0].sum()
    cut = score[y == 0][order][np.searchsorted(kept, 0.1)]
    direct = w[(y == 1) & (score >= cut)].sum() / w[y == 1].sum()
    step = w.max() / w[y == 1].sum()  # one signal event more or less
    assert signal_efficiency_at(y, score, w, 0.1) == pytest.approx(direct, abs=3 * step)
    # a good classifier beats a random cut, which keeps as much signal as background
    assert signal_efficiency_at(y, score, w, 0.1) > 0.25


def test_efficiency_curve_with_negative_weights_still_ends_at_one():
    y = np.array([1, 1, 1, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.1, 0.7, 0.3, 0.2])
    w = np.array([1.0, -0.5, 1.0, 2.0, -1.0, 1.0])
    eff_b, eff_s, _ = efficiency_curve(y, score, w)
    assert eff_b[-1] == pytest.approx(1.0) and eff_s[-1] == pytest.approx(1.0)
    assert eff_s[1] == pytest.approx(1.0 / 1.5)  # the tightest cut keeps the first event


def test_separation_limits():
    y = np.repeat([0, 1], 500)
    rng = np.random.default_rng(0)
    same = rng.uniform(size=1000)
    assert separation(y, same) < 0.05
    assert separation(y, np.where(y == 1, 1.0, 0.0) + 0.01 * same) == pytest.approx(1.0)


def test_asimov_significance_limits():
    assert asimov_significance(1.0, 1e4) == pytest.approx(1.0 / np.sqrt(1e4), rel=1e-3)
    assert asimov_significance(10.0, 0.0) == 0.0  # no background estimate: not a cut we take
    z = asimov_significance(np.array([5.0, 20.0]), np.array([1.0, 1.0]))
    assert z[0] < z[1] and np.all(z > np.array([5.0, 20.0]) / np.sqrt(1 + np.array([5.0, 20.0])))


def test_weighted_correlation_matches_numpy_for_positive_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    X[:, 1] += X[:, 0]
    w = rng.uniform(0.1, 2.0, 500)
    cov = np.cov(X.T, aweights=w)
    std = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(weighted_correlation(X, w), cov / np.outer(std, std), atol=1e-12)


def test_variable_ranking_is_each_variables_own_separation():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 1000)
    X = np.c_[rng.normal(size=2000), rng.normal(size=2000) + 2 * y, rng.normal(size=2000) + y]
    w = rng.uniform(0.5, 1.5, 2000)
    ranking = variable_ranking(X, y, w, ["noise", "strong", "weak"])
    assert [name for name, _ in ranking] == ["strong", "weak", "noise"]
    low, high = np.percentile(X[:, 1], [0.5, 99.5])
    assert ranking[0][1] == pytest.approx(separation(y, np.clip(X[:, 1], low, high), w))
