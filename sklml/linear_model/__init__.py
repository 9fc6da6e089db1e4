"""Linear models trained by gradient descent: every loss, optimizer and penalty
of the lectures as a parameter."""

from ._gd import GDClassifier, GDRegressor

__all__ = ["GDClassifier", "GDRegressor"]
