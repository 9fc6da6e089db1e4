"""The growers: depth-first and best-first growth over one split search.

Both grow a tree of open nodes (``sklml.tree._records``): a node's split is
found when the node is created (:func:`~sklml.tree._split_search.find_split`),
and a node is finished when it is taken off the depth-first stack or the
best-first frontier, split (:func:`_split_node`: the partition, the two
children, their histograms and split searches) or left a leaf.

- :func:`grow_depth_first`: a stack, left child on top; a node gets its id
  (its row of the output) when popped, so ids come in pre-order, as
  scikit-learn's.
- :func:`grow_best_first` (``max_leaf_nodes``): the frontier node with the
  largest improvement is split next; ids in creation order, as
  scikit-learn's.

The histogram pool (dense data, every feature searched): nodes with at
least ``SMALL_NODE`` samples keep their full histogram in a slot; the smaller
child is histogrammed from its samples and the larger one by subtraction
from the parent.  When the pool is full the open node with the fewest samples
gives its histogram up; its children are then both histogrammed from their
samples.
"""

import numpy as np
from numba import njit

from ._histogram import build_histogram, build_histogram_parallel, subtract_histogram
from ._records import borrow, free_record, grow_open_nodes, grow_tree_arrays, \
    take_record, _grow_i64
from ._samples import fill_column, partition, poisson_loss
from ._split_search import find_split, is_leaf_by_rules
from ._splitting import POISSON, node_impurity, node_medians, stats_weight

SMALL_NODE = 128  # below this many samples a node gets no stored histogram
PARALLEL_MIN_WORK = 1 << 20  # samples x features above which prange pays


# -- the histogram pool ---------------------------------------------------------
@njit(cache=True)
def _take_slot(pool, nodes, keep):
    """A free pool slot, or the one of the open node with the fewest samples
    (other than record ``keep``), taken from it."""
    owner = pool.owner
    victim = -1
    for s in range(owner.shape[0]):
        o = owner[s]
        if o < 0:
            return s
        if o != keep and (victim < 0 or nodes[o].end - nodes[o].start
                          < nodes[owner[victim]].end - nodes[owner[victim]].start):
            victim = s
    if victim < 0:
        raise RuntimeError("histogram pool exhausted")  # needs a pool of >= 2
    nodes[owner[victim]].slot = -1
    owner[victim] = -1
    return victim


@njit(cache=True, inline="always")
def _release_slot(open_, pool, r):
    s = open_.nodes[r].slot
    if s >= 0:
        pool.owner[s] = -1
        open_.nodes[r].slot = -1


@njit(cache=True)
def _fill_histogram(hist, data, rules, idx, a, b):
    """The full histogram of the samples ``idx[a:b]``, on threads when large."""
    if rules.parallel and (b - a) * data.X_binned.shape[0] >= PARALLEL_MIN_WORK:
        build_histogram_parallel(hist, data.X_binned, data.n_bins, idx, a, b, rules.is_clf,
                                 data.offsets, data.y_cls, data.y_reg, data.w, rules.unit)
    else:
        build_histogram(hist, data.X_binned, data.n_bins, idx, a, b, rules.is_clf,
                        data.offsets, data.y_cls, data.y_reg, data.w, rules.unit)


@njit(cache=True, inline="always")
def _histogram_children(r, left, right, mid, open_, pool, data, rules, work):
    """The children's histograms: the smaller one built, the larger by
    subtraction from the parent's (or both built, if the parent gave its
    slot up); nodes too small or too deep get none."""
    nodes = open_.nodes
    node = nodes[r]
    start = node.start
    end = node.end
    n_l = mid - start
    n_r = end - mid
    pslot = node.slot
    if not (pool.hist.shape[0] >= 2 and max(n_l, n_r) >= SMALL_NODE
            and node.depth + 1 < rules.max_depth):
        _release_slot(open_, pool, r)
        return
    if n_l <= n_r:
        small, big, a, b = left, right, start, mid
        a2, b2 = mid, end
    else:
        small, big, a, b = right, left, mid, end
        a2, b2 = start, mid
    if pslot >= 0:  # the smaller child built, the larger by subtraction
        s_small = _take_slot(pool, nodes, r)
        pool.owner[s_small] = small
        nodes[small].slot = s_small
        _fill_histogram(pool.hist[s_small], data, rules, work.idx, a, b)
        subtract_histogram(pool.hist[pslot], pool.hist[s_small], data.n_bins)
        pool.owner[pslot] = big
        nodes[big].slot = pslot
        node.slot = -1
    else:  # the parent gave its histogram up: each child directly (a small
        # one is evaluated feature by feature, with no slot)
        keep = np.int64(-1)
        if b - a >= SMALL_NODE:
            s_small = _take_slot(pool, nodes, keep)
            pool.owner[s_small] = small
            nodes[small].slot = s_small
            _fill_histogram(pool.hist[s_small], data, rules, work.idx, a, b)
            keep = small
        s_big = _take_slot(pool, nodes, keep)
        pool.owner[s_big] = big
        nodes[big].slot = s_big
        _fill_histogram(pool.hist[s_big], data, rules, work.idx, a2, b2)


# -- open nodes -----------------------------------------------------------------
@njit(cache=True)
def _open_root(open_, pool, data, rules, work, root_stats):
    """The root's record (all the samples), its histogram and split."""
    idx = work.idx
    n_act = np.int64(idx.shape[0])
    root = np.int64(0)  # typed: a literal 0 compiles (and caches) more specialisations
    r0 = take_record(open_)
    node = open_.nodes[r0]
    node.start = root
    node.end = n_act
    node.depth = root
    open_.stats[r0, :] = root_stats
    node.weighted_n = rules.w_root
    node.lower = -np.inf
    node.upper = np.inf
    if rules.mae:
        node.impurity = node_medians(idx, root, n_act, data.y_reg, data.w, rules.unit,
                                     work.mae_rank, work.mae_f,
                                     open_.medians[r0]) if n_act > 0 else 0.0
    elif rules.crit == POISSON:
        node.impurity = poisson_loss(idx, root, n_act, data.X_binned[0], root, n_act < 0,
                                     np.int64(-1), data.y_reg, data.w, rules.unit,
                                     open_.stats[r0])
    else:
        node.impurity = node_impurity(open_.stats[r0], rules.crit, data.offsets)
    if pool.hist.shape[0] >= 2 and n_act >= SMALL_NODE:
        s0 = _take_slot(pool, open_.nodes, np.int64(-1))
        node.slot = s0
        pool.owner[s0] = r0
        _fill_histogram(pool.hist[s0], data, rules, idx, root, n_act)
    if n_act > 0:
        find_split(r0, open_, pool, data, rules, work)
    if open_.splits[r0].found == 0:
        _release_slot(open_, pool, r0)
    return r0


@njit(cache=True, inline="always")
def _open_child(open_, r, start, end, side, st, data, rules, work):
    """A record for the child ``side`` (0 left, 1 right) of the split open
    node ``r``, holding the samples ``idx[start:end]`` with stats ``st``."""
    ch = take_record(open_)
    node = open_.nodes[ch]
    parent = open_.nodes[r]
    split = open_.splits[r]
    node.start = start
    node.end = end
    node.depth = parent.depth + 1
    node.parent = parent.node_id
    node.is_left = 1 - side
    open_.stats[ch, :] = st
    node.weighted_n = stats_weight(st, rules.is_clf, data.offsets)
    if rules.mae:
        node_medians(work.idx, start, end, data.y_reg, data.w, rules.unit, work.mae_rank,
                     work.mae_f, open_.medians[ch])
    if rules.crit == POISSON or rules.mae:  # from the samples, as the search found
        node.impurity = split.impurity_left if side == 0 else split.impurity_right
    else:
        node.impurity = node_impurity(st, rules.crit, data.offsets)
    # monotonic bounds: the middle value bounds the constrained side
    cst = data.monotonic[split.feature] if rules.constrained else 0
    node.lower = parent.lower
    node.upper = parent.upper
    if cst != 0:
        if (cst == 1) == (side == 0):
            node.upper = split.middle  # left of an increase, right of a decrease
        else:
            node.lower = split.middle
    return ch


@njit(cache=True)
def _split_node(r, open_, pool, data, rules, work, tree):
    """Split open node ``r`` (its split record found, its output row
    ``node_id``): the split into the output, the partition of its samples,
    the children's records, histograms and split searches; ``r``'s record
    is freed.  Needs two free records.  Returns (left, right) records."""
    node = open_.nodes[r]
    split = open_.splits[r]
    nd = node.node_id
    f = split.feature
    tree.feature[nd] = f
    tree.threshold[nd] = split.threshold
    tree.missing_go_to_left[nd] = split.missing_go_to_left
    start = node.start
    end = node.end
    if rules.sparse:
        fill_column(work.xcol, f, work.idx, start, end, data.row_ptr, data.row_feat,
                    data.row_bin, data.zero_bin)
        xb = work.xcol
    else:
        xb = data.X_binned[f]
    mid = partition(work.idx, start, end, xb, split.bin_left, split.missing_go_to_left == 1,
                    rules.is_clf, data.offsets, data.y_cls, data.y_reg, data.w, rules.unit,
                    work.left_st, work.right_st, work.small_buf)
    left = np.int64(-1)
    right = np.int64(-1)
    for side in range(2):
        if side == 0:
            left = _open_child(open_, r, start, mid, side, work.left_st, data, rules, work)
        else:
            right = _open_child(open_, r, mid, end, side, work.right_st, data, rules, work)
    _histogram_children(r, left, right, mid, open_, pool, data, rules, work)
    free_record(open_, r)

    for ch in (left, right):
        child = open_.nodes[ch]
        # a leaf by the stopping rules is known here: ``find_split`` would
        # find the same, after an atomic reference-count increment and
        # decrement of each of its array arguments (half the nodes of a
        # fully grown tree are such leaves)
        if is_leaf_by_rules(rules, child.depth, child.end - child.start,
                            child.weighted_n, child.impurity):
            open_.splits[ch].found = 0
        else:
            find_split(ch, open_, pool, data, rules, work)
        if child.slot >= 0 and (open_.splits[ch].found == 0
                                or child.end - child.start < SMALL_NODE):
            _release_slot(open_, pool, ch)
    return left, right


@njit(cache=True, inline="always")
def _emit(r, nd, open_, tree, rules):
    """Give open node ``r`` the id ``nd``: its output row, a leaf's until split.

    Under monotonic constraints the value is clipped to the node's bounds
    (a classifier's first-class fraction, the other class its complement)."""
    node = open_.nodes[r]
    node.node_id = nd
    tree.left[nd] = -1
    tree.right[nd] = -1
    tree.feature[nd] = -2
    tree.threshold[nd] = -2.0
    tree.missing_go_to_left[nd] = 0
    tree.impurity[nd] = node.impurity
    tree.weighted_n_node_samples[nd] = node.weighted_n
    tree.n_node_samples[nd] = node.end - node.start
    st = open_.stats[r]
    value = tree.value
    if rules.is_clf:  # class fractions
        den = node.weighted_n if node.weighted_n > 0 else 1.0
        for c in range(value.shape[1]):
            value[nd, c] = st[1 + c] / den
    elif open_.medians.shape[1] > 0:  # weighted medians (absolute error)
        for c in range(value.shape[1]):
            value[nd, c] = open_.medians[r, c]
    else:  # means
        den = st[1] if st[1] > 0 else 1.0
        for c in range(value.shape[1]):
            value[nd, c] = st[2 + c] / den
    if rules.constrained:
        v = value[nd, 0]
        if v < node.lower:
            v = node.lower
        elif v > node.upper:
            v = node.upper
        value[nd, 0] = v
        if rules.is_clf:
            value[nd, 1] = 1.0 - v
    p = node.parent
    if p >= 0:
        if node.is_left == 1:
            tree.left[p] = nd
        else:
            tree.right[p] = nd


@njit(cache=True, inline="always")
def _finish_leaf(r, open_, pool, rules, work, sample_node):
    """Open node ``r`` stays a leaf: record its rows' leaf, free its record."""
    node = open_.nodes[r]
    if rules.want_leaves:
        nd = node.node_id
        for i in range(node.start, node.end):
            sample_node[work.idx[i]] = nd
    _release_slot(open_, pool, r)
    free_record(open_, r)


# -- the growers -----------------------------------------------------------------
@njit(cache=True)
def grow_depth_first(records, pool, data, rules, work, arrays, sample_node, root_stats):
    """Grow depth-first (a stack; ids in pre-order).  Returns the output
    arrays (``arrays`` grown as needed), the node count and the tree's depth.

    ``records`` (``OpenNodes``) and ``arrays`` (``TreeArrays``) are owned
    here (reallocated as they fill); every node works on borrowed copies
    (``sklml.tree._records.borrow``), the caller owning the other bundles."""
    pool, data, work, sample_node = borrow(pool), borrow(data), borrow(work), \
        borrow(sample_node)
    open_ = borrow(records)
    tree = borrow(arrays)
    pending = np.empty(64, np.int64)
    pending[0] = _open_root(open_, pool, data, rules, work, root_stats)
    n_pending = 1
    node_count = np.int64(0)
    tree_depth = np.int64(0)
    cap = arrays.left.shape[0]
    while n_pending > 0:
        if node_count + 3 > cap:  # by 1/8: spare capacity is memory held for nothing
            cap += cap // 8 + 3
            arrays = grow_tree_arrays(arrays, cap)
            tree = borrow(arrays)
        n_pending -= 1
        r = pending[n_pending]
        _emit(r, node_count, open_, tree, rules)
        node_count += 1
        tree_depth = max(tree_depth, open_.nodes[r].depth)
        if open_.splits[r].found == 0:
            _finish_leaf(r, open_, pool, rules, work, sample_node)
            continue
        if open_.n_free[0] < 2:
            records = grow_open_nodes(records)
            open_ = borrow(records)
        left, right = _split_node(r, open_, pool, data, rules, work, tree)
        if n_pending + 2 > pending.shape[0]:
            pending = _grow_i64(pending, 2 * pending.shape[0])
        pending[n_pending] = right  # left on top of the stack
        pending[n_pending + 1] = left
        n_pending += 2
    return arrays, node_count, tree_depth


@njit(cache=True)
def grow_best_first(records, pool, data, rules, work, arrays, sample_node, root_stats,
                    max_leaf_nodes):
    """Grow best-first up to ``max_leaf_nodes`` leaves (the frontier node of
    largest improvement next; ids in creation order).  Arguments and result
    as :func:`grow_depth_first`'s."""
    pool, data, work = borrow(pool), borrow(data), borrow(work)
    leaf_of = borrow(sample_node)
    open_ = borrow(records)
    tree = borrow(arrays)
    pending = np.empty(64, np.int64)
    n_pending = 0
    r0 = _open_root(open_, pool, data, rules, work, root_stats)
    node_count = np.int64(0)
    tree_depth = np.int64(0)
    _emit(r0, node_count, open_, tree, rules)
    node_count += 1
    if open_.splits[r0].found == 0:
        _finish_leaf(r0, open_, pool, rules, work, leaf_of)
    else:
        pending[0] = r0
        n_pending = 1
    splits_left = max_leaf_nodes - 1
    cap = arrays.left.shape[0]
    while n_pending > 0 and splits_left > 0:
        if node_count + 3 > cap:
            cap += cap // 8 + 3
            arrays = grow_tree_arrays(arrays, cap)
            tree = borrow(arrays)
        k_best = 0
        for k in range(1, n_pending):
            if (open_.splits[pending[k]].improvement
                    > open_.splits[pending[k_best]].improvement):
                k_best = k
        r = pending[k_best]
        for k in range(k_best, n_pending - 1):
            pending[k] = pending[k + 1]
        n_pending -= 1
        splits_left -= 1
        if open_.n_free[0] < 2:
            records = grow_open_nodes(records)
            open_ = borrow(records)
        left, right = _split_node(r, open_, pool, data, rules, work, tree)
        if n_pending + 2 > pending.shape[0]:
            pending = _grow_i64(pending, 2 * pending.shape[0])
        tree_depth = max(tree_depth, open_.nodes[left].depth)
        for ch in (left, right):
            _emit(ch, node_count, open_, tree, rules)
            node_count += 1
        for ch in (right, left):  # the frontier's order breaks ties
            if open_.splits[ch].found == 0:
                _finish_leaf(ch, open_, pool, rules, work, leaf_of)
            else:
                pending[n_pending] = ch
                n_pending += 1
    # what is left of the frontier are leaves (read through the owned
    # ``records``, alive to here)
    if rules.want_leaves:
        for k in range(n_pending):
            node = records.nodes[pending[k]]
            for i in range(node.start, node.end):
                sample_node[work.idx[i]] = node.node_id
    return arrays, node_count, tree_depth
