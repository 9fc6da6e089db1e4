"""The tree builder's named records and bundles.

Records (numba structured arrays, read and written by field name):

``NODE_RECORD``
    An open node: a node created and not yet finished (on the depth-first
    stack or the best-first frontier).  Its samples are
    ``idx[start:end]``; ``node_id`` is its row of the output (-1 until it has
    one); ``parent``/``is_left`` link it to its parent's row; ``slot`` is its
    histogram in the pool (-1: none); ``lower``/``upper`` bound its value
    under monotonic constraints.  Its stats vector (count, then class weights
    or weight, sum w*y per output, sum w*y^2) is row ``r`` of the ``stats``
    array beside the records (its length depends on the fit).
``SPLIT_RECORD``
    The split the search found for an open node (``found`` 0: it is a leaf):
    the node's samples whose bin of ``feature`` is ``<= bin_left`` (or
    missing, when ``missing_go_to_left``) go left; ``bin_right`` is the first
    bin right (-1: every non-missing value goes left).  ``improvement`` is
    scikit-learn's weighted impurity decrease (best-first growth ranks by it),
    ``impurity_left``/``impurity_right`` the children's impurities where they
    need the samples (Poisson, absolute error), ``middle`` the bound a
    monotonic constraint passes on to the children.

Bundles (named tuples: one argument instead of many; fields read by name):

:class:`TrainingData`
    What a fit reads and never changes: the binned matrix (dense or the
    sparse rows), the targets and weights, the class offsets, the monotonic
    constraints, the random splitter's padded bin values.
:class:`GrowthRules`
    The fit's scalars: the criterion and the stopping rules.
:class:`Workspace`
    The buffers the split search and the partition reuse from node to node.
:class:`OpenNodes`
    The open-node records, their stats and medians, and their free list.
:class:`HistogramPool`
    The full histograms kept for large nodes, and the record owning each.
:class:`TreeArrays`
    The output while the tree grows (scikit-learn's node arrays, compact).
:class:`BuildResult`
    What :func:`~sklml.tree._builder.build_tree` returns; its field order is
    that of the tuple it replaced, so index access still works.

Cost of the bundles (measured on a loaded 2-core machine, single-threaded
Extra-Trees on 75,000 x 28, ``max_features=5``, 35,621 nodes a tree): a
compiled call copies every array descriptor of its bundle arguments and takes
a reference to each array on entry (an atomic increment, and a decrement on
return).  With a dozen such calls per node the bundles made a tree ~15%
slower (about 0.4 us a node) and a forest on 2 threads ~30% slower in CPU
time (the threads share the binned matrix's count, one cache line).  So the
per-node helpers are inlined (``inline="always"``) into the one call per
split, ``_grower._split_node``, and the growers work on borrowed copies of
the bundles (:func:`borrow`: arrays whose count is left alone) while the
owning references live in the caller (``build_tree``) and in the grower's own
variables for what it reallocates.  With both, the trees cost what they cost
before the bundles (88 vs 90 ms a tree in the same measurement).
"""

from collections import namedtuple

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

NODE_RECORD = np.dtype([
    ("start", np.int64), ("end", np.int64), ("depth", np.int64),
    ("node_id", np.int64), ("parent", np.int64), ("is_left", np.int64),
    ("slot", np.int64),
    ("impurity", np.float64), ("weighted_n", np.float64),
    ("lower", np.float64), ("upper", np.float64),
])

SPLIT_RECORD = np.dtype([
    ("found", np.int64), ("feature", np.int64), ("bin_left", np.int64),
    ("bin_right", np.int64), ("missing_go_to_left", np.int64),
    ("threshold", np.float64), ("improvement", np.float64),
    ("impurity_left", np.float64), ("impurity_right", np.float64),
    ("middle", np.float64),
])

TrainingData = namedtuple("TrainingData", [
    "X_binned",  # uint8 (n_features, n_samples); (n_features, 0) for sparse data
    "n_bins", "bin_lo", "bin_hi",  # BinnedData's bins and their value ranges
    "y_cls",  # uint16 class codes (row-major over the outputs)
    "y_reg",  # float64 (n_samples, n_outputs) targets
    "w",  # float64 sample weights; empty: all ones
    "offsets",  # int64 (n_outputs + 1,): output k's classes
    "monotonic",  # int8 constraints per feature; empty: none
    "row_ptr", "row_feat", "row_bin", "zero_bin",  # sparse rows (empty: dense)
    "bin_pad",  # the random splitter's padded bin values (_padded_bin_values)
])

GrowthRules = namedtuple("GrowthRules", [
    "crit", "is_clf", "unit", "sparse", "constrained", "random_split", "mae",
    "max_depth", "min_samples_split", "min_samples_leaf", "min_weight_leaf",
    "max_features", "min_impurity_decrease", "parallel", "want_leaves",
    "w_root",  # the root's weighted sample count (improvements are relative to it)
])

Workspace = namedtuple("Workspace", [
    "idx",  # int32: the samples, each open node's a contiguous range
    "scratch",  # (256, C) one feature's histogram of a small node
    "touched",  # int64 (256,): the bins a histogram uses
    "feats",  # int64 permutation of the features (the per-node draw)
    "rng",  # the random stream (sklml.tree._random)
    "best",  # float64 (8,): the scans' best candidate (see scan_feature)
    "cum", "best_left",  # (C,): a candidate's left stats, the best one's
    "pick_miss",  # int64 (1,): the random splitter's missing-value side
    "mae_order", "mae_rank", "mae_f",  # absolute error's sample-level scans
    "nb_x", "nb_w", "nb_v", "nb_c",  # random splitter: the node's bins, w, w*y, classes
    "sp_hist",  # sparse: (n_features, 256, C) node histograms
    "xcol",  # sparse: one feature's bin per sample
    "pair_f", "pair_b", "nfb", "feat_list", "grouped_b", "fstart",  # sparse bookkeeping
    "left_st", "right_st",  # (C,): the children's stats of a partition
    "small_buf",  # int32: the partition's buffer for a small side
])

OpenNodes = namedtuple("OpenNodes", [
    "nodes",  # NODE_RECORD
    "splits",  # SPLIT_RECORD, one per node record
    "stats",  # (n_records, C)
    "medians",  # (n_records, n_outputs) absolute error's leaf values; else (n, 0)
    "free",  # int64: free record ids, ``free[:n_free[0]]``
    "n_free",  # int64 (1,)
])

HistogramPool = namedtuple("HistogramPool", [
    "hist",  # (n_slots, n_features, 256, C)
    "owner",  # int64 (n_slots,): the open record using the slot, -1 when free
])

TreeArrays = namedtuple("TreeArrays", [
    "left", "right", "feature", "threshold", "missing_go_to_left", "impurity",
    "n_node_samples", "weighted_n_node_samples", "value",
])

BuildResult = namedtuple("BuildResult", [
    "children_left", "children_right", "feature", "threshold",
    "missing_go_to_left", "impurity", "n_node_samples",
    "weighted_n_node_samples", "value", "sample_node", "max_depth",
])


def _without_count(context, builder, ty, value):
    ary = cgutils.create_struct_proxy(ty)(context, builder, value=value)
    ary.meminfo = cgutils.get_null_value(ary.meminfo.type)
    return ary._getvalue()


@intrinsic
def borrow(typingctx, x):
    """``x`` (an array, or a tuple of arrays and scalars) with every array's
    reference count detached: passing it on costs a null test instead of an
    atomic increment and decrement.  The caller must hold an owning
    reference for as long as the borrowed copy is used, and never return or
    keep the borrowed copy."""
    if isinstance(x, types.Array):
        def codegen(context, builder, sig, args):
            return _without_count(context, builder, sig.args[0], args[0])
        return x(x), codegen
    if isinstance(x, types.BaseTuple):
        def codegen(context, builder, sig, args):
            out = args[0]
            for i, t in enumerate(sig.args[0].types):
                if isinstance(t, types.Array):
                    item = _without_count(context, builder, t, builder.extract_value(out, i))
                    out = builder.insert_value(out, item, i)
            return out
        return x(x), codegen
    return None


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
def _grow_nodes(a, cap):
    out = np.empty(cap, NODE_RECORD)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_splits(a, cap):
    out = np.empty(cap, SPLIT_RECORD)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def new_open_nodes(cap, C, n_medians):
    """``cap`` free open-node records."""
    free = np.empty(cap, np.int64)
    for k in range(cap):
        free[k] = cap - 1 - k
    n_free = np.empty(1, np.int64)
    n_free[0] = cap
    return OpenNodes(np.empty(cap, NODE_RECORD), np.empty(cap, SPLIT_RECORD),
                     np.empty((cap, C), np.float64),
                     np.empty((cap, n_medians), np.float64), free, n_free)


@njit(cache=True)
def grow_open_nodes(open_):
    """Twice the records; the new ones free."""
    old = open_.nodes.shape[0]
    cap = 2 * old
    free = _grow_i64(open_.free, cap)
    n_free = open_.n_free
    for k in range(cap - 1, old - 1, -1):
        free[n_free[0]] = k
        n_free[0] += 1
    return OpenNodes(_grow_nodes(open_.nodes, cap), _grow_splits(open_.splits, cap),
                     _grow_f64_2d(open_.stats, cap), _grow_f64_2d(open_.medians, cap),
                     free, n_free)


@njit(cache=True, inline="always")
def take_record(open_):
    """A free record id, its node and split fields reset (no id, no slot, no
    parent, no split)."""
    open_.n_free[0] -= 1
    r = open_.free[open_.n_free[0]]
    node = open_.nodes[r]
    node.node_id = -1
    node.parent = -1
    node.is_left = -1
    node.slot = -1
    split = open_.splits[r]
    split.found = 0
    split.feature = -1
    split.bin_left = -1
    split.bin_right = -1
    split.missing_go_to_left = -1
    return r


@njit(cache=True, inline="always")
def free_record(open_, r):
    open_.free[open_.n_free[0]] = r
    open_.n_free[0] += 1


@njit(cache=True)
def new_tree_arrays(cap, n_values):
    return TreeArrays(np.empty(cap, np.int32), np.empty(cap, np.int32),
                      np.empty(cap, np.int32), np.empty(cap, np.float64),
                      np.empty(cap, np.uint8), np.empty(cap, np.float64),
                      np.empty(cap, np.int32), np.empty(cap, np.float64),
                      np.empty((cap, n_values), np.float64))


@njit(cache=True)
def grow_tree_arrays(t, cap):
    """The arrays at capacity ``cap``, one at a time (each old one is freed
    before the next grows)."""
    left = _grow_i32(t.left, cap)
    right = _grow_i32(t.right, cap)
    feature = _grow_i32(t.feature, cap)
    threshold = _grow_f64(t.threshold, cap)
    mgl = _grow_u8(t.missing_go_to_left, cap)
    impurity = _grow_f64(t.impurity, cap)
    n = _grow_i32(t.n_node_samples, cap)
    wn = _grow_f64(t.weighted_n_node_samples, cap)
    value = _grow_f64_2d(t.value, cap)
    return TreeArrays(left, right, feature, threshold, mgl, impurity, n, wn, value)
