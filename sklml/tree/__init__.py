"""Numba CART decision trees (binned, histogram-based, scikit-learn compatible)."""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor"]
