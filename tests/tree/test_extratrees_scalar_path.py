"""The random splitter's scalar scoring (two-class gini, squared error, no
constraint) must grow the trees its general, array-based scoring grows.

An all-zero ``monotonic_cst`` sends the builder down the general path (a
constraint array is present) without constraining anything, so both fits must
give identical trees, node for node.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _same_tree(a, b):
    ta, tb = a.tree_, b.tree_
    assert ta.node_count == tb.node_count
    np.testing.assert_array_equal(ta.feature, tb.feature)
    np.testing.assert_array_equal(ta.threshold, tb.threshold)
    np.testing.assert_array_equal(ta.children_left, tb.children_left)
    # the first class / output only: a constrained classifier's second class
    # fraction is one minus the first (one ulp off the direct fraction)
    np.testing.assert_array_equal(ta.value[:, 0, 0], tb.value[:, 0, 0])
    np.testing.assert_array_equal(ta.impurity, tb.impurity)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_gini_scalar_path_matches_general_path(seed, weighted):
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5,
                               random_state=seed)
    w = np.random.RandomState(seed).uniform(0.5, 2.0, len(y)) if weighted else None
    kw = dict(splitter="random", max_features="sqrt", random_state=seed)
    fast = DecisionTreeClassifier(**kw).fit(X, y, sample_weight=w)
    general = DecisionTreeClassifier(monotonic_cst=np.zeros(8, int), **kw).fit(
        X, y, sample_weight=w)
    assert fast.tree_.node_count > 50  # a grown tree, not a stump
    _same_tree(fast, general)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("min_samples_leaf", [1, 5])
def test_squared_error_scalar_path_matches_general_path(seed, min_samples_leaf):
    X, y = make_regression(n_samples=600, n_features=8, noise=5.0, random_state=seed)
    kw = dict(splitter="random", min_samples_leaf=min_samples_leaf, random_state=seed)
    fast = DecisionTreeRegressor(**kw).fit(X, y)
    general = DecisionTreeRegressor(monotonic_cst=np.zeros(8, int), **kw).fit(X, y)
    assert fast.tree_.node_count > 50
    _same_tree(fast, general)
