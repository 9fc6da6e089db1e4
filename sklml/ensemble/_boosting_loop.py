"""The SAMME and AdaBoost.R2 boosting loops, each in one compiled function.

Each round calls the compiled tree builder on the shared binned data, reads the
training predictions off the builder's leaf partition (``sample_node``), and
updates the weights, with scikit-learn's stopping rules.  Sums follow NumPy's
pairwise summation so that the weights, errors and trees are the ones the
Python loop (and scikit-learn) computes, bit for bit.
"""

import numpy as np
from numba import njit

from sklml.tree._builder import build_tree

EPS = np.finfo(np.float64).eps

# status codes of samme_loop
DONE, WORSE_THAN_RANDOM, OVERFLOW = 0, 1, 2


@njit(cache=True)
def _block(a, lo, n):
    """NumPy's sum of a block of at most 128 values (eight accumulators)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    m = n - n % 8
    i = 8
    while i < m:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def np_sum(a):
    """``np.sum`` of a contiguous float64 vector, bit for bit: NumPy's pairwise
    summation (halves rounded down to multiples of 8, blocks of <= 128), its
    recursion unrolled onto a stack (numba's cache mishandles recursion)."""
    frame_lo = np.empty(128, np.int64)
    frame_n = np.empty(128, np.int64)
    frame_stage = np.empty(128, np.int64)
    vals = np.empty(128)
    fp = 1
    vp = 0
    frame_lo[0] = 0
    frame_n[0] = a.shape[0]
    frame_stage[0] = 0
    while fp > 0:
        f = fp - 1
        lo = frame_lo[f]
        n = frame_n[f]
        if n <= 128:
            vals[vp] = _block(a, lo, n)
            vp += 1
            fp -= 1
            continue
        n2 = n // 2
        n2 -= n2 % 8
        stage = frame_stage[f]
        frame_stage[f] = stage + 1
        if stage == 0:
            frame_lo[fp] = lo
            frame_n[fp] = n2
            frame_stage[fp] = 0
            fp += 1
        elif stage == 1:
            frame_lo[fp] = lo + n2
            frame_n[fp] = n - n2
            frame_stage[fp] = 0
            fp += 1
        else:
            vp -= 1
            vals[vp - 1] = vals[vp - 1] + vals[vp]
            fp -= 1
    return 0.0 + vals[0]


# Compiled as "parallel" although nothing in it runs in parallel: a cached
# serial function calling the builder's parallel kernels crashes when loaded
# from numba's cache (numba issues #8578, #4807); array-level rewrites are off
# so no work is spread over threads here.
_SERIAL_PARALLEL = {"comprehension": False, "reduction": False, "inplace_binop": False,
                    "setitem": False, "numpy": False, "stencil": False,
                    "fusion": False, "prange": False}


@njit(cache=True)
def _without_leaves(out):
    """A round's tree as kept until the end: its rows' leaves dropped (they
    would hold n_samples ints per round)."""
    return (out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8],
            np.empty(0, np.int32), out[10])


@njit(cache=True, parallel=_SERIAL_PARALLEL)
def samme_loop(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sample_weight, crit,
               n_classes, max_depth, min_samples_split, min_samples_leaf,
               min_weight_fraction_leaf, max_features, max_leaf_nodes,
               min_impurity_decrease, seeds, learning_rate, parallel, row_ptr,
               row_feat, row_bin, zero_bin):
    """Boost up to ``len(seeds)`` trees (SAMME); round ``r`` grows with ``seeds[r]``.

    ``row_ptr``, ``row_feat``, ``row_bin``, ``zero_bin`` are the binned data's
    sparse rows (empty for dense data, see ``sklml.tree._binning.BinnedData``).

    ``sample_weight`` is normalised to sum 1.  Returns the kept rounds' node
    arrays concatenated (round ``r`` owns nodes ``offsets[r]:offsets[r + 1]``),
    each round's depth, ``estimator_weights`` and ``estimator_errors`` (of
    length ``len(seeds)``, ones/zeros past the last round), the number of
    rounds kept, a status (``DONE``, ``WORSE_THAN_RANDOM`` on the first round,
    or ``OVERFLOW``) and the round the status refers to.
    """
    n_estimators = seeds.shape[0]
    # a typed True: a literal would compile (and cache) another build_tree
    want_leaves = n_estimators >= 0
    # the tree engine's options these loops do not use, typed as build_tree wants
    offsets = np.array([0, n_classes], np.int64)
    random_split = n_estimators < 0
    no_constraints = np.zeros(0, np.int8)
    n = sample_weight.shape[0]
    k = n_classes
    weights = np.zeros(n_estimators)
    errors = np.ones(n_estimators)
    sw = sample_weight.copy()
    zero = sw == 0.0
    incorrect = np.zeros(n)
    prod = np.empty(n)
    trees = []
    status = DONE
    at = np.int64(0)
    for iboost in range(n_estimators):
        for i in range(n):
            if zero[i]:
                sw[i] = 0.0
            elif not sw[i] >= EPS:  # np.clip(sw, eps, None)
                sw[i] = EPS
        mwl = min_weight_fraction_leaf * np_sum(sw)
        out = build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sw, crit,
                         n_classes, max_depth, min_samples_split, min_samples_leaf,
                         mwl, max_features, max_leaf_nodes, min_impurity_decrease,
                         seeds[iboost], parallel, want_leaves, offsets,
                         random_split, no_constraints, row_ptr, row_feat,
                         row_bin, zero_bin)
        value = out[8]
        sample_node = out[9]
        # class of each leaf, as argmax of the tree's value
        n_nodes = value.shape[0]
        leaf_class = np.empty(n_nodes, np.int64)
        for nd in range(n_nodes):
            leaf_class[nd] = 0
            best = value[nd, 0]
            for c in range(1, k):
                v = value[nd, c]
                if v > best:
                    best = v
                    leaf_class[nd] = c
        # rows of weight 0 are left out of the partition and count for nothing
        for i in range(n):
            leaf = sample_node[i]
            incorrect[i] = 1.0 if leaf >= 0 and leaf_class[leaf] != y_cls[i] else 0.0
            prod[i] = incorrect[i] * sw[i]
        error = np_sum(prod) / np_sum(sw)
        if error <= 0:
            trees.append(_without_leaves(out))
            weights[iboost] = 1.0
            errors[iboost] = 0.0
            break
        if error >= 1.0 - 1.0 / k:
            if len(trees) == 0:
                status = WORSE_THAN_RANDOM
                at = iboost
            break
        trees.append(_without_leaves(out))
        weight = learning_rate * (np.log((1.0 - error) / error) + np.log(k - 1.0))
        if iboost != n_estimators - 1:
            for i in range(n):
                pos = 1.0 if sw[i] > 0 else 0.0
                sw[i] = np.exp(np.log(sw[i]) + weight * incorrect[i] * pos)
        weights[iboost] = weight
        errors[iboost] = error
        total = np_sum(sw)
        if not np.isfinite(total):
            status = OVERFLOW
            at = iboost
            break
        if total <= 0:
            break
        if iboost < n_estimators - 1:
            for i in range(n):
                sw[i] = sw[i] / total

    return _concat(trees) + (weights, errors, len(trees), status, at)


@njit(cache=True)
def _concat(trees):
    """The rounds' node arrays end to end, their offsets and depths."""
    n_rounds = len(trees)
    offsets = np.zeros(n_rounds + 1, np.int64)
    for r in range(n_rounds):
        offsets[r + 1] = offsets[r] + trees[r][0].shape[0]
    total_nodes = offsets[n_rounds]
    n_values = trees[0][8].shape[1] if n_rounds > 0 else 1
    left = np.empty(total_nodes, np.int64)
    right = np.empty(total_nodes, np.int64)
    feature = np.empty(total_nodes, np.int64)
    threshold = np.empty(total_nodes, np.float64)
    mgl = np.empty(total_nodes, np.uint8)
    impurity = np.empty(total_nodes, np.float64)
    n_node = np.empty(total_nodes, np.int64)
    wn = np.empty(total_nodes, np.float64)
    value = np.empty((total_nodes, n_values), np.float64)
    depths = np.zeros(n_rounds, np.int64)
    for r in range(n_rounds):
        t = trees[r]
        a = offsets[r]
        b = offsets[r + 1]
        left[a:b] = t[0]
        right[a:b] = t[1]
        feature[a:b] = t[2]
        threshold[a:b] = t[3]
        mgl[a:b] = t[4]
        impurity[a:b] = t[5]
        n_node[a:b] = t[6]
        wn[a:b] = t[7]
        value[a:b] = t[8]
        depths[r] = t[10]
    return left, right, feature, threshold, mgl, impurity, n_node, wn, value, offsets, depths


LINEAR, SQUARE, EXPONENTIAL = 0, 1, 2


@njit(cache=True)
def _leaf_of(X, i, left, right, feature, threshold, mgl):
    """The leaf row ``i`` of raw ``X`` falls in (as ``Tree.apply``)."""
    node = 0
    while left[node] != -1:
        x = X[i, feature[node]]
        if np.isnan(x):
            node = left[node] if mgl[node] else right[node]
        elif x <= threshold[node]:
            node = left[node]
        else:
            node = right[node]
    return node


@njit(cache=True, parallel=_SERIAL_PARALLEL)
def r2_loop(X, X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sample_weight, crit,
            n_classes, max_depth, min_samples_split, min_samples_leaf,
            min_weight_fraction_leaf, max_features, max_leaf_nodes,
            min_impurity_decrease, uniforms, seeds, learning_rate, loss, parallel):
    """Boost up to ``len(seeds)`` regression trees (AdaBoost.R2).

    Round ``r`` fits on the weighted bootstrap that ``RandomState.choice``
    draws from ``uniforms[r]`` (``searchsorted`` on the normalised cumulative
    weights) and grows with ``seeds[r]``.  Rows left out of the bootstrap get
    their prediction by one walk down the tree on raw ``X``.  Returns what
    :func:`samme_loop` returns.
    """
    n_estimators = seeds.shape[0]
    # a typed True: a literal would compile (and cache) another build_tree
    want_leaves = n_estimators >= 0
    # the tree engine's options these loops do not use, typed as build_tree wants
    offsets = np.array([0, n_classes], np.int64)
    random_split = n_estimators < 0
    no_constraints = np.zeros(0, np.int8)
    dense = np.zeros(0, np.int64)  # no sparse rows
    dense_feat = np.zeros(0, np.int32)
    dense_bin = np.zeros(0, np.uint8)
    n = sample_weight.shape[0]
    weights = np.zeros(n_estimators)
    errors = np.ones(n_estimators)
    sw = sample_weight.copy()
    zero = sw == 0.0
    cdf = np.empty(n)
    counts = np.empty(n)
    merr = np.empty(n)
    prod = np.empty(n)
    trees = []
    status = DONE
    at = np.int64(0)
    for iboost in range(n_estimators):
        for i in range(n):
            if zero[i]:
                sw[i] = 0.0
            elif not sw[i] >= EPS:
                sw[i] = EPS
        acc = 0.0
        for i in range(n):
            acc += sw[i]
            cdf[i] = acc
        last = cdf[n - 1]
        for i in range(n):
            cdf[i] = cdf[i] / last
            counts[i] = 0.0
        idx = np.searchsorted(cdf, uniforms[iboost], side="right")
        for j in range(n):
            counts[idx[j]] += 1.0
        mwl = min_weight_fraction_leaf * np_sum(counts)
        out = build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, counts, crit,
                         n_classes, max_depth, min_samples_split, min_samples_leaf,
                         mwl, max_features, max_leaf_nodes, min_impurity_decrease,
                         seeds[iboost], parallel, want_leaves, offsets,
                         random_split, no_constraints, dense, dense_feat,
                         dense_bin, dense)
        left, right, feature, threshold, mgl = out[0], out[1], out[2], out[3], out[4]
        value = out[8]
        sample_node = out[9]
        m = 0
        emax = 0.0
        for i in range(n):
            if sw[i] > 0:
                leaf = sample_node[i]
                if leaf < 0:
                    leaf = _leaf_of(X, i, left, right, feature, threshold, mgl)
                e = abs(value[leaf, 0] - y_reg[i, 0])
                merr[m] = e
                if m == 0 or e > emax:
                    emax = e
                m += 1
        for j in range(m):
            e = merr[j]
            if emax != 0:
                e = e / emax
            if loss == SQUARE:
                e = e * e
            elif loss == EXPONENTIAL:
                e = 1.0 - np.exp(-e)
            merr[j] = e
        m = 0
        for i in range(n):
            if sw[i] > 0:
                prod[m] = sw[i] * merr[m]
                m += 1
        error = np_sum(prod[:m])
        if error <= 0:
            trees.append(_without_leaves(out))
            weights[iboost] = 1.0
            errors[iboost] = 0.0
            break
        if error >= 0.5:
            if len(trees) == 0:  # scikit-learn keeps a bad first estimator
                trees.append(_without_leaves(out))
            break
        trees.append(_without_leaves(out))
        beta = error / (1.0 - error)
        weight = learning_rate * np.log(1.0 / beta)
        if iboost != n_estimators - 1:
            m = 0
            for i in range(n):
                if sw[i] > 0:
                    sw[i] *= np.power(beta, (1.0 - merr[m]) * learning_rate)
                    m += 1
        weights[iboost] = weight
        errors[iboost] = error
        total = np_sum(sw)
        if not np.isfinite(total):
            status = OVERFLOW
            at = iboost
            break
        if total <= 0:
            break
        if iboost < n_estimators - 1:
            for i in range(n):
                sw[i] = sw[i] / total
    return _concat(trees) + (weights, errors, len(trees), status, at)
