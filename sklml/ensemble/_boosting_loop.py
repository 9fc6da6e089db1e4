"""The SAMME and AdaBoost.R2 boosting loops, each in one compiled function.

Each round calls the compiled tree builder on the shared binned data, reads the
training predictions off the builder's leaf partition (``sample_node``), and
updates the weights, with scikit-learn's stopping rules.  Sums follow NumPy's
pairwise summation so that the weights, errors and trees are the ones the
Python loop computes, bit for bit, and scikit-learn's up to the last bits
(SAMME multiplies the misclassified rows' weights by ``exp(weight)`` where
scikit-learn takes ``exp(log(sw) + weight)`` of every row).
"""

import numpy as np
from numba import njit

from sklml.tree._builder import build_tree
from sklml.tree._predictor import _walk, node_records
from sklml.tree._records import BuildResult

EPS = np.finfo(np.float64).eps
# A literal 0 passed between compiled functions would compile a second,
# Literal[int] specialisation of the callee: pass this typed zero instead.
_ZERO = np.int64(0)

# status codes of samme_loop
DONE, WORSE_THAN_RANDOM, OVERFLOW = 0, 1, 2


# The kernels below index views from 0 in ``range`` loops: an index the
# compiler can prove non-negative needs no wrap-around test, and the loops
# vectorise (measured: a block-wise pass over 75,000 rows 2.5x faster).


@njit(cache=True)
def _block(a, lo, n):
    """NumPy's sum of the block ``a[lo:lo + n]`` of at most 128 values
    (eight accumulators)."""
    v = a[lo:lo + n]
    if n < 8:
        res = 0.0
        for i in range(n):
            res += v[i]
        return res
    r0 = v[0]
    r1 = v[1]
    r2 = v[2]
    r3 = v[3]
    r4 = v[4]
    r5 = v[5]
    r6 = v[6]
    r7 = v[7]
    m = n - n % 8
    for i in range(8, m, 8):
        r0 += v[i]
        r1 += v[i + 1]
        r2 += v[i + 2]
        r3 += v[i + 3]
        r4 += v[i + 4]
        r5 += v[i + 5]
        r6 += v[i + 6]
        r7 += v[i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(m, n):
        res += v[i]
    return res


# NumPy's pairwise summation splits n values in halves (rounded down to
# multiples of 8) until a part holds at most 128; each part ("block") is summed
# by _block and the block sums are added back up the halving.  Blocks hold
# more than 56 values unless n itself is smaller.
_BLOCK = 128


@njit(cache=True)
def _pairwise(n, block_sums, block_lo, block_len):
    """Walk the halving of n values: write each block's start and length (in
    order) to ``block_lo``/``block_len``, and return ``block_sums`` added up as
    NumPy adds them, plus the number of blocks.  The recursion is unrolled onto
    a stack (numba's cache mishandles recursion)."""
    frame_lo = np.empty(128, np.int64)
    frame_n = np.empty(128, np.int64)
    frame_stage = np.empty(128, np.int64)
    vals = np.empty(128)
    fp = 1
    vp = 0
    nb = 0
    frame_lo[0] = 0
    frame_n[0] = n
    frame_stage[0] = 0
    while fp > 0:
        f = fp - 1
        lo = frame_lo[f]
        m = frame_n[f]
        if m <= _BLOCK:
            block_lo[nb] = lo
            block_len[nb] = m
            vals[vp] = block_sums[nb]
            nb += 1
            vp += 1
            fp -= 1
            continue
        m2 = m // 2
        m2 -= m2 % 8
        stage = frame_stage[f]
        frame_stage[f] = stage + 1
        if stage == 0:
            frame_lo[fp] = lo
            frame_n[fp] = m2
            frame_stage[fp] = 0
            fp += 1
        elif stage == 1:
            frame_lo[fp] = lo + m2
            frame_n[fp] = m - m2
            frame_stage[fp] = 0
            fp += 1
        else:
            vp -= 1
            vals[vp - 1] = vals[vp - 1] + vals[vp]
            fp -= 1
    return 0.0 + vals[0], nb


@njit(cache=True)
def pairwise_blocks(n):
    """The blocks of NumPy's pairwise summation of ``n`` values: their
    starts and lengths, in order, and a buffer for their sums."""
    cap = n // 56 + 2
    block_lo = np.empty(cap, np.int64)
    block_len = np.empty(cap, np.int64)
    sums = np.zeros(cap)
    _, nb = _pairwise(n, sums, block_lo, block_len)
    return block_lo[:nb].copy(), block_len[:nb].copy(), sums[:nb].copy()


@njit(cache=True)
def add_blocks(block_sums, n, block_lo, block_len):
    """The total of the blocks' sums, added as NumPy's ``np.sum`` adds them."""
    total, _ = _pairwise(n, block_sums, block_lo, block_len)
    return total


@njit(cache=True)
def np_sum(a):
    """``np.sum`` of a contiguous float64 vector, bit for bit: NumPy's pairwise
    summation (see :func:`pairwise_blocks`)."""
    n = a.shape[0]
    block_lo, block_len, sums = pairwise_blocks(n)
    for b in range(block_lo.shape[0]):
        sums[b] = _block(a, block_lo[b], block_len[b])
    return add_blocks(sums, n, block_lo, block_len)


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
    return BuildResult(out.children_left, out.children_right, out.feature, out.threshold,
                       out.missing_go_to_left, out.impurity, out.n_node_samples,
                       out.weighted_n_node_samples, out.value, np.empty(0, np.int32),
                       out.max_depth)


@njit(cache=True)
def _clip_blocks(sw, zero, block_lo, block_len, sums):
    """``np.clip(sw, EPS, None)`` with the rows of weight 0 kept at 0, in
    place; each block's sum to ``sums``."""
    for b in range(block_lo.shape[0]):
        lo = block_lo[b]
        m = block_len[b]
        v = sw[lo:lo + m]
        z = zero[lo:lo + m]
        for i in range(m):
            x = v[i]
            x = x if x >= EPS else EPS  # selects, no branches: the loop vectorises
            v[i] = 0.0 if z[i] else x
        sums[b] = _block(sw, lo, m)


@njit(cache=True)
def _normalise_blocks(sw, total, zero, block_lo, block_len, sums):
    """``sw / total`` then :func:`_clip_blocks`, in one pass."""
    for b in range(block_lo.shape[0]):
        lo = block_lo[b]
        m = block_len[b]
        v = sw[lo:lo + m]
        z = zero[lo:lo + m]
        for i in range(m):
            x = v[i] / total
            x = x if x >= EPS else EPS
            v[i] = 0.0 if z[i] else x
        sums[b] = _block(sw, lo, m)


@njit(cache=True)
def _misclassified_blocks(sw, sample_node, leaf_class, y_cls, incorrect, buffer,
                          block_lo, block_len, sums):
    """Flag the rows whose leaf's class is not theirs (rows of weight 0, left
    out of the partition, count for nothing); each block's sum of
    ``incorrect * sw`` to ``sums``."""
    for b in range(block_lo.shape[0]):
        lo = block_lo[b]
        m = block_len[b]
        v = sw[lo:lo + m]
        leaf = sample_node[lo:lo + m]
        y = y_cls[lo:lo + m]
        wrong = incorrect[lo:lo + m]
        for i in range(m):
            # "&", not "and": no branch to mispredict on a coin flip
            w = (leaf[i] >= 0) & (leaf_class[max(leaf[i], 0)] != y[i])
            wrong[i] = w
            buffer[i] = v[i] * w  # exact: sw or 0.0
        sums[b] = _block(buffer, _ZERO, m)


@njit(cache=True)
def _boost_blocks(sw, incorrect, weight, block_lo, block_len, sums):
    """SAMME's update ``sw * exp(weight * incorrect)``, in place (rows of
    weight 0 are never flagged); each block's sum to ``sums``.

    scikit-learn writes it ``exp(log(sw) + weight * incorrect)``: the product
    differs from it in the last bits only, and costs one multiply per row
    instead of a log and an exp.  Where ``exp(weight)`` alone overflows,
    scikit-learn's form decides which weights stay finite."""
    factor = np.exp(weight)
    if not np.isfinite(factor):
        for i in range(sw.shape[0]):
            if incorrect[i]:
                sw[i] = np.exp(np.log(sw[i]) + weight)
        factor = 1.0
    for b in range(block_lo.shape[0]):
        lo = block_lo[b]
        m = block_len[b]
        v = sw[lo:lo + m]
        wrong = incorrect[lo:lo + m]
        for i in range(m):
            v[i] = v[i] * (factor if wrong[i] else 1.0)  # times 1.0 is exact
        sums[b] = _block(sw, lo, m)


@njit(cache=True)
def _leaf_classes(value):
    """Each node's class: the first argmax of its ``value`` row."""
    n_nodes, k = value.shape
    leaf_class = np.empty(n_nodes, np.int64)
    for nd in range(n_nodes):
        leaf_class[nd] = 0
        best = value[nd, 0]
        for c in range(1, k):
            v = value[nd, c]
            if v > best:
                best = v
                leaf_class[nd] = c
    return leaf_class


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

    Between two trees the weights take three passes over the rows, each
    summing its result block by block as ``np.sum`` does (so the sums are
    NumPy's): the misclassified rows and the error, the update of those rows,
    and the normalisation with the clip to ``EPS``.
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
    incorrect = np.zeros(n, np.bool_)
    buffer = np.empty(_BLOCK)
    block_lo, block_len, sums = pairwise_blocks(n)
    trees = []
    status = DONE
    at = np.int64(0)
    _clip_blocks(sw, zero, block_lo, block_len, sums)
    sw_total = add_blocks(sums, n, block_lo, block_len)  # np.sum of the clipped sw
    for iboost in range(n_estimators):
        last = iboost == n_estimators - 1
        out = build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sw, crit,
                         n_classes, max_depth, min_samples_split, min_samples_leaf,
                         min_weight_fraction_leaf * sw_total, max_features,
                         max_leaf_nodes, min_impurity_decrease, seeds[iboost],
                         parallel, want_leaves, offsets, random_split, no_constraints,
                         row_ptr, row_feat, row_bin, zero_bin)
        _misclassified_blocks(sw, out.sample_node, _leaf_classes(out.value), y_cls, incorrect,
                              buffer, block_lo, block_len, sums)
        error = add_blocks(sums, n, block_lo, block_len) / sw_total
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
        weights[iboost] = weight
        errors[iboost] = error
        if last:  # the weights stay as they are
            total = sw_total
        else:
            _boost_blocks(sw, incorrect, weight, block_lo, block_len, sums)
            total = add_blocks(sums, n, block_lo, block_len)
        if not np.isfinite(total):
            status = OVERFLOW
            at = iboost
            break
        if total <= 0:
            break
        if not last:
            _normalise_blocks(sw, total, zero, block_lo, block_len, sums)
            sw_total = add_blocks(sums, n, block_lo, block_len)

    return _concat(trees) + (weights, errors, len(trees), status, at)


@njit(cache=True)
def _concat(trees):
    """The rounds' node arrays end to end, their offsets and depths."""
    n_rounds = len(trees)
    offsets = np.zeros(n_rounds + 1, np.int64)
    for r in range(n_rounds):
        offsets[r + 1] = offsets[r] + trees[r].children_left.shape[0]
    total_nodes = offsets[n_rounds]
    n_values = trees[0].value.shape[1] if n_rounds > 0 else 1
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
        left[a:b] = t.children_left
        right[a:b] = t.children_right
        feature[a:b] = t.feature
        threshold[a:b] = t.threshold
        mgl[a:b] = t.missing_go_to_left
        impurity[a:b] = t.impurity
        n_node[a:b] = t.n_node_samples
        wn[a:b] = t.weighted_n_node_samples
        value[a:b] = t.value
        depths[r] = t.max_depth
    return left, right, feature, threshold, mgl, impurity, n_node, wn, value, offsets, depths


LINEAR, SQUARE, EXPONENTIAL = 0, 1, 2


@njit(cache=True)
def _bucket_starts(cdf, step, starts):
    """``starts[b]``: the first index whose ``cdf`` exceeds the bucket edge
    ``b * step``, for ``b < B``, and ``starts[B] = n``: one merge of both
    sorted orders."""
    n_buckets = starts.shape[0] - 1
    n = cdf.shape[0]
    i = 0
    for b in range(n_buckets):
        edge = b * step
        while i < n and cdf[i] <= edge:
            i += 1
        starts[b] = i
    starts[n_buckets] = n


@njit(cache=True)
def _bootstrap_counts(cdf, uniforms, starts, counts):
    """How often each row is drawn: ``counts[np.searchsorted(cdf, u,
    side="right")] += 1`` for each ``u`` of ``uniforms`` (in [0, 1)), as
    ``RandomState.choice`` draws, with the same indices.

    The index of a uniform in bucket ``b`` (``b * step <= u``, below the next
    edge; the last bucket open above) lies between ``starts[b]`` and
    ``starts[b + 1]`` (see :func:`_bucket_starts`): a binary search in that
    range, where ``np.searchsorted`` searches all ``n`` rows (measured, 30,000
    rows: 3.3 ms a round).  The edges need only be monotone, so they are
    products, not quotients."""
    n_buckets = starts.shape[0] - 1
    step = 1.0 / n_buckets
    _bucket_starts(cdf, step, starts)
    top = n_buckets - 1
    last = cdf.shape[0] - 1
    for j in range(uniforms.shape[0]):
        u = uniforms[j]
        b = min(max(np.int64(u * n_buckets), 0), top)
        # the bucket by the edges of _bucket_starts (u * B may round)
        while b > 0 and u < b * step:
            b -= 1
        while b < top and u >= (b + 1) * step:
            b += 1
        lo = starts[b]  # cdf[lo - 1] <= b * step <= u
        hi = starts[b + 1]  # cdf[hi] > (b + 1) * step > u, or hi == n
        if hi - lo <= 1:  # the usual case, without a branch on the data
            lo += (hi > lo) & (cdf[min(lo, last)] <= u)
        else:
            while lo < hi:
                mid = (lo + hi) >> 1
                if cdf[mid] <= u:
                    lo = mid + 1
                else:
                    hi = mid
        counts[lo] += 1.0


@njit(cache=True)
def r2_reweigh(sw, merr, beta, learning_rate):
    """AdaBoost.R2's update of the rows of positive weight, in place:
    ``sw *= beta ** ((1 - merr) * learning_rate)``, ``merr`` holding those
    rows' scaled errors in order.  Computed as ``exp(x * log(beta))``:
    scikit-learn's ``np.power`` up to the last bits, at 0.4x its time; the
    compiled and the round-by-round loops both call this."""
    log_beta = np.log(beta)
    m = 0
    for i in range(sw.shape[0]):
        if sw[i] > 0:
            sw[i] *= np.exp((1.0 - merr[m]) * learning_rate * log_beta)
            m += 1


@njit(cache=True, parallel=_SERIAL_PARALLEL)
def r2_loop(X, X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sample_weight, crit,
            n_classes, max_depth, min_samples_split, min_samples_leaf,
            min_weight_fraction_leaf, max_features, max_leaf_nodes,
            min_impurity_decrease, uniforms, seeds, learning_rate, loss, parallel):
    """Boost up to ``len(seeds)`` regression trees (AdaBoost.R2).

    Round ``r`` fits on the weighted bootstrap that ``RandomState.choice``
    draws from ``uniforms[r]`` (``searchsorted`` on the normalised cumulative
    weights) and grows with ``seeds[r]``.  Rows left out of the bootstrap get
    their prediction by the predictor's walk (:func:`sklml.tree._predictor._walk`)
    on raw ``X``.  Returns what :func:`samme_loop` returns.
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
    starts = np.empty(n + 1, np.int64)  # n buckets
    merr = np.empty(n)
    prod = np.empty(n)
    trees = []
    status = DONE
    at = np.int64(0)
    for iboost in range(n_estimators):
        acc = 0.0
        for i in range(n):  # np.clip(sw, EPS, None), the zeros kept, and np.cumsum
            x = sw[i]
            x = x if x >= EPS else EPS
            x = 0.0 if zero[i] else x
            sw[i] = x
            acc += x
            cdf[i] = acc
        last = cdf[n - 1]
        for i in range(n):
            cdf[i] = cdf[i] / last
            counts[i] = 0.0
        _bootstrap_counts(cdf, uniforms[iboost], starts, counts)
        # np.sum(counts) is n: whole numbers add up exactly
        mwl = min_weight_fraction_leaf * np.float64(uniforms.shape[1])
        out = build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, counts, crit,
                         n_classes, max_depth, min_samples_split, min_samples_leaf,
                         mwl, max_features, max_leaf_nodes, min_impurity_decrease,
                         seeds[iboost], parallel, want_leaves, offsets,
                         random_split, no_constraints, dense, dense_feat,
                         dense_bin, dense)
        nodes = node_records(out.threshold, out.children_left.astype(np.int64),
                             out.children_right.astype(np.int64),
                             out.feature.astype(np.int64), out.missing_go_to_left)
        value = out.value
        sample_node = out.sample_node
        for i in range(n):  # rows out of the bootstrap: the tree's walk
            if sample_node[i] < 0 and sw[i] > 0:
                sample_node[i] = _walk(X, i, nodes)
        m = 0
        emax = 0.0
        for i in range(n):  # the rows of positive weight, in order
            if sw[i] > 0:
                e = abs(value[sample_node[i], 0] - y_reg[i, 0])
                merr[m] = e
                prod[m] = sw[i]
                emax = e if m == 0 or e > emax else emax
                m += 1
        for j in range(m):  # scaled errors; prod: sw * merr
            e = merr[j]
            if emax != 0:
                e = e / emax
            if loss == SQUARE:
                e = e * e
            elif loss == EXPONENTIAL:
                e = 1.0 - np.exp(-e)
            merr[j] = e
            prod[j] = prod[j] * e
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
            r2_reweigh(sw, merr, beta, learning_rate)
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
