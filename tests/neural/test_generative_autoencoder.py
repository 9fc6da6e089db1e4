"""Autoencoder: the lectures' PCA equivalence, stacked, denoising, sparse, tied, conv."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklml.neural import Autoencoder

SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data / 16
    return train_test_split(X, test_size=0.25, random_state=42)


def _mse(a, b):
    return float(np.mean((a - b) ** 2))


def _pca_mse(Xtr, Xte, k=10):
    pca = PCA(k).fit(Xtr)
    return _mse(pca.inverse_transform(pca.transform(Xte)), Xte)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_autoencoder_matches_pca(digits, seed, record_property):
    Xtr, Xte = digits
    pca = _pca_mse(Xtr, Xte)
    ae = Autoencoder(10, hidden_layer_sizes=(), activation="identity", learning_rate_init=5e-3,
                     max_iter=40, random_state=seed).fit(Xtr)
    mse = -ae.score(Xte)
    record_property("figures", dict(mse=mse, pca=pca))
    assert pca == pytest.approx(0.0194, abs=1e-3)
    assert mse <= 1.10 * pca, (mse, pca)


@pytest.mark.parametrize("seed", SEEDS)
def test_stacked_autoencoder_beats_pca(digits, seed, record_property):
    Xtr, Xte = digits
    ae = Autoencoder(10, hidden_layer_sizes=(128,), learning_rate_init=3e-3, max_iter=30,
                     random_state=seed).fit(Xtr)
    mse = -ae.score(Xte)
    record_property("figures", dict(mse=mse, pca=_pca_mse(Xtr, Xte)))
    assert mse < 0.8 * _pca_mse(Xtr, Xte), mse
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert ae.n_iter_ == 30


@pytest.mark.parametrize("seed", SEEDS)
def test_denoising_autoencoder(digits, seed, record_property):
    Xtr, Xte = digits
    noisy = Xte + np.random.RandomState(0).normal(0, 0.25, Xte.shape)
    params = dict(hidden_layer_sizes=(128,), learning_rate_init=3e-3, max_iter=20,
                  random_state=seed)
    dae = Autoencoder(16, noise="gaussian", noise_level=0.25, **params).fit(Xtr)
    plain = Autoencoder(16, **params).fit(Xtr)
    err_noisy = _mse(noisy, Xte)
    err_dae = _mse(dae.reconstruct(noisy), Xte)
    err_plain = _mse(plain.reconstruct(noisy), Xte)
    record_property("figures", dict(mse=err_dae, noisy=err_noisy, plain=err_plain))
    assert err_dae < err_noisy, (err_dae, err_noisy)
    assert err_dae < err_plain, (err_dae, err_plain)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dropout_noise_restores_masked_pixels(digits, seed, record_property):
    """Trained with dropout noise, the autoencoder restores test digits with 20% of the
    pixels dropped (as its training noise drops them) better than PCA with the same code
    size, than the same autoencoder trained without noise, and than the masked input."""
    Xtr, Xte = digits
    keep = np.random.default_rng(seed).random(Xte.shape) >= 0.2
    masked = Xte * keep / 0.8
    dae = Autoencoder(10, noise="dropout", noise_level=0.2, max_iter=20,
                      random_state=seed).fit(Xtr)
    plain = Autoencoder(10, max_iter=20, random_state=seed).fit(Xtr)
    pca = PCA(10).fit(Xtr)
    error = _mse(dae.reconstruct(masked), Xte)
    baselines = dict(pca=_mse(pca.inverse_transform(pca.transform(masked)), Xte),
                     plain=_mse(plain.reconstruct(masked), Xte), copy=_mse(masked, Xte))
    record_property("figures", dict(mse=error, **baselines))
    assert error <= 0.95 * baselines["pca"], (error, baselines)
    assert error < baselines["plain"], (error, baselines)
    assert error <= 0.6 * baselines["copy"], (error, baselines)


@pytest.mark.parametrize("seed", SEEDS)
def test_sparse_autoencoder_mean_activation(digits, seed):
    Xtr, Xte = digits
    ae = Autoencoder(32, hidden_layer_sizes=(64,), sparsity_target=0.1, sparsity_weight=1.0,
                     learning_rate_init=3e-3, max_iter=20, random_state=seed).fit(Xtr)
    code = ae.transform(Xte)
    assert code.min() >= 0 and code.max() <= 1  # sigmoid code
    assert abs(code.mean() - 0.1) < 0.05, code.mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_tied_weights_halve_parameters(digits, seed, record_property):
    Xtr, Xte = digits
    params = dict(hidden_layer_sizes=(64,), max_iter=30, learning_rate_init=2e-3,
                  random_state=seed)
    tied = Autoencoder(10, tied_weights=True, **params).fit(Xtr)
    free = Autoencoder(10, **params).fit(Xtr)

    def n_weights(ae):
        return sum(p.numel() for p in ae.net_.module_.parameters() if p.dim() > 1)

    assert n_weights(tied) * 2 == n_weights(free)
    record_property("figures", dict(mse=-tied.score(Xte), pca5=_pca_mse(Xtr, Xte, k=5)))
    assert -tied.score(Xte) < _pca_mse(Xtr, Xte, k=5)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_convolutional_autoencoder(digits, seed, tied, record_property):
    Xtr, Xte = digits
    ae = Autoencoder(10, architecture="conv", image_shape=(8, 8), conv_channels=(16, 8),
                     tied_weights=tied, learning_rate_init=3e-3, max_iter=15,
                     random_state=seed).fit(Xtr)
    assert ae.transform(Xte).shape == (len(Xte), 10)
    record_property("figures", dict(mse=-ae.score(Xte), pca3=_pca_mse(Xtr, Xte, k=3)))
    assert -ae.score(Xte) < _pca_mse(Xtr, Xte, k=3)


@pytest.mark.parametrize("seed", SEEDS)
def test_bce_loss_outputs_probabilities(digits, seed, record_property):
    Xtr, Xte = digits
    ae = Autoencoder(10, loss="bce", max_iter=15, random_state=seed).fit(Xtr)
    out = ae.inverse_transform(ae.transform(Xte))
    assert out.min() >= 0 and out.max() <= 1
    record_property("figures", dict(mse=-ae.score(Xte), pca2=_pca_mse(Xtr, Xte, k=2)))
    assert -ae.score(Xte) < _pca_mse(Xtr, Xte, k=2)


def test_reproducible_and_pickles(digits):
    Xtr, Xte = digits
    a = Autoencoder(4, max_iter=3, random_state=3).fit(Xtr)
    b = Autoencoder(4, max_iter=3, random_state=3).fit(Xtr)
    np.testing.assert_array_equal(a.transform(Xte), b.transform(Xte))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.transform(Xte), c.transform(Xte))


def test_early_stopping_stops(digits):
    Xtr, _ = digits
    ae = Autoencoder(4, early_stopping=True, n_iter_no_change=2, learning_rate_init=0.05,
                     max_iter=200, random_state=0).fit(Xtr)
    assert ae.n_iter_ < 200


def test_pipeline_and_feature_names(digits):
    Xtr, _ = digits
    pipe = make_pipeline(StandardScaler(), Autoencoder(3, max_iter=2, random_state=0))
    pipe.fit(Xtr)
    assert list(pipe.get_feature_names_out()) == ["autoencoder0", "autoencoder1", "autoencoder2"]


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"n_components": 10}, np.ones((5, 4)), "n_components=10 must be <= n_features=4"),
        ({"architecture": "conv"}, np.ones((5, 64)), "needs image_shape"),
        ({"architecture": "conv", "image_shape": (8, 7)}, np.ones((5, 64)), "56 values per image"),
        ({}, np.array([[0.0, np.nan, 1.0]] * 5), "NaN"),
        ({"loss": "bce"}, np.full((5, 3), 2.0), r"into \[0, 1\]"),
        ({"noise": "salt"}, np.ones((5, 3)), "noise"),
        ({"noise": "dropout", "noise_level": 1.0}, np.ones((5, 3)), "noise_level < 1"),
        ({"hidden_layer_sizes": (8, 0)}, np.ones((5, 3)), "positive ints"),
    ],
)
def test_bad_input(params, X, match):
    with pytest.raises(ValueError, match=match):
        Autoencoder(max_iter=1, **params).fit(X)


def test_inverse_transform_checks_width(digits):
    Xtr, _ = digits
    ae = Autoencoder(3, max_iter=1, random_state=0).fit(Xtr)
    with pytest.raises(ValueError, match="n_components=3"):
        ae.inverse_transform(np.zeros((2, 4)))


def test_verbose_follows_the_contract(digits, capsys):
    Xtr, _ = digits
    Autoencoder(2, max_iter=2, verbose=2, tol=None, random_state=0).fit(Xtr[:100])
    assert capsys.readouterr().out.count("Iteration") == 2
    Autoencoder(2, max_iter=2, verbose=1, tol=None, random_state=0).fit(Xtr[:100])
    assert "2/2" in capsys.readouterr().err


def test_history_and_validation_scores(digits):
    Xtr, _ = digits
    ae = Autoencoder(4, early_stopping=True, max_iter=5, tol=None, random_state=0).fit(Xtr)
    assert ae.n_iter_ == len(ae.loss_curve_) == len(ae.validation_scores_) == 5
    assert ae.best_validation_score_ == max(ae.validation_scores_) < 0
    assert ae.best_loss_ is None


def test_deprecated_names_still_work(digits):
    Xtr, _ = digits
    with pytest.warns(FutureWarning, match="max_epochs"):
        ae = Autoencoder(2, max_epochs=2, tol=None, random_state=0).fit(Xtr[:100])
    assert ae.n_iter_ == 2
    with pytest.warns(FutureWarning, match="learning_rate_init"):
        Autoencoder(2, max_iter=1, learning_rate=0.01, random_state=0).fit(Xtr[:100])


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_warns_and_trains_on_cpu():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        ae = Autoencoder(max_iter=1, device="cuda").fit(np.ones((5, 3)))
    assert ae.net_.device == "cpu"
