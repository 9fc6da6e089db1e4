"""Recurrent networks: RNNClassifier and RNNRegressor."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseNeuralEstimator, NeuralClassifierBase, NeuralRegressorBase
from ._mlp import _ATTRIBUTES_DOC, training_params_doc
from ._modules import RNNModule

__all__ = ["RNNClassifier", "RNNRegressor"]

RNN_CONSTRAINTS = {
    "sequence_shape": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
    "cell": [StrOptions({"rnn", "lstm", "gru"})],
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    "n_layers": [Interval(Integral, 1, None, closed="left")],
    "bidirectional": ["boolean"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "layer_norm": ["boolean"],
    "orthogonal_init": ["boolean"],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}

_RNN_DOC = """sequence_shape : int or tuple (n_timesteps[, n_features]), default=None
        Shape of one sequence when ``X`` holds flat rows (row-major: all
        features of step 0, then step 1, ...). Without it a flat row is a
        univariate sequence, one step per column.
    cell : {"rnn", "lstm", "gru"}, default="gru"
        Recurrent cell: simple (tanh), LSTM or GRU.
    hidden_size : int, default=64
        Size of the hidden state.
    n_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Also read the sequences backwards (outputs of both directions joined).
    dropout : float, default=0.0
        Dropout between stacked recurrent layers.
    layer_norm : bool, default=False
        Layer normalisation of each cell's pre-activations (slower: the time
        loop runs in Python).
    orthogonal_init : bool, default=True
        Orthogonal recurrent weight matrices (one per gate), Glorot input
        weights, zero biases; False keeps torch's initialisation.
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value at each step (None: no clipping)."""


def _sequence_shape_param(sequence_shape, n_features):
    shape = (sequence_shape,) if isinstance(sequence_shape, Integral) else tuple(sequence_shape)
    if len(shape) not in (1, 2) or not all(isinstance(s, Integral) and s >= 1 for s in shape):
        raise ValueError(
            "sequence_shape must be n_timesteps or (n_timesteps, n_features) of positive "
            f"integers, got {sequence_shape!r}"
        )
    steps = int(shape[0])
    features = int(shape[1]) if len(shape) == 2 else n_features // steps
    if steps * features != n_features or features == 0:
        raise ValueError(
            f"sequence_shape={sequence_shape!r} does not fit rows of {n_features} features "
            f"({steps} steps x {features} features = {steps * features})"
        )
    return steps, features


class _RNNMixin:
    _allow_nd = True

    def _shape_X(self, X, reset):
        if X.ndim > 3:
            raise ValueError(
                f"{type(self).__name__} takes 2-D (flat rows) or 3-D (n_samples, "
                f"n_timesteps, n_features) X, got {X.ndim} dimensions"
            )
        if reset:
            self.sequence_shape_ = self._infer_sequence_shape(X)
            self._input_ndim = X.ndim
        elif X.ndim != self._input_ndim or (X.ndim == 3 and X.shape[1:] != self.sequence_shape_):
            expected = ((int(np.prod(self.sequence_shape_)),) if self._input_ndim == 2
                        else self.sequence_shape_)
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was "
                f"fitted on samples of shape {expected}"
            )
        return np.ascontiguousarray(X.reshape(len(X), *self.sequence_shape_))

    def _infer_sequence_shape(self, X):
        if X.ndim == 2:
            if self.sequence_shape is None:
                return X.shape[1], 1
            return _sequence_shape_param(self.sequence_shape, X.shape[1])
        shape = X.shape[1:]
        if self.sequence_shape is not None:
            given = _sequence_shape_param(self.sequence_shape, int(np.prod(shape)))
            if given != shape:
                raise ValueError(
                    f"sequence_shape={self.sequence_shape!r} does not match the sequences "
                    f"in X of shape {shape}"
                )
        return shape

    def _module_spec(self):
        return RNNModule, dict(
            n_features=self.sequence_shape_[1],
            n_outputs=self._n_module_outputs(),
            cell=self.cell,
            hidden_size=self.hidden_size,
            n_layers=self.n_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            layer_norm=self.layer_norm,
            orthogonal_init=self.orthogonal_init,
            return_sequences=getattr(self, "return_sequences", False),
        )

    def _clip_grad_norm(self):
        return self.clip_grad_norm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    @classmethod
    def get_test_params(cls):
        return dict(hidden_size=8, learning_rate_init=0.02, batch_size=32, max_iter=20,
                    random_state=0, device="cpu", n_jobs=1)

    @classmethod
    def get_compare_params(cls):
        return dict(hidden_size=32, max_iter=20, early_stopping=True, random_state=0)


class RNNClassifier(_RNNMixin, NeuralClassifierBase):
    __doc__ = f"""Recurrent neural network classifier of sequences, trained with skorch.

    A recurrent layer stack (simple RNN, LSTM or GRU) reads each sequence; its
    last hidden state (both directions when bidirectional) goes through a
    linear softmax output.  The network is built inside ``fit`` from the
    sequence shape and the number of classes.

    Parameters
    ----------
    {_RNN_DOC}
    {training_params_doc(learning_rate_init=3e-3, batch_size=64, max_iter=100)}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (multiplied with ``sample_weight``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    sequence_shape_ : tuple (n_timesteps, n_features)
        Shape of the sequences the network was built for.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.neural import RNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 4 * np.pi, 30)
    >>> y = rng.integers(2, size=200)
    >>> X = np.where(y[:, None] == 1, np.sin(t), np.sign(np.sin(t)))
    >>> X = X + rng.normal(scale=0.3, size=X.shape)
    >>> clf = RNNClassifier(hidden_size=16, max_iter=30, random_state=0).fit(X, y)
    >>> clf.sequence_shape_
    (30, 1)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        **RNN_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, sequence_shape=None, cell="gru", hidden_size=64, n_layers=1,
                 bidirectional=False, dropout=0.0, layer_norm=False, orthogonal_init=True,
                 clip_grad_norm=1.0, class_weight=None, solver="adam", alpha=1e-4,
                 batch_size=64, learning_rate="constant",
                 learning_rate_init=3e-3, power_t=0.5, max_iter=100, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 device="auto", n_jobs=None, callbacks=None, max_epochs=None, optimizer=None,
                 **kwargs):
        self.sequence_shape = sequence_shape
        self.cell = cell
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.layer_norm = layer_norm
        self.orthogonal_init = orthogonal_init
        self.clip_grad_norm = clip_grad_norm
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

    def _n_module_outputs(self):
        return self.n_outputs_


class RNNRegressor(_RNNMixin, NeuralRegressorBase):
    __doc__ = f"""Recurrent neural network regressor on sequences, trained with skorch.

    Sequence-to-one (default): the last hidden state of the recurrent stack
    goes through a linear output, ``y`` has shape ``(n_samples,)`` or
    ``(n_samples, n_outputs)``.  Sequence-to-sequence
    (``return_sequences=True``): the output layer is applied at every step and
    ``y`` has shape ``(n_samples, n_timesteps)`` or
    ``(n_samples, n_timesteps, n_outputs)``.  Targets are not rescaled.

    Parameters
    ----------
    {_RNN_DOC}
    return_sequences : bool, default=False
        Predict a value at every time step instead of one per sequence.
    loss : {{"squared_error", "huber"}}, default="squared_error"
        Training loss (Huber delta 1; change with ``criterion__delta``).
    {training_params_doc(learning_rate_init=3e-3, batch_size=64, max_iter=100)}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets (per time step when ``return_sequences=True``).
    sequence_shape_ : tuple (n_timesteps, n_features)
        Shape of the sequences the network was built for.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.neural import RNNRegressor
    >>> t = np.arange(400) * 0.2
    >>> series = np.sin(t)
    >>> X = np.stack([series[i:i + 10] for i in range(380)])
    >>> y = series[10:390]
    >>> reg = RNNRegressor(hidden_size=16, max_iter=30, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **NeuralRegressorBase._parameter_constraints,
        **RNN_CONSTRAINTS,
        "return_sequences": ["boolean"],
    }

    def __init__(self, sequence_shape=None, cell="gru", hidden_size=64, n_layers=1,
                 bidirectional=False, dropout=0.0, layer_norm=False, orthogonal_init=True,
                 clip_grad_norm=1.0, return_sequences=False, loss="squared_error",
                 solver="adam", alpha=1e-4, batch_size=64, learning_rate="constant",
                 learning_rate_init=3e-3, power_t=0.5, max_iter=100, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 device="auto", n_jobs=None, callbacks=None, max_epochs=None, optimizer=None,
                 **kwargs):
        self.sequence_shape = sequence_shape
        self.cell = cell
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.layer_norm = layer_norm
        self.orthogonal_init = orthogonal_init
        self.clip_grad_norm = clip_grad_norm
        self.return_sequences = return_sequences
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
        self._store_routed(kwargs)

    def _n_module_outputs(self):
        return self.n_outputs_

    def _target_ndim_extra(self):
        return 1 if self.return_sequences else 0

    def _set_target_shape(self, y, reset):
        if self.return_sequences and reset:
            steps = self.sequence_shape_[0]
            if y.ndim < 2 or y.shape[1] != steps:
                raise ValueError(
                    f"return_sequences=True needs y of shape (n_samples, {steps}) or "
                    f"(n_samples, {steps}, n_outputs), one target per time step; got "
                    f"y of shape {y.shape}"
                )
        return super()._set_target_shape(y, reset)

    def _n_outputs_from_shape(self, shape):
        if self.return_sequences:
            return int(np.prod(shape[1:])) if len(shape) > 1 else 1
        return super()._n_outputs_from_shape(shape)

    def _net_target_shape(self):
        if self.return_sequences:
            return (self.sequence_shape_[0], self.n_outputs_)
        return super()._net_target_shape()
