"""sklml.onnx: every exportable estimator gives sklml's outputs under ONNX
Runtime (held-out rows, batch and single row); what cannot be exported says
which and why; ``sklml export`` on the command line."""

import subprocess
import sys
import warnings

import numpy as np
import onnxruntime as ort
import pytest
import skl2onnx
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


import sklml.io
from sklml.onnx import NotExportableError, exportable_classes, to_onnx
from sklml.registry import all_estimators, estimator_kind
from sklml.testing import build_test_instance

TREE_FAMILIES = ("sklml.tree", "sklml.ensemble")


def _data(kind, seed=0, n_classes=3):
    if kind == "classifier":
        X, y = make_classification(400, 6, n_informative=4, n_classes=n_classes,
                                   random_state=seed)
    else:
        X, y = make_regression(400, 6, noise=5.0, random_state=seed)
    return X[:300], y[:300], X[300:].astype(np.float32)


def _run(model, X):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {"X": np.asarray(X, dtype=np.float32)})


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the tiny test fits
        return est.fit(X, y)


def _assert_parity(est, model, X_test, kind, exact_labels):
    for rows in (X_test, X_test[:1]):  # batch and single row
        out = _run(model, rows)
        if kind == "classifier":
            label, proba = out
            expected = est.predict_proba(rows)
            np.testing.assert_allclose(proba, expected, atol=1e-5, rtol=0)
            predicted = est.predict(rows)
            top2 = np.sort(expected, axis=1)[:, -2:]
            if exact_labels:  # every decision that is not an exact tie of votes
                decided = top2[:, 1] - top2[:, 0] > 1e-12
                np.testing.assert_array_equal(label[decided], predicted[decided])
                assert decided.mean() > 0.9
            else:  # a float32 network may flip a near tie: compare clear decisions
                clear = top2[:, 1] - top2[:, 0] > 1e-4
                np.testing.assert_array_equal(label[clear], predicted[clear])
                assert clear.mean() > 0.5  # not vacuous (a small forest ties often)
        else:
            pred = est.predict(rows).reshape(len(rows), -1)
            scale = np.abs(est.predict(X_test)).max()
            np.testing.assert_allclose(out[0], pred, rtol=1e-5, atol=1e-5 * scale)


def _exportable():
    params = []
    for cls in exportable_classes():
        kind = "classifier" if "classifier" in estimator_kind(cls) else "regressor"
        if cls.__module__.startswith("sklml.neural") and "transformer" in estimator_kind(cls):
            continue
        params.append(pytest.param(cls, kind, id=cls.__name__))
    return params


def _estimator(cls, seed):
    est = build_test_instance(cls)
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est


@pytest.mark.parametrize("cls, kind", _exportable())
def test_onnx_parity_every_exportable_estimator(cls, kind):
    X, y, X_test = _data(kind)
    est = _fit(_estimator(cls, 0), X, y)
    try:
        model = to_onnx(est, X_test[:2])
    except NotExportableError as exc:
        pytest.fail(f"{cls.__name__} is registered as exportable: {exc}")
    _assert_parity(est, model, X_test, kind, cls.__module__.startswith(TREE_FAMILIES))


@pytest.mark.parametrize("seed", [None, 1, 2])
@pytest.mark.parametrize("name", ["DecisionTreeClassifier", "RandomForestClassifier",
                                  "ExtraTreesClassifier", "AdaBoostClassifier",
                                  "DecisionTreeRegressor", "RandomForestRegressor",
                                  "ExtraTreesRegressor", "AdaBoostRegressor"])
def test_tree_models_exact_labels_with_missing_values_and_string_classes(name, seed):
    """Full-depth trees (the default) on data with NaN, two and three classes."""
    classes = dict(all_estimators())
    if name not in classes:
        pytest.skip(f"{name} is not registered")
    cls = classes[name]
    kind = "classifier" if "classifier" in estimator_kind(cls) else "regressor"
    for n_classes in ((2, 3) if kind == "classifier" else (None,)):
        X, y, X_test = _data(kind, seed=seed or 0, n_classes=n_classes or 2)
        rng = np.random.RandomState(seed)
        X[rng.rand(*X.shape) < 0.1] = np.nan
        X_test[rng.rand(*X_test.shape) < 0.1] = np.nan
        if kind == "classifier":
            y = np.array(["background", "signal", "other"])[y]
        est = _fit(cls(random_state=seed), X, y)
        _assert_parity(est, to_onnx(est, X_test[:1]), X_test, kind, exact_labels=True)


def test_multi_output_regression_tree():
    from sklml.ensemble import RandomForestRegressor

    X, y, X_test = _data("regressor")
    Y = np.column_stack([y, -2 * y + 1])
    forest = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, Y)
    out = _run(to_onnx(forest, X[:1]), X_test)[0]
    assert out.shape == (len(X_test), 2)
    np.testing.assert_allclose(out, forest.predict(X_test), rtol=1e-5,
                               atol=1e-5 * np.abs(Y).max())


def test_thresholds_are_float32_and_rows_on_a_threshold_go_left():
    """Rows exactly on a (float32) threshold, and just above it, agree with sklml."""
    from sklml.tree import DecisionTreeClassifier

    X, y, _ = _data("classifier")
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    inner = tree.tree_.children_left != -1
    feats, thr = tree.tree_.feature[inner], tree.tree_.threshold[inner]
    X_edge = np.repeat(X[:1], 2 * len(thr), axis=0).astype(np.float32)
    t32 = thr.astype(np.float32)
    X_edge[np.arange(len(thr)), feats] = t32
    X_edge[len(thr) + np.arange(len(thr)), feats] = np.nextafter(t32, np.float32(np.inf))
    label, _ = _run(to_onnx(tree, X[:1]), X_edge)
    np.testing.assert_array_equal(label, tree.predict(X_edge))


def test_pipeline_through_sklml_and_through_skl2onnx():
    from sklml.ensemble import RandomForestClassifier
    from sklml.linear_model import GDRegressor
    from sklml.onnx import register_converters

    X, y, X_test = _data("classifier")
    pipe = make_pipeline(StandardScaler(),
                         RandomForestClassifier(n_estimators=10, random_state=0)).fit(X, y)
    _assert_parity(pipe, to_onnx(pipe, X[:1]), X_test, "classifier", exact_labels=False)
    register_converters()
    model = skl2onnx.to_onnx(pipe, X[:1].astype(np.float32),
                             options={id(pipe.steps[-1][1]): {"zipmap": False}})
    np.testing.assert_allclose(_run(model, X_test)[1], pipe.predict_proba(X_test), atol=1e-5)

    Xr, yr, Xr_test = _data("regressor")
    search = _fit(GridSearchCV(make_pipeline(StandardScaler(), GDRegressor(random_state=0)),
                               {"gdregressor__alpha": [1e-4, 1e-2]}, cv=3), Xr, yr)
    _assert_parity(search, to_onnx(search, Xr[:1]), Xr_test, "regressor", False)


# -- bad input --------------------------------------------------------------------
def test_unfitted_estimator():
    from sklml.tree import DecisionTreeClassifier

    with pytest.raises(NotFittedError, match="DecisionTreeClassifier"):
        to_onnx(DecisionTreeClassifier(), np.zeros((1, 3)))


@pytest.mark.parametrize("name, why", [("Autoencoder", "autoencoder"),
                                       ("QLearning", "reinforcement-learning agent")])
def test_non_exportable_estimator_says_which_and_why(name, why):
    cls = dict(all_estimators())[name]
    kinds = estimator_kind(cls)
    est = build_test_instance(cls)
    if "agent" in kinds:
        from sklml.rl._checks import _small_mdp

        est.fit(_small_mdp())
    else:
        _fit(est, _data("regressor")[0], None)
    with pytest.raises(NotExportableError, match=name) as info:
        to_onnx(est, np.zeros((1, 6)))
    assert why in str(info.value)


def test_pipeline_with_a_non_exportable_step():
    from sklml.neural import Autoencoder

    X, y, _ = _data("regressor")
    from sklml.linear_model import GDRegressor

    pipe = _fit(make_pipeline(Autoencoder(**Autoencoder.get_test_params()),
                              GDRegressor(random_state=0)), X, y)
    with pytest.raises(NotExportableError, match="Autoencoder"):
        to_onnx(pipe, X[:1])


def test_x_sample_of_the_wrong_width():
    from sklml.tree import DecisionTreeRegressor

    X, y, _ = _data("regressor")
    tree = DecisionTreeRegressor(max_depth=2).fit(X, y)
    with pytest.raises(ValueError, match="fitted on 6"):
        to_onnx(tree, np.zeros((1, 4)))


# -- command line -----------------------------------------------------------------
def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sklml", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_cli_export(tmp_path):
    from sklml.ensemble import AdaBoostClassifier

    X, y, X_test = _data("classifier")
    est = AdaBoostClassifier(random_state=0).fit(X, y)
    sklml.io.dump(est, tmp_path / "ada.skops")
    out = _cli("export", "ada.skops", "--format", "onnx", "--out", "ada.onnx", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "outputs label, probabilities" in out.stdout
    import onnx

    label, _ = _run(onnx.load(tmp_path / "ada.onnx"), X_test)
    np.testing.assert_array_equal(label, est.predict(X_test))


def test_cli_export_errors_write_nothing(tmp_path, monkeypatch, capsys):
    from sklml.cli import main

    from sklml.rl import QLearning
    from sklml.rl._checks import _small_mdp

    sklml.io.dump(build_test_instance(QLearning).fit(_small_mdp()), tmp_path / "agent.skops")
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04K\x01.")
    for args, message in [(["missing.skops"], "no such file"),
                          (["model.pkl"], "convert_pickle"),
                          (["agent.skops"], "reinforcement-learning agent")]:
        before = sorted(p.name for p in tmp_path.iterdir())
        monkeypatch.chdir(tmp_path)
        assert main(["export", *args, "--out", "x.onnx"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("sklml: error:") and message in err, err
        assert sorted(p.name for p in tmp_path.iterdir()) == before
