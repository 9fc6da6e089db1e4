"""The tree builder: one compiled call grows a whole tree on binned data.

No Python runs per node.  :func:`build_tree` sets a fit up (the sample
indices, the work buffers, the open-node records, the histogram pool and the
output arrays, bundled as the named records and tuples of
``sklml.tree._records``) and hands it to one of two growers
(``sklml.tree._grower``: depth-first, or best-first with
``max_leaf_nodes``), which share one split search
(``sklml.tree._split_search.find_split``).  A node's split is found when the
node is created, so the growers differ only in the order they finish nodes.

Memory is kept below scikit-learn's own tree: besides the binned matrix and
the output, a fit holds the sample indices, half as many for the stable
partition, and a small pool of full histograms (``n_features x 256 x C``)
sized against the binned matrix.  Smaller nodes histogram one feature at a
time into a scratch buffer, touching only the bins they use.  With
``max_features < n_features`` only the drawn features are histogrammed,
directly, and there is no pool.  The random splitter (Extra-Trees; not the
absolute error) builds no histogram at all (``sklml.tree._random_splitter``).

Ensembles call :func:`build_tree` many times on the same ``BinnedData`` with
per-tree ``sample_weight`` (bootstrap counts times weights: zero removes a row)
and ``seed``; with ``want_leaves`` it returns each training row's leaf
(``sample_node``), so boosting gets its training predictions from the
partition without another pass.

Compile time: the first fit after an install compiles the engine once
(then Numba's cache loads it in about 2 s).  The bundles and the per-node
helpers inlined into the one call per split (see ``_records``) made that
first compile longer: 82 s against 44 s before them, measured on a quiet
2-core machine (a fresh cache, the first ``DecisionTreeClassifier().fit``).
Taking the split search out of line again brought it to 69 s but cost 9% on
Extra-Trees, so it stays inlined.

Module map (each module's docstring says more):

- ``_records``: the named records and bundles, ``BuildResult``;
- ``_grower``: depth-first and best-first growth, the histogram pool;
- ``_split_search``: ``find_split`` (histograms, sparse data);
- ``_random_splitter``: Extra-Trees' threshold draw and search;
- ``_samples``: node stats, the Poisson loss, the partition;
- ``_splitting``: criteria and the scan of one feature's histogram;
- ``_histogram``: histograms of the binned matrix;
- ``_random``: the random stream and the feature draw.
"""

import numpy as np
from numba import njit

from ._grower import grow_best_first, grow_depth_first
from ._random import seed_state
from ._random_splitter import padded_bin_values
from ._records import (
    BuildResult,
    GrowthRules,
    HistogramPool,
    TrainingData,
    Workspace,
    new_open_nodes,
    new_tree_arrays,
)
from ._samples import node_stats
from ._splitting import ABSOLUTE_ERROR, MAE_SORTED_Y, SQUARED_ERROR, stats_weight

SMALL_PARTITION = 4096  # a partition's smaller side up to this size uses a kept buffer
# pool histograms may take this fraction of the binned matrix's bytes (at least
# MIN_POOL of them: a split needs two)
POOL_FRACTION = 8
MIN_POOL, MAX_POOL = 2, 64


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
    BuildResult
        A named tuple (``sklml.tree._records.BuildResult``; index access
        works, in this order): children_left, children_right, feature,
        threshold, missing_go_to_left, impurity, n_node_samples,
        weighted_n_node_samples, value, sample_node, max_depth.  Node arrays in scikit-learn's order (depth-first trees in pre-order,
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
    n_out = y_reg.shape[1]
    C = 1 + n_classes if is_clf else 3 + n_out
    V = n_classes if is_clf else n_out
    w = sample_weight
    unit = w.shape[0] == 0
    mae = crit == ABSOLUTE_ERROR

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
    root_stats = np.empty(C, np.float64)
    node_stats(root_stats, idx, np.int64(0), n_act, is_clf, offsets, y_cls, y_reg, w, unit)

    data = TrainingData(
        X_binned, n_bins, bin_lo, bin_hi, y_cls, y_reg, w, offsets, monotonic,
        row_ptr, row_feat, row_bin, zero_bin,
        padded_bin_values(bin_lo, bin_hi, n_bins, n_features if random_split else 0))
    rules = GrowthRules(
        crit, is_clf, unit, sparse, monotonic.shape[0] > 0, random_split, mae,
        max_depth, min_samples_split, min_samples_leaf, min_weight_leaf, max_features,
        min_impurity_decrease, parallel, want_leaves,
        stats_weight(root_stats, is_clf, offsets))
    # sparse data: one node histogram of every feature and its bookkeeping;
    # the random splitter: node buffers (bins, weights, w*y, class codes);
    # absolute error: the sample-level scans' arrays
    n_sp = n_features if sparse else 0
    n_nb = n_act if random_split and not mae else 0
    n_mae = n_act if mae else 0
    work = Workspace(
        idx, np.zeros((256, C), np.float64), np.empty(256, np.int64),
        np.arange(n_features), seed_state(seed), np.empty(8, np.float64),
        np.empty(C, np.float64), np.empty(C, np.float64), np.zeros(1, np.int64),
        np.empty(n_mae, np.int64), np.empty((n_out, n_samples if mae else 0), np.int64),
        np.empty((MAE_SORTED_Y + n_out, n_mae + 1), np.float64),
        np.empty(n_nb, np.uint8), np.empty(n_nb, np.float64), np.empty(n_nb, np.float64),
        np.empty(n_nb, np.int64),
        np.zeros((n_sp, 256, C), np.float64), np.empty(n_samples if sparse else 0, np.uint8),
        np.empty(n_sp * 256, np.int32), np.empty(n_sp * 256, np.uint8),
        np.zeros(n_sp, np.int64), np.empty(n_sp, np.int64),
        np.empty(n_sp * 256, np.uint8), np.empty(n_sp, np.int64),
        np.empty(C, np.float64), np.empty(C, np.float64),
        np.empty(min(n_act // 2 + 1, SMALL_PARTITION), np.int32))
    open_ = new_open_nodes(np.int64(64), C, n_out if mae else 0)

    # the histogram pool, sized against the binned matrix
    slot_bytes = n_features * 256 * C * 8
    n_pool = 0
    if max_features >= n_features and not sparse and not (random_split and not mae):
        n_pool = min(MAX_POOL, n_act * n_features // (POOL_FRACTION * slot_bytes))
        if n_pool < 2:  # a split needs two
            n_pool = MIN_POOL
    pool = HistogramPool(np.empty((n_pool, n_features, 256, C), np.float64),
                         np.full(max(n_pool, 1), -1, np.int64))

    # the output, compact while the tree grows (int32 ids, grown by 1/8 at a
    # time); ``tree_from_build`` turns it into scikit-learn's layout
    best_first = max_leaf_nodes > 0
    cap = 2 * n_act - 1 if n_act > 0 else 1
    if max_depth < 30:
        cap = min(cap, (1 << (max_depth + 1)) - 1)
    if best_first:
        cap = min(cap, 2 * max_leaf_nodes - 1)
    cap = max(min(cap, 1023), 3)
    tree = new_tree_arrays(cap, V)
    sample_node = np.full(n_samples if want_leaves else 0, -1, np.int32)
    # the pool, the records and the work buffers are freed when the grower
    # returns (their last use), before the output is laid out
    if best_first:
        tree, n, depth = grow_best_first(open_, pool, data, rules, work, tree, sample_node,
                                         root_stats, max_leaf_nodes)
    else:
        tree, n, depth = grow_depth_first(open_, pool, data, rules, work, tree,
                                          sample_node, root_stats)
    return BuildResult(tree.left[:n], tree.right[:n], tree.feature[:n], tree.threshold[:n],
                       tree.missing_go_to_left[:n], tree.impurity[:n],
                       tree.n_node_samples[:n], tree.weighted_n_node_samples[:n],
                       tree.value[:n], sample_node, depth)
