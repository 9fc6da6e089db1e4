"""The tree builder's structure: the named result, the shared split search of
the two growers, the feature draw, one compiled signature per kernel."""

import importlib

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklml.tree._binning import bin_data
from sklml.tree._builder import build_tree
from sklml.tree._random import draw_feature, seed_state
from sklml.tree._records import BuildResult

_FIELDS = ("children_left", "children_right", "feature", "threshold",
           "missing_go_to_left", "impurity", "n_node_samples",
           "weighted_n_node_samples", "value", "sample_node", "max_depth")


def _build(X, y, max_leaf_nodes=-1, seed=0):
    b = bin_data(X, 255, None, 0)
    off = np.array([0, 2], np.int64)
    return build_tree(b.X_binned, b.n_bins, b.bin_lo, b.bin_hi, y.astype(np.uint16),
                      np.zeros((1, 1)), np.zeros(0), 0, 2, 2 ** 31 - 1, 2, 1, 0.0,
                      X.shape[1], max_leaf_nodes, 0.0, seed, False, True, off, False,
                      np.zeros(0, np.int8), b.row_ptr, b.row_feat, b.row_bin,
                      b.zero_bin)


def test_build_result_is_named_and_keeps_the_tuple_order():
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    out = _build(X.astype(np.float32), y)
    assert isinstance(out, BuildResult)
    assert out._fields == _FIELDS
    for k, name in enumerate(_FIELDS):
        assert out[k] is getattr(out, name)
    n = out.children_left.shape[0]
    assert n > 10 and out.value.shape == (n, 2)
    # every training row's leaf is a leaf
    assert np.all(out.children_left[out.sample_node] == -1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_first_unbounded_grows_the_depth_first_tree(seed):
    """One split search: best-first growth with room for every leaf finds the
    depth-first tree's splits, only numbered in another order."""
    X, y = make_classification(n_samples=1500, n_features=8, n_informative=5,
                               random_state=seed)
    X = X.astype(np.float32)
    df = _build(X, y)
    bf = _build(X, y, max_leaf_nodes=10 ** 6)
    assert bf.children_left.shape == df.children_left.shape
    assert bf.max_depth == df.max_depth
    for name in ("feature", "threshold", "impurity", "n_node_samples"):
        np.testing.assert_array_equal(np.sort(getattr(bf, name)),
                                      np.sort(getattr(df, name)))
    # the same leaf for every training row, up to the numbering
    pairs = set(zip(df.sample_node.tolist(), bf.sample_node.tolist()))
    assert len(pairs) == len(set(df.sample_node.tolist()))
    # a bounded best-first tree is smaller and keeps the largest improvements
    small = _build(X, y, max_leaf_nodes=8)
    assert small.children_left.shape[0] == 15
    assert small.feature[0] == df.feature[0] and small.threshold[0] == df.threshold[0]


def test_draw_feature_is_a_draw_without_replacement():
    rng = seed_state(3)
    feats = np.arange(10)
    counts = np.zeros((10, 10))
    for _ in range(2000):
        drawn = [draw_feature(rng, feats, np.int64(j)) for j in range(10)]
        assert sorted(drawn) == list(range(10))
        counts[np.arange(10), drawn] += 1
    assert sorted(feats.tolist()) == list(range(10))  # still a permutation
    # each feature drawn first about equally often (2000 / 10 each)
    assert counts[0].min() > 140 and counts[0].max() < 260


_MODULES = ("_builder", "_grower", "_split_search", "_random_splitter", "_samples",
            "_records", "_random", "_splitting", "_histogram")


def test_one_compiled_signature_per_kernel():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    Xr, yr = make_regression(n_samples=300, n_features=6, random_state=0)
    for splitter in ("best", "random"):
        for mln in (None, 12):
            kw = dict(splitter=splitter, max_leaf_nodes=mln, random_state=0)
            DecisionTreeClassifier(**kw).fit(X, y)
            DecisionTreeClassifier(max_features=2, **kw).fit(X, np.c_[y, y])
            DecisionTreeRegressor(criterion="poisson", **kw).fit(Xr, np.abs(yr))
            DecisionTreeRegressor(criterion="absolute_error", max_depth=3, **kw).fit(
                Xr, yr)
    several = []
    for m in _MODULES:
        mod = importlib.import_module("sklml.tree." + m)
        for name, obj in vars(mod).items():
            if (hasattr(obj, "signatures") and obj.py_func.__module__ == mod.__name__
                    and len(obj.signatures) > 1):
                several.append(f"{m}.{name}")
    assert several == []
