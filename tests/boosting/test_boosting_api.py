"""Behaviour of the boosting adapters: labels, pickling, params rules, devices,
early stopping, weights, categorical data and bad input."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import roc_auc_score
from sklearn.utils import shuffle

from sklml._device import cuda_device_count
from sklml.boosting import CatBoostClassifier, CatBoostRegressor, XGBClassifier, XGBRegressor

CLASSIFIERS = [XGBClassifier, CatBoostClassifier]
REGRESSORS = [XGBRegressor, CatBoostRegressor]
ALL = CLASSIFIERS + REGRESSORS


# (model seed, data seed): the default random_state (None) on the original data, then two more
SEED_PAIRS = [(None, 0), (1, 1), (2, 2)]


def small(cls, **kwargs):
    return cls(n_estimators=30, max_depth=3, learning_rate=0.3, n_jobs=1, device="cpu",
               random_state=0, **kwargs)


@pytest.fixture(scope="module")
def clf_data():
    return make_classification(n_samples=400, n_features=10, n_informative=6, n_classes=3,
                               random_state=0)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_multiclass_and_pickle(cls, clf_data, tmp_path):
    X, y = clf_data
    labels = np.array(["electron", "muon", "pion"])[y]
    model = small(cls).fit(X, labels)
    assert_array_equal(model.classes_, ["electron", "muon", "pion"])
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.score(X, labels) > 0.8
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    loaded = pickle.loads(path.read_bytes())
    assert_array_equal(loaded.predict_proba(X), proba)
    assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressor_fits_and_pickles(cls):
    X, y = make_regression(n_samples=300, n_features=6, noise=1.0, random_state=0)
    model = small(cls).fit(X, y)
    assert model.score(X, y) > 0.9
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert model.predict(X).dtype == np.float64


@pytest.mark.parametrize("cls", ALL)
def test_feature_importances_find_the_informative_features(cls):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5))
    y = 3 * X[:, 2] + X[:, 4] + 0.1 * rng.normal(size=400)
    if cls in CLASSIFIERS:
        y = (y > 0).astype(int)
    imp = small(cls).fit(X, y).feature_importances_
    assert imp.shape == (5,)
    # the native scales: XGBoost normalises to 1, CatBoost to 100
    assert_allclose(imp.sum(), 100.0 if "Cat" in cls.__name__ else 1.0)
    assert np.argmax(imp) == 2
    assert imp[[0, 1, 3]].max() < imp[2] / 3


@pytest.mark.parametrize("cls", ALL)
def test_native_objects_are_exposed(cls, clf_data):
    X, y = clf_data
    model = small(cls).fit(X, y)
    native = model.booster_ if cls.__name__.startswith("XGB") else model.model_
    name = "xgboost" if cls.__name__.startswith("XGB") else "catboost"
    assert type(native).__module__.startswith(name)
    assert model.n_iter_ == 30
    assert model.device_ == "cpu"  # asked for


# ------------------------------------------------------------------ params dict
@pytest.mark.parametrize("cls", ALL)
def test_params_are_passed_through(cls):
    X, y = make_regression(n_samples=200, n_features=4, random_state=0)
    if cls in CLASSIFIERS:
        y = (y > 0).astype(int)
    key, value = ("gamma", 50.0) if cls.__name__.startswith("XGB") else ("border_count", 2)
    plain = small(cls).fit(X, y)
    tuned = small(cls, params={key: value}).fit(X, y)
    # a huge split penalty / two bins per feature: a different, weaker model
    assert not np.allclose(plain.predict(X), tuned.predict(X)) or cls in CLASSIFIERS
    assert tuned.score(X, y) < plain.score(X, y)


@pytest.mark.parametrize(
    "cls, params, match",
    [
        (XGBClassifier, {"max_dpeth": 3}, r"unknown XGBoost parameter.*'max_dpeth'.*max_depth"),
        (XGBRegressor, {"huber_slope": 1.0}, r"'huber_slope'.*not used"),
        (CatBoostClassifier, {"bordr_count": 3}, r"unknown CatBoost.*'bordr_count'.*border_count"),
        (CatBoostRegressor, {"foo": 1}, r"unknown CatBoost parameter.*'foo'"),
    ],
)
def test_unknown_params_raise(cls, params, match):
    X, y = make_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match=match):
        small(cls, params=params).fit(X, y)


@pytest.mark.parametrize(
    "cls, key, named",
    [
        (XGBClassifier, "eta", "learning_rate"),
        (XGBClassifier, "num_boost_round", "n_estimators"),
        (XGBRegressor, "nthread", "n_jobs"),
        (XGBRegressor, "seed", "random_state"),
        (XGBRegressor, "max_depth", "max_depth"),
        (CatBoostClassifier, "iterations", "n_estimators"),
        (CatBoostClassifier, "depth", "max_depth"),
        (CatBoostRegressor, "num_trees", "n_estimators"),
        (CatBoostRegressor, "random_seed", "random_state"),
        (CatBoostRegressor, "task_type", "device"),
    ],
)
def test_params_conflicting_with_named_parameters_raise(cls, key, named):
    X, y = make_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match=rf"params\['{key}'\] conflicts with .*'{named}'"):
        small(cls, params={key: 1}).fit(X, y)


def test_reserved_params_raise():
    X, y = make_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match=r"params\['num_class'\] is not accepted"):
        small(XGBRegressor, params={"num_class": 1}).fit(X, y)


def test_regressor_objective_can_be_changed():
    X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    y[:10] += 1000  # outliers
    l2 = small(XGBRegressor).fit(X, y)
    l1 = small(XGBRegressor, objective="reg:absoluteerror").fit(X, y)
    cb = small(CatBoostRegressor, loss_function="MAE").fit(X, y)
    clean = slice(10, None)
    err = {m: np.median(np.abs(m.predict(X[clean]) - y[clean])) for m in (l2, l1, cb)}
    assert err[l1] < err[l2] and err[cb] < err[l2]


# ------------------------------------------------------------------- devices
@pytest.mark.parametrize("cls", ALL)
def test_device_auto_and_cuda_fallback(cls, clf_data):
    X, y = clf_data
    auto = small(cls).set_params(device="auto").fit(X, y)
    if cuda_device_count():
        pytest.skip("a GPU is present: no fallback to test")
    assert auto.device_ == "cpu"
    with pytest.warns(UserWarning, match=r"device='cuda' was asked for but CUDA is not "
                      r"available .*training on the CPU"):
        model = small(cls).set_params(device="cuda").fit(X, y)
    assert model.device_ == "cpu"
    assert_array_equal(model.predict(X), auto.predict(X))


def test_bad_device_is_rejected():
    X, y = make_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match="'device' parameter"):
        XGBClassifier(device="tpu").fit(X, y)


# ------------------------------------------------------------ early stopping
@pytest.mark.parametrize("cls", ALL)
def test_early_stopping_stops_and_is_seeded(cls):
    X, y = make_classification(n_samples=500, n_features=10, flip_y=0.3, random_state=2)
    if cls in REGRESSORS:
        y = y + np.random.RandomState(0).normal(scale=0.5, size=len(y))
    kwargs = dict(n_estimators=400, learning_rate=0.5, n_jobs=1, device="cpu",
                  early_stopping_rounds=5, validation_fraction=0.25)
    a = cls(random_state=3, **kwargs).fit(X, y)
    b = cls(random_state=3, **kwargs).fit(X, y)
    assert a.n_iter_ < 400
    assert a.n_iter_ == b.n_iter_ and a.best_iteration_ == b.best_iteration_
    assert_array_equal(a.predict(X), b.predict(X))


def test_early_stopping_split_is_stratified():
    # 5% minority class: an unstratified 10% split of 60 rows can miss it entirely
    X, y = make_classification(n_samples=60, weights=[0.95], random_state=0)
    model = XGBClassifier(n_estimators=20, early_stopping_rounds=3, random_state=0,
                          n_jobs=1, device="cpu").fit(X, y)
    assert model.n_iter_ >= 1


# ------------------------------------------------------------------- weights
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_class_weight_balanced_equals_sample_weight(cls):
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    counts = np.bincount(y)
    w = (len(y) / (2 * counts))[y]
    a = small(cls, class_weight="balanced").fit(X, y)
    b = small(cls).fit(X, y, sample_weight=w)
    assert_allclose(a.predict_proba(X), b.predict_proba(X))
    unweighted = small(cls).fit(X, y)
    # the minority class gets higher probabilities
    assert a.predict_proba(X)[:, 1].mean() > unweighted.predict_proba(X)[:, 1].mean() + 0.005


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cls", [XGBClassifier, XGBRegressor, CatBoostRegressor])
def test_integer_weights_mean_repeated_rows(cls, seed):
    """scikit-learn's convention, up to float32 rounding in the libraries."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(80, 4))
    y = X[:, 0] + X[:, 1] ** 2
    if cls in CLASSIFIERS:
        y = np.digitize(y, [0, 1])
    w = rng.randint(0, 4, size=len(y))
    params = {"bootstrap_type": "No", "random_strength": 0} if "Cat" in cls.__name__ else None
    model = cls(n_estimators=20, max_depth=3, learning_rate=0.3, n_jobs=1, device="cpu",
                params=params)
    weighted = clone(model).fit(*shuffle(X, y, w, random_state=0)[:2],
                                sample_weight=shuffle(X, y, w, random_state=0)[2])
    repeated = clone(model).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    method = "predict_proba" if cls in CLASSIFIERS else "predict"
    assert_allclose(getattr(weighted, method)(X), getattr(repeated, method)(X),
                    rtol=1e-5, atol=1e-6)


def test_negative_and_misshaped_weights_raise():
    X, y = make_classification(n_samples=60, random_state=0)
    w = np.ones(60)
    w[3] = -1
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        small(XGBClassifier).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight.shape"):
        small(CatBoostClassifier).fit(X, y, sample_weight=np.ones(59))


# ------------------------------------------------------------------- pandas
def _frame(n=300, seed=0):
    rng = np.random.RandomState(seed)
    colour = rng.choice(["red", "green", "blue"], size=n)
    x = rng.normal(size=n)
    y = (x + 2 * (colour == "red") - 2 * (colour == "blue") + rng.normal(scale=0.3, size=n)
         > 0).astype(int)
    return pd.DataFrame({"x": x, "colour": pd.Categorical(colour)}), y


@pytest.mark.parametrize("seed,data_seed", SEED_PAIRS)
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_pandas_categorical_unseen_missing_and_pickle(cls, seed, data_seed):
    X, y = _frame(seed=data_seed)
    X_new, y_new = _frame(seed=data_seed + 10)  # held-out events
    model = small(cls).set_params(random_state=seed).fit(X, y)
    assert_array_equal(model.categorical_features_, [1])
    accuracy = model.score(X_new, y_new)
    # the baseline: the same model without the categorical column (~0.6; majority ~0.5)
    numeric_only = small(cls).set_params(random_state=seed).fit(X[["x"]], y)
    baseline = numeric_only.score(X_new[["x"]], y_new)
    assert accuracy > 0.85, (seed, data_seed, accuracy)
    assert accuracy > baseline + 0.2, (seed, data_seed, accuracy, baseline)
    # the colour carries the signal: its importance is large
    assert model.feature_importances_[1] > 0.3
    new = pd.DataFrame({"x": [0.0, 0.0, 0.0],
                        "colour": pd.Categorical(["red", "purple", None])})
    proba = model.predict_proba(new)
    assert proba.shape == (3, 2) and np.isfinite(proba).all()
    assert proba[0, 1] > 0.5
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(X[["x"]])


@pytest.mark.parametrize("cls", ALL)
def test_numeric_dataframe_keeps_feature_names(cls):
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = small(cls).fit(df, y)
    assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])
    assert len(model.categorical_features_) == 0
    with pytest.warns(UserWarning, match="valid feature names"):
        assert_array_equal(model.predict(df), model.predict(X))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", ALL)
def test_bad_input_gets_clear_errors(cls):
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    model = small(cls).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(X[:, :4])
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clone(model).fit(X_inf, y)
    X_str = X.astype(object)
    X_str[0, 0] = "a"
    with pytest.raises(ValueError, match="could not convert|argument must be"):
        clone(model).fit(X_str, y)
    with pytest.raises(ValueError, match="n_estimators"):
        clone(model).set_params(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError, match="params"):
        clone(model).set_params(params=[("eta", 1)]).fit(X, y)


@pytest.mark.parametrize("cls", ALL)
def test_missing_values_are_supported(cls):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    X[::7, 1] = np.nan
    model = small(cls).fit(X, y)
    assert np.isfinite(model.predict(X)).all()


def test_one_class_is_a_clear_error():
    X = np.random.RandomState(0).normal(size=(20, 3))
    for cls in CLASSIFIERS:
        with pytest.raises(ValueError, match="only one class"):
            small(cls).fit(X, np.zeros(20))


# --------------------------------------------------------- housekeeping
def test_catboost_writes_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X, y = make_classification(n_samples=100, random_state=0)
    small(CatBoostClassifier, early_stopping_rounds=3).fit(X, y)
    small(CatBoostRegressor).fit(X, y.astype(float))
    assert os.listdir(tmp_path) == []


def test_import_is_lazy():
    code = (
        "import sys, sklml.boosting; "
        "print(any(m in sys.modules for m in ('xgboost', 'catboost')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("seed,data_seed", SEED_PAIRS)
@pytest.mark.parametrize("cls", ALL)
def test_compare_params_give_a_good_quick_model(cls, seed, data_seed):
    if cls in CLASSIFIERS:
        X, y = make_classification(n_samples=1000, n_features=20, n_informative=10,
                                   random_state=data_seed)
        dummy = DummyClassifier(strategy="most_frequent")
    else:
        X, y = make_regression(n_samples=1000, n_features=20, n_informative=5, noise=5.0,
                               random_state=data_seed)
        dummy = DummyRegressor(strategy="mean")
    baseline = dummy.fit(X[:700], y[:700]).score(X[700:], y[700:])  # ~0.5 accuracy, ~0 R2
    model = cls(**cls.get_compare_params(), random_state=seed).fit(X[:700], y[:700])
    score = model.score(X[700:], y[700:])
    assert score > 0.85, (seed, data_seed, score)
    assert score > baseline + 0.3, (seed, data_seed, score, baseline)


@pytest.mark.parametrize("seed,data_seed", SEED_PAIRS)
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_auc_on_signal_background(cls, seed, data_seed):
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=12,
                               random_state=data_seed + 1)  # the original data: random_state=1
    model = cls(n_estimators=100, learning_rate=0.2, max_depth=4, n_jobs=1,
                device="cpu", random_state=seed).fit(X[:1500], y[:1500])
    auc = roc_auc_score(y[1500:], model.predict_proba(X[1500:])[:, 1])
    # a constant score (the prior) has AUC 0.5; one informative feature alone is the baseline
    best_single = max(max(a, 1 - a) for a in (roc_auc_score(y[1500:], X[1500:, j])
                                               for j in range(X.shape[1])))
    assert auc > 0.93, (seed, data_seed, auc)
    assert auc > best_single + 0.1, (seed, data_seed, auc, best_single)




# ------------------------------------------------- the native API, read from the library
@pytest.mark.parametrize(
    "ours, native_name",
    [(XGBClassifier, "XGBClassifier"), (XGBRegressor, "XGBRegressor"),
     (CatBoostClassifier, "CatBoostClassifier"), (CatBoostRegressor, "CatBoostRegressor")],
)
def test_constructor_has_every_native_keyword_and_default(ours, native_name):
    import inspect

    import catboost
    import xgboost
    from xgboost.sklearn import XGBModel

    native = getattr(xgboost if native_name.startswith("XGB") else catboost, native_name)
    wanted = dict(inspect.signature(native.__init__).parameters)
    if native_name.startswith("XGB"):
        wanted = {**inspect.signature(XGBModel.__init__).parameters, **wanted}
    wanted = {name: p.default for name, p in wanted.items()
              if name not in ("self", "kwargs")}
    params = ours().get_params()
    for name, default in wanted.items():
        assert name in params, name
        if name != "device":  # ours defaults to "auto"
            assert params[name] is default or params[name] == default, name
    assert params["device"] == "auto"


def test_native_keywords_survive_get_params_set_params_and_clone():
    model = XGBClassifier(gamma=1, eval_metric="auc", eta=0.2)
    assert model.get_params()["gamma"] == 1 and model.get_params()["eta"] == 0.2
    copy = clone(model).set_params(max_leaves=4, alpha=0.5)
    assert copy.get_params()["max_leaves"] == 4 and copy.kwargs == {"eta": 0.2, "alpha": 0.5}
    cat = clone(CatBoostRegressor(iterations=7, loss_function="MAE", border_count=16))
    assert (cat.iterations, cat.loss_function, cat.border_count) == (7, "MAE", 16)
    with pytest.raises(ValueError, match="Invalid parameter 'iteratons'"):
        cat.set_params(iteratons=3)


def test_misspelt_and_foreign_keywords_name_the_right_ones():
    X, y = make_classification(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match=r"'max_dpeth' \(did you mean max_depth"):
        XGBClassifier(max_dpeth=3, device="cpu").fit(X, y)
    with pytest.raises(ValueError, match=r"'iterations' \(a parameter of "
                                         r"sklml.boosting.CatBoostClassifier"):
        XGBClassifier(iterations=3, device="cpu").fit(X, y)
    with pytest.raises(TypeError, match=r"'deptth' \(did you mean depth"):
        CatBoostClassifier(deptth=3)
    with pytest.raises(TypeError, match=r"'gamma' \(a parameter of sklml.boosting.XGB"):
        CatBoostRegressor(gamma=1)
    with pytest.raises(TypeError, match=r"'eval_sett' \(did you mean eval_set"):
        small(CatBoostClassifier).fit(X, y, eval_sett=(X, y))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_in_eval_set_and_saved_models(cls, clf_data, tmp_path):
    X, y = clf_data
    labels = np.array(["electron", "muon", "pion"])[y]
    model = small(cls, early_stopping_rounds=5).set_params(n_estimators=200)
    model.fit(X[:300], labels[:300], eval_set=[(X[300:], labels[300:])], verbose=False)
    assert model.n_iter_ < 200
    assert set(model.predict(X)) <= {"electron", "muon", "pion"}
    path = str(tmp_path / ("model.json" if cls is XGBClassifier else "model.cbm"))
    model.save_model(path)
    loaded = cls()
    loaded.load_model(path)
    assert_array_equal(loaded.classes_, model.classes_)
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="labels not seen in y"):
        small(cls).fit(X, labels, eval_set=[(X[:5], ["tau"] * 5)])


def test_zero_weights_that_remove_a_class_keep_every_column():
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=0)
    w = np.where(y == 1, 0.0, 1.0)
    model = small(XGBClassifier).fit(X, y, sample_weight=w)
    proba = model.predict_proba(X)
    assert proba.shape == (300, 3)
    assert_allclose(proba[:, 1], 0.0)
    assert set(model.predict(X)) == {0, 2}


@pytest.mark.parametrize("cls", ALL)
def test_sparse_input_equals_dense_with_explicit_zeros_missing(cls):
    import scipy.sparse as sp

    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    X[np.abs(X) < 0.3] = 0.0
    model = small(cls).fit(sp.csr_matrix(X), y)
    out = model.predict(sp.csr_matrix(X))
    assert out.shape == (200,)
    assert model.score(sp.csr_matrix(X), y) > 0.8


@pytest.mark.parametrize("cls", REGRESSORS)
def test_multi_target_regression_defaults_to_a_multi_output_model(cls):
    X, Y = make_regression(n_samples=300, n_features=6, n_targets=2, noise=1.0,
                           random_state=0)
    model = small(cls).fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == (300, 2) and pred.dtype == np.float64
    for k in range(2):  # one model for both targets, better than their means
        assert np.mean((pred[:, k] - Y[:, k]) ** 2) < 0.5 * np.var(Y[:, k])


def test_catboost_n_jobs_and_silence_are_documented_defaults():
    X, y = make_classification(n_samples=100, random_state=0)
    model = CatBoostClassifier(iterations=5, n_jobs=1, device="cpu").fit(X, y)
    native = model.model_.get_params()
    assert native["thread_count"] == 1
    assert native["allow_writing_files"] is False and native["logging_level"] == "Silent"


def test_cuda_device_strings_fall_back_with_a_warning(clf_data):
    X, y = clf_data
    if cuda_device_count():
        pytest.skip("a GPU is present: no fallback to test")
    with pytest.warns(UserWarning,
                      match=r"device='cuda:0' was asked for but CUDA is not available"):
        model = small(XGBClassifier).set_params(device="cuda:0").fit(X, y)
    assert model.device_ == "cpu"


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_saved_model_keeps_pandas_categories(cls, tmp_path):
    X, y = _frame()
    X["n_jets"] = pd.Categorical(np.random.RandomState(1).randint(0, 4, len(X)))
    model = small(cls).fit(X, y)
    path = str(tmp_path / ("m.json" if cls is XGBClassifier else "m.cbm"))
    model.save_model(path)
    loaded = cls()
    loaded.load_model(path)
    assert_array_equal(loaded.categorical_features_, model.categorical_features_)
    assert_array_equal(loaded.feature_names_in_, ["x", "colour", "n_jets"])
    assert_allclose(loaded.predict_proba(X), model.predict_proba(X))


def _categorical_pool_data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"det": rng.choice(["ecal", "hcal", "muon"], size=n),
                      "pt": rng.normal(size=n), "eta": rng.normal(size=n)})
    particle = np.where(X.pt > 0.5, "pion", np.where(X.det == "ecal", "electron", "muon"))
    energy = 2 * X.pt.to_numpy() + (X.det == "muon") + rng.normal(scale=0.1, size=n)
    return X, {"multiclass": particle, "binary": (particle == "pion").astype(int),
               "regression": energy}


@pytest.mark.parametrize("target", ["multiclass", "binary", "regression"])
def test_catboost_fits_a_categorical_pool_as_catboost_does(target):
    """A Pool with cat_features goes to CatBoost as it is: the model equals
    the native one fitted on the same Pool, and the caller's Pool is left alone."""
    import catboost

    X, targets = _categorical_pool_data()
    y = targets[target]
    native_cls, ours_cls = ((catboost.CatBoostRegressor, CatBoostRegressor)
                            if target == "regression"
                            else (catboost.CatBoostClassifier, CatBoostClassifier))
    keywords = dict(iterations=20, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False)
    pool = catboost.Pool(X, label=y, cat_features=["det"])
    native = native_cls(**keywords).fit(pool)
    ours = ours_cls(**keywords).fit(pool)
    assert pool.get_weight() == [1.0] * len(y)
    assert_array_equal(ours.categorical_features_, [0])
    assert_array_equal(ours.feature_names_in_, ["det", "pt", "eta"])
    assert_array_equal(ours.predict(X), np.ravel(native.predict(X)))
    assert_array_equal(ours.predict(pool), ours.predict(X))
    if target != "regression":
        assert_array_equal(ours.classes_, np.unique(y))
        assert_allclose(ours.predict_proba(X), native.predict_proba(X), rtol=0, atol=1e-12)
        assert ours.score(X, y) > 0.8
        # eval_set as (X, y) with the Pool's labels, early stopping on it
        stopped = ours_cls(**keywords).fit(pool, eval_set=(X[:50], y[:50]),
                                           early_stopping_rounds=3)
        assert set(stopped.get_best_score()) == {"learn", "validation"}
    else:
        assert_allclose(ours.predict(X), native.predict(X), rtol=0, atol=1e-12)


def test_catboost_categorical_pool_weights_and_class_weight():
    import catboost

    X, targets = _categorical_pool_data()
    y = targets["multiclass"]
    keywords = dict(iterations=20, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False)
    w = np.random.RandomState(1).uniform(0.5, 1.5, size=len(y))
    w /= w.mean()  # mean 1: CatBoost's l2_leaf_reg is not rescaled
    pool = catboost.Pool(X, label=y, cat_features=["det"], weight=w)
    native = catboost.CatBoostClassifier(**keywords).fit(pool)
    ours = CatBoostClassifier(**keywords).fit(pool)
    assert_allclose(ours.predict_proba(X), native.predict_proba(X), rtol=0, atol=1e-12)
    # class_weight multiplies the Pool's weights, as it multiplies sample_weight
    balanced = CatBoostClassifier(**keywords, class_weight="balanced").fit(pool)
    from sklearn.utils import compute_sample_weight

    reweighted = catboost.Pool(X, label=y, cat_features=["det"],
                               weight=w * compute_sample_weight("balanced", y))
    # (the Pool stores weights as float32: equal to CatBoost's float rounding)
    assert_allclose(balanced.predict_proba(X),
                    CatBoostClassifier(**keywords).fit(reweighted).predict_proba(X),
                    rtol=0, atol=1e-6)


def test_catboost_categorical_pool_refuses_y_and_roles_beside_it():
    import catboost

    X, targets = _categorical_pool_data()
    pool = catboost.Pool(X, label=targets["binary"], cat_features=["det"])
    with pytest.raises(ValueError, match=r"X is a Pool.*not as y, cat_features"):
        small(CatBoostClassifier).fit(pool, targets["binary"], cat_features=["det"])
    with pytest.raises(ValueError, match=r"the Pool has no label"):
        small(CatBoostClassifier).fit(catboost.Pool(X, cat_features=["det"]))


def test_catboost_multiclass_predict_is_1d_where_native_is_a_column():
    """Documented difference: scikit-learn's contract wants 1-D labels;
    CatBoost's multiclass ``predict`` gives a (n_samples, 1) column."""
    import catboost

    X, y = make_classification(n_samples=200, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)
    keywords = dict(iterations=10, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False)
    native = catboost.CatBoostClassifier(**keywords).fit(X, y)
    ours = CatBoostClassifier(**keywords).fit(X, y)
    assert native.predict(X).shape == (200, 1)
    assert ours.predict(X).shape == (200,)
    assert_array_equal(ours.predict(X), native.predict(X).ravel())
    assert all(stage.shape == (200,) for stage in ours.staged_predict(X, eval_period=5))


@pytest.mark.parametrize("cls", ALL)
def test_cheap_prediction_check_keeps_the_checks_that_matter(cls, clf_data):
    """A plain float array skips validate_data's finiteness scan (both libraries
    take NaN and inf themselves); the checks of shape, type, sparse input and
    feature names stay."""
    import scipy.sparse as sp

    X, y = clf_data
    model = small(cls).fit(X, y)
    X32 = X.astype(np.float32)
    assert model._validate_X(X32) is X32  # no copy, no scan
    # NaN and inf are the libraries' to handle, as the native model does
    X_odd = X[:5].copy()
    X_odd[0, 0], X_odd[1, 1] = np.nan, np.inf
    if cls in CLASSIFIERS:
        assert_allclose(model.predict_proba(X_odd), model.model_.predict_proba(X_odd))
    else:
        assert_allclose(model.predict(X_odd), model.model_.predict(X_odd))
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :-1])
    with pytest.raises(ValueError, match="2D array"):
        model.predict(X[0])
    with pytest.raises(ValueError, match="0 sample"):
        model.predict(X[:0])
    with pytest.raises(ValueError):
        model.predict(X.astype(complex))
    assert_array_equal(model.predict(X.tolist()), model.predict(X))
    assert_array_equal(model.predict(sp.csr_matrix(X)), model.predict(X))
    named = small(cls).fit(pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]), y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X)


@pytest.mark.parametrize("weights", [None, [1.0, 2.0, 0.5]])
def test_catboost_class_names_order_gives_native_labels(weights):
    """CatBoost orders its classes (and probability columns) by class_names;
    the adapter keeps classes_ sorted, with the same labels and probabilities."""
    import catboost

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] > 0.5, "pion", np.where(X[:, 1] > 0, "electron", "muon"))
    keywords = dict(iterations=20, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False,
                    class_names=["pion", "electron", "muon"], class_weights=weights)
    native = catboost.CatBoostClassifier(**keywords).fit(X, y)
    ours = CatBoostClassifier(**keywords).fit(X, y)
    assert_array_equal(ours.classes_, ["electron", "muon", "pion"])
    assert_array_equal(ours.predict(X), native.predict(X).ravel())
    columns = [list(native.classes_).index(c) for c in ours.classes_]
    assert_allclose(ours.predict_proba(X), native.predict_proba(X)[:, columns], atol=1e-12)
    with pytest.raises(ValueError, match=r"class_names \['pion', 'electron'\] are not"):
        CatBoostClassifier(**{**keywords, "class_names": ["pion", "electron"],
                              "class_weights": None}).fit(X, y)


def test_catboost_categorical_eval_pool_with_the_fitted_labels():
    import catboost

    X, targets = _categorical_pool_data()
    y = targets["multiclass"]
    keywords = dict(iterations=20, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False)
    valid = catboost.Pool(X[:60], label=y[:60], cat_features=["det"])
    # fitted on a Pool: its labels and the eval Pool's are the same kind
    native = catboost.CatBoostClassifier(**keywords).fit(
        catboost.Pool(X, label=y, cat_features=["det"]), eval_set=valid)
    ours = CatBoostClassifier(**keywords).fit(
        catboost.Pool(X, label=y, cat_features=["det"]), eval_set=valid)
    assert ours.get_best_score() == native.get_best_score()
    # fitted on a frame with string labels: the native model sees 0 .. k-1, the Pool
    # cannot be relabelled, so the adapter says what to pass instead
    with pytest.raises(ValueError, match=r"eval_set=\(X_val, y_val\) instead"):
        CatBoostClassifier(**keywords).fit(X, y, cat_features=["det"], eval_set=valid)
    # integer labels 0 .. k-1 are what the native model sees: taken as they are
    y_int = targets["binary"]
    ours = CatBoostClassifier(**keywords).fit(
        X, y_int, cat_features=["det"],
        eval_set=catboost.Pool(X[:60], label=y_int[:60], cat_features=["det"]))
    assert "validation" in ours.get_best_score()


def test_catboost_numeric_eval_pool_with_string_labels():
    """A single eval_set Pool of numeric features is read back and its labels
    encoded like (X, y), so string labels work as in CatBoost."""
    import catboost

    X, targets = _categorical_pool_data()
    y = targets["multiclass"]
    X_num = X[["pt", "eta"]].to_numpy()
    keywords = dict(iterations=20, depth=3, random_seed=0, verbose=False, thread_count=1,
                    allow_writing_files=False)
    valid = catboost.Pool(X_num[:60], label=y[:60])
    native = catboost.CatBoostClassifier(**keywords).fit(X_num, y, eval_set=valid)
    ours = CatBoostClassifier(**keywords).fit(X_num, y, eval_set=valid)
    assert ours.get_best_score() == native.get_best_score()
    assert_allclose(ours.predict_proba(X_num), native.predict_proba(X_num), atol=1e-12)
