import os
import subprocess
import sys

import pytest

from plugin_helpers import make_distribution


def run_cli(*args, pythonpath=None):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "sklml", *args], capture_output=True, text=True, env=env
    )


@pytest.fixture
def plugin_dir(tmp_path):
    return make_distribution(
        tmp_path,
        "sklml-plugin-template",
        "0.1.0",
        {
            "ClosedFormRidge": "sklml_plugin_template:ClosedFormRidge",
            "Broken": "sklml_no_such_module:Thing",
            "AFunction": "sklml_plugin_template:validate_data",
        },
        copy_template=True,
    )


def test_list_shows_plugins_and_errors(plugin_dir):
    out = run_cli("list", pythonpath=plugin_dir)
    assert out.returncode == 0, out.stderr
    assert "ClosedFormRidge" in out.stdout
    assert "regressor" in out.stdout
    assert "sklml-plugin-template 0.1.0" in out.stdout
    assert "Broken (sklml-plugin-template): ModuleNotFoundError" in out.stdout


def test_check_passes_for_good_plugin(plugin_dir):
    out = run_cli("check", "ClosedFormRidge", pythonpath=plugin_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 failed" in out.stdout


@pytest.mark.parametrize("name", ["NoSuchEstimator", "Broken", "AFunction"])
def test_check_bad_name_is_one_line_exit_2(plugin_dir, name):
    out = run_cli("check", name, pythonpath=plugin_dir)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert out.stderr.startswith("sklml: error:")
    assert "Traceback" not in out.stderr


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("sklml ")
    assert run_cli().returncode == 2
