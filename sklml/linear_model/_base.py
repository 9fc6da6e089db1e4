"""Shared machinery of the gradient-descent linear models.

The objective minimised is

    J(w, b) = sum_i s_i L(y_i, x_i . w + b) / sum_i s_i
              + alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||_2^2)

with ``l1_ratio`` = 0 for ``penalty="l2"`` and 1 for ``penalty="l1"`` (the
convention of :class:`sklearn.linear_model.SGDRegressor`).  With the squared
error ``L = (y - f)^2 / 2`` and ``penalty="l2"`` this is Ridge's objective with
``Ridge(alpha=n_samples * alpha)``; with ``penalty="l1"`` it is exactly Lasso's.
"""

import warnings
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

from .._training import (
    TRAINING_CONSTRAINTS,
    NoImprovementStopping,
    ProgressReporter,
    TrainingHistory,
    draw_seed,
    make_generator,
    warn_not_converged,
)
from . import _kernels

_PENALTIES = {"l2", "l1", "elasticnet"}
# scikit-learn's "adaptive" schedule: divide the rate by 5 at each plateau, stop below 1e-6
_ADAPTIVE_DIVISOR = 5.0
_ADAPTIVE_MIN_RATE = 1e-6

# what a fit leaves for warm_start and partial_fit to continue from
_GDState = namedtuple("_GDState", "params first_moment second_moment average counters")


def _step_advice(schedule, eta0):
    if schedule == "optimal":
        return ("The 'optimal' schedule's first steps are too large for these data: raise "
                "alpha, or use another learning_rate with a smaller eta0.")
    return f"Reduce eta0 (now {eta0}) or scale the features (StandardScaler)."


class _BaseGD(BaseEstimator):
    """Fit loop shared by GDRegressor and GDClassifier (not public)."""

    _parameter_constraints = {
        "optimizer": [StrOptions(set(_kernels.OPTIMIZER_CODES))],
        "learning_rate": [
            StrOptions(set(_kernels.SCHEDULE_CODES)),
            Interval(Real, 0, None, closed="neither"),  # deprecated: the step size, now eta0
        ],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, None, None, closed="neither")],
        "average": [Interval(Integral, 0, None, closed="neither"), "boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "epsilon_optimizer": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"full"}), None],
        "penalty": [StrOptions(_PENALTIES), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        # the training contract's parameters, with SGD's additions: tol=None (run all
        # max_iter epochs) and a validation fraction strictly inside (0, 1)
        **{name: TRAINING_CONSTRAINTS[name] for name in (
            "max_iter", "n_iter_no_change", "early_stopping", "verbose", "random_state")},
        "tol": [*TRAINING_CONSTRAINTS["tol"], None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR rows in run_epoch_sparse (never densified whole)
        return tags

    # -- hooks of the subclasses -------------------------------------------------
    def _loss_code(self):
        raise NotImplementedError

    def _score_validation(self, X, y, sample_weight):
        raise NotImplementedError

    def _init_intercept(self, y, sw, n_outputs):
        return np.zeros(n_outputs)

    def _begin_fit(self, X, y, sw, P, incremental):
        """Called once the training rows and the starting parameters are known."""

    def _loss_settings(self):
        """(Huber threshold, factor on every sample's loss) of the next epoch."""
        return 1.0, 1.0

    def _end_epoch(self, X, y, sw, P):
        """Called after each epoch; returns a term added to the epoch's objective."""
        return 0.0

    def _initial_objective(self, X, y, sw, P):
        """Objective at the starting parameters (it sets the divergence alarms)."""
        delta, loss_scale = self._loss_settings()
        X_dense, rows = _kernels.as_rows(X)
        mean = _kernels.mean_loss(X_dense, rows, y, sw, P, self._loss_code(), delta)
        return loss_scale * mean + self._penalty_value(P)

    # -- helpers -------------------------------------------------------------------
    def _schedule(self):
        """(schedule name, eta0), resolving the deprecated float ``learning_rate``."""
        if isinstance(self.learning_rate, str):
            return self.learning_rate, float(self.eta0)
        warnings.warn(
            f"learning_rate={self.learning_rate!r} as the step size is deprecated and will "
            f"be removed in the next release: learning_rate now names the schedule, as in "
            f"SGDRegressor. Use eta0={self.learning_rate!r}, learning_rate='constant'.",
            FutureWarning,
        )
        return "constant", float(self.learning_rate)

    def _check_fit_parameters(self, schedule, incremental):
        if schedule == "optimal" and self.alpha == 0:
            raise ValueError(
                "alpha must be > 0 since learning_rate is 'optimal'. alpha is used to "
                "compute the optimal learning rate."
            )
        if incremental and self.early_stopping:
            raise ValueError("early_stopping should be False with partial_fit")

    def _optimal_init(self):
        """t0 of the "optimal" schedule (Bottou's heuristic, as scikit-learn's SGD):
        the first update gets ``eta = sqrt(1 / sqrt(alpha))``."""
        if self.alpha <= 0:
            return 1.0
        typical_weight = np.sqrt(1.0 / np.sqrt(self.alpha))
        return 1.0 / (typical_weight * self.alpha)

    def _penalty_strengths(self):
        """(l2, l1) strengths of the penalty."""
        if self.penalty is None:
            return 0.0, 0.0
        ratio = {"l2": 0.0, "l1": 1.0}.get(self.penalty, self.l1_ratio)
        return self.alpha * (1.0 - ratio), self.alpha * ratio

    def _penalty_value(self, P):
        l2, l1 = self._penalty_strengths()
        W = P[:, :-1]
        return 0.5 * l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W)))

    def _expected_failed_checks(self):
        if self.batch_size in (None, "full") and not self.early_stopping:
            return {}  # deterministic full-batch fit: no exemption
        reason = (
            "fit is stochastic by design (shuffled mini-batches or a random validation "
            "split): a sample of weight 2 and two copies of it do not fall into the "
            "same mini-batches, so the fits may differ beyond the check's tolerance (the "
            "decaying default schedule often brings them within it: an XPASS)"
        )
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }

    def _params_matrix(self):
        """Current parameters as the (n_outputs, n_features + 1) matrix."""
        coef = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64))
        intercept = np.atleast_1d(np.asarray(self.intercept_, dtype=np.float64))
        return np.ascontiguousarray(np.hstack([coef, intercept[:, None]]))

    def _store_params(self, P):
        raise NotImplementedError

    def _start_state(self, y, sw, n_outputs, n_features, incremental):
        """The state to run from: the previous one (warm start, partial_fit) or a fresh one."""
        shape = (n_outputs, n_features + 1)
        if (incremental or self.warm_start) and hasattr(self, "coef_"):
            P = self._params_matrix()
            if P.shape != shape:
                raise ValueError(
                    f"warm start: the fitted coefficients have shape {P.shape[0]} x "
                    f"{P.shape[1] - 1} but the data need {n_outputs} x {n_features}"
                )
            old = getattr(self, "_gd_state", None)
            old = None if old is None else _GDState(**old)
            if old is not None and old.params.shape == shape:
                if self.average:  # coef_ holds the average: continue from the raw iterate
                    P = old.params
                return _GDState(P.copy(), old.first_moment.copy(), old.second_moment.copy(),
                                old.average.copy(), old.counters.copy())
            return _GDState(P, np.zeros(shape), np.zeros(shape), P.copy(),
                            np.zeros(3, dtype=np.int64))
        P = np.zeros(shape)
        if self.fit_intercept:
            P[:, -1] = self._init_intercept(y, sw, n_outputs)
        return _GDState(P, np.zeros(shape), np.zeros(shape), P.copy(),
                        np.zeros(3, dtype=np.int64))

    # -- the loop ------------------------------------------------------------------
    def _fit_loop(self, X, y, sample_weight, n_outputs, max_iter, incremental):
        """Run up to ``max_iter`` epochs (a Python loop over compiled epochs).

        ``y`` is float64: the target, the 0/1 label or the class index. ``X`` is
        dense or a scipy sparse matrix (run as CSR by ``run_epoch_sparse``: the
        same fit to rounding, the matrix never densified).
        """
        schedule, eta0 = self._schedule()
        self._check_fit_parameters(schedule, incremental)
        X = X.tocsr() if sp.issparse(X) else _kernels.as_kernel_array(X)
        y = _kernels.as_kernel_array(y)
        sw = _kernels.as_kernel_array(_check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True))
        n_samples, n_features = X.shape
        rng = make_generator(draw_seed(self.random_state))  # the contract's seeding policy

        P, S1, S2, A, counters = self._start_state(y, sw, n_outputs, n_features, incremental)
        if not self.fit_intercept:
            P[:, -1] = 0.0

        X_val = None
        if self.early_stopping and not incremental:
            X, X_val, y, y_val, sw, sw_val = self._validation_split(X, y, sw, rng)
            n_samples = X.shape[0]
        sw_mean = float(sw.mean()) if n_samples else 1.0
        if sw_mean <= 0:
            raise ValueError("The sample weights sum to zero; nothing to fit.")
        self._begin_fit(X, y, sw, P, incremental)
        batch = n_samples if self.batch_size in (None, "full") else min(self.batch_size, n_samples)
        l2, l1 = self._penalty_strengths()
        X_kernel, rows = _kernels.as_rows(X)
        in_order = np.arange(n_samples, dtype=np.int64)
        # the order of a full batch does not matter: shuffle only true mini-batches
        shuffle = self.shuffle and batch < n_samples
        fixed = dict(
            loss=self._loss_code(), optimizer=_kernels.OPTIMIZER_CODES[self.optimizer],
            schedule=_kernels.SCHEDULE_CODES[schedule], power_t=self.power_t,
            optimal_init=self._optimal_init(), alpha=self.alpha, beta=self.momentum,
            beta1=self.beta_1, beta2=self.beta_2, rho=self.rho, eps=self.epsilon_optimizer,
            l2=l2, l1=l1, batch_size=batch, sw_mean=sw_mean,
            fit_intercept=self.fit_intercept,
            average_start=int(self.average),
        )

        history = TrainingHistory(early_stopping=X_val is not None)
        if incremental and getattr(self, "loss_curve_", None):
            history.loss_curve = list(self.loss_curve_)  # partial_fit extends the history
        if history.loss_curve:
            initial = history.loss_curve[0]
        else:
            # estimated on at most ~10,000 evenly spaced rows: it only sets the alarm levels
            step = max(1, n_samples // 10_000)
            if not sw[::step].any():
                step = 1
            initial = self._initial_objective(
                X[::step], _kernels.as_kernel_array(y[::step]),
                _kernels.as_kernel_array(sw[::step]), P,
            )
        # a healthy run never gets far above its starting loss
        limit = 1e2 * abs(initial) + 1e-3
        diverged = converged = False
        safe_state = _GDState(P.copy(), S1.copy(), S2.copy(), A.copy(), counters.copy())
        safe_loss = np.inf
        # the contract's rule stops after MORE than n_iter_no_change epochs without
        # improvement (scikit-learn's MLP); SGD's after n_iter_no_change: hence the - 1.
        # tol=None is SGD's "no convergence test", tol=-inf inside
        stopping = NoImprovementStopping(
            -np.inf if self.tol is None else self.tol, self.n_iter_no_change - 1,
            early_stopping=X_val is not None,
        )
        best_P = None
        eta = eta0
        name = type(self).__name__
        # verbose=2 prints SGD's word: "-- Epoch 3, loss = ..."
        with ProgressReporter(self.verbose, total=max_iter, desc=name,
                              label="-- Epoch") as progress:
            for _ in range(max_iter):
                snapshot = _GDState(P.copy(), S1.copy(), S2.copy(), A.copy(), counters.copy())
                delta, loss_scale = self._loss_settings()
                settings = _kernels.epoch_settings(
                    eta=eta, delta=delta, loss_scale=loss_scale, **fixed,
                )
                # the fit's local generator draws the order (the kernel draws nothing)
                order = rng.permutation(n_samples) if shuffle else in_order
                if rows.indptr.size:
                    epoch_loss = _kernels.run_epoch_sparse(rows, n_features, y, sw, order, P,
                                                           S1, S2, A, counters, settings)
                else:
                    epoch_loss = _kernels.run_epoch(X_kernel, y, sw, order, P, S1, S2, A,
                                                    counters, settings)
                epoch_loss += self._penalty_value(P) + self._end_epoch(X, y, sw, P)
                if not (np.isfinite(epoch_loss) and np.all(np.isfinite(P))
                        and epoch_loss < limit):
                    P, S1, S2, A, counters = safe_state
                    self._end_epoch(X, y, sw, P)  # state that depends on P (a fitted scale)
                    diverged = True
                    warnings.warn(
                        f"The loss diverged in epoch {len(history.loss_curve) + 1} (from "
                        f"{initial:.4g} to {epoch_loss:.4g}); the parameters of the best "
                        f"epoch are kept. {_step_advice(schedule, eta0)}",
                        ConvergenceWarning,
                    )
                    break
                if epoch_loss < safe_loss:
                    safe_state, safe_loss = snapshot, epoch_loss
                current = A if counters[_kernels.AVERAGED] else P
                score = None
                if X_val is not None:
                    self._store_params(current)
                    score = self._score_validation(X_val, y_val, sw_val)
                history.record(epoch_loss, score)
                progress.update(loss=epoch_loss, validation_score=score, eta=eta)
                plateau = stopping.update(loss=epoch_loss, score=score)
                if X_val is not None and stopping.improved:
                    best_P = current.copy()
                if incremental or not plateau:
                    continue
                if schedule == "adaptive" and eta > _ADAPTIVE_MIN_RATE:
                    eta /= _ADAPTIVE_DIVISOR
                    stopping.reset_count()
                    if self.verbose >= 2:
                        print(f"Learning rate lowered to {eta:.3g}.")
                    continue
                converged = True
                break
        if not (converged or diverged or incremental) and self.tol is not None:
            warn_not_converged(name, max_iter, optimizer=f"Gradient descent ({self.optimizer})")
        curve = history.loss_curve
        if not (diverged or incremental) and curve and curve[-1] > 1.5 * abs(initial) + 1e-12:
            warnings.warn(
                f"The loss increased from {initial:.4g} to {curve[-1]:.4g}: the run "
                f"diverges. {_step_advice(schedule, eta0)}",
                ConvergenceWarning,
            )
        current = A if counters[_kernels.AVERAGED] else P
        # early stopping keeps the best validated parameters
        self._store_params(current if best_P is None else best_P)
        # a plain dict of arrays: pickles and persists (skops) without trusting a new type
        self._gd_state = _GDState(P, S1, S2, A, counters)._asdict()
        history.set_on(self)  # n_iter_, loss_curve_, validation_scores_, best_loss_, ...
        self.t_ = int(counters[_kernels.UPDATES])
        return self

    def _validation_split(self, X, y, sw, rng):
        stratify = y if self._stratify_split() else None
        try:
            return train_test_split(
                X, y, sw, test_size=self.validation_fraction,
                random_state=int(rng.integers(np.iinfo(np.int32).max)), stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping: cannot split off a validation set with "
                f"validation_fraction={self.validation_fraction} from {X.shape[0]} samples "
                f"({exc})"
            ) from None

    def _stratify_split(self):
        return False
