"""sklml: the classic machine-learning methods of a physics course behind one
scikit-learn interface.

``import sklml`` is cheap: the families (``sklml.tree``, ``sklml.neural``, ...)
are imported on first attribute access, so numba, torch, xgboost and catboost
load only when used.
"""

import importlib

from sklml.registry import all_estimators, get_estimator, load_errors

__version__ = "0.1.0"

__all__ = ["__version__", "all_estimators", "get_estimator", "load_errors"]

_SUBMODULES = {
    "boosting", "datasets", "ensemble", "linear_model", "neural", "registry",
    "rl", "testing", "tree", "cli", "io", "onnx",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"sklml.{name}")
    raise AttributeError(f"module 'sklml' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
