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
from numba import njit

MISSING_BIN = 255
N_HIST_BINS = 256
# rows used to place quantile edges (as HistGradientBoosting); every row is binned
BINNING_SUBSAMPLE = 200_000

def kernel_array(a, dtype):
    """C-contiguous, writeable array of ``dtype`` (a read-only input such as a
    memmap would otherwise compile one more specialisation of each kernel)."""
    return np.require(a, dtype=dtype, requirements=["C", "W"])


BinnedData = namedtuple("BinnedData", ["X_binned", "n_bins", "bin_lo", "bin_hi"])
BinnedData.__doc__ = """Binned training matrix, reusable by every tree of an ensemble.

X_binned : uint8 array (n_features, n_samples), feature-major, NaN -> 255
n_bins : int32 array (n_features,), non-missing bins of each feature
bin_lo, bin_hi : float32 arrays (n_features, 256), smallest/largest training
    value of each bin (+inf/-inf for empty bins)
"""

# class indices are uint16: a quarter of the memory of int64 labels, and a tree
# on more classes than this would need gigabytes per node histogram anyway
LABEL_DTYPE = np.uint16
MAX_CLASSES = int(np.iinfo(LABEL_DTYPE).max) + 1


def encode_labels(y):
    """``(classes, codes)`` of a 1-d label array, codes as ``LABEL_DTYPE``."""
    classes = np.unique(y)
    if classes.shape[0] > MAX_CLASSES:
        raise ValueError(
            f"sklml trees support at most {MAX_CLASSES} classes, got "
            f"{classes.shape[0]}.")
    # searchsorted instead of unique(return_inverse=True): fewer temporaries
    codes = np.searchsorted(classes, y).astype(LABEL_DTYPE)
    return classes, codes



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
def _bin_kernel(X, keep, features, edges, n_edges, X_binned, bin_lo, bin_hi):
    """Bin the listed features of X (row-major) into the feature-major X_binned,
    with the smallest/largest value of the kept rows in each bin.  Rows go in
    blocks that stay in cache, so X is read once and never copied.  (Serial: a
    prange version measured several times slower.)"""
    n = X.shape[0]
    nf = features.shape[0]
    ef = np.full((nf, 256), np.inf)  # padded: a branch-free 8-step search
    for j in range(nf):
        f = features[j]
        ef[j, :n_edges[f]] = edges[f, :n_edges[f]]
        bin_lo[f, :] = np.inf
        bin_hi[f, :] = -np.inf
    for b0 in range(0, n, 1024):
        b1 = min(b0 + 1024, n)
        for j in range(nf):
            f = features[j]
            e = ef[j]
            lo_f = bin_lo[f]
            hi_f = bin_hi[f]
            xb = X_binned[f]
            for i in range(b0, b1):
                v = X[i, f]
                if np.isnan(v):
                    xb[i] = MISSING_BIN
                    continue
                pos = 128 if e[127] < v else 0  # unrolled: compiles to no branches
                pos += 64 if e[pos + 63] < v else 0
                pos += 32 if e[pos + 31] < v else 0
                pos += 16 if e[pos + 15] < v else 0
                pos += 8 if e[pos + 7] < v else 0
                pos += 4 if e[pos + 3] < v else 0
                pos += 2 if e[pos + 1] < v else 0
                pos += 1 if e[pos] < v else 0
                xb[i] = pos
                if keep[i]:
                    if v < lo_f[pos]:
                        lo_f[pos] = v
                    if v > hi_f[pos]:
                        hi_f[pos] = v


@njit(cache=True)
def _valid_values(X, f, rows, all_rows, buf):
    """The non-NaN values of column ``f`` (of the listed rows, or all) copied
    into ``buf``; returns how many."""
    m = 0
    n = X.shape[0] if all_rows else rows.shape[0]
    for k in range(n):
        v = X[k, f] if all_rows else X[rows[k], f]
        if not np.isnan(v):
            buf[m] = v
            m += 1
    return m


def _feature_edges(X, f, rows, buf, max_bins):
    """Edges of one feature from its (sub)sample, NaN ignored; exact flag."""
    all_rows = rows is None
    m = _valid_values(X, f, _NO_ROWS if all_rows else rows, all_rows, buf)
    if m == 0:
        return np.empty(0), True, 0
    vals = buf[:m]
    vals.sort()  # numpy's in-place sort: no copy, and much faster than numba's
    edges, exact = _edges_from_sorted(vals, max_bins)
    return edges, exact, m


_NO_ROWS = np.zeros(0, np.int64)


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
        Rows used to place the quantile edges (a feature found to have at most
        ``max_bins`` values on the subsample is checked on all rows).

    Returns
    -------
    BinnedData
    """
    X = kernel_array(X, np.float32)
    n, n_features = X.shape
    # rows that place the edges: all, those of positive weight, or a subsample
    keep = np.ones(n, np.bool_) if sample_weight is None else np.asarray(sample_weight) > 0
    rows = None if sample_weight is None else np.flatnonzero(keep)
    n_rows = n if rows is None else rows.shape[0]
    subsampled = n_rows > subsample
    if subsampled:
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)
        rows = np.sort(rng.choice(n if rows is None else rows, subsample,
                                  replace=False))
    buf = np.empty(n_rows if rows is None else rows.shape[0], np.float32)
    edges = np.full((n_features, 256), np.inf)
    n_edges = np.zeros(n_features, np.int64)
    n_bins = np.zeros(n_features, np.int32)
    exact_sub = np.zeros(n_features, np.bool_)
    for f in range(n_features):
        e, exact, n_valid = _feature_edges(X, f, rows, buf, max_bins)
        edges[f, :e.size] = e
        n_edges[f] = e.size
        n_bins[f] = e.size + 1 if n_valid else 0
        exact_sub[f] = exact and subsampled
    del buf
    X_binned = np.empty((n_features, n), np.uint8)
    bin_lo = np.empty((n_features, 256), np.float32)
    bin_hi = np.empty((n_features, 256), np.float32)
    _bin_kernel(X, keep, np.arange(n_features, dtype=np.int64), edges, n_edges,
                X_binned, bin_lo, bin_hi)
    # a subsample with few distinct values may have missed some: then a bin
    # holds two values, and the feature is binned again on all its rows
    redo = [f for f in np.flatnonzero(exact_sub)
            if np.any(bin_lo[f, :n_edges[f] + 1] < bin_hi[f, :n_edges[f] + 1])
            or (n_bins[f] == 0 and np.any(~np.isnan(X[keep, f])))]
    if redo:
        rows = None if sample_weight is None else np.flatnonzero(keep)
        buf = np.empty(n if rows is None else rows.shape[0], np.float32)
        for f in redo:
            e, _, n_valid = _feature_edges(X, f, rows, buf, max_bins)
            edges[f] = np.inf
            edges[f, :e.size] = e
            n_edges[f] = e.size
            n_bins[f] = e.size + 1 if n_valid else 0
        _bin_kernel(X, keep, np.asarray(redo, dtype=np.int64), edges, n_edges,
                    X_binned, bin_lo, bin_hi)
    return BinnedData(X_binned, n_bins, bin_lo, bin_hi)


@njit(cache=True)
def _bin_sparse_kernel(indptr, indices, data, keep, edges, n_edges, zero_bin, has_zero,
                       X_binned, bin_lo, bin_hi):
    """Bin a CSC matrix column by column into the feature-major X_binned: the
    implicit zeros get the bin of 0, the stored values their own; the
    smallest/largest kept value of each bin."""
    n_features = X_binned.shape[0]
    for f in range(n_features):
        e = edges[f]
        ne = n_edges[f]
        zb = zero_bin[f]
        X_binned[f, :] = zb
        bin_lo[f, :] = np.inf
        bin_hi[f, :] = -np.inf
        if has_zero[f]:
            bin_lo[f, zb] = 0.0
            bin_hi[f, zb] = 0.0
        for j in range(indptr[f], indptr[f + 1]):
            v = data[j]
            i = indices[j]
            b = 0
            lo_ = 0
            hi_ = ne
            while lo_ < hi_:  # the number of edges below v
                mid = (lo_ + hi_) // 2
                if e[mid] < v:
                    lo_ = mid + 1
                else:
                    hi_ = mid
            b = lo_
            X_binned[f, i] = b
            if keep[i]:
                if v < bin_lo[f, b]:
                    bin_lo[f, b] = v
                if v > bin_hi[f, b]:
                    bin_hi[f, b] = v


def bin_sparse(X, max_bins=255, sample_weight=None):
    """Bin a scipy sparse ``X`` (any format; float32 values, no NaN) without
    densifying its values: each column's edges come from its stored values and
    its count of zeros, a zero being a value like any other.

    Returns the same :class:`BinnedData` as :func:`bin_data` (one byte per
    cell); equal to it on the dense copy of ``X`` when every feature has at most
    ``max_bins`` distinct values (every value its own bin).
    """
    import scipy.sparse as sp

    X = sp.csc_matrix(X, dtype=np.float32)
    X.sum_duplicates()
    n, n_features = X.shape
    keep = (np.ones(n, np.bool_) if sample_weight is None
            else np.asarray(sample_weight) > 0)
    n_keep = int(keep.sum())
    indptr = X.indptr.astype(np.int64)
    indices = kernel_array(X.indices, np.int32)
    data = kernel_array(X.data, np.float32)
    edges = np.full((n_features, 256), np.inf)
    n_edges = np.zeros(n_features, np.int64)
    n_bins = np.zeros(n_features, np.int32)
    zero_bin = np.zeros(n_features, np.int64)
    has_zero = np.zeros(n_features, np.bool_)
    for f in range(n_features):
        a, b = indptr[f], indptr[f + 1]
        rows = indices[a:b]
        vals = data[a:b]
        kept = keep[rows]
        nonzero = kept & (vals != 0)
        n_zero = n_keep - int(np.count_nonzero(nonzero))
        v = np.sort(vals[nonzero])
        neg = np.searchsorted(v, 0.0)
        v = np.concatenate([v[:neg], np.zeros(n_zero, np.float32), v[neg:]])
        has_zero[f] = n_zero > 0
        e, _ = _edges_from_sorted(v, max_bins)
        edges[f, :e.size] = e
        n_edges[f] = e.size
        n_bins[f] = e.size + 1
        zero_bin[f] = np.searchsorted(e, 0.0, side="left")
    X_binned = np.empty((n_features, n), np.uint8)
    bin_lo = np.empty((n_features, 256), np.float32)
    bin_hi = np.empty((n_features, 256), np.float32)
    _bin_sparse_kernel(indptr, indices, data, keep, edges, n_edges, zero_bin, has_zero,
                       X_binned, bin_lo, bin_hi)
    return BinnedData(X_binned, n_bins, bin_lo, bin_hi)
