"""``sklml compare`` end to end, on third-party plugins registered like any package."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from plugin_helpers import make_distribution
from sklml.cli import main
from sklml.compare import compare, select_estimators
from sklml.datasets import load_dataset
from sklml.registry import all_estimators, clear_cache, estimator_kind

PLUGIN_MODULE = '''
"""Estimators for the compare tests: real classes, one that fails on purpose."""
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression


class FailingClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("this model fails on purpose")


class CrashingClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        import os

        os._exit(3)  # the process dies, as in a segfault


class QuickForest(RandomForestClassifier):
    @classmethod
    def get_compare_params(cls):
        return {"n_estimators": 7, "max_depth": 4}


class ImagesOnly(LogisticRegression):
    @classmethod
    def get_compare_params(cls):
        return None  # not for tabular data: left out unless asked for
'''

ENTRY_POINTS = {
    "ClosedFormRidge": "sklml_plugin_template:ClosedFormRidge",
    "SkLogistic": "sklearn.linear_model:LogisticRegression",
    "SkTree": "sklearn.tree:DecisionTreeClassifier",
    "SkKNNRegressor": "sklearn.neighbors:KNeighborsRegressor",
    "FailingClassifier": "compare_test_plugin:FailingClassifier",
    "QuickForest": "compare_test_plugin:QuickForest",
    "CrashingClassifier": "compare_test_plugin:CrashingClassifier",
    "ImagesOnly": "compare_test_plugin:ImagesOnly",
}


@pytest.fixture
def plugins(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("plugins")
    make_distribution(root, "compare-test-plugin", "0.1", ENTRY_POINTS, copy_template=True)
    (root / "compare_test_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    monkeypatch.syspath_prepend(str(root))
    clear_cache()
    yield root
    for mod in ("compare_test_plugin", "sklml_plugin_template"):
        sys.modules.pop(mod, None)


def run(capsys, *args):
    # one process: loky workers started by another test may not see this test's plugin folder
    code = main(["compare", "--quiet", "--n-jobs", "1", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_classification_leaderboard_and_report(plugins, tmp_path, capsys):
    out_dir = tmp_path / "report"
    code, stdout, err = run(capsys, "--data", "breast_cancer", "--cv", 3, "--out", out_dir,
                            "--estimators", "SkTree,FailingClassifier,SkLogistic,QuickForest")
    assert code == 0, err
    board = pd.read_csv(out_dir / "leaderboard.csv")
    assert list(board["model"][:3]) == ["SkLogistic", "QuickForest", "SkTree"]
    assert board["roc_auc_mean"][:3].is_monotonic_decreasing  # two classes: by ROC AUC
    failed = board.iloc[-1]
    assert failed["model"] == "FailingClassifier" and failed["status"] == "failed"
    assert "RuntimeError: this model fails on purpose" in failed["error"]
    assert np.isnan(failed["accuracy_mean"])

    # the figures are scikit-learn's own cross-validation of the same pipeline and folds
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    data = load_dataset("breast_cancer")
    ref = cross_validate(make_pipeline(StandardScaler(), LogisticRegression()), data.X, data.y,
                         cv=folds, scoring=["accuracy", "roc_auc", "f1", "precision", "recall"])
    row = board.set_index("model").loc["SkLogistic"]
    for metric in ["accuracy", "roc_auc", "f1", "precision", "recall"]:
        assert row[f"{metric}_mean"] == pytest.approx(ref[f"test_{metric}"].mean(), abs=1e-12)
        assert row[f"{metric}_std"] == pytest.approx(ref[f"test_{metric}"].std(), abs=1e-12)
    assert row["accuracy_mean"] > 0.95
    assert (board["fit_time_mean"][:3] > 0).all()

    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    assert "ROC AUC" in lines[header] and "fit time" in lines[header]
    assert lines[header + 1].split()[1] == "SkLogistic" and "±" in lines[header + 1]
    assert "failed: RuntimeError" in lines[header + 4]

    for name in ["roc_curves.png", "confusion_matrix.png", "feature_importances.png",
                 "scores.png", "report.html"]:
        assert (out_dir / name).stat().st_size > 1000, name
    assert (out_dir / "roc_curves.png").read_bytes()[:4] == b"\x89PNG"
    html = (out_dir / "report.html").read_text()
    pngs = sorted(p.name for p in out_dir.glob("*.png"))
    assert html.count("data:image/png;base64,") == len(pngs) == 11
    for name in ["roc_rejection.png", "input_variables.png", "correlation_signal.png",
                 "correlation_background.png", "overtraining_SkLogistic.png"]:
        assert name in pngs
    assert "src='http" not in html and 'src="http' not in html and "<link" not in html
    assert "this model fails on purpose" in html and "QuickForest" in html
    assert "n_estimators" in html  # the settings of each model


def test_regression_metrics_match_scikit_learn(plugins, tmp_path, capsys):
    out_dir = tmp_path / "reg"
    code, stdout, err = run(capsys, "--data", "diabetes", "--out", out_dir,
                            "--estimators", "SkKNNRegressor,ClosedFormRidge")
    assert code == 0, err
    board = pd.read_csv(out_dir / "leaderboard.csv").set_index("model")
    assert list(board.index) == ["ClosedFormRidge", "SkKNNRegressor"]  # by R²
    data = load_dataset("diabetes")
    ref = cross_validate(make_pipeline(StandardScaler(), Ridge(alpha=1.0)), data.X, data.y,
        cv=KFold(5, shuffle=True, random_state=0),
        scoring=["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"])
    row = board.loc["ClosedFormRidge"]
    assert row["r2_mean"] == pytest.approx(ref["test_r2"].mean(), rel=1e-9)
    assert row["mae_mean"] == pytest.approx(-ref["test_neg_mean_absolute_error"].mean(), rel=1e-9)
    assert row["rmse_mean"] == pytest.approx(
        -ref["test_neg_root_mean_squared_error"].mean(), rel=1e-9)
    assert 0.4 < row["r2_mean"] < 0.6
    assert (out_dir / "prediction_error.png").exists()
    assert (out_dir / "feature_importances.png").exists()
    assert "R²" in stdout and "RMSE" in stdout


def test_multiclass_roc_auc_is_one_vs_rest(plugins):
    data = load_dataset("iris")
    result = compare(data, estimators=["SkLogistic"], cv=4, random_state=3)
    ref = cross_validate(make_pipeline(StandardScaler(), LogisticRegression()), data.X, data.y,
                         cv=StratifiedKFold(4, shuffle=True, random_state=3),
                         scoring=["roc_auc_ovr", "f1_macro"])
    row = result.leaderboard.iloc[0]
    assert row["roc_auc_mean"] == pytest.approx(ref["test_roc_auc_ovr"].mean(), abs=1e-12)
    assert row["f1_mean"] == pytest.approx(ref["test_f1_macro"].mean(), abs=1e-12)
    assert result.oof_scores["SkLogistic"].shape == (150, 3)
    assert result.best == "SkLogistic"


def test_default_selection_includes_plugins_excludes_others(plugins):
    regressors = [n for n, _ in select_estimators("regression")]
    assert {"ClosedFormRidge", "SkKNNRegressor"} <= set(regressors)
    assert not {"SkLogistic", "QuickForest"} & set(regressors)
    structured = {"CNNClassifier", "RNNClassifier", "RNNRegressor"}  # images and sequences
    for name, cls in all_estimators("regressor"):
        if ("agent" not in estimator_kind(cls) and name not in structured
                and getattr(cls, "get_compare_params", dict)() is not None):
            assert name in regressors
    assert "RNNRegressor" not in regressors
    names = [n for n, _ in select_estimators("classification")]
    assert {"SkLogistic", "SkTree", "FailingClassifier", "QuickForest"} <= set(names)
    assert "ImagesOnly" not in names  # get_compare_params() returned None
    assert "ClosedFormRidge" not in names
    for name, cls in all_estimators(["classifier"]):
        kinds = estimator_kind(cls)
        if "agent" in kinds:
            assert name not in names
    assert not structured & set(names)  # left out of the tabular default set
    assert {"DecisionTreeClassifier", "XGBClassifier", "MLPClassifier"} <= set(names)
    # asking for it by name is allowed
    assert [n for n, _ in select_estimators("classification", ["ImagesOnly"])] == ["ImagesOnly"]
    assert [n for n, _ in select_estimators("classification", ["CNNClassifier"])] == [
        "CNNClassifier"]


def test_parallel_run_gives_the_same_leaderboard(plugins):
    data = load_dataset("wine")
    # classes the worker processes can import (the plugin folder is on this process's path only)
    names = ["SkLogistic", "SkTree"] + [
        n for n, _ in all_estimators("classifier") if n == "DecisionTreeClassifier"]
    serial = compare(data, estimators=names, cv=3).leaderboard
    parallel = compare(data, estimators=names, cv=3, n_jobs=2).leaderboard
    metrics = [c for c in serial.columns if c.endswith(("_mean", "_std")) and "time" not in c]
    pd.testing.assert_frame_equal(serial[["model", "status"] + metrics],
                                  parallel[["model", "status"] + metrics])
    assert parallel.iloc[0]["accuracy_mean"] > 0.9


def test_csv_with_text_labels_and_subsample(plugins, tmp_path, capsys):
    data = load_dataset("signal_background")
    frame = pd.DataFrame(data.X, columns=data.feature_names)
    frame["process"] = np.where(data.y == 1, "resonance", "continuum")
    frame.to_csv(tmp_path / "events.csv", index=False)
    out_dir = tmp_path / "csv"
    code, stdout, err = run(capsys, "--data", tmp_path / "events.csv", "--target", "process",
                            "--estimators", "SkLogistic", "--max-samples", 600,
                            "--sort", "roc_auc", "--out", out_dir)
    assert code == 0, err
    assert "600 samples x 10 features" in stdout
    board = pd.read_csv(out_dir / "leaderboard.csv")
    assert 0.7 < board.loc[0, "accuracy_mean"] < 0.85
    html = (out_dir / "report.html").read_text()
    assert "continuum: 300" in html and "resonance: 300" in html


@pytest.fixture
def bad_files(tmp_path):
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": ["a", "a", "a"]}).to_csv(
        tmp_path / "one_class.csv", index=False)
    pd.DataFrame({"x": ["u", "v", "w"], "label": [0, 1, 0]}).to_csv(
        tmp_path / "text.csv", index=False)
    pd.DataFrame({"x": np.arange(20.0), "label": [0] * 18 + [1] * 2}).to_csv(
        tmp_path / "rare.csv", index=False)
    return tmp_path


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "{d}/missing.csv", "--target", "label"], "no such file"),
        (["--data", "{d}/text.csv", "--target", "nope"], "no column 'nope'"),
        (["--data", "{d}/text.csv", "--target", "label"], "non-numeric feature"),
        (["--data", "{d}/one_class.csv", "--target", "label"], "only one class"),
        (["--data", "{d}/rare.csv", "--target", "label"], "fewer than --cv 5"),
        (["--data", "{d}/text.csv"], "--target"),
        (["--data", "mnist"], "unknown dataset"),
        (["--estimators", "NoSuchModel"], "no estimator registered as 'NoSuchModel'"),
        (["--estimators", "ClosedFormRidge"], "not a classifier"),
        (["--cv", "1"], "--cv"),
        (["--backend", "dask"], "--scheduler"),
        (["--data", "iris", "--estimators", "SkTree", "--sort", "r2", "--no-report"], "sort"),
    ],
)
def test_user_errors_are_one_line_exit_2(plugins, bad_files, capsys, args, message):
    code, stdout, err = run(capsys, *[a.format(d=bad_files) for a in args])
    assert code == 2
    assert err.startswith("sklml: error:") and err.count("\n") == 1, err
    assert message in err


def test_console_script_error_has_no_traceback(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sklml", "compare", "--data", str(tmp_path / "x.csv"),
         "--target", "y"],
        capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert out.returncode == 2
    assert out.stderr.strip() == f"sklml: error: no such file: {tmp_path / 'x.csv'}"


def test_a_dying_worker_fails_only_its_estimator(plugins, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sklml", "compare", "--quiet", "--data", "iris", "--n-jobs", "2",
         "--estimators", "CrashingClassifier,SkLogistic", "--out", str(tmp_path)],
        capture_output=True, text=True,
        env={**os.environ, "MPLBACKEND": "Agg",
             "PYTHONPATH": os.pathsep.join([str(plugins), os.environ.get("PYTHONPATH", "")])},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    board = pd.read_csv(tmp_path / "leaderboard.csv").set_index("model")
    assert board.loc["SkLogistic", "status"] == "ok"
    assert board.loc["SkLogistic", "accuracy_mean"] > 0.9
    assert board.loc["CrashingClassifier", "status"] == "failed"
    assert "worker process died" in board.loc["CrashingClassifier", "error"]


def test_bench_unknown_family_is_a_usage_error(capsys):
    assert main(["bench", "no_such_family"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sklml: error:") and "no_such_family" in err


@pytest.mark.slow
def test_default_run_is_quick(tmp_path):
    """``sklml compare`` with no arguments, every registered family: the README's main job."""
    import time

    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "sklml", "compare", "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    elapsed = time.perf_counter() - start
    assert out.returncode == 0, out.stdout + out.stderr
    board = pd.read_csv(tmp_path / "leaderboard.csv")
    assert (board["status"] == "ok").all(), board[["model", "error"]]
    assert board.loc[0, "accuracy_mean"] > 0.85
    assert (tmp_path / "report.html").exists()
    assert elapsed < 180, f"sklml compare took {elapsed:.0f} s"


def _leaderboard(capsys, out_dir, *args):
    code, _, err = run(capsys, "--data", "breast_cancer", "--cv", 3, "--out", out_dir,
                       "--estimators", "SkLogistic", *args)
    assert code == 0, err
    return pd.read_csv(out_dir / "leaderboard.csv").set_index("model").loc["SkLogistic"]


def _reference(data, estimator, seed):
    folds = StratifiedKFold(3, shuffle=True, random_state=seed)
    return cross_validate(estimator, data.X, data.y, cv=folds, scoring=["accuracy", "roc_auc"])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_no_scale_and_random_state_flags(plugins, tmp_path, capsys):
    """README: ``--random-state`` seeds the folds (same seed, identical figures; another
    seed, another split) and ``--no-scale`` drops the in-fold standardisation."""
    data = load_dataset("breast_cancer")
    seed_1 = _leaderboard(capsys, tmp_path / "a", "--random-state", 1)
    again = _leaderboard(capsys, tmp_path / "b", "--random-state", 1)
    raw_2 = _leaderboard(capsys, tmp_path / "c", "--random-state", 2, "--no-scale")
    scaled = make_pipeline(StandardScaler(), LogisticRegression())
    references = {"scaled, seed 1": _reference(data, scaled, 1),
                  "scaled, seed 2": _reference(data, scaled, 2),
                  "raw, seed 1": _reference(data, LogisticRegression(), 1),
                  "raw, seed 2": _reference(data, LogisticRegression(), 2)}
    mean = {name: ref["test_accuracy"].mean() for name, ref in references.items()}
    for metric in ["accuracy", "roc_auc"]:
        assert again[f"{metric}_mean"] == seed_1[f"{metric}_mean"]
        assert again[f"{metric}_std"] == seed_1[f"{metric}_std"]
        assert seed_1[f"{metric}_mean"] == pytest.approx(
            references["scaled, seed 1"][f"test_{metric}"].mean(), abs=1e-12)
        assert raw_2[f"{metric}_mean"] == pytest.approx(
            references["raw, seed 2"][f"test_{metric}"].mean(), abs=1e-12)
    # the figures tell the settings apart: the seed moves the split, --no-scale the model
    assert mean["raw, seed 2"] != mean["raw, seed 1"]
    assert mean["raw, seed 2"] != mean["scaled, seed 2"]
