"""The split search shared by the depth-first and the best-first growers.

:func:`find_split` fills an open node's split record (``SPLIT_RECORD`` of
``sklml.tree._records``) with the best split of its samples, or marks it a
leaf.  By the data and the splitter, the candidates come from:

- the node's full histogram in the pool (dense data, nodes of at least
  ``SMALL_NODE`` samples while every feature is searched; the grower keeps
  it, building the smaller child's and subtracting for the larger);
- one feature's histogram at a time in a scratch buffer, touching only the
  bins the node uses (small nodes, or drawn features with
  ``max_features < n_features``);
- no histogram, the random splitter (Extra-Trees), see
  ``sklml.tree._random_splitter``;
- for sparse data, histograms of the node's stored entries built row by row,
  a feature's zero bin being the node's totals minus its stored bins (the
  LightGBM way).

Each scan ranks candidates by a proxy and keeps the best in ``work.best``
(see ``sklml.tree._splitting.scan_feature``); :func:`_record_split` then
computes the chosen split's exact improvement, children impurities and
threshold into the split record.  Every search takes the fit's bundles
(``TrainingData``, ``GrowthRules``, ``Workspace``) instead of some forty
separate arguments; :func:`find_split` and the small-node searches are
inlined into the grower's one call per split (why: ``sklml.tree._records``).
"""

import numpy as np
from numba import njit

from ._binning import MISSING_BIN
from ._histogram import feature_histogram_touched
from ._random import draw_feature, rand_int
from ._random_splitter import draw_split, gather_node, left_stats, left_stats_fast, \
    random_split_dense
from ._samples import fill_column, poisson_loss
from ._splitting import (
    FEATURE_THRESHOLD,
    POISSON,
    _try_split,
    node_impurity,
    node_medians,
    scan_feature,
    scan_mae,
    split_threshold,
    split_values,
    stats_weight,
)

EPSILON = np.finfo(np.float64).eps


@njit(cache=True, inline="always")
def is_leaf_by_rules(rules, depth, n, wn, impurity):
    """The stopping rules: a node this deep, this small or this pure is a leaf."""
    return (depth >= rules.max_depth or n < rules.min_samples_split
            or n < 2 * rules.min_samples_leaf or wn < 2.0 * rules.min_weight_leaf
            or impurity <= EPSILON)


@njit(cache=True, inline="always")
def find_split(r, open_, pool, data, rules, work):
    """The best split of open node ``r`` into its split record
    (``open_.splits[r]``); returns whether one was found (``found``).

    ``pool``: the grower's ``HistogramPool`` (the node's histogram is
    ``pool.hist[node.slot]`` when ``node.slot >= 0``).
    """
    node = open_.nodes[r]
    split = open_.splits[r]
    split.found = 0
    start = node.start
    end = node.end
    wn = node.weighted_n
    if is_leaf_by_rules(rules, node.depth, end - start, wn, node.impurity):
        return False
    tot = open_.stats[r]
    lo = node.lower
    hi = node.upper
    if rules.mae:  # the node-local ranks of y the scans need
        node_medians(work.idx, start, end, data.y_reg, data.w, rules.unit, work.mae_rank,
                     work.mae_f, np.empty(data.y_reg.shape[1]))
    work.best[0] = -np.inf
    if rules.sparse:
        f = _best_sparse_split(data, rules, work, start, end, tot, wn, lo, hi)
    elif rules.random_split and not rules.mae:
        f = random_split_dense(data, rules, work, start, end, tot, wn, lo, hi)
    elif node.slot >= 0:
        f = _best_split_from_histogram(pool.hist[node.slot], data, rules, work, start,
                                       end, tot, wn, lo, hi)
    else:
        f = _best_split_by_feature(data, rules, work, start, end, tot, wn, lo, hi)
    if f < 0:
        return False
    return _record_split(split, f, node.impurity, start, end, tot, wn, data, rules, work)


@njit(cache=True)
def _best_split_from_histogram(hist, data, rules, work, start, end, tot, wn, lo, hi):
    """Dense data, every feature: the best split from the node's full
    histogram ``hist`` (n_features, 256, C); returns its feature, or -1."""
    X_binned, n_bins, bin_lo, bin_hi = data.X_binned, data.n_bins, data.bin_lo, data.bin_hi
    y_reg, w, offsets, monotonic = data.y_reg, data.w, data.offsets, data.monotonic
    crit, is_clf, unit = rules.crit, rules.is_clf, rules.unit
    constrained, random_split = rules.constrained, rules.random_split
    min_samples_leaf, min_weight_leaf = rules.min_samples_leaf, rules.min_weight_leaf
    idx, touched, rng, best = work.idx, work.touched, work.rng, work.best
    cum, best_left, pick_miss = work.cum, work.best_left, work.pick_miss
    best_feat = -1
    for f in range(X_binned.shape[0]):
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
        if rules.mae:
            if scan_mae(hf, touched, np.int64(nt), X_binned[f], idx, start, end,
                        y_reg, w, unit, wn, work.mae_order, work.mae_rank, work.mae_f,
                        min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                        pick_miss[0] == 1, best_left, best):
                best_feat = f
        elif scan_feature(hf, touched, np.int64(nt), tot, wn, crit, is_clf, offsets,
                          min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
                          pick_miss[0] == 1, cum, best_left, best):
            best_feat = f
    return best_feat


@njit(cache=True, inline="always")
def _best_split_by_feature(data, rules, work, start, end, tot, wn, lo, hi):
    """Dense data: the best split over the drawn features (all, in order,
    unless ``max_features < n_features``), each histogrammed in turn into
    ``work.scratch`` over the bins it touches; returns its feature, or -1."""
    X_binned, n_bins, bin_lo, bin_hi = data.X_binned, data.n_bins, data.bin_lo, data.bin_hi
    y_cls, y_reg, w, offsets, monotonic = (data.y_cls, data.y_reg, data.w, data.offsets,
                                           data.monotonic)
    crit, is_clf, unit = rules.crit, rules.is_clf, rules.unit
    constrained, random_split = rules.constrained, rules.random_split
    min_samples_leaf, min_weight_leaf = rules.min_samples_leaf, rules.min_weight_leaf
    max_features = rules.max_features
    idx, scratch, touched, feats = work.idx, work.scratch, work.touched, work.feats
    rng, best, cum, best_left, pick_miss = (work.rng, work.best, work.cum, work.best_left,
                                            work.pick_miss)
    n_features = X_binned.shape[0]
    C = tot.shape[0]
    best_feat = -1
    sample_features = max_features < n_features
    visited = 0
    for j in range(n_features):
        f = draw_feature(rng, feats, j) if sample_features else j
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
            if rules.mae:
                if scan_mae(scratch, touched, np.int64(nt), X_binned[f], idx, start,
                            end, y_reg, w, unit, wn, work.mae_order, work.mae_rank,
                            work.mae_f, min_samples_leaf, min_weight_leaf, mono, lo, hi,
                            pick, pick_miss[0] == 1, best_left, best):
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
    return best_feat


@njit(cache=True, inline="always")
def _right_stats(out, tot, left):
    """``tot - left`` into ``out`` (the scans are done with ``work.cum``; an
    allocation per split was a few percent of a small node's time)."""
    for c in range(tot.shape[0]):
        out[c] = tot[c] - left[c]
    return out


@njit(cache=True, inline="always")
def _record_split(split, best_feat, imp, start, end, tot, wn, data, rules, work):
    """The scans' best candidate (``work.best``, ``work.best_left``) of
    feature ``best_feat`` into the split record, with its exact improvement;
    returns False (a leaf) if it improves less than ``min_impurity_decrease``."""
    crit, is_clf, offsets = rules.crit, rules.is_clf, data.offsets
    best, best_left = work.best, work.best_left
    w_root = rules.w_root
    C = tot.shape[0]
    wl = stats_weight(best_left, is_clf, offsets)
    wr = wn - wl
    L = np.int64(best[1])
    mgl = best[3] == 1.0
    imp_l = 0.0
    imp_r = 0.0
    if rules.mae:
        n_out = data.y_reg.shape[1]
        imp_l = best[4] / (wl * n_out)
        imp_r = best[5] / (wr * n_out)
        improvement = (wn / w_root) * (imp - (wr / wn) * imp_r - (wl / wn) * imp_l)
    elif crit == POISSON:
        right = _right_stats(work.cum, tot, best_left)
        if rules.sparse:
            xb = work.xcol
            fill_column(xb, best_feat, work.idx, start, end, data.row_ptr, data.row_feat,
                        data.row_bin, data.zero_bin)
        else:
            xb = data.X_binned[best_feat]
        imp_l = poisson_loss(work.idx, start, end, xb, L, mgl, np.int64(0), data.y_reg,
                             data.w, rules.unit, best_left)
        imp_r = poisson_loss(work.idx, start, end, xb, L, mgl, np.int64(1), data.y_reg,
                             data.w, rules.unit, right)
        improvement = (wn / w_root) * (imp - (wr / wn) * imp_r - (wl / wn) * imp_l)
    elif is_clf:
        right = _right_stats(work.cum, tot, best_left)
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
    if improvement + EPSILON < rules.min_impurity_decrease:
        return False
    R = np.int64(best[2])
    if rules.constrained and rules.mae:
        split.middle = (best[6] + best[7]) / 2
    elif rules.constrained:
        vl, vr = split_values(crit, best_left, tot, wl, wr)
        split.middle = vl / 2.0 + vr / 2.0
    split.impurity_left = imp_l
    split.impurity_right = imp_r
    split.feature = best_feat
    split.bin_left = L
    split.bin_right = R
    split.missing_go_to_left = np.int64(best[3])
    if rules.random_split and not rules.mae:  # drawn in value (random_split_dense)
        split.threshold = best[4]
    elif R < 0 and rules.random_split:  # as scikit-learn's random splitter: the largest value
        split.threshold = np.float64(data.bin_hi[best_feat, L])
    else:
        split.threshold = split_threshold(data.bin_lo, data.bin_hi, best_feat, L, R)
    split.improvement = improvement
    split.found = 1
    return True


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
        pick_miss[0] = rand_int(rng, np.int64(2))
    # one non-missing bin: non-missing | missing is the only split (either side)
    if nt >= 2:
        return 1 + rand_int(rng, nt - 1)
    return np.int64(nt)


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
def _best_sparse_split(data, rules, work, start, end, tot, wn, lo, hi):
    """Sparse data: the node's best split (see :func:`find_split`), from
    histograms of the stored entries built row by row, every feature at once
    (the work follows the non-zeros); returns its feature, or -1.  The random splitter
    draws as :func:`random_split_dense` does (the same draws: the same
    tree as on the dense matrix)."""
    n_bins, bin_lo, bin_hi, bin_pad = data.n_bins, data.bin_lo, data.bin_hi, data.bin_pad
    y_cls, y_reg, w, offsets, monotonic = (data.y_cls, data.y_reg, data.w, data.offsets,
                                           data.monotonic)
    row_ptr, row_feat, row_bin, zero_bin = (data.row_ptr, data.row_feat, data.row_bin,
                                            data.zero_bin)
    crit, is_clf, unit, mae = rules.crit, rules.is_clf, rules.unit, rules.mae
    constrained, random_split = rules.constrained, rules.random_split
    min_samples_leaf, min_weight_leaf = rules.min_samples_leaf, rules.min_weight_leaf
    max_features = rules.max_features
    idx, touched, feats, rng = work.idx, work.touched, work.feats, work.rng
    best, cum, best_left, pick_miss = work.best, work.cum, work.best_left, work.pick_miss
    mae_order, mae_rank, mae_f = work.mae_order, work.mae_rank, work.mae_f
    shist, xcol, pair_f, pair_b = work.sp_hist, work.xcol, work.pair_f, work.pair_b
    nfb, feat_list, grouped_b, fstart = work.nfb, work.feat_list, work.grouped_b, work.fstart
    nb_x, nb_w, nb_v, nb_c = work.nb_x, work.nb_w, work.nb_v, work.nb_c
    n_features = n_bins.shape[0]
    C = tot.shape[0]
    best_feat = -1
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
    one_output = offsets.shape[0] == 2 and (is_clf or y_reg.shape[1] == 1)
    if random_value and one_output:
        gather_node(idx, start, end, is_clf, y_cls, y_reg, w, unit, nb_w, nb_v, nb_c)
    visited = 0
    n_const = 0
    for j in range(n_features if sample_features else n_tf):
        if sample_features:
            f = draw_feature(rng, feats, j)
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
                L, R, threshold, mgl = draw_split(rng, bin_lo, bin_pad, f, touched[0],
                                                   touched[nt - 1], np.int64(0), vmin,
                                                   vmax)
                # the left stats in sample order, as the dense splitter sums them
                fill_column(xcol, f, idx, start, end, row_ptr, row_feat, row_bin,
                             zero_bin)
                if one_output:
                    for i in range(start, end):
                        nb_x[i - start] = xcol[idx[i]]
                    left_stats_fast(cum, nb_x, end - start, L, mgl, is_clf, offsets[1],
                                     nb_w, nb_v, nb_c)
                else:
                    left_stats(cum, xcol, L, mgl, idx, start, end, is_clf, offsets,
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
                fill_column(xcol, f, idx, start, end, row_ptr, row_feat, row_bin,
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
