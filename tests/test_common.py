"""scikit-learn's own checks on every estimator sklml registers.

Reinforcement-learning agents (kind "agent") learn from environments, not
(X, y): they get the data-free API checks of ``check_plugin`` here and their
learning is tested in tests/rl.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklml.registry import all_estimators
from sklml.testing import build_test_instance, check_plugin, expected_failed_checks


def _own_estimators():
    return [
        build_test_instance(cls)
        for _, cls in all_estimators()
        if cls.__module__.startswith("sklml.") and not callable(getattr(cls, "act", None))
    ]


@parametrize_with_checks(_own_estimators(), expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _own_agents():
    return [
        pytest.param(cls, id=name)
        for name, cls in all_estimators(type_filter="agent")
        if cls.__module__.startswith("sklml.")
    ]


@pytest.mark.parametrize("agent_class", _own_agents())
def test_agent_api(agent_class):
    """Agents get scikit-learn's data-free API checks and a pickle round trip."""
    report = check_plugin(agent_class)
    assert report.ok, str(report)
