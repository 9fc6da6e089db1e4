"""Helpers shared by test modules (imported as ``from _helpers import ...``, as
``plugin_helpers``: tests/ is on the path through its conftest)."""

import warnings

from sklml.registry import estimator_kind


def fit_by_kind(est, clf_data, reg_data, X_other, agent_env=None):
    """Fit ``est`` on the data its kind takes: ``clf_data`` (X, y) for a
    classifier, ``reg_data`` (X, y) for a regressor, ``agent_env()`` for an
    agent, ``X_other`` otherwise; the warnings of tiny test fits (such as
    ConvergenceWarning) silenced.  Returns the fitted estimator."""
    kinds = estimator_kind(type(est))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if agent_env is not None and "agent" in kinds:
            return est.fit(agent_env())
        if "classifier" in kinds:
            return est.fit(*clf_data)
        if "regressor" in kinds:
            return est.fit(*reg_data)
        return est.fit(X_other)
