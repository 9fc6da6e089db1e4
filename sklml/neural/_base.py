"""Skorch-based base estimators shared by sklml's neural models.

:class:`BaseNeuralEstimator` holds what every neural estimator needs: checking
the common training parameters, seeding and device choice, building the skorch
net inside ``fit`` (optimizer, callbacks, validation split, routing of
``module__``/``optimizer__``/... parameters), float32 casting, weighted losses
and batch-invariant float32 inference.  :class:`NeuralClassifierBase` and
:class:`NeuralRegressorBase` add the supervised ``fit``/``partial_fit``/
``predict`` on top; a concrete model only says how to shape ``X`` and which
torch module to build.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from joblib import effective_n_jobs
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import Dataset, ValidSplit
from skorch.utils import to_tensor
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._torch_utils import OPTIMIZERS, optimizer_spec, resolve_device, seed_everything, to_float32

__all__ = [
    "BaseNeuralEstimator",
    "NeuralClassifierBase",
    "NeuralRegressorBase",
    "EpochProgressBar",
    "WeightedNeuralNet",
    "WeightedNeuralNetClassifier",
    "WeightedNeuralNetRegressor",
    "BatchIterator",
    "ArrayDataset",
]

#: inference always runs on chunks of exactly this many rows (the last one
#: padded), so a row's float32 output never depends on how X was batched
PREDICT_CHUNK = 256

#: parameter prefixes passed through unchanged to the skorch net
ROUTED_PREFIXES = (
    "module__",
    "criterion__",
    "optimizer__",
    "iterator_train__",
    "iterator_valid__",
    "callbacks__",
    "dataset__",
)


class BatchIterator:
    """Mini-batches of a dataset, taken whole by fancy indexing.

    skorch's ``iterator_train``/``iterator_valid``: torch's ``DataLoader``
    fetches and collates one row at a time (and even in batch mode costs
    more than the forward pass of a small network), while skorch datasets
    over arrays accept a whole index array at once.  Shuffling draws from
    torch's global generator, which ``random_state`` seeds.
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, drop_last=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n, size = len(self.dataset), self.batch_size
        order = torch.randperm(n).numpy() if self.shuffle else None
        for start in range(0, len(self) * size, size):
            index = order[start:start + size] if self.shuffle else slice(start, start + size)
            yield _as_tensors(self.dataset[index])


def _as_tensors(data):
    if isinstance(data, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(data))
    if isinstance(data, Mapping):
        return {k: _as_tensors(v) for k, v in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(_as_tensors(v) for v in data)
    return data


class ArrayDataset(Dataset):
    """skorch ``Dataset`` over numpy arrays (or a dict of them) that takes a
    whole list of indices at once with plain numpy indexing (skorch's generic
    indexing goes through ``sklearn.utils._safe_indexing``, slow per batch)."""

    def __getitem__(self, i):
        if not isinstance(i, (int, np.integer, slice)):
            i = np.asarray(i)
        X = self.X
        Xi = {k: v[i] for k, v in X.items()} if isinstance(X, Mapping) else X[i]
        yi = _NO_Y if self.y is None else self.y[i]
        return Xi, yi


_NO_Y = torch.zeros(1)


class _WeightedLossMixin:
    """Per-sample weighted loss for a criterion built with ``reduction="none"``.

    Weights travel with the data as ``X = {"X": ..., "sample_weight": ...}``
    (skorch hands dict keys to ``module.forward`` as keyword arguments).
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if loss.ndim == 0:  # a criterion with its own reduction
            return loss
        if loss.ndim > 1:
            loss = loss.reshape(loss.shape[0], -1).mean(dim=1)
        if isinstance(X, Mapping) and X.get("sample_weight") is not None:
            weight = to_tensor(X["sample_weight"], device=loss.device)
            return (loss * weight).mean()
        return loss.mean()


class WeightedNeuralNet(_WeightedLossMixin, NeuralNet):
    """skorch ``NeuralNet`` with per-sample weights (see ``_WeightedLossMixin``)."""


class WeightedNeuralNetClassifier(_WeightedLossMixin, NeuralNetClassifier):
    """skorch ``NeuralNetClassifier`` with per-sample weights."""


class WeightedNeuralNetRegressor(_WeightedLossMixin, NeuralNetRegressor):
    """skorch ``NeuralNetRegressor`` with per-sample weights."""


class EpochProgressBar(Callback):
    """A tqdm bar advanced once per epoch, showing the latest losses."""

    def __init__(self, total=None, desc=None):
        self.total = total
        self.desc = desc

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=self.total, desc=self.desc, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self.bar_.set_postfix(
            {k: f"{row[k]:.4g}" for k in ("train_loss", "valid_loss") if k in row},
            refresh=False,
        )
        self.bar_.update(1)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self.bar_.close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state


def _silent(*args, **kwargs):
    pass


@contextmanager
def torch_threads(n_jobs):
    """Run torch's CPU kernels on ``n_jobs`` threads inside the block (None:
    leave torch's setting alone; -1: all cores)."""
    if n_jobs is None:
        yield
        return
    old, new = torch.get_num_threads(), effective_n_jobs(n_jobs)
    if new == old:
        yield
        return
    torch.set_num_threads(new)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class BaseNeuralEstimator(BaseEstimator):
    """Base class of sklml's skorch estimators (not for direct use).

    Subclasses define ``__init__`` with their parameters (plus ``**kwargs``
    passed to :meth:`_store_routed`) and implement:

    ``_module_spec(self)``
        ``(module class, dict of its parameters)``, read from the fitted
        shape attributes.
    ``_criterion(self)``
        A criterion class whose ``reduction`` is set to ``"none"``.
    ``_net_class``
        The skorch net class (``WeightedNeuralNet...``).

    and may extend ``_extra_callbacks(self)``.
    """

    _net_class = WeightedNeuralNet

    _parameter_constraints: dict = {
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
        "device": [str],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
    }

    # -- routed skorch parameters (module__x=..., optimizer__y=...) -----------------
    def _store_routed(self, kwargs):
        """Keep ``**kwargs`` as parameters (checked in ``fit``, like the rest)."""
        for key in kwargs:
            if hasattr(type(self), key):
                raise TypeError(f"{key!r} cannot be passed as a keyword to {type(self).__name__}")
        self._routed_names = set(kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _routed_params(self):
        return {k: getattr(self, k) for k in sorted(getattr(self, "_routed_names", ()))}

    def _check_routed(self):
        for key in self._routed_params():
            if not key.startswith(ROUTED_PREFIXES):
                raise ValueError(
                    f"Unknown parameter {key!r} for {type(self).__name__}; extra "
                    f"parameters must start with one of {', '.join(ROUTED_PREFIXES)} "
                    "and are passed to skorch"
                )

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._routed_params())
        return params

    def set_params(self, **params):
        names = getattr(self, "_routed_names", set())
        for key in [k for k in params if k in names or k.startswith(ROUTED_PREFIXES)]:
            setattr(self, key, params.pop(key))
            names.add(key)
        self._routed_names = names
        return super().set_params(**params)

    # -- hooks ---------------------------------------------------------------------
    def _module_spec(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _criterion(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _extra_callbacks(self):
        return []

    _allow_nd = False  # whether X may have more than 2 axes

    def _shape_X(self, X, reset):
        """Reshape validated float32 ``X`` for the module (and check its shape)."""
        return X

    def _prepare_X(self, X, reset, validated=False):
        """Validated float32 ``X`` in the shape the module takes."""
        if not validated:
            X = validate_data(self, X, reset=reset, dtype=np.float32,
                              allow_nd=self._allow_nd)
        return self._shape_X(X, reset)

    # -- building and training the skorch net --------------------------------------
    def _make_callbacks(self, use_validation, use_stopping):
        callbacks = []
        sink = print if self.verbose else _silent
        if use_validation:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change,
                threshold=self.tol or 0.0, threshold_mode="abs",
                load_best=True, sink=sink)))
        elif use_stopping:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="train_loss", patience=self.n_iter_no_change,
                threshold=self.tol, threshold_mode="abs", sink=sink)))
        callbacks.extend(self._extra_callbacks())
        if self.verbose:
            callbacks.append(("progress_bar", EpochProgressBar(desc=type(self).__name__)))
        callbacks.extend(self.callbacks or [])
        return callbacks

    def _make_net(self, device, seed, n_samples, *, incremental=False):
        use_validation = self.early_stopping and not incremental
        if use_validation:
            train_split = ValidSplit(
                self.validation_fraction,
                stratified=isinstance(self, ClassifierMixin), random_state=seed)
        else:
            train_split = None
        batch_size = min(self.batch_size, n_samples)
        module, module_params = self._module_spec()
        opt_cls, opt_kwargs = optimizer_spec(self.optimizer)
        kwargs = dict(
            module=module,
            criterion=self._criterion(),
            criterion__reduction="none",
            optimizer=opt_cls,
            lr=self.learning_rate,
            max_epochs=self.max_epochs,
            batch_size=batch_size,
            iterator_train=BatchIterator,
            iterator_valid=BatchIterator,
            dataset=ArrayDataset,
            iterator_train__shuffle=True,
            # a last batch of one sample breaks batch normalisation
            iterator_train__drop_last=bool(n_samples > batch_size
                                           and n_samples % batch_size == 1),
            iterator_valid__batch_size=PREDICT_CHUNK,
            train_split=train_split,
            callbacks=self._make_callbacks(
                use_validation, self.tol is not None and not incremental),
            device=device,
            verbose=int(self.verbose >= 2),
            warm_start=True,
            # scikit-learn's MLP convention: penalty alpha / (2 n_samples) ||w||^2
            optimizer__weight_decay=self.alpha / n_samples,
        )
        if self.verbose < 2:
            kwargs["callbacks__print_log"] = None
        kwargs.update({f"module__{k}": v for k, v in module_params.items()})
        kwargs.update({f"optimizer__{k}": v for k, v in opt_kwargs.items()})
        kwargs.update(self._routed_params())
        return self._net_class(**kwargs)

    def _train(self, X, y, sample_weight, *, epochs, reset, incremental=False):
        """Fit ``self.net_`` on float32 ``X`` (module-ready shape) and ``y``."""
        self._check_routed()
        device = resolve_device(self.device)
        seed = seed_everything(self.random_state)
        n_samples = X.shape[0]
        if reset:
            if (self.early_stopping and not incremental
                    and int(n_samples * self.validation_fraction) < 1):
                raise ValueError(
                    f"early_stopping=True holds out validation_fraction="
                    f"{self.validation_fraction} of {n_samples} samples, which is "
                    "no sample at all; use more data or early_stopping=False"
                )
            self.net_ = self._make_net(device, seed, n_samples, incremental=incremental)
            self.net_.initialize()
        for _, cb in self.net_.callbacks_:
            if isinstance(cb, EpochProgressBar):
                cb.total = epochs
        data = X if sample_weight is None else {"X": X, "sample_weight": sample_weight}
        with warnings.catch_warnings():
            # skorch asks for 2-D regression targets; ours are shaped on purpose
            warnings.filterwarnings("ignore", message="The target data shouldn't be")
            with torch_threads(self.n_jobs):
                self.net_.partial_fit(data, y, epochs=epochs)
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if "valid_loss" in history[-1]:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]
            self.best_validation_loss_ = float(min(self.validation_loss_curve_))
        return self

    def _forward(self, X):
        """float32 network outputs for a module-ready ``X``, as a float64 array.

        Rows go through the network in padded chunks of ``PREDICT_CHUNK`` so a
        row's result never depends on the other rows (float32 kernels sum in
        an order that depends on the batch size).
        """
        n = X.shape[0]
        n_pad = -n % PREDICT_CHUNK
        if n_pad:
            X = np.concatenate([X, np.zeros((n_pad,) + X.shape[1:], dtype=X.dtype)])
        with torch_threads(self.n_jobs):
            out = self.net_.forward(X, training=False, device="cpu")
        return out[:n].numpy().astype(np.float64)

    def _sample_weight(self, sample_weight, X, y_for_class_weight=None):
        """Validated weights with mean 1 (float32), class weights folded in;
        None when every sample counts the same (the faster unweighted path)."""
        class_weight = getattr(self, "class_weight", None)
        if sample_weight is None and class_weight is None:
            return None
        if sample_weight is None:
            weight = np.ones(X.shape[0])
        else:
            weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        if class_weight is not None and y_for_class_weight is not None:
            weight = weight * compute_sample_weight(class_weight, y_for_class_weight)
        total = weight.sum()
        if not total > 0:
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return to_float32(weight * (len(weight) / total))

    def _can_warm_start(self):
        return self.warm_start and hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    def _expected_failed_checks(self):
        reason = (
            "mini-batches are shuffled and the network is trained by stochastic "
            "gradient descent, so weights equal to repetitions change the draws"
        )
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }


class NeuralClassifierBase(ClassifierMixin, BaseNeuralEstimator):
    """Classifier on a skorch net: labels encoded inside, softmax outputs."""

    _net_class = WeightedNeuralNetClassifier

    def _criterion(self):
        return torch.nn.CrossEntropyLoss

    def _check_y(self, X, y, sample_weight, classes=None, incremental=False):
        check_classification_targets(y)
        if classes is not None:
            self.classes_ = np.unique(classes)
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(f"y has labels {unseen.tolist()} not in classes {self.classes_.tolist()}")
        else:
            self.classes_ = np.unique(y)
        weight = self._sample_weight(sample_weight, X, y)
        if incremental:
            present = self.classes_
        else:
            present = np.unique(y if weight is None else y[weight > 0])
        if self.classes_.size < 2 or present.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes with "
                "positive weight, but the data contains only one class: "
                f"{present[0] if present.size else self.classes_[0]!r}"
            )
        return np.searchsorted(self.classes_, y).astype(np.int64), weight

    def _validate(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=np.float32,
                             allow_nd=self._allow_nd)
        return self._prepare_X(X, reset=reset, validated=True), y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training data; cast to float32 inside.
        y : array-like of shape (n_samples,)
            Class labels (any type ``numpy.unique`` sorts).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.

        Returns
        -------
        self
        """
        resolve_device(self.device)
        reset = not self._can_warm_start()
        old_classes = None if reset else self.classes_
        X, y = self._validate(X, y, reset=reset)
        y_enc, weight = self._check_y(X, y, sample_weight)
        if old_classes is not None and not np.array_equal(old_classes, self.classes_):
            raise ValueError(
                "warm_start can only be used where y has the same classes as in "
                f"the previous call to fit: {old_classes.tolist()} before, "
                f"{self.classes_.tolist()} now"
            )
        return self._train(X, y_enc, weight, epochs=self.max_epochs, reset=reset)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one more epoch on ``X``, ``y`` (builds the network on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            All labels; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        resolve_device(self.device)
        first = not hasattr(self, "net_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = self._validate(X, y, reset=first)
        y_enc, weight = self._check_y(
            X, y, sample_weight, classes=classes if first else self.classes_,
            incremental=True)
        return self._train(X, y_enc, weight, epochs=1, reset=first, incremental=True)

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's outputs).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = self._prepare_X(X, reset=False)
        logits = self._forward(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class NeuralRegressorBase(RegressorMixin, BaseNeuralEstimator):
    """Regressor on a skorch net: float32 targets, outputs shaped like ``y``."""

    _net_class = WeightedNeuralNetRegressor

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "loss": [StrOptions({"squared_error", "huber"})],
    }

    def _criterion(self):
        return torch.nn.HuberLoss if self.loss == "huber" else torch.nn.MSELoss

    def _target_ndim_extra(self):
        """How many trailing axes of ``y`` beyond (n_samples, n_outputs) a
        sequence-to-sequence model accepts (0 for plain regression)."""
        return 0

    def _validate(self, X, y, reset):
        y_arr = y if (y is None or hasattr(y, "dtype")) else np.asarray(y)
        if getattr(y_arr, "dtype", None) is not None and y_arr.dtype.kind in "OUSb":
            try:
                y_arr = np.asarray(y_arr, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{type(self).__name__} is a regressor and needs numeric targets, "
                    "but y holds class labels (strings); use a classifier "
                    "for classification"
                ) from None
            y = y_arr
        y_shape = None
        if getattr(y_arr, "ndim", 0) > 2 and self._target_ndim_extra():
            y_shape = y_arr.shape
            y = np.reshape(y_arr, (y_arr.shape[0], -1))
        X, y = validate_data(self, X, y, reset=reset, dtype=np.float32,
                             allow_nd=self._allow_nd, multi_output=True, y_numeric=True)
        if y_shape is not None:
            y = y.reshape(y_shape)
        return self._prepare_X(X, reset=reset, validated=True), y

    def _set_target_shape(self, y, reset):
        shape = y.shape[1:]
        if reset:
            self._target_shape = shape
            self.n_outputs_ = self._n_outputs_from_shape(shape)
        elif shape != self._target_shape:
            raise ValueError(
                f"y has shape {y.shape[1:]} per sample, but {type(self).__name__} "
                f"was fitted on targets of shape {self._target_shape}"
            )
        return to_float32(y.reshape(len(y), *self._net_target_shape()))

    def _n_outputs_from_shape(self, shape):
        """Number of network outputs for per-sample targets of ``shape``."""
        return int(np.prod(shape)) if shape else 1

    def _net_target_shape(self):
        """Per-sample target shape the network outputs."""
        return (self.n_outputs_,)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training data; cast to float32 inside.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.

        Returns
        -------
        self
        """
        resolve_device(self.device)
        reset = not self._can_warm_start()
        X, y = self._validate(X, y, reset=reset)
        y32 = self._set_target_shape(y, reset=reset)
        weight = self._sample_weight(sample_weight, X)
        return self._train(X, y32, weight, epochs=self.max_epochs, reset=reset)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one more epoch on ``X``, ``y`` (builds the network on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        resolve_device(self.device)
        first = not hasattr(self, "net_")
        X, y = self._validate(X, y, reset=first)
        y32 = self._set_target_shape(y, reset=first)
        weight = self._sample_weight(sample_weight, X)
        return self._train(X, y32, weight, epochs=1, reset=first, incremental=True)

    def predict(self, X):
        """Predicted targets, shaped like the ``y`` seen in ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        X = self._prepare_X(X, reset=False)
        out = self._forward(X)
        return out.reshape((len(out),) + self._target_shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
