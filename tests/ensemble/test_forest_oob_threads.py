"""Out-of-bag scoring in one batched walk, and predictions in ``n_jobs`` threads.

The out-of-bag estimates are checked against scikit-learn's definition
computed here tree by tree (each tree predicts the rows its bootstrap left
out, the predictions are averaged in tree order), bit for bit; predictions
must not depend on ``n_jobs``, which sets the threads of large batches as
scikit-learn's ``n_jobs`` does.
"""

import os

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from sklearn.datasets import make_classification, make_regression

from sklml.ensemble import (
    ExtraTreesClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklml.ensemble import _forest
from sklml.tree._predictor import SERIAL_ROWS, TreeStack


def _reference_oob(forest, X, width):
    """Mean over the trees that left each row out of their bootstrap, trees
    added one after another (the definition, with no batching)."""
    n = X.shape[0]
    total = np.zeros((n, forest.n_outputs_, width))
    count = np.zeros(n)
    for tree, rows in zip(forest.estimators_, forest.estimators_samples_):
        oob = np.flatnonzero(np.bincount(rows, minlength=n) == 0)
        if oob.size:
            total[oob] += tree.tree_.predict(X[oob])[:, :, :width]
            count[oob] += 1
    return total / np.maximum(count, 1)[:, None, None]


@pytest.mark.parametrize("seed", [None, 1, 2])
@pytest.mark.parametrize("config", [
    {}, {"max_samples": 0.3}, {"class_weight": "balanced_subsample"}, {"n_jobs": 2},
])
@pytest.mark.parametrize("group_nodes", [None, 1])
def test_classifier_oob_is_the_tree_by_tree_mean(config, seed, group_nodes, monkeypatch):
    if group_nodes is not None:  # the trees two by two, as a large forest goes
        monkeypatch.setattr(_forest, "_OOB_GROUP_NODES", group_nodes)
    X, y = make_classification(1500, 8, n_informative=5, n_classes=3, random_state=seed)
    X = X.astype(np.float32)
    X[::11, 2] = np.nan
    forest = RandomForestClassifier(n_estimators=9, oob_score=True, random_state=seed,
                                    **config).fit(X, y)
    expected = _reference_oob(forest, X, 3)[:, 0, :]
    np.testing.assert_array_equal(forest.oob_decision_function_, expected)
    assert forest.oob_score_ == np.mean(y == np.argmax(expected, axis=1))
    majority = np.max(np.bincount(y)) / len(y)
    assert forest.oob_score_ > majority + 0.2


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_regressor_oob_multi_output_and_sparse(seed):
    X, y = make_regression(800, 6, n_targets=2, noise=3.0, random_state=seed)
    forest = RandomForestRegressor(n_estimators=7, oob_score=True, random_state=seed,
                                   max_samples=0.6).fit(X, y)
    Xf = X.astype(np.float32)
    np.testing.assert_array_equal(forest.oob_prediction_,
                                  _reference_oob(forest, Xf, 1)[:, :, 0])
    assert forest.oob_score_ > 0.5  # the mean (r2 = 0) is the trivial baseline
    Xs = sp.random(600, 20, density=0.2, format="csr", random_state=3 if seed is None
                   else seed, dtype=np.float32)
    ys = np.asarray(Xs[:, :4].sum(axis=1)).ravel()
    forest = RandomForestRegressor(n_estimators=6, oob_score=True,
                                   random_state=seed).fit(Xs, ys)
    np.testing.assert_array_equal(forest.oob_prediction_,
                                  _reference_oob(forest, Xs, 1)[:, 0, 0])


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_warm_start_oob_counts_old_and_new_trees(seed, monkeypatch):
    # the first trees' out-of-bag rows are drawn again from their seeds, the
    # new ones' come from the fit: together they must give the definition
    X, y = make_classification(1000, 6, random_state=seed)
    forest = ExtraTreesClassifier(n_estimators=4, bootstrap=True, oob_score=True,
                                  warm_start=True, random_state=seed).fit(X, y)
    monkeypatch.setattr(_forest, "_OOB_GROUP_NODES", 1)  # groups across old and new
    forest.set_params(n_estimators=11).fit(X, y)
    expected = _reference_oob(forest, X.astype(np.float32), 2)[:, 0, :]
    np.testing.assert_array_equal(forest.oob_decision_function_, expected)
    fresh = ExtraTreesClassifier(n_estimators=11, bootstrap=True, oob_score=True,
                                 random_state=seed).fit(X, y)
    if seed is not None:  # the same trees as a fit from scratch
        np.testing.assert_array_equal(forest.oob_decision_function_,
                                      fresh.oob_decision_function_)


def test_predictions_do_not_depend_on_n_jobs():
    X, y = make_classification(3 * SERIAL_ROWS, 8, random_state=0)
    forest = RandomForestClassifier(n_estimators=6, random_state=0).fit(X, y)
    results = []
    for n_jobs in (None, 1, 2, -1):
        forest.set_params(n_jobs=n_jobs)
        results.append((forest.predict_proba(X), forest.apply(X),
                        forest.decision_path(X)[0].toarray()))
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n_jobs, config_jobs, expected", [
    (None, None, 1), (1, None, 1), (2, None, 2), (-1, None, -1), (None, 2, 2),
])
def test_large_batches_use_n_jobs_threads(monkeypatch, n_jobs, config_jobs, expected):
    X, y = make_regression(2 * SERIAL_ROWS, 5, random_state=0)
    forest = RandomForestRegressor(n_estimators=3, n_jobs=n_jobs, random_state=0).fit(X, y)
    seen = []
    original = TreeStack.value_sum

    def spy(self, X):
        seen.append(numba.get_num_threads())
        return original(self, X)

    monkeypatch.setattr(TreeStack, "value_sum", spy)
    before = numba.get_num_threads()
    if config_jobs is None:
        forest.predict(X)
    else:
        with parallel_config(n_jobs=config_jobs):
            forest.predict(X)
    cores = os.cpu_count() if expected == -1 else expected
    assert seen == [min(cores, numba.config.NUMBA_NUM_THREADS)]
    assert numba.get_num_threads() == before  # restored
    forest.predict(X[:SERIAL_ROWS - 1])  # the serial path: the threads left alone
    assert seen[1:] == [before]
