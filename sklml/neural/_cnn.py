"""Convolutional network classifier: CNNClassifier."""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseNeuralEstimator, NeuralClassifierBase
from ._mlp import _ATTRIBUTES_DOC, training_params_doc, DENSE_CONSTRAINTS, check_layer_sizes
from ._modules import CNNModule

__all__ = ["CNNClassifier"]


def _image_shape_param(image_shape):
    """``image_shape`` as ``(H, W, C)`` (C defaults to 1)."""
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(isinstance(s, Integral) and s >= 1 for s in shape):
        raise ValueError(
            f"image_shape must be (height, width) or (height, width, channels) of "
            f"positive integers, got {image_shape!r}"
        )
    return tuple(int(s) for s in shape) + ((1,) if len(shape) == 2 else ())


class CNNClassifier(NeuralClassifierBase):
    __doc__ = f"""Convolutional neural network classifier trained with skorch.

    Convolution blocks (convolution [-> batch norm] -> activation ->
    max-pooling, one per entry of ``conv_channels``) feed a dense head
    (``hidden_layer_sizes``) and a softmax output; the network is built inside
    ``fit`` from the image size and the number of classes.

    Images come as

    * 3-D ``(n_samples, height, width)`` or 4-D channels-last
      ``(n_samples, height, width, channels)`` arrays, or
    * flat rows (row-major ``height x width x channels``) with
      ``image_shape``; without ``image_shape`` a row of ``n`` features is a
      square image when ``n`` is a perfect square (64 -> 8x8), else a
      ``1 x n`` strip.

    Parameters
    ----------
    image_shape : tuple (height, width) or (height, width, channels), default=None
        Shape of one image when ``X`` holds flat rows.
    conv_channels : tuple of int, default=(32, 64)
        Output channels of each convolution block.
    kernel_size : int, default=3
        Side of the square convolution kernels ("same" padding).
    pool : int, default=2
        Side of the max-pooling window after each convolution (1: no pooling);
        shrunk for axes already smaller than it.
    hidden_layer_sizes : tuple of int, default=(128,)
        Widths of the dense layers between the convolutions and the output.
    activation : {{"relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid", \
"identity"}}, default="relu"
        Activation of convolutions and dense layers.
    dropout : float, default=0.5
        Dropout probability in the dense head.
    batch_norm : bool, default=False
        Batch normalisation before each activation.
    init : {{"auto", "glorot", "he", "lecun", "default"}}, default="auto"
        Weight initialisation ("auto": He for ReLU-like, else Glorot/LeCun).
    {training_params_doc(learning_rate_init=2e-3, batch_size=64, max_iter=30, n_iter_no_change=5)}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (multiplied with ``sample_weight``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    image_shape_ : tuple (height, width, channels)
        Shape of the images the network was built for.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklml.neural import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(conv_channels=(8,), hidden_layer_sizes=(32,),
    ...                     max_iter=10, random_state=0).fit(X[:500] / 16, y[:500])
    >>> clf.image_shape_
    (8, 8, 1)
    >>> clf.score(X[:500] / 16, y[:500]) > 0.8
    True
    """

    _allow_nd = True

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "image_shape": [tuple, list, None],
        "conv_channels": ["array-like", Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, image_shape=None, conv_channels=(32, 64), kernel_size=3, pool=2,
                 hidden_layer_sizes=(128,), activation="relu", dropout=0.5,
                 batch_norm=False, init="auto", class_weight=None, *, solver="adam", alpha=1e-4,
                 batch_size=64, learning_rate="constant",
                 learning_rate_init=2e-3, power_t=0.5, max_iter=30, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=5, max_fun=15000,
                 device="auto", n_jobs=None, callbacks=None, max_epochs=None, optimizer=None,
                 **kwargs):
        self.image_shape = image_shape
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.pool = pool
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.class_weight = class_weight
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
        self._store_routed(kwargs)

    def _shape_X(self, X, reset):
        if X.ndim > 4:
            raise ValueError(
                f"CNNClassifier takes 2-D (flat rows), 3-D (n, height, width) or 4-D "
                f"(n, height, width, channels) X, got {X.ndim} dimensions"
            )
        if reset:
            self.image_shape_ = self._infer_image_shape(X)
            self._input_ndim = X.ndim
        elif X.ndim != self._input_ndim or (
                X.ndim > 2 and X.shape[1:] != self.image_shape_[:X.ndim - 1]):
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but CNNClassifier was fitted "
                f"on samples of shape {self._sample_shape()}"
            )
        height, width, channels = self.image_shape_
        images = X.reshape(len(X), height, width, channels)
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2))

    def _sample_shape(self):
        if self._input_ndim == 2:
            return (int(np.prod(self.image_shape_)),)
        return self.image_shape_[:self._input_ndim - 1]

    def _infer_image_shape(self, X):
        given = None if self.image_shape is None else _image_shape_param(self.image_shape)
        if X.ndim == 2:
            n_features = X.shape[1]
            if given is None:
                side = math.isqrt(n_features)
                return (side, side, 1) if side * side == n_features else (1, n_features, 1)
            if int(np.prod(given)) != n_features:
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} needs {int(np.prod(given))} "
                    f"features per row, but X has {n_features}"
                )
            return given
        shape = X.shape[1:] + ((1,) if X.ndim == 3 else ())
        if given is not None and given != shape:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} does not match the images in X "
                f"of shape {X.shape[1:]}"
            )
        return shape

    def _module_spec(self):
        height, width, channels = self.image_shape_
        conv_channels = check_layer_sizes(self.conv_channels, "conv_channels")
        return CNNModule, dict(
            image_shape=(channels, height, width),
            n_outputs=self.n_outputs_,
            conv_channels=conv_channels,
            kernel_size=self.kernel_size,
            pool=self.pool,
            hidden_layer_sizes=check_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            init=self.init,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    @classmethod
    def get_test_params(cls):
        return dict(conv_channels=(4,), hidden_layer_sizes=(16,), dropout=0.0,
                    learning_rate_init=0.01, batch_size=32, max_iter=20, random_state=0,
                    device="cpu", n_jobs=1)

    @classmethod
    def get_compare_params(cls):
        return dict(conv_channels=(16,), hidden_layer_sizes=(64,), max_iter=15,
                    early_stopping=True, random_state=0)
