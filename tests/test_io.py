"""sklml.io: every registered estimator round-trips through skops; hostile
files are refused; bad input gets a clear error and writes nothing."""

import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings
import zipfile

import numpy as np
import pytest
import skops.io
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import sklml.io
from _helpers import fit_by_kind
from sklml.registry import all_estimators, clear_cache, estimator_kind
from sklml.testing import build_test_instance

X_CLF, Y_CLF = make_classification(120, 6, n_informative=4, n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(120, 6, random_state=0)
X_NEW = np.random.RandomState(1).normal(size=(40, 6))


def _small_mdp():
    from sklml.rl._checks import _small_mdp as mdp

    return mdp()


def _own(kind):
    return [pytest.param(cls, id=name) for name, cls in all_estimators(type_filter=kind)
            if cls.__module__.startswith("sklml.")]


def _fitted(cls):
    return fit_by_kind(build_test_instance(cls), (X_CLF, Y_CLF), (X_REG, Y_REG), X_REG,
                       agent_env=_small_mdp)


def _outputs(est):
    """Everything an estimator computes from new data, by method name."""
    if "agent" in estimator_kind(type(est)):
        obs = [0, 1]
        out = {"act": [est.act(o) for o in obs]}
        for method in ("predict_q", "predict_proba"):
            if hasattr(est, method):
                out[method] = [np.asarray(getattr(est, method)(o)) for o in obs]
        return out
    out = {}
    for method in ("predict", "predict_proba", "decision_function", "transform",
                   "score_samples"):
        if hasattr(est, method):
            out[method] = getattr(est, method)(X_NEW)
    if hasattr(est, "sample"):
        out["sample"] = est.sample(5, random_state=0)
    return out


def _assert_same_outputs(a, b):
    out_a, out_b = _outputs(a), _outputs(b)
    assert out_a.keys() == out_b.keys() and out_a
    for name in out_a:
        np.testing.assert_array_equal(np.asarray(out_a[name]), np.asarray(out_b[name]),
                                      err_msg=name)


@pytest.mark.parametrize("cls", _own(["classifier", "regressor", "transformer", "agent"]))
def test_every_estimator_round_trips(cls, tmp_path):
    est = _fitted(cls)
    path = tmp_path / "model.skops"
    sklml.io.dump(est, path)
    loaded = sklml.io.load(path)
    assert type(loaded) is type(est)
    assert loaded.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    _assert_same_outputs(est, loaded)


def test_torch_models_hold_no_pickle(tmp_path):
    """The archive of a torch model is arrays and JSON only (no pickle bytes)."""
    from sklml.neural import MLPClassifier

    path = tmp_path / "mlp.skops"
    sklml.io.dump(_fitted(MLPClassifier), path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        schema = archive.read("schema.json").decode()
    assert all(n.endswith((".npy", ".json")) for n in names), names
    assert "BytesNode" not in schema and "SklmlTensorNode" in schema


def test_pipeline_and_grid_search_round_trip(tmp_path):
    from sklml.neural import MLPClassifier
    from sklml.tree import DecisionTreeClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(
            make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0)),
            {"decisiontreeclassifier__max_depth": [2, 4]}, cv=3).fit(X_CLF, Y_CLF)
        mlp = make_pipeline(StandardScaler(), MLPClassifier(
            **{**MLPClassifier.get_test_params(), "random_state": 0})).fit(X_CLF, Y_CLF)
    for est in (search, mlp):
        path = tmp_path / "m.skops"
        sklml.io.dump(est, path)
        loaded = sklml.io.load(path)
        np.testing.assert_array_equal(loaded.predict_proba(X_NEW), est.predict_proba(X_NEW))
    assert loaded.steps[1][1].net_.module_ is not mlp.steps[1][1].net_.module_


def test_loaded_torch_model_keeps_training(tmp_path):
    """Module and optimizer share their parameters after loading (warm start works)."""
    from sklml.neural import MLPRegressor

    est = _fitted(MLPRegressor)
    sklml.io.dump(est, tmp_path / "m.skops")
    loaded = sklml.io.load(tmp_path / "m.skops")
    net = loaded.net_
    module_params = {id(p) for p in net.module_.parameters()}
    opt_params = {id(p) for g in net.optimizer_.param_groups for p in g["params"]}
    assert opt_params == module_params
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded.partial_fit(X_REG, Y_REG)
        est.partial_fit(X_REG, Y_REG)
    np.testing.assert_allclose(loaded.predict(X_NEW), est.predict(X_NEW), rtol=1e-5)


def test_written_in_one_process_loads_in_another(tmp_path):
    path = tmp_path / "forest.skops"
    script = textwrap.dedent(f"""
        import numpy as np, sklml.io
        from sklml.ensemble import RandomForestClassifier
        from sklml.neural import MLPClassifier
        X = np.asarray({X_CLF.tolist()!r}); y = np.asarray({Y_CLF.tolist()!r})
        sklml.io.dump(RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y),
                      {str(path)!r})
        sklml.io.dump(MLPClassifier(**{{**MLPClassifier.get_test_params(),
                                             "random_state": 0}}).fit(X, y), {str(path) + '.mlp'!r})
    """)
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    from sklml.ensemble import RandomForestClassifier
    from sklml.neural import MLPClassifier

    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X_CLF, Y_CLF)
    np.testing.assert_array_equal(sklml.io.load(path).predict_proba(X_NEW),
                                  forest.predict_proba(X_NEW))
    mlp = MLPClassifier(**{**MLPClassifier.get_test_params(), "random_state": 0})
    mlp.fit(X_CLF, Y_CLF)
    np.testing.assert_array_equal(sklml.io.load(str(path) + ".mlp").predict_proba(X_NEW),
                                  mlp.predict_proba(X_NEW))


# -- hostile files ----------------------------------------------------------------
def test_hostile_skops_file_is_refused(tmp_path):
    hostile = FunctionTransformer(func=os.system).fit(X_REG)
    path = tmp_path / "hostile.skops"
    skops.io.dump(hostile, path)
    with pytest.raises(sklml.io.UntrustedTypesError, match="system") as info:
        sklml.io.load(path)
    assert any(t.endswith(".system") for t in info.value.untrusted)
    assert isinstance(info.value, TypeError)


class _Harmless:
    pass


def test_trusted_accepts_more_types(tmp_path):
    obj = FunctionTransformer(kw_args={"thing": _Harmless()}).fit(X_REG)
    path = tmp_path / "extra.skops"
    sklml.io.dump(obj, path)
    name = f"{_Harmless.__module__}._Harmless"
    assert sklml.io.get_untrusted_types(path) == [name]
    with pytest.raises(sklml.io.UntrustedTypesError, match="_Harmless"):
        sklml.io.load(path)
    assert isinstance(sklml.io.load(path, trusted=[name]).kw_args["thing"], _Harmless)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_is_refused_with_the_way_out(tmp_path):
    marker = tmp_path / "pwned"
    for name in ("model.pkl", "model.skops"):  # the suffix does not matter
        path = tmp_path / name
        path.write_bytes(pickle.dumps(_Exploit(str(marker))))
        with pytest.raises(sklml.io.PickleFileError, match="convert_pickle"):
            sklml.io.load(path)
    assert not marker.exists()


def test_convert_pickle(tmp_path):
    import joblib
    from sklml.tree import DecisionTreeRegressor

    tree = DecisionTreeRegressor(max_depth=3).fit(X_REG, Y_REG)
    joblib.dump(tree, tmp_path / "tree.joblib")
    sklml.io.convert_pickle(tmp_path / "tree.joblib", tmp_path / "tree.skops")
    np.testing.assert_array_equal(sklml.io.load(tmp_path / "tree.skops").predict(X_NEW),
                                  tree.predict(X_NEW))


def test_corrupt_tree_is_refused_before_predict(tmp_path):
    from sklml.tree import DecisionTreeClassifier

    clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_CLF, Y_CLF)
    clf.tree_.children_left[0] = 10**6  # would read far outside the node array
    path = tmp_path / "bad.skops"
    sklml.io.dump(clf, path)
    with pytest.raises(ValueError, match="corrupt tree"):
        sklml.io.load(path)


def test_newer_major_version_warns(tmp_path):
    from sklml.tree import DecisionTreeClassifier

    path = tmp_path / "m.skops"
    sklml.io.dump(DecisionTreeClassifier().fit(X_CLF, Y_CLF), path)
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read(sklml.io.META_NAME))
        members = {n: archive.read(n) for n in archive.namelist()}
    assert meta["sklml_version"] == sklml.__version__ and meta["format_version"] == 1
    meta["sklml_version"] = "99.0.0"
    members[sklml.io.META_NAME] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.warns(sklml.io.FormatVersionWarning, match="99.0.0"):
        sklml.io.load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sklml.io.dump(DecisionTreeClassifier().fit(X_CLF, Y_CLF), path)
        sklml.io.load(path)  # same version: no warning


# -- plugins ----------------------------------------------------------------------
def test_plugin_registers_trusted_types(tmp_path, monkeypatch):
    pkg = tmp_path / "io_plugin_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent("""
        class Payload:
            pass

        TRUSTED_TYPES = ["io_plugin_pkg.Payload"]
    """))
    info = tmp_path / "io_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: io-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[sklml.trusted_types]\nio_plugin = io_plugin_pkg:TRUSTED_TYPES\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import io_plugin_pkg

    path = tmp_path / "p.skops"
    sklml.io.dump(FunctionTransformer(kw_args={"p": io_plugin_pkg.Payload()}).fit(X_REG), path)
    clear_cache()
    assert "io_plugin_pkg.Payload" in sklml.registry.trusted_types()
    assert isinstance(sklml.io.load(path).kw_args["p"], io_plugin_pkg.Payload)


# -- bad input --------------------------------------------------------------------
def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.skops"):
        sklml.io.load(tmp_path / "nope.skops")
    with pytest.raises(FileNotFoundError, match="nope.pkl"):
        sklml.io.convert_pickle(tmp_path / "nope.pkl", tmp_path / "out.skops")
    assert not (tmp_path / "out.skops").exists()


def test_not_a_skops_archive(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a skops archive"):
        sklml.io.load(text)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("data.csv", "1,2")
    with pytest.raises(ValueError, match="no schema.json"):
        sklml.io.load(other_zip)
    with pytest.raises(IsADirectoryError):
        sklml.io.load(tmp_path)


def test_unfitted_or_not_an_estimator_writes_nothing(tmp_path):
    from sklml.tree import DecisionTreeClassifier

    path = tmp_path / "m.skops"
    with pytest.raises(NotFittedError, match="DecisionTreeClassifier"):
        sklml.io.dump(DecisionTreeClassifier(), path)
    with pytest.raises(TypeError, match="fitted estimators"):
        sklml.io.dump({"a": 1}, path)
    with pytest.raises(TypeError, match="lambda"):  # a file that could never load
        sklml.io.dump(FunctionTransformer(func=lambda x: x).fit(X_REG), path)
    with pytest.raises(FileNotFoundError, match="no folder"):
        sklml.io.dump(DecisionTreeClassifier().fit(X_CLF, Y_CLF), tmp_path / "no" / "m.skops")
    assert os.listdir(tmp_path) == []


def test_registered_plugin_estimator_is_trusted(tmp_path, monkeypatch):
    from plugin_helpers import make_distribution

    root = make_distribution(tmp_path, "sklml-plugin-template", "0.1.0",
                             {"ClosedFormRidge": "sklml_plugin_template:ClosedFormRidge"},
                             copy_template=True)
    monkeypatch.syspath_prepend(str(root))
    clear_cache()
    from sklml_plugin_template import ClosedFormRidge

    ridge = ClosedFormRidge().fit(X_REG, Y_REG)
    sklml.io.dump(ridge, tmp_path / "ridge.skops")
    assert skops.io.get_untrusted_types(file=tmp_path / "ridge.skops")  # skops alone refuses
    np.testing.assert_array_equal(sklml.io.load(tmp_path / "ridge.skops").predict(X_NEW),
                                  ridge.predict(X_NEW))


def test_model_fitted_on_a_gpu_loads_on_a_cpu(tmp_path):
    """A file whose tensors and net were on CUDA (simulated: the device fields of the
    archive say cuda) loads on the CPU when CUDA is absent, with the same predictions."""
    import torch
    from sklml.neural import MLPClassifier

    if torch.cuda.is_available():
        pytest.skip("the machine has CUDA: the file would load there")
    est = _fitted(MLPClassifier)
    path = tmp_path / "gpu.skops"
    sklml.io.dump(est, path)
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    schema = json.loads(members["schema.json"])
    n_tensors = 0

    def to_cuda(node):
        nonlocal n_tensors
        if isinstance(node, dict):
            if node.get("__loader__") == "SklmlTensorNode":
                node["device"] = "cuda"
                n_tensors += 1
            for value in node.values():
                to_cuda(value)
        elif isinstance(node, list):
            for value in node:
                to_cuda(value)

    to_cuda(schema)
    assert n_tensors > 0
    text = json.dumps(schema).replace('"content": "\\"cpu\\""', '"content": "\\"cuda\\""')
    assert text != json.dumps(schema)  # the net's device said cpu
    members["schema.json"] = text.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    loaded = sklml.io.load(path)
    assert loaded.net_.device == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.net_.module_.parameters())
    np.testing.assert_array_equal(loaded.predict_proba(X_NEW), est.predict_proba(X_NEW))


@pytest.mark.parametrize("name, trusted", [
    ("sklml.tree._predictor.Tree", True),
    ("sklml._training.NoImprovementStopping", True),
    ("torch.nn.modules.linear.Linear", True),
    ("torch.optim.adam.Adam", True),
    ("sklearn.preprocessing._data.StandardScaler", True),
    ("skorch.callbacks.training.EarlyStopping", True),
    ("xgboost.core.Booster", True),
    ("os.system", False),
    ("posix.system", False),
    ("builtins.eval", False),
    ("subprocess.Popen", False),
    ("sklml.cli.main", False),  # reads and writes files
    ("sklml.io.convert_pickle", False),
    ("skorch.callbacks.training.LoadInitState", False),  # unpickles a checkpoint
    ("sklearn.tree._tree.Tree", False),  # unchecked node ids (skops' warning)
    ("sklearn.utils.fixes.threadpool_limits", False),  # a function, not a class
])
def test_default_trust_policy(name, trusted):
    from sklml.io._trust import is_trusted_by_default

    assert is_trusted_by_default(name) is trusted
