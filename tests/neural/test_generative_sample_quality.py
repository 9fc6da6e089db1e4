"""sklml.metrics sample quality: the Fréchet distance, coverage and memorisation check rank real
digits, a linear model, blends and noise in that order, for several seeds."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from generative_quality import N_SAMPLES, digits_split, fitted_quality
from sklml.metrics import (
    SampleQuality,
    class_coverage,
    frechet_distance,
    memorisation_ratio,
    mlp_hidden_features,
    pca_gaussian_samples,
    pixel_noise_samples,
)


def test_frechet_distance_of_gaussians_is_the_closed_form():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(20000, 2))
    B = rng.normal(size=(20000, 2)) * [1.0, 2.0] + [3.0, 0.0]
    # |dmu|^2 + sum (sigma_a - sigma_b)^2 for diagonal covariances: 9 + 0 + 1
    assert frechet_distance(A, B) == pytest.approx(10.0, rel=0.03)
    assert frechet_distance(A, A) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_with_singular_covariances_is_finite():
    rng = np.random.RandomState(0)
    A = np.c_[rng.normal(size=(100, 2)), np.zeros(100)]  # a dead feature
    assert np.isfinite(frechet_distance(A, A + 0.5))
    with pytest.raises(ValueError, match="features"):
        frechet_distance(A, A[:, :2])


def test_hidden_features_are_the_mlp_hidden_layer():
    X_train, _, y_train, _ = digits_split()
    clf = MLPClassifier((16,), max_iter=30, random_state=0).fit(X_train, y_train)
    H = mlp_hidden_features(clf, X_train[:5])
    assert H.shape == (5, 16) and np.all(H >= 0)
    # the output layer on these features gives the classifier's own probabilities
    logits = H @ clf.coefs_[1] + clf.intercepts_[1]
    np.testing.assert_array_equal(logits.argmax(1), clf.predict(X_train[:5]))
    with pytest.raises(ValueError, match="hidden layer"):
        mlp_hidden_features(MLPClassifier(()).fit(X_train[:50], y_train[:50]), X_train[:5])


def test_coverage_and_memorisation():
    X_train, X_test, y_train, _ = digits_split()
    clf = MLPClassifier((16,), max_iter=200, random_state=0).fit(X_train, y_train)
    shares = class_coverage(X_train[y_train == 3], clf)
    assert shares.sum() == pytest.approx(1.0) and shares.argmax() == 3
    assert memorisation_ratio(X_train[:300], X_train, X_test) == 0.0  # copies
    assert 0.7 < memorisation_ratio(X_test[:300], X_train, X_test[300:]) < 1.3  # fresh rows


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_measure_ranks_real_linear_blends_and_noise(seed):
    quality = fitted_quality(random_state=seed)
    base = quality.baselines(N_SAMPLES, random_state=seed)
    X_train = quality.X_train_
    rng = np.random.RandomState(seed)
    i, j = rng.randint(len(X_train), size=(2, N_SAMPLES))
    blend = quality.score(0.5 * X_train[i] + 0.5 * X_train[j])
    bernoulli = quality.score((rng.uniform(size=(N_SAMPLES, 64)) < X_train.mean(0)) * 1.0)
    uniform = quality.score(rng.uniform(size=(N_SAMPLES, 64)))
    fid = {name: s.fid for name, s in base.items()}
    assert fid["real"] < 0.5 * fid["pca_gaussian"], fid
    # the measure rejects what the old one passed: noise and blends of two digits
    for cheat in (base["pixel_noise"], blend, bernoulli, uniform):
        assert cheat.fid > 1.3 * fid["pca_gaussian"], (cheat.fid, fid)
    assert base["pca_gaussian"].memorisation_ratio > 1.0  # a smooth model copies nothing


def test_pca_gaussian_and_pixel_noise_shapes_and_ranges():
    X_train, *_ = digits_split()
    P = pca_gaussian_samples(X_train, 50, random_state=0)
    N = pixel_noise_samples(X_train, 50, random_state=0)
    for S in (P, N):
        assert S.shape == (50, 64)
        assert np.all(S >= X_train.min(0)) and np.all(S <= X_train.max(0))
    # noise keeps each pixel's values, the PCA-Gaussian its correlations
    assert set(np.unique(N[:, 10])) <= set(np.unique(X_train[:, 10]))


def test_sample_quality_with_a_user_classifier_and_bad_input():
    X_train, X_test, y_train, _ = digits_split()
    clf = MLPClassifier((32,), max_iter=100, random_state=0).fit(X_train, y_train)
    quality = SampleQuality(clf).fit(X_train, None, X_test)
    assert quality.classifier_ is clf
    assert quality.score(X_test[:200]).fid < quality.score(X_train[:200] * 0.3).fid
    with pytest.raises(ValueError, match="features"):
        quality.score(X_test[:10, :30])
    with pytest.raises(ValueError, match="y_train"):
        SampleQuality().fit(X_train, None, X_test)
