"""CNNClassifier: digits accuracy, image layouts, shape errors, pickling."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from sklml.neural import CNNClassifier

FAST = dict(conv_channels=(8,), hidden_layer_sizes=(32,), max_iter=5, random_state=0,
            device="cpu")
SEEDS = [0, 1, 2]  # 0: the seed every other test of this file uses


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=42)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_digits_8x8_beats_logistic_regression(digits, seed, record_property):
    """With its defaults the CNN makes at most 60% of the errors of a logistic regression
    on the same pixels (and beats the majority class by far)."""
    X_train, X_test, y_train, y_test = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=30 is the default
        clf = CNNClassifier(random_state=seed).fit(X_train, y_train)
    assert clf.image_shape_ == (8, 8, 1)
    error = 1 - clf.score(X_test, y_test)
    linear_error = 1 - LogisticRegression(max_iter=5000).fit(X_train, y_train).score(
        X_test, y_test)
    majority_error = 1 - np.mean(y_test == np.bincount(y_train).argmax())
    record_property("figures", dict(error=error, linear=linear_error, majority=majority_error))
    assert error <= 0.6 * linear_error < majority_error, (error, linear_error)


def test_layouts_agree(digits):
    X_train, X_test, y_train, _ = digits
    flat = CNNClassifier(**FAST).fit(X_train, y_train)
    images = CNNClassifier(**FAST).fit(X_train.reshape(-1, 8, 8), y_train)
    channels_last = CNNClassifier(**FAST, image_shape=(8, 8, 1)).fit(
        X_train.reshape(-1, 8, 8, 1), y_train)
    p = flat.predict_proba(X_test)
    np.testing.assert_allclose(images.predict_proba(X_test.reshape(-1, 8, 8)), p, atol=1e-6)
    np.testing.assert_allclose(
        channels_last.predict_proba(X_test.reshape(-1, 8, 8, 1)), p, atol=1e-6)


def rgb_rule(n_samples, seed):
    """6 x 10 RGB noise images; the class: is the top half redder than the bottom half blue?"""
    X = np.random.default_rng(seed).normal(size=(n_samples, 6, 10, 3))
    return X, (X[:, :3, :, 0].mean(axis=(1, 2)) > X[:, 3:, :, 2].mean(axis=(1, 2))).astype(int)


@pytest.mark.parametrize("seed", SEEDS)
def test_rgb_and_non_square_images(seed, record_property):
    X, y = rgb_rule(600, seed=0)
    X_test, y_test = rgb_rule(1000, seed=1)
    clf = CNNClassifier(**{**FAST, "max_iter": 30, "random_state": seed}, batch_norm=True,
                        pool=3).fit(X, y)
    assert clf.image_shape_ == (6, 10, 3)
    # it learns the rule on unseen images (a linear rule: no claim against a linear model)
    majority = np.mean(y_test == np.bincount(y).argmax())
    accuracy = clf.score(X_test, y_test)
    record_property("figures", dict(accuracy=accuracy, majority=majority))
    assert accuracy >= majority + 0.2
    X, y = X[:120], y[:120]
    flat = CNNClassifier(**FAST, image_shape=(6, 10, 3)).fit(X.reshape(120, -1), y)
    assert flat.predict(X.reshape(120, -1)).shape == (120,)
    strip = CNNClassifier(**FAST).fit(X.reshape(120, -1)[:, :7], y)  # 7: not a square
    assert strip.image_shape_ == (1, 7, 1)


def test_shape_errors(digits):
    X_train, _, y_train, _ = digits
    with pytest.raises(ValueError, match=r"image_shape=\(9, 9\) needs 81 features"):
        CNNClassifier(**FAST, image_shape=(9, 9)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="does not match the images"):
        CNNClassifier(**FAST, image_shape=(4, 16)).fit(X_train.reshape(-1, 8, 8), y_train)
    with pytest.raises(ValueError, match="image_shape must be"):
        CNNClassifier(**FAST, image_shape=(8, 8, 1, 1)).fit(X_train, y_train)
    fitted = CNNClassifier(**FAST).fit(X_train.reshape(-1, 8, 8), y_train)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        fitted.predict(X_train.reshape(-1, 8, 4, 2))
    X_nan = X_train.copy()
    X_nan[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        CNNClassifier(**FAST).fit(X_nan, y_train)


def test_pickle_and_string_labels(digits):
    X_train, X_test, y_train, _ = digits
    labels = np.array(list("abcdefghij"))[y_train]
    clf = CNNClassifier(**FAST).fit(X_train, labels)
    clone = pickle.loads(pickle.dumps(clf))
    assert clone.predict(X_test).dtype.kind == "U"
    np.testing.assert_array_equal(clone.predict_proba(X_test), clf.predict_proba(X_test))
