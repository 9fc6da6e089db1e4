"""The defaults converge: GDRegressor() and GDClassifier() on scaled inputs reach the
optimum of their objective without a ConvergenceWarning, for several seeds (None is
the default), against the exact solver (Ridge, LogisticRegression) of the same
objective and scikit-learn's SGD anchor, all computed in the same test."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklml.linear_model import GDClassifier, GDRegressor

SEEDS = [None, 1, 2]


def _scaled_split(X, y, stratify=False):
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y if stratify else None
    )
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def _fit_without_warning(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return model.fit(X, y)


REGRESSION = {
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "make_regression": lambda: make_regression(2000, 20, noise=10, random_state=0),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dataset", list(REGRESSION))
def test_regressor_defaults_reach_ridge(dataset, seed):
    X_tr, X_te, y_tr, y_te = _scaled_split(*REGRESSION[dataset]())
    gd = _fit_without_warning(GDRegressor(random_state=seed), X_tr, y_tr)
    # mean(r^2)/2 + alpha/2 ||w||^2 is Ridge's objective with alpha_ridge = n alpha
    ridge = Ridge(alpha=len(y_tr) * gd.alpha).fit(X_tr, y_tr)
    sgd = SGDRegressor(random_state=seed).fit(X_tr, y_tr)

    def objective(model):
        r = model.predict(X_tr) - y_tr
        return 0.5 * np.mean(r**2) + 0.5 * gd.alpha * model.coef_ @ model.coef_

    best = objective(ridge)
    assert (objective(gd) - best) / best < 2e-2, (objective(gd), best)
    r2 = gd.score(X_te, y_te)
    assert r2 >= ridge.score(X_te, y_te) - 0.005, (r2, ridge.score(X_te, y_te))
    assert r2 >= sgd.score(X_te, y_te) - 0.005, (r2, sgd.score(X_te, y_te))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("load", [load_breast_cancer, load_digits])
def test_classifier_defaults_reach_logistic_regression(load, seed):
    X_tr, X_te, y_tr, y_te = _scaled_split(*load(return_X_y=True), stratify=True)
    gd = _fit_without_warning(GDClassifier(random_state=seed), X_tr, y_tr)
    # mean cross-entropy + alpha/2 ||w||^2 is LogisticRegression's objective / n
    # with C = 1 / (n alpha)
    exact = LogisticRegression(C=1.0 / (len(y_tr) * gd.alpha), tol=1e-10, max_iter=10_000)
    exact.fit(X_tr, y_tr)
    sgd = SGDClassifier(loss="log_loss", random_state=seed).fit(X_tr, y_tr)

    def objective(model):
        Z = X_tr @ np.atleast_2d(model.coef_).T + model.intercept_
        label = np.searchsorted(model.classes_, y_tr)
        if Z.shape[1] == 1:
            z = Z[:, 0]
            loss = np.logaddexp(0.0, z) - label * z
        else:
            loss = logsumexp(Z, axis=1) - Z[np.arange(len(y_tr)), label]
        return loss.mean() + 0.5 * gd.alpha * np.sum(np.asarray(model.coef_) ** 2)

    gap = objective(gd) - objective(exact)
    assert gap < 0.02, gap  # nats of mean cross-entropy
    assert gap < objective(sgd) - objective(exact), (gap, objective(sgd) - objective(exact))
    assert gd.score(X_te, y_te) >= exact.score(X_te, y_te) - 0.01
