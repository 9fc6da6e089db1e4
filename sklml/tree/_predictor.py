"""The fitted tree structure and its compiled traversals.

:class:`Tree` carries scikit-learn's attribute names and array layout
(``children_left``, ``feature``, ``threshold``, ``value`` of shape
``(node_count, n_outputs, max_n_classes)``, ...), so the tools that read a
scikit-learn ``tree_`` (``export_text``, ``plot_tree``, ``export_graphviz``)
read ours unchanged.  Prediction follows scikit-learn's rule on float32
inputs, ``x <= threshold`` goes left and NaN follows ``missing_go_to_left``,
walking compact node records (see ``NODE_DTYPE``).
"""

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

TREE_LEAF = -1
TREE_UNDEFINED = -2


# One 16-byte record per node, four to a cache line.  Ids are unsigned (no
# negative-index handling in the walk) and a leaf has ``left == 0`` (the root is
# nobody's child); the top bit of ``feature`` is ``missing_go_to_left``.  The
# threshold is the largest float32 <= the float64 one: for float32 inputs (what
# predict validates X to) ``x <= t32`` exactly when ``x <= threshold``.
NODE_DTYPE = np.dtype([("threshold", np.float32), ("left", np.uint32),
                       ("right", np.uint32), ("feature", np.uint32)])
_MGL_BIT = np.uint32(1 << 31)
_FEATURE_MASK = np.uint32((1 << 31) - 1)


def walk_records(threshold, left, right, feature, mgl):
    """The walk's node records from arrays in scikit-learn's layout."""
    nodes = np.empty(left.shape[0], dtype=NODE_DTYPE)
    t32 = threshold.astype(np.float32)
    above = t32.astype(np.float64) > threshold  # rounded up: one float32 down
    t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
    nodes["threshold"] = t32
    nodes["left"] = np.where(left < 0, 0, left)
    nodes["right"] = np.where(right < 0, 0, right)
    nodes["feature"] = (np.maximum(feature, 0).astype(np.uint32)
                        | np.where(mgl != 0, _MGL_BIT, np.uint32(0)))
    return nodes


@njit(cache=True)
def _walk(X, i, nodes):
    node = np.uint32(0)
    nd = nodes[0]
    while nd.left != 0:
        x = X[i, nd.feature & _FEATURE_MASK]
        if x <= nd.threshold:
            node = nd.left
        elif np.isnan(x):
            node = nd.left if nd.feature & _MGL_BIT else nd.right
        else:
            node = nd.right
        nd = nodes[node]
    return node


def _walk_input(X):
    """X for the walk: float32 as scikit-learn's ``Tree.apply`` requires (the
    float32 thresholds are exact only for float32 inputs), C-ordered."""
    if not isinstance(X, np.ndarray) or X.dtype != np.float32:
        raise ValueError(f"X.dtype should be np.float32, got {getattr(X, 'dtype', type(X))}")
    return np.ascontiguousarray(X)


def _sparse_walk_input(X):
    """A CSR float32 matrix's arrays for the sparse walk (indices sorted)."""
    if X.format != "csr":
        raise ValueError(f"X should be in csr_matrix format, got {type(X)}")
    if X.dtype != np.float32:
        raise ValueError(f"X.dtype should be np.float32, got {X.dtype}")
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    return (np.require(X.indptr, np.int64, ["C"]), np.require(X.indices, np.int32, ["C"]),
            np.require(X.data, np.float32, ["C"]))


@njit(cache=True)
def _sparse_value(indptr, indices, data, i, f):
    """X[i, f] of a CSR matrix with sorted indices (0 when not stored)."""
    lo = indptr[i]
    hi = indptr[i + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < f:
            lo = mid + 1
        else:
            hi = mid
    if lo < indptr[i + 1] and indices[lo] == f:
        return data[lo]
    return np.float32(0.0)


@njit(cache=True)
def _apply_sparse_kernel(indptr, indices, data, nodes, node_map):
    """``node_map[leaf]`` of each row of a CSR matrix (serial: rows are cheap)."""
    n = indptr.shape[0] - 1
    out = np.empty(n, np.int64)
    for i in range(n):
        node = np.uint32(0)
        nd = nodes[0]
        while nd.left != 0:
            x = _sparse_value(indptr, indices, data, i, np.int64(nd.feature & _FEATURE_MASK))
            if x <= nd.threshold:
                node = nd.left
            elif np.isnan(x):
                node = nd.left if nd.feature & _MGL_BIT else nd.right
            else:
                node = nd.right
            nd = nodes[node]
        out[i] = node_map[node]
    return out


@njit(cache=True)
def _decision_path_sparse_kernel(indptr_x, indices_x, data_x, left, right, feature,
                                 threshold):
    n = indptr_x.shape[0] - 1
    indptr = np.zeros(n + 1, np.int64)
    indices = np.empty(max(16, n * 8), np.int64)
    k = 0
    for i in range(n):
        node = 0
        while True:
            if k >= indices.shape[0]:
                tmp = np.empty(2 * indices.shape[0], np.int64)
                tmp[:k] = indices[:k]
                indices = tmp
            indices[k] = node
            k += 1
            if left[node] == -1:
                break
            x = _sparse_value(indptr_x, indices_x, data_x, i, feature[node])
            node = left[node] if x <= threshold[node] else right[node]
        indptr[i + 1] = k
    return indptr, indices[:k].copy()


@njit(cache=True, parallel=True)
def _apply_kernel(X, nodes, node_map, max_chunks):
    """``node_map[leaf]`` of each row: the leaf itself, or e.g. its class."""
    n = X.shape[0]
    out = np.empty(n, np.int64)
    n_chunks = max(1, min(max_chunks, n // 16384))
    chunk = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            out[i] = node_map[_walk(X, i, nodes)]
    return out


@njit(cache=True)
def _decision_path_kernel(X, left, right, feature, threshold, mgl):
    n = X.shape[0]
    indptr = np.zeros(n + 1, np.int64)
    cap = max(16, n * 8)
    indices = np.empty(cap, np.int64)
    k = 0
    for i in range(n):
        node = 0
        while True:
            if k >= indices.shape[0]:
                tmp = np.empty(2 * indices.shape[0], np.int64)
                tmp[:k] = indices[:k]
                indices = tmp
            indices[k] = node
            k += 1
            if left[node] == -1:
                break
            x = X[i, feature[node]]
            if np.isnan(x):
                node = left[node] if mgl[node] else right[node]
            elif x <= threshold[node]:
                node = left[node]
            else:
                node = right[node]
        indptr[i + 1] = k
    return indptr, indices[:k].copy()


@njit(cache=True)
def _ccp_prune(left, right, weighted, impurity, ccp_alpha, record_path):
    """scikit-learn's minimal cost-complexity pruning (``_cost_complexity_prune``).

    Returns the leaves of the pruned tree (mask) and, with ``record_path``, the
    pruning path (effective alphas, total leaf impurities).
    """
    n_nodes = left.shape[0]
    total = weighted[0]
    r_node = weighted * impurity / total
    parent = np.full(n_nodes, -1, np.int64)
    leaves = np.zeros(n_nodes, np.uint8)
    for i in range(n_nodes):
        if left[i] == -1:
            leaves[i] = 1
        else:
            parent[left[i]] = i
            parent[right[i]] = i
    n_leaves = np.zeros(n_nodes, np.int64)
    r_branch = np.zeros(n_nodes, np.float64)
    for leaf in range(n_nodes):
        if not leaves[leaf]:
            continue
        r_branch[leaf] = r_node[leaf]
        cur = r_node[leaf]
        node = leaf
        while node != 0:
            p = parent[node]
            r_branch[p] += cur
            n_leaves[p] += 1
            node = p
    candidate = np.zeros(n_nodes, np.uint8)
    for i in range(n_nodes):
        candidate[i] = 1 - leaves[i]
    in_subtree = np.ones(n_nodes, np.uint8)
    alphas = np.empty(n_nodes + 1, np.float64)
    imps = np.empty(n_nodes + 1, np.float64)
    n_path = 0
    if record_path:
        alphas[0] = 0.0
        imps[0] = r_branch[0]
        n_path = 1
    stack = np.empty(n_nodes + 1, np.int64)
    big = np.finfo(np.float64).max
    while candidate[0]:
        eff = big
        pruned = -1
        for i in range(n_nodes):
            if not candidate[i]:
                continue
            a = (r_node[i] - r_branch[i]) / (n_leaves[i] - 1)
            if a < eff:
                eff = a
                pruned = i
        if not record_path and ccp_alpha < eff:
            break
        sp_ = 1
        stack[0] = pruned
        while sp_ > 0:
            sp_ -= 1
            node = stack[sp_]
            if not in_subtree[node]:
                continue
            candidate[node] = 0
            leaves[node] = 0
            in_subtree[node] = 0
            if left[node] != -1:
                stack[sp_] = left[node]
                stack[sp_ + 1] = right[node]
                sp_ += 2
        leaves[pruned] = 1
        in_subtree[pruned] = 1
        n_pruned = n_leaves[pruned] - 1
        n_leaves[pruned] = 0
        r_diff = r_node[pruned] - r_branch[pruned]
        r_branch[pruned] = r_node[pruned]
        node = parent[pruned]
        while node != -1:
            n_leaves[node] -= n_pruned
            r_branch[node] += r_diff
            node = parent[node]
        if record_path:
            alphas[n_path] = eff
            imps[n_path] = r_branch[0]
            n_path += 1
    return leaves, alphas[:n_path].copy(), imps[:n_path].copy()


@njit(cache=True)
def _pruned_order(left, right, leaves):
    """Pre-order of the kept nodes (scikit-learn's ``_build_pruned_tree``)."""
    n_nodes = left.shape[0]
    order = np.empty(n_nodes, np.int64)
    depth = np.empty(n_nodes, np.int64)
    stack = np.empty(n_nodes + 1, np.int64)
    dstack = np.empty(n_nodes + 1, np.int64)
    sp_ = 1
    stack[0] = 0
    dstack[0] = 0
    k = 0
    while sp_ > 0:
        sp_ -= 1
        node = stack[sp_]
        d = dstack[sp_]
        order[k] = node
        depth[k] = d
        k += 1
        if not leaves[node]:
            stack[sp_] = right[node]
            dstack[sp_] = d + 1
            stack[sp_ + 1] = left[node]
            dstack[sp_ + 1] = d + 1
            sp_ += 2
    return order[:k].copy(), depth[:k].copy()


@njit(cache=True)
def _partial_dependence_kernel(grid, target, left, right, feature, threshold, mgl,
                               weighted, value0):
    """scikit-learn's recursion method: average over the non-target features by
    following both children, weighted by their training fractions."""
    n = grid.shape[0]
    out = np.zeros(n, np.float64)
    n_nodes = left.shape[0]
    stack = np.empty(n_nodes + 1, np.int64)
    wstack = np.empty(n_nodes + 1, np.float64)
    for i in range(n):
        sp_ = 1
        stack[0] = 0
        wstack[0] = 1.0
        while sp_ > 0:
            sp_ -= 1
            node = stack[sp_]
            wt = wstack[sp_]
            if left[node] == -1:
                out[i] += wt * value0[node]
                continue
            k = -1
            for j in range(target.shape[0]):
                if target[j] == feature[node]:
                    k = j
                    break
            if k >= 0:
                x = grid[i, k]
                if np.isnan(x):
                    go_left = mgl[node] == 1
                else:
                    go_left = x <= threshold[node]
                stack[sp_] = left[node] if go_left else right[node]
                wstack[sp_] = wt
                sp_ += 1
            else:
                wn = weighted[node]
                stack[sp_] = left[node]
                wstack[sp_] = wt * weighted[left[node]] / wn
                stack[sp_ + 1] = right[node]
                wstack[sp_ + 1] = wt * weighted[right[node]] / wn
                sp_ += 2
    return out


def _max_chunks():
    """Row chunks for the threads (measured: spreading rows pays even on a busy
    machine, unlike the builder's many short parallel regions)."""
    return 64


class Tree:
    """Array representation of a fitted binary tree, in scikit-learn's layout.

    Node ``i`` has children ``children_left[i]``/``children_right[i]`` (-1 at
    leaves), splits on ``feature[i]`` (-2 at leaves) at ``threshold[i]`` (-2 at
    leaves): ``x <= threshold`` goes left, NaN left iff
    ``missing_go_to_left[i]``.  ``value[i]`` has shape (n_outputs,
    max_n_classes): class fractions for a classifier, means for a regressor.
    """

    def __init__(self, n_features, n_classes, n_outputs, children_left,
                 children_right, feature, threshold, missing_go_to_left, impurity,
                 n_node_samples, weighted_n_node_samples, value, max_depth=None):
        self.n_features = int(n_features)
        self.n_classes = np.asarray(n_classes, dtype=np.intp)
        self.n_outputs = int(n_outputs)
        self.max_n_classes = int(np.max(self.n_classes))
        self.children_left = np.ascontiguousarray(children_left, dtype=np.intp)
        self.children_right = np.ascontiguousarray(children_right, dtype=np.intp)
        self.feature = np.ascontiguousarray(feature, dtype=np.intp)
        self.threshold = np.ascontiguousarray(threshold, dtype=np.float64)
        self.missing_go_to_left = np.ascontiguousarray(missing_go_to_left, dtype=np.uint8)
        self.impurity = np.ascontiguousarray(impurity, dtype=np.float64)
        self.n_node_samples = np.ascontiguousarray(n_node_samples, dtype=np.intp)
        self.weighted_n_node_samples = np.ascontiguousarray(
            weighted_n_node_samples, dtype=np.float64)
        self.value = np.ascontiguousarray(value, dtype=np.float64)
        self.node_count = int(self.children_left.shape[0])
        self.capacity = self.node_count
        is_leaf = self.children_left == TREE_LEAF
        self.n_leaves = int(np.sum(is_leaf))
        if max_depth is None:
            max_depth = int(self._depths().max()) if self.node_count else 0
        self.max_depth = int(max_depth)
        self._nodes = self._identity = None  # built by the first prediction

    def _walk_nodes(self):
        """The nodes as one record each for the compiled walk, and the identity
        map; built on first use (a fit need not hold them)."""
        if self._nodes is None:
            nodes = walk_records(self.threshold, self.children_left,
                                 self.children_right, self.feature,
                                 self.missing_go_to_left)
            self._identity = np.arange(self.node_count, dtype=np.int64)
            self._nodes = nodes
        return self._nodes, self._identity

    def _depths(self):
        depth = np.zeros(self.node_count, dtype=np.intp)
        for i in range(self.node_count):  # parents come before children
            if self.children_left[i] != TREE_LEAF:
                depth[self.children_left[i]] = depth[i] + 1
                depth[self.children_right[i]] = depth[i] + 1
        return depth

    def _arrays(self):
        return (self.children_left, self.children_right, self.feature,
                self.threshold, self.missing_go_to_left)

    def apply(self, X):
        """Leaf index of each row of the float32 ``X`` (dense, or CSR)."""
        return self.apply_map(X, self._walk_nodes()[1])

    def apply_map(self, X, node_map):
        """``node_map[apply(X)]`` in the same compiled pass (int64 ``node_map``)."""
        nodes = self._walk_nodes()[0]
        if sp.issparse(X):
            return _apply_sparse_kernel(*_sparse_walk_input(X), nodes, node_map)
        return _apply_kernel(_walk_input(X), nodes, node_map, _max_chunks())

    def predict(self, X):
        """``value`` of each row's leaf, shape (n_samples, n_outputs, max_n_classes)."""
        return self.value.take(self.apply(X), axis=0, mode="clip")

    def decision_path(self, X):
        """CSR indicator (n_samples, node_count) of the nodes each row visits."""
        if sp.issparse(X):
            indptr, indices = _decision_path_sparse_kernel(
                *_sparse_walk_input(X), *self._arrays()[:4])
        else:
            indptr, indices = _decision_path_kernel(X, *self._arrays())
        data = np.ones(indices.shape[0], dtype=np.intp)
        return sp.csr_matrix((data, indices, indptr), shape=(X.shape[0], self.node_count))

    def compute_partial_dependence(self, grid, target_features, out):
        """Partial dependence of the first output by the recursion method,
        written into ``out`` (scikit-learn's signature)."""
        out[:] = _partial_dependence_kernel(
            np.require(grid, dtype=np.float32, requirements=["C", "W"]),
            np.ascontiguousarray(target_features, dtype=np.intp), *self._arrays(),
            self.weighted_n_node_samples, np.ascontiguousarray(self.value[:, 0, 0]))

    def compute_feature_importances(self, normalize=True):
        """Weighted impurity decrease per feature, as scikit-learn computes it."""
        imp = np.zeros(self.n_features, dtype=np.float64)
        inner = np.flatnonzero(self.children_left != TREE_LEAF)
        if inner.size:
            wn = self.weighted_n_node_samples * self.impurity
            dec = (wn[inner] - wn[self.children_left[inner]]
                   - wn[self.children_right[inner]])
            np.add.at(imp, self.feature[inner], dec)
            imp /= self.weighted_n_node_samples[0]
        if normalize:
            total = imp.sum()
            if total > 0.0:
                imp /= total
        return imp

    def cost_complexity_pruning_path(self):
        """scikit-learn's ``ccp_pruning_path``: effective alphas and impurities."""
        _, alphas, imps = _ccp_prune(self.children_left, self.children_right,
                                     self.weighted_n_node_samples, self.impurity,
                                     0.0, True)
        return {"ccp_alphas": alphas, "impurities": imps}

    def prune(self, ccp_alpha):
        """The minimal cost-complexity pruned tree for ``ccp_alpha`` (a new Tree)."""
        leaves, _, _ = _ccp_prune(self.children_left, self.children_right,
                                  self.weighted_n_node_samples, self.impurity,
                                  float(ccp_alpha), False)
        order, _ = _pruned_order(self.children_left, self.children_right, leaves)
        new_id = np.full(self.node_count, -1, dtype=np.intp)
        new_id[order] = np.arange(order.shape[0])
        keep_leaf = leaves[order].astype(bool)
        left = np.where(keep_leaf, TREE_LEAF, new_id[self.children_left[order]])
        right = np.where(keep_leaf, TREE_LEAF, new_id[self.children_right[order]])
        feature = np.where(keep_leaf, TREE_UNDEFINED, self.feature[order])
        threshold = np.where(keep_leaf, float(TREE_UNDEFINED), self.threshold[order])
        mgl = np.where(keep_leaf, 0, self.missing_go_to_left[order])
        return Tree(self.n_features, self.n_classes, self.n_outputs, left, right,
                    feature, threshold, mgl, self.impurity[order],
                    self.n_node_samples[order], self.weighted_n_node_samples[order],
                    self.value[order])

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_nodes"] = state["_identity"] = None  # rebuilt on first use
        return state

    def __setstate__(self, state):
        state.setdefault("_nodes", None)
        state.setdefault("_identity", None)
        self.__dict__.update(state)
