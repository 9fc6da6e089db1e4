"""Run scikit-learn's own estimator checks on any sklml or third-party estimator.

An estimator class takes part in two optional conventions:

``get_test_params()``
    A classmethod returning a dict of small but valid parameters; checks build
    the instance from it, so neural models train for a few epochs only.
``_expected_failed_checks()``
    A method returning ``{check_name: reason}`` for checks that fail by design
    (for example ``check_sample_weight_equivalence_on_dense_data`` for a fit that
    is stochastic on purpose). Each exemption must carry its reason.

Reinforcement-learning agents (estimators with an ``act`` method) learn from
environments, not ``(X, y)``: for them :func:`check_plugin` runs the API checks
of scikit-learn that need no data (parameters, cloning, ``set_params``, repr)
plus a pickle round trip.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

__all__ = ["CheckReport", "PluginCheckError", "check_plugin", "build_test_instance",
           "expected_failed_checks"]


def build_test_instance(estimator_or_class):
    """An estimator instance: the object itself, or the class built from
    ``get_test_params()`` when it defines one (defaults otherwise)."""
    if inspect.isclass(estimator_or_class):
        get_params = getattr(estimator_or_class, "get_test_params", None)
        params = get_params() if callable(get_params) else {}
        return estimator_or_class(**params)
    if not hasattr(estimator_or_class, "get_params"):
        raise TypeError(
            f"check_plugin expects an estimator class or instance, got "
            f"{type(estimator_or_class).__name__}"
        )
    return estimator_or_class


def expected_failed_checks(estimator):
    """The ``{check_name: reason}`` exemptions the estimator declares."""
    method = getattr(estimator, "_expected_failed_checks", None)
    return dict(method()) if callable(method) else {}


@dataclass
class CheckReport:
    """Outcome of :func:`check_plugin`: one row per scikit-learn check."""

    estimator: str
    results: list = field(default_factory=list)  # dicts from check_estimator

    def _with(self, status):
        return [r for r in self.results if r["status"] == status]

    @property
    def passed(self):
        return self._with("passed")

    @property
    def failed(self):
        return self._with("failed")

    @property
    def xfailed(self):
        return self._with("xfail")

    @property
    def skipped(self):
        return self._with("skipped")

    @property
    def ok(self):
        """True when no check failed."""
        return not self.failed

    def __str__(self):
        lines = [
            f"{self.estimator}: {len(self.passed)} passed, {len(self.failed)} failed, "
            f"{len(self.xfailed)} expected failures, {len(self.skipped)} skipped"
        ]
        for r in self.failed:
            exc = r["exception"]
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            lines.append(f"  FAILED  {r['check_name']}: {type(exc).__name__}: {first}"[:300])
        for r in self.xfailed:
            lines.append(f"  xfail   {r['check_name']}: {r['expected_to_fail_reason']}")
        return "\n".join(lines)


class PluginCheckError(AssertionError):
    """Raised by :func:`check_plugin` when a check fails; carries the report."""

    def __init__(self, report):
        super().__init__(str(report))
        self.report = report


def check_plugin(estimator_or_class, *, raise_on_failure=False):
    """Run scikit-learn's ``check_estimator`` on an estimator.

    Parameters
    ----------
    estimator_or_class : estimator instance or class
        A class is built from its ``get_test_params()`` when it has one.
    raise_on_failure : bool, default=False
        Raise :class:`PluginCheckError` (an ``AssertionError``) when a check
        fails, instead of returning the report.

    Returns
    -------
    CheckReport
        ``str(report)`` is a readable summary; ``report.ok`` says whether every
        check passed or was an expected failure.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklml.testing import check_plugin
    >>> check_plugin(Ridge()).ok
    True
    """
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    estimator = build_test_instance(estimator_or_class)
    with warnings.catch_warnings():
        # sklearn warns for each skipped check or expected failure; the report says it all
        warnings.simplefilter("ignore")
        if callable(getattr(estimator, "act", None)):
            results = _run_agent_checks(estimator)
        else:
            results = check_estimator(
                estimator,
                expected_failed_checks=expected_failed_checks(estimator),
                on_fail=None,
            )
    report = CheckReport(type(estimator).__name__, list(results))
    if raise_on_failure and not report.ok:
        raise PluginCheckError(report)
    return report


AGENT_CHECKS = (
    "check_parameters_default_constructible",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
    "check_estimator_cloneable",
    "check_do_not_raise_errors_in_init_or_set_params",
)


def _check_pickle_roundtrip(name, estimator):
    import pickle

    from sklearn.base import clone

    restored = pickle.loads(pickle.dumps(clone(estimator)))
    assert restored.get_params().keys() == estimator.get_params().keys(), name


def _run_agent_checks(estimator):
    """scikit-learn's data-free API checks on an agent, as check_estimator rows."""
    from sklearn.utils import estimator_checks

    name = type(estimator).__name__
    checks = [(n, getattr(estimator_checks, n)) for n in AGENT_CHECKS]
    checks.append(("check_pickle_roundtrip", _check_pickle_roundtrip))
    results = []
    for check_name, check in checks:
        row = {"estimator": estimator, "check_name": check_name, "exception": None,
               "status": "passed", "expected_to_fail": False,
               "expected_to_fail_reason": ""}
        try:
            check(name, estimator)
        except Exception as exc:
            row.update(status="failed", exception=exc)
        results.append(row)
    return results
