"""The random splitter (Extra-Trees) on dense data, and the threshold draw it
shares with the sparse search.

No histogram: per drawn feature one pass finds the node's smallest and
largest bin, a threshold is drawn uniformly in value between them (as
scikit-learn's), and a second, branch-free pass sums the left side's stats
from node buffers of weights and targets gathered once per node.  Sparse data
draws the same thresholds and sums in the same order (see
``sklml.tree._split_search``), so it grows the same trees as the dense matrix.

The search takes the fit's three bundles (``TrainingData``, ``GrowthRules``,
``Workspace``, see ``sklml.tree._records``) and the node's range, stats and
bounds; it is inlined into the split search (a call per node copying the
bundles' forty-odd array descriptors was a tenth of a small node's time).
"""

import numpy as np
from numba import njit

from ._binning import MISSING_BIN
from ._random import draw_feature, rand_int, rand_uniform
from ._samples import add_sample
from ._splitting import FEATURE_THRESHOLD, GINI, SQUARED_ERROR, _try_split

@njit(cache=True)
def padded_bin_values(bin_lo, bin_hi, n_bins, n_features):
    """For the random splitter's threshold search, ``(2, n_features, 256)``
    float64: [0] each bin's largest value, an empty bin (quantile bins can
    be) carrying the previous bin's and +inf past the last bin, so the row
    is sorted; [1] each bin's smallest value, an empty bin carrying the next
    bin's."""
    pad = np.empty((2, n_features, 256), np.float64)
    for f in range(n_features):
        prev = -np.inf
        for b in range(256):
            if b < n_bins[f] and bin_hi[f, b] >= bin_lo[f, b]:
                prev = np.float64(bin_hi[f, b])
            pad[0, f, b] = prev if b < n_bins[f] else np.inf
        nxt = np.inf
        for b in range(255, -1, -1):
            if b < n_bins[f] and bin_hi[f, b] >= bin_lo[f, b]:
                nxt = np.float64(bin_lo[f, b])
            pad[1, f, b] = nxt
    return pad


@njit(cache=True)
def gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c):
    """The node's weights and targets in sample order, contiguous, once per
    node: the random splitter's per-feature passes then read them in order
    (``nb_v``: w*y for a regression, ``nb_c``: class codes)."""
    for i in range(start, end):
        s = idx[i]
        ws = 1.0 if unit else w[s]
        nb_w[i - start] = ws
        if is_clf:
            nb_c[i - start] = y_cls[s]
        else:
            nb_v[i - start] = ws * y_reg[s, 0]


@njit(cache=True, inline="always")
def _node_bins(X_binned, f, idx, start, end, nb_x):
    """Feature ``f``'s bins of the node's samples into ``nb_x``; returns the
    smallest and largest non-missing bin and the number of missing values."""
    bmin = 255
    bmax = 0
    n_miss = 0
    for i in range(start, end):
        b = np.int64(X_binned[f, idx[i]])
        nb_x[i - start] = b
        miss = b == MISSING_BIN
        n_miss += miss
        bmin = min(bmin, b)
        bmax = max(bmax, 0 if miss else b)
    return bmin, bmax, n_miss


@njit(cache=True, inline="always")
def left_stats_fast(cum, nb_x, n, L, mgl, is_clf, n_classes, nb_w, nb_v, nb_c):
    """Left-side stats from the node buffers (one output), branch-free, summed
    in sample order (dense and sparse data give the same sums)."""
    for c in range(cum.shape[0]):
        cum[c] = 0.0
    cnt = 0.0
    sw = 0.0
    sv = 0.0
    if is_clf and n_classes == 2:
        for i in range(n):
            b = nb_x[i]
            m = 1.0 if (b <= L) | (mgl & (b == MISSING_BIN)) else 0.0
            mw = m * nb_w[i]
            cnt += m
            sw += mw
            sv += mw * nb_c[i]
        cum[0] = cnt
        cum[1] = sw - sv
        cum[2] = sv
    elif is_clf:
        for i in range(n):
            b = nb_x[i]
            m = 1.0 if (b <= L) | (mgl & (b == MISSING_BIN)) else 0.0
            cnt += m
            cum[1 + nb_c[i]] += m * nb_w[i]
        cum[0] = cnt
    else:
        for i in range(n):
            b = nb_x[i]
            m = 1.0 if (b <= L) | (mgl & (b == MISSING_BIN)) else 0.0
            cnt += m
            sw += m * nb_w[i]
            sv += m * nb_v[i]
        cum[0] = cnt
        cum[1] = sw
        cum[2] = sv


@njit(cache=True)
def left_stats(cum, xb, L, mgl, idx, start, end, is_clf, offsets, y_cls, y_reg, w,
                unit):
    """Stats of the node's samples going left of the split (bin <= L, or
    missing when ``mgl``): the general case (several outputs)."""
    for c in range(cum.shape[0]):
        cum[c] = 0.0
    for i in range(start, end):
        s = idx[i]
        b = xb[s]
        if b <= L or (mgl and b == MISSING_BIN):
            add_sample(cum, s, is_clf, offsets, y_cls, y_reg, w, unit)


@njit(cache=True, inline="always")
def draw_split(rng, bin_lo, bin_pad, f, bmin, bmax, n_miss, vmin, vmax):
    """The random splitter's split of feature ``f`` in a node whose
    non-missing values span bins ``bmin..bmax`` (values ``vmin..vmax``):
    returns (L, R, threshold, missing_go_to_left); see
    :func:`random_split_dense`.  ``bin_pad``: see :func:`padded_bin_values`."""
    thr = vmin + (vmax - vmin) * rand_uniform(rng)
    mgl = False
    if n_miss > 0 and bmin != bmax:  # else non-missing | missing, always
        mgl = rand_int(rng, np.int64(2)) == 1
    if thr >= vmax:
        thr = vmin
    if bmin == bmax:  # one non-missing bin: it goes left
        L = bmax
        R = np.int64(-1)
        threshold = vmax
    else:
        # c: the first bin not wholly at or below the threshold, the number of
        # bins that are (bins before bmin are, bmax is not): a branch-free
        # 8-step search on the +inf-padded largest values (a branching one
        # was most of a small node's cost)
        c = 0
        c += 128 if bin_pad[0, f, c + 127] <= thr else 0
        c += 64 if bin_pad[0, f, c + 63] <= thr else 0
        c += 32 if bin_pad[0, f, c + 31] <= thr else 0
        c += 16 if bin_pad[0, f, c + 15] <= thr else 0
        c += 8 if bin_pad[0, f, c + 7] <= thr else 0
        c += 4 if bin_pad[0, f, c + 3] <= thr else 0
        c += 2 if bin_pad[0, f, c + 1] <= thr else 0
        c += 1 if bin_pad[0, f, c] <= thr else 0
        if np.float64(bin_lo[f, c]) <= thr:  # inside bin c: the nearer side
            L = c if thr - np.float64(bin_lo[f, c]) >= (bin_pad[0, f, c] - thr) else c - 1
            if L < bmin:
                L = bmin
            if L >= bmax:
                L = bmax - 1
            # scikit-learn's midpoint between the non-empty bins around L
            a = bin_pad[0, f, L]
            b = bin_pad[1, f, L + 1]
            threshold = a / 2.0 + b / 2.0
            if threshold == b or np.isinf(threshold):
                threshold = a
        else:  # between bins c - 1 and c
            L = c - 1
            threshold = thr
        R = L + 1
    return L, R, threshold, mgl


@njit(cache=True, inline="always")
def _scalar_proxy(is_clf, l0, l1, l2, tot1, tot2, n_tot, wtot, min_samples_leaf,
                  min_weight_leaf, best_p):
    """:func:`_try_split` of one output without a constraint, for two-class
    gini (left stats ``l0, l1, l2``: count, class-0 and class-1 weights) or
    squared error (count, weight, sum w*y), with the same arithmetic."""
    nr = n_tot - l0
    if l0 < min_samples_leaf or nr < min_samples_leaf:
        return -np.inf
    wl = 0.0 + l1 + l2 if is_clf else l1
    wr = wtot - wl
    if not (wl >= min_weight_leaf and wr >= min_weight_leaf and wl > 0.0 and wr > 0.0):
        return -np.inf
    if is_clf:
        r1 = tot1 - l1
        r2 = tot2 - l2
        p = (0.0 + l1 * l1 + l2 * l2) / wl + (0.0 + r1 * r1 + r2 * r2) / wr
    else:
        sr = tot2 - l2
        p = (0.0 + l2 * l2) / wl + (0.0 + sr * sr) / wr
    return p if p > best_p else -np.inf


@njit(cache=True, inline="always")
def random_split_dense(data, rules, work, start, end, tot, wn, lo, hi):
    """The random splitter (Extra-Trees) on dense data, scikit-learn's way:
    per drawn feature the node's min and max (one pass over its samples), a
    threshold drawn uniformly in value between them, the left side's stats
    (a second pass); no histogram.  Drawn features that are constant in the
    node count as visited, and the draw goes on until one is not constant.

    The threshold is the drawn value itself when it falls between two bins
    (always, for a feature with at most ``max_bins`` distinct values); one
    that falls inside a bin's range sends the bin to the nearer side, the
    threshold then scikit-learn's midpoint between the bins.  ``best[4]``
    receives the threshold.  Returns the feature, or -1.

    ``tot``, ``wn``: the node's stats and weight; ``lo``, ``hi``: its
    monotonic bounds.
    """
    X_binned, bin_lo, bin_hi = data.X_binned, data.bin_lo, data.bin_hi
    bin_pad = data.bin_pad
    y_cls, y_reg, w, offsets, monotonic = (data.y_cls, data.y_reg, data.w, data.offsets,
                                           data.monotonic)
    crit, is_clf, unit = rules.crit, rules.is_clf, rules.unit
    min_samples_leaf, min_weight_leaf = rules.min_samples_leaf, rules.min_weight_leaf
    max_features = rules.max_features
    idx, feats, rng, best = work.idx, work.feats, work.rng, work.best
    cum, best_left = work.cum, work.best_left
    nb_x, nb_w, nb_v, nb_c = work.nb_x, work.nb_w, work.nb_v, work.nb_c
    n_features = X_binned.shape[0]
    n = end - start
    n_tot = tot[0]
    constrained = monotonic.shape[0] > 0
    sample_features = max_features < n_features
    best_feat = -1
    visited = 0
    n_const = 0
    one_output = offsets.shape[0] == 2 and (is_clf or y_reg.shape[1] == 1)
    if one_output:
        gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c)
    # the common cases (two-class gini, squared error; no constraint) score a
    # candidate from scalars: a call with array arguments costs each array an
    # atomic reference-count increment and decrement, which was most of a
    # small node's time
    scalar = one_output and not constrained and (
        (is_clf and offsets[1] == 2 and crit == GINI) or crit == SQUARED_ERROR)
    tot1 = tot[1]
    tot2 = tot[2]
    for j in range(n_features):
        f = draw_feature(rng, feats, j) if sample_features else j
        bmin, bmax, n_miss = _node_bins(X_binned, f, idx, start, end, nb_x)
        visited += 1
        vmin = np.float64(bin_lo[f, bmin]) if n_miss < n else 0.0
        vmax = np.float64(bin_hi[f, bmax]) if n_miss < n else 0.0
        if n_miss == n or (n_miss == 0 and vmax <= vmin + FEATURE_THRESHOLD):
            n_const += 1
        else:
            L, R, threshold, mgl = draw_split(rng, bin_lo, bin_pad, f, bmin, bmax,
                                               n_miss, vmin, vmax)
            if one_output:
                left_stats_fast(cum, nb_x, n, L, mgl, is_clf, offsets[1], nb_w, nb_v,
                                 nb_c)
            else:
                left_stats(cum, X_binned[f], L, mgl, idx, start, end, is_clf, offsets,
                            y_cls, y_reg, w, unit)
            if scalar:
                p = _scalar_proxy(is_clf, cum[0], cum[1], cum[2], tot1, tot2, n_tot, wn,
                                  min_samples_leaf, min_weight_leaf, best[0])
            else:
                mono = monotonic[f] if constrained else 0
                p = _try_split(cum, tot, n_tot, wn, crit, is_clf, offsets,
                               min_samples_leaf, min_weight_leaf, mono, lo, hi, best)
            if p > best[0]:
                best[0] = p
                best[1] = L
                best[2] = R
                if n_miss > 0:
                    best[3] = 1.0 if mgl else 0.0
                else:
                    best[3] = 1.0 if cum[0] > n_tot - cum[0] else 0.0
                best[4] = threshold
                for c2 in range(cum.shape[0]):
                    best_left[c2] = cum[c2]
                best_feat = f
        if visited >= max_features and visited > n_const:
            break
    return best_feat
