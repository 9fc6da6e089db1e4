"""The tree builder: one compiled function grows a whole tree on binned data.

No Python runs per node.  A node's best split is found when the node is
created, so depth-first and best-first (``max_leaf_nodes``) growth share all
the code.  Nodes not yet split ("open" nodes: a depth-first stack, or the
best-first frontier) live in small record arrays; a node gets its id and its
row of the output arrays (scikit-learn's layout) when it is popped from the
stack (depth-first, so ids come in pre-order as scikit-learn's) or when it is
created (best-first, creation order as scikit-learn's).

Memory is kept below scikit-learn's own tree: besides the binned matrix and
the output, a fit holds the sample indices, half as many for the stable
partition, and a small pool of full histograms (``n_features x 256 x C``).
Nodes with at least ``SMALL_NODE`` samples keep a histogram in the pool: the
smaller child is histogrammed from its samples and the larger one by
subtraction from the parent.  When the pool is full the open node with the
fewest samples gives its histogram up; its children are then both
histogrammed from their samples.  Smaller nodes histogram one feature at a
time into a scratch buffer, touching only the bins they use.  With
``max_features < n_features`` only the drawn features are histogrammed,
directly, and there is no pool.

The random splitter (Extra-Trees; not the absolute error) builds no
histogram at all: per drawn feature one pass finds the node's smallest and
largest bin, a threshold is drawn uniformly in value between them (as
scikit-learn's), and a second, branch-free pass sums the left side's stats
from node buffers of weights and targets gathered once per node.  Sparse data
draws the same thresholds and sums in the same order, so it grows the same
trees as the dense matrix.

The partition of a split node is branch-free too (a side is a 0/1 factor):
the sides of a split are as good as random to the branch predictor, and
measured on 40,000 rows it costs 6 ns a sample against 25 ns with branches.
Hot loops live in small functions: the same loop in ``build_tree``'s body
measured six times slower.

Ensembles call :func:`build_tree` many times on the same ``BinnedData`` with
per-tree ``sample_weight`` (bootstrap counts times weights: zero removes a row)
and ``seed``; with ``want_leaves`` it returns each training row's leaf
(``sample_node``), so boosting gets its training predictions from the
partition without another pass.
"""

import numpy as np
from numba import njit

from ._binning import MISSING_BIN
from ._histogram import (
    build_histogram,
    build_histogram_parallel,
    feature_histogram_touched,
    subtract_histogram,
)
from ._splitting import (
    ABSOLUTE_ERROR,
    GINI,
    MAE_SORTED_Y,
    POISSON,
    POISSON_EPSILON,
    SQUARED_ERROR,
    _try_split,
    node_impurity,
    node_medians,
    scan_feature,
    scan_mae,
    split_threshold,
    split_values,
    stats_weight,
)

FEATURE_THRESHOLD = 1e-7  # scikit-learn's: a smaller span is a constant feature
SMALL_PARTITION = 4096  # a partition's smaller side up to this size uses a kept buffer
SMALL_NODE = 128  # below this many samples a node gets no stored histogram
PARALLEL_MIN_WORK = 1 << 20  # samples x features above which prange pays
# pool histograms may take this fraction of the binned matrix's bytes (at least
# MIN_POOL of them: a split needs two)
POOL_FRACTION = 8
MIN_POOL, MAX_POOL = 2, 64
EPSILON = np.finfo(np.float64).eps

# integer columns of an open-node record
START, END, DEPTH, SLOT, BINL, BINR, MGL, CAND, PARENT, IS_LEFT, NODE, FEAT = range(12)
N_ICOLS = 12
# float columns of an open-node record: threshold, impurity, weight, improvement,
# monotonic bounds and middle value, the best split's children impurities
THR, IMP, WN, IMPROV, LO, HI, MID, IMPL, IMPR = range(9)
N_FCOLS = 9


@njit(cache=True, inline="always")
def _rand_int(state, n):
    """xorshift64*: uniform int in [0, n)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(33)
    return np.int64(r % np.uint64(n))


@njit(cache=True, inline="always")
def _add_sample(st, s, is_clf, offsets, y_cls, y_reg, w, unit):
    ws = 1.0 if unit else w[s]
    st[0] += 1.0
    K = offsets.shape[0] - 1
    if is_clf and K > 1:
        for k in range(K):
            st[1 + offsets[k] + y_cls[s * K + k]] += ws
    elif is_clf:
        st[1 + y_cls[s]] += ws
    else:
        st[1] += ws
        sq = 0.0
        for k in range(y_reg.shape[1]):
            v = y_reg[s, k]
            st[2 + k] += ws * v
            sq += v * v
        st[st.shape[0] - 1] += ws * sq


@njit(cache=True)
def _node_stats(st, idx, start, end, is_clf, offsets, y_cls, y_reg, w, unit):
    """Stats of the samples ``idx[start:end]`` into ``st``."""
    st[:] = 0.0
    for i in range(start, end):
        _add_sample(st, idx[i], is_clf, offsets, y_cls, y_reg, w, unit)


@njit(cache=True)
def _sort_small(a, n):
    for i in range(1, n):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@njit(cache=True)
def _poisson_loss(idx, start, end, xb, L, mgl, side, y_reg, w, unit, st):
    """scikit-learn's Poisson impurity of the node's samples on ``side`` of the
    split (-1: all of them; 0: left; 1: right), ``st`` their stats."""
    n_out = y_reg.shape[1]
    wsum = st[1]
    loss = 0.0
    for k in range(n_out):
        if st[2 + k] <= POISSON_EPSILON:
            return np.inf
        mean = st[2 + k] / wsum
        for i in range(start, end):
            s = idx[i]
            if side >= 0 and _goes_left(xb[s], L, mgl) != (side == 0):
                continue
            y = y_reg[s, k]
            if y != 0.0:
                loss += (1.0 if unit else w[s]) * (y * np.log(y / mean))
    return loss / (wsum * n_out)


@njit(cache=True)
def _fill_column(xcol, f, idx, start, end, row_ptr, row_feat, row_bin, zero_bin):
    """Sparse data: feature ``f``'s bin of each of the node's samples into
    ``xcol`` (indexed by sample), by binary search in each row."""
    zb = zero_bin[f]
    for i in range(start, end):
        s = idx[i]
        lo = row_ptr[s]
        hi = row_ptr[s + 1]
        while lo < hi:
            mid = (lo + hi) // 2
            if row_feat[mid] < f:
                lo = mid + 1
            else:
                hi = mid
        if lo < row_ptr[s + 1] and row_feat[lo] == f:
            xcol[s] = row_bin[lo]
        else:
            xcol[s] = zb


@njit(cache=True)
def _sparse_node_histogram(shist, idx, start, end, row_ptr, row_feat, row_bin, is_clf,
                           offsets, y_cls, y_reg, w, unit, pair_f, pair_b, nfb,
                           feat_list):
    """Sparse data: the node's histograms of its stored entries, row by row
    (work follows the non-zeros).  Lists the non-empty (feature, bin) pairs,
    counts them per feature in ``nfb`` and lists the features met; returns
    (pairs, features)."""
    C = shist.shape[2]
    K = offsets.shape[0] - 1
    n_pairs = 0
    n_tf = 0
    for i in range(start, end):
        s = idx[i]
        ws = 1.0 if unit else w[s]
        for j in range(row_ptr[s], row_ptr[s + 1]):
            f = row_feat[j]
            b = row_bin[j]
            h = shist[f, b]
            if h[0] == 0.0:
                pair_f[n_pairs] = f
                pair_b[n_pairs] = b
                n_pairs += 1
                if nfb[f] == 0:
                    feat_list[n_tf] = f
                    n_tf += 1
                nfb[f] += 1
            h[0] += 1.0
            if is_clf:
                if K == 1:
                    h[1 + y_cls[s]] += ws
                else:
                    for k in range(K):
                        h[1 + offsets[k] + y_cls[s * K + k]] += ws
            else:
                h[1] += ws
                for c in range(2, C - 1):
                    h[c] += ws * y_reg[s, c - 2]
    return n_pairs, n_tf


@njit(cache=True)
def _sparse_feature_bins(hf, first, grouped_b, m, tot, is_clf, n_bins_f, zb, touched):
    """Sparse data: feature ``f``'s non-empty bins, sorted, into ``touched``
    with the zero bin's statistics (the node's totals minus those of the
    stored entries) added to ``hf``; returns their number."""
    C = hf.shape[1]
    stored = 0.0
    for t in range(m):
        stored += hf[grouped_b[first + t], 0]
    nt = m
    for t in range(m):
        touched[t] = grouped_b[first + t]
    if tot[0] - stored > 0.0:
        if hf[zb, 0] == 0.0:
            touched[nt] = zb
            nt += 1
        # the zero bin: totals minus every stored bin (the last regression
        # channel, sum w*y^2, is not kept in histograms)
        for c in range(C if is_clf else C - 1):
            acc = tot[c]
            for t in range(m):
                acc -= hf[grouped_b[first + t], c]
            hf[zb, c] += acc
    if nt > 48:
        nt2 = 0
        for b in range(n_bins_f):
            if hf[b, 0] > 0.0:
                touched[nt2] = b
                nt2 += 1
        nt = nt2
    else:
        _sort_small(touched, nt)
    return nt


@njit(cache=True)
def _best_sparse_split(tot, wn, lo, hi, constrained, mae, n_bins, idx, start, end,
                       offsets, y_cls, y_reg, w, unit, touched, feats, rng, best, cum,
                       best_left, crit, is_clf, min_samples_leaf, min_weight_leaf,
                       max_features, random_split, monotonic, mae_order, mae_rank, mae_f,
                       sp_rows, sp_work, pick_miss, bin_lo, bin_hi, nbuf):
    """Sparse data: the node's best split over every feature (see
    ``_evaluate_node``); returns its feature, or -1.  The random splitter
    draws as :func:`_random_split_dense` does (the same draws: the same
    tree as on the dense matrix)."""
    n_features = n_bins.shape[0]
    C = tot.shape[0]
    best_feat = -1
    row_ptr, row_feat, row_bin, zero_bin = sp_rows
    shist, xcol, pair_f, pair_b, nfb, feat_list, grouped_b, fstart = sp_work
    n_pairs, n_tf = _sparse_node_histogram(
        shist, idx, start, end, row_ptr, row_feat, row_bin, is_clf, offsets, y_cls,
        y_reg, w, unit, pair_f, pair_b, nfb, feat_list)
    tf = np.sort(feat_list[:n_tf])
    pos = 0
    for t in range(n_tf):  # each feature's bins together, features in order
        f = tf[t]
        fstart[f] = pos
        pos += nfb[f]
        nfb[f] = 0
    for q in range(n_pairs):
        f = pair_f[q]
        grouped_b[fstart[f] + nfb[f]] = pair_b[q]
        nfb[f] += 1
    sample_features = max_features < n_features
    random_value = random_split and not mae
    n_tot = tot[0]
    nb_x, nb_w, nb_v, nb_c, bin_pad = nbuf
    one_output = offsets.shape[0] == 2 and (is_clf or y_reg.shape[1] == 1)
    if random_value and one_output:
        _gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c)
    visited = 0
    n_const = 0
    for j in range(n_features if sample_features else n_tf):
        if sample_features:
            k = j + _rand_int(rng, n_features - j)
            tmp = feats[j]
            feats[j] = feats[k]
            feats[k] = tmp
            f = feats[j]
            if nfb[f] == 0:  # only zeros in this node: constant
                if random_value:
                    visited += 1
                    n_const += 1
                    if visited >= max_features and visited > n_const:
                        break
                continue
        else:
            f = tf[j]
        hf = shist[f]
        zb = zero_bin[f]
        nt = _sparse_feature_bins(hf, fstart[f], grouped_b, nfb[f], tot, is_clf,
                                  n_bins[f], zb, touched)
        if random_value:
            visited += 1
            vmin = np.float64(bin_lo[f, touched[0]])
            vmax = np.float64(bin_hi[f, touched[nt - 1]])
            if nt < 2 or vmax <= vmin + FEATURE_THRESHOLD:
                n_const += 1
            else:
                L, R, threshold, mgl = _draw_split(rng, bin_lo, bin_pad, f, touched[0],
                                                   touched[nt - 1], np.int64(0), vmin,
                                                   vmax)
                # the left stats in sample order, as the dense splitter sums them
                _fill_column(xcol, f, idx, start, end, row_ptr, row_feat, row_bin,
                             zero_bin)
                if one_output:
                    for i in range(start, end):
                        nb_x[i - start] = xcol[idx[i]]
                    _left_stats_fast(cum, nb_x, end - start, L, mgl, is_clf, offsets[1],
                                     nb_w, nb_v, nb_c)
                else:
                    _left_stats(cum, xcol, L, mgl, idx, start, end, is_clf, offsets,
                                y_cls, y_reg, w, unit)
                mono = monotonic[f] if constrained else 0
                p = _try_split(cum, tot, n_tot, wn, crit, is_clf, offsets,
                               min_samples_leaf, min_weight_leaf, mono, lo, hi, best)
                if p > best[0]:
                    best[0] = p
                    best[1] = L
                    best[2] = R
                    best[3] = 1.0 if cum[0] > n_tot - cum[0] else 0.0
                    best[4] = threshold
                    for c in range(C):
                        best_left[c] = cum[c]
                    best_feat = f
        elif nt >= 2:
            visited += 1
            pick = _feature_pick(rng, np.int64(nt), np.bool_(False), random_split, pick_miss)
            mono = monotonic[f] if constrained else 0
            if mae:
                _fill_column(xcol, f, idx, start, end, row_ptr, row_feat, row_bin,
                             zero_bin)
                if scan_mae(hf, touched, np.int64(nt), xcol, idx, start, end,
                            y_reg, w, unit, wn, mae_order, mae_rank, mae_f,
                            min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                            np.bool_(False), best_left, best):
                    best_feat = f
            elif scan_feature(hf, touched, np.int64(nt), tot, wn, crit, is_clf,
                              offsets, min_samples_leaf, min_weight_leaf, mono, lo,
                              hi, pick, np.bool_(False), cum, best_left, best):
                best_feat = f
        for c in range(C):
            hf[zb, c] = 0.0  # the stored bins are zeroed below
        if random_value:
            if visited >= max_features and visited > n_const:
                break
        elif sample_features and visited >= max_features:
            break
    for q in range(n_pairs):
        for c in range(C):
            shist[pair_f[q], pair_b[q], c] = 0.0
    for t in range(n_tf):
        nfb[tf[t]] = 0
    return best_feat


@njit(cache=True)
def _almost_constant(bin_lo, bin_hi, f, touched, nt):
    """scikit-learn's rule: a feature spanning at most FEATURE_THRESHOLD in the
    node is constant there."""
    return np.float64(bin_hi[f, touched[nt - 1]]) <= (np.float64(bin_lo[f, touched[0]])
                                                     + FEATURE_THRESHOLD)


@njit(cache=True)
def _feature_pick(rng, nt, has_missing, random_split, pick_miss):
    """The random splitter's candidate of a feature (see ``scan_feature``):
    -1 (every boundary) for the best splitter."""
    pick_miss[0] = 0
    if not random_split:
        return np.int64(-1)
    if has_missing and nt >= 2:
        pick_miss[0] = _rand_int(rng, np.int64(2))
    # one non-missing bin: non-missing | missing is the only split (either side)
    if nt >= 2:
        return 1 + _rand_int(rng, nt - 1)
    return np.int64(nt)


@njit(cache=True, inline="always")
def _rand_uniform(state):
    """xorshift64*: uniform float64 in [0, 1) (53 random bits)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(11)
    return np.float64(r) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c):
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
def _left_stats_fast(cum, nb_x, n, L, mgl, is_clf, n_classes, nb_w, nb_v, nb_c):
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
def _left_stats(cum, xb, L, mgl, idx, start, end, is_clf, offsets, y_cls, y_reg, w,
                unit):
    """Stats of the node's samples going left of the split (bin <= L, or
    missing when ``mgl``): the general case (several outputs)."""
    for c in range(cum.shape[0]):
        cum[c] = 0.0
    for i in range(start, end):
        s = idx[i]
        b = xb[s]
        if b <= L or (mgl and b == MISSING_BIN):
            _add_sample(cum, s, is_clf, offsets, y_cls, y_reg, w, unit)


@njit(cache=True)
def _padded_bin_values(bin_lo, bin_hi, n_bins, n_features):
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


@njit(cache=True, inline="always")
def _draw_split(rng, bin_lo, bin_pad, f, bmin, bmax, n_miss, vmin, vmax):
    """The random splitter's split of feature ``f`` in a node whose
    non-missing values span bins ``bmin..bmax`` (values ``vmin..vmax``):
    returns (L, R, threshold, missing_go_to_left); see
    :func:`_random_split_dense`.  ``bin_pad``: see :func:`_padded_bin_values`."""
    thr = vmin + (vmax - vmin) * _rand_uniform(rng)
    mgl = False
    if n_miss > 0 and bmin != bmax:  # else non-missing | missing, always
        mgl = _rand_int(rng, np.int64(2)) == 1
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


@njit(cache=True)
def _random_split_dense(X_binned, n_bins, bin_lo, bin_hi, idx, start, end, tot, wn,
                        crit, is_clf, offsets, y_cls, y_reg, w, unit, feats, rng, best,
                        cum, best_left, min_samples_leaf, min_weight_leaf,
                        max_features, monotonic, lo, hi, nb_x, nb_w, nb_v, nb_c,
                        bin_pad):
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
    """
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
        _gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c)
    # the common cases (two-class gini, squared error; no constraint) score a
    # candidate from scalars: a call with array arguments costs each array an
    # atomic reference-count increment and decrement, which was most of a
    # small node's time
    scalar = one_output and not constrained and (
        (is_clf and offsets[1] == 2 and crit == GINI) or crit == SQUARED_ERROR)
    tot1 = tot[1]
    tot2 = tot[2]
    for j in range(n_features):
        if sample_features:
            k = j + _rand_int(rng, n_features - j)
            tmp = feats[j]
            feats[j] = feats[k]
            feats[k] = tmp
            f = feats[j]
        else:
            f = j
        bmin, bmax, n_miss = _node_bins(X_binned, f, idx, start, end, nb_x)
        visited += 1
        vmin = np.float64(bin_lo[f, bmin]) if n_miss < n else 0.0
        vmax = np.float64(bin_hi[f, bmax]) if n_miss < n else 0.0
        if n_miss == n or (n_miss == 0 and vmax <= vmin + FEATURE_THRESHOLD):
            n_const += 1
        else:
            L, R, threshold, mgl = _draw_split(rng, bin_lo, bin_pad, f, bmin, bmax,
                                               n_miss, vmin, vmax)
            if one_output:
                _left_stats_fast(cum, nb_x, n, L, mgl, is_clf, offsets[1], nb_w, nb_v,
                                 nb_c)
            else:
                _left_stats(cum, X_binned[f], L, mgl, idx, start, end, is_clf, offsets,
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


@njit(cache=True)
def _evaluate_node(r, ri, rf, rs, best_left, pool, X_binned, n_bins, bin_lo, bin_hi,
                   idx, offsets, y_cls, y_reg, w, unit, scratch, touched, feats, rng,
                   best, cum, crit, is_clf, max_depth, min_samples_split,
                   min_samples_leaf, min_weight_leaf, max_features,
                   min_impurity_decrease, w_root, random_split, monotonic, mae_order,
                   mae_rank, mae_f, sparse, sp_rows, sp_work, pick_miss, nbuf):
    """Find the open node's best split; sets CAND=1 (split found) or 0 (leaf).

    Sparse data (``sparse``; ``sp_rows`` the row-wise bins of
    ``BinnedData``, ``sp_work`` the work arrays of ``build_tree``) is
    histogrammed row by row, every feature at once.

    ``best_left`` is scratch for the left child's stats of the best split.
    """
    n_features = X_binned.shape[0]
    C = rs.shape[1]
    start = ri[r, START]
    end = ri[r, END]
    n = end - start
    wn = rf[r, WN]
    imp = rf[r, IMP]
    slot = ri[r, SLOT]
    ri[r, CAND] = 0
    if (ri[r, DEPTH] >= max_depth or n < min_samples_split
            or n < 2 * min_samples_leaf or wn < 2.0 * min_weight_leaf
            or imp <= EPSILON):
        return
    tot = rs[r]
    lo = rf[r, LO]
    hi = rf[r, HI]
    constrained = monotonic.shape[0] > 0
    mae = crit == ABSOLUTE_ERROR
    if mae:  # the node-local ranks of y the scans need
        node_medians(idx, start, end, y_reg, w, unit, mae_rank, mae_f,
                     np.empty(y_reg.shape[1]))
    best[0] = -np.inf
    best_feat = -1
    if sparse:
        best_feat = _best_sparse_split(
            tot, wn, lo, hi, constrained, mae, n_bins, idx, start, end, offsets, y_cls,
            y_reg, w, unit, touched, feats, rng, best, cum, best_left, crit, is_clf,
            min_samples_leaf, min_weight_leaf, max_features, random_split, monotonic,
            mae_order, mae_rank, mae_f, sp_rows, sp_work, pick_miss, bin_lo, bin_hi, nbuf)
    elif random_split and not mae:
        nb_x, nb_w, nb_v, nb_c, bin_pad = nbuf
        best_feat = _random_split_dense(
            X_binned, n_bins, bin_lo, bin_hi, idx, start, end, tot, wn, crit, is_clf,
            offsets, y_cls, y_reg, w, unit, feats, rng, best, cum, best_left,
            min_samples_leaf, min_weight_leaf, max_features, monotonic, lo, hi,
            nb_x, nb_w, nb_v, nb_c, bin_pad)
    elif slot >= 0:
        hist = pool[slot]
        for f in range(n_features):
            hf = hist[f]
            nt = 0
            for b in range(n_bins[f]):
                if hf[b, 0] > 0.0:
                    touched[nt] = b
                    nt += 1
            if nt == 0 or (hf[MISSING_BIN, 0] == 0.0 and (
                    nt == 1 or _almost_constant(bin_lo, bin_hi, f, touched, np.int64(nt)))):
                continue  # constant in this node
            pick = _feature_pick(rng, np.int64(nt), hf[MISSING_BIN, 0] > 0.0, random_split,
                                 pick_miss)
            mono = monotonic[f] if constrained else 0
            if mae:
                if scan_mae(hf, touched, np.int64(nt), X_binned[f], idx, start, end,
                            y_reg, w, unit, wn, mae_order, mae_rank, mae_f,
                            min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                            pick_miss[0] == 1, best_left, best):
                    best_feat = f
            elif scan_feature(hf, touched, np.int64(nt), tot, wn, crit, is_clf, offsets,
                              min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                              pick_miss[0] == 1, cum, best_left, best):
                best_feat = f
    else:
        sample_features = max_features < n_features
        visited = 0
        for j in range(n_features):
            if sample_features:
                k = j + _rand_int(rng, n_features - j)
                tmp = feats[j]
                feats[j] = feats[k]
                feats[k] = tmp
                f = feats[j]
            else:
                f = j
            nt = feature_histogram_touched(scratch, touched, X_binned[f], idx, start,
                                           end, is_clf, offsets, y_cls, y_reg, w, unit)
            # the scratch must be zeroed again over the touched bins
            has_missing = scratch[MISSING_BIN, 0] > 0.0
            if nt > 48:
                nt2 = 0
                for b in range(n_bins[f]):
                    if scratch[b, 0] > 0.0:
                        touched[nt2] = b
                        nt2 += 1
                nt = nt2
            else:
                _sort_small(touched, nt)
                if has_missing:
                    nt -= 1  # MISSING_BIN sorts last
            constant = nt == 0 or (not has_missing and (
                nt == 1 or _almost_constant(bin_lo, bin_hi, f, touched, np.int64(nt))))
            if not constant:
                visited += 1
                pick = _feature_pick(rng, np.int64(nt), has_missing, random_split, pick_miss)
                mono = monotonic[f] if constrained else 0
                if mae:
                    if scan_mae(scratch, touched, np.int64(nt), X_binned[f], idx, start,
                                end, y_reg, w, unit, wn, mae_order, mae_rank, mae_f,
                                min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                                pick_miss[0] == 1, best_left, best):
                        best_feat = f
                elif scan_feature(scratch, touched, np.int64(nt), tot, wn, crit, is_clf,
                                  offsets, min_samples_leaf, min_weight_leaf, mono, lo,
                                  hi, pick, pick_miss[0] == 1, cum, best_left, best):
                    best_feat = f
            for t in range(nt):
                b = touched[t]
                for c in range(C):
                    scratch[b, c] = 0.0
            for c in range(C):
                scratch[MISSING_BIN, c] = 0.0
            if sample_features and visited >= max_features:
                break
    if best_feat < 0:
        return
    wl = stats_weight(best_left, is_clf, offsets)
    wr = wn - wl
    L = np.int64(best[1])
    mgl = best[3] == 1.0
    if mae:
        n_out = y_reg.shape[1]
        imp_l = best[4] / (wl * n_out)
        imp_r = best[5] / (wr * n_out)
        rf[r, IMPL] = imp_l
        rf[r, IMPR] = imp_r
        improvement = (wn / w_root) * (imp - (wr / wn) * imp_r - (wl / wn) * imp_l)
    elif crit == POISSON:
        right = tot - best_left
        if sparse:
            row_ptr, row_feat, row_bin, zero_bin = sp_rows
            xcol = sp_work[1]
            _fill_column(xcol, best_feat, idx, start, end, row_ptr, row_feat, row_bin,
                         zero_bin)
            xb = xcol
        else:
            xb = X_binned[best_feat]
        imp_l = _poisson_loss(idx, start, end, xb, L, mgl, np.int64(0), y_reg, w, unit, best_left)
        imp_r = _poisson_loss(idx, start, end, xb, L, mgl, np.int64(1), y_reg, w, unit, right)
        rf[r, IMPL] = imp_l
        rf[r, IMPR] = imp_r
        improvement = (wn / w_root) * (imp - (wr / wn) * imp_r - (wl / wn) * imp_l)
    elif is_clf:
        right = tot - best_left
        imp_l = node_impurity(best_left, crit, offsets)
        imp_r = node_impurity(right, crit, offsets)
        improvement = (wn / w_root) * (imp - (wr / wn) * imp_r - (wl / wn) * imp_l)
    else:
        # the same weighted impurity decrease without sum w*y^2 (its terms cancel)
        a = 0.0
        for c in range(2, C - 1):
            sl = best_left[c]
            sr = tot[c] - sl
            a += sl * sl / wl + sr * sr / wr - tot[c] * tot[c] / wn
        improvement = a / (C - 3) / w_root
    if improvement + EPSILON < min_impurity_decrease:
        return
    R = np.int64(best[2])
    if constrained and mae:
        rf[r, MID] = (best[6] + best[7]) / 2
    elif constrained:
        vl, vr = split_values(crit, best_left, tot, wl, wr)
        rf[r, MID] = vl / 2.0 + vr / 2.0
    ri[r, FEAT] = best_feat
    ri[r, BINL] = L
    ri[r, BINR] = R
    ri[r, MGL] = np.int64(best[3])
    rf[r, THR] = split_threshold(bin_lo, bin_hi, best_feat, L, R)
    if random_split and not mae:  # drawn in value (see above)
        rf[r, THR] = best[4]
    elif R < 0 and random_split:  # as scikit-learn's random splitter: the largest value
        rf[r, THR] = np.float64(bin_hi[best_feat, L])
    rf[r, IMPROV] = improvement
    ri[r, CAND] = 1


@njit(cache=True)
def _goes_left(b, L, mgl):
    return b <= L or (b == MISSING_BIN and mgl)


@njit(cache=True)
def _partition(r, ri, idx, xb, is_clf, offsets, y_cls, y_reg, w, unit, left_st,
               right_st, small_buf):
    """Stable in-place partition of the node's samples; fresh child stats.

    The smaller side goes through a buffer of its size, freed on return (the
    big partitions come first, while the tree is still small); a small side
    uses ``small_buf`` (an allocation per node was a tenth of a small node's
    time).  ``xb``: the
    split feature's bins.  Both passes are branch-free (a side is a 0/1
    factor, an index moves by it): a split's sides are as good as random to
    the branch predictor, whose misses cost more than the arithmetic."""
    L = ri[r, BINL]
    mgl = ri[r, MGL] == 1
    start = ri[r, START]
    end = ri[r, END]
    n_left = _side_stats(xb, L, mgl, idx, start, end, is_clf, offsets, y_cls, y_reg,
                         w, unit, left_st, right_st)
    mid = start + n_left
    if n_left <= end - mid:  # left ones to buf, right ones packed at the end
        buf = small_buf if n_left + 1 <= small_buf.shape[0] else np.empty(n_left + 1,
                                                                          np.int32)
        q = 0
        p = end
        for i in range(end - 1, start - 1, -1):
            s = idx[i]
            b = xb[s]
            m = np.int64((b <= L) | (mgl & (b == MISSING_BIN)))
            buf[q] = s
            q += m
            idx[p - 1] = s  # p - 1 >= i: read already
            p -= 1 - m
        for j in range(q):
            idx[start + j] = buf[q - 1 - j]
    else:  # right ones to buf, left ones packed at the start
        buf = (small_buf if end - mid + 1 <= small_buf.shape[0]
               else np.empty(end - mid + 1, np.int32))
        p = start
        q = 0
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            m = np.int64((b <= L) | (mgl & (b == MISSING_BIN)))
            idx[p] = s  # p <= i: read already
            p += m
            buf[q] = s
            q += 1 - m
        for j in range(q):
            idx[mid + j] = buf[j]
    return mid


@njit(cache=True)
def _side_stats(xb, L, mgl, idx, start, end, is_clf, offsets, y_cls, y_reg, w, unit,
                left_st, right_st):
    """Both children's stats (as :func:`_add_sample` sums them, in sample
    order: adding an exact 0 changes no sum) and the left count."""
    C = left_st.shape[0]
    left_st[:] = 0.0
    right_st[:] = 0.0
    K = offsets.shape[0] - 1
    n_left = 0
    if is_clf and K == 1:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            g = (b <= L) | (mgl & (b == MISSING_BIN))
            m = 1.0 if g else 0.0
            ws = 1.0 if unit else w[s]
            n_left += np.int64(g)
            k = 1 + y_cls[s]
            left_st[k] += m * ws
            right_st[k] += (1.0 - m) * ws
        left_st[0] = np.float64(n_left)
        right_st[0] = np.float64(end - start - n_left)
    elif not is_clf and C == 4:
        # sums in registers: through memory every update would wait on the
        # last store (the two arrays may alias), four times slower
        l0 = l1 = l2 = l3 = 0.0
        r0 = r1 = r2 = r3 = 0.0
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            g = (b <= L) | (mgl & (b == MISSING_BIN))
            m = 1.0 if g else 0.0
            ws = 1.0 if unit else w[s]
            v = y_reg[s, 0]
            wy = ws * v
            wsq = ws * (v * v)
            n_left += np.int64(g)
            l0 += m
            r0 += 1.0 - m
            l1 += m * ws
            r1 += (1.0 - m) * ws
            l2 += m * wy
            r2 += (1.0 - m) * wy
            l3 += m * wsq
            r3 += (1.0 - m) * wsq
        left_st[0] = l0
        left_st[1] = l1
        left_st[2] = l2
        left_st[3] = l3
        right_st[0] = r0
        right_st[1] = r1
        right_st[2] = r2
        right_st[3] = r3
    else:
        for i in range(start, end):
            s = idx[i]
            if _goes_left(xb[s], L, mgl):
                n_left += 1
                _add_sample(left_st, s, is_clf, offsets, y_cls, y_reg, w, unit)
            else:
                _add_sample(right_st, s, is_clf, offsets, y_cls, y_reg, w, unit)
    return n_left


# One grow function per array type: a function compiled for several
# signatures shares one cache index, and processes compiling it at the same
# time can then mix up its cached specialisations (a segfault on load).
@njit(cache=True)
def _grow_i32(a, cap):
    out = np.empty(cap, np.int32)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_i64(a, cap):
    out = np.empty(cap, np.int64)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_u8(a, cap):
    out = np.empty(cap, np.uint8)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_f64(a, cap):
    out = np.empty(cap, np.float64)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_f64_2d(a, cap):
    out = np.empty((cap, a.shape[1]), np.float64)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_i64_2d(a, cap):
    out = np.empty((cap, a.shape[1]), np.int64)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _take_slot(slot_owner, ri, keep):
    """A free pool slot, or the one of the open node with the fewest samples
    (other than record ``keep``), taken from it."""
    victim = -1
    for s in range(slot_owner.shape[0]):
        o = slot_owner[s]
        if o < 0:
            return s
        if o != keep and (victim < 0 or ri[o, END] - ri[o, START]
                          < ri[slot_owner[victim], END] - ri[slot_owner[victim], START]):
            victim = s
    if victim < 0:
        raise RuntimeError("histogram pool exhausted")  # needs a pool of >= 2
    ri[slot_owner[victim], SLOT] = -1
    slot_owner[victim] = -1
    return victim


@njit(cache=True)
def _release_slot(r, ri, slot_owner):
    s = ri[r, SLOT]
    if s >= 0:
        slot_owner[s] = -1
        ri[r, SLOT] = -1


@njit(cache=True)
def _fill_histogram(hist, X_binned, n_bins, idx, a, b, is_clf, offsets, y_cls, y_reg, w,
                    unit, parallel):
    if parallel and (b - a) * X_binned.shape[0] >= PARALLEL_MIN_WORK:
        build_histogram_parallel(hist, X_binned, n_bins, idx, a, b, is_clf, offsets,
                                 y_cls, y_reg, w, unit)
    else:
        build_histogram(hist, X_binned, n_bins, idx, a, b, is_clf, offsets, y_cls,
                        y_reg, w, unit)


@njit(cache=True)
def _emit(r, nd, ri, rf, rs, rmed, is_clf, offsets, constrained, o_left, o_right,
          o_feat, o_thr, o_mgl, o_imp, o_n, o_wn, o_val):
    """Give open node ``r`` the id ``nd``: its output row, a leaf's until split.

    Under monotonic constraints the value is clipped to the node's bounds
    (a classifier's first-class fraction, the other class its complement)."""
    ri[r, NODE] = nd
    o_left[nd] = -1
    o_right[nd] = -1
    o_feat[nd] = -2
    o_thr[nd] = -2.0
    o_mgl[nd] = 0
    o_imp[nd] = rf[r, IMP]
    o_wn[nd] = rf[r, WN]
    o_n[nd] = ri[r, END] - ri[r, START]
    if is_clf:  # class fractions
        den = rf[r, WN] if rf[r, WN] > 0 else 1.0
        for c in range(o_val.shape[1]):
            o_val[nd, c] = rs[r, 1 + c] / den
    elif rmed.shape[1] > 0:  # weighted medians (absolute error)
        for c in range(o_val.shape[1]):
            o_val[nd, c] = rmed[r, c]
    else:  # means
        den = rs[r, 1] if rs[r, 1] > 0 else 1.0
        for c in range(o_val.shape[1]):
            o_val[nd, c] = rs[r, 2 + c] / den
    if constrained:
        v = o_val[nd, 0]
        if v < rf[r, LO]:
            v = rf[r, LO]
        elif v > rf[r, HI]:
            v = rf[r, HI]
        o_val[nd, 0] = v
        if is_clf:
            o_val[nd, 1] = 1.0 - v
    p = ri[r, PARENT]
    if p >= 0:
        if ri[r, IS_LEFT] == 1:
            o_left[p] = nd
        else:
            o_right[p] = nd


@njit(cache=True)
def _finish_leaf(r, ri, idx, sample_node, want_leaves, slot_owner, rfree, n_rfree):
    """Open node ``r`` stays a leaf: record its rows' leaf, free its record."""
    if want_leaves:
        nd = ri[r, NODE]
        for i in range(ri[r, START], ri[r, END]):
            sample_node[idx[i]] = nd
    _release_slot(r, ri, slot_owner)
    rfree[n_rfree] = r
    return n_rfree + 1


@njit(cache=True, nogil=True)
def build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sample_weight, crit,
               n_classes, max_depth, min_samples_split, min_samples_leaf,
               min_weight_leaf, max_features, max_leaf_nodes, min_impurity_decrease,
               seed, parallel, want_leaves, offsets, random_split, monotonic, row_ptr,
               row_feat, row_bin, zero_bin):
    """Grow one tree on binned data.

    Parameters
    ----------
    X_binned, n_bins, bin_lo, bin_hi : arrays of :class:`BinnedData`
    y_cls : uint16 (n_samples * n_outputs,)
        Class index of each row (classification; row-major over the outputs);
        any uint16 array otherwise.
    y_reg : float64 (n_samples, n_outputs)
        Targets (regression); any (n, 1) float64 array otherwise.
    sample_weight : float64 (n_samples,) or (0,)
        Weights, times class weights and bootstrap counts; 0 removes the row.
        An empty array means every weight is 1.
    crit : int
        Criterion code of ``_splitting`` (``SQUARED_ERROR`` and above: regression).
    n_classes : int
        Classes of all outputs together (1 for regression).
    max_depth, min_samples_split, min_samples_leaf : int
    min_weight_leaf : float
    max_features : int
        Features drawn per node (``>= n_features``: all, in order).
    max_leaf_nodes : int
        Best-first growth when > 0, depth-first otherwise.
    min_impurity_decrease : float
    seed : int
        Seeds the feature draws.
    parallel : bool
        Use threads for the histograms of large nodes (False inside ensembles
        that already run trees in threads).
    want_leaves : bool
        Return each training row's leaf in ``sample_node`` (else it is empty).
    offsets : int64 (n_outputs + 1,)
        Classification: output ``k``'s classes are ``offsets[k]:offsets[k + 1]``
        of the ``n_classes``; ``[0, n_classes]`` for one output (and regression).
    random_split : bool
        The random splitter (Extra-Trees): one random candidate per feature.
    monotonic : int8 (n_features,) or (0,)
        Monotonic constraint of each feature (+1, -1, 0), already sign-flipped
        for a classifier (they constrain the first class); empty: none.
    row_ptr, row_feat, row_bin, zero_bin : arrays of :class:`BinnedData`
        Sparse data (``X_binned`` is then (n_features, 0)); empty for dense.

    Returns
    -------
    children_left, children_right, feature, threshold, missing_go_to_left,
    impurity, n_node_samples, weighted_n_node_samples, value, sample_node,
    max_depth
        Node arrays in scikit-learn's order (depth-first trees in pre-order,
        best-first ones in creation order), ids and counts as int32, views of
        arrays with some spare capacity; ``value`` has shape
        (node_count, n_classes) (class fractions) or (node_count, n_outputs)
        (means); ``sample_node[i]`` is the leaf of training row i (-1 for rows
        of weight 0).
    """
    sparse = row_ptr.shape[0] > 0
    n_features = X_binned.shape[0]
    n_samples = row_ptr.shape[0] - 1 if sparse else X_binned.shape[1]
    is_clf = crit < SQUARED_ERROR
    constrained = monotonic.shape[0] > 0
    n_out = y_reg.shape[1]
    C = 1 + n_classes if is_clf else 3 + n_out
    V = n_classes if is_clf else n_out
    w = sample_weight
    unit = w.shape[0] == 0

    if unit:
        n_act = np.int64(n_samples)
    else:
        n_act = np.int64(np.sum(w > 0.0))  # typed, not a literal 0
    idx = np.empty(n_act, np.int32)
    j = 0
    for i in range(n_samples):
        if unit or w[i] > 0.0:
            idx[j] = i
            j += 1
    scratch = np.zeros((256, C), np.float64)
    touched = np.empty(256, np.int64)
    feats = np.arange(n_features)
    rng = np.empty(1, np.uint64)
    rng[0] = np.uint64(seed) * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    if rng[0] == 0:
        rng[0] = np.uint64(88172645463325252)
    best = np.empty(8, np.float64)
    # sparse data: one node histogram of every feature and its bookkeeping
    n_sp = n_features if sparse else 0
    sp_rows = (row_ptr, row_feat, row_bin, zero_bin)
    sp_work = (np.zeros((n_sp, 256, C), np.float64),
               np.empty(n_samples if sparse else 0, np.uint8),
               np.empty(n_sp * 256, np.int32), np.empty(n_sp * 256, np.uint8),
               np.zeros(n_sp, np.int64), np.empty(n_sp, np.int64),
               np.empty(n_sp * 256, np.uint8), np.empty(n_sp, np.int64))
    xcol = sp_work[1]
    pick_miss = np.zeros(1, np.int64)  # the random splitter's missing side
    # the random splitter's node buffers (bins, weights, w*y, class codes)
    n_nb = n_act if random_split and crit != ABSOLUTE_ERROR else 0
    bin_pad = _padded_bin_values(bin_lo, bin_hi, n_bins,
                                 n_features if random_split else 0)
    nbuf = (np.empty(n_nb, np.uint8), np.empty(n_nb, np.float64),
            np.empty(n_nb, np.float64), np.empty(n_nb, np.int64), bin_pad)
    # absolute error: work arrays of the sample-level scans, medians per record
    mae = crit == ABSOLUTE_ERROR
    n_mae = n_act if mae else 0
    mae_order = np.empty(n_mae, np.int64)
    mae_rank = np.empty((n_out, n_samples if mae else 0), np.int64)
    mae_f = np.empty((MAE_SORTED_Y + n_out, n_mae + 1), np.float64)
    cum = np.empty(C, np.float64)
    best_left = np.empty(C, np.float64)
    left_st = np.empty(C, np.float64)
    right_st = np.empty(C, np.float64)
    sample_node = np.full(n_samples if want_leaves else 0, -1, np.int32)
    small_buf = np.empty(min(n_act // 2 + 1, SMALL_PARTITION), np.int32)

    best_first = max_leaf_nodes > 0
    # the output, compact while the tree grows (int32 ids, grown by 1/8 at a
    # time: the capacity beyond the node count is memory a fit holds for nothing);
    # ``tree_from_build`` turns it into scikit-learn's layout
    cap = 2 * n_act - 1 if n_act > 0 else 1
    if max_depth < 30:
        cap = min(cap, (1 << (max_depth + 1)) - 1)
    if best_first:
        cap = min(cap, 2 * max_leaf_nodes - 1)
    cap = max(min(cap, 1023), 3)
    o_left = np.empty(cap, np.int32)
    o_right = np.empty(cap, np.int32)
    o_feat = np.empty(cap, np.int32)
    o_thr = np.empty(cap, np.float64)
    o_mgl = np.empty(cap, np.uint8)
    o_imp = np.empty(cap, np.float64)
    o_n = np.empty(cap, np.int32)
    o_wn = np.empty(cap, np.float64)
    o_val = np.empty((cap, V), np.float64)
    node_count = np.int64(0)
    tree_depth = np.int64(0)

    # open-node records, recycled through a free list
    rcap = 64
    ri = np.empty((rcap, N_ICOLS), np.int64)
    rf = np.empty((rcap, N_FCOLS), np.float64)
    rs = np.empty((rcap, C), np.float64)
    rmed = np.empty((rcap, n_out if mae else 0), np.float64)
    rfree = np.empty(rcap, np.int64)
    n_rfree = rcap
    for k in range(rcap):
        rfree[k] = rcap - 1 - k

    # histogram pool, sized against the binned matrix
    slot_bytes = n_features * 256 * C * 8
    n_pool = 0
    if max_features >= n_features and not sparse and not (random_split and not mae):
        n_pool = min(MAX_POOL, n_act * n_features // (POOL_FRACTION * slot_bytes))
        if n_pool < 2:  # a split needs two
            n_pool = MIN_POOL
    stored = n_pool >= 2
    pool = np.empty((n_pool, n_features, 256, C), np.float64)
    slot_owner = np.full(max(n_pool, 1), -1, np.int64)

    # the root; ``root`` is a typed 0: a literal 0 would compile (and cache) one
    # more specialisation of each callee, and processes that compile at the same
    # time can then mix up a function's cached specialisations
    root = np.int64(0)
    n_rfree -= 1
    r0 = rfree[n_rfree]
    ri[r0, :] = -1
    ri[r0, START] = root
    ri[r0, END] = n_act
    ri[r0, DEPTH] = 0
    _node_stats(rs[r0], idx, root, n_act, is_clf, offsets, y_cls, y_reg, w, unit)
    w_root = stats_weight(rs[r0], is_clf, offsets)
    rf[r0, WN] = w_root
    rf[r0, LO] = -np.inf
    rf[r0, HI] = np.inf
    if mae:
        rf[r0, IMP] = node_medians(idx, root, n_act, y_reg, w, unit, mae_rank, mae_f,
                                   rmed[r0]) if n_act > 0 else 0.0
    elif crit == POISSON:
        rf[r0, IMP] = _poisson_loss(idx, root, n_act, X_binned[0], root, n_act < 0,
                                    np.int64(-1), y_reg, w, unit, rs[r0])
    else:
        rf[r0, IMP] = node_impurity(rs[r0], crit, offsets)
    if stored and n_act >= SMALL_NODE:
        s0 = _take_slot(slot_owner, ri, np.int64(-1))
        ri[r0, SLOT] = s0
        slot_owner[s0] = r0
        _fill_histogram(pool[s0], X_binned, n_bins, idx, root, n_act, is_clf, offsets,
                        y_cls, y_reg, w, unit, parallel)
    if n_act > 0:
        _evaluate_node(r0, ri, rf, rs, best_left, pool, X_binned, n_bins, bin_lo,
                       bin_hi, idx, offsets, y_cls, y_reg, w, unit, scratch, touched, feats,
                       rng, best, cum, crit, is_clf, max_depth, min_samples_split,
                       min_samples_leaf, min_weight_leaf, max_features,
                       min_impurity_decrease, w_root, random_split, monotonic,
                       mae_order, mae_rank, mae_f, sparse, sp_rows, sp_work,
                       pick_miss, nbuf)
    else:
        ri[r0, CAND] = 0
    if ri[r0, CAND] == 0:
        _release_slot(r0, ri, slot_owner)

    # open nodes: a stack (depth-first: a node gets its id when popped) or the
    # frontier (best-first: ids at creation, the root's now)
    pending = np.empty(64, np.int64)
    n_pending = 0
    splits_left = max_leaf_nodes - 1 if best_first else -1
    children = np.empty(2, np.int64)
    if best_first:
        _emit(r0, node_count, ri, rf, rs, rmed, is_clf, offsets, constrained,
              o_left, o_right,
              o_feat, o_thr, o_mgl,
              o_imp, o_n, o_wn, o_val)
        node_count += 1
    if best_first and ri[r0, CAND] == 0:
        n_rfree = _finish_leaf(r0, ri, idx, sample_node, want_leaves, slot_owner, rfree,
                               n_rfree)
    else:
        pending[0] = r0
        n_pending = 1

    while n_pending > 0:
        if node_count + 3 > cap:
            cap += cap // 8 + 3
            # one array at a time: each old one is freed before the next grows
            o_left = _grow_i32(o_left, cap)
            o_right = _grow_i32(o_right, cap)
            o_feat = _grow_i32(o_feat, cap)
            o_thr = _grow_f64(o_thr, cap)
            o_mgl = _grow_u8(o_mgl, cap)
            o_imp = _grow_f64(o_imp, cap)
            o_n = _grow_i32(o_n, cap)
            o_wn = _grow_f64(o_wn, cap)
            o_val = _grow_f64_2d(o_val, cap)
        if best_first:
            if splits_left <= 0:
                break
            k_best = 0
            for k in range(1, n_pending):
                if rf[pending[k], IMPROV] > rf[pending[k_best], IMPROV]:
                    k_best = k
            r = pending[k_best]
            for k in range(k_best, n_pending - 1):
                pending[k] = pending[k + 1]
            n_pending -= 1
            splits_left -= 1
        else:
            n_pending -= 1
            r = pending[n_pending]
            _emit(r, node_count, ri, rf, rs, rmed, is_clf, offsets, constrained,
              o_left,
                  o_right, o_feat, o_thr,
                  o_mgl, o_imp, o_n, o_wn, o_val)
            node_count += 1
            if ri[r, DEPTH] > tree_depth:
                tree_depth = ri[r, DEPTH]
            if ri[r, CAND] == 0:
                n_rfree = _finish_leaf(r, ri, idx, sample_node, want_leaves,
                                       slot_owner, rfree, n_rfree)
                continue

        # split node r
        nd = ri[r, NODE]
        o_feat[nd] = ri[r, FEAT]
        o_thr[nd] = rf[r, THR]
        o_mgl[nd] = ri[r, MGL]
        start = ri[r, START]
        end = ri[r, END]
        if sparse:
            _fill_column(xcol, ri[r, FEAT], idx, start, end, row_ptr, row_feat, row_bin,
                         zero_bin)
            xb = xcol
        else:
            xb = X_binned[ri[r, FEAT]]
        mid = _partition(r, ri, idx, xb, is_clf, offsets, y_cls, y_reg, w, unit,
                         left_st, right_st, small_buf)
        depth = ri[r, DEPTH] + 1
        if n_rfree < 2:  # grow the records
            old = rcap
            rcap *= 2
            ri = _grow_i64_2d(ri, rcap)
            rf = _grow_f64_2d(rf, rcap)
            rs = _grow_f64_2d(rs, rcap)
            rmed = _grow_f64_2d(rmed, rcap)
            rfree = _grow_i64(rfree, rcap)
            for k in range(rcap - 1, old - 1, -1):
                rfree[n_rfree] = k
                n_rfree += 1
        for side in range(2):
            n_rfree -= 1
            ch = rfree[n_rfree]
            children[side] = ch
            st = left_st if side == 0 else right_st
            ri[ch, :] = -1
            ri[ch, START] = start if side == 0 else mid
            ri[ch, END] = mid if side == 0 else end
            ri[ch, DEPTH] = depth
            ri[ch, PARENT] = nd
            ri[ch, IS_LEFT] = 1 - side
            rs[ch, :] = st
            rf[ch, WN] = stats_weight(st, is_clf, offsets)
            if mae:
                node_medians(idx, ri[ch, START], ri[ch, END], y_reg, w, unit, mae_rank,
                             mae_f, rmed[ch])
            if crit == POISSON or mae:  # from the samples, as the split search found
                rf[ch, IMP] = rf[r, IMPL] if side == 0 else rf[r, IMPR]
            else:
                rf[ch, IMP] = node_impurity(st, crit, offsets)
            # monotonic bounds: the middle value bounds the constrained side
            cst = monotonic[ri[r, FEAT]] if constrained else 0
            rf[ch, LO] = rf[r, LO]
            rf[ch, HI] = rf[r, HI]
            if cst != 0:
                if (cst == 1) == (side == 0):
                    rf[ch, HI] = rf[r, MID]  # left of an increase, right of a decrease
                else:
                    rf[ch, LO] = rf[r, MID]
        left = children[0]
        right = children[1]

        # the children's histograms
        n_l = mid - start
        n_r = end - mid
        pslot = ri[r, SLOT]
        if stored and max(n_l, n_r) >= SMALL_NODE and depth < max_depth:
            if n_l <= n_r:
                small, big, a, b = left, right, start, mid
                a2, b2 = mid, end
            else:
                small, big, a, b = right, left, mid, end
                a2, b2 = start, mid
            if pslot >= 0:  # the smaller child built, the larger by subtraction
                s_small = _take_slot(slot_owner, ri, r)
                slot_owner[s_small] = small
                ri[small, SLOT] = s_small
                _fill_histogram(pool[s_small], X_binned, n_bins, idx, a, b, is_clf,
                                offsets, y_cls, y_reg, w, unit, parallel)
                subtract_histogram(pool[pslot], pool[s_small], n_bins)
                slot_owner[pslot] = big
                ri[big, SLOT] = pslot
                ri[r, SLOT] = -1
            else:  # the parent gave its histogram up: each child directly (a
                # small one is evaluated feature by feature, with no slot)
                keep = np.int64(-1)
                if b - a >= SMALL_NODE:
                    s_small = _take_slot(slot_owner, ri, keep)
                    slot_owner[s_small] = small
                    ri[small, SLOT] = s_small
                    _fill_histogram(pool[s_small], X_binned, n_bins, idx, a, b, is_clf,
                                    offsets, y_cls, y_reg, w, unit, parallel)
                    keep = small
                s_big = _take_slot(slot_owner, ri, keep)
                slot_owner[s_big] = big
                ri[big, SLOT] = s_big
                _fill_histogram(pool[s_big], X_binned, n_bins, idx, a2, b2, is_clf,
                                offsets, y_cls, y_reg, w, unit, parallel)
        else:
            _release_slot(r, ri, slot_owner)
        n_rfree += 1
        rfree[n_rfree - 1] = r  # r's record is done

        for ch in (left, right):
            # a leaf by the stopping rules is known here: ``_evaluate_node``
            # would find the same, after an atomic reference-count increment
            # and decrement of each of its array arguments (half the nodes of a
            # fully grown tree are such leaves)
            n_ch = ri[ch, END] - ri[ch, START]
            if (depth >= max_depth or n_ch < min_samples_split
                    or n_ch < 2 * min_samples_leaf or rf[ch, WN] < 2.0 * min_weight_leaf
                    or rf[ch, IMP] <= EPSILON):
                ri[ch, CAND] = 0
            else:
                _evaluate_node(ch, ri, rf, rs, best_left, pool, X_binned, n_bins,
                               bin_lo, bin_hi, idx, offsets, y_cls, y_reg, w, unit,
                               scratch, touched, feats, rng, best, cum, crit, is_clf,
                               max_depth, min_samples_split, min_samples_leaf,
                               min_weight_leaf, max_features, min_impurity_decrease,
                               w_root, random_split, monotonic, mae_order, mae_rank,
                               mae_f, sparse, sp_rows, sp_work, pick_miss, nbuf)
            if ri[ch, SLOT] >= 0 and (ri[ch, CAND] == 0
                                      or ri[ch, END] - ri[ch, START] < SMALL_NODE):
                _release_slot(ch, ri, slot_owner)

        if n_pending + 2 > pending.shape[0]:
            pending = _grow_i64(pending, 2 * pending.shape[0])
        if best_first:  # ids in creation order; leaves are done at once
            if depth > tree_depth:
                tree_depth = depth
            for ch in (left, right):
                _emit(ch, node_count, ri, rf, rs, rmed, is_clf, offsets, constrained,
              o_left,
                      o_right, o_feat,
                      o_thr, o_mgl, o_imp, o_n, o_wn, o_val)
                node_count += 1
            for ch in (right, left):  # the frontier's order breaks ties
                if ri[ch, CAND] == 0:
                    n_rfree = _finish_leaf(ch, ri, idx, sample_node, want_leaves,
                                           slot_owner, rfree, n_rfree)
                else:
                    pending[n_pending] = ch
                    n_pending += 1
        else:  # depth-first: left on top of the stack
            pending[n_pending] = right
            pending[n_pending + 1] = left
            n_pending += 2

    # best-first: what is left of the frontier are leaves
    if want_leaves:
        for k in range(n_pending):
            r = pending[k]
            for i in range(ri[r, START], ri[r, END]):
                sample_node[idx[i]] = ri[r, NODE]
    pool = np.empty((0, n_features, 256, C), np.float64)  # freed before the return
    idx = np.empty(0, np.int32)
    return (o_left[:node_count], o_right[:node_count], o_feat[:node_count],
            o_thr[:node_count], o_mgl[:node_count], o_imp[:node_count],
            o_n[:node_count], o_wn[:node_count], o_val[:node_count], sample_node,
            tree_depth)
