"""The guarantees ``sklml.tree._binning.bin_data`` documents: one bin per value
where a feature has at most ``max_bins`` values (also when the edges come from
a subsample), quantile bins of nearly equal population, and, for sampled large
data, every bin's population within the stated bound on several seeds."""

import numpy as np
import pytest

from sklml.tree import _binning
from sklml.tree._binning import MISSING_BIN, bin_data

SEEDS = [None, 0, 1]  # None: bin_data's default random_state


def _distinct(rng, draw, n):
    """``n`` distinct float32 values of a distribution, in random order."""
    values = np.unique(draw(size=n + n // 20).astype(np.float32))
    return rng.permutation(rng.choice(values, n, replace=False))


def _bin_counts(binned, f):
    """Rows in each non-missing bin of feature ``f``."""
    return np.bincount(binned.X_binned[f], minlength=256)[:binned.n_bins[f]]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("max_bins", [255, 16])
def test_few_values_get_one_bin_each_even_when_sampled(seed, max_bins):
    # 4x the subsample's rows, and half the values in one row each: the
    # subsample misses some of them (all kept: chance 0.25 ** 8 at most)
    n = 4 * _binning.BINNING_SUBSAMPLE
    n_rare = max_bins // 2
    rng = np.random.default_rng(0 if seed is None else seed + 1)
    common = np.arange(max_bins - n_rare, dtype=np.float32) * 3
    rare = np.arange(n_rare, dtype=np.float32) * 3 + 1.5
    col = rng.choice(common, n)
    col[rng.choice(n, n_rare, replace=False)] = rare
    X = np.column_stack([col, -col]).astype(np.float32)
    binned = bin_data(X, max_bins, None, seed)
    for f in range(2):
        values = np.unique(X[:, f])
        assert binned.n_bins[f] == values.size == max_bins
        assert np.array_equal(binned.bin_lo[f, :values.size], values)
        assert np.array_equal(binned.bin_hi[f, :values.size], values)
        assert np.array_equal(binned.X_binned[f], np.searchsorted(values, X[:, f]))


def test_quantile_bins_hold_equal_populations_without_sampling():
    rng = np.random.default_rng(0)
    n = 30_000
    X = np.column_stack([_distinct(rng, rng.standard_normal, n),
                         _distinct(rng, rng.exponential, n), np.arange(n)])
    binned = bin_data(X)
    for f in range(X.shape[1]):
        assert np.unique(X[:, f]).size == n  # distinct values
        counts = _bin_counts(binned, f)
        assert binned.n_bins[f] == 255
        assert counts.max() - counts.min() <= 2


@pytest.mark.parametrize("seed", SEEDS)
def test_sampled_quantile_bins_hold_the_stated_population(seed):
    """Docstring bound: with N > subsample rows of distinct values, every bin
    holds between 0.7 and 1.35 times N / max_bins rows."""
    n = 2 * _binning.BINNING_SUBSAMPLE
    rng = np.random.default_rng(7 if seed is None else seed)
    # sorted rows, so that a biased draw shows
    X = np.column_stack([np.sort(_distinct(rng, rng.standard_normal, n)),
                         rng.permutation(np.arange(n)),
                         np.sort(_distinct(rng, rng.exponential, n))[::-1]])
    binned = bin_data(X, 255, None, seed)
    ideal = n / 255
    for f in range(X.shape[1]):
        assert np.unique(X[:, f]).size == n
        counts = _bin_counts(binned, f)
        assert binned.n_bins[f] == 255
        assert 0.7 * ideal <= counts.min() and counts.max() <= 1.35 * ideal
    # the bound has teeth: edges from the first `subsample` rows break it
    head = bin_data(X[:_binning.BINNING_SUBSAMPLE])
    edges = head.bin_hi[0, :254] / 2 + head.bin_lo[0, 1:255] / 2
    biased = np.bincount(np.searchsorted(edges, X[:, 0]), minlength=255)
    assert biased.max() > 1.35 * ideal


@pytest.mark.parametrize("subsample", [_binning.BINNING_SUBSAMPLE, 700])
@pytest.mark.parametrize("weighted", [False, True])
def test_bins_are_ordered_and_bounds_are_each_bins_min_and_max(subsample, weighted):
    rng = np.random.default_rng(3)
    n = 3000
    X = np.column_stack([rng.standard_normal(n), rng.integers(-5, 6, n),
                         np.round(rng.standard_normal(n), 1), np.zeros(n),
                         rng.integers(0, 400, n)]).astype(np.float32)
    X[rng.random(X.shape) < 0.1] = np.nan
    X[rng.random(X.shape) < 0.05] = -0.0
    w = rng.random(n) * (rng.random(n) > 0.3) if weighted else None
    binned = bin_data(X, 255, w, 0, subsample=subsample)
    kept = np.ones(n, bool) if w is None else w > 0
    for f in range(X.shape[1]):
        xb = binned.X_binned[f]
        assert np.array_equal(xb == MISSING_BIN, np.isnan(X[:, f]))
        nb = binned.n_bins[f]
        assert xb[xb != MISSING_BIN].max() < nb
        for b in range(nb):
            inside = X[(xb == b) & kept, f]
            if inside.size:
                assert binned.bin_lo[f, b] == inside.min()
                assert binned.bin_hi[f, b] == inside.max()
            else:
                assert binned.bin_lo[f, b] == np.inf and binned.bin_hi[f, b] == -np.inf
        # every row's bin is ordered with its value
        order = np.argsort(X[:, f], kind="stable")
        ordered_bins = xb[order][~np.isnan(X[order, f])]
        assert np.all(np.diff(ordered_bins.astype(int)) >= 0)


def test_threads_do_not_change_the_bins(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 13)).astype(np.float32)  # above the parallel size
    X[:, 4] = np.round(X[:, 4])
    X[rng.random(X.shape) < 0.02] = np.nan
    both = bin_data(X)
    monkeypatch.setattr(_binning, "BINNING_THREADS", 1)
    one = bin_data(X)
    for a, b in zip(both, one):
        assert np.array_equal(a, b)


def test_radix_sort_orders_as_numpy():
    rng = np.random.default_rng(0)
    vals = np.concatenate([rng.standard_normal(5000) * 1e3, rng.integers(-3, 3, 500),
                           [0.0, -0.0, 1e-45, -1e-45, np.inf, -np.inf, 3.4e38]])
    vals = rng.permutation(vals).astype(np.float32)
    spare = np.empty_like(vals)
    out = _binning._radix_sort(vals.copy(), spare)
    assert np.array_equal(out, np.sort(vals))


def test_one_compiled_signature_per_kernel():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 3))
    w = rng.random(2000)
    bin_data(X, 255, None, 0)
    bin_data(np.asfortranarray(X), 16, w, 1, subsample=500)
    Xr = X.astype(np.float32)
    Xr.setflags(write=False)
    bin_data(Xr, np.int64(32), None, None, subsample=100)
    assert len(_binning._bin_share.signatures) == 1
    # the kernels it calls: compiled into it (none when loaded from the cache)
    for kernel in (_binning._radix_sort, _binning._bin_kernel,
                   _binning._edges_from_sorted, _binning._bounds_from_sorted):
        assert len(kernel.signatures) <= 1
