"""The plugin template installed for real (pip), found through its entry point, and the
registry/CLI claims the README makes about plugins."""

import os
import subprocess
import sys
import textwrap

import pytest

from plugin_helpers import TEMPLATE, make_distribution
from sklml.registry import clear_cache, get_estimator, load_errors, registrations


@pytest.fixture(scope="module")
def installed_template(tmp_path_factory):
    """``pip install`` the template into a target folder (no network, no build isolation)."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("src")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(TEMPLATE)],
        capture_output=True, text=True, cwd=build,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(target.glob("sklml_plugin_template-*.dist-info/entry_points.txt"))
    return target


@pytest.fixture
def on_path(installed_template, monkeypatch):
    sys.modules.pop("sklml_plugin_template", None)  # another test may have imported a copy
    monkeypatch.syspath_prepend(str(installed_template))
    clear_cache()
    yield installed_template
    sys.modules.pop("sklml_plugin_template", None)
    clear_cache()


def test_pip_installed_template_is_found_through_its_entry_point(on_path):
    reg = registrations()["ClosedFormRidge"][0]
    assert reg.distribution == "sklml-plugin-template"
    cls = get_estimator("ClosedFormRidge")
    assert cls.__module__ == "sklml_plugin_template"
    assert str(on_path) in sys.modules["sklml_plugin_template"].__file__

    from sklml.testing import check_plugin

    report = check_plugin(cls)
    assert report.ok, str(report)


def test_sklml_own_class_wins_a_name_conflict(tmp_path, monkeypatch):
    make_distribution(tmp_path, "squatter", "1.0", {"DecisionTreeClassifier": "sklearn.tree:DecisionTreeClassifier"})
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_cache()
    try:
        cls = get_estimator("DecisionTreeClassifier")
        assert cls.__module__.startswith("sklml.tree")
        conflicts = [e for e in load_errors() if e.name == "DecisionTreeClassifier"]
        assert conflicts and "using sklml:DecisionTreeClassifier" in conflicts[0].error
        assert get_estimator("squatter:DecisionTreeClassifier").__module__.startswith("sklearn.")
    finally:
        clear_cache()


BAD_PLUGIN = textwrap.dedent('''
    import numpy as np
    from sklearn.base import BaseEstimator, RegressorMixin

    class MutatingRegressor(RegressorMixin, BaseEstimator):
        """Breaks sklearn's rules: __init__ changes its argument."""
        def __init__(self, alpha=1.0):
            self.alpha = alpha * 2

        def fit(self, X, y):
            self.mean_ = float(np.mean(y))
            return self

        def predict(self, X):
            return np.full(len(X), self.mean_)
''')


def test_check_exits_1_when_a_check_fails(tmp_path):
    make_distribution(tmp_path, "bad-plugin", "0.1", {"MutatingRegressor": "bad_plugin_mod:MutatingRegressor"})
    (tmp_path / "bad_plugin_mod.py").write_text(BAD_PLUGIN)
    out = subprocess.run([sys.executable, "-m", "sklml", "check", "MutatingRegressor"],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert out.returncode == 1, out.stdout + out.stderr
    assert "failed" in out.stdout
