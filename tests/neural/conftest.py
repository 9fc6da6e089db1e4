"""Fixtures shared by the neural tests (one thread per worker is set in tests/conftest.py)."""

import pytest
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier


@pytest.fixture(scope="module")
def digits():
    """All of load_digits, scaled to [0, 1]."""
    d = load_digits()
    return d.data / 16, d.target


@pytest.fixture(scope="module")
def digit_classifier(digits):
    """A strong digits classifier that judges generated samples."""
    X, y = digits
    return MLPClassifier((128,), max_iter=500, random_state=0).fit(X, y)
