"""Multi-layer perceptrons: MLPClassifier and MLPRegressor."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

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
        raise ValueError(f"{name} must be a tuple of positive integers, got {sizes!r}")
    return tuple(int(s) for s in sizes)


DENSE_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    "init": [StrOptions(set(INITS) | {"auto"})],
}

_TRAINING_DOC = """optimizer : {{"adam", "nadam", "sgd", "momentum", "nesterov", "adagrad", \
"rmsprop"}}, default="adam"
        Gradient-descent variant; "momentum" and "nesterov" use momentum 0.9.
    learning_rate : float, default={lr}
        Step size of the optimizer.
    alpha : float, default=1e-4
        L2 penalty: ``alpha / (2 n_samples) * ||w||^2`` is added to the mean
        loss (scikit-learn's convention), as weight decay on all parameters.
    batch_size : int, default={batch_size}
        Mini-batch size (capped at the number of samples).
    max_epochs : int, default={max_epochs}
        Maximum number of passes over the training data.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for
        classifiers), stop when the validation loss has not improved by
        ``tol`` for ``n_iter_no_change`` epochs and restore the best weights.
        When False, training stops once the training loss has not improved
        by ``tol`` for ``n_iter_no_change`` epochs (unless ``tol=None``).
    validation_fraction : float, default=0.1
        Share of the data held out when ``early_stopping=True``.
    n_iter_no_change : int, default={patience}
        Patience of the stopping rule, in epochs.
    tol : float or None, default=1e-4
        Smallest loss improvement that counts; None trains ``max_epochs``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split.
    device : {{"auto", "cpu", "cuda"}}, default="auto"
        "auto" trains on CUDA when available.
    n_jobs : int or None, default=None
        Torch CPU threads while fitting and predicting (None keeps torch's
        setting, -1 uses all cores); 1 is often fastest for small networks
        and on a busy machine.
    verbose : int, default=0
        1 shows a progress bar per epoch, 2 also skorch's epoch table.
    warm_start : bool, default=False
        Continue training the fitted network in ``fit`` instead of rebuilding it.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks, run after sklml's own.
    **kwargs
        Routed skorch parameters, e.g. ``module__...``, ``optimizer__...``,
        ``criterion__...``, ``iterator_train__...``, ``callbacks__...``."""

_ATTRIBUTES_DOC = """net_ : skorch.NeuralNet
        The fitted skorch net (``net_.module_`` is the torch module,
        ``net_.history`` the per-epoch record).
    n_iter_ : int
        Number of epochs trained.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_loss_curve_ : list of float
        Validation loss per epoch (only with ``early_stopping=True``).
    best_validation_loss_ : float
        Lowest validation loss (only with ``early_stopping=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (only for string column names)."""


class _MLPMixin:
    def _module_spec(self):
        return MLPModule, dict(
            n_features=self.n_features_in_,
            n_outputs=self._n_module_outputs(),
            hidden_layer_sizes=check_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            init=self.init,
        )

    @classmethod
    def get_test_params(cls):
        return dict(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=32,
                    max_epochs=20, random_state=0, device="cpu",
                    n_jobs=1)

    @classmethod
    def get_compare_params(cls):
        return dict(hidden_layer_sizes=(64,), max_epochs=50, early_stopping=True,
                    random_state=0)


class MLPClassifier(_MLPMixin, NeuralClassifierBase):
    __doc__ = f"""Multi-layer perceptron classifier trained with skorch.

    The network (``n_features -> hidden_layer_sizes -> n_classes``, softmax
    cross-entropy) is built inside ``fit`` from the data.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : {{"relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid", \
"identity"}}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Batch normalisation before each hidden activation.
    init : {{"auto", "glorot", "he", "lecun", "default"}}, default="auto"
        Weight initialisation; "auto" picks He for ReLU-like activations,
        LeCun for SELU and Glorot otherwise.
    {_TRAINING_DOC.format(lr=1e-3, batch_size=200, max_epochs=200, patience=10)}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (multiplied with ``sample_weight``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklml.neural import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), learning_rate=0.01,
    ...                     max_epochs=50, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", dropout=0.0,
                 batch_norm=False, init="auto", optimizer="adam", learning_rate=1e-3,
                 alpha=1e-4, batch_size=200, max_epochs=200, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-4,
                 class_weight=None, random_state=None, device="auto", n_jobs=None,
                 verbose=0, warm_start=False, callbacks=None, **kwargs):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks
        self._store_routed(kwargs)

    def _n_module_outputs(self):
        return len(self.classes_)


class MLPRegressor(_MLPMixin, NeuralRegressorBase):
    __doc__ = f"""Multi-layer perceptron regressor trained with skorch.

    The network (``n_features -> hidden_layer_sizes -> n_outputs``, linear
    output) is built inside ``fit`` from the data; targets are not rescaled.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : {{"relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid", \
"identity"}}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Batch normalisation before each hidden activation.
    init : {{"auto", "glorot", "he", "lecun", "default"}}, default="auto"
        Weight initialisation; "auto" picks He for ReLU-like activations,
        LeCun for SELU and Glorot otherwise.
    loss : {{"squared_error", "huber"}}, default="squared_error"
        Training loss; Huber (delta 1, change with ``criterion__delta``) is
        robust to outliers.
    {_TRAINING_DOC.format(lr=1e-3, batch_size=200, max_epochs=200, patience=10)}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.neural import MLPRegressor
    >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32, 32), learning_rate=0.01,
    ...                    max_epochs=100, random_state=0).fit(X, X.ravel() ** 2)
    >>> reg.score(X, X.ravel() ** 2) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **NeuralRegressorBase._parameter_constraints,
        **DENSE_CONSTRAINTS,
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", dropout=0.0,
                 batch_norm=False, init="auto", loss="squared_error", optimizer="adam",
                 learning_rate=1e-3, alpha=1e-4, batch_size=200, max_epochs=200,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 tol=1e-4, random_state=None, device="auto", n_jobs=None, verbose=0,
                 warm_start=False, callbacks=None, **kwargs):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks
        self._store_routed(kwargs)

    def _n_module_outputs(self):
        return self.n_outputs_
