"""Sparse X: every scipy format, binned without densifying, trees as on the dense copy."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import tree as sktree
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from test_tree_vs_sklearn import assert_same_tree

FORMATS = ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"]


@pytest.fixture(scope="module")
def sparse_data():
    rng = np.random.RandomState(0)
    n = 1500
    X = rng.randint(-10, 30, size=(n, 12)).astype(float)
    X[rng.rand(n, 12) < 0.7] = 0.0  # 70% zeros, negatives and positives around them
    y = (X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + rng.randn(n) * 5 > 2).astype(int)
    y += X[:, 3] > 12
    yr = X[:, 0] * 0.3 - np.abs(X[:, 4]) + rng.randn(n)
    return X, y, yr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
def test_every_sparse_format_gives_the_dense_tree(sparse_data, fmt, container):
    X, y, _ = sparse_data
    Xs = container(X).asformat(fmt)
    ours = DecisionTreeClassifier(max_depth=6, random_state=0).fit(Xs, y)
    dense = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    assert_same_tree(ours, dense, rtol=0)
    np.testing.assert_array_equal(ours.predict(Xs), dense.predict(X))
    np.testing.assert_array_equal(ours.predict_proba(Xs), dense.predict_proba(X))
    np.testing.assert_array_equal(ours.apply(Xs), dense.apply(X))
    assert (ours.decision_path(Xs) != dense.decision_path(X)).nnz == 0


@pytest.mark.parametrize("params", [{"max_leaf_nodes": 12},
                                    {"max_depth": 5, "min_samples_leaf": 20}])
def test_sparse_identical_to_sklearn(sparse_data, params):
    X, y, yr = sparse_data
    Xs = sp.csc_matrix(X)
    ours = DecisionTreeClassifier(**params).fit(Xs, y)
    theirs = sktree.DecisionTreeClassifier(random_state=0, **params).fit(Xs, y)
    assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.predict(Xs.tocsr()), theirs.predict(Xs.tocsr()))
    ours = DecisionTreeRegressor(**params).fit(Xs, yr)
    theirs = sktree.DecisionTreeRegressor(random_state=0, **params).fit(Xs, yr)
    assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(Xs), theirs.predict(Xs))


def test_sparse_with_weights_criteria_and_splitters(sparse_data):
    X, y, yr = sparse_data
    Xs = sp.csr_matrix(X)
    sw = np.random.RandomState(1).randint(0, 3, size=X.shape[0]).astype(float)
    for est in (DecisionTreeClassifier(max_depth=5, criterion="entropy"),
                DecisionTreeRegressor(max_depth=5, criterion="absolute_error"),
                DecisionTreeRegressor(max_depth=5, splitter="random", random_state=0)):
        target = y if isinstance(est, DecisionTreeClassifier) else yr
        a = est.fit(Xs, target, sample_weight=sw).tree_
        b = type(est)(**est.get_params()).fit(X, target, sample_weight=sw).tree_
        np.testing.assert_array_equal(a.feature, b.feature)
        np.testing.assert_array_equal(a.threshold, b.threshold)
        np.testing.assert_allclose(a.value, b.value)


def test_sparse_with_nan_is_rejected_like_sklearn(sparse_data):
    X, y, _ = sparse_data
    Xs = sp.csr_matrix(X)
    Xs.data[0] = np.nan
    for est in (DecisionTreeClassifier(), sktree.DecisionTreeClassifier()):
        with pytest.raises(ValueError, match="NaN"):
            est.fit(Xs, y)
    clf = DecisionTreeClassifier(max_depth=3).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(Xs)


def test_sparse_64bit_indices_and_unsorted_indices(sparse_data):
    X, y, _ = sparse_data
    Xs = sp.csr_matrix(X)
    Xs.indices = Xs.indices.astype(np.int64)
    Xs.indptr = Xs.indptr.astype(np.int64)
    clf = DecisionTreeClassifier(max_depth=4).fit(Xs, y)
    dense = DecisionTreeClassifier(max_depth=4).fit(X, y)
    np.testing.assert_array_equal(clf.predict(Xs), dense.predict(X))
    # a row's entries stored in reverse order
    Xr = sp.csr_matrix(X)
    for i in range(Xr.shape[0]):
        a, b = Xr.indptr[i], Xr.indptr[i + 1]
        Xr.indices[a:b] = Xr.indices[a:b][::-1].copy()
        Xr.data[a:b] = Xr.data[a:b][::-1].copy()
    Xr.has_sorted_indices = False
    np.testing.assert_array_equal(clf.predict(Xr), dense.predict(X))


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: the default random_state
@pytest.mark.parametrize("Est", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_onehot_pipeline_cross_validates(Est, seed):
    rng = np.random.RandomState(0)
    n = 400
    cats = rng.choice(["a", "b", "c", "d"], size=(n, 2))
    num = rng.randn(n, 2)
    X = np.empty((n, 4), dtype=object)
    X[:, :2] = cats
    X[:, 2:] = num
    signal = (cats[:, 0] == "a") + num[:, 0]
    y = (signal > 0.5).astype(int) if Est is DecisionTreeClassifier else signal
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(), [0, 1]),
                                                 remainder="passthrough",
                                                 sparse_threshold=1.0),
                         Est(max_depth=4, random_state=seed))
    assert sp.issparse(pipe[0].fit_transform(X))
    scores = cross_val_score(pipe, X, y, cv=3)
    # the trivial baseline on the same folds: majority class (accuracy) / mean (R2 <= 0)
    dummy = (DummyClassifier(strategy="most_frequent") if Est is DecisionTreeClassifier
             else DummyRegressor(strategy="mean"))
    baseline = cross_val_score(dummy, X[:, 2:].astype(float), y, cv=3)
    classifier = Est is DecisionTreeClassifier
    assert np.all(scores > (0.7 if classifier else 0.5)), (seed, scores)
    assert np.all(scores > baseline + (0.15 if classifier else 0.5)), (seed, scores, baseline)
