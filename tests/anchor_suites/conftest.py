"""Collection rules and the pass-rate summary of the scikit-learn anchor suites."""

import os
import re
from collections import Counter

import numpy as np
import pytest

from anchor_cases import NOT_YET, PRIVATE

SUITES = {"test_sklearn_tree_suite.py": "tree",
          "test_sklearn_forest_suite.py": "forest",
          "test_sklearn_weight_boosting_suite.py": "weight_boosting"}


def _keys(item):
    suite = SUITES.get(os.path.basename(str(item.path)))
    if suite is None:
        return None, None
    return f"{suite}::{item.name}", f"{suite}::{item.originalname}"


def _pattern(key):
    """A key as a regular expression: ``*`` matches anything, the rest is literal."""
    return re.compile(".*".join(re.escape(part) for part in key.split("*")) + r"\Z")


_PATTERNS = {id(table): [(_pattern(k), v) for k, v in table.items()]
             for table in (PRIVATE, NOT_YET)}


def _lookup(table, item):
    case, test = _keys(item)
    if case is None:
        return None
    for pattern, reason in _PATTERNS[id(table)]:
        if pattern.match(case) or pattern.match(test):
            return reason
    return None


def pytest_generate_tests(metafunc):
    # scikit-learn's conftest parametrises this fixture; 42 is its default seed
    if "global_random_seed" in metafunc.fixturenames:
        metafunc.parametrize("global_random_seed", [42])


@pytest.fixture(params=[np.float32, np.float64])
def global_dtype(request):
    """scikit-learn's conftest fixture of the same name."""
    return request.param


def pytest_collection_modifyitems(config, items):
    keep, dropped = [], []
    for item in items:
        if _keys(item)[0] is None:
            keep.append(item)
            continue
        # a few minutes on two cores: CI runs it with the slow tests
        item.add_marker(pytest.mark.slow)
        if _lookup(PRIVATE, item) is not None:
            dropped.append(item)
            continue
        reason = _lookup(NOT_YET, item)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"not yet supported: {reason}",
                                              strict=True))
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


_outcomes = {}


def pytest_runtest_logreport(report):
    suite = SUITES.get(os.path.basename(report.fspath))
    if suite is None:
        return
    if report.when == "call" or report.outcome != "passed":
        if hasattr(report, "wasxfail"):
            outcome = "xpassed" if report.outcome == "passed" else "xfailed"
        else:
            outcome = report.outcome
        if outcome != "passed" or report.when == "call":
            _outcomes[(suite, report.nodeid)] = outcome


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    tr = terminalreporter
    tr.section("scikit-learn anchor suites: pass rate of the public-behaviour cases")
    total = Counter()
    for suite in SUITES.values():
        counts = Counter(o for (s, _), o in _outcomes.items() if s == suite)
        if not counts:
            continue
        total.update(counts)
        tr.write_line(_rate_line(suite, counts))
    tr.write_line(_rate_line("all", total))
    tr.write_line(f"({len(PRIVATE)} private-internals entries deselected; see "
                  "tests/anchor_suites/anchor_cases.py)")


def _rate_line(name, counts):
    # skipped cases (a missing optional dependency) are not counted
    public = sum(n for o, n in counts.items() if o != "skipped")
    passed = counts["passed"]
    rate = 100.0 * passed / public if public else 0.0
    detail = ", ".join(f"{o} {n}" for o, n in sorted(counts.items()))
    return f"{name:<16} {passed}/{public} passed = {rate:.1f}%   ({detail})"
