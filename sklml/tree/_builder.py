"""The tree builder: one compiled function grows a whole tree on binned data.

Nodes live in preallocated arrays (grown by doubling); no Python runs per node.
Each node's best split is found when the node is created, so depth-first and
best-first (``max_leaf_nodes``) growth share all the code.  Nodes with at
least ``SMALL_NODE`` samples keep a full histogram in a pool: the smaller child
is histogrammed from its samples and the larger one by subtraction from the
parent.  Smaller nodes histogram one feature at a time into a scratch buffer,
touching only the bins they use.  With ``max_features < n_features`` only the
drawn features are histogrammed, directly.

Ensembles call :func:`build_tree` many times on the same ``BinnedData`` with
per-tree ``sample_weight`` (bootstrap counts times weights: zero removes a row)
and ``seed``; ``sample_node`` gives each training row's leaf, so boosting gets
its training predictions from the partition without another pass.
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
    SQUARED_ERROR,
    node_impurity,
    scan_feature,
    split_threshold,
    stats_weight,
)

SMALL_NODE = 128  # below this many samples a node gets no stored histogram
PARALLEL_MIN_WORK = 1 << 20  # samples x features above which prange pays
EPSILON = np.finfo(np.float64).eps

# integer node columns
LEFT, RIGHT, FEAT, START, END, DEPTH, SLOT, BINL, BINR, MGL, CAND = range(11)
N_ICOLS = 11
# float node columns
THR, IMP, WN, IMPROV = range(4)
N_FCOLS = 4


@njit(cache=True)
def _rand_int(state, n):
    """xorshift64*: uniform int in [0, n)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(33)
    return np.int64(r % np.uint64(n))


@njit(cache=True)
def _gather(idx, start, end, is_clf, y_cls, y_reg, w, gy, gw, gs):
    """Node samples' targets and weights, contiguous."""
    if is_clf:
        for i in range(start, end):
            s = idx[i]
            gy[i - start] = y_cls[s]
            gw[i - start] = w[s]
    else:
        n_out = y_reg.shape[1]
        for i in range(start, end):
            s = idx[i]
            j = i - start
            ws = w[s]
            gs[j, 0] = 1.0
            gs[j, 1] = ws
            for k in range(n_out):
                gs[j, 2 + k] = ws * y_reg[s, k]


@njit(cache=True)
def _add_sample(st, s, is_clf, y_cls, y_reg, w):
    st[0] += 1.0
    if is_clf:
        st[1 + y_cls[s]] += w[s]
    else:
        ws = w[s]
        st[1] += ws
        sq = 0.0
        for k in range(y_reg.shape[1]):
            v = y_reg[s, k]
            st[2 + k] += ws * v
            sq += v * v
        st[st.shape[0] - 1] += ws * sq


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
def _evaluate_node(node, ni, nf, ns, best_left, pool, X_binned, n_bins, bin_lo, bin_hi,
                   idx, y_cls, y_reg, w, gy, gw, gs, scratch, touched, feats,
                   rng, best, cum, crit, is_clf, max_depth, min_samples_split,
                   min_samples_leaf, min_weight_leaf, max_features,
                   min_impurity_decrease, w_root):
    """Find the node's best split; sets CAND=1 (split found) or 0 (leaf).

    ``best_left`` is scratch for the left child's stats of the best split.
    """
    n_features = X_binned.shape[0]
    C = ns.shape[1]
    start = ni[node, START]
    end = ni[node, END]
    n = end - start
    wn = nf[node, WN]
    imp = nf[node, IMP]
    slot = ni[node, SLOT]
    ni[node, CAND] = 0
    if (ni[node, DEPTH] >= max_depth or n < min_samples_split
            or n < 2 * min_samples_leaf or wn < 2.0 * min_weight_leaf
            or imp <= EPSILON):
        return
    tot = ns[node]
    best[0] = -np.inf
    best_feat = -1
    if slot >= 0:
        hist = pool[slot]
        for f in range(n_features):
            hf = hist[f]
            nt = 0
            for b in range(n_bins[f]):
                if hf[b, 0] > 0.0:
                    touched[nt] = b
                    nt += 1
            if nt == 0 or (nt == 1 and hf[MISSING_BIN, 0] == 0.0):
                continue  # constant in this node
            if scan_feature(hf, touched, np.int64(nt), tot, wn, crit, is_clf, min_samples_leaf,
                            min_weight_leaf, cum, best_left, best):
                best_feat = f
    else:
        _gather(idx, start, end, is_clf, y_cls, y_reg, w, gy, gw, gs)
        sample_features = max_features < n_features
        visited = 0
        for j in range(n_features):
            if sample_features:
                r = j + _rand_int(rng, n_features - j)
                tmp = feats[j]
                feats[j] = feats[r]
                feats[r] = tmp
                f = feats[j]
            else:
                f = j
            nt = feature_histogram_touched(scratch, touched, X_binned[f], idx, start,
                                           end, is_clf, gy, gw, gs)
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
            constant = nt == 0 or (nt == 1 and not has_missing)
            if not constant:
                visited += 1
                if scan_feature(scratch, touched, np.int64(nt), tot, wn, crit, is_clf,
                                min_samples_leaf, min_weight_leaf, cum, best_left,
                                best):
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
    wl = stats_weight(best_left, is_clf)
    wr = wn - wl
    if is_clf:
        right = tot - best_left
        imp_l = node_impurity(best_left, crit)
        imp_r = node_impurity(right, crit)
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
    L = np.int64(best[1])
    R = np.int64(best[2])
    ni[node, FEAT] = best_feat
    ni[node, BINL] = L
    ni[node, BINR] = R
    ni[node, MGL] = np.int64(best[3])
    nf[node, THR] = split_threshold(bin_lo, bin_hi, best_feat, L, R)
    nf[node, IMPROV] = improvement
    ni[node, CAND] = 1


@njit(cache=True)
def _partition(node, ni, ns, idx, buf, X_binned, is_clf, y_cls, y_reg, w, left_st,
               right_st):
    """Stable in-place partition of the node's samples; fresh child stats."""
    f = ni[node, FEAT]
    L = ni[node, BINL]
    mgl = ni[node, MGL] == 1
    start = ni[node, START]
    end = ni[node, END]
    xb = X_binned[f]
    left_st[:] = 0.0
    right_st[:] = 0.0
    p = start
    q = 0
    for i in range(start, end):
        s = idx[i]
        b = xb[s]
        if b <= L or (b == MISSING_BIN and mgl):
            idx[p] = s
            p += 1
            _add_sample(left_st, s, is_clf, y_cls, y_reg, w)
        else:
            buf[q] = s
            q += 1
            _add_sample(right_st, s, is_clf, y_cls, y_reg, w)
    for j in range(q):
        idx[p + j] = buf[j]
    return p


@njit(cache=True, nogil=True)
def build_tree(X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, sample_weight, crit,
               n_classes, max_depth, min_samples_split, min_samples_leaf,
               min_weight_leaf, max_features, max_leaf_nodes, min_impurity_decrease,
               seed, parallel):
    """Grow one tree on binned data.

    Parameters
    ----------
    X_binned, n_bins, bin_lo, bin_hi : arrays of :class:`BinnedData`
    y_cls : int32 (n_samples,)
        Class index of each row (classification); any int32 array otherwise.
    y_reg : float64 (n_samples, n_outputs)
        Targets (regression); any (n, 1) float64 array otherwise.
    sample_weight : float64 (n_samples,)
        Weights, times class weights and bootstrap counts; 0 removes the row.
    crit : int
        Criterion code of ``_splitting`` (``SQUARED_ERROR`` means regression).
    n_classes : int
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

    Returns
    -------
    children_left, children_right, feature, threshold, missing_go_to_left,
    impurity, n_node_samples, weighted_n_node_samples, stats, sample_node,
    max_depth
        Node arrays in scikit-learn's layout and order (depth-first trees in
        pre-order, best-first ones in creation order); ``stats`` holds each
        node's channel sums (see ``_histogram``); ``sample_node[i]`` is the leaf
        of training row i (-1 for rows of weight 0).
    """
    n_features, n_samples = X_binned.shape
    is_clf = crit != SQUARED_ERROR
    C = 1 + n_classes if is_clf else 3 + y_reg.shape[1]

    n_act = np.int64(np.sum(sample_weight > 0.0))  # typed, not a literal 0
    idx = np.empty(n_act, np.int32)
    j = 0
    for i in range(n_samples):
        if sample_weight[i] > 0.0:
            idx[j] = i
            j += 1
    buf = np.empty(n_act, np.int32)
    gy = np.empty(n_act if is_clf else 1, np.int32)
    gw = np.empty(n_act if is_clf else 1, np.float64)
    gs = np.empty((1 if is_clf else n_act, C), np.float64)
    scratch = np.zeros((256, C), np.float64)
    touched = np.empty(256, np.int64)
    feats = np.arange(n_features)
    rng = np.empty(1, np.uint64)
    rng[0] = np.uint64(seed) * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    if rng[0] == 0:
        rng[0] = np.uint64(88172645463325252)
    best = np.empty(4, np.float64)
    cum = np.empty(C, np.float64)
    left_st = np.empty(C, np.float64)
    right_st = np.empty(C, np.float64)

    best_first = max_leaf_nodes > 0
    cap = 2 * n_act - 1 if n_act > 0 else 1
    if max_depth < 30:
        cap = min(cap, (1 << (max_depth + 1)) - 1)
    if best_first:
        cap = min(cap, 2 * max_leaf_nodes - 1)
    cap = max(min(cap, 1 << 14), 1)
    # np.empty: pages become resident only as nodes are written
    ni = np.empty((cap, N_ICOLS), np.int64)
    nf = np.empty((cap, N_FCOLS), np.float64)
    ns = np.empty((cap, C), np.float64)
    best_left = np.empty(C, np.float64)

    stored = max_features >= n_features
    n_pool = 4 if stored else 0
    pool = np.empty((n_pool, n_features, 256, C), np.float64)
    free = np.empty(max(n_pool, 1) * 64, np.int64)
    n_free = 0
    for s in range(n_pool - 1, -1, -1):
        free[n_free] = s
        n_free += 1

    # root; ``root`` is a typed 0: a literal 0 would compile (and cache) one
    # more specialisation of each callee, and processes that compile at the same
    # time can then mix up a function's cached specialisations
    root = np.int64(0)
    node_count = 1
    ni[0, :] = -1
    nf[0, :] = 0.0
    ni[0, START] = 0
    ni[0, END] = n_act
    ni[0, DEPTH] = 0
    ni[0, SLOT] = -1
    ns[0, :] = 0.0
    for i in range(n_act):
        _add_sample(ns[0], idx[i], is_clf, y_cls, y_reg, sample_weight)
    w_root = stats_weight(ns[0], is_clf)
    nf[0, WN] = w_root
    nf[0, IMP] = node_impurity(ns[0], crit)
    if stored and n_act >= SMALL_NODE:
        n_free -= 1
        slot = free[n_free]
        ni[0, SLOT] = slot
        _gather(idx, root, n_act, is_clf, y_cls, y_reg, sample_weight, gy, gw, gs)
        if parallel and n_act * n_features >= PARALLEL_MIN_WORK:
            build_histogram_parallel(pool[slot], X_binned, n_bins, idx, root, n_act,
                                     is_clf, gy, gw, gs)
        else:
            build_histogram(pool[slot], X_binned, n_bins, idx, root, n_act, is_clf, gy,
                            gw, gs)
    if n_act > 0:
        _evaluate_node(root, ni, nf, ns, best_left, pool, X_binned, n_bins, bin_lo, bin_hi,
                       idx, y_cls, y_reg, sample_weight, gy, gw, gs, scratch,
                       touched, feats, rng, best, cum, crit, is_clf, max_depth,
                       min_samples_split, min_samples_leaf, min_weight_leaf,
                       max_features, min_impurity_decrease, w_root)
    else:
        ni[0, CAND] = 0
    slot = ni[0, SLOT]
    if slot >= 0 and (ni[0, CAND] == 0 or n_act < SMALL_NODE):
        free[n_free] = slot
        n_free += 1
        ni[0, SLOT] = -1

    # pending nodes: a stack (depth-first) or the frontier (best-first)
    pending = np.empty(64, np.int64)
    n_pending = 0
    if ni[0, CAND] == 1:
        pending[0] = 0
        n_pending = 1
    splits_left = max_leaf_nodes - 1 if best_first else -1

    while n_pending > 0:
        if best_first:
            if splits_left <= 0:
                break
            k_best = 0
            for k in range(1, n_pending):
                if nf[pending[k], IMPROV] > nf[pending[k_best], IMPROV]:
                    k_best = k
            node = pending[k_best]
            for k in range(k_best, n_pending - 1):
                pending[k] = pending[k + 1]
            n_pending -= 1
            splits_left -= 1
        else:
            n_pending -= 1
            node = pending[n_pending]

        # grow the node arrays if needed
        if node_count + 2 > cap:
            new_cap = 2 * cap
            ni2 = np.empty((new_cap, N_ICOLS), np.int64)
            nf2 = np.empty((new_cap, N_FCOLS), np.float64)
            ns2 = np.empty((new_cap, C), np.float64)
            ni2[:node_count] = ni[:node_count]
            nf2[:node_count] = nf[:node_count]
            ns2[:node_count] = ns[:node_count]
            ni, nf, ns = ni2, nf2, ns2
            cap = new_cap

        start = ni[node, START]
        end = ni[node, END]
        mid = _partition(node, ni, ns, idx, buf, X_binned, is_clf, y_cls, y_reg,
                         sample_weight, left_st, right_st)
        left = node_count
        right = node_count + 1
        node_count += 2
        ni[node, LEFT] = left
        ni[node, RIGHT] = right
        depth = ni[node, DEPTH] + 1
        for child, a, b, st in ((left, start, mid, left_st), (right, mid, end, right_st)):
            ni[child, :] = -1
            nf[child, :] = 0.0
            ni[child, START] = a
            ni[child, END] = b
            ni[child, DEPTH] = depth
            ni[child, SLOT] = -1
            ns[child, :] = st
            nf[child, WN] = stats_weight(st, is_clf)
            nf[child, IMP] = node_impurity(st, crit)

        pslot = ni[node, SLOT]
        ni[node, SLOT] = -1
        n_l = mid - start
        n_r = end - mid
        if pslot >= 0 and max(n_l, n_r) >= SMALL_NODE and depth < max_depth:
            if n_free == 0:  # grow the pool
                old = pool.shape[0]
                pool2 = np.empty((2 * old, n_features, 256, C), np.float64)
                pool2[:old] = pool
                pool = pool2
                if free.shape[0] < 2 * old:
                    free = np.empty(4 * old, np.int64)
                for s in range(2 * old - 1, old - 1, -1):
                    free[n_free] = s
                    n_free += 1
            n_free -= 1
            sslot = free[n_free]
            if n_l <= n_r:
                small, big, a, b = left, right, start, mid
            else:
                small, big, a, b = right, left, mid, end
            _gather(idx, a, b, is_clf, y_cls, y_reg, sample_weight, gy, gw, gs)
            if parallel and (b - a) * n_features >= PARALLEL_MIN_WORK:
                build_histogram_parallel(pool[sslot], X_binned, n_bins, idx, a, b,
                                         is_clf, gy, gw, gs)
            else:
                build_histogram(pool[sslot], X_binned, n_bins, idx, a, b, is_clf, gy,
                                gw, gs)
            subtract_histogram(pool[pslot], pool[sslot], n_bins)
            ni[small, SLOT] = sslot
            ni[big, SLOT] = pslot
        elif pslot >= 0:
            free[n_free] = pslot
            n_free += 1

        for child in (left, right):
            _evaluate_node(child, ni, nf, ns, best_left, pool, X_binned, n_bins, bin_lo,
                           bin_hi, idx, y_cls, y_reg, sample_weight, gy, gw, gs,
                           scratch, touched, feats, rng, best, cum, crit, is_clf,
                           max_depth, min_samples_split, min_samples_leaf,
                           min_weight_leaf, max_features, min_impurity_decrease,
                           w_root)
            cs = ni[child, SLOT]
            if cs >= 0 and (ni[child, CAND] == 0
                            or ni[child, END] - ni[child, START] < SMALL_NODE):
                free[n_free] = cs
                n_free += 1
                ni[child, SLOT] = -1

        if n_pending + 2 > pending.shape[0]:
            p2 = np.empty(2 * pending.shape[0], np.int64)
            p2[:n_pending] = pending[:n_pending]
            pending = p2
        # depth-first: left on top of the stack
        if ni[right, CAND] == 1:
            pending[n_pending] = right
            n_pending += 1
        if ni[left, CAND] == 1:
            pending[n_pending] = left
            n_pending += 1

    # output, depth-first trees renumbered in pre-order as scikit-learn does
    order = np.empty(node_count, np.int64)
    if best_first:
        for k in range(node_count):
            order[k] = k
    else:
        stack = np.empty(node_count + 1, np.int64)
        sp = 1
        stack[0] = 0
        k = 0
        while sp > 0:
            sp -= 1
            nd = stack[sp]
            order[k] = nd
            k += 1
            if ni[nd, LEFT] >= 0:
                stack[sp] = ni[nd, RIGHT]
                stack[sp + 1] = ni[nd, LEFT]
                sp += 2
    new_id = np.empty(node_count, np.int64)
    for k in range(node_count):
        new_id[order[k]] = k
    children_left = np.empty(node_count, np.int64)
    children_right = np.empty(node_count, np.int64)
    feature = np.empty(node_count, np.int64)
    threshold = np.empty(node_count, np.float64)
    mgl = np.zeros(node_count, np.uint8)
    impurity = np.empty(node_count, np.float64)
    n_node_samples = np.empty(node_count, np.int64)
    weighted = np.empty(node_count, np.float64)
    stats = np.empty((node_count, C), np.float64)
    sample_node = np.full(n_samples, -1, np.int32)
    tree_depth = 0
    for k in range(node_count):
        nd = order[k]
        impurity[k] = nf[nd, IMP]
        weighted[k] = nf[nd, WN]
        n_node_samples[k] = ni[nd, END] - ni[nd, START]
        stats[k] = ns[nd]
        if ni[nd, DEPTH] > tree_depth:
            tree_depth = ni[nd, DEPTH]
        if ni[nd, LEFT] >= 0:
            children_left[k] = new_id[ni[nd, LEFT]]
            children_right[k] = new_id[ni[nd, RIGHT]]
            feature[k] = ni[nd, FEAT]
            threshold[k] = nf[nd, THR]
            mgl[k] = ni[nd, MGL]
        else:
            children_left[k] = -1
            children_right[k] = -1
            feature[k] = -2
            threshold[k] = -2.0
            mgl[k] = 0
            for i in range(ni[nd, START], ni[nd, END]):
                sample_node[idx[i]] = k
    return (children_left, children_right, feature, threshold, mgl, impurity,
            n_node_samples, weighted, stats, sample_node, tree_depth)
