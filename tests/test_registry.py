import subprocess
import sys

import pytest
from sklearn.base import BaseEstimator

import sklml
from sklml.registry import (
    all_estimators,
    clear_cache,
    estimator_kind,
    get_estimator,
    load_errors,
    registrations,
)

from plugin_helpers import make_distribution


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """A third-party distribution with a good, a broken and a non-class entry."""
    make_distribution(
        tmp_path,
        "sklml-plugin-template",
        "0.1.0",
        {
            "ClosedFormRidge": "sklml_plugin_template:ClosedFormRidge",
            "MissingModule": "sklml_no_such_module:Thing",
            "NotAClass": "sklml_plugin_template:__all__",
            "NotAnEstimator": "pathlib:Path",
        },
        copy_template=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_cache()
    yield tmp_path
    sys.modules.pop("sklml_plugin_template", None)


def test_import_is_cheap():
    code = (
        "import sys, sklml; heavy = [m for m in ('torch', 'numba', 'xgboost', 'catboost', "
        "'sklearn') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plugin_is_listed_loaded_and_checked(plugin_path):
    names = dict(all_estimators())
    assert "ClosedFormRidge" in names
    cls = get_estimator("ClosedFormRidge")
    assert cls is names["ClosedFormRidge"]
    assert cls.__module__ == "sklml_plugin_template"
    assert estimator_kind(cls) == ["regressor"]
    assert "ClosedFormRidge" in dict(all_estimators(type_filter="regressor"))
    assert "ClosedFormRidge" not in dict(all_estimators(type_filter=["classifier", "agent"]))

    from sklml.testing import check_plugin

    report = check_plugin(cls)
    assert report.ok, str(report)
    assert len(report.passed) > 20


def test_broken_plugins_are_reported_not_fatal(plugin_path):
    errors = {e.name: e for e in load_errors()}
    assert set(errors) == {"MissingModule", "NotAClass", "NotAnEstimator"}
    assert "ModuleNotFoundError" in errors["MissingModule"].error
    assert "not a class" in errors["NotAClass"].error
    assert "not an estimator" in errors["NotAnEstimator"].error
    assert errors["MissingModule"].distribution == "sklml-plugin-template"
    # the others still load
    assert "ClosedFormRidge" in dict(all_estimators())
    with pytest.raises(KeyError, match="failed to load"):
        get_estimator("MissingModule")


def test_discovery_reads_metadata_without_importing(plugin_path):
    regs = registrations()
    assert regs["ClosedFormRidge"][0].distribution == "sklml-plugin-template"
    assert regs["ClosedFormRidge"][0].version == "0.1.0"
    assert "sklml_plugin_template" not in sys.modules
    get_estimator("ClosedFormRidge")
    assert "sklml_plugin_template" in sys.modules


def test_conflicting_registrations_are_reported(plugin_path, tmp_path_factory, monkeypatch):
    other = tmp_path_factory.mktemp("other")
    make_distribution(other, "other-plugin", "2.0", {"ClosedFormRidge": "pathlib:Path"})
    monkeypatch.syspath_prepend(str(other))
    clear_cache()
    with pytest.raises(KeyError, match="more than one distribution"):
        get_estimator("ClosedFormRidge")
    assert get_estimator("sklml-plugin-template:ClosedFormRidge").__name__ == "ClosedFormRidge"
    conflicts = [e for e in load_errors() if e.name == "ClosedFormRidge"]
    assert any("2 distributions" in e.error for e in conflicts)
    assert "ClosedFormRidge" not in dict(all_estimators())


def test_unknown_name_lists_close_matches(plugin_path):
    with pytest.raises(KeyError, match="did you mean ClosedFormRidge"):
        get_estimator("ClosedFormRige")


def test_bad_arguments():
    with pytest.raises(TypeError, match="must be a str"):
        get_estimator(42)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators(type_filter="clusterer")


def test_own_estimators_come_from_own_metadata():
    for name, cls in all_estimators():
        if cls.__module__.startswith("sklml."):
            assert cls.__name__ == name
            assert registrations()[name][0].distribution == "sklml"


def test_package_exports():
    assert sklml.get_estimator is get_estimator
    assert isinstance(sklml.__version__, str)



class TinyAgent(BaseEstimator):
    """A minimal agent: fit(env) and act(observation)."""

    def __init__(self, gamma=0.9):
        self.gamma = gamma

    def fit(self, env):
        self.fitted_ = True
        return self

    def act(self, observation):
        return 0


class BadAgent(TinyAgent):
    def __init__(self, gamma=0.9):
        self.gamma = gamma * 2  # modifies its parameter: must be caught


def test_check_plugin_on_an_agent_runs_api_checks():
    from sklml.testing import check_plugin

    report = check_plugin(TinyAgent)
    assert report.ok, str(report)
    assert len(report.passed) == 8
    bad = check_plugin(BadAgent)
    assert [r["check_name"] for r in bad.failed] != []
