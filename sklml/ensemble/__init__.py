"""AdaBoost and random forests on the Numba tree engine (binned once per fit)."""

from ._forest import RandomForestClassifier, RandomForestRegressor
from ._weight_boosting import AdaBoostClassifier, AdaBoostRegressor

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor", "RandomForestClassifier",
           "RandomForestRegressor"]
