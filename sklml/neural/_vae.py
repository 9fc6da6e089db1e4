"""Variational autoencoder on skorch."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import _AE_TRAINING_DOC, _TRAINING_CONSTRAINTS, _ReconstructionEstimator

__all__ = ["VariationalAutoencoder"]

# Monte-Carlo draws of the ELBO in score_samples; the same draws serve every
# row, so a row's score does not depend on the rows scored with it.
_N_ELBO_DRAWS = 16


def check_n_samples(n_samples):
    """``n_samples`` as a positive int, or a clear error."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, (Integral, np.integer)):
        raise TypeError(f"n_samples must be a positive int, got {n_samples!r}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    return int(n_samples)


class VariationalAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                             _ReconstructionEstimator):
    __doc__ = """Variational autoencoder (VAE): a generative model with a Gaussian code.

    The encoder gives the mean and variance of a Gaussian code, a sample of it
    is decoded, and training minimises reconstruction loss + ``beta`` x
    KL(code distribution || N(0, I)). ``transform`` returns the code mean,
    ``inverse_transform`` decodes codes, ``sample`` decodes draws from the
    prior and ``score_samples`` estimates each row's ELBO (a lower bound of
    its log-likelihood).

    Parameters
    ----------
    n_components : int, default=2
        Latent dimension; at most the number of features.
    hidden_layer_sizes : tuple of int, default=(128,)
        Encoder hidden layers of the dense architecture; the decoder mirrors them.
    architecture : {"dense", "conv"}, default="dense"
        ``"conv"``: convolutional encoder/decoder as in :class:`Autoencoder`.
    image_shape : tuple (H, W) or (H, W, C), default=None
        Shape of each row as an image (channels last); needed by ``"conv"``.
    conv_channels : tuple of int, default=(16, 8)
    activation : str, default="relu"
    loss : {"mse", "bce"}, default="mse"
        ``"mse"``: Gaussian decoder with one learned noise variance;
        ``"bce"``: Bernoulli decoder (sigmoid output, X in [0, 1]).
    beta : float, default=1.0
        Weight of the KL term (beta-VAE).
    {training}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    n_iter_ : int
    loss_curve_ : list of float
        Training loss (negative ELBO per feature) per epoch.
    loss_, best_loss_ : float
        Last and lowest training loss (``best_loss_`` None with ``early_stopping``).
    validation_scores_, best_validation_score_ : list of float, float or None
        Minus the loss on the held-out rows per epoch, and its best
        (``early_stopping`` only).
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Per-feature range of the training data; ``sample`` clips to it.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklml.neural import VariationalAutoencoder
    >>> X = load_digits().data[:200] / 16
    >>> vae = VariationalAutoencoder(n_components=2, loss="bce", max_iter=5,
    ...                              random_state=0).fit(X)
    >>> vae.transform(X).shape
    (200, 2)
    >>> vae.sample(3, random_state=0).shape
    (3, 64)
    """.replace("{training}", _AE_TRAINING_DOC)

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"dense", "conv"})],
        "image_shape": ["array-like", None],
        "conv_channels": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid",
                                   "identity"})],
        "loss": [StrOptions({"mse", "bce"})],
        "beta": [Interval(Real, 0, None, closed="left")],
        **_TRAINING_CONSTRAINTS,
    }

    def __init__(self, n_components=2, *, hidden_layer_sizes=(128,), architecture="dense",
                 image_shape=None, conv_channels=(16, 8), activation="relu", loss="mse",
                 beta=1.0, solver="adam", alpha=0.0, batch_size=64, learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=100, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 device="auto", n_jobs=None, callbacks=None, max_epochs=None, optimizer=None):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.architecture = architecture
        self.image_shape = image_shape
        self.conv_channels = conv_channels
        self.activation = activation
        self.loss = loss
        self.beta = beta
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.device = device
        self.n_jobs = n_jobs
        self.callbacks = callbacks
        self.max_epochs = max_epochs
        self.optimizer = optimizer

    @classmethod
    def get_test_params(cls):
        return {"hidden_layer_sizes": (8,), "max_iter": 3, "batch_size": 16}

    @classmethod
    def get_compare_params(cls):
        return {"n_components": 2, "hidden_layer_sizes": (32,), "max_iter": 20}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the VAE on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self
        """
        X = self._validate_X(X, reset=True)
        self._check_common(X)
        from ._generative_modules import VAEModule

        def factory():
            return VAEModule(
                X.shape[1], self.n_components, self._hidden, self.activation, self.architecture,
                self._image_shape, self._channels, self.loss, self.beta,
            )

        self._fit_net(X, factory)
        rng = check_random_state(self.random_state)
        self._elbo_eps = rng.standard_normal((_N_ELBO_DRAWS, self.n_components))
        return self

    @staticmethod
    def _encode(module, x):
        return module.encode(x)[0]

    def sample(self, n_samples=1, random_state=None):
        """Generate rows by decoding draws of the prior N(0, I).

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None
            Makes the draws reproducible.

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
            Decoded means, clipped to the training data's per-feature range.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = check_random_state(random_state)
        z = rng.standard_normal((n_samples, self.n_components))
        return np.clip(self.inverse_transform(z), self.data_min_, self.data_max_)

    def score_samples(self, X):
        """ELBO of each row: E_q[log p(x|z)] - KL(q(z|x) || p(z)).

        A Monte-Carlo estimate with fixed draws, so scores are reproducible.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        import torch

        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        eps = torch.tensor(self._elbo_eps, dtype=torch.float64).to(self.net_.device)

        def elbo(module, x):
            mu, logvar = module.encode(x)
            std = torch.exp(0.5 * logvar)
            ll = torch.stack([module.log_likelihood(module.decode(mu + std * e), x)
                              for e in eps]).mean(0)
            return ll - module.kl(mu, logvar)

        return self._apply(elbo, X)

    def score(self, X, y=None):
        """Mean ELBO of the rows of ``X`` (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))
