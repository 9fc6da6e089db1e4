"""The training contract's seeding policy for every iterative estimator: a seeded fit
draws from generators local to it, so it leaves torch's and numpy's global generators
as they were, and its result does not depend on them."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

from _helpers import fit_by_kind
from sklml.registry import all_estimators
from sklml.testing import build_test_instance

X_CLF, Y_CLF = make_classification(80, 6, n_informative=4, n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(80, 6, random_state=0)
X_UNIT = (X_REG - X_REG.min(0)) / np.ptp(X_REG, 0)  # in [0, 1], as the generative models like


def _iterative():
    """sklml's torch and gradient-descent estimators (the agents: tests/rl/test_rl_contract.py)."""
    return [pytest.param(cls, id=name) for name, cls in all_estimators()
            if cls.__module__.startswith(("sklml.neural", "sklml.linear_model"))]


def _fit(cls):
    return fit_by_kind(build_test_instance(cls).set_params(random_state=0),
                       (X_CLF, Y_CLF), (X_REG, Y_REG), X_UNIT)


def _outputs(est):
    for method in ("predict_proba", "predict", "transform"):
        if hasattr(est, method):
            return getattr(est, method)(X_UNIT if method == "transform" else X_REG)
    return est.sample(5, random_state=0)


@pytest.mark.parametrize("cls", _iterative())
def test_a_seeded_fit_leaves_the_global_generators_alone(cls):
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    try:
        first = _fit(cls)
        assert torch.equal(torch_state, torch.get_rng_state()), "torch's global generator moved"
        after = np.random.get_state()
        assert np.array_equal(after[1], numpy_state[1]) and after[2:] == numpy_state[2:], (
            "numpy's global generator moved")
        # the global generators, reseeded, change nothing in a seeded fit
        torch.manual_seed(12345)
        np.random.seed(12345)
        second = _fit(cls)
        np.testing.assert_array_equal(_outputs(first), _outputs(second))
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(numpy_state)
