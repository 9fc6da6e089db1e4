"""A real Dask cluster on loopback: ``sklml compare --backend dask`` and GridSearchCV under
joblib's Dask backend give the same results as the local run."""

import logging

import numpy as np
import pandas as pd
import pytest

import distributed
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklml.cli import main
from sklml.datasets import make_signal_background
from sklml.registry import get_estimator
from sklml.testing import build_test_instance


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


def _compare(capsys, out_dir, *extra):
    code = main(["compare", "--quiet", "--data", "breast_cancer", "--cv", "3",
                 "--out", str(out_dir), *extra])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    return pd.read_csv(out_dir / "leaderboard.csv"), out.out


def test_compare_on_a_dask_cluster_matches_local(cluster, tmp_path, capsys):
    names = "DecisionTreeClassifier,RandomForestClassifier,GDClassifier"
    local, _ = _compare(capsys, tmp_path / "local", "--estimators", names)
    remote, stdout = _compare(capsys, tmp_path / "dask", "--estimators", names,
                              "--backend", "dask", "--scheduler", cluster.scheduler_address)
    assert f"on Dask at {cluster.scheduler_address}" in stdout
    assert (remote["status"] == "ok").all()
    metrics = [c for c in local.columns if c.endswith(("_mean", "_std")) and "time" not in c]
    pd.testing.assert_frame_equal(local[["model"] + metrics], remote[["model"] + metrics])
    assert remote.loc[0, "accuracy_mean"] > 0.9
    assert (tmp_path / "dask" / "report.html").exists()


def _grid_search(estimator, grid, X, y, backend):
    search = GridSearchCV(estimator, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0),
                          n_jobs=2 if backend == "loky" else -1)
    with parallel_backend(backend):
        search.fit(X, y)
    return search


def _check_same(estimator, grid, client, n_samples=600):
    X, y = make_signal_background(n_samples, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    local = _grid_search(estimator, grid, X, y, "loky")
    remote = _grid_search(estimator, grid, X, y, "dask")
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"], atol=1e-12)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))
    assert remote.best_score_ > 0.6
    return remote


def test_grid_search_scikit_learn_estimator_on_dask(client):
    from sklearn.ensemble import RandomForestClassifier

    search = _check_same(RandomForestClassifier(n_estimators=10, random_state=0),
                         {"max_depth": [2, 6], "min_samples_leaf": [1, 10]}, client)
    assert len(search.cv_results_["params"]) == 4


def test_grid_search_sklml_ensemble_on_dask(client):
    cls = get_estimator("RandomForestClassifier")
    estimator = build_test_instance(cls)
    params = estimator.get_params()
    grid = {"random_state": [0, 1]}
    if "max_depth" in params:
        grid["max_depth"] = [2, 6]
    _check_same(estimator, grid, client)


def test_grid_search_sklml_neural_on_dask(client):
    cls = get_estimator("MLPClassifier")
    estimator = build_test_instance(cls)
    _check_same(estimator, {"random_state": [0, 1]}, client, n_samples=300)
