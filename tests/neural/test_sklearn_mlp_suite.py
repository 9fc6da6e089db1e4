"""scikit-learn's own MLP tests, run unchanged on sklml's MLPClassifier/MLPRegressor.

The installed ``sklearn/neural_network/tests/test_mlp.py`` is read, its one
import of the estimators is rewired to ``sklml.neural``, and its test
functions are collected here (parametrisations and marks intact). The cases
left out, each with its reason, are in :data:`LEFT_OUT`.
"""

import importlib.util
import types
from pathlib import Path

import pytest
import sklearn

SOURCE = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
ANCHOR_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"

#: test name -> why it does not apply to a torch implementation
LEFT_OUT = {
    "test_gradient": "calls scikit-learn's private _initialize/_loss_grad_lbfgs "
                     "(numerical gradient check of its numpy backprop); ours is checked "
                     "against autograd in test_mlp_lean_loop.py",
    "test_fit": "hand-sets scikit-learn's private solver state (_coef_velocity, "
                "_no_improvement_count, ...) on an unfitted estimator to check one numpy "
                "SGD step by hand",
    "test_partial_fit_regression": "asserts fit and 100 partial_fit calls agree to rtol 1e-7; "
                                   "ours train in float32, where the two summation orders "
                                   "agree to 1e-6",
    "test_nonfinite_params": "X near float64's maximum is refused before training (ValueError: "
                             "'Input X contains infinity or a value too large for "
                             "dtype('float32')'); non-finite weights after training raise "
                             "scikit-learn's error (see test_mlp_diverging_loss)",
    "test_lbfgs_regression_maxfun": "with tol=0 the identity network is a least-squares fit "
                                    "that torch's float32 L-BFGS solves in 9 evaluations "
                                    "(change below its tolerance: converged, no warning) where "
                                    "scipy's float64 L-BFGS-B goes on to max_fun=10; the "
                                    "max_fun bound is tested in test_supervised_mlp.py",
    "test_early_stopping_stratified": "same ValueError from the stratified split, but it "
                                      "names the class by the user's label ([1]) where "
                                      "scikit-learn names its binarised column (['True'])",
}


def _load_suite():
    text = SOURCE.read_text()
    assert ANCHOR_IMPORT in text, "scikit-learn's test module changed its import"
    text = text.replace(ANCHOR_IMPORT, "from sklml.neural import MLPClassifier, MLPRegressor")
    module = types.ModuleType("sklearn_test_mlp_on_sklml")
    module.__file__ = str(SOURCE)
    exec(compile(text, str(SOURCE), "exec"), module.__dict__)
    return module


_suite = _load_suite()
for _name, _obj in vars(_suite).items():
    if _name.startswith("test_") and callable(_obj) and _name not in LEFT_OUT:
        globals()[_name] = _obj


@pytest.fixture
def global_random_seed():
    """scikit-learn's default for its global_random_seed fixture."""
    return 42
