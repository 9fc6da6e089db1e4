"""The fitted tree structure and its compiled traversals.

:class:`Tree` carries scikit-learn's attribute names and array layout
(``children_left``, ``feature``, ``threshold``, ``value`` of shape
``(node_count, n_outputs, max_n_classes)``, ...), so the tools that read a
scikit-learn ``tree_`` (``export_text``, ``plot_tree``, ``export_graphviz``)
read ours unchanged.  Prediction follows scikit-learn's rule on float32
inputs, ``x <= threshold`` goes left and NaN follows ``missing_go_to_left``,
walking compact node records (see ``NODE_DTYPE``).

One split rule (:func:`_goes_left`) serves every prediction: :func:`_walk_from`
takes a row down to its leaf (:func:`_walk` from the root, as the boosting
loop calls it) and :func:`_walk4` takes four rows down in lockstep, each by
the branch-free :func:`_step`.
A forest predicts through a :class:`TreeStack`, all its trees in one record
array, in one compiled call; a single tree is a stack of one.  Sparse rows are
scattered a few at a time into a small dense buffer and take the same walk.  Small batches
(``SERIAL_ROWS``) run serially, never entering a parallel region.
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp
from numba import get_num_threads, njit, prange, typeof, types

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
# A literal 0 passed between compiled functions would compile a second,
# Literal[int] specialisation of the callee: pass this typed zero instead.
_ZERO = np.int64(0)
_FEATURE_MASK = np.uint32((1 << 31) - 1)


# One compiled signature (Tree's arrays, as the boosting loop passes them).
_RECORDS_SIGNATURE = typeof(np.empty(1, dtype=NODE_DTYPE))(
    types.float64[::1], types.int64[::1], types.int64[::1], types.int64[::1],
    types.uint8[::1])


@njit(_RECORDS_SIGNATURE, cache=True)
def node_records(threshold, left, right, feature, mgl):
    """The walk's node records from arrays in scikit-learn's layout (int64
    ids, C-contiguous); compiled, so that the boosting loop builds them too."""
    n = left.shape[0]
    nodes = np.empty(n, NODE_DTYPE)
    for i in range(n):
        t = np.float32(threshold[i])
        if np.float64(t) > threshold[i]:  # rounded up: one float32 down
            t = np.nextafter(t, np.float32(-np.inf))
        nd = nodes[i]
        nd.threshold = t
        nd.left = np.uint32(max(left[i], 0))
        nd.right = np.uint32(max(right[i], 0))
        nd.feature = np.uint32(max(feature[i], 0)) | (_MGL_BIT if mgl[i] != 0
                                                      else np.uint32(0))
    return nodes


def walk_records(threshold, left, right, feature, mgl):
    """The walk's node records from arrays in scikit-learn's layout."""
    return node_records(np.require(threshold, np.float64, ["C", "W"]),
                        np.require(left, np.int64, ["C", "W"]),
                        np.require(right, np.int64, ["C", "W"]),
                        np.require(feature, np.int64, ["C", "W"]),
                        np.require(mgl, np.uint8, ["C", "W"]))


@njit(cache=True)
def _goes_left(nd, x):
    """The split rule: ``x <= threshold`` goes left, NaN to its recorded side."""
    return x <= nd.threshold or (np.isnan(x) and (nd.feature & _MGL_BIT) != 0)


@njit(cache=True)
def _step(X, i, nodes, node):
    """The node row ``i`` of ``X`` moves to from ``node`` (a leaf stays put).
    Compiles without branches, so that several rows' walks interleave."""
    nd = nodes[node]
    x = X[i, nd.feature & _FEATURE_MASK]
    child = nd.left if _goes_left(nd, x) else nd.right
    return node if nd.left == 0 else child


@njit(cache=True)
def _walk_from(X, i, nodes, root):
    """The leaf row ``i`` of ``X`` reaches from node ``root`` (uint32)."""
    node = root
    while True:
        nd = nodes[node]
        if nd.left == 0:
            return node
        x = X[i, nd.feature & _FEATURE_MASK]
        # The rule's first clause on its own keeps a predicted branch here;
        # written as one select (as in _step) a lone walk costs 1.3x the CPU
        # time (50 full-depth trees, 100,000 rows).
        if x <= nd.threshold:
            node = nd.left
        elif _goes_left(nd, x):
            node = nd.left
        else:
            node = nd.right


@njit(cache=True)
def _walk4(X, i, nodes, root):
    """The leaves of rows i..i+3, walked in lockstep: four independent chains
    of loads keep the core busy where one walk waits on memory (measured:
    0.64x the CPU time of four single walks on 50 full-depth trees)."""
    a = b = c = d = root
    while True:
        a2 = _step(X, i, nodes, a)
        b2 = _step(X, i + 1, nodes, b)
        c2 = _step(X, i + 2, nodes, c)
        d2 = _step(X, i + 3, nodes, d)
        if a2 == a and b2 == b and c2 == c and d2 == d:
            return a, b, c, d
        a, b, c, d = a2, b2, c2, d2


# One compiled signature, whatever integer type the caller's row index has (a
# prange index is uint64): a second one would be a second cache entry.
_WALK_SIGNATURE = types.uint32(typeof(np.empty((1, 1), dtype=np.float32)), types.int64,
                               typeof(np.empty(1, dtype=NODE_DTYPE)))


@njit(_WALK_SIGNATURE, cache=True)
def _walk(X, i, nodes):
    """The leaf row ``i`` of the float32 C-ordered ``X`` reaches in one tree
    (the boosting loop's walk)."""
    return _walk_from(X, i, nodes, np.uint32(0))


def _walk_input(X):
    """X for the walk: float32 as scikit-learn's ``Tree.apply`` requires (the
    float32 thresholds are exact only for float32 inputs), C-ordered."""
    if not isinstance(X, np.ndarray) or X.dtype != np.float32:
        raise ValueError(f"X.dtype should be np.float32, got {getattr(X, 'dtype', type(X))}")
    return np.require(X, requirements=["C", "W"])  # one kernel signature


def _sparse_walk_input(X):
    """A CSR float32 matrix's arrays, for :func:`_csr_scatter`."""
    if X.format != "csr":
        raise ValueError(f"X should be in csr_matrix format, got {type(X)}")
    if X.dtype != np.float32:
        raise ValueError(f"X.dtype should be np.float32, got {X.dtype}")
    return (np.require(X.indptr, np.int64, ["C"]), np.require(X.indices, np.int32, ["C"]),
            np.require(X.data, np.float32, ["C"]))


# Several trees walked together, as one record array (``TreeStack``): tree
# ``t``'s nodes follow tree ``t - 1``'s, child ids are global (a leaf keeps
# ``left == 0``: no root is anybody's child) and ``roots[t]`` is its first node.
# A single tree is a stack of one.  Below ``SERIAL_ROWS`` rows the rows run
# serially (a parallel region costs more than it saves there, and on a loaded
# machine its spinning threads cost milliseconds); above, one chunk of rows per
# thread, at most ``_MAX_CHUNK_ROWS`` rows each.  Within a chunk each tree walks
# every row before the next tree starts, so its nodes stay in cache: measured
# (50 full-depth trees of ~11,000 nodes, 100,000 rows, one thread), 1,024-row
# chunks cost 2.2x the CPU time of whole-batch ones, 8,192-row chunks 1.2x.


@njit(cache=True)
def _leaves_block(X, nodes, roots, leaves, lo, hi, shift):
    """``leaves[i + shift, t]``: the (global) leaf of row ``i`` in tree ``t``,
    for rows lo..hi of X."""
    for t in range(roots.shape[0]):
        root = roots[t]
        i = lo
        while i + 4 <= hi:
            a, b, c, d = _walk4(X, i, nodes, root)
            leaves[i + shift, t] = a
            leaves[i + shift + 1, t] = b
            leaves[i + shift + 2, t] = c
            leaves[i + shift + 3, t] = d
            i += 4
        for i in range(i, hi):
            leaves[i + shift, t] = _walk_from(X, i, nodes, root)


@njit(cache=True)
def _value_sum_block(X, nodes, roots, values, out, lo, hi, shift):
    """``out[i + shift] += values[leaf]`` over the trees in their order, for
    rows lo..hi of X."""
    width = values.shape[1]
    for t in range(roots.shape[0]):
        root = roots[t]
        i = lo
        while i + 4 <= hi:
            a, b, c, d = _walk4(X, i, nodes, root)
            for k in range(width):
                out[i + shift, k] += values[a, k]
                out[i + shift + 1, k] += values[b, k]
                out[i + shift + 2, k] += values[c, k]
                out[i + shift + 3, k] += values[d, k]
            i += 4
        for i in range(i, hi):
            leaf = _walk_from(X, i, nodes, root)
            for k in range(width):
                out[i + shift, k] += values[leaf, k]


@njit(cache=True, parallel=True)
def _leaves_parallel(X, nodes, roots, leaves, chunk):
    n = X.shape[0]
    for c in prange((n + chunk - 1) // chunk):
        _leaves_block(X, nodes, roots, leaves, c * chunk, min(n, (c + 1) * chunk), _ZERO)


@njit(cache=True, parallel=True)
def _value_sum_parallel(X, nodes, roots, values, out, chunk):
    n = X.shape[0]
    for c in prange((n + chunk - 1) // chunk):
        _value_sum_block(X, nodes, roots, values, out, c * chunk,
                         min(n, (c + 1) * chunk), _ZERO)


# Sparse rows take the same walk: a few rows at a time are scattered into a
# small zeroed float32 buffer (as ``toarray``: duplicates add up), walked, and
# their entries zeroed again, so the cost follows the non-zeros, not the width.
@njit(cache=True)
def _csr_scatter(indptr, indices, data, lo, hi, buffer):
    """Rows lo..hi of a CSR matrix into the zeroed buffer's rows 0.."""
    for i in range(lo, hi):
        for j in range(indptr[i], indptr[i + 1]):
            buffer[i - lo, indices[j]] += data[j]


@njit(cache=True)
def _csr_unscatter(indptr, indices, lo, hi, buffer):
    """The buffer zeroed again where :func:`_csr_scatter` wrote."""
    for i in range(lo, hi):
        for j in range(indptr[i], indptr[i + 1]):
            buffer[i - lo, indices[j]] = 0.0


def _buffer_rows(n_rows, n_features):
    """Rows of the sparse walk's buffer: at most 4,096, the batch and 256 KiB
    (measured, 200,000 x 2,000 CSR at 1%: a 4 MiB buffer costs a depth-10
    tree 2x the CPU time of a 256 KiB one, 64 KiB 1.25x)."""
    return np.int64(max(1, min(4096, n_rows, (1 << 16) // max(1, n_features))))


@njit(cache=True)
def _sparse_leaves_block(indptr, indices, data, buffer, nodes, roots, leaves, lo, hi):
    """:func:`_leaves_block` for rows lo..hi of a CSR matrix."""
    step = buffer.shape[0]
    for b in range(lo, hi, step):
        e = min(hi, b + step)
        _csr_scatter(indptr, indices, data, b, e, buffer)
        _leaves_block(buffer, nodes, roots, leaves, _ZERO, e - b, b)
        _csr_unscatter(indptr, indices, b, e, buffer)


@njit(cache=True)
def _sparse_value_sum_block(indptr, indices, data, buffer, nodes, roots, values, out,
                            lo, hi):
    """:func:`_value_sum_block` for rows lo..hi of a CSR matrix."""
    step = buffer.shape[0]
    for b in range(lo, hi, step):
        e = min(hi, b + step)
        _csr_scatter(indptr, indices, data, b, e, buffer)
        _value_sum_block(buffer, nodes, roots, values, out, _ZERO, e - b, b)
        _csr_unscatter(indptr, indices, b, e, buffer)


@njit(cache=True, parallel=True)
def _sparse_leaves_parallel(indptr, indices, data, buffer, nodes, roots, leaves, chunk):
    n = indptr.shape[0] - 1
    for c in prange((n + chunk - 1) // chunk):
        own = np.zeros_like(buffer)  # one buffer per chunk
        _sparse_leaves_block(indptr, indices, data, own, nodes, roots, leaves,
                             c * chunk, min(n, (c + 1) * chunk))


@njit(cache=True, parallel=True)
def _sparse_value_sum_parallel(indptr, indices, data, buffer, nodes, roots, values, out,
                               chunk):
    n = indptr.shape[0] - 1
    for c in prange((n + chunk - 1) // chunk):
        own = np.zeros_like(buffer)  # one buffer per chunk
        _sparse_value_sum_block(indptr, indices, data, own, nodes, roots, values, out,
                                c * chunk, min(n, (c + 1) * chunk))


@njit(cache=True)
def _paths_from_leaves(leaves, parent, depth):
    """CSR ``indptr``/``indices`` of the nodes from each root down to each leaf
    (row by row, tree by tree, root first), from the (global) leaves."""
    n, n_trees = leaves.shape
    indptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        length = 0
        for t in range(n_trees):
            length += depth[leaves[i, t]] + 1
        indptr[i + 1] = indptr[i] + length
    indices = np.empty(indptr[n], np.int64)
    for i in range(n):
        k = indptr[i]
        for t in range(n_trees):
            node = leaves[i, t]
            d = depth[node]
            for j in range(d, -1, -1):
                indices[k + j] = node
                node = parent[node]
            k += d + 1
    return indptr, indices


@njit(cache=True)
def _parents_and_depths(nodes):
    """Parent (-1 at roots) and depth of each node of a stack's records."""
    n = nodes.shape[0]
    parent = np.full(n, -1, np.int64)
    depth = np.zeros(n, np.int64)
    for i in range(n):  # parents come before their children
        nd = nodes[i]
        if nd.left != 0:
            parent[nd.left] = i
            parent[nd.right] = i
            depth[nd.left] = depth[i] + 1
            depth[nd.right] = depth[i] + 1
    return parent, depth


# An operation over a stack's rows: its four compiled walks, over dense rows
# ``(X, nodes, roots, *payload, lo, hi, shift)`` or CSR rows ``(indptr,
# indices, data, buffer, nodes, roots, *payload, lo, hi)``, serial, and in
# parallel (``..., *payload, chunk)``), chosen by ``TreeStack._walk_rows``.
RowWalks = namedtuple("RowWalks", ["dense", "dense_parallel", "sparse", "sparse_parallel"])
LEAVES = RowWalks(_leaves_block, _leaves_parallel, _sparse_leaves_block,
                  _sparse_leaves_parallel)
VALUE_SUM = RowWalks(_value_sum_block, _value_sum_parallel, _sparse_value_sum_block,
                     _sparse_value_sum_parallel)


# Measured (2 cores, loadavg ~4 from other work): one tree's walk is serially
# 34 us for 1,024 rows and in parallel 22 us, parallel ahead from ~512 rows;
# but a parallel region on a busy machine waits 8-16 ms for a time slice, so
# small batches stay serial even where a quiet machine would gain a little.
SERIAL_ROWS = 1024
_MAX_CHUNK_ROWS = 1 << 16


def _chunk_rows(n):
    """Rows per parallel chunk: one chunk per thread, capped."""
    return np.int64(max(1, min(_MAX_CHUNK_ROWS, -(-n // get_num_threads()))))


class TreeStack:
    """Trees walked together: one record array, their roots and leaf values.

    Parameters
    ----------
    trees : list of Tree
        Trees with the same ``value`` shape per node.

    Attributes
    ----------
    nodes : ndarray of NODE_DTYPE
        Every tree's walk records end to end, child ids global.
    roots : ndarray of uint32
        First node of each tree in ``nodes``.
    values : ndarray of shape (total nodes, n_outputs * max_n_classes)
        Each node's ``value``, flattened, float64.
    n_nodes_ptr : ndarray of int64
        ``roots`` followed by the total node count.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.tree import DecisionTreeRegressor
    >>> from sklml.tree._predictor import TreeStack
    >>> X = np.arange(8, dtype=np.float32).reshape(-1, 1)
    >>> trees = [DecisionTreeRegressor(max_depth=d).fit(X, X[:, 0]).tree_ for d in (1, 2)]
    >>> stack = TreeStack(trees)
    >>> stack.n_nodes_ptr.tolist()
    [0, 3, 10]
    >>> stack.value_sum(X[:2]).ravel().tolist()  # 1.5 + 0.5, 1.5 + 0.5
    [2.0, 2.0]
    """

    def __init__(self, trees):
        trees = list(trees)
        if len(trees) == 1:
            records = [trees[0]._walk_nodes()[0]]
        else:  # not kept on the trees: the stack's copy is the one in use
            records = [walk_records(t.threshold, t.children_left, t.children_right,
                                    t.feature, t.missing_go_to_left) for t in trees]
        counts = np.array([r.shape[0] for r in records], dtype=np.int64)
        self.n_nodes_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.roots = self.n_nodes_ptr[:-1].astype(np.uint32)
        if len(records) == 1:
            self.nodes = records[0]
        else:
            self.nodes = np.concatenate(records)
            offset = np.repeat(self.roots, counts)
            inner = self.nodes["left"] != 0
            self.nodes["left"][inner] += offset[inner]
            self.nodes["right"][inner] += offset[inner]
        width = trees[0].value.shape[1] * trees[0].value.shape[2]
        self.values = np.ascontiguousarray(
            np.concatenate([tree.value.reshape(-1, width) for tree in trees]),
            dtype=np.float64)
        self._parent = self._depth = None

    def _walk_rows(self, walks, X, *payload):
        """Run the operation ``walks`` (a :class:`RowWalks`) over the rows of
        ``X``: dense or sparse, serial below ``SERIAL_ROWS`` rows, else one
        chunk of rows per thread.  ``payload`` is the operation's own
        arrays, written in place."""
        n = X.shape[0]
        trees = (self.nodes, self.roots)
        if sp.issparse(X):
            rows = _sparse_walk_input(X) + (
                np.zeros((_buffer_rows(n, X.shape[1]), X.shape[1]), dtype=np.float32),)
            if n < SERIAL_ROWS:
                walks.sparse(*rows, *trees, *payload, _ZERO, np.int64(n))
            else:
                walks.sparse_parallel(*rows, *trees, *payload, _chunk_rows(n))
        else:
            X = _walk_input(X)
            if n < SERIAL_ROWS:
                walks.dense(X, *trees, *payload, _ZERO, np.int64(n), _ZERO)
            else:
                walks.dense_parallel(X, *trees, *payload, _chunk_rows(n))

    def leaves(self, X):
        """Global leaf id of each row in each tree, shape (n_samples, n_trees)."""
        leaves = np.empty((X.shape[0], self.roots.shape[0]), dtype=np.int64)
        self._walk_rows(LEAVES, X, leaves)
        return leaves

    def apply(self, X):
        """Each row's leaf in each tree (tree-local ids), (n_samples, n_trees)."""
        leaves = self.leaves(X)
        if self.roots.shape[0] > 1:
            leaves -= self.n_nodes_ptr[:-1]
        return leaves

    def value_sum(self, X):
        """Sum over the trees of each row's leaf value, in tree order,
        shape (n_samples, n_outputs * max_n_classes), float64."""
        total = np.zeros((X.shape[0], self.values.shape[1]), dtype=np.float64)
        self._walk_rows(VALUE_SUM, X, self.values, total)
        return total

    def decision_path(self, X):
        """CSR indicator (n_samples, total nodes) of the nodes each row visits
        in every tree (tree ``t``'s columns from ``n_nodes_ptr[t]``)."""
        if self._parent is None:
            self._parent, self._depth = _parents_and_depths(self.nodes)
        indptr, indices = _paths_from_leaves(self.leaves(X), self._parent, self._depth)
        data = np.ones(indices.shape[0], dtype=np.intp)
        return sp.csr_matrix((data, indices, indptr),
                             shape=(X.shape[0], int(self.n_nodes_ptr[-1])))


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
        # built by the first prediction
        self._nodes = self._identity = self._stack_of_one = None

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

    def _stack(self):
        """This tree as a :class:`TreeStack` of one, built on first use."""
        if self._stack_of_one is None:
            self._stack_of_one = TreeStack([self])
        return self._stack_of_one

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
        return self._stack().leaves(X)[:, 0]

    def apply_map(self, X, node_map):
        """``node_map[apply(X)]`` (int64 ``node_map``: e.g. each leaf's class)."""
        return node_map.take(self.apply(X))

    def predict(self, X):
        """``value`` of each row's leaf, shape (n_samples, n_outputs, max_n_classes)."""
        return self.value.take(self.apply(X), axis=0, mode="clip")

    def decision_path(self, X):
        """CSR indicator (n_samples, node_count) of the nodes each row visits."""
        return self._stack().decision_path(X)

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
        state["_nodes"] = state["_identity"] = state["_stack_of_one"] = None
        return state  # rebuilt on first use

    def __setstate__(self, state):
        for cached in ("_nodes", "_identity", "_stack_of_one"):
            state.setdefault(cached, None)
        self.__dict__.update(state)
