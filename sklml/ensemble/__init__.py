"""AdaBoost, random forests, Extra-Trees and the random-trees embedding on the
Numba tree engine (binned once per fit)."""

from ._embedding import RandomTreesEmbedding
from ._forest import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from ._weight_boosting import AdaBoostClassifier, AdaBoostRegressor

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor", "ExtraTreesClassifier",
           "ExtraTreesRegressor", "RandomForestClassifier", "RandomForestRegressor",
           "RandomTreesEmbedding"]
