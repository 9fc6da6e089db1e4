"""A minimal sklml plugin: ridge regression solved in closed form."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from numbers import Real

__all__ = ["ClosedFormRidge"]


class ClosedFormRidge(RegressorMixin, BaseEstimator):
    """Ridge regression, ``(X^T W X + alpha I)^-1 X^T W y`` on centred data.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty on the coefficients (not on the intercept).

    Examples
    --------
    >>> import numpy as np
    >>> from sklml_plugin_template import ClosedFormRidge
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> ClosedFormRidge(alpha=0.0).fit(X, 2 * X.ravel() + 1).predict([[20.0]]).round(6)
    array([41.])
    """

    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        w = _check_sample_weight(sample_weight, X)
        x_mean = w @ X / w.sum()
        y_mean = w @ y / w.sum()
        Xc, yc = X - x_mean, y - y_mean
        gram = Xc.T @ (Xc * w[:, None]) + self.alpha * np.eye(X.shape[1])
        self.coef_ = np.linalg.lstsq(gram, Xc.T @ (w * yc), rcond=None)[0]
        self.intercept_ = y_mean - x_mean @ self.coef_
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


# Types that sklml.io.load must trust to load this package's fitted models, besides the
# registered estimator classes (trusted already): a helper class a model holds, a function
# it calls. ClosedFormRidge holds numpy arrays only, so the list is empty. Registered in
# pyproject.toml under [project.entry-points."sklml.trusted_types"].
TRUSTED_TYPES = []
