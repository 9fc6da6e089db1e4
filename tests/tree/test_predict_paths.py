"""Serial and parallel prediction paths give the same answers (issue #22).

Below ``SERIAL_ROWS`` rows a prediction runs serially, above it in parallel
chunks; rows walk four at a time in lockstep with single walks for the rest;
sparse rows are scattered a few at a time into a small dense buffer.  Every combination must give what a
plain numpy walk of scikit-learn's tree arrays gives.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from sklml.ensemble import (
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklml.tree import _predictor

N_BOUNDARY = [_predictor.SERIAL_ROWS - 1, _predictor.SERIAL_ROWS,
              _predictor.SERIAL_ROWS + 1, _predictor.SERIAL_ROWS + 6]


def reference_walk(tree, X):
    """Leaf of each row and the nodes it visits, by a vectorised numpy walk of
    the tree's public arrays (no compiled code)."""
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float32)
    rows = np.arange(X.shape[0])
    node = np.zeros(X.shape[0], dtype=np.intp)
    visited = np.zeros((X.shape[0], tree.node_count), dtype=np.intp)
    visited[rows, node] = 1
    for _ in range(tree.max_depth):
        inner = tree.children_left[node] != -1
        x = X[rows, np.maximum(tree.feature[node], 0)]
        go_left = np.where(np.isnan(x), tree.missing_go_to_left[node] == 1,
                           x <= tree.threshold[node])
        child = np.where(go_left, tree.children_left[node], tree.children_right[node])
        node = np.where(inner, child, node)
        visited[rows, node] = 1
    return node, visited


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    n = 2 * _predictor.SERIAL_ROWS + 40
    X = rng.randn(n, 8).astype(np.float32)
    X[rng.rand(n, 8) < 0.5] = 0.0
    y = (X[:, 0] + X[:, 1] * X[:, 2] + 0.3 * rng.randn(n) > 0).astype(int)
    y[X[:, 3] > 1.0] = 2
    yr = X[:, 0] - 2 * X[:, 4] ** 2 + 0.1 * rng.randn(n)
    X_nan = X.copy()
    X_nan[rng.rand(n, 8) < 0.05] = np.nan
    return X, X_nan, y, yr


@pytest.fixture(scope="module")
def models(data):
    X, X_nan, y, yr = data
    return {
        "forest_clf": RandomForestClassifier(n_estimators=7, random_state=0).fit(X_nan, y),
        "forest_reg": RandomForestRegressor(n_estimators=5, max_depth=9,
                                            random_state=1).fit(X_nan, yr),
        "extra_reg": ExtraTreesRegressor(n_estimators=4, random_state=2).fit(X, yr),
        "tree_clf": DecisionTreeClassifier(random_state=0).fit(X_nan, y),
        "tree_reg": DecisionTreeRegressor(max_depth=7, random_state=0).fit(X, yr),
    }


def outputs(model, X):
    """Everything a prediction path computes, as plain arrays."""
    out = {"predict": model.predict(X), "apply": model.apply(X)}
    if hasattr(model, "predict_proba"):
        out["predict_proba"] = model.predict_proba(X)
    path = model.decision_path(X)
    path = path[0] if isinstance(path, tuple) else path
    out["decision_path"] = path.toarray()
    return out


def trees_of(model):
    return [est.tree_ for est in getattr(model, "estimators_", [model])]


def expected(model, X):
    """Outputs built from the numpy reference walk, tree by tree."""
    trees = trees_of(model)
    walks = [reference_walk(t, X) for t in trees]
    leaves = np.column_stack([leaf for leaf, _ in walks])
    values = sum(t.value[leaves[:, k]] for k, t in enumerate(trees)) / len(trees)
    return leaves, np.hstack([path for _, path in walks]), values


@pytest.mark.parametrize("name", ["forest_clf", "forest_reg", "extra_reg", "tree_clf",
                                  "tree_reg"])
@pytest.mark.parametrize("n", N_BOUNDARY)
@pytest.mark.parametrize("sparse", [False, True])
def test_paths_at_the_cut_over_match_the_reference_walk(data, models, name, n, sparse):
    X, X_nan, _, _ = data
    model = models[name]
    X = X[:n] if sparse else X_nan[:n]
    X_in = sp.csr_matrix(X) if sparse else X
    got = outputs(model, X_in)
    leaves, path, values = expected(model, X)
    np.testing.assert_array_equal(got["apply"].reshape(n, -1), leaves)
    np.testing.assert_array_equal(got["decision_path"], path)
    if "predict_proba" in got:
        np.testing.assert_allclose(got["predict_proba"], values[:, 0, :], rtol=1e-12)
    else:
        np.testing.assert_allclose(got["predict"], values[:, 0, 0], rtol=1e-12)


@pytest.mark.parametrize("name", ["forest_clf", "forest_reg", "tree_clf"])
def test_serial_parallel_and_sparse_blocks_are_bit_identical(data, models, name,
                                                             monkeypatch):
    X, X_nan, _, _ = data
    model = models[name]
    results = {}
    for serial_rows in (0, 10**9, _predictor.SERIAL_ROWS):
        monkeypatch.setattr(_predictor, "SERIAL_ROWS", serial_rows)
        results["dense", serial_rows] = outputs(model, X_nan)
        monkeypatch.setattr(_predictor, "_buffer_rows", lambda n, n_features: np.int64(7))
        results["sparse blocks", serial_rows] = outputs(model, sp.csr_matrix(X))
        monkeypatch.undo()
    results["sparse"] = outputs(model, sp.csr_matrix(X))
    results["dense, no NaN"] = outputs(model, X)
    one_by_one = [outputs(model, X_nan[i:i + 1]) for i in range(0, X.shape[0], 97)]
    for key in results["dense", 0]:
        for serial_rows in (10**9, _predictor.SERIAL_ROWS):
            np.testing.assert_array_equal(results["dense", serial_rows][key],
                                          results["dense", 0][key])
            np.testing.assert_array_equal(results["sparse blocks", serial_rows][key],
                                          results["dense, no NaN"][key])
        np.testing.assert_array_equal(results["sparse"][key], results["dense, no NaN"][key])
        np.testing.assert_array_equal(np.concatenate([o[key] for o in one_by_one]),
                                      results["dense", 0][key][::97])


def test_small_batches_never_enter_a_parallel_region(data, models, monkeypatch):
    X, X_nan, _, _ = data

    def refuse(*args):
        raise AssertionError("a parallel kernel ran for a small batch")

    for name in ("LEAVES", "VALUE_SUM"):  # every operation's parallel walks
        walks = getattr(_predictor, name)
        monkeypatch.setattr(_predictor, name, walks._replace(dense_parallel=refuse,
                                                             sparse_parallel=refuse))
    for model in models.values():
        for rows in (X_nan[:1], X_nan[:_predictor.SERIAL_ROWS - 1],
                     sp.csr_matrix(X[:100])):
            outputs(model, rows)
    with pytest.raises(AssertionError, match="parallel kernel"):
        models["forest_clf"].predict(X_nan[:_predictor.SERIAL_ROWS])


def test_forest_stack_follows_its_trees(data, models):
    """The cached stack of trees is rebuilt when ``estimators_`` changes."""
    X, X_nan, y, _ = data
    forest = RandomForestClassifier(n_estimators=3, random_state=0, warm_start=True)
    forest.fit(X_nan, y)
    before = forest.predict_proba(X_nan[:50])
    forest.set_params(n_estimators=6).fit(X_nan, y)
    after = forest.predict_proba(X_nan[:50])
    mean = np.mean([t.predict_proba(X_nan[:50]) for t in forest.estimators_], axis=0)
    np.testing.assert_allclose(after, mean, rtol=1e-12)
    assert not np.array_equal(before, after)
    forest.estimators_ = forest.estimators_[:3]
    np.testing.assert_array_equal(forest.predict_proba(X_nan[:50]), before)
    assert forest.apply(X_nan[:5]).shape == (5, 3)
