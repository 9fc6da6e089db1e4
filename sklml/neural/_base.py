"""Base estimators shared by sklml's supervised neural models (MLP, CNN, RNN).

:class:`BaseNeuralEstimator` holds what every supervised neural estimator
needs, under scikit-learn's MLP parameter names and the shared training
contract (:mod:`sklml._training`): the skorch net that builds the torch
module, criterion and optimizer (with skorch's routing of ``module__``/
``optimizer__``/``criterion__`` parameters and user ``callbacks``), and the
training loop itself, scikit-learn's ``_fit_stochastic``/``_fit_lbfgs``
on torch. The loop is ours rather than skorch's ``fit`` because skorch's
per-batch bookkeeping costs more than the forward pass of a small network;
user callbacks are still notified (train, epoch and, when there are any,
batch events). :class:`NeuralClassifierBase` and :class:`NeuralRegressorBase`
add the targets; a concrete model only says how to shape ``X`` and which
torch module to build.
"""

from __future__ import annotations

import difflib
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from joblib import effective_n_jobs
from skorch import NeuralNet
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .._training import (
    TRAINING_CONSTRAINTS,
    NoImprovementStopping,
    ProgressReporter,
    draw_seed,
    make_generator,
    resolve_device,
    warn_not_converged,
)
from ._torch_utils import local_torch_rng

__all__ = [
    "BaseNeuralEstimator",
    "NeuralClassifierBase",
    "NeuralRegressorBase",
    "SOLVERS",
    "TRAINING_PARAMS",
]

#: inference runs on chunks of exactly this many rows (the last one padded),
#: so a row's float32 output never depends on how X was batched
PREDICT_CHUNK = 256

#: rows per chunk of the full-batch L-BFGS loss (bounds memory on large or sparse X)
LBFGS_CHUNK = 4096

#: parameter prefixes passed through unchanged to the skorch net
ROUTED_PREFIXES = (
    "module__",
    "criterion__",
    "optimizer__",
    "callbacks__",
)

#: solver -> torch optimizer class; scikit-learn's three, then our extras
SOLVERS = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "lbfgs": torch.optim.LBFGS,
    "nadam": torch.optim.NAdam,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
}
STOCHASTIC_SOLVERS = frozenset(SOLVERS) - {"lbfgs"}

#: the deprecated ``optimizer`` names -> (solver, momentum, nesterovs_momentum)
_OLD_OPTIMIZERS = {
    "sgd": ("sgd", 0.0, False),
    "momentum": ("sgd", 0.9, False),
    "nesterov": ("sgd", 0.9, True),
    "adam": ("adam", None, None),
    "nadam": ("nadam", None, None),
    "adagrad": ("adagrad", None, None),
    "rmsprop": ("rmsprop", None, None),
}

#: the training parameters every supervised neural estimator takes, in
#: scikit-learn's MLP order (after the architecture's own parameters)
TRAINING_PARAMS = (
    "solver", "alpha", "batch_size", "learning_rate", "learning_rate_init", "power_t",
    "max_iter", "shuffle", "random_state", "tol", "verbose", "warm_start", "momentum",
    "nesterovs_momentum", "early_stopping", "validation_fraction", "beta_1", "beta_2",
    "epsilon", "n_iter_no_change", "max_fun", "device", "n_jobs", "callbacks",
    "max_epochs", "optimizer",
)


@dataclass(frozen=True)
class TrainingSettings:
    """The training parameters of one fit, deprecated aliases resolved."""

    solver: str
    learning_rate: str
    learning_rate_init: float
    max_iter: int
    momentum: float
    nesterovs_momentum: bool


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


class _ModuleNet(NeuralNet):
    """skorch net used as the builder of module, criterion and optimizer (with
    skorch's parameter routing) and as the host of user callbacks; the
    training loop is :meth:`BaseNeuralEstimator._run_epochs`."""

    def get_default_callbacks(self):
        return []


def _rows(X, index):
    """Rows ``index`` of ``X`` as a float32 tensor; a sparse ``X`` is densified
    one batch at a time, never whole."""
    if sp.issparse(X):
        return torch.from_numpy(np.ascontiguousarray(X[index].toarray(), dtype=np.float32))
    return X[index]


def _closest_names(name, valid):
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


class BaseNeuralEstimator(BaseEstimator):
    """Base class of sklml's supervised neural estimators (not for direct use).

    Subclasses define ``__init__`` with their parameters (the architecture's,
    then :data:`TRAINING_PARAMS`, plus ``**kwargs`` passed to
    :meth:`_store_routed`) and implement ``_module_spec(self)``:
    ``(module class, dict of its parameters)`` read from the fitted shape
    attributes.
    """

    _parameter_constraints: dict = {
        **{k: TRAINING_CONSTRAINTS[k] for k in (
            "max_iter", "learning_rate_init", "early_stopping", "validation_fraction",
            "device", "verbose", "random_state")},
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        # a float is the deprecated meaning (the step size, now learning_rate_init)
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"}),
                          Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        # None (ours): never stop before max_iter
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "callbacks": [list, None],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],  # deprecated
        "optimizer": [StrOptions(set(_OLD_OPTIMIZERS)), None],  # deprecated
    }

    # -- routed skorch parameters (module__x=..., optimizer__y=...) -----------------
    def _store_routed(self, kwargs):
        """Keep ``**kwargs`` as parameters (checked in ``fit``, like the rest)."""
        self._routed_names = set(kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _check_routed(self):
        """An unknown keyword raises the ``TypeError`` Python would, naming the
        closest valid parameters."""
        valid = sorted(self._get_param_names())
        for key in self._routed_params():
            if not key.startswith(ROUTED_PREFIXES):
                raise TypeError(
                    f"{type(self).__name__} got an unexpected keyword argument "
                    f"{key!r}{_closest_names(key, valid)} (extra parameters must start "
                    f"with one of {', '.join(ROUTED_PREFIXES)})"
                )

    def _routed_params(self):
        return {k: getattr(self, k) for k in sorted(getattr(self, "_routed_names", ()))}

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
        valid = sorted(self._get_param_names())
        for key in params:
            if key.split("__")[0] not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid parameters "
                    f"are: {valid!r}{_closest_names(key, valid)}"
                )
        return super().set_params(**params)

    # -- hooks ---------------------------------------------------------------------
    def _module_spec(self):  # pragma: no cover - abstract
        raise NotImplementedError

    _allow_nd = False  # whether X may have more than 2 axes
    _accept_sparse = False  # whether X may be a scipy sparse matrix

    def _shape_X(self, X, reset):
        """Reshape validated float32 ``X`` for the module (and check its shape)."""
        return X

    def _prepare_X(self, X, reset, validated=False):
        """Validated float32 ``X`` in the shape the module takes (the input's
        float dtype is remembered in ``fit`` for the outputs)."""
        if not validated:
            X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                              allow_nd=self._allow_nd,
                              accept_sparse=["csr", "csc"] if self._accept_sparse else False)
        if reset:
            self._input_dtype = X.dtype
        if sp.issparse(X):
            return X.tocsr().astype(np.float32)
        return self._shape_X(np.asarray(X, dtype=np.float32), reset)

    def _lean_step(self):
        """``step(X, y, weight) -> loss`` that sets the gradients without
        autograd, for networks simple enough (see ``_lean.py``); None here."""
        return None

    def _clip_grad_norm(self):
        """Largest gradient norm (None: no clipping); the RNNs clip."""
        return None

    # -- parameters ----------------------------------------------------------------
    def _settings(self):
        """The training parameters with deprecated aliases resolved (warns)."""
        name = type(self).__name__
        solver, momentum, nesterov = self.solver, self.momentum, self.nesterovs_momentum
        if getattr(self, "optimizer", None) is not None:
            warnings.warn(
                f"{name}: 'optimizer' is deprecated and will be removed in sklml 0.3; "
                "use 'solver' (with 'momentum' and 'nesterovs_momentum' for SGD)",
                FutureWarning, stacklevel=4)
            solver, old_momentum, old_nesterov = _OLD_OPTIMIZERS[self.optimizer]
            if old_momentum is not None:
                momentum, nesterov = old_momentum, old_nesterov
        schedule, lr = self.learning_rate, self.learning_rate_init
        if not isinstance(schedule, str):
            warnings.warn(
                f"{name}: a float learning_rate is deprecated and will be refused in "
                "sklml 0.3; the step size is 'learning_rate_init' (scikit-learn's name) "
                "and 'learning_rate' is the schedule",
                FutureWarning, stacklevel=4)
            schedule, lr = "constant", float(schedule)
        max_iter = self.max_iter
        if getattr(self, "max_epochs", None) is not None:
            warnings.warn(
                f"{name}: 'max_epochs' is deprecated and will be removed in sklml 0.3; "
                "use 'max_iter' (same meaning: epochs)", FutureWarning, stacklevel=4)
            max_iter = self.max_epochs
        return TrainingSettings(solver, schedule, lr, max_iter, momentum, nesterov)

    def _check_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # -- building the skorch net ---------------------------------------------------
    def _optimizer_kwargs(self, settings):
        if settings.solver == "adam":
            kwargs = {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}
            routed = self._routed_params()
            if "optimizer__foreach" not in routed and "optimizer__fused" not in routed:
                kwargs["fused"] = True  # one kernel for all parameters (CPU and CUDA)
            return kwargs
        if settings.solver == "nadam":
            return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}
        if settings.solver == "sgd":
            return {"momentum": settings.momentum,
                    "nesterov": bool(settings.nesterovs_momentum and settings.momentum > 0)}
        if settings.solver == "lbfgs":
            return {"max_iter": settings.max_iter, "max_eval": self.max_fun,
                    "tolerance_grad": self.tol if self.tol is not None else 0.0,
                    "tolerance_change": 1e-9, "history_size": 10,
                    "line_search_fn": "strong_wolfe"}
        return {}

    def _make_net(self, settings, device):
        module, module_params = self._module_spec()
        kwargs = dict(
            module=module,
            criterion=self._criterion(),
            criterion__reduction="none",
            optimizer=SOLVERS[settings.solver],
            lr=1.0 if settings.solver == "lbfgs" else settings.learning_rate_init,
            max_epochs=settings.max_iter,
            train_split=None,
            callbacks=list(self.callbacks or []),
            device=device,
            verbose=0,
        )
        kwargs.update({f"module__{k}": v for k, v in module_params.items()})
        kwargs.update({f"optimizer__{k}": v
                       for k, v in self._optimizer_kwargs(settings).items()})
        kwargs.update(self._routed_params())
        return _ModuleNet(**kwargs)

    # -- losses --------------------------------------------------------------------
    def _penalised(self):
        """Weight matrices (and kernels) the L2 penalty applies to; biases and
        normalisation scales are left alone, as scikit-learn does."""
        return [p for p in self.net_.module_.parameters() if p.ndim > 1]

    def _batch_loss(self, out, target, weight):
        """Mean (weighted) loss of a batch, as scikit-learn's MLP reports it."""
        loss = self.net_.criterion_(out, target)
        if loss.ndim == 0:  # a routed criterion with its own reduction
            return loss
        if loss.ndim > 1:
            loss = loss.reshape(loss.shape[0], -1)
            loss = loss.sum(1) if self._sum_over_outputs else loss.mean(1)
        loss = loss * self._loss_scale
        if weight is not None:
            return (loss * weight).mean()
        return loss.mean()

    _sum_over_outputs = False  # binary cross-entropy: sum over labels
    _loss_scale = 1.0  # squared error: 0.5 (scikit-learn's half squared error)

    # -- the training loop ---------------------------------------------------------
    def _fit_network(self, X, y, sample_weight, *, incremental, first, stratify=None,
                     y_val_true=None):
        """Train on float32 ``X`` (module-ready or sparse) and torch-ready ``y``.

        ``y_val_true`` holds the targets as :meth:`score` compares them (for
        the validation score); ``stratify`` the labels to stratify the split on.
        """
        self._check_routed()
        settings = self._settings()
        name = type(self).__name__
        device = resolve_device(self.device, name)
        seed = draw_seed(self.random_state)
        rng = make_generator(seed)
        if incremental and settings.solver not in STOCHASTIC_SOLVERS:
            self._check_solver()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        with local_torch_rng(seed, device), torch_threads(self.n_jobs):
            if first:
                self.net_ = self._make_net(settings, device)
                self.net_.initialize()
                self.t_ = 0
                self._stopping = None
            if settings.solver == "lbfgs":
                self._fit_lbfgs(X, y, sample_weight, settings, device)
            else:
                self._fit_stochastic(X, y, sample_weight, settings, device, rng, seed,
                                     incremental=incremental, first=first,
                                     stratify=stratify, y_val_true=y_val_true)
        self.net_.module_.eval()
        if not all(torch.isfinite(p).all() for p in self.net_.module_.parameters()):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        return self

    def _to_device(self, data, device):
        if data is None:
            return None
        tensor = torch.from_numpy(data) if isinstance(data, np.ndarray) else data
        return tensor.to(device) if device != "cpu" else tensor

    def _fit_stochastic(self, X, y, weight, settings, device, rng, seed, *, incremental,
                        first, stratify, y_val_true):
        early_stopping = self.early_stopping and not incremental
        X_val = y_val = w_val = None
        if early_stopping:
            index = np.arange(X.shape[0])
            stratify_on = stratify if is_classifier(self) else None
            train_index, val_index = train_test_split(
                index, random_state=seed, test_size=self.validation_fraction,
                stratify=stratify_on)
            if val_index.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' "
                    "or the size of your dataset."
                )
            X_val, y_val = X[val_index], y_val_true[val_index]
            w_val = None if weight is None else weight[val_index]
            X, y = X[train_index], y[train_index]
            weight = None if weight is None else weight[train_index]
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. "
                              "It is going to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        net, module, optimizer = self.net_, self.net_.module_, self.net_.optimizer_
        X_t = X if sp.issparse(X) else self._to_device(X, device)
        y_t = self._to_device(y, device)
        w_t = self._to_device(weight, device)
        penalised = self._penalised() if self.alpha else []
        clip = self._clip_grad_norm()
        has_batch_norm = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                             for m in module.modules())
        callbacks = [cb for _, cb in net.callbacks_]
        lean = None if (callbacks or clip is not None) else self._lean_step()
        tol = self.tol if self.tol is not None else -np.inf
        if (self._stopping is None or (not incremental and not self.warm_start)
                or self._stopping.early_stopping != early_stopping):
            self._stopping = NoImprovementStopping(tol, self.n_iter_no_change, early_stopping)
            self.loss_curve_ = []
            self.validation_scores_ = [] if early_stopping else None
        stopping = self._stopping
        best_state = None
        if early_stopping and stopping.best_score > -np.inf:
            best_state = _copy_state(module)
        lr_groups = optimizer.param_groups
        if first:
            for group in lr_groups:
                group["lr"] = settings.learning_rate_init

        self.n_iter_ = 0
        if callbacks:
            net.notify("on_train_begin", X=X, y=y)
        progress = ProgressReporter(self.verbose, total=settings.max_iter, desc=type(self).__name__)
        try:
            with progress:
                for _ in range(settings.max_iter):
                    if callbacks:
                        net.history.new_epoch()
                        net.history.record("epoch", len(net.history))
                        net.notify("on_epoch_begin", dataset_train=None, dataset_valid=None)
                    module.train()
                    order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
                    order_t = order if sp.issparse(X) else torch.from_numpy(order)
                    if not sp.issparse(X) and device != "cpu":
                        order_t = order_t.to(device)
                    total, counted = 0.0, 0
                    for start in range(0, n_samples, batch_size):
                        idx = order_t[start:start + batch_size]
                        m = idx.shape[0]
                        if has_batch_norm and m == 1 and n_samples > 1:
                            continue  # batch normalisation needs two rows
                        xb = _rows(X_t, idx)
                        if sp.issparse(X) and device != "cpu":
                            xb = xb.to(device)
                        yb = y_t[idx]
                        wb = None if w_t is None else w_t[idx]
                        if callbacks:
                            net.history.new_batch()
                            net.notify("on_batch_begin", batch=(xb, yb), training=True)
                        if lean is not None:
                            batch_loss = lean(xb, yb, wb)
                            optimizer.step()
                            total += batch_loss * m
                            counted += m
                            continue
                        optimizer.zero_grad(set_to_none=True)
                        out = module(xb)
                        loss = self._batch_loss(out, yb, wb)
                        if penalised:
                            loss = loss + (0.5 * self.alpha / m) * sum(
                                (p * p).sum() for p in penalised)
                        loss.backward()
                        if callbacks:
                            net.notify("on_grad_computed",
                                       named_parameters=list(module.named_parameters()),
                                       X=xb, y=yb, training=True)
                        if clip is not None:
                            torch.nn.utils.clip_grad_norm_(module.parameters(), clip)
                        optimizer.step()
                        batch_loss = loss.item()
                        if callbacks:
                            net.history.record_batch("train_loss", batch_loss)
                            net.history.record_batch("train_batch_size", m)
                            net.notify("on_batch_end", batch=(xb, yb), training=True,
                                       loss=loss, y_pred=out)
                        total += batch_loss * m
                        counted += m
                    self.n_iter_ += 1
                    self.loss_ = total / max(counted, 1)
                    self.t_ += n_samples
                    self.loss_curve_.append(self.loss_)
                    score = None
                    if early_stopping:
                        module.eval()
                        score = self._validation_score(X_val, y_val, w_val)
                        self.validation_scores_.append(score)
                    stop = stopping.update(loss=self.loss_, score=score)
                    if early_stopping and stopping.improved:
                        best_state = _copy_state(module)
                    progress.update(loss=self.loss_, validation_score=score)
                    if callbacks:
                        net.history.record("train_loss", self.loss_)
                        if score is not None:
                            net.history.record("valid_score", score)
                        net.notify("on_epoch_end", dataset_train=None, dataset_valid=None)
                    if settings.solver == "sgd" and settings.learning_rate == "invscaling":
                        for group in lr_groups:
                            group["lr"] = (settings.learning_rate_init
                                           / (self.t_ + 1) ** self.power_t)
                    if stop:
                        if (settings.solver == "sgd" and settings.learning_rate == "adaptive"
                                and lr_groups[0]["lr"] > 1e-6):
                            for group in lr_groups:
                                group["lr"] /= 5.0
                            stopping.reset_count()
                        else:
                            break
                    if incremental:
                        break
                    if self.n_iter_ == settings.max_iter and self.tol is not None:
                        warn_not_converged(type(self).__name__, settings.max_iter)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        if callbacks:
            net.notify("on_train_end", X=X, y=y)
        if early_stopping:
            if best_state is not None:
                module.load_state_dict(best_state)
            self.best_validation_score_ = stopping.best_score
            self.best_loss_ = None
        else:
            self.best_loss_ = stopping.best_loss
            self.best_validation_score_ = None

    def _fit_lbfgs(self, X, y, weight, settings, device):
        net, module, optimizer = self.net_, self.net_.module_, self.net_.optimizer_
        n_samples = X.shape[0]
        X_t = X if sp.issparse(X) else self._to_device(X, device)
        y_t = self._to_device(y, device)
        w_t = self._to_device(weight, device)
        penalised = self._penalised() if self.alpha else []
        module.train()
        last = {}

        def closure():
            optimizer.zero_grad(set_to_none=True)
            total = 0.0
            for start in range(0, n_samples, LBFGS_CHUNK):
                idx = slice(start, min(start + LBFGS_CHUNK, n_samples))
                xb = _rows(X_t, idx)
                if sp.issparse(X) and device != "cpu":
                    xb = xb.to(device)
                wb = None if w_t is None else w_t[idx]
                share = (idx.stop - idx.start) / n_samples
                loss = self._batch_loss(module(xb), y_t[idx], wb) * share
                loss.backward()
                total += loss.item()
            if penalised:
                penalty = (0.5 * self.alpha / n_samples) * sum((p * p).sum() for p in penalised)
                penalty.backward()
                total += penalty.item()
            last["loss"] = total
            return torch.tensor(total)

        optimizer.step(closure)
        state = optimizer.state[optimizer._params[0]]
        self.n_iter_ = int(state.get("n_iter", 0))
        self.loss_ = float(last.get("loss", np.nan))
        self.t_ = getattr(self, "t_", 0)
        if self.n_iter_ >= settings.max_iter or int(state.get("func_evals", 0)) >= self.max_fun:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) (status=1):\n"
                "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT\n\n"
                "Increase the number of iterations (max_iter) or scale the data as "
                "shown in:\n    https://scikit-learn.org/stable/modules/preprocessing.html",
                ConvergenceWarning, stacklevel=4)

    # -- inference -----------------------------------------------------------------
    def _forward(self, X):
        """Network outputs for a module-ready (or sparse) ``X``, as float64.

        Rows go through the network in padded chunks of ``PREDICT_CHUNK`` so a
        row's result never depends on the other rows (float32 kernels sum in
        an order that depends on the batch size).
        """
        module = self.net_.module_
        module.eval()
        device = next(module.parameters()).device
        n = X.shape[0]
        outs = []
        with torch.inference_mode(), torch_threads(self.n_jobs):
            for start in range(0, n, PREDICT_CHUNK):
                stop = min(start + PREDICT_CHUNK, n)
                xb = _rows(X, slice(start, stop)) if sp.issparse(X) else \
                    torch.from_numpy(np.ascontiguousarray(X[start:stop]))
                if stop - start < PREDICT_CHUNK:
                    pad = xb.new_zeros((PREDICT_CHUNK - (stop - start),) + tuple(xb.shape[1:]))
                    xb = torch.cat([xb, pad])
                outs.append(module(xb.to(device))[:stop - start].cpu())
        if not outs:
            return np.zeros((0,) + tuple(self._output_shape()), dtype=np.float64)
        return torch.cat(outs).numpy().astype(np.float64)

    def _output_shape(self):
        return (self.n_outputs_,)

    # -- sample weights ------------------------------------------------------------
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
        if np.all(weight == weight[0]):
            return None  # equal weights change nothing: the (faster) unweighted path
        return np.ascontiguousarray(weight * (len(weight) / total), dtype=np.float32)

    @property
    def _no_improvement_count(self):
        """scikit-learn's name for the stopping rule's count (its tests read it)."""
        return self._stopping.count

    @property
    def _optimizer(self):
        """scikit-learn's solver record: ``learning_rate`` is the current step."""
        return types.SimpleNamespace(learning_rate=self.net_.optimizer_.param_groups[0]["lr"])

    def _first_pass(self, incremental):
        return not hasattr(self, "net_") or (not self.warm_start and not incremental)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.sparse = self._accept_sparse
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


def _copy_state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


class NeuralClassifierBase(ClassifierMixin, BaseNeuralEstimator):
    """Classifier on a torch module: softmax outputs for several classes,
    one logistic output for two, logistic outputs for multi-label ``y``
    (scikit-learn's MLP conventions, labels encoded by ``LabelBinarizer``)."""

    def _criterion(self):
        if self._multiclass:
            return torch.nn.CrossEntropyLoss
        return torch.nn.BCEWithLogitsLoss

    @property
    def _multiclass(self):
        return self._label_binarizer.y_type_ == "multiclass"

    @property
    def _sum_over_outputs(self):
        return not self._multiclass

    def _validate(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32],
                             allow_nd=self._allow_nd, multi_output=True,
                             accept_sparse=["csr", "csc"] if self._accept_sparse else False)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return self._prepare_X(X, reset=reset, validated=True), y

    def _encode(self, y, sample_weight, X, *, incremental, first):
        """Labels -> network targets (and the weights), checking the classes."""
        if first and not incremental:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        multilabel = self._label_binarizer.y_type_.startswith("multilabel")
        weight = self._sample_weight(sample_weight, X, None if multilabel else y)
        if not incremental and not multilabel and weight is not None and self.classes_.size > 1:
            present = np.unique(y[weight > 0])
            if present.size < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes with "
                    "positive weight, but the data contains only one class: "
                    f"{present[0] if present.size else self.classes_[0]!r}"
                )
        Y = self._label_binarizer.transform(y)
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = "softmax" if self._multiclass else "logistic"
        if self._multiclass:
            target = np.ascontiguousarray(Y.argmax(axis=1), dtype=np.int64)
        else:
            target = np.ascontiguousarray(Y, dtype=np.float32)
        return target, weight, (None if multilabel else y)

    def _fit(self, X, y, sample_weight, incremental):
        first = self._first_pass(incremental)
        X, y = self._validate(X, y, reset=first)
        target, weight, stratify = self._encode(y, sample_weight, X, incremental=incremental,
                                                first=first)
        return self._fit_network(X, target, weight, incremental=incremental, first=first,
                                 stratify=stratify, y_val_true=y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Training data; cast to float32 inside.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multi-label indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``X``, ``y`` (builds the network on the first call).

        Only for stochastic solvers (not ``"lbfgs"``), as in scikit-learn.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            All labels; required on the first call (not for multi-label ``y``).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_") or not hasattr(self, "net_"):
            if classes is None and not type_of_target(y).startswith("multilabel"):
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
            first = True
        else:
            if classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to "
                    f"partial_fit, was: {self.classes_!r}"
                )
            first = False
        X, y = self._validate(X, y, reset=first)
        target, weight, _ = self._encode(y, sample_weight, X, incremental=True, first=first)
        return self._fit_network(X, target, weight, incremental=True, first=first)

    def _validation_score(self, X_val, y_val, w_val):
        out = self._forward(X_val)
        if not np.isfinite(out).all():
            return np.nan
        return float(accuracy_score(y_val, self._decode(out), sample_weight=w_val))

    def _decode(self, logits):
        if self._multiclass:
            return self.classes_[np.argmax(logits, axis=1)]
        return self._label_binarizer.inverse_transform((logits > 0).astype(int))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Softmax of the outputs; for two classes ``[1 - p, p]``; for
            multi-label ``y`` the probability of each label.
        """
        check_is_fitted(self)
        logits = self._forward(self._prepare_X(X, reset=False))
        if self._multiclass:
            logits -= logits.max(axis=1, keepdims=True)
            proba = np.exp(logits)
            proba /= proba.sum(axis=1, keepdims=True)
            return proba
        proba = 1.0 / (1.0 + np.exp(-logits))
        if self.n_outputs_ == 1 and self._label_binarizer.y_type_ == "binary":
            return np.hstack([1.0 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class of each sample (indicator rows for multi-label ``y``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        check_is_fitted(self)
        return self._decode(self._forward(self._prepare_X(X, reset=False)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NeuralRegressorBase(RegressorMixin, BaseNeuralEstimator):
    """Regressor on a torch module: float32 targets, outputs shaped like ``y``."""

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "loss": [StrOptions({"squared_error", "huber", "poisson"})],
    }

    def _criterion(self):
        return {"huber": torch.nn.HuberLoss, "poisson": torch.nn.PoissonNLLLoss}.get(
            self.loss, torch.nn.MSELoss)

    @property
    def _loss_scale(self):
        return 0.5 if self.loss == "squared_error" else 1.0

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
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32],
                             allow_nd=self._allow_nd, multi_output=True, y_numeric=True,
                             accept_sparse=["csr", "csc"] if self._accept_sparse else False)
        if y_shape is not None:
            y = y.reshape(y_shape)
        elif y.ndim == 2 and y.shape[1] == 1 and not self._target_ndim_extra():
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("Some value(s) of y are negative which is not allowed for "
                             "Poisson regression.")
        return self._prepare_X(X, reset=reset, validated=True), y

    def _set_target_shape(self, y, reset):
        shape = y.shape[1:]
        if reset:
            self._target_shape = shape
            self.n_outputs_ = self._n_outputs_from_shape(shape)
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        elif shape != self._target_shape:
            raise ValueError(
                f"y has shape {y.shape[1:]} per sample, but {type(self).__name__} "
                f"was fitted on targets of shape {self._target_shape}"
            )
        return np.ascontiguousarray(y.reshape(len(y), *self._net_target_shape()),
                                    dtype=np.float32)

    def _n_outputs_from_shape(self, shape):
        """Number of network outputs for per-sample targets of ``shape``."""
        return int(np.prod(shape)) if shape else 1

    def _net_target_shape(self):
        """Per-sample target shape the network outputs."""
        return (self.n_outputs_,)

    def _output_shape(self):
        return self._net_target_shape()

    def _fit(self, X, y, sample_weight, incremental):
        first = self._first_pass(incremental)
        X, y = self._validate(X, y, reset=first)
        y32 = self._set_target_shape(y, reset=first)
        weight = self._sample_weight(sample_weight, X)
        return self._fit_network(X, y32, weight, incremental=incremental, first=first,
                                 y_val_true=y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Training data; cast to float32 inside.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``X``, ``y`` (builds the network on the first call).

        Only for stochastic solvers (not ``"lbfgs"``), as in scikit-learn.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _validation_score(self, X_val, y_val, w_val):
        pred = self._outputs_to_prediction(self._forward(X_val))
        if not np.isfinite(pred).all():
            return np.nan
        return r2_score(y_val.reshape(len(y_val), -1), pred.reshape(len(pred), -1),
                        sample_weight=w_val)

    def _outputs_to_prediction(self, out):
        if self.loss == "poisson":
            out = np.exp(out)
        out = out.astype(getattr(self, "_input_dtype", np.float64), copy=False)
        return out.reshape((len(out),) + self._target_shape)

    def predict(self, X):
        """Predicted targets, shaped like the ``y`` seen in ``fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        return self._outputs_to_prediction(self._forward(self._prepare_X(X, reset=False)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
