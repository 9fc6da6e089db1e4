"""XGBoost and CatBoost as scikit-learn estimators that pass scikit-learn's checks.

Adapters over the libraries' own scikit-learn wrappers: the constructor, ``fit``
and prediction keywords, methods and fitted attributes are the native ones (read
from the installed library), and the adapters add scikit-learn's input checks,
label encoding, ``class_weight``, early stopping on an internal split and
``device="auto"``. ``import sklml.boosting`` is cheap: a class's module (and its
library) is imported the first time the class is used.
"""

import importlib

__all__ = ["XGBClassifier", "XGBRegressor", "CatBoostClassifier", "CatBoostRegressor"]

_MODULES = {
    "XGBClassifier": "sklml.boosting._xgboost",
    "XGBRegressor": "sklml.boosting._xgboost",
    "CatBoostClassifier": "sklml.boosting._catboost",
    "CatBoostRegressor": "sklml.boosting._catboost",
}


def __getattr__(name):
    if name in _MODULES:
        value = getattr(importlib.import_module(_MODULES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sklml.boosting' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
