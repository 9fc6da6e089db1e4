"""Shared machinery of the gradient-descent linear models.

The objective minimised is

    J(w, b) = sum_i s_i L(y_i, x_i . w + b) / sum_i s_i
              + alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||_2^2)

with ``l1_ratio`` = 0 for ``penalty="l2"`` and 1 for ``penalty="l1"`` (the
convention of :class:`sklearn.linear_model.SGDRegressor`).  With the squared
error ``L = (y - f)^2 / 2`` and ``penalty="l2"`` this is Ridge's objective with
``Ridge(alpha=n_samples * alpha)``; with ``penalty="l1"`` it is exactly Lasso's.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

from . import _kernels

_PENALTIES = {"l2", "l1", "elasticnet"}


class _BaseGD(BaseEstimator):
    """Fit loop shared by GDRegressor and GDClassifier (not public)."""

    _parameter_constraints = {
        "optimizer": [StrOptions(set(_kernels.OPTIMIZER_CODES))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
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
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # -- hooks of the subclasses -------------------------------------------------
    def _loss_code(self):
        raise NotImplementedError

    def _score_validation(self, X, y, sample_weight):
        raise NotImplementedError

    def _init_intercept(self, y, sw, n_outputs):
        return np.zeros(n_outputs)

    # -- helpers -------------------------------------------------------------------
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
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "fit is stochastic by design (shuffled mini-batches or a random validation "
                "split): a sample of weight 2 and two copies of it do not fall into the "
                "same mini-batches, so the fits differ beyond the check's tolerance"
            )
        }

    def _params_matrix(self):
        """Current parameters as the (n_outputs, n_features + 1) matrix."""
        coef = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64))
        intercept = np.atleast_1d(np.asarray(self.intercept_, dtype=np.float64))
        return np.ascontiguousarray(np.hstack([coef, intercept[:, None]]))

    def _store_params(self, P):
        raise NotImplementedError

    # -- the loop ------------------------------------------------------------------
    def _fit_loop(self, X, y, sample_weight, n_outputs, max_iter, incremental):
        """Run up to ``max_iter`` epochs (a Python loop over compiled epochs).

        ``y`` is float64: the target, the 0/1 label or the class index.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        n_samples, n_features = X.shape
        loss = self._loss_code()
        opt = _kernels.OPTIMIZER_CODES[self.optimizer]
        rng = check_random_state(self.random_state)

        reuse = (incremental or self.warm_start) and hasattr(self, "coef_")
        if reuse:
            P = self._params_matrix()
            if P.shape != (n_outputs, n_features + 1):
                raise ValueError(
                    f"warm start: the fitted coefficients have shape {P.shape[0]} x "
                    f"{P.shape[1] - 1} but the data need {n_outputs} x {n_features}"
                )
            state = getattr(self, "_optimizer_state", None)
            if state is None or state[0].shape != P.shape:
                state = (np.zeros_like(P), np.zeros_like(P), np.zeros(1, dtype=np.int64))
            S1, S2, t = (a.copy() for a in state)
        else:
            P = np.zeros((n_outputs, n_features + 1))
            if self.fit_intercept:
                P[:, -1] = self._init_intercept(y, sw, n_outputs)
            S1, S2, t = np.zeros_like(P), np.zeros_like(P), np.zeros(1, dtype=np.int64)
        if not self.fit_intercept:
            P[:, -1] = 0.0

        X_val = None
        if self.early_stopping and not incremental:
            X, X_val, y, y_val, sw, sw_val = self._validation_split(X, y, sw, rng)
            n_samples = X.shape[0]
        sw_mean = float(sw.mean()) if n_samples else 1.0
        if sw_mean <= 0:
            raise ValueError("The sample weights sum to zero; nothing to fit.")
        batch = n_samples if self.batch_size in (None, "full") else min(self.batch_size, n_samples)
        l2, l1 = self._penalty_strengths()
        order = np.arange(n_samples, dtype=np.int64)

        curve = list(self.loss_curve_) if incremental and hasattr(self, "loss_curve_") else []
        validation = (
            list(self.validation_scores_)
            if incremental and getattr(self, "validation_scores_", None) is not None
            else []
        )
        delta = float(getattr(self, "epsilon", 1.0))
        if curve:
            initial = curve[0]
        else:
            # estimated on at most ~10,000 evenly spaced rows: it only sets the alarm levels
            step = max(1, n_samples // 10_000)
            if not sw[::step].any():
                step = 1
            initial = _kernels.mean_loss(
                np.ascontiguousarray(X[::step]), np.ascontiguousarray(y[::step]),
                np.ascontiguousarray(sw[::step]), P, loss, delta,
            ) + self._penalty_value(P)
        # a healthy run never gets far above its starting loss
        limit = 1e2 * abs(initial) + 1e-3
        diverged = False
        safe_state = (P.copy(), S1.copy(), S2.copy(), t.copy())  # start of the best epoch
        best_loss, best_score, no_improve = np.inf, -np.inf, 0
        best_P = None
        epochs = 0
        for epoch in range(max_iter):
            snapshot = (P.copy(), S1.copy(), S2.copy(), t.copy())
            tic = time.perf_counter()
            epoch_loss = _kernels.run_epoch(
                X, y, sw, order, int(rng.randint(np.iinfo(np.int32).max)), bool(self.shuffle),
                P, S1, S2, t, loss, opt, float(self.learning_rate), float(self.momentum),
                float(self.beta_1), float(self.beta_2), float(self.rho),
                float(self.epsilon_optimizer), l2, l1, batch, delta,
                sw_mean, bool(self.fit_intercept),
            )
            epoch_loss += self._penalty_value(P)
            if not (np.isfinite(epoch_loss) and np.all(np.isfinite(P)) and epoch_loss < limit):
                P, S1, S2, t = safe_state
                diverged = True
                warnings.warn(
                    f"The loss diverged in epoch {len(curve) + 1} (from {initial:.4g} to "
                    f"{epoch_loss:.4g}); the parameters of the best epoch are kept. Reduce "
                    f"learning_rate (now {self.learning_rate}) or scale the features "
                    f"(StandardScaler).",
                    ConvergenceWarning,
                )
                break
            if epoch_loss < best_loss:
                safe_state = snapshot
            epochs += 1
            curve.append(float(epoch_loss))
            msg = f"-- Epoch {len(curve)}, loss: {epoch_loss:.6g}"
            if X_val is not None:
                self._store_params(P)
                score = self._score_validation(X_val, y_val, sw_val)
                validation.append(score)
                msg += f", validation score: {score:.6g}"
                if score > best_score:
                    best_P = P.copy()
                if self.tol is not None and score < best_score + self.tol:
                    no_improve += 1
                else:
                    no_improve = 0
                best_score = max(best_score, score)
            elif self.tol is not None:
                no_improve = no_improve + 1 if epoch_loss > best_loss - self.tol else 0
            best_loss = min(best_loss, epoch_loss)
            if self.verbose:
                print(msg + f", time: {time.perf_counter() - tic:.3g} s")
            if not incremental and self.tol is not None and no_improve >= self.n_iter_no_change:
                if self.verbose:
                    print(f"Convergence after {epochs} epochs.")
                break
        else:
            if not incremental and self.tol is not None:
                warnings.warn(
                    f"Maximum number of epochs ({max_iter}) reached before convergence; "
                    "consider increasing max_iter or learning_rate.",
                    ConvergenceWarning,
                )
        if not (diverged or incremental) and curve and curve[-1] > 1.5 * abs(initial) + 1e-12:
            warnings.warn(
                f"The loss increased from {initial:.4g} to {curve[-1]:.4g}: the run "
                f"diverges. Reduce learning_rate (now {self.learning_rate}) or scale the "
                f"features (StandardScaler).",
                ConvergenceWarning,
            )
        if best_P is not None:
            P = best_P  # early stopping keeps the best validated parameters
        self._store_params(P)
        self._optimizer_state = (S1, S2, t)
        self.loss_curve_ = curve
        self.validation_scores_ = validation if X_val is not None else None
        self.n_iter_ = epochs + (getattr(self, "n_iter_", 0) if incremental else 0)
        self.t_ = int(t[0])
        return self

    def _validation_split(self, X, y, sw, rng):
        stratify = y if self._stratify_split() else None
        try:
            return train_test_split(
                X, y, sw, test_size=self.validation_fraction, random_state=rng, stratify=stratify
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping: cannot split off a validation set with "
                f"validation_fraction={self.validation_fraction} from {X.shape[0]} samples "
                f"({exc})"
            ) from None

    def _stratify_split(self):
        return False
