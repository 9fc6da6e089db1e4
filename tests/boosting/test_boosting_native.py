"""The adapters predict exactly what the libraries' own APIs predict on the same
data, parameters and seed."""

import numpy as np
import pandas as pd
import catboost
import pytest
import xgboost
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import train_test_split

from sklml.boosting import CatBoostClassifier, CatBoostRegressor, XGBClassifier, XGBRegressor


def assert_float32_equal(ours, native):
    """XGBoost computes in float32; the adapter returns float64 (and computes the
    binary 1 - p in float64), so equal means equal to float32 precision."""
    assert_allclose(ours, np.asarray(native, dtype=np.float64), rtol=0, atol=1e-7)


COMMON = dict(n_estimators=20, max_depth=3, learning_rate=0.2, random_state=0, n_jobs=1)


def _classification(n_classes):
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=n_classes, random_state=0
    )
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3])
def test_xgb_classifier_equals_native_wrapper(n_classes):
    X, y = _classification(n_classes)
    w = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    ours = XGBClassifier(**COMMON, subsample=0.8, colsample_bytree=0.7, device="cpu")
    ours.fit(X, y, sample_weight=w)
    native = xgboost.XGBClassifier(**COMMON, subsample=0.8, colsample_bytree=0.7)
    native.fit(X, y, sample_weight=w)
    assert_float32_equal(ours.predict_proba(X), native.predict_proba(X))
    assert_array_equal(ours.predict_proba(X)[:, -1], native.predict_proba(X)[:, -1])
    assert_array_equal(ours.predict(X), native.predict(X))
    assert_allclose(ours.feature_importances_, native.feature_importances_, rtol=1e-6)


def test_xgb_regressor_equals_train_api():
    X, y = make_regression(n_samples=300, n_features=6, noise=5.0, random_state=0)
    ours = XGBRegressor(**COMMON, reg_lambda=2.0, min_child_weight=3, device="cpu",
                        params={"gamma": 0.1}).fit(X, y)
    params = {"max_depth": 3, "eta": 0.2, "seed": 0, "nthread": 1, "lambda": 2.0,
              "min_child_weight": 3, "gamma": 0.1, "objective": "reg:squarederror"}
    booster = xgboost.train(params, xgboost.QuantileDMatrix(X, label=y), num_boost_round=20)
    assert_array_equal(ours.predict(X), booster.inplace_predict(X))
    native = xgboost.XGBRegressor(**COMMON, reg_lambda=2.0, min_child_weight=3, gamma=0.1)
    assert_array_equal(ours.predict(X), native.fit(X, y).predict(X))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_catboost_classifier_equals_native(n_classes):
    X, y = _classification(n_classes)
    ours = CatBoostClassifier(**COMMON, rsm=0.7, l2_leaf_reg=2.0, device="cpu").fit(X, y)
    native = catboost.CatBoostClassifier(
        iterations=20, depth=3, learning_rate=0.2, random_seed=0, thread_count=1, rsm=0.7,
        l2_leaf_reg=2.0, allow_writing_files=False, verbose=False,
    ).fit(X, y)
    assert_allclose(ours.predict_proba(X), native.predict_proba(X), rtol=0, atol=1e-12)
    assert_array_equal(ours.predict(X), native.predict(X).ravel())
    assert_allclose(
        ours.feature_importances_, native.feature_importances_, rtol=1e-9
    )


def test_catboost_regressor_equals_native_with_weights():
    X, y = make_regression(n_samples=300, n_features=6, noise=5.0, random_state=0)
    w = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    ours = CatBoostRegressor(**COMMON, device="cpu").fit(X, y, sample_weight=w)
    # CatBoost scales l2_leaf_reg by the mean weight; the adapter undoes it
    native = catboost.CatBoostRegressor(
        iterations=20, depth=3, learning_rate=0.2, random_seed=0, thread_count=1,
        l2_leaf_reg=3.0 / w.mean(), allow_writing_files=False, verbose=False,
    ).fit(X, y, sample_weight=w)
    assert_allclose(ours.predict(X), native.predict(X), rtol=1e-12)
    unweighted = CatBoostRegressor(**COMMON, device="cpu").fit(X, y)
    native = catboost.CatBoostRegressor(
        iterations=20, depth=3, learning_rate=0.2, random_seed=0, thread_count=1,
        allow_writing_files=False, verbose=False,
    ).fit(X, y)
    assert_allclose(unweighted.predict(X), native.predict(X), rtol=1e-12)


def _split(y, stratify):
    return train_test_split(
        np.arange(len(y)), test_size=0.2, stratify=y if stratify else None, random_state=0
    )


def test_xgb_early_stopping_equals_native_with_same_split():
    X, y = make_classification(n_samples=600, n_features=10, flip_y=0.3, random_state=1)
    ours = XGBClassifier(n_estimators=300, learning_rate=0.3, random_state=0, n_jobs=1,
                         early_stopping_rounds=5, validation_fraction=0.2, device="cpu")
    ours.fit(X, y)
    train, valid = _split(y, stratify=True)
    native = xgboost.XGBClassifier(n_estimators=300, learning_rate=0.3, random_state=0,
                                   n_jobs=1, early_stopping_rounds=5)
    native.fit(X[train], y[train], eval_set=[(X[valid], y[valid])], verbose=False)
    assert ours.best_iteration_ == native.best_iteration < 299
    assert ours.n_iter_ == ours.best_iteration_ + 1
    assert_float32_equal(ours.predict_proba(X), native.predict_proba(X))


def test_catboost_early_stopping_equals_native_with_same_split():
    X, y = make_regression(n_samples=600, n_features=10, noise=30.0, random_state=1)
    ours = CatBoostRegressor(n_estimators=500, learning_rate=0.3, random_state=0, n_jobs=1,
                             early_stopping_rounds=10, validation_fraction=0.2, device="cpu")
    ours.fit(X, y)
    train, valid = _split(y, stratify=False)
    native = catboost.CatBoostRegressor(
        iterations=500, learning_rate=0.3, random_seed=0, thread_count=1,
        allow_writing_files=False, verbose=False,
    )
    native.fit(X[train], y[train], eval_set=(X[valid], y[valid]), early_stopping_rounds=10,
               use_best_model=True)
    assert ours.best_iteration_ == native.get_best_iteration()
    assert ours.n_iter_ == native.tree_count_ < 500
    assert_allclose(ours.predict(X), native.predict(X), rtol=1e-12)


def _frame(n=400, seed=0):
    rng = np.random.RandomState(seed)
    colour = rng.choice(["red", "green", "blue", "black"], size=n)
    size = rng.choice([1, 2, 3], size=n)
    x = rng.normal(size=n)
    logit = 1.5 * x + (colour == "red") * 2.0 - (colour == "blue") * 1.5 + (size == 2)
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    X = pd.DataFrame({
        "x": x,
        "colour": pd.Categorical(colour),
        "size": pd.Categorical(size),
        "z": rng.normal(size=n),
    })
    return X, y


def test_catboost_pandas_categorical_equals_native_cat_features():
    X, y = _frame()
    ours = CatBoostClassifier(**COMMON, device="cpu").fit(X, y)
    assert_array_equal(ours.categorical_features_, [1, 2])
    assert_array_equal(ours.feature_names_in_, ["x", "colour", "size", "z"])
    native = catboost.CatBoostClassifier(
        iterations=20, depth=3, learning_rate=0.2, random_seed=0, thread_count=1,
        cat_features=[1, 2], allow_writing_files=False, verbose=False,
    ).fit(X, y)
    assert_allclose(ours.predict_proba(X), native.predict_proba(X), rtol=0, atol=1e-12)
    assert ours.score(X, y) > 0.7


def test_xgb_pandas_categorical_equals_native_enable_categorical():
    X, y = _frame()
    ours = XGBClassifier(**COMMON, device="cpu").fit(X, y)
    native = xgboost.XGBClassifier(**COMMON, enable_categorical=True).fit(X, y)
    assert_float32_equal(ours.predict_proba(X), native.predict_proba(X))
    # categories as plain strings (object dtype) are categorical too
    X_obj = X.assign(colour=X["colour"].astype(str))
    ours_obj = XGBClassifier(**COMMON, device="cpu").fit(X_obj, y)
    assert_allclose(ours_obj.predict_proba(X_obj), ours.predict_proba(X), atol=1e-6)
