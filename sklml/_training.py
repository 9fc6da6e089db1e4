"""The training contract shared by every iterative sklml estimator.

MLP, CNN, RNN, Autoencoder, VAE, GAN, the gradient-descent linear models and,
where the concept exists, the RL agents take their common training parameters
from here, with one meaning each (scikit-learn's MLP names):

``max_iter``
    Maximum number of epochs (passes over the training data).
``learning_rate_init``
    Initial step size of the optimizer.
``tol``, ``n_iter_no_change``
    Stop when the training loss has not decreased by at least ``tol`` for more
    than ``n_iter_no_change`` consecutive epochs (or, with ``early_stopping``,
    when the validation score has not increased by at least ``tol``).
``early_stopping``, ``validation_fraction``
    Hold out ``validation_fraction`` of the training data and stop on its
    score; the weights of the best epoch are kept.
``device``
    ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    Asking for CUDA on a machine without it warns (:class:`UserWarning`) and
    trains on the CPU, in every family (XGBoost's behaviour), so a script
    written on a GPU machine runs unchanged on a laptop.
``verbose``
    0 quiet, 1 one tqdm progress bar for the fit, 2 a line per epoch.
``random_state``
    Seeds everything a fit draws (initial weights, shuffling, the validation
    split, dropout) through generators local to the fit: numpy
    ``Generator`` objects and a forked torch generator, never
    ``torch.manual_seed`` on the global state. ``None`` draws a fresh seed.

A fitted estimator records its history the same way everywhere:
``n_iter_`` (epochs run), ``loss_curve_`` (training loss per epoch),
``validation_scores_`` (validation score per epoch with ``early_stopping``,
else None), ``best_loss_`` (lowest training loss; None with
``early_stopping``) and ``best_validation_score_`` (None without it).
When ``max_iter`` ends a fit before ``tol`` is met, a
:class:`~sklearn.exceptions.ConvergenceWarning` is raised.

Helpers:

* :data:`TRAINING_CONSTRAINTS` / :data:`TRAINING_DOCS`: parameter constraints
  (``_parameter_constraints``) and numpydoc entries, to merge and format into
  an estimator's own.
* :func:`resolve_device`: the device policy (imports torch lazily, only when
  called).
* :func:`draw_seed`, :func:`make_generator`: the seeding policy.
* :class:`NoImprovementStopping`: scikit-learn's MLP stopping rule.
* :class:`ProgressReporter`: the ``verbose`` policy.
* :class:`TrainingHistory`: the fitted history attributes.
* :func:`deprecated_alias`: old parameter names kept one release.

This module imports no torch at import time; a numpy-only family may use it.

Examples
--------
>>> from sklml._training import NoImprovementStopping
>>> rule = NoImprovementStopping(tol=1e-4, n_iter_no_change=2)
>>> [rule.update(loss=v) for v in (1.0, 0.5, 0.5, 0.5, 0.5)]
[False, False, False, False, True]
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = [
    "TRAINING_CONSTRAINTS",
    "TRAINING_DOCS",
    "training_doc",
    "resolve_device",
    "draw_seed",
    "make_generator",
    "NoImprovementStopping",
    "ProgressReporter",
    "TrainingHistory",
    "deprecated_alias",
    "warn_not_converged",
]


class _DeviceString(StrOptions):
    """``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``."""

    def __init__(self):
        super().__init__({"auto", "cpu", "cuda"})

    def is_satisfied_by(self, val):
        if isinstance(val, str) and val.startswith("cuda:") and val[5:].isdigit():
            return True
        return super().is_satisfied_by(val)

    def __str__(self):
        return "a str among {'auto', 'cpu', 'cuda', 'cuda:N'}"


#: ``_parameter_constraints`` entries of the shared parameters; an estimator
#: merges the ones it has: ``{**{k: TRAINING_CONSTRAINTS[k] for k in ...}, ...}``
TRAINING_CONSTRAINTS: dict = {
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "device": [_DeviceString()],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
}

#: numpydoc entries of the shared parameters (``{max_iter}`` etc. are the
#: defaults, filled in by :func:`training_doc`)
TRAINING_DOCS: dict = {
    "max_iter": """max_iter : int, default={max_iter}
    Maximum number of epochs (passes over the training data); training may
    stop earlier on ``tol``.""",
    "learning_rate_init": """learning_rate_init : float, default={learning_rate_init}
    Initial step size of the optimizer.""",
    "tol": """tol : float, default={tol}
    Smallest improvement that counts: training stops when the loss (or the
    validation score with ``early_stopping``) has not improved by at least
    ``tol`` for more than ``n_iter_no_change`` consecutive epochs.""",
    "n_iter_no_change": """n_iter_no_change : int, default={n_iter_no_change}
    Number of epochs without an improvement of ``tol`` tolerated.""",
    "early_stopping": """early_stopping : bool, default={early_stopping}
    Hold out ``validation_fraction`` of the training data (stratified for
    classifiers), stop on its score rather than the training loss, and keep
    the weights of the best epoch.""",
    "validation_fraction": """validation_fraction : float, default={validation_fraction}
    Share of the training data held out when ``early_stopping=True``.""",
    "device": """device : {{"auto", "cpu", "cuda"}}, default={device!r}
    Where to train: ``"auto"`` picks CUDA when present; ``"cuda"`` on a
    machine without CUDA warns and trains on the CPU.""",
    "verbose": """verbose : int, default={verbose}
    0 quiet, 1 one progress bar for the fit, 2 a line per epoch.""",
    "random_state": """random_state : int, RandomState instance or None, default={random_state}
    Seeds the weights, the shuffling, the validation split and dropout
    through generators local to the fit (the global torch seed is left
    alone). Pass an int for reproducible results.""",
}

TRAINING_DEFAULTS = dict(max_iter=200, learning_rate_init=1e-3, tol=1e-4, n_iter_no_change=10,
                         early_stopping=False, validation_fraction=0.1, device="auto",
                         verbose=0, random_state=None)


def training_doc(*names, indent=4, **defaults):
    """numpydoc "Parameters" entries of the shared parameters ``names``.

    Parameters
    ----------
    *names : str
        Keys of :data:`TRAINING_DOCS`, in the order to print them.
    indent : int, default=4
        Indentation of the entries' first lines (a class docstring's).
    **defaults
        Default values that differ from scikit-learn's MLP's.

    Returns
    -------
    str

    Examples
    --------
    >>> print(training_doc("max_iter", indent=0, max_iter=30).splitlines()[0])
    max_iter : int, default=30
    """
    values = {**TRAINING_DEFAULTS, **defaults}
    pad = " " * indent
    blocks = []
    for name in names:
        text = TRAINING_DOCS[name].format(**values)
        blocks.append("\n".join(pad + line if i else line
                                for i, line in enumerate(text.splitlines())))
    return ("\n" + pad).join(blocks)


# -- device policy --------------------------------------------------------------------
def resolve_device(device, estimator_name="estimator"):
    """The torch device string to train on, by sklml's one device policy.

    The policy lives in :mod:`sklml._device` (shared with the XGBoost and
    CatBoost adapters): ``"auto"`` picks ``"cuda"`` when torch can use a GPU,
    else ``"cpu"``; asking for CUDA where there is none warns
    (:class:`UserWarning`) and returns ``"cpu"``; an invalid ``device`` raises
    :class:`ValueError`. Torch is imported only when a GPU is asked for.

    Parameters
    ----------
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    estimator_name : str, default="estimator"
        Named in the warning.

    Returns
    -------
    str

    Examples
    --------
    >>> resolve_device("cpu")
    'cpu'
    """
    from ._device import resolve_device as _resolve

    def torch_gpu_count():
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0

    return _resolve(device, estimator_name, gpu_count=torch_gpu_count, library_name="torch")


# -- seeding policy ------------------------------------------------------------------
def draw_seed(random_state):
    """One int seed in ``[0, 2**31 - 1)`` from a ``random_state``.

    An int gives the same seed every time; a ``RandomState`` instance
    advances; ``None`` draws a fresh seed from numpy's global state.

    Examples
    --------
    >>> draw_seed(0) == draw_seed(0)
    True
    """
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def make_generator(seed):
    """A numpy ``Generator`` local to one fit (shuffling, splits).

    Examples
    --------
    >>> make_generator(0).permutation(3).shape
    (3,)
    """
    return np.random.default_rng(seed)


# -- stopping ------------------------------------------------------------------------
class NoImprovementStopping:
    """scikit-learn's MLP stopping rule (``_update_no_improvement_count``).

    Without ``early_stopping`` an epoch counts as no improvement when its
    training loss is above ``best_loss - tol``; with it, when its validation
    score is below ``best_score + tol``. :meth:`update` returns True when
    the count exceeds ``n_iter_no_change``; the caller then stops or, as
    scikit-learn's SGD with ``learning_rate="adaptive"`` does, divides the
    step by 5 and calls :meth:`reset_count`.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int
    early_stopping : bool, default=False
        Watch the validation score (higher is better) instead of the loss.

    Attributes
    ----------
    best_loss : float
    best_score : float
    improved : bool
        Whether the last update set a new best (loss or score).
    """

    def __init__(self, tol, n_iter_no_change, early_stopping=False):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.best_loss = np.inf
        self.best_score = -np.inf
        self.count = 0
        self.improved = False

    def update(self, loss=None, score=None):
        """Record one epoch; True when training should stop (or adapt)."""
        if self.early_stopping:
            self.count = self.count + 1 if score < self.best_score + self.tol else 0
            self.improved = score > self.best_score
            if self.improved:
                self.best_score = score
        else:
            self.count = self.count + 1 if loss > self.best_loss - self.tol else 0
            self.improved = loss < self.best_loss
            if self.improved:
                self.best_loss = loss
        return self.count > self.n_iter_no_change

    def reset_count(self):
        """Start counting again (after the step size was reduced)."""
        self.count = 0


def warn_not_converged(estimator_name, max_iter, optimizer="Stochastic Optimizer"):
    """The :class:`~sklearn.exceptions.ConvergenceWarning` of a fit that
    reached ``max_iter`` without meeting ``tol`` (scikit-learn's message)."""
    warnings.warn(
        f"{optimizer}: Maximum iterations ({max_iter}) reached and the "
        f"optimization hasn't converged yet ({estimator_name}).",
        ConvergenceWarning, stacklevel=3,
    )


# -- progress ------------------------------------------------------------------------
class ProgressReporter:
    """The ``verbose`` policy: 0 nothing, 1 one tqdm bar, 2 (or more) a line per epoch.

    Parameters
    ----------
    verbose : int
    total : int or None
        Expected number of epochs (the bar's length).
    desc : str
        The estimator's name.
    unit : str, default="epoch"
    label : str, default="Iteration"
        First word of the ``verbose=2`` line (scikit-learn's: "Iteration 3,
        loss = 0.12345678").

    Examples
    --------
    >>> with ProgressReporter(0, total=3, desc="MLP") as progress:
    ...     for epoch in range(3):
    ...         progress.update(loss=1.0 / (epoch + 1))
    """

    def __init__(self, verbose, total, desc, unit="epoch", label="Iteration"):
        self.verbose = int(verbose or 0)
        self.label = label
        self.total = total
        self.desc = desc
        self.unit = unit
        self.count = 0
        self._bar = None

    def __enter__(self):
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=self.desc, unit=self.unit, leave=True)
        return self

    def update(self, n=1, **metrics):
        """One more ``unit`` done, with the metrics to show."""
        self.count += n
        shown = {k: f"{v:.6g}" if isinstance(v, (Real, np.floating)) else str(v)
                 for k, v in metrics.items() if v is not None}
        if self._bar is not None:
            self._bar.set_postfix(shown, refresh=False)
            self._bar.update(n)
        elif self.verbose >= 2:
            parts = "".join(f", {k} = {v:.8f}" if isinstance(v, (Real, np.floating)) else
                            f", {k} = {v}" for k, v in metrics.items() if v is not None)
            print(f"{self.label} {self.count}{parts}", file=sys.stdout)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        return False


# -- history -------------------------------------------------------------------------
@dataclass
class TrainingHistory:
    """The fitted history every iterative estimator exposes.

    :meth:`set_on` copies it onto an estimator as ``n_iter_``,
    ``loss_curve_``, ``validation_scores_``, ``best_loss_`` and
    ``best_validation_score_``.
    """

    early_stopping: bool = False
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)

    def record(self, loss, validation_score=None):
        self.loss_curve.append(float(loss))
        if validation_score is not None:
            self.validation_scores.append(float(validation_score))

    def set_on(self, estimator):
        estimator.n_iter_ = len(self.loss_curve)
        estimator.loss_curve_ = list(self.loss_curve)
        if self.early_stopping:
            estimator.validation_scores_ = list(self.validation_scores)
            estimator.best_validation_score_ = (max(self.validation_scores)
                                                if self.validation_scores else None)
            estimator.best_loss_ = None
        else:
            estimator.validation_scores_ = None
            estimator.best_validation_score_ = None
            estimator.best_loss_ = min(self.loss_curve) if self.loss_curve else None
        return estimator


# -- deprecated names ----------------------------------------------------------------
def deprecated_alias(estimator, old, new, *, until="0.3"):
    """The value to use for ``new`` when the deprecated ``old`` may be set.

    ``old`` must default to None in ``__init__``; when it is set, a
    :class:`FutureWarning` names the new parameter and its value wins.

    Examples
    --------
    >>> class E:
    ...     max_epochs, max_iter = None, 200
    >>> deprecated_alias(E(), "max_epochs", "max_iter")
    200
    """
    value = getattr(estimator, old, None)
    if value is None:
        return getattr(estimator, new)
    warnings.warn(
        f"{type(estimator).__name__}: {old!r} is deprecated and will be removed in "
        f"sklml {until}; use {new!r} (same meaning) instead",
        FutureWarning, stacklevel=3,
    )
    return value
