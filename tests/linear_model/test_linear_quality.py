"""Quality of the gradient-descent linear models against scikit-learn's exact solvers."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklml.linear_model import GDClassifier, GDRegressor

OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam"]


def _line_with_outliers(seed=0, n=400):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 10, size=n)
    y = 2 * x + 1 + rng.normal(scale=1.0, size=n)
    out = rng.choice(n, n // 10, replace=False)  # 10% gross outliers
    y[out] = rng.uniform(30, 60, size=len(out))
    return x[:, None], y


def _line_distance(coef, intercept):
    """RMS distance to the true line y = 2x + 1 over the data range."""
    grid = np.linspace(0, 10, 101)
    return np.sqrt(np.mean((coef * grid + intercept - (2 * grid + 1)) ** 2))


def test_huber_matches_sklearn_and_beats_least_squares():
    X, y = _line_with_outliers()
    ref = HuberRegressor(epsilon=1.35, alpha=0.0).fit(X, y)
    # HuberRegressor also fits the scale sigma and uses the threshold
    # epsilon * sigma on the residuals; with huber_scale="absolute" (the default)
    # our epsilon is in the units of y.
    gd = GDRegressor(
        loss="huber", epsilon=1.35 * ref.scale_, penalty=None, batch_size=None,
        learning_rate="constant", eta0=0.05, max_iter=2000, tol=None,
    ).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, rtol=0.02)
    np.testing.assert_allclose(gd.intercept_, ref.intercept_, rtol=0.02)

    ols = LinearRegression().fit(X, y)
    d_ols = _line_distance(ols.coef_[0], ols.intercept_)
    for model in (gd, GDRegressor(loss="huber", penalty=None, random_state=0).fit(X, y)):
        d_huber = _line_distance(model.coef_[0], model.intercept_)
        assert d_huber < d_ols / 10, (d_huber, d_ols)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_fitted_huber_scale_is_huber_regressor(alpha):
    """huber_scale="fitted" minimises HuberRegressor's objective (coefficients and scale
    jointly): the full-batch fit lands on its solution; HuberRegressor(alpha=a) is
    alpha=2a/n here."""
    X, y = _line_with_outliers()
    X = (X - X.mean()) / X.std()
    ref = HuberRegressor(epsilon=1.35, alpha=alpha).fit(X, y)
    gd = GDRegressor(
        loss="huber", huber_scale="fitted", epsilon=1.35, alpha=2 * alpha / len(y),
        penalty="l2", batch_size=None, learning_rate="constant", eta0=0.05, max_iter=3000,
        tol=None,
    ).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, rtol=1e-5)
    np.testing.assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-5)
    np.testing.assert_allclose(gd.scale_, ref.scale_, rtol=1e-5)
    np.testing.assert_array_equal(gd.outliers_, ref.outliers_)


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_fitted_huber_scale_defaults(seed):
    """With the default optimizer and schedule the fitted-scale Huber fit comes within
    1% of HuberRegressor's line and scale, without a warning."""
    X, y = _line_with_outliers()
    ref = HuberRegressor(epsilon=1.35, alpha=0.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gd = GDRegressor(loss="huber", huber_scale="fitted", penalty=None,
                         random_state=seed).fit(X, y)
    grid = np.linspace(0, 10, 101)
    ref_line = ref.coef_[0] * grid + ref.intercept_
    gap = np.sqrt(np.mean((gd.coef_[0] * grid + gd.intercept_ - ref_line) ** 2))
    assert gap < 0.01 * np.sqrt(np.mean(ref_line**2)), gap
    np.testing.assert_allclose(gd.scale_, ref.scale_, rtol=0.01)


def test_fitted_huber_scale_needs_epsilon_at_least_one():
    X, y = _line_with_outliers()
    with pytest.raises(ValueError, match="epsilon must be >= 1.0 with huber_scale='fitted'"):
        GDRegressor(loss="huber", huber_scale="fitted", epsilon=0.5).fit(X, y)
    GDRegressor(loss="huber", epsilon=0.5, max_iter=3).fit(X, y)  # absolute: any epsilon > 0


def test_l2_matches_ridge():
    rng = np.random.RandomState(0)
    n, d, alpha = 200, 6, 0.05
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2, size=d)
    y = X @ rng.normal(size=d) + 3.0 + rng.normal(scale=0.5, size=n)
    gd = GDRegressor(
        optimizer="sgd", learning_rate="constant", eta0=0.1, batch_size="full", penalty="l2",
        alpha=alpha,
        max_iter=3000, tol=None,
    ).fit(X, y)
    # mean(r^2)/2 + alpha/2 ||w||^2, times 2n, is Ridge's ||r||^2 + (n alpha) ||w||^2
    ridge = Ridge(alpha=n * alpha).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ridge.coef_, rtol=1e-3)
    np.testing.assert_allclose(gd.intercept_, ridge.intercept_, rtol=1e-3)


def test_l1_exact_zeros_and_lasso_support():
    rng = np.random.RandomState(1)
    n, d = 300, 20
    X = rng.normal(size=(n, d))
    w = np.zeros(d)
    w[[0, 3, 7, 12, 15]] = [2.0, -1.5, 1.0, 0.8, -2.5]
    y = X @ w + rng.normal(scale=0.5, size=n)
    lasso = Lasso(alpha=0.1).fit(X, y)
    gd = GDRegressor(
        optimizer="sgd", learning_rate="constant", eta0=0.3, batch_size=None, penalty="l1",
        alpha=0.1,
        max_iter=2000, tol=None,
    ).fit(X, y)
    assert np.sum(gd.coef_ == 0.0) >= 10  # exact zeros from the proximal step
    np.testing.assert_array_equal(gd.coef_ != 0, lasso.coef_ != 0)
    np.testing.assert_allclose(gd.coef_, lasso.coef_, atol=1e-4)
    # mini-batch Adam with the proximal step also gives exact zeros on the noise features
    mb = GDRegressor(penalty="l1", alpha=0.1, random_state=0).fit(X, y)
    assert np.all(mb.coef_[lasso.coef_ == 0] == 0.0)
    assert np.all(mb.coef_[w != 0] != 0.0)


@pytest.mark.parametrize("load", [load_breast_cancer, load_digits])
def test_cross_entropy_close_to_logistic_regression(load):
    X, y = load(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    ref = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_tr, y_tr)
    # LogisticRegression(C=1) minimises sum(loss) + ||w||^2 / 2 = n (mean(loss) + alpha/2 ||w||^2)
    alpha = 1.0 / len(y_tr)
    acc_ref = ref.score(X_te, y_te)
    # full batch: deterministic, converges to LogisticRegression's optimum
    full = make_pipeline(
        StandardScaler(),
        GDClassifier(alpha=alpha, batch_size=None, learning_rate="constant", eta0=0.05,
                     max_iter=1000, tol=1e-6),
    ).fit(X_tr, y_tr)
    assert abs(full.score(X_te, y_te) - acc_ref) <= 0.01, (full.score(X_te, y_te), acc_ref)
    majority = DummyClassifier(strategy="most_frequent").fit(X_tr, y_tr).score(X_te, y_te)
    assert full.score(X_te, y_te) >= majority + 0.3, (full.score(X_te, y_te), majority)
    # the defaults (shuffled mini-batches of 32, Adam) are not worse by more than a point,
    # for the default seed (None) and two fixed ones
    for seed in (None, 1, 2):
        gd = make_pipeline(StandardScaler(), GDClassifier(alpha=alpha, random_state=seed))
        accuracy = gd.fit(X_tr, y_tr).score(X_te, y_te)
        assert accuracy >= acc_ref - 0.01, (seed, accuracy, acc_ref)
        assert accuracy >= majority + 0.3, (seed, accuracy, majority)
        proba = gd.predict_proba(X_te)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert np.mean(proba.argmax(axis=1) == np.searchsorted(gd.classes_, gd.predict(X_te))) == 1


def _ridge_problem():
    rng = np.random.RandomState(0)
    n, d = 300, 5
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.3 + rng.normal(scale=0.5, size=n)
    return X, y


LEARNING_RATES = dict(
    sgd=0.3, momentum=0.1, nesterov=0.1, adagrad=0.5, rmsprop=0.01, adam=0.05, nadam=0.05
)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_reaches_the_optimum(optimizer):
    X, y = _ridge_problem()
    n, alpha = len(y), 0.01
    ridge = Ridge(alpha=n * alpha).fit(X, y)

    def objective(coef, intercept):
        return 0.5 * np.mean((X @ coef + intercept - y) ** 2) + 0.5 * alpha * coef @ coef

    best = objective(ridge.coef_, ridge.intercept_)
    gd = GDRegressor(
        optimizer=optimizer, learning_rate="constant", eta0=LEARNING_RATES[optimizer],
        batch_size=None, alpha=alpha, max_iter=500, tol=None,
    ).fit(X, y)
    assert objective(gd.coef_, gd.intercept_) - best < 1e-3
    # mini-batches (stochastic) reach the optimum's neighbourhood too
    mb = GDRegressor(
        optimizer=optimizer, learning_rate="constant", eta0=LEARNING_RATES[optimizer] / 3,
        batch_size=32, alpha=alpha, max_iter=300, tol=None, random_state=0,
    ).fit(X, y)
    assert objective(mb.coef_, mb.intercept_) - best < 5e-3


def test_logistic_optimizers_reach_the_optimum():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    n = len(y)
    alpha = 0.01
    ref = LogisticRegression(C=1.0 / (n * alpha), tol=1e-10, max_iter=10000).fit(X, y)

    def objective(coef, intercept):
        z = X @ coef.ravel() + intercept[0]
        return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * alpha * np.sum(coef**2)

    best = objective(ref.coef_, ref.intercept_)
    for optimizer in OPTIMIZERS:
        gd = GDClassifier(
            optimizer=optimizer, learning_rate="constant", eta0=LEARNING_RATES[optimizer],
            batch_size=None, alpha=alpha, max_iter=800, tol=None,
        ).fit(X, y)
        assert objective(gd.coef_, gd.intercept_) - best < 1e-3, optimizer


def test_acceleration_on_ill_conditioned_quadratic():
    """Momentum, Nesterov and Adam need fewer epochs than plain gradient descent."""
    rng = np.random.RandomState(0)
    n = 300
    X = rng.normal(size=(n, 2)) * np.array([1.0, 10.0])  # condition number ~100
    y = X @ np.array([1.0, 0.5]) + rng.normal(scale=0.1, size=n)
    best = 0.5 * np.mean((LinearRegression().fit(X, y).predict(X) - y) ** 2)
    Xb = np.c_[X, np.ones(n)]
    lr = 1.0 / np.linalg.eigvalsh(Xb.T @ Xb / n).max()  # the largest stable-ish GD step

    def epochs_to_target(optimizer, learning_rate):
        gd = GDRegressor(
            optimizer=optimizer, learning_rate="constant", eta0=learning_rate, penalty=None,
            batch_size=None, max_iter=2000, tol=None,
        ).fit(X, y)
        hit = np.flatnonzero(np.asarray(gd.loss_curve_) <= best + 1e-3)
        return hit[0] + 1 if len(hit) else np.inf

    sgd = epochs_to_target("sgd", lr)
    assert sgd < np.inf
    for optimizer, rate in [("momentum", lr), ("nesterov", lr), ("adam", 0.1)]:
        assert epochs_to_target(optimizer, rate) < sgd / 3, optimizer


def test_poisson_matches_sklearn():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 3))
    y = rng.poisson(np.exp(X @ np.array([0.3, -0.2, 0.5]) + 0.5))
    ref = PoissonRegressor(alpha=0.0, tol=1e-10, max_iter=1000).fit(X, y)
    gd = GDRegressor(
        loss="poisson", penalty=None, batch_size=None, learning_rate="constant", eta0=0.05,
        max_iter=1500, tol=None,
    ).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-3)
    assert np.all(gd.predict(X) > 0)


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: the default
def test_class_weight_balanced_helps_minority(seed):
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, size=(950, 2)), rng.normal(1.5, 1, size=(50, 2))]
    y = np.r_[np.zeros(950), np.ones(50)]
    plain = GDClassifier(random_state=seed).fit(X, y)
    balanced = GDClassifier(class_weight="balanced", random_state=seed).fit(X, y)
    recall = lambda m: np.mean(m.predict(X[y == 1]) == 1)  # noqa: E731
    assert recall(balanced) > recall(plain) + 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        dict_weighted = GDClassifier(class_weight={0: 1.0, 1: 19.0}, random_state=seed).fit(X, y)
    assert recall(dict_weighted) > 0.7
