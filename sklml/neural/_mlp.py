"""Multi-layer perceptrons: MLPClassifier and MLPRegressor, scikit-learn's
parameters and attributes on torch, with sklml's extras."""

from __future__ import annotations

from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.utils._param_validation import Interval, StrOptions

from .._training import training_doc
from ._lean import LEAN_ACTIVATIONS, lean_step
from ._base import BaseNeuralEstimator, NeuralClassifierBase, NeuralRegressorBase
from ._modules import MLPModule
from ._torch_utils import ACTIVATIONS, INITS

__all__ = ["MLPClassifier", "MLPRegressor"]


def check_layer_sizes(sizes, name="hidden_layer_sizes"):
    """``sizes`` as a tuple of positive ints (an int means one layer)."""
    if isinstance(sizes, Integral):
        sizes = (sizes,)
    try:
        sizes = tuple(sizes)
    except TypeError:
        sizes = None
    if sizes is None or not all(isinstance(s, Integral) and s >= 1 for s in sizes):
        raise ValueError(f"{name} must be > 0, got {sizes!r}.")
    return tuple(int(s) for s in sizes)


DENSE_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    "init": [StrOptions(set(INITS) | {"auto"})],
}

_TRAINING_DOC = """solver : {{"adam", "sgd", "lbfgs", "nadam", "adagrad", "rmsprop"}}, \
default="adam"
        Optimizer: scikit-learn's three (``"lbfgs"`` is torch's full-batch
        L-BFGS with a strong-Wolfe line search), then torch's NAdam, Adagrad
        and RMSprop.
    alpha : float, default=1e-4
        Strength of the L2 penalty: ``alpha / (2 n_batch) * ||W||^2`` on the
        weight matrices (not the biases) is added to each batch's mean loss,
        as in scikit-learn.
    batch_size : int or "auto", default={batch_size!r}
        Mini-batch size; ``"auto"`` is ``min(200, n_samples)``; a larger
        value is clipped to ``n_samples`` (with a warning). Unused by lbfgs.
    learning_rate : {{"constant", "invscaling", "adaptive"}}, default="constant"
        Step-size schedule of ``solver="sgd"`` (scikit-learn's):
        ``"invscaling"`` divides ``learning_rate_init`` by
        ``(t + 1) ** power_t`` after each epoch (``t`` samples seen);
        ``"adaptive"`` divides the step by 5 each time the stopping rule
        fires, and stops once it is below 1e-6. (A float is the deprecated
        meaning, the step size: use ``learning_rate_init``.)
    {learning_rate_init}
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    {max_iter}
    shuffle : bool, default=True
        Shuffle the samples in each epoch.
    {random_state}
    {tol}
    {verbose}
    warm_start : bool, default=False
        Continue training the fitted network in ``fit`` instead of rebuilding it.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for ``solver="sgd"`` (with ``momentum > 0``).
    {early_stopping}
    {validation_fraction}
    beta_1 : float, default=0.9
        Decay of Adam's (and NAdam's) first-moment estimate.
    beta_2 : float, default=0.999
        Decay of Adam's (and NAdam's) second-moment estimate.
    epsilon : float, default=1e-8
        Adam's (and NAdam's) numerical stability term.
    {n_iter_no_change}
    max_fun : int, default=15000
        Largest number of loss evaluations of ``solver="lbfgs"``.
    {device}
    n_jobs : int or None, default=None
        Torch CPU threads while fitting and predicting (None keeps torch's
        setting, -1 uses all cores); 1 is often fastest for small networks.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        skorch callbacks, notified of the train, epoch and batch events of
        the training loop (``net_.history`` holds ``train_loss`` per epoch and
        batch, ``valid_score`` with ``early_stopping``); one that raises
        ``KeyboardInterrupt`` stops training.
    max_epochs : int, default=None
        Deprecated alias of ``max_iter`` (``FutureWarning``).
    optimizer : str, default=None
        Deprecated alias of ``solver``: ``"momentum"``/``"nesterov"`` are
        ``solver="sgd"`` with momentum 0.9, ``"sgd"`` plain SGD
        (``FutureWarning``).
    **kwargs
        Routed skorch parameters: ``module__...``, ``optimizer__...``,
        ``criterion__...``, ``callbacks__...``."""


def training_params_doc(**defaults):
    """The training section of a neural estimator's parameters."""
    defaults.setdefault("batch_size", "auto")
    shared = {name: training_doc(name, indent=4, **{k: v for k, v in defaults.items()
                                                     if k != "batch_size"})
              for name in ("learning_rate_init", "max_iter", "random_state", "tol", "verbose",
                           "early_stopping", "validation_fraction", "n_iter_no_change",
                           "device")}
    return _TRAINING_DOC.format(batch_size=defaults["batch_size"], **shared)


_ATTRIBUTES_DOC = """loss_ : float
        Training loss of the last epoch (lbfgs: at the solution), penalty included.
    best_loss_ : float or None
        Lowest training loss; None with ``early_stopping``.
    loss_curve_ : list of float
        Training loss per epoch (stochastic solvers).
    validation_scores_ : list of float or None
        Score (accuracy or R2) on the held-out data per epoch with
        ``early_stopping``, else None.
    best_validation_score_ : float or None
        Best of ``validation_scores_``; None without ``early_stopping``.
    t_ : int
        Number of training samples seen by the solver.
    n_iter_ : int
        Number of epochs run (lbfgs: iterations).
    n_outputs_ : int
        Number of outputs of the network.
    out_activation_ : str
        Output activation: ``"softmax"``, ``"logistic"``, ``"identity"`` or ``"exp"``.
    net_ : skorch.NeuralNet
        The skorch net holding the torch module (``net_.module_``), its
        criterion and optimizer.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (only for string column names)."""

_MLP_ATTRIBUTES_DOC = """coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrix of each layer (numpy copies; assigning a list of arrays
        sets the network's weights).
    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vector of each layer.
    n_layers_ : int
        Number of layers, input and output included.
    """ + _ATTRIBUTES_DOC

_ARCH_DOC = """hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Width of each hidden layer.
    activation : {{"relu", "identity", "logistic", "tanh", "leaky_relu", "elu", "selu", \
"sigmoid"}}, default="relu"
        Activation of the hidden layers (``"logistic"`` and ``"sigmoid"`` are
        the same function)."""

_EXTRAS_DOC = """dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Batch normalisation before each hidden activation.
    init : {"auto", "glorot", "he", "lecun", "default"}, default="auto"
        Weight initialisation; "auto" picks He for ReLU-like activations,
        LeCun for SELU and Glorot otherwise."""


class _MLPMixin:
    _accept_sparse = True

    def _module_spec(self):
        return MLPModule, dict(
            n_features=self.n_features_in_,
            n_outputs=self.n_outputs_,
            hidden_layer_sizes=check_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            init=self.init,
        )

    def _linear_layers(self):
        from sklearn.utils.validation import check_is_fitted

        if not hasattr(self, "net_"):
            check_is_fitted(self, "net_")
        return [m for m in self.net_.module_.modules() if isinstance(m, torch.nn.Linear)]

    @property
    def coefs_(self):
        """Weight matrices, shape (n_fan_in, n_fan_out) each (scikit-learn's layout)."""
        try:
            layers = self._linear_layers()
        except Exception as exc:  # not fitted: no attribute, as in scikit-learn
            raise AttributeError("coefs_") from exc
        dtype = getattr(self, "_input_dtype", np.float64)
        return [m.weight.detach().cpu().numpy().T.astype(dtype) for m in layers]

    @coefs_.setter
    def coefs_(self, values):
        with torch.no_grad():
            for layer, value in zip(self._linear_layers(), values, strict=True):
                layer.weight.copy_(torch.as_tensor(np.asarray(value).T, dtype=layer.weight.dtype))

    @property
    def intercepts_(self):
        """Bias vectors, shape (n_fan_out,) each."""
        try:
            layers = self._linear_layers()
        except Exception as exc:
            raise AttributeError("intercepts_") from exc
        dtype = getattr(self, "_input_dtype", np.float64)
        return [m.bias.detach().cpu().numpy().astype(dtype) for m in layers]

    @intercepts_.setter
    def intercepts_(self, values):
        with torch.no_grad():
            for layer, value in zip(self._linear_layers(), values, strict=True):
                layer.bias.copy_(torch.as_tensor(np.asarray(value), dtype=layer.bias.dtype))

    @property
    def n_layers_(self):
        """Layers including input and output (scikit-learn's count)."""
        if not hasattr(self, "net_"):
            raise AttributeError("n_layers_")
        return len(check_layer_sizes(self.hidden_layer_sizes)) + 2

    def _lean_step(self):
        routed = self._routed_params()
        if (self.dropout or self.batch_norm or self.activation not in LEAN_ACTIVATIONS
                or any(k.startswith(("module__", "criterion__")) for k in routed)
                or getattr(self, "loss", "squared_error") != "squared_error"):
            return None
        if is_classifier(self):
            output = "softmax" if self._multiclass else "logistic"
        else:
            output = "squared"
        return partial(lean_step, self._linear_layers(), self.activation, output, self.alpha)

    @classmethod
    def get_test_params(cls):
        return dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=32,
                    max_iter=20, random_state=0, device="cpu", n_jobs=1)

    @classmethod
    def get_compare_params(cls):
        return dict(hidden_layer_sizes=(64,), max_iter=100, random_state=0)


class MLPClassifier(_MLPMixin, NeuralClassifierBase):
    __doc__ = f"""Multi-layer perceptron classifier on torch, scikit-learn's parameters.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters, fitted attributes, stopping rule and warnings, trained with
    torch (CPU or CUDA) and built inside ``fit`` from the data: softmax
    outputs for several classes, one logistic output for two, logistic
    outputs for a multi-label indicator ``y``. ``X`` may be a scipy sparse
    matrix (batches are densified one at a time). Extras: dropout, batch
    normalisation, initialisations, more solvers, ``device``, class weights
    and skorch's ``module__``/``optimizer__``/``criterion__`` routing.

    Parameters
    ----------
    {_ARCH_DOC}
    {training_params_doc()}
    {_EXTRAS_DOC}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (multiplied with ``sample_weight``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {_MLP_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklml.neural import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                     max_iter=300, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    >>> [c.shape for c in clf.coefs_]
    [(4, 32), (32, 3)]
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, batch_norm=False, init="auto", class_weight=None,
                 device="auto", n_jobs=None, callbacks=None, max_epochs=None,
                 optimizer=None, **kwargs):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.class_weight = class_weight
        self.device = device
        self.n_jobs = n_jobs
        self.callbacks = callbacks
        self.max_epochs = max_epochs
        self.optimizer = optimizer
        self._store_routed(kwargs)


class MLPRegressor(_MLPMixin, NeuralRegressorBase):
    __doc__ = f"""Multi-layer perceptron regressor on torch, scikit-learn's parameters.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (see
    :class:`MLPClassifier`): identity outputs trained on half the squared
    error (``"poisson"``: exponential outputs and the Poisson deviance;
    ``"huber"``, ours: the Huber loss, ``delta`` 1, change it with
    ``criterion__delta``); ``y`` may have several columns; targets are not
    rescaled.

    Parameters
    ----------
    loss : {{"squared_error", "poisson", "huber"}}, default="squared_error"
        Training loss.
    {_ARCH_DOC}
    {training_params_doc()}
    {_EXTRAS_DOC}

    Attributes
    ----------
    {_MLP_ATTRIBUTES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.neural import MLPRegressor
    >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32, 32), learning_rate_init=0.01,
    ...                    max_iter=300, random_state=0).fit(X, X.ravel() ** 2)
    >>> reg.score(X, X.ravel() ** 2) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **NeuralRegressorBase._parameter_constraints,
        **DENSE_CONSTRAINTS,
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=0, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, batch_norm=False, init="auto", device="auto", n_jobs=None,
                 callbacks=None, max_epochs=None, optimizer=None, **kwargs):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.device = device
        self.n_jobs = n_jobs
        self.callbacks = callbacks
        self.max_epochs = max_epochs
        self.optimizer = optimizer
        self._store_routed(kwargs)
