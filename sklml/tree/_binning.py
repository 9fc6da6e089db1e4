"""Bin each feature once into at most ``max_bins`` uint8 bins.

A feature with at most ``max_bins`` distinct values gets one bin per value, so
splits between bins are exactly CART's splits; otherwise the edges are
quantiles of (a subsample of) the data.  NaN goes to the dedicated bin
``MISSING_BIN`` (255).  For every bin the smallest and largest training value
in it are kept: a split between bins ``L`` and ``R`` gets scikit-learn's
threshold ``hi[L] / 2 + lo[R] / 2``, a raw float the predictor compares with.
"""

from collections import namedtuple

import numpy as np
from numba import njit, prange

MISSING_BIN = 255
N_HIST_BINS = 256
# rows used to find quantile edges; every row is still binned
BINNING_SUBSAMPLE = 20_000

BinnedData = namedtuple("BinnedData", ["X_binned", "n_bins", "bin_lo", "bin_hi"])
BinnedData.__doc__ = """Binned training matrix, reusable by every tree of an ensemble.

X_binned : uint8 array (n_features, n_samples), feature-major, NaN -> 255
n_bins : int32 array (n_features,), non-missing bins of each feature
bin_lo, bin_hi : float64 arrays (n_features, 256), smallest/largest training
    value of each bin (+inf/-inf for empty bins)
"""


@njit(cache=True)
def _edges_from_sorted(vals, max_bins):
    """Bin edges (x <= edge[b] -> bin <= b) and whether they are exact."""
    m = vals.shape[0]
    distinct = 0
    for i in range(m):
        if i == 0 or vals[i] != vals[i - 1]:
            distinct += 1
    if distinct <= max_bins:
        edges = np.empty(max(distinct - 1, 0), np.float64)
        j = 0
        for i in range(1, m):
            if vals[i] != vals[i - 1]:
                edges[j] = vals[i - 1] / 2.0 + vals[i] / 2.0
                if edges[j] == vals[i]:
                    edges[j] = vals[i - 1]
                j += 1
        return edges, True
    # quantile edges, "midpoint" interpolation as HistGradientBoosting does
    raw = np.empty(max_bins - 1, np.float64)
    k = 0
    for j in range(1, max_bins):
        pos = j * (m - 1) / max_bins
        lo = int(np.floor(pos))
        hi = int(np.ceil(pos))
        e = vals[lo] / 2.0 + vals[hi] / 2.0
        if k == 0 or e > raw[k - 1]:
            raw[k] = e
            k += 1
    return raw[:k].copy(), False


@njit(cache=True)
def _all_edges(S, n_valid, max_bins, edges, n_edges, exact):
    """Edges of every feature from its sorted (sub)sample values ``S[f, :n_valid[f]]``."""
    for f in range(S.shape[0]):
        e, ex = _edges_from_sorted(S[f, :n_valid[f]].astype(np.float64), max_bins)
        n_edges[f] = e.shape[0]
        edges[f, :e.shape[0]] = e
        exact[f] = ex


@njit(cache=True, parallel=True)
def _bin_kernel(XT, keep, features, edges, n_edges, n_valid, exact, subsampled,
                X_binned, n_bins, bin_lo, bin_hi, ok):
    """Bin the listed features of the feature-major ``XT``; ``ok[f]`` is False
    when an exact binning found on a subsample missed a value (the caller then
    redoes the feature on all rows)."""
    n = XT.shape[1]
    for j in prange(features.shape[0]):
        f = features[j]
        ne = n_edges[f]
        ef = np.full(256, np.inf)  # padded: a branch-free 8-step search
        ef[:ne] = edges[f, :ne]
        lo_f = bin_lo[f]
        hi_f = bin_hi[f]
        lo_f[:] = np.inf
        hi_f[:] = -np.inf
        xf = XT[f]
        xb = X_binned[f]
        for i in range(n):
            v = xf[i]
            if np.isnan(v):
                xb[i] = MISSING_BIN
                continue
            pos = 128 if ef[127] < v else 0  # unrolled: compiles to no branches
            pos += 64 if ef[pos + 63] < v else 0
            pos += 32 if ef[pos + 31] < v else 0
            pos += 16 if ef[pos + 15] < v else 0
            pos += 8 if ef[pos + 7] < v else 0
            pos += 4 if ef[pos + 3] < v else 0
            pos += 2 if ef[pos + 1] < v else 0
            pos += 1 if ef[pos] < v else 0
            xb[i] = pos
            if keep[i]:
                if v < lo_f[pos]:
                    lo_f[pos] = v
                if v > hi_f[pos]:
                    hi_f[pos] = v
        n_bins[f] = ne + 1 if n_valid[f] > 0 else 0
        good = True
        if subsampled and exact[f]:
            # one value per bin unless the subsample missed some value
            for b in range(ne + 1):
                if lo_f[b] < hi_f[b]:
                    good = False
            if n_valid[f] == 0:
                for i in range(n):
                    if keep[i] and not np.isnan(xf[i]):
                        good = False
                        break
        ok[f] = good


def _sorted_values(values):
    """Sorted rows of (n_features, m) values, NaN last, and the non-NaN counts."""
    S = np.sort(values, axis=1)
    n_valid = np.sum(~np.isnan(S), axis=1).astype(np.int64)
    return np.ascontiguousarray(S), n_valid


def bin_data(X, max_bins=255, sample_weight=None, random_state=None,
             subsample=BINNING_SUBSAMPLE):
    """Bin ``X`` once for any number of trees.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32
        NaN marks a missing value; no inf.
    max_bins : int in [2, 255]
        Non-missing bins per feature.
    sample_weight : ndarray or None
        Rows of zero weight are binned but do not place the edges (as if removed).
    random_state : int, RandomState or None
        Picks the subsample used for the quantiles of large data.
    subsample : int
        Rows used to place the edges (a feature found to have at most
        ``max_bins`` values is checked on all rows and redone if needed).

    Returns
    -------
    BinnedData
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    n, n_features = X.shape
    keep = np.ones(n, np.bool_) if sample_weight is None else np.asarray(sample_weight) > 0
    rows = np.flatnonzero(keep)
    n_keep = rows.shape[0]
    subsampled = n_keep > subsample
    if subsampled:
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)
        rows = np.sort(rng.choice(rows, subsample, replace=False))
    S, n_valid = _sorted_values(X[rows].T)
    edges = np.empty((n_features, 256), np.float64)
    n_edges = np.zeros(n_features, np.int64)
    exact = np.zeros(n_features, np.bool_)
    _all_edges(S, n_valid, int(max_bins), edges, n_edges, exact)
    X_binned = np.empty((n_features, n), np.uint8)
    n_bins = np.zeros(n_features, np.int32)
    bin_lo = np.empty((n_features, 256), np.float64)
    bin_hi = np.empty((n_features, 256), np.float64)
    ok = np.ones(n_features, np.bool_)
    features = np.arange(n_features, dtype=np.int64)
    XT = np.ascontiguousarray(X.T)
    _bin_kernel(XT, keep, features, edges, n_edges, n_valid, exact, subsampled,
                X_binned, n_bins, bin_lo, bin_hi, ok)
    redo = np.flatnonzero(~ok)
    if redo.size:
        S2, nv2 = _sorted_values(X[keep][:, redo].T)
        e2 = np.empty((redo.size, 256), np.float64)
        ne2 = np.zeros(redo.size, np.int64)
        ex2 = np.zeros(redo.size, np.bool_)
        _all_edges(S2, nv2, int(max_bins), e2, ne2, ex2)
        edges[redo], n_edges[redo], n_valid[redo], exact[redo] = e2, ne2, nv2, ex2
        _bin_kernel(XT, keep, redo.astype(np.int64), edges, n_edges, n_valid, exact,
                    False, X_binned, n_bins, bin_lo, bin_hi, ok)
    return BinnedData(X_binned, n_bins, bin_lo, bin_hi)
