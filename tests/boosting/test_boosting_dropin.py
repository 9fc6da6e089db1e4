"""Drop-in acceptance: code written for xgboost's and catboost's own
scikit-learn wrappers runs unchanged on sklml's adapters.

Each scenario is a slice of the libraries' documented wrapper usage, written
once against a namespace ``lib`` holding the four classes. It runs twice, on
the native classes and on ours, and everything it returns (predictions,
margins, fitted attributes, evaluation logs, reloaded models) must agree:
arrays to 1e-6, everything else exactly.
"""

import types

import catboost
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xgboost
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

import sklml.boosting


NATIVE = types.SimpleNamespace(
    XGBClassifier=xgboost.XGBClassifier, XGBRegressor=xgboost.XGBRegressor,
    CatBoostClassifier=catboost.CatBoostClassifier,
    CatBoostRegressor=catboost.CatBoostRegressor,
)
OURS = types.SimpleNamespace(
    XGBClassifier=sklml.boosting.XGBClassifier, XGBRegressor=sklml.boosting.XGBRegressor,
    CatBoostClassifier=sklml.boosting.CatBoostClassifier,
    CatBoostRegressor=sklml.boosting.CatBoostRegressor,
)


def assert_same(native, ours, where="result"):
    """Arrays equal to 1e-6 (ours are float64 where the library gives float32),
    containers item by item, everything else exactly."""
    if isinstance(native, dict):
        assert isinstance(ours, dict) and set(ours) == set(native), where
        for key in native:
            assert_same(native[key], ours[key], f"{where}[{key!r}]")
    elif isinstance(native, (list, tuple)) and not np.isscalar(native):
        assert len(ours) == len(native), where
        for i, (a, b) in enumerate(zip(native, ours)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(native, (np.ndarray, float, np.floating)):
        native, ours = np.asarray(native), np.asarray(ours)
        assert ours.shape == native.shape, f"{where}: shape {ours.shape} != {native.shape}"
        if native.dtype.kind in "fc":
            np.testing.assert_allclose(ours, native, rtol=0, atol=1e-6, err_msg=where)
        else:
            np.testing.assert_array_equal(ours, native, err_msg=where)
    else:
        assert ours == native, f"{where}: {ours!r} != {native!r}"


@pytest.fixture
def run_both(tmp_path, monkeypatch):
    """Run a scenario on the native classes and on ours, in a scratch folder
    (native CatBoost writes catboost_info there), and compare what it returns."""
    monkeypatch.chdir(tmp_path)

    def run(scenario):
        (tmp_path / "native").mkdir()
        (tmp_path / "ours").mkdir()
        native = scenario(NATIVE, tmp_path / "native")
        ours = scenario(OURS, tmp_path / "ours")
        assert_same(native, ours)
        return native, ours

    return run


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, random_state=0)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                               random_state=1)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=600, n_features=8, noise=10.0, random_state=0)
    return train_test_split(X, y, test_size=0.3, random_state=0)


# ------------------------------------------------------------------ XGBoost
def test_xgb_constructor_keywords(run_both, binary):
    X_train, X_test, y_train, y_test = binary

    def scenario(lib, _):
        clf = lib.XGBClassifier(tree_method="hist", n_estimators=40, max_depth=4,
                                learning_rate=0.2, gamma=1, eval_metric="auc",
                                scale_pos_weight=5, min_child_weight=2, subsample=0.8,
                                colsample_bytree=0.7, reg_alpha=0.1, max_bin=64,
                                random_state=0, n_jobs=1)
        clf.fit(X_train, y_train)
        params = clf.get_xgb_params()
        return {"proba": clf.predict_proba(X_test), "labels": clf.predict(X_test),
                "importances": clf.feature_importances_, "classes": clf.classes_,
                "n_classes": clf.n_classes_, "n_features_in": clf.n_features_in_,
                "params": {k: params[k] for k in ("gamma", "eval_metric", "scale_pos_weight",
                                                  "max_bin", "objective")},
                "score": clf.score(X_test, y_test)}

    run_both(scenario)


def test_xgb_early_stopping_best_iteration_and_evals_result(run_both, binary):
    X_train, X_test, y_train, y_test = binary

    def scenario(lib, _):
        clf = lib.XGBClassifier(tree_method="hist", early_stopping_rounds=3,
                                eval_metric=["auc", "logloss"], n_estimators=300,
                                learning_rate=0.5, random_state=0, n_jobs=1)
        clf.fit(X_train, y_train, eval_set=[(X_train, y_train), (X_test, y_test)],
                verbose=False)
        return {"best_iteration": clf.best_iteration, "best_score": clf.best_score,
                "evals_result": clf.evals_result(), "proba": clf.predict_proba(X_test),
                "rounds": clf.get_booster().num_boosted_rounds()}

    native, _ = run_both(scenario)
    assert native["rounds"] < 300  # it did stop early


def test_xgb_regressor_eval_weights_margins_and_iteration_range(run_both, regression):
    X_train, X_test, y_train, y_test = regression
    w = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y_train))
    w_test = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y_test))

    def scenario(lib, _):
        reg = lib.XGBRegressor(n_estimators=30, max_depth=3, eval_metric=["rmse", "mae"],
                               random_state=0, n_jobs=1)
        reg.fit(X_train, y_train, sample_weight=w, eval_set=[(X_test, y_test)],
                sample_weight_eval_set=[w_test], verbose=False,
                base_margin=np.full(len(y_train), 3.0))
        return {"evals_result": reg.evals_result(),
                "pred": reg.predict(X_test, base_margin=np.full(len(y_test), 3.0)),
                "margin": reg.predict(X_test, output_margin=True),
                "first_10": reg.predict(X_test, iteration_range=(0, 10)),
                "leaves": reg.apply(X_test), "leaves_5": reg.apply(X_test, (0, 5)),
                "intercept": reg.intercept_}

    run_both(scenario)


def test_xgb_get_booster_and_importance_type(run_both, multiclass):
    X_train, X_test, y_train, _ = multiclass

    def scenario(lib, _):
        clf = lib.XGBClassifier(n_estimators=10, max_depth=3, importance_type="weight",
                                random_state=0, n_jobs=1)
        clf.fit(X_train, y_train)
        booster = clf.get_booster()
        return {"dump": booster.get_dump(), "gain": booster.get_score(importance_type="gain"),
                "importances": clf.feature_importances_,
                "margin": clf.predict(X_test, output_margin=True),
                "proba_5": clf.predict_proba(X_test, iteration_range=(0, 5)),
                "rounds": clf.get_num_boosting_rounds()}

    run_both(scenario)


def test_xgb_save_model_load_model_across_implementations(run_both, binary):
    X_train, X_test, y_train, _ = binary

    def scenario(lib, folder):
        other = OURS if lib is NATIVE else NATIVE
        clf = lib.XGBClassifier(n_estimators=15, max_depth=3, random_state=0, n_jobs=1)
        clf.fit(X_train, y_train)
        clf.save_model(folder / "model.json")
        same, crossed = lib.XGBClassifier(), other.XGBClassifier()
        same.load_model(folder / "model.json")
        crossed.load_model(folder / "model.json")
        return {"reloaded": same.predict_proba(X_test), "crossed": crossed.predict_proba(X_test),
                "labels": crossed.predict(X_test), "classes": same.classes_,
                "n_features_in": same.n_features_in_}

    run_both(scenario)


def test_xgb_continued_training(run_both, regression):
    X_train, X_test, y_train, _ = regression

    def scenario(lib, _):
        first = lib.XGBRegressor(n_estimators=10, random_state=0, n_jobs=1).fit(X_train, y_train)
        more = lib.XGBRegressor(n_estimators=5, random_state=0, n_jobs=1)
        more.fit(X_train, y_train, xgb_model=first.get_booster())
        return {"pred": more.predict(X_test),
                "rounds": more.get_booster().num_boosted_rounds()}

    native, _ = run_both(scenario)
    assert native["rounds"] == 15


def test_xgb_custom_objective_and_metric(run_both, regression):
    X_train, X_test, y_train, y_test = regression

    def squared_error(y_true, y_pred):
        return y_pred - y_true, np.ones_like(y_pred)

    def scenario(lib, _):
        reg = lib.XGBRegressor(n_estimators=20, objective=squared_error,
                               eval_metric=mean_absolute_error, random_state=0, n_jobs=1)
        reg.fit(X_train, y_train, eval_set=[(X_test, y_test)], verbose=False)
        return {"pred": reg.predict(X_test), "evals_result": reg.evals_result()}

    run_both(scenario)


def test_xgb_gblinear_coefficients(run_both, regression):
    X_train, X_test, y_train, _ = regression

    def scenario(lib, _):
        reg = lib.XGBRegressor(booster="gblinear", n_estimators=30, learning_rate=0.5,
                               random_state=0, n_jobs=1).fit(X_train, y_train)
        return {"coef": reg.coef_, "intercept": reg.intercept_, "pred": reg.predict(X_test)}

    run_both(scenario)


def test_xgb_categorical_dataframe(run_both):
    rng = np.random.RandomState(0)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n),
                          "det": pd.Categorical(rng.choice(["barrel", "endcap", "fwd"], n))})
    y = ((frame["x"] + (frame["det"] == "fwd") * 2) > 0.5).astype(int).to_numpy()

    def scenario(lib, _):
        clf = lib.XGBClassifier(tree_method="hist", enable_categorical=True,
                                max_cat_to_onehot=1, n_estimators=20, random_state=0,
                                n_jobs=1)
        clf.fit(frame, y)
        return {"proba": clf.predict_proba(frame), "importances": clf.feature_importances_,
                "names": list(clf.feature_names_in_)}

    run_both(scenario)


def test_xgb_multi_output(run_both):
    X, Y = make_regression(n_samples=300, n_features=6, n_targets=3, random_state=0)
    labels = (Y > 0).astype(int)

    def scenario(lib, _):
        reg = lib.XGBRegressor(tree_method="hist", multi_strategy="multi_output_tree",
                               n_estimators=10, random_state=0, n_jobs=1).fit(X, Y)
        clf = lib.XGBClassifier(tree_method="hist", n_estimators=10, random_state=0,
                                n_jobs=1).fit(X, labels)
        return {"reg": reg.predict(X), "proba": clf.predict_proba(X), "labels": clf.predict(X)}

    run_both(scenario)


def test_xgb_sparse_input(run_both, binary):
    X_train, X_test, y_train, _ = binary
    X_train = sp.csr_matrix(np.where(np.abs(X_train) < 0.5, 0.0, X_train))
    X_test = sp.csr_matrix(np.where(np.abs(X_test) < 0.5, 0.0, X_test))

    def scenario(lib, _):
        clf = lib.XGBClassifier(n_estimators=15, random_state=0, n_jobs=1).fit(X_train, y_train)
        return {"proba": clf.predict_proba(X_test)}

    run_both(scenario)


# ----------------------------------------------------------------- CatBoost
def _detector_frame(n=500, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({"pt": rng.exponential(30, n), "eta": rng.uniform(-2.5, 2.5, n),
                          "det": rng.randint(0, 4, n)})
    y = ((frame["pt"] > 25) ^ (frame["det"] == 2)).astype(int).to_numpy()
    flip = rng.rand(n) < 0.1
    return frame, np.where(flip, 1 - y, y)


def test_catboost_issue_example_cat_features_eval_set_early_stopping(run_both):
    frame, y = _detector_frame()
    X_train, X_val, y_train, y_val = train_test_split(frame, y, test_size=0.3, random_state=0)

    def scenario(lib, _):
        model = lib.CatBoostClassifier(iterations=500, depth=6, random_seed=0,
                                       loss_function="Logloss", verbose=False,
                                       thread_count=1, learning_rate=0.3)
        model.fit(X_train, y_train, cat_features=["det"], eval_set=(X_val, y_val),
                  early_stopping_rounds=20)
        return {"proba": model.predict_proba(X_val), "labels": model.predict(X_val),
                "best_iteration": model.get_best_iteration(),
                "best_score": model.get_best_score(), "best_score_": model.best_score_,
                "evals_result": model.get_evals_result(), "tree_count": model.tree_count_,
                "importance": model.get_feature_importance(),
                "importances_": model.feature_importances_,
                "feature_names": model.feature_names_,
                "raw": model.predict(X_val, prediction_type="RawFormulaVal"),
                "probability": model.predict(X_val, prediction_type="Probability"),
                "first_10": model.predict_proba(X_val, ntree_end=10),
                "staged": list(model.staged_predict_proba(X_val, eval_period=10)),
                "all_params": model.get_all_params()}

    native, _ = run_both(scenario)
    assert native["tree_count"] < 500
    assert abs(native["importances_"].sum() - 100) < 1e-6


def test_catboost_save_model_load_model_across_implementations(run_both):
    frame, y = _detector_frame(seed=1)

    def scenario(lib, folder):
        other = OURS if lib is NATIVE else NATIVE
        model = lib.CatBoostClassifier(iterations=30, depth=4, random_seed=0, verbose=False,
                                       cat_features=["det"], thread_count=1)
        model.fit(frame, y)
        model.save_model(str(folder / "model.cbm"))
        same, crossed = lib.CatBoostClassifier(), other.CatBoostClassifier()
        same.load_model(str(folder / "model.cbm"))
        crossed.load_model(str(folder / "model.cbm"))
        return {"reloaded": same.predict_proba(frame), "crossed": crossed.predict_proba(frame),
                "tree_count": crossed.tree_count_}

    run_both(scenario)


def test_catboost_regressor_losses_metrics_and_continued_training(run_both, regression):
    X_train, X_test, y_train, y_test = regression

    def scenario(lib, _):
        model = lib.CatBoostRegressor(iterations=40, depth=4, loss_function="MAE",
                                      eval_metric="RMSE", custom_metric=["R2", "MAPE"],
                                      random_seed=0, verbose=False, thread_count=1)
        model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        more = lib.CatBoostRegressor(iterations=10, depth=4, loss_function="MAE",
                                     random_seed=0, verbose=False, thread_count=1)
        more.fit(X_train, y_train, init_model=model)
        return {"pred": model.predict(X_test), "evals_result": model.get_evals_result(),
                "staged": list(model.staged_predict(X_test, eval_period=20)),
                "continued": more.predict(X_test), "trees": more.tree_count_,
                "shap": model.get_feature_importance(
                    catboost.Pool(X_test, y_test), type="ShapValues")}

    native, _ = run_both(scenario)
    assert native["trees"] == 50


def test_catboost_multi_output(run_both):
    X, Y = make_regression(n_samples=300, n_features=6, n_targets=2, random_state=0)
    labels = (Y > 0).astype(int)

    def scenario(lib, _):
        reg = lib.CatBoostRegressor(iterations=20, loss_function="MultiRMSE", random_seed=0,
                                    verbose=False, thread_count=1).fit(X, Y)
        clf = lib.CatBoostClassifier(iterations=20, loss_function="MultiLogloss",
                                     random_seed=0, verbose=False, thread_count=1)
        clf.fit(X, labels)
        return {"reg": reg.predict(X), "proba": clf.predict_proba(X),
                "labels": clf.predict(X)}

    run_both(scenario)


def test_catboost_sparse_input_and_class_weights(run_both, multiclass):
    X_train, X_test, y_train, _ = multiclass
    X_train = sp.csr_matrix(np.where(np.abs(X_train) < 0.5, 0.0, X_train))
    X_test = sp.csr_matrix(np.where(np.abs(X_test) < 0.5, 0.0, X_test))

    def scenario(lib, _):
        clf = lib.CatBoostClassifier(iterations=20, depth=4, random_seed=0, verbose=False,
                                     thread_count=1, class_weights={0: 1.0, 1: 2.0, 2: 0.5})
        clf.fit(X_train, y_train)
        return {"proba": clf.predict_proba(X_test), "log_proba": clf.predict_log_proba(X_test)}

    run_both(scenario)


def test_catboost_text_and_embedding_features(run_both):
    rng = np.random.RandomState(0)
    n = 300
    words = np.array(["muon", "electron", "jet", "photon", "tau", "track"])
    y = rng.randint(0, 2, n)
    text = [" ".join(rng.choice(words[:3] if label else words[3:], 3)) for label in y]
    frame = pd.DataFrame({"pt": rng.exponential(30, n), "text": text,
                          "emb": [rng.normal(label, 1.0, 4) for label in y]})

    def scenario(lib, _):
        model = lib.CatBoostClassifier(iterations=20, depth=3, random_seed=0, verbose=False,
                                       thread_count=1)
        model.fit(frame, y, text_features=["text"], embedding_features=["emb"])
        return {"proba": model.predict_proba(frame), "feature_names": model.feature_names_,
                "importance": model.get_feature_importance()}

    run_both(scenario)


def test_xgb_numeric_dataframe_names_the_booster_features(run_both, regression):
    X_train, X_test, y_train, _ = regression
    columns = [f"var{j}" for j in range(X_train.shape[1])]
    frame, frame_test = pd.DataFrame(X_train, columns=columns), pd.DataFrame(X_test,
                                                                            columns=columns)

    def scenario(lib, folder):
        reg = lib.XGBRegressor(n_estimators=10, max_depth=3, random_state=0, n_jobs=1)
        reg.fit(frame, y_train)
        more = lib.XGBRegressor(n_estimators=5, max_depth=3, random_state=0, n_jobs=1)
        more.fit(frame, y_train, xgb_model=reg.get_booster())
        reg.save_model(folder / "model.ubj")
        loaded = lib.XGBRegressor()
        loaded.load_model(folder / "model.ubj")
        booster = reg.get_booster()
        return {"names": booster.feature_names, "gain": booster.get_score(importance_type="gain"),
                "trees": booster.trees_to_dataframe().to_dict(orient="list"),
                "pred": reg.predict(frame_test), "continued": more.predict(frame_test),
                "loaded": loaded.predict(frame_test),
                "loaded_names": loaded.get_booster().feature_names}

    run_both(scenario)


def test_catboost_numeric_dataframe_keeps_feature_names(run_both, binary):
    X_train, X_test, y_train, y_test = binary
    columns = [f"var{j}" for j in range(X_train.shape[1])]
    frame, frame_test = pd.DataFrame(X_train, columns=columns), pd.DataFrame(X_test,
                                                                            columns=columns)

    def scenario(lib, _):
        model = lib.CatBoostClassifier(iterations=20, depth=4, random_seed=0, verbose=False,
                                       thread_count=1)
        model.fit(frame, y_train, eval_set=(frame_test, y_test))
        table = model.get_feature_importance(prettified=True)
        return {"names": model.feature_names_, "table": table.to_dict(orient="list"),
                "proba": model.predict_proba(frame_test)}

    run_both(scenario)


def test_catboost_fit_on_pools(run_both, regression):
    X_train, X_test, y_train, y_test = regression
    w = np.random.RandomState(0).uniform(0.5, 1.5, size=len(y_train))
    w /= w.mean()  # mean 1: CatBoost's l2_leaf_reg is then not rescaled

    def scenario(lib, _):
        train = catboost.Pool(X_train, label=y_train, weight=w)
        valid = catboost.Pool(X_test, label=y_test)
        model = lib.CatBoostRegressor(iterations=30, depth=4, random_seed=0, verbose=False,
                                      thread_count=1)
        model.fit(train, eval_set=valid, early_stopping_rounds=5)
        return {"pred": model.predict(valid), "pred_array": model.predict(X_test),
                "best_iteration": model.get_best_iteration(),
                "evals_result": model.get_evals_result()}

    run_both(scenario)


def test_catboost_fit_on_categorical_pools(run_both):
    """CatBoost's Pool usage with categorical features and string labels: the
    Pool goes to CatBoost as it is; labels, weights and evaluation agree."""
    frame, y = _detector_frame()
    labels = np.array(["background", "signal"])[y]
    w = np.random.RandomState(1).uniform(0.5, 1.5, size=350)
    w /= w.mean()  # mean 1: CatBoost's l2_leaf_reg is then not rescaled

    def scenario(lib, folder):
        train = catboost.Pool(frame[:350], label=labels[:350], cat_features=["det"],
                              weight=w)
        valid = catboost.Pool(frame[350:], label=labels[350:], cat_features=["det"])
        model = lib.CatBoostClassifier(iterations=100, depth=4, random_seed=0, verbose=False,
                                       thread_count=1, learning_rate=0.3)
        model.fit(train, eval_set=valid, early_stopping_rounds=10)
        model.save_model(str(folder / "model.cbm"))
        loaded = lib.CatBoostClassifier()
        loaded.load_model(str(folder / "model.cbm"))
        return {"labels": model.predict(frame[350:]), "pool_labels": model.predict(valid),
                "proba": model.predict_proba(valid), "classes": list(model.classes_),
                "best_iteration": model.get_best_iteration(),
                "evals_result": model.get_evals_result(),
                "loaded_labels": loaded.predict(frame[350:])}

    native, _ = run_both(scenario)
    assert set(native["labels"]) == {"background", "signal"}
