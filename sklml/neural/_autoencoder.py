"""Autoencoder: stacked, denoising, sparse, tied or convolutional, on skorch."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import TRAINING_PARAMS, BaseNeuralEstimator
from ._mlp import training_params_doc
from ._torch_utils import to_float32

__all__ = ["Autoencoder"]

_CHUNK = 4096


def _check_sizes(value, name, allow_empty=True):
    """A tuple of positive ints from an int or a sequence."""
    if isinstance(value, Integral):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(f"{name} must be an int or a sequence of ints, got {value!r}") from None
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"{name} must hold positive ints, got {value!r}")
    if not sizes and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return tuple(int(s) for s in sizes)


def check_image_shape(image_shape, n_features, architecture):
    """``(H, W, C)`` from ``image_shape`` for a convolutional architecture."""
    if image_shape is None:
        raise ValueError(
            f"architecture={architecture!r} needs image_shape=(H, W) or (H, W, C) with "
            f"H * W * C == n_features ({n_features})"
        )
    shape = _check_sizes(image_shape, "image_shape")
    if len(shape) not in (2, 3):
        raise ValueError(f"image_shape must be (H, W) or (H, W, C), got {image_shape!r}")
    shape = shape + (1,) * (3 - len(shape))
    if int(np.prod(shape)) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {int(np.prod(shape))} values per image "
            f"but X has {n_features} features"
        )
    return shape


#: the training parameters, shared with the MLP (see sklml._training)
_TRAINING_CONSTRAINTS = {
    k: v for k, v in BaseNeuralEstimator._parameter_constraints.items()
    if k in TRAINING_PARAMS
}

#: the training section of the docstrings (the MLP's, with these defaults)
_AE_TRAINING_DOC = training_params_doc(batch_size=64, max_iter=100).replace(
    "alpha : float, default=1e-4", "alpha : float, default=0.0").split("\n    **kwargs")[0]


class _ReconstructionEstimator(BaseNeuralEstimator):
    """Shared machinery of the autoencoders, on the MLP's base and loop.

    Subclasses hand ``_fit_net`` a factory of their torch module, whose
    ``loss(outputs, X)`` is the training objective: the target is always the
    clean input (the module adds noise itself when training). With
    ``early_stopping`` the validation score is minus that loss on the
    held-out rows.
    """

    def _module_spec(self):
        return self._module_factory(), {}

    def _criterion(self):
        return torch.nn.MSELoss  # unused: the module's own loss is the objective

    def _batch_loss(self, out, target, weight):
        return self.net_.module_.loss(out, target)

    def _validation_score(self, X_val, y_val, w_val):
        module = self.net_.module_
        with torch.no_grad():
            x = torch.from_numpy(X_val).to(next(module.parameters()).device)
            loss = float(module.loss(module(x), x))
        return -loss if np.isfinite(loss) else np.nan

    def _check_solver(self):
        raise AttributeError(f"{type(self).__name__} has no partial_fit")

    def _validate_X(self, X, reset):
        return validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])

    def _check_common(self, X):
        n_features = X.shape[1]
        if self.n_components > n_features:
            raise ValueError(
                f"n_components={self.n_components} must be <= n_features={n_features}"
            )
        self._hidden = _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        self._channels = _check_sizes(self.conv_channels, "conv_channels", allow_empty=False)
        self._image_shape = (
            check_image_shape(self.image_shape, n_features, self.architecture)
            if self.architecture == "conv" else None
        )
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                'loss="bce" needs X scaled into [0, 1] (e.g. MinMaxScaler); '
                f"got values in [{X.min():.3g}, {X.max():.3g}]"
            )

    def _fit_net(self, X, module_factory):
        self._module_factory = module_factory
        X32 = to_float32(X)
        try:
            self._fit_network(X32, X32, None, incremental=False, first=True, y_val_true=X32)
        finally:
            del self._module_factory
        self.data_min_ = X.min(0)
        self.data_max_ = X.max(0)
        return self

    def _apply(self, fn, X):
        """``fn(module, x)`` over chunks of ``X``, in float64; numpy out."""
        import torch

        from ._generative_modules import inference_copy

        module = inference_copy(self.net_.module_)
        X = np.asarray(X, dtype=np.float64)
        outs = []
        with torch.no_grad():
            for start in range(0, X.shape[0], _CHUNK):
                xb = torch.tensor(X[start:start + _CHUNK]).to(self.net_.device)
                outs.append(fn(module, xb).cpu().numpy())
        return np.concatenate(outs)

    def _decode_output(self, module, z):
        import torch

        out = module.decode(z)
        return torch.sigmoid(out) if self.loss == "bce" else out

    def transform(self, X):
        """The code (latent representation) of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._apply(self._encode, X)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
        """
        from sklearn.utils import check_array

        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but inverse_transform expects "
                f"n_components={self.n_components}"
            )
        return self._apply(self._decode_output, Z)

    def reconstruct(self, X):
        """``inverse_transform(transform(X))`` in one pass (the network's output)."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._apply(lambda m, x: self._decode_output(m, self._encode(m, x)), X)

    @property
    def _n_features_out(self):
        return self.n_components


class Autoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _ReconstructionEstimator):
    __doc__ = """Autoencoder trained to reproduce its input through a narrow code.

    A transformer: ``transform`` gives the code, ``inverse_transform`` decodes
    it, ``score`` is the negative reconstruction MSE. With identity
    activations and the MSE loss a dense autoencoder spans the same subspace
    as PCA; nonlinear stacked layers, noise (denoising AE), a KL sparsity
    penalty, tied weights and a convolutional body are options.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code; at most the number of features.
    hidden_layer_sizes : tuple of int, default=(64,)
        Encoder hidden layers of the dense architecture; the decoder mirrors them.
    architecture : {"dense", "conv"}, default="dense"
        ``"conv"``: 3x3 "same" convolutions with 2x2 max pooling, mirrored by
        upsampling in the decoder (the lectures' convolutional AE); rows are
        images of ``image_shape``.
    image_shape : tuple (H, W) or (H, W, C), default=None
        Shape of each row as an image (channels last); needed by ``"conv"``.
    conv_channels : tuple of int, default=(16, 8)
        Channels of the convolutional blocks (``"conv"`` only).
    tied_weights : bool, default=False
        The decoder uses the transposed encoder weights (half the parameters).
    noise : {None, "gaussian", "dropout"}, default=None
        Corrupt the input while training (denoising AE); the target stays clean.
    noise_level : float, default=0.1
        Standard deviation of the Gaussian noise, or dropout probability.
    sparsity_target : float, default=0.05
        Target mean activation of the code units (sparse AE).
    sparsity_weight : float, default=0.0
        Weight of the KL(sparsity_target || mean code activation) penalty.
        When positive the code goes through a sigmoid so that its activations
        are probabilities.
    activation : str, default="relu"
        Hidden activation: relu, leaky_relu, elu, selu, tanh, sigmoid, identity.
        The code layer itself is linear (sigmoid when sparse).
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss; ``"bce"`` (sigmoid output) needs X in [0, 1].
    {training}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The fitted skorch net (``net_.module_`` is the torch module).
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training loss per epoch.
    loss_ : float
        Training loss of the last epoch.
    best_loss_ : float or None
        Lowest training loss (None with ``early_stopping``).
    validation_scores_ : list of float or None
        Minus the loss on the held-out rows per epoch (``early_stopping``).
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Per-feature range of the training data.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklml.neural import Autoencoder
    >>> X = load_digits().data[:200] / 16
    >>> ae = Autoencoder(n_components=8, max_iter=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (200, 8)
    >>> ae.inverse_transform(ae.transform(X)).shape
    (200, 64)
    """.replace("{training}", _AE_TRAINING_DOC)

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"dense", "conv"})],
        "image_shape": ["array-like", None],
        "conv_channels": ["array-like", Interval(Integral, 1, None, closed="left")],
        "tied_weights": ["boolean"],
        "noise": [StrOptions({"gaussian", "dropout"}), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "activation": [StrOptions({"relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid",
                                   "identity"})],
        "loss": [StrOptions({"mse", "bce"})],
        **_TRAINING_CONSTRAINTS,
    }

    def __init__(self, n_components=2, *, hidden_layer_sizes=(64,), architecture="dense",
                 image_shape=None, conv_channels=(16, 8), tied_weights=False, noise=None,
                 noise_level=0.1, sparsity_target=0.05, sparsity_weight=0.0, activation="relu",
                 loss="mse", solver="adam", alpha=0.0, batch_size=64, learning_rate="constant",
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
        self.tied_weights = tied_weights
        self.noise = noise
        self.noise_level = noise_level
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.activation = activation
        self.loss = loss
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
        """Train the autoencoder to reproduce ``X``.

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
        if self.noise == "dropout" and self.noise_level >= 1:
            raise ValueError(f'noise="dropout" needs noise_level < 1, got {self.noise_level}')
        from ._generative_modules import AutoencoderModule

        def factory():
            return AutoencoderModule(
                X.shape[1], self.n_components, self._hidden, self.activation, self.architecture,
                self._image_shape, self._channels, self.tied_weights, self.noise,
                self.noise_level, self.sparsity_weight > 0, self.loss, self.sparsity_target,
                self.sparsity_weight,
            )

        return self._fit_net(X, factory)

    @staticmethod
    def _encode(module, x):
        return module.encode(x)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        float
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        out = self._apply(lambda m, x: self._decode_output(m, self._encode(m, x)), X)
        return -float(np.mean((out - X) ** 2))
