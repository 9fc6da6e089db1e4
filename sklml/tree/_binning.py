"""Bin each feature once into at most ``max_bins`` uint8 bins.

A feature with at most ``max_bins`` distinct values gets one bin per value, so
splits between bins are exactly CART's splits; otherwise the edges are
quantiles of (a subsample of) the data.  NaN goes to the dedicated bin
``MISSING_BIN`` (255).  For every bin the smallest and largest training value
in it are kept: a split between bins ``L`` and ``R`` gets scikit-learn's
threshold ``hi[L] / 2 + lo[R] / 2``, a raw float the predictor compares with.

How it is fast: the features are split between ``BINNING_THREADS`` threads,
each doing its whole share in one compiled call that releases the GIL: it
gathers a few columns per pass over the rows, sorts each with a radix sort
(about five times numpy's sort on 75,000 float32 values), places the edges,
reads each bin's smallest and largest value off the sorted values, and bins
the rows with a branch-free search, four rows in lockstep.  75,000 x 28
float32 took 26-30 ms of CPU (was 74-85 ms), on a loaded 2-core machine.
"""

import os
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

MISSING_BIN = 255
N_HIST_BINS = 256
# rows used to place quantile edges (as HistGradientBoosting); every row is binned
BINNING_SUBSAMPLE = 200_000
# threads that bin features side by side (the kernels release the GIL); each
# takes a contiguous share of the features and does all of its work in one call
BINNING_THREADS = 2
# below this many values (rows x features) one thread does it all
PARALLEL_MIN_VALUES = 200_000

def kernel_array(a, dtype):
    """C-contiguous, writeable array of ``dtype`` (a read-only input such as a
    memmap would otherwise compile one more specialisation of each kernel)."""
    return np.require(a, dtype=dtype, requirements=["C", "W"])


NO_ROWS_PTR = np.zeros(0, np.int64)
NO_ROWS_FEAT = np.zeros(0, np.int32)
NO_ROWS_BIN = np.zeros(0, np.uint8)
NO_ZERO_BIN = np.zeros(0, np.int64)
BinnedData = namedtuple(
    "BinnedData",
    ["X_binned", "n_bins", "bin_lo", "bin_hi", "row_ptr", "row_feat", "row_bin",
     "zero_bin"],
    defaults=(NO_ROWS_PTR, NO_ROWS_FEAT, NO_ROWS_BIN, NO_ZERO_BIN))
BinnedData.__doc__ = """Binned training matrix, reusable by every tree of an ensemble.

X_binned : uint8 array (n_features, n_samples), feature-major, NaN -> 255;
    (n_features, 0) for sparse data
n_bins : int32 array (n_features,), non-missing bins of each feature
bin_lo, bin_hi : float32 arrays (n_features, 256), smallest/largest training
    value of each bin (+inf/-inf for empty bins)
row_ptr, row_feat, row_bin : sparse data only (else empty), CSR by rows: row
    i's stored entries ``row_ptr[i]:row_ptr[i + 1]`` (int64), their features
    (int32, increasing within a row) and bins (uint8)
zero_bin : int64 (n_features,), sparse data only: the bin of the value 0,
    which every entry not stored has
"""


def n_binned_samples(binned):
    """Rows of a :class:`BinnedData`, dense or sparse."""
    if binned.row_ptr.shape[0] > 0:
        return binned.row_ptr.shape[0] - 1
    return binned.X_binned.shape[1]

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



@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def _search(e, v):
    """Edges of the padded 255-edge ``e`` below ``v``: a branch-free search."""
    pos = 128 if e[127] < v else 0
    pos += 64 if e[pos + 63] < v else 0
    pos += 32 if e[pos + 31] < v else 0
    pos += 16 if e[pos + 15] < v else 0
    pos += 8 if e[pos + 7] < v else 0
    pos += 4 if e[pos + 3] < v else 0
    pos += 2 if e[pos + 1] < v else 0
    pos += 1 if e[pos] < v else 0
    return pos


@njit(cache=True, nogil=True)
def _bin_kernel(X, keep, features, edges, n_edges, X_binned, track, bin_lo, bin_hi):
    """Bin the listed features of X (row-major) into the feature-major X_binned,
    and when ``track`` the smallest/largest value of the kept rows in each bin
    (a third more time; not needed when the edges came from every kept
    row).  Rows go in blocks that stay in cache, so X is read once and never
    copied.  (Serial: a prange version measured several times slower.)"""
    n = X.shape[0]
    nf = features.shape[0]
    ef = np.full((nf, 256), np.inf)  # padded: a branch-free 8-step search
    for j in range(nf):
        f = features[j]
        ef[j, :n_edges[f]] = edges[f, :n_edges[f]]
        if track:
            bin_lo[f, :] = np.inf
            bin_hi[f, :] = -np.inf
    for b0 in range(0, n, 1024):
        b1 = min(b0 + 1024, n)
        n_quads = (b1 - b0) // 4
        for j in range(nf):
            f = features[j]
            e = ef[j]
            xb = X_binned[f]
            for i in range(b0, b0 + 4 * n_quads, 4):
                # four rows' searches in lockstep: independent chains of loads
                # that the CPU overlaps, 17% faster than one row at a time
                v0 = X[i, f]
                v1 = X[i + 1, f]
                v2 = X[i + 2, f]
                v3 = X[i + 3, f]
                p0 = 128 if e[127] < v0 else 0  # compiles to no branches
                p1 = 128 if e[127] < v1 else 0
                p2 = 128 if e[127] < v2 else 0
                p3 = 128 if e[127] < v3 else 0
                for step in (64, 32, 16, 8, 4, 2, 1):
                    p0 += step if e[p0 + step - 1] < v0 else 0
                    p1 += step if e[p1 + step - 1] < v1 else 0
                    p2 += step if e[p2 + step - 1] < v2 else 0
                    p3 += step if e[p3 + step - 1] < v3 else 0
                xb[i] = MISSING_BIN if np.isnan(v0) else p0
                xb[i + 1] = MISSING_BIN if np.isnan(v1) else p1
                xb[i + 2] = MISSING_BIN if np.isnan(v2) else p2
                xb[i + 3] = MISSING_BIN if np.isnan(v3) else p3
            for i in range(b0 + 4 * n_quads, b1):
                v = X[i, f]
                xb[i] = MISSING_BIN if np.isnan(v) else _search(e, v)
            if track:
                lo_f = bin_lo[f]
                hi_f = bin_hi[f]
                for i in range(b0, b1):
                    pos = xb[i]
                    if pos != MISSING_BIN and keep[i]:
                        v = X[i, f]
                        if v < lo_f[pos]:
                            lo_f[pos] = v
                        if v > hi_f[pos]:
                            hi_f[pos] = v


@njit(cache=True, nogil=True)
def _radix_sort(vals, spare):
    """Sort the float32 ``vals`` (no NaN) by their bits: a least-significant-
    digit radix sort, three passes of 11, 11 and 10 bits over keys that order
    as the floats do (-0.0 just before 0.0, which compare equal anyway).
    ``spare`` is scratch of the same size; returns whichever of the two holds
    the sorted values.  About five times numpy's sort on 75,000 values."""
    m = vals.shape[0]
    keys = vals.view(np.uint32)
    other = spare.view(np.uint32)
    counts = np.zeros((3, 2048), np.int64)
    for i in range(m):  # keys in place, and the three digit histograms at once
        k = keys[i]
        k ^= np.uint32(0xFFFFFFFF) if k >> np.uint32(31) else np.uint32(0x80000000)
        keys[i] = k
        counts[0, k & 2047] += 1
        counts[1, (k >> 11) & 2047] += 1
        counts[2, k >> 22] += 1
    src = keys
    dst = other
    moves = 0
    for p in range(3):
        h = counts[p]
        skip = False  # a digit all keys share moves nothing
        total = 0
        for d in range(2048):
            c = h[d]
            skip = skip or c == m
            h[d] = total
            total += c
        if skip:
            continue
        shift = 11 * p
        for i in range(m):
            k = src[i]
            d = (k >> shift) & 2047
            dst[h[d]] = k
            h[d] += 1
        src, dst = dst, src
        moves += 1
    for i in range(m):  # back to the floats' bits
        k = src[i]
        src[i] = k ^ (np.uint32(0x80000000) if k >> np.uint32(31) else np.uint32(0xFFFFFFFF))
    return vals if moves % 2 == 0 else spare


# features gathered in one pass over X's rows.  A group of 4 read each row's
# cache line once for four features and binned 75,000 x 28 in 13.1 ms wall
# against 14.4 ms for 1, but its scratch (4 columns a thread) raised a depth-10
# tree's peak fit memory to 5.4 MiB against scikit-learn's 3.8 (1: 3.6 MiB;
# bench_tree's memory line), so one column at a time.
GATHER_GROUP = 1


@njit(cache=True, nogil=True)
def _n_at_most(ordered, edge):
    """How many of the sorted float32 ``ordered`` are <= the float64 ``edge``."""
    lo = 0
    hi = ordered.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if edge < ordered[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True)
def _bounds_from_sorted(ordered, edges_f, n_edges_f, first_zero, lo_f, hi_f):
    """Smallest/largest value of each bin, read off the sorted values: what
    ``_bin_kernel`` tracks, to the bit (a bin whose bound is 0 gets the zero,
    -0.0 or 0.0, met first in row order, ``first_zero``, as the kernel's
    strict comparisons keep)."""
    lo_f[:] = np.inf
    hi_f[:] = -np.inf
    start = 0
    for b in range(n_edges_f + 1):
        end = ordered.shape[0] if b == n_edges_f else _n_at_most(ordered, edges_f[b])
        if end > start:
            lo_f[b] = first_zero if ordered[start] == 0 else ordered[start]
            hi_f[b] = first_zero if ordered[end - 1] == 0 else ordered[end - 1]
        start = end


@njit(cache=True, nogil=True)
def _bin_share(X, keep, rows, all_rows, features, max_bins, subsampled, edges,
               n_edges, n_bins, exact_sub, X_binned, bin_lo, bin_hi):
    """Edges, then bins, of the listed features (one thread's share).

    The edges come from the non-NaN values of the listed ``rows`` (all rows
    when ``all_rows``), radix-sorted; ``exact_sub[f]`` records a feature that
    got one bin per value on a subsample (to be checked on all rows)."""
    n_vals = X.shape[0] if all_rows else rows.shape[0]
    nf = features.shape[0]
    vals = np.empty((min(GATHER_GROUP, nf), n_vals), np.float32)  # nf: 1 or 2 in a redo
    spare = np.empty(n_vals, np.float32)
    count = np.zeros(GATHER_GROUP, np.int64)
    first_zero = np.zeros(GATHER_GROUP, np.float32)
    for g0 in range(0, nf, GATHER_GROUP):
        ng = min(GATHER_GROUP, nf - g0)
        count[:] = 0
        first_zero[:] = np.nan
        for k in range(n_vals):
            i = k if all_rows else rows[k]
            for g in range(ng):
                v = X[i, features[g0 + g]]
                if not np.isnan(v):
                    vals[g, count[g]] = v
                    count[g] += 1
                    if v == 0 and np.isnan(first_zero[g]):
                        first_zero[g] = v
        for g in range(ng):
            f = features[g0 + g]
            m = count[g]
            edges[f, :] = np.inf
            n_edges[f] = 0
            n_bins[f] = 0
            exact_sub[f] = subsampled
            bin_lo[f, :] = np.inf
            bin_hi[f, :] = -np.inf
            if m == 0:
                continue
            ordered = _radix_sort(vals[g, :m], spare[:m])
            e, exact = _edges_from_sorted(ordered, max_bins)
            edges[f, :e.shape[0]] = e
            n_edges[f] = e.shape[0]
            n_bins[f] = e.shape[0] + 1
            exact_sub[f] = exact and subsampled
            if not subsampled:  # the edges saw every kept row: so do the bounds
                _bounds_from_sorted(ordered, edges[f], n_edges[f], first_zero[g],
                                    bin_lo[f], bin_hi[f])
    _bin_kernel(X, keep, features, edges, n_edges, X_binned, subsampled, bin_lo,
                bin_hi)


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

    Notes
    -----
    What the bins guarantee, for each feature, over the ``N`` rows of
    positive weight (NaN aside):

    - **Exact where few values.**  A feature with at most ``max_bins``
      distinct values gets exactly one bin per value, whether or not the
      edges came from a subsample (a value the subsample missed shows up as a
      bin holding two values, and the feature is binned again on all rows).
      Splits between bins are then exactly scikit-learn's, thresholds
      included.
    - **Quantiles.**  Otherwise, with ``N <= subsample`` the edges are the
      data's own quantiles ("midpoint" interpolation, as
      HistGradientBoosting), and on distinct values the bins' populations
      differ by at most 2 rows.  With ``N > subsample`` (as LightGBM and
      HistGradientBoosting, ``subsample`` rows drawn without replacement)
      each bin of a feature with distinct values holds between 0.7 and 1.35
      times ``N / max_bins`` rows, with probability at least ``1 - 1e-6``,
      at the defaults (``subsample=200_000``, ``max_bins=255``; typically
      within 10%).  Why: a bin is an interval of the data holding
      ``subsample / max_bins`` of the sampled rows, give or take 2; the
      Chernoff bound of the binomial (which holds for sampling without
      replacement, Hoeffding 1963) that an interval holding a fraction ``p``
      of the rows gets so few (so many) sampled rows, over a grid of
      ``1 / (0.02 p)`` intervals that any such bin contains (lies in), gives
      the figures.  Ties make bins the sampling cannot split.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.tree._binning import bin_data
    >>> X = np.array([[0.0, 1.5], [2.0, np.nan], [1.0, 1.5]], np.float32)
    >>> binned = bin_data(X)
    >>> binned.X_binned
    array([[  0,   2,   1],
           [  0, 255,   0]], dtype=uint8)
    >>> binned.n_bins
    array([3, 1], dtype=int32)
    """
    X = kernel_array(X, np.float32)
    n, n_features = X.shape
    max_bins = int(max_bins)
    # rows that place the edges: all, those of positive weight, or a subsample
    keep = np.ones(n, np.bool_) if sample_weight is None else np.asarray(sample_weight) > 0
    rows = None if sample_weight is None else np.flatnonzero(keep)
    n_rows = n if rows is None else rows.shape[0]
    subsampled = bool(n_rows > subsample)
    if subsampled:
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)
        rows = np.sort(rng.choice(n if rows is None else rows, subsample,
                                  replace=False))
    edges = np.full((n_features, 256), np.inf)
    n_edges = np.zeros(n_features, np.int64)
    n_bins = np.zeros(n_features, np.int32)
    exact_sub = np.zeros(n_features, np.bool_)
    X_binned = np.empty((n_features, n), np.uint8)
    bin_lo = np.empty((n_features, 256), np.float32)
    bin_hi = np.empty((n_features, 256), np.float32)

    def bin_features(features, rows, subsampled):
        """Edges, then bins, of some features (one thread's share)."""
        _bin_share(X, keep, _NO_ROWS if rows is None else rows, rows is None,
                   features, max_bins, subsampled, edges, n_edges, n_bins,
                   exact_sub, X_binned, bin_lo, bin_hi)

    # features split into contiguous shares, one per thread (each writes only
    # its features' rows); the edges and bins do not depend on the split
    n_threads = min(BINNING_THREADS, n_features, os.cpu_count() or 1)
    if n * n_features < PARALLEL_MIN_VALUES:
        n_threads = 1
    shares = np.array_split(np.arange(n_features, dtype=np.int64), max(n_threads, 1))
    if n_threads > 1:
        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(bin_features, shares, [rows] * n_threads,
                          [subsampled] * n_threads))
    else:
        bin_features(shares[0], rows, subsampled)
    # a subsample with few distinct values may have missed some: then a bin
    # holds two values, and the feature is binned again on all its rows
    redo = [f for f in np.flatnonzero(exact_sub)
            if np.any(bin_lo[f, :n_edges[f] + 1] < bin_hi[f, :n_edges[f] + 1])
            or (n_bins[f] == 0 and np.any(~np.isnan(X[keep, f])))]
    if redo:
        bin_features(np.asarray(redo, dtype=np.int64),
                     None if sample_weight is None else np.flatnonzero(keep), False)
    return BinnedData(X_binned, n_bins, bin_lo, bin_hi)


@njit(cache=True)
def _kept_values_by_feature(indptr, indices, data, keep, n_features):
    """The kept non-zero values of a CSR matrix grouped by feature: offsets
    (n_features + 1) and values (float32, each feature's in row order)."""
    n = indptr.shape[0] - 1
    offsets = np.zeros(n_features + 1, np.int64)
    for i in range(n):
        if keep[i]:
            for j in range(indptr[i], indptr[i + 1]):
                if data[j] != 0.0:
                    offsets[indices[j] + 1] += 1
    for f in range(n_features):
        offsets[f + 1] += offsets[f]
    fill = offsets[:n_features].copy()
    vals = np.empty(offsets[n_features], np.float32)
    for i in range(n):
        if keep[i]:
            for j in range(indptr[i], indptr[i + 1]):
                if data[j] != 0.0:
                    f = indices[j]
                    vals[fill[f]] = data[j]
                    fill[f] += 1
    return offsets, vals


@njit(cache=True)
def _bin_rows_kernel(indptr, indices, data, keep, edges, n_edges, zero_bin, has_zero,
                     row_bin, bin_lo, bin_hi):
    """Bins of a CSR matrix's stored entries; the smallest/largest kept value of
    each bin (0 in the zero bin of a feature with kept zeros)."""
    n_features = edges.shape[0]
    for f in range(n_features):
        bin_lo[f, :] = np.inf
        bin_hi[f, :] = -np.inf
        if has_zero[f]:
            bin_lo[f, zero_bin[f]] = 0.0
            bin_hi[f, zero_bin[f]] = 0.0
    n = indptr.shape[0] - 1
    for i in range(n):
        for j in range(indptr[i], indptr[i + 1]):
            f = indices[j]
            v = data[j]
            e = edges[f]
            lo_ = 0
            hi_ = n_edges[f]
            while lo_ < hi_:  # the number of edges below v
                mid = (lo_ + hi_) // 2
                if e[mid] < v:
                    lo_ = mid + 1
                else:
                    hi_ = mid
            row_bin[j] = lo_
            if keep[i]:
                if v < bin_lo[f, lo_]:
                    bin_lo[f, lo_] = v
                if v > bin_hi[f, lo_]:
                    bin_hi[f, lo_] = v


def bin_sparse(X, max_bins=255, sample_weight=None):
    """Bin a scipy sparse ``X`` (any format; no NaN) without densifying it.

    Each column's edges come from its stored values and its count of zeros, a
    zero being a value like any other (one bin per value when a feature has
    at most ``max_bins`` of them, as :func:`bin_data`).  The bins are kept by
    rows, one byte per stored entry beside its feature, so memory follows the
    non-zeros; a node's zero-bin statistics are its totals minus those of its
    stored entries (the LightGBM way).

    Returns
    -------
    BinnedData
        ``X_binned`` of shape (n_features, 0) and the ``row_*`` arrays set.
    """
    import scipy.sparse as sp

    X = sp.csr_matrix(X)
    if X.dtype != np.float32:
        X = X.astype(np.float32)
    if not X.has_canonical_format:  # sorted indices, no duplicate entries
        X = X.copy()
        X.sum_duplicates()
    n, n_features = X.shape
    keep = (np.ones(n, np.bool_) if sample_weight is None
            else np.asarray(sample_weight) > 0)
    n_keep = int(keep.sum())
    row_ptr = X.indptr.astype(np.int64)
    row_feat = kernel_array(X.indices, np.int32)
    data = kernel_array(X.data, np.float32)
    offsets, vals = _kept_values_by_feature(row_ptr, row_feat, data, keep, n_features)
    edges = np.full((n_features, 256), np.inf)
    n_edges = np.zeros(n_features, np.int64)
    n_bins = np.zeros(n_features, np.int32)
    zero_bin = np.zeros(n_features, np.int64)
    has_zero = np.zeros(n_features, np.bool_)
    for f in range(n_features):
        v = np.sort(vals[offsets[f]:offsets[f + 1]])
        n_zero = n_keep - v.shape[0]
        neg = np.searchsorted(v, 0.0)
        v = np.concatenate([v[:neg], np.zeros(n_zero, np.float32), v[neg:]])
        has_zero[f] = n_zero > 0
        e, _ = _edges_from_sorted(v, max_bins)
        edges[f, :e.size] = e
        n_edges[f] = e.size
        n_bins[f] = e.size + 1
        zero_bin[f] = np.searchsorted(e, 0.0, side="left")
    del vals
    row_bin = np.empty(data.shape[0], np.uint8)
    bin_lo = np.empty((n_features, 256), np.float32)
    bin_hi = np.empty((n_features, 256), np.float32)
    _bin_rows_kernel(row_ptr, row_feat, data, keep, edges, n_edges, zero_bin, has_zero,
                     row_bin, bin_lo, bin_hi)
    return BinnedData(np.empty((n_features, 0), np.uint8), n_bins, bin_lo, bin_hi,
                      row_ptr, row_feat, row_bin, zero_bin)
