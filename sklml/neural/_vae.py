"""Variational autoencoder on skorch."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import _AE_TRAINING_DOC, _TRAINING_CONSTRAINTS, _ReconstructionEstimator

# defaults chosen on load_digits()/16 (issue #20): samples below the PCA-Gaussian's Fréchet
# distance and every digit generated, seeds 0-4, fit ~10-20 s of CPU
_VAE_TRAINING_DOC = _AE_TRAINING_DOC.replace(
    "learning_rate_init : float, default=0.001", "learning_rate_init : float, default=0.002"
).replace("max_iter : int, default=100", "max_iter : int, default=300")

__all__ = ["VariationalAutoencoder"]


def fit_class_labels(estimator, X, y):
    """(classes, their frequencies) of the ``y`` of a conditional generative model."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d, check_consistent_length

    if y is None:
        raise ValueError(f"{type(estimator).__name__}(conditional=True) needs y, the class of "
                         "each row, in fit")
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
    check_classification_targets(y)
    classes, counts = np.unique(y, return_counts=True)
    return classes, counts / counts.sum()


def one_hot(classes, y):
    """float32 one-hot rows of ``y`` over ``classes``; unknown labels are a ValueError."""
    y = np.asarray(y)
    index = np.searchsorted(classes, y)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != y
    if np.any(unknown):
        raise ValueError(f"y contains labels not seen in fit: {np.unique(y[unknown])[:5]}; "
                         f"the classes are {classes}")
    out = np.zeros((len(y), len(classes)), dtype=np.float32)
    out[np.arange(len(y)), index] = 1.0
    return out


def sample_labels(estimator, n_samples, y, rng):
    """One-hot labels of the rows ``sample`` generates: ``y`` or draws of the class prior."""
    if y is None:
        y = estimator.classes_[rng.choice(len(estimator.classes_), n_samples,
                                          p=estimator.class_prior_)]
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(f"y must hold one label per sample: shape ({n_samples},), got {y.shape}")
    return one_hot(estimator.classes_, y)

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
    n_components : int, default=8
        Latent dimension; at most the number of features.
    hidden_layer_sizes : tuple of int, default=(256, 128)
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
    conditional : bool, default=False
        Class-conditional VAE: ``fit(X, y)`` trains a decoder that reads the
        code and the one-hot class of the row, and ``sample(n, y=labels)``
        draws rows of the requested classes. Off by default because a
        :class:`~sklearn.pipeline.Pipeline` passes its ``y`` to every step.
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
    classes_ : ndarray of shape (n_classes,)
        Class labels (``conditional=True`` only).
    class_prior_ : ndarray of shape (n_classes,)
        Their frequencies in ``y``; ``sample`` without ``y`` draws classes
        from them (``conditional=True`` only).
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
    """.replace("{training}", _VAE_TRAINING_DOC)

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
        "conditional": ["boolean"],
        **_TRAINING_CONSTRAINTS,
    }

    def __init__(self, n_components=8, *, hidden_layer_sizes=(256, 128), architecture="dense",
                 image_shape=None, conv_channels=(16, 8), activation="relu", loss="mse",
                 beta=1.0, conditional=False, solver="adam", alpha=0.0, batch_size=64,
                 learning_rate="constant",
                 learning_rate_init=2e-3, power_t=0.5, max_iter=300, shuffle=True,
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
        self.conditional = conditional
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
        return {"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 3, "batch_size": 16}

    @classmethod
    def get_compare_params(cls):
        return {"n_components": 2, "hidden_layer_sizes": (32,), "max_iter": 20}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the VAE on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
            Class of each row, used (and needed) when ``conditional=True``;
            ignored otherwise.

        Returns
        -------
        self
        """
        X = self._validate_X(X, reset=True)
        self._check_common(X)
        from ._generative_modules import VAEModule

        labels = None
        if self.conditional:
            labels = self._fit_labels(X, y)
        n_classes = 0 if labels is None else labels.shape[1]

        def factory():
            return VAEModule(
                X.shape[1], self.n_components, self._hidden, self.activation, self.architecture,
                self._image_shape, self._channels, self.loss, self.beta, n_classes,
            )

        if labels is None:
            self._fit_net(X, factory)
        else:  # the module reads the rows followed by their one-hot labels, rebuilds the rows
            from ._torch_utils import to_float32

            self._module_factory = factory
            X32 = to_float32(X)
            try:
                self._fit_network(np.hstack([X32, labels]), X32, None, incremental=False,
                                  first=True, y_val_true=X32)
            finally:
                del self._module_factory
            self.data_min_ = X.min(0)
            self.data_max_ = X.max(0)
        rng = check_random_state(self.random_state)
        self._elbo_eps = rng.standard_normal((_N_ELBO_DRAWS, self.n_components))
        return self

    def _fit_labels(self, X, y):
        """One-hot float32 labels of ``y``; sets ``classes_`` and ``class_prior_``."""
        self.classes_, self.class_prior_ = fit_class_labels(self, X, y)
        return one_hot(self.classes_, y)

    @staticmethod
    def _encode(module, x):
        return module.encode(x)[0]

    def sample(self, n_samples=1, random_state=None, y=None):
        """Generate rows by decoding draws of the prior N(0, I).

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None
            Makes the draws reproducible.
        y : array-like of shape (n_samples,) or None, default=None
            Classes of the rows to generate (``conditional=True`` only); None
            draws them from ``class_prior_``.

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
            Decoded means, clipped to the training data's per-feature range.
        """
        import torch

        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = check_random_state(random_state)
        z = rng.standard_normal((n_samples, self.n_components))
        if not self.conditional:
            if y is not None:
                raise ValueError("sample(y=...) needs a VAE fitted with conditional=True")
            return np.clip(self.inverse_transform(z), self.data_min_, self.data_max_)
        labels = sample_labels(self, n_samples, y, rng)
        codes = np.hstack([z, labels])
        k = self.n_components

        def decode(module, zc):
            out = module.decode(zc[:, :k], zc[:, k:])
            return torch.sigmoid(out) if self.loss == "bce" else out

        return np.clip(self._apply(decode, codes), self.data_min_, self.data_max_)

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

        def elbo(module, x, labels=None):
            mu, logvar = module.encode(x)
            std = torch.exp(0.5 * logvar)
            ll = torch.stack([module.log_likelihood(module.decode(mu + std * e, labels), x)
                              for e in eps]).mean(0)
            return ll - module.kl(mu, logvar)

        if not self.conditional:
            return self._apply(elbo, X)

        def marginal_elbo(module, x):
            # log sum_k prior_k exp(ELBO(x | k)): a lower bound of log p(x) as well
            eye = torch.eye(len(self.classes_), dtype=x.dtype, device=x.device)
            per_class = torch.stack([elbo(module, x, eye[k].expand(x.shape[0], -1))
                                     for k in range(len(self.classes_))], 1)
            log_prior = torch.log(torch.as_tensor(self.class_prior_, dtype=x.dtype,
                                                  device=x.device))
            return torch.logsumexp(per_class + log_prior, 1)

        return self._apply(marginal_elbo, X)

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
