"""RNNClassifier / RNNRegressor: synthetic sequence tasks, shapes, options."""

import pickle
import warnings

import numpy as np
import torch
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from scipy import signal

from sklml.neural import RNNClassifier, RNNRegressor

FAST = dict(hidden_size=16, max_iter=10, random_state=0, device="cpu")
SEEDS = [0, 1, 2]  # 0: the seed every other test of this file uses
# The sequence models must cut the best trivial baseline's squared error by at least this much.
ERROR_MARGIN = 0.6


def waves(n_samples=600, n_steps=40, noise=0.2, seed=0):
    """Noisy sine (0), square (1) and sawtooth (2) waves of random frequency,
    phase and amplitude."""
    rng = np.random.default_rng(seed)
    y = rng.integers(3, size=n_samples)
    t = np.linspace(0, 1, n_steps)
    freq = rng.uniform(1.5, 4.0, size=(n_samples, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_samples, 1))
    arg = 2 * np.pi * freq * t + phase
    shapes = np.stack([np.sin(arg), signal.square(arg), signal.sawtooth(arg)])
    X = shapes[y, np.arange(n_samples)] * rng.uniform(0.5, 1.5, size=(n_samples, 1))
    return X + rng.normal(scale=noise, size=X.shape), y


def damped_oscillator(n_series=30, length=120, window=20, seed=0):
    """Windows of damped oscillations x(t) = exp(-g t) cos(w t + p) with
    random g, w, p; the target is the next value."""
    observed, clean = noisy_damped_oscillator(n_series, length, window + 1, 0.0, seed)
    return observed[:, :-1], clean[:, -1]


def noisy_damped_oscillator(n_series=30, length=120, window=21, noise=0.1, seed=0):
    """Windows of `window` steps of damped oscillations exp(-g t) cos(w t + p)
    (random g, w, p per series), observed with Gaussian noise of scale `noise`.

    Returns the observed windows and the clean ones. On the noisy windows the trivial
    forecasts (last value, linear extrapolation) are poor: they carry the noise along."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) * 0.1
    idx = np.arange(length - window + 1)[:, None] + np.arange(window)
    observed, clean = [], []
    for _ in range(n_series):
        g, w, p = rng.uniform(0.05, 0.3), rng.uniform(1.0, 3.0), rng.uniform(0, 2 * np.pi)
        x = np.exp(-g * t) * np.cos(w * t + p)
        observed.append((x + rng.normal(scale=noise, size=length))[idx])
        clean.append(x[idx])
    return np.concatenate(observed), np.concatenate(clean)


def trivial_forecast_errors(history, target):
    """Squared errors of the last-value and the two-point linear extrapolations of
    `history` (n, steps) for the next values `target` (n,)."""
    return {"last value": mean_squared_error(target, history[:, -1]),
            "linear extrapolation": mean_squared_error(
                target, 2 * history[:, -1] - history[:, -2])}


@pytest.fixture(scope="module")
def wave_data():
    X, y = waves()
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=42)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_wave_classification_accuracy(wave_data, seed, record_property):
    X_train, X_test, y_train, y_test = wave_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs: a time budget
        clf = RNNClassifier(max_iter=30, random_state=seed).fit(X_train, y_train)
    assert clf.sequence_shape_ == (40, 1)
    # baselines: the majority class, and a linear model on the raw samples (the random
    # phase hides the shape from it)
    majority = np.mean(y_test == np.bincount(y_train).argmax())
    linear = LogisticRegression(max_iter=2000).fit(X_train, y_train).score(X_test, y_test)
    accuracy = clf.score(X_test, y_test)
    record_property("figures", dict(accuracy=accuracy, majority=majority, linear=linear))
    assert accuracy >= max(majority, linear) + 0.5


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_noisy_oscillator_next_step_beats_extrapolation(seed, record_property):
    """Next clean value from 20 noisy steps, on series never seen in training."""
    observed, clean = noisy_damped_oscillator(n_series=30)
    test_observed, test_clean = noisy_damped_oscillator(n_series=10, seed=99)
    X_train, y_train = observed[:, :-1], clean[:, -1]
    X_test, y_test = test_observed[:, :-1], test_clean[:, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = RNNRegressor(max_iter=20, random_state=seed).fit(X_train[:, :, None], y_train)
    assert reg.sequence_shape_ == (20, 1)
    error = mean_squared_error(y_test, reg.predict(X_test[:, :, None]))
    baselines = trivial_forecast_errors(X_test, y_test)
    record_property("figures", dict(mse=error, **baselines))
    assert error <= ERROR_MARGIN * min(baselines.values()), (error, baselines)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layer_norm", [False, True])
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in SEEDS[1:])])
def test_cells_layer_norm_bidirectional(cell, layer_norm, seed, record_property):
    X, y = waves(n_samples=300, n_steps=16)
    X_test, y_test = waves(n_samples=300, n_steps=16, seed=1)
    clf = RNNClassifier(**{**FAST, "random_state": seed}, cell=cell, layer_norm=layer_norm,
                        n_layers=2, bidirectional=True, dropout=0.1, learning_rate_init=0.01,
                        batch_size=32).fit(X, y)
    # 10 epochs: every cell learns the shapes, far from the majority class on unseen waves
    majority = np.mean(y_test == np.bincount(y).argmax())
    accuracy = clf.score(X_test, y_test)
    record_property("figures", dict(accuracy=accuracy, majority=majority))
    assert accuracy >= majority + 0.2
    proba = clf.predict_proba(X[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_orthogonal_init_and_clipping_are_applied(wave_data):
    X_train, _, y_train, _ = wave_data
    clf = RNNClassifier(**{**FAST, "max_iter": 1}, cell="lstm").fit(X_train, y_train)
    w = clf.net_.module_.rnn.weight_hh_l0.detach().numpy()
    clf0 = RNNClassifier(**{**FAST, "max_iter": 1}, cell="lstm", clip_grad_norm=None,
                         orthogonal_init=False, learning_rate_init=1e-9).fit(X_train, y_train)
    # clipping: plain SGD moves the weights by at most lr * clip per batch
    sgd = dict(FAST, max_iter=1, cell="lstm", solver="sgd", momentum=0.0, alpha=0.0,
               learning_rate_init=1.0, batch_size=32)
    start = RNNClassifier(**{**sgd, "learning_rate_init": 1e-12}).fit(X_train, y_train)
    clipped = RNNClassifier(**sgd, clip_grad_norm=1e-3).fit(X_train, y_train)
    free = RNNClassifier(**sgd, clip_grad_norm=None).fit(X_train, y_train)

    def moved(clf):
        return torch.cat([(a - b).flatten() for a, b in zip(
            clf.net_.module_.parameters(), start.net_.module_.parameters())]).norm().item()

    n_batches = -(-len(X_train) // 32)
    assert moved(clipped) <= n_batches * 1e-3 * 1.01 < moved(free)
    # one block per gate, each (nearly: one epoch of training) orthogonal
    block = w[:16]
    np.testing.assert_allclose(block @ block.T, np.eye(16), atol=0.2)
    w0 = clf0.net_.module_.rnn.weight_hh_l0.detach().numpy()[:16]
    assert np.abs(w0 @ w0.T - np.eye(16)).max() > 0.2


def test_input_layouts_agree():
    X, y = waves(n_samples=200, n_steps=12)
    X2 = np.stack([X, -X], axis=2)  # 2 features per step
    flat = RNNClassifier(**FAST, sequence_shape=(12, 2)).fit(X2.reshape(200, -1), y)
    cube = RNNClassifier(**FAST).fit(X2, y)
    assert flat.sequence_shape_ == cube.sequence_shape_ == (12, 2)
    np.testing.assert_allclose(flat.predict_proba(X2.reshape(200, -1)),
                               cube.predict_proba(X2), rtol=1e-6, atol=1e-7)
    assert RNNClassifier(**FAST, sequence_shape=12).fit(X2.reshape(200, -1), y) \
        .sequence_shape_ == (12, 2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_sequence_to_sequence_beats_copying_the_input(seed, record_property):
    """Every next clean step from the noisy steps so far, on unseen series."""
    observed, clean = noisy_damped_oscillator(n_series=10)
    test_observed, test_clean = noisy_damped_oscillator(n_series=10, seed=99)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = RNNRegressor(hidden_size=32, max_iter=30, return_sequences=True,
                           random_state=seed).fit(observed[:, :-1], clean[:, 1:])
    pred = reg.predict(test_observed[:, :-1])
    assert pred.shape == (len(test_observed), 20) and reg.n_outputs_ == 1
    # from step 5 on (the first steps have little history); baselines per step: copy the
    # input (the last value) and extrapolate linearly from the last two inputs
    inputs, targets = test_observed[:, 4:-1], test_clean[:, 6:]
    error = mean_squared_error(targets.ravel(), pred[:, 5:].ravel())
    baselines = {"copy the input": mean_squared_error(targets.ravel(), inputs[:, 1:].ravel()),
                 "linear extrapolation": mean_squared_error(
                     targets.ravel(), (2 * inputs[:, 1:] - inputs[:, :-1]).ravel())}
    record_property("figures", dict(mse=error, **baselines))
    assert error <= ERROR_MARGIN * min(baselines.values()), (error, baselines)


def test_sequence_to_sequence_shapes():
    X, _ = damped_oscillator(n_series=10, window=21)
    inputs, targets = X[:, :-1], X[:, 1:]
    reg = RNNRegressor(**FAST, return_sequences=True).fit(inputs, targets)
    assert reg.predict(inputs).shape == targets.shape and reg.n_outputs_ == 1
    multi = RNNRegressor(**FAST, return_sequences=True).fit(
        inputs, np.stack([targets, 2 * targets], axis=2))
    assert multi.predict(inputs[:3]).shape == (3, 20, 2)
    with pytest.raises(ValueError, match="one target per time step"):
        RNNRegressor(**FAST, return_sequences=True).fit(inputs, targets[:, :5])


def test_bad_shapes_and_targets():
    X, y = waves(n_samples=100, n_steps=12)
    with pytest.raises(ValueError, match="does not fit rows of 12 features"):
        RNNClassifier(**FAST, sequence_shape=(5, 2)).fit(X, y)
    with pytest.raises(ValueError, match="does not match the sequences"):
        RNNClassifier(**FAST, sequence_shape=(6, 2)).fit(X.reshape(100, 12, 1), y)
    fitted = RNNClassifier(**FAST).fit(X.reshape(100, 12, 1), y)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        fitted.predict(np.stack([X, X], axis=2))
    with pytest.raises(ValueError, match="needs numeric targets"):
        RNNRegressor(**FAST).fit(X, np.array(["up", "down"])[y % 2])
    X_nan = X.copy()
    X_nan[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RNNRegressor(**FAST).fit(X_nan, y.astype(float))


def test_pickle_round_trip():
    X, y = waves(n_samples=100, n_steps=12)
    clf = RNNClassifier(**FAST, layer_norm=True).fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
