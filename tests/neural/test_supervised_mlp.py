"""MLPClassifier / MLPRegressor: quality on real data, API, bad input, pickling."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.datasets import load_digits, make_regression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklml._training import draw_seed
from sklml.neural import MLPClassifier, MLPRegressor

FAST = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=15, random_state=0,
            device="cpu")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=42)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=300, n_features=5, noise=5.0, random_state=0)
    return X, y / y.std()


# The default seed (None) runs in the fast suite; two fixed seeds (~8 s each) are slow.
@pytest.mark.parametrize("seed", [None, pytest.param(0, marks=pytest.mark.slow),
                                  pytest.param(1, marks=pytest.mark.slow)])
def test_digits_defaults_accuracy(digits, seed):
    X_train, X_test, y_train, y_test = digits
    majority = DummyClassifier(strategy="most_frequent").fit(X_train, y_train).score(X_test, y_test)
    clf = MLPClassifier(random_state=seed).fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    assert accuracy >= 0.97, (seed, accuracy)
    assert accuracy >= majority + 0.8, (seed, accuracy, majority)  # majority class scores ~0.10
    assert clf.n_iter_ == len(clf.loss_curve_) <= 200
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_grid_search_two_jobs(digits):
    X_train, X_test, y_train, y_test = digits
    grid = GridSearchCV(
        MLPClassifier(max_iter=5, batch_size=50, random_state=0, device="cpu", n_jobs=1),
        {"hidden_layer_sizes": [(16,), (64,)], "learning_rate_init": [1e-3, 1e-2]},
        cv=2, n_jobs=2,
    ).fit(X_train, y_train)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["learning_rate_init"] == 1e-2
    assert grid.score(X_test, y_test) > 0.9


def test_string_labels_pandas_and_int_input(digits):
    X_train, _, y_train, _ = digits
    X = pd.DataFrame((X_train * 16).astype(int)).add_prefix("pixel")
    y = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                  "eight", "nine"])[y_train]
    clf = MLPClassifier(**FAST).fit(X, pd.Series(y))
    assert set(clf.classes_) == set(y)
    assert clf.predict(X).dtype == clf.classes_.dtype
    assert list(clf.feature_names_in_) == list(X.columns)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.9


def test_early_stopping_restores_best(digits):
    X_train, _, y_train, _ = digits
    clf = MLPClassifier(early_stopping=True, n_iter_no_change=3, max_iter=300,
                        learning_rate_init=0.01, random_state=0, device="cpu").fit(X_train, y_train)
    assert clf.n_iter_ < 300
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    # the weights of the best epoch are kept: the held-out score is the best one
    _, X_val, _, y_val = train_test_split(X_train, y_train, random_state=draw_seed(0),
                                          test_size=0.1, stratify=y_train)
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)
    assert clf.validation_scores_[-1] < clf.best_validation_score_


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: the default random_state
def test_every_optimizer_activation_and_init_trains(digits, seed):
    X_train, _, y_train, _ = digits
    X, y = X_train[:400], y_train[:400]
    fast = {**FAST, "random_state": seed}
    floor = DummyClassifier(strategy="most_frequent").fit(X, y).score(X, y) + 0.6  # ~0.1 + 0.6
    for solver in ["sgd", "adagrad", "rmsprop", "adam", "nadam", "lbfgs"]:
        lr = 0.1 if solver in ("sgd", "adagrad") else 0.01
        clf = MLPClassifier(**{**fast, "learning_rate_init": lr, "solver": solver},
                            batch_size=32).fit(X, y)
        assert clf.score(X, y) > max(0.8, floor), (seed, solver, clf.score(X, y))
    for momentum, nesterov in [(0.0, False), (0.9, False), (0.9, True)]:
        clf = MLPClassifier(**{**fast, "learning_rate_init": 0.1}, solver="sgd",
                            momentum=momentum, nesterovs_momentum=nesterov, batch_size=32)
        assert clf.fit(X, y).score(X, y) > max(0.8, floor), (seed, momentum, nesterov)
    for activation, init in [("tanh", "glorot"), ("selu", "lecun"), ("elu", "he"),
                             ("leaky_relu", "auto"), ("sigmoid", "auto")]:
        clf = MLPClassifier(**{**fast, "activation": activation, "init": init,
                               "dropout": 0.1, "batch_norm": True}).fit(X, y)
        assert clf.score(X, y) > max(0.8, floor), (seed, activation, clf.score(X, y))


def test_routing_callbacks_and_net(digits):
    X_train, _, y_train, _ = digits
    class Recorder(Callback):
        def initialize(self):
            self.losses, self.batches = [], 0
            return self

        def on_batch_end(self, net, **kwargs):
            self.batches += 1

        def on_epoch_end(self, net, **kwargs):
            self.losses.append(net.history[-1, "train_loss"])
            net.history.record("lr", net.optimizer_.param_groups[0]["lr"])

    recorder = Recorder()
    clf = MLPClassifier(**FAST, optimizer__betas=(0.8, 0.99), callbacks=[recorder])
    clf.set_params(optimizer__eps=1e-7)
    assert clf.get_params()["optimizer__eps"] == 1e-7
    clf.fit(X_train, y_train)
    assert clf.net_.optimizer_.param_groups[0]["betas"] == (0.8, 0.99)
    assert clf.net_.optimizer_.param_groups[0]["eps"] == 1e-7
    assert clf.net_.history[-1, "lr"] == 0.01
    fitted_recorder = dict(clf.net_.callbacks_)["Recorder"]
    assert fitted_recorder.losses == clf.loss_curve_
    assert fitted_recorder.batches == clf.n_iter_ * -(-len(X_train) // 200)
    assert isinstance(clf.net_.module_, torch.nn.Module)
    with pytest.raises(TypeError, match="'modul_x'"):
        MLPClassifier(modul_x=1).fit(X_train, y_train)
    with pytest.raises(TypeError, match="did you mean 'max_iter'"):
        MLPClassifier(max_iters=1).fit(X_train, y_train)
    with pytest.raises(ValueError, match="did you mean 'learning_rate_init'"):
        MLPClassifier().set_params(learning_rate_int=1)


def test_warm_start_and_partial_fit(digits):
    X_train, X_test, y_train, y_test = digits
    clf = MLPClassifier(**{**FAST, "max_iter": 3, "warm_start": True})
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_train, y_train)
    net = clf.net_
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_train, y_train)
    # as scikit-learn: n_iter_ counts this call's epochs, the loss curve goes on
    assert clf.net_ is net and clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    assert clf.t_ == 6 * len(X_train)
    inc = MLPClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        inc.partial_fit(X_train, y_train)
    for _ in range(5):
        inc.partial_fit(X_train[:300], y_train[:300], classes=np.arange(10))
        inc.partial_fit(X_train[300:], y_train[300:])
    assert inc.n_iter_ == 1 and len(inc.loss_curve_) == 10
    assert inc.score(X_test, y_test) > 0.9
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        capped = MLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X_train, y_train)
    assert capped.n_iter_ <= 5
    lbfgs = MLPClassifier(solver="lbfgs")
    assert not hasattr(lbfgs, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        lbfgs.partial_fit(X_train, y_train, classes=np.arange(10))


def test_sample_and_class_weight(digits):
    X_train, _, y_train, _ = digits
    binary = y_train < 5
    weight = np.where(binary, 1.0, 1e-4)
    clf = MLPClassifier(**FAST).fit(X_train, binary, sample_weight=weight)
    assert clf.predict(X_train).mean() > 0.95
    clf = MLPClassifier(**FAST, class_weight={True: 1.0, False: 1e-4}).fit(X_train, binary)
    assert clf.predict(X_train).mean() > 0.95
    balanced = MLPClassifier(**FAST, class_weight="balanced").fit(X_train, y_train == 3)
    assert balanced.score(X_train, y_train == 3) > 0.9


def test_pickle_round_trip(digits):
    X_train, X_test, y_train, _ = digits
    clf = MLPClassifier(**FAST).fit(X_train, y_train)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X_test), clf.predict_proba(X_test))
    assert clone.net_.device == "cpu"


def test_bad_input(digits):
    X_train, _, y_train, _ = digits
    X_nan = X_train.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(**FAST).fit(X_nan, y_train)
    with pytest.raises(ValueError, match="needs numeric targets"):
        MLPRegressor(**FAST).fit(X_train, np.array(["a", "b"])[y_train % 2])
    # one class: fitted and predicted, as scikit-learn does
    single = MLPClassifier(**FAST).fit(X_train, np.full(len(X_train), 7))
    assert np.all(single.predict(X_train[:5]) == 7)
    with pytest.raises(ValueError, match="one class"):
        MLPClassifier(**FAST).fit(X_train, y_train % 2, sample_weight=y_train % 2)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(10, 0)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="'solver' parameter"):
        MLPClassifier(solver="newton").fit(X_train, y_train)
    for bad in [dict(learning_rate_init=0), dict(max_iter=0), dict(batch_size=0),
                dict(batch_size="big"), dict(momentum=1.5), dict(learning_rate="cosine")]:
        with pytest.raises(ValueError):
            MLPClassifier(**bad).fit(X_train, y_train)
    fitted = MLPClassifier(**FAST).fit(X_train, y_train)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X_train[:, :10])


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA policy")
def test_cuda_without_cuda_warns_and_trains_on_cpu(digits):
    X_train, _, y_train, _ = digits
    with pytest.warns(UserWarning, match="CUDA is not available"):
        clf = MLPClassifier(**{**FAST, "device": "cuda"}).fit(X_train, y_train)
    assert next(clf.net_.module_.parameters()).device.type == "cpu"


def test_verbose_shows_epoch_bar(digits, capsys):
    X_train, _, y_train, _ = digits
    MLPClassifier(**{**FAST, "max_iter": 3}, verbose=1).fit(X_train, y_train)
    err = capsys.readouterr().err
    assert "3/3" in err and "epoch" in err
    MLPClassifier(**{**FAST, "max_iter": 3}).fit(X_train, y_train)
    captured = capsys.readouterr()
    assert captured.err == captured.out == ""


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: MLPRegressor's default random_state
def test_regressor_quality_huber_multioutput(regression, seed):
    X, y = regression
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    kw = {**FAST, "max_iter": 100, "random_state": seed}
    baseline = DummyRegressor(strategy="mean").fit(X_train, y_train).score(X_test, y_test)
    reg = make_pipeline(StandardScaler(), MLPRegressor(**kw)).fit(X_train, y_train)
    r2 = reg.score(X_test, y_test)
    assert r2 > 0.95, (seed, r2)
    assert r2 > baseline + 0.9, (seed, r2, baseline)  # the mean scores R2 <= 0
    y_out = y_train.copy()
    y_out[:10] += 50  # outliers
    huber = MLPRegressor(**kw, loss="huber").fit(X_train, y_out)
    squared = MLPRegressor(**kw).fit(X_train, y_out)  # the baseline huber must beat
    assert huber.score(X_test, y_test) > squared.score(X_test, y_test), (
        seed, huber.score(X_test, y_test), squared.score(X_test, y_test))
    Y = np.column_stack([y_train, -2 * y_train])
    multi = MLPRegressor(**kw).fit(X_train, Y)
    assert multi.n_outputs_ == 2 and multi.predict(X_test).shape == (len(X_test), 2)
    assert multi.predict(X_test).dtype == np.float64
    assert reg.predict(X_test).shape == (len(X_test),)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_model_fitted_on_cuda_unpickles_on_cpu(digits):
    X_train, X_test, y_train, _ = digits
    clf = MLPClassifier(**FAST).fit(X_train, y_train)
    expected = clf.predict_proba(X_test)
    clf.device = clf.net_.device = "cuda"  # the state of a model fitted on a GPU
    with pytest.warns(UserWarning, match="requested device"):
        loaded = pickle.loads(pickle.dumps(clf))
    assert str(loaded.net_.device) == "cpu"
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X_test), expected)


@pytest.mark.slow
def test_digits_defaults_match_sklearn_and_stop_on_tol():
    """The issue's acceptance: defaults on standardised digits, three seeds."""
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    ours, theirs = [], []
    for seed in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)  # must stop on tol
            clf = MLPClassifier(random_state=seed).fit(X_train, y_train)
        assert clf.n_iter_ < clf.max_iter
        ours.append(clf.score(X_test, y_test))
        theirs.append(SklearnMLP(random_state=seed).fit(X_train, y_train).score(X_test, y_test))
    assert np.mean(ours) >= np.mean(theirs) - 0.01


@pytest.mark.parametrize("ours, theirs", [("MLPClassifier", "MLPClassifier"),
                                          ("MLPRegressor", "MLPRegressor")])
def test_get_params_is_a_superset_of_sklearn(ours, theirs):
    import sklearn.neural_network as sk

    import sklml.neural as nn

    mine, anchor = getattr(nn, ours)().get_params(), getattr(sk, theirs)().get_params()
    assert set(anchor) <= set(mine)
    # same defaults for every parameter scikit-learn has
    assert {k: mine[k] for k in anchor} == {k: v for k, v in anchor.items()}


def test_sparse_X_trains_as_dense(digits):
    import scipy.sparse as sp

    X_train, X_test, y_train, _ = digits
    dense = MLPClassifier(**FAST).fit(X_train, y_train)
    sparse = MLPClassifier(**FAST).fit(sp.csr_matrix(X_train), y_train)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X_test)),
                               dense.predict_proba(X_test), atol=1e-5)
    for solver in ("lbfgs", "sgd"):
        est = MLPRegressor(**{**FAST, "solver": solver}).fit(sp.csc_matrix(X_train), y_train)
        assert est.score(X_train, y_train) > 0.5


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: the default random_state
def test_multilabel_and_multioutput(digits, seed):
    X_train, X_test, y_train, y_test = digits
    Y = np.column_stack([y_train % 2, y_train > 4, y_train == 0]).astype(int)
    clf = MLPClassifier(**{**FAST, "max_iter": 60, "random_state": seed}).fit(X_train, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X_test).shape == (len(X_test), 3)
    Y_test = np.column_stack([y_test % 2, y_test > 4, y_test == 0]).astype(int)
    # per-label majority class: about (0.5 + 0.5 + 0.9) / 3 of the labels right
    majority = DummyClassifier(strategy="most_frequent").fit(X_train, Y).predict(X_test)
    baseline = (majority == Y_test).mean()
    label_accuracy = (clf.predict(X_test) == Y_test).mean()
    assert label_accuracy > 0.9, (seed, label_accuracy)
    assert label_accuracy > baseline + 0.2, (seed, label_accuracy, baseline)
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3) and not np.allclose(proba.sum(1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(X_test), np.log(proba))
