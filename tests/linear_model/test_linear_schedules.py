"""scikit-learn's SGD names on the GD models: eta0, learning_rate schedules, power_t, average.

With ``optimizer="sgd"``, ``batch_size=1`` and no shuffling, a GD model makes
the same updates as SGDRegressor / SGDClassifier, so the schedules and the
averaging are checked against them step for step.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor

from sklml.linear_model import GDClassifier, GDRegressor

SAME_RUN = dict(fit_intercept=False, shuffle=False, max_iter=3, tol=None)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=200)
    return X, y


@pytest.mark.parametrize(
    "schedule",
    [
        dict(learning_rate="constant", eta0=0.01, penalty=None),
        dict(learning_rate="invscaling", eta0=0.05, power_t=0.3, penalty=None),
        dict(learning_rate="constant", eta0=0.01, penalty=None, average=True),
        dict(learning_rate="invscaling", eta0=0.05, penalty=None, average=50),
    ],
    ids=["constant", "invscaling", "average", "average-from-50"],
)
def test_regressor_schedules_match_sgd_regressor(data, schedule):
    X, y = data
    ref = SGDRegressor(**SAME_RUN, **schedule).fit(X, y)
    gd = GDRegressor(optimizer="sgd", batch_size=1, **SAME_RUN, **schedule).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    assert gd.t_ == ref.t_ - 1  # sklearn's t_ counts from 1


@pytest.mark.parametrize(
    "schedule",
    [dict(learning_rate="optimal", alpha=0.01), dict(learning_rate="optimal", average=True)],
    ids=["optimal", "optimal-average"],
)
def test_classifier_optimal_schedule_matches_sgd_classifier(data, schedule):
    X, y = data
    y = (y > 0).astype(int)
    ref = SGDClassifier(loss="log_loss", **SAME_RUN, **schedule).fit(X, y)
    gd = GDClassifier(optimizer="sgd", batch_size=1, **SAME_RUN, **schedule).fit(X, y)
    np.testing.assert_allclose(gd.coef_, ref.coef_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: the default random_state
def test_adaptive_divides_the_rate_until_it_is_tiny(data, seed):
    """"adaptive" keeps eta0 while the loss improves, divides it by 5 at each plateau
    and stops once it falls below 1e-6; "constant" (the baseline) stops at the first plateau."""
    X, y = data
    kw = dict(optimizer="sgd", eta0=0.05, random_state=seed, max_iter=1000)
    adaptive = GDRegressor(learning_rate="adaptive", verbose=2, **kw)
    constant = GDRegressor(learning_rate="constant", **kw).fit(X, y)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        adaptive.fit(X, y)
    rates = [float(line.split()[-1].rstrip(".")) for line in out.getvalue().splitlines()
             if line.startswith("Learning rate lowered")]
    np.testing.assert_allclose(rates, 0.05 / 5.0 ** np.arange(1, len(rates) + 1))
    assert rates[-1] < 1e-6 <= rates[-2] if len(rates) > 1 else rates[-1] < 1e-6
    assert adaptive.n_iter_ > constant.n_iter_
    assert adaptive.loss_curve_[-1] < constant.loss_curve_[-1], (
        seed, adaptive.loss_curve_[-1], constant.loss_curve_[-1])


def test_float_learning_rate_is_a_deprecated_eta0(data):
    X, y = data
    with pytest.warns(FutureWarning, match="eta0=0.05, learning_rate='constant'"):
        old = GDRegressor(learning_rate=0.05, max_iter=5, tol=None, random_state=0).fit(X, y)
    new = GDRegressor(learning_rate="constant", eta0=0.05, max_iter=5, tol=None,
                      random_state=0).fit(X, y)
    np.testing.assert_array_equal(old.coef_, new.coef_)


def test_sgd_parameter_names_and_defaults():
    """Every SGD parameter whose concept the GD models share carries SGD's name."""
    for ours, anchor in [(GDRegressor(), SGDRegressor()), (GDClassifier(), SGDClassifier())]:
        shared = {"alpha", "average", "early_stopping", "epsilon", "eta0", "fit_intercept",
                  "l1_ratio", "learning_rate", "max_iter", "n_iter_no_change", "penalty",
                  "power_t", "random_state", "shuffle", "tol", "validation_fraction",
                  "verbose", "warm_start", "class_weight"}
        if isinstance(ours, GDClassifier):
            shared.discard("epsilon")  # SGDClassifier's epsilon belongs to losses we do not have
        names = shared & set(anchor.get_params())
        assert names <= set(ours.get_params())
        for name in ["average", "eta0", "n_iter_no_change", "power_t",
                     "validation_fraction", "penalty", "alpha", "l1_ratio"]:
            assert ours.get_params()[name] == anchor.get_params()[name], name
        # twice SGD's 1000: the adaptive schedule needs up to ~1340 epochs on the
        # standardised diabetes data (test_linear_defaults.py)
        assert ours.max_iter == 2 * anchor.max_iter == 2000


@pytest.mark.parametrize(
    "Est, params, error, match",
    [
        (GDRegressor, dict(learning_rate="optimal", alpha=0.0), ValueError, "alpha must be > 0"),
        (GDRegressor, dict(learning_rate="cosine"), ValueError, "learning_rate"),
        (GDRegressor, dict(eta0=0.0), ValueError, "eta0"),
        (GDRegressor, dict(eta0=-1.0), ValueError, "eta0"),
        (GDRegressor, dict(average=-1), ValueError, "average"),
        (GDClassifier, dict(power_t="half"), ValueError, "power_t"),
    ],
)
def test_bad_schedule_parameters(data, Est, params, error, match):
    X, y = data
    if Est is GDClassifier:
        y = y > 0
    with pytest.raises(error, match=match):
        Est(**params).fit(X, y)


def test_partial_fit_refuses_early_stopping(data):
    X, y = data
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        GDRegressor(early_stopping=True).partial_fit(X, y)
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        GDClassifier(early_stopping=True).partial_fit(X, y > 0, classes=[False, True])


def test_average_warm_start_continues_the_raw_iterate(data):
    """With averaging, coef_ is the average; warm start continues the raw iterate and
    the running average, so two half runs equal one whole run."""
    X, y = data
    kw = dict(optimizer="sgd", average=True, learning_rate="constant", eta0=0.01,
              shuffle=False, tol=None)
    once = GDRegressor(max_iter=4, **kw).fit(X, y)
    twice = GDRegressor(max_iter=2, warm_start=True, **kw).fit(X, y)
    twice.fit(X, y)
    np.testing.assert_allclose(twice.coef_, once.coef_, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDRegressor(average=True, random_state=0).fit(X, y)
