"""XGBoost and CatBoost as scikit-learn estimators that pass scikit-learn's checks.

Thin adapters: the libraries do the learning, these classes add scikit-learn's
input checks, label encoding, weights, early stopping on an internal split,
device selection and the ``params`` rules. ``xgboost`` and ``catboost`` are
imported only when a model is fitted or used, so importing this module is cheap.
"""

from sklml.boosting._catboost import CatBoostClassifier, CatBoostRegressor
from sklml.boosting._xgboost import XGBClassifier, XGBRegressor

__all__ = ["XGBClassifier", "XGBRegressor", "CatBoostClassifier", "CatBoostRegressor"]
