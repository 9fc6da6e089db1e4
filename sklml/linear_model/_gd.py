"""GDRegressor and GDClassifier: linear models trained by gradient descent."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot, softmax
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._training import training_doc
from . import _kernels
from ._base import _BaseGD

_SHARED_DOC = """
    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", \
"nadam"}, default="adam"
        Update rule, as in the lectures (``g`` is the mini-batch gradient, ``eta``
        the learning rate, ``t`` the step count):

        - ``"sgd"``: ``w <- w - eta g``;
        - ``"momentum"``: ``m <- beta m - eta g``, ``w <- w + m``;
        - ``"nesterov"``: the same with ``g`` taken at ``w + beta m`` (run in
          the look-ahead form, so the stored parameters are that point);
        - ``"adagrad"``: ``s <- s + g^2``, ``w <- w - eta g / (sqrt(s) + eps)``;
        - ``"rmsprop"``: ``s <- rho s + (1 - rho) g^2``, then as AdaGrad;
        - ``"adam"``: ``m <- b1 m + (1 - b1) g``, ``s <- b2 s + (1 - b2) g^2``,
          ``w <- w - eta m_hat / (sqrt(s_hat) + eps)`` with bias-corrected
          ``m_hat = m / (1 - b1^t)``, ``s_hat = s / (1 - b2^t)``;
        - ``"nadam"``: Adam with the Nesterov trick,
          ``w <- w - eta (b1 m_hat + (1 - b1) g / (1 - b1^t)) / (sqrt(s_hat) + eps)``.
    learning_rate : {"constant", "optimal", "invscaling", "adaptive"}, \
default="adaptive"
        Schedule of the step size ``eta``, with SGDRegressor's names and
        meanings (``t`` counts the updates, from 1):

        - ``"constant"``: ``eta = eta0``;
        - ``"optimal"``: ``eta = 1 / (alpha (t + t0))``, with Bottou's ``t0``
          as scikit-learn's (needs ``alpha > 0``);
        - ``"invscaling"``: ``eta = eta0 / t^power_t``;
        - ``"adaptive"``: ``eta = eta0`` as long as the objective improves;
          each time it has not improved by ``tol`` for ``n_iter_no_change``
          epochs, ``eta`` is divided by 5, and the fit stops once ``eta`` is
          below ``1e-6``.

        The default ``"adaptive"`` is what makes the defaults reach the
        optimum: a constant rate leaves mini-batch noise in the result.
        A float here is the step size of the previous release (deprecated:
        it means ``eta0=<float>, learning_rate="constant"`` and warns
        ``FutureWarning``; it will be removed in the next release).
    eta0 : float, default=0.01
        Initial step size of every schedule but ``"optimal"``. With
        ``"sgd"`` the step is ``eta`` times the gradient (in the units of the
        target); with Adam and the other adaptive optimizers it is about
        ``eta`` in the units of the coefficients.
    power_t : float, default=0.25 for GDRegressor, 0.5 for GDClassifier
        Exponent of the ``"invscaling"`` schedule (SGDRegressor's and
        SGDClassifier's defaults).
    average : bool or int, default=False
        Averaged SGD (Polyak-Ruppert): ``coef_`` and ``intercept_`` are the
        running mean of the parameters after each update, from the first
        update (``True``) or once ``average`` samples have been seen (an int),
        as in SGDRegressor.
    momentum : float, default=0.9
        ``beta`` of "momentum" and "nesterov".
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates of Adam and Nadam.
    rho : float, default=0.9
        Decay rate of RMSProp's average of squared gradients.
    epsilon_optimizer : float, default=1e-8
        ``eps`` added to the denominators of AdaGrad, RMSProp, Adam and Nadam.
    batch_size : int, "full" or None, default=32
        Samples per update: 1 is stochastic gradient descent, an int is
        mini-batch, ``None`` or ``"full"`` is batch gradient descent (one
        update per epoch, deterministic).
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regularisation of the coefficients (never of the intercept). The l1
        part is applied by a proximal (soft-thresholding) step after each
        update, which sets coefficients exactly to zero.
    alpha : float, default=1e-4
        Strength of the penalty: ``alpha * (l1_ratio ||w||_1 + (1 - l1_ratio)
        ||w||_2^2 / 2)`` is added to the mean loss.
    l1_ratio : float, default=0.15
        Elastic-net mixing (used only with ``penalty="elasticnet"``).
    fit_intercept : bool, default=True
        Whether to fit an intercept. Features are not scaled: put a
        :class:`~sklearn.preprocessing.StandardScaler` in a
        :class:`~sklearn.pipeline.Pipeline` before the model.
    @max_iter@
    tol : float or None, default=1e-4
        As in SGDRegressor: the objective (mean training loss of the epoch
        plus penalty; with early stopping, the validation score) has not
        improved when it is above ``best - tol`` (below ``best + tol``).
        After ``n_iter_no_change`` such epochs in a row the fit stops, or,
        with ``learning_rate="adaptive"``, the rate is divided by 5 first.
        ``None`` runs all ``max_iter`` epochs. The default is ten times
        smaller than SGDRegressor's ``1e-3``, which stops the cross-entropy
        of nearly separable classes well short of its optimum.
    n_iter_no_change : int, default=5
        Number of epochs without improvement before stopping (or lowering
        an adaptive rate).
    @early_stopping@
        The score is R2 or accuracy. Not allowed with ``partial_fit``.
    @validation_fraction@
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split through a generator
        local to the fit (the training contract's policy). Pass an int for
        reproducible results.
    warm_start : bool, default=False
        Start ``fit`` from the previous coefficients and optimizer state.
    @verbose@"""

for _name in ("max_iter", "early_stopping", "validation_fraction", "verbose"):
    # the training contract's wording of the shared parameters (sklml/_training.py)
    _SHARED_DOC = _SHARED_DOC.replace(f"@{_name}@", training_doc(_name, max_iter=2000))

_SHARED_ATTRS = """
    n_iter_ : int
        Number of epochs run (summed over ``partial_fit`` calls).
    t_ : int
        Number of parameter updates made by the optimizer.
    loss_curve_ : list of float
        Objective (mean training loss during the epoch plus penalty) per epoch.
    validation_scores_ : list of float or None
        Score on the held-out set per epoch when ``early_stopping=True``.
    best_loss_ : float or None
        Lowest objective of an epoch (None with ``early_stopping``).
    best_validation_score_ : float or None
        Best validation score (None without ``early_stopping``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string feature names."""



def _huber_scale(residuals, weights, epsilon):
    """The scale ``sigma`` that minimises HuberRegressor's ``sum_i w_i (sigma +
    sigma H_eps(r_i / sigma))`` for fixed residuals (``H_eps(z) = z^2`` for
    ``|z| <= eps``, ``2 eps |z| - eps^2`` beyond), exactly.

    With the residuals sorted by size and the first ``k`` inside the threshold
    ``eps sigma``, the objective is ``sigma (1 - eps^2 W_out) + S_in / sigma +
    2 eps T_out`` (weighted sums of ``1``, ``r^2``, ``|r|`` outside or inside):
    its minimiser on each of the ``n + 1`` intervals comes from prefix sums,
    and the best of them is the global one (the objective is convex in sigma).
    """
    a = np.abs(residuals)
    order = np.argsort(a, kind="stable")
    a = a[order]
    w = weights[order] / weights.sum()
    zero = np.zeros(1)
    s_in = np.concatenate([zero, np.cumsum(w * a * a)])  # index k: the first k inside
    w_out = np.clip(1.0 - np.concatenate([zero, np.cumsum(w)]), 0.0, None)
    t_all = np.concatenate([zero, np.cumsum(w * a)])
    t_out = t_all[-1] - t_all
    low = np.concatenate([zero, a]) / epsilon
    high = np.concatenate([a, [np.inf]]) / epsilon
    slope = 1.0 - epsilon**2 * w_out  # d/dsigma of the linear part
    with np.errstate(divide="ignore", invalid="ignore"):
        # where the slope is not positive the objective falls across the whole interval
        sigma = np.where(slope > 0, np.sqrt(s_in / np.where(slope > 0, slope, 1.0)), high)
    sigma = np.clip(sigma, low, high)
    sigma = np.where(np.isfinite(sigma), sigma, low)
    sigma = np.maximum(sigma, 1e-12 * (1.0 + a[-1]))
    value = sigma * slope + s_in / sigma + 2.0 * epsilon * t_out
    return float(sigma[np.argmin(value)])


def _weighted_median(y, w):
    order = np.argsort(y, kind="stable")
    cum = np.cumsum(w[order])
    return float(y[order][min(np.searchsorted(cum, 0.5 * cum[-1]), len(y) - 1)])


class GDRegressor(RegressorMixin, _BaseGD):
    """Linear regression trained by (mini-)batch gradient descent.

    Minimises ``mean_i s_i L(y_i, f(x_i)) + penalty`` with ``f(x) = x . w + b``
    (``exp(x . w + b)`` for the Poisson loss). Every epoch runs in one compiled
    Numba call.

    Parameters
    ----------
    loss : {"squared_error", "huber", "poisson"}, default="squared_error"
        ``"squared_error"``: ``(y - f)^2 / 2``. ``"huber"``: ``r^2 / 2`` for
        ``|r| <= epsilon``, ``epsilon (|r| - epsilon / 2)`` beyond, robust to
        outliers. ``"poisson"``: the half Poisson deviance with a log link,
        for non-negative counts.
    epsilon : float, default=1.35
        Huber's threshold. With ``huber_scale="absolute"`` it is in the units
        of ``y``, as SGDRegressor's ``epsilon`` (whose default is 0.1): the
        residuals beyond ``epsilon`` are outliers. HuberRegressor's
        ``epsilon`` (default 1.35, the same number) is instead relative to a
        scale of the residuals that it fits: ``huber_scale="fitted"`` does
        that. Only with ``loss="huber"``.
    huber_scale : {"absolute", "fitted"}, default="absolute"
        ``"absolute"``: the loss above, threshold ``epsilon``.
        ``"fitted"``: :class:`~sklearn.linear_model.HuberRegressor`'s loss,
        scale-invariant: ``sigma + sigma H(r / sigma)`` with ``H(z) = z^2``
        for ``|z| <= epsilon``, ``2 epsilon |z| - epsilon^2`` beyond, the
        scale ``sigma`` (``scale_``) minimised jointly with the coefficients
        (exactly, after each epoch), so the threshold is ``epsilon *
        scale_`` in the units of ``y``. Needs ``epsilon >= 1``.
        ``HuberRegressor(epsilon=e, alpha=a)`` is ``GDRegressor(loss="huber",
        huber_scale="fitted", epsilon=e, alpha=2 * a / n_samples)`` (the mean
        instead of the sum, ``alpha / 2`` on the squared norm).
    {shared_parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients ``w``.
    intercept_ : float
        Intercept ``b``.
    scale_ : float
        With ``loss="huber", huber_scale="fitted"``: the fitted scale
        ``sigma`` of the residuals, as HuberRegressor's.
    outliers_ : ndarray of shape (n_samples,), dtype bool
        With ``loss="huber"``: the training samples whose residual is beyond
        the threshold (``epsilon``, or ``epsilon * scale_``).
    {shared_attributes}

    Notes
    -----
    The objective is ``sum_i s_i L_i / sum_i s_i + alpha * (l1_ratio ||w||_1 +
    (1 - l1_ratio) ||w||_2^2 / 2)``. With ``loss="squared_error"`` and
    ``penalty="l2"`` it is the objective of ``Ridge(alpha=n_samples * alpha)``
    divided by ``2 n_samples``; with ``penalty="l1"`` it is exactly that of
    ``Lasso(alpha=alpha)``. A run whose loss becomes non-finite or grows far
    above its start stops with a :class:`~sklearn.exceptions.ConvergenceWarning`
    naming the learning rate and keeps the parameters of its best epoch.

    See Also
    --------
    GDClassifier : The same machinery with the cross-entropy loss.
    sklearn.linear_model.SGDRegressor : scikit-learn's stochastic gradient descent.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.linear_model import GDRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = 3 * X[:, 0] - X[:, 1] + 0.5
    >>> reg = GDRegressor(batch_size=None, learning_rate="constant", eta0=0.1, alpha=0,
    ...                   max_iter=500, tol=None).fit(X, y)
    >>> np.round(reg.coef_, 2), round(reg.intercept_, 2)
    (array([ 3., -1.]), 0.5)
    """

    _parameter_constraints = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(_kernels.LOSS_CODES))],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "huber_scale": [StrOptions({"absolute", "fitted"})],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        epsilon=1.35,
        huber_scale="absolute",
        optimizer="adam",
        learning_rate="adaptive",
        eta0=0.01,
        power_t=0.25,
        average=False,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        rho=0.9,
        epsilon_optimizer=1e-8,
        batch_size=32,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=2000,
        tol=1e-4,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.loss = loss
        self.epsilon = epsilon
        self.huber_scale = huber_scale
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.average = average
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.rho = rho
        self.epsilon_optimizer = epsilon_optimizer
        self.batch_size = batch_size
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    def _loss_code(self):
        return _kernels.LOSS_CODES[self.loss]

    def _fits_scale(self):
        return self.loss == "huber" and self.huber_scale == "fitted"

    def _begin_fit(self, X, y, sw, P, incremental):
        if not self._fits_scale():
            self.__dict__.pop("scale_", None)
            return
        if self.epsilon < 1.0:
            raise ValueError(
                f"epsilon must be >= 1.0 with huber_scale='fitted' (as HuberRegressor's); "
                f"got epsilon={self.epsilon}."
            )
        if not ((incremental or self.warm_start) and hasattr(self, "scale_")):
            self.scale_ = _huber_scale(safe_sparse_dot(X, P[0, :-1]) + P[0, -1] - y, sw,
                                       self.epsilon)

    def _loss_settings(self):
        if self._fits_scale():
            # sigma H_eps(r / sigma) = (2 / sigma) * huber_{eps sigma}(r), with huber_delta our
            # loss (r^2 / 2 inside, delta (|r| - delta / 2) beyond)
            return float(self.epsilon * self.scale_), 2.0 / self.scale_
        return float(self.epsilon), 1.0

    def _end_epoch(self, X, y, sw, P):
        if not self._fits_scale():
            return 0.0
        used = self.scale_  # the epoch's objective: its loss term plus this sigma
        self.scale_ = _huber_scale(safe_sparse_dot(X, P[0, :-1]) + P[0, -1] - y, sw,
                                   self.epsilon)
        return used

    def _initial_objective(self, X, y, sw, P):
        extra = self.scale_ if self._fits_scale() else 0.0
        return super()._initial_objective(X, y, sw, P) + extra

    def _init_intercept(self, y, sw, n_outputs):
        if self.loss == "squared_error":
            return np.average(y, weights=sw) if sw.sum() > 0 else 0.0
        if self.loss == "huber":
            return _weighted_median(y, sw)
        mean = np.average(y, weights=sw) if sw.sum() > 0 else 0.0
        return np.log(mean) if mean > 0 else 0.0

    def _store_params(self, P):
        self.coef_ = P[0, :-1].copy()
        self.intercept_ = float(P[0, -1])

    def _score_validation(self, X, y, sample_weight):
        return r2_score(y, self._predict(X), sample_weight=sample_weight)

    def _check_y(self, y):
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' needs non-negative targets y.")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean loss.

        Returns
        -------
        self : GDRegressor
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64,
                             accept_sparse="csr",
                             reset=not (self.warm_start and hasattr(self, "coef_")))
        self._check_y(y)
        self._fit_loop(X, y, sample_weight, 1, self.max_iter, incremental=False)
        self.__dict__.pop("outliers_", None)
        if self.loss == "huber":
            threshold = self.epsilon * (self.scale_ if self._fits_scale() else 1.0)
            self.outliers_ = np.abs(self._predict(X) - y) > threshold
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : GDRegressor
        """
        first = not hasattr(self, "coef_")
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64, reset=first,
                             accept_sparse="csr")
        self._check_y(y)
        return self._fit_loop(X, y, sample_weight, 1, 1, incremental=True)

    def _predict(self, X):
        eta = safe_sparse_dot(X, self.coef_) + self.intercept_
        return np.exp(eta) if self.loss == "poisson" else eta

    def predict(self, X):
        """Predict with the linear model (``exp`` of it for the Poisson loss).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        return self._predict(X)


class GDClassifier(ClassifierMixin, _BaseGD):
    """Linear classifier trained by gradient descent on the cross-entropy.

    Two classes: the binary cross-entropy of a logistic (sigmoid) output; more
    classes: the softmax cross-entropy, one linear output per class. Every
    epoch runs in one compiled Numba call.

    Parameters
    ----------
    loss : {"log_loss"}, default="log_loss"
        The cross-entropy (negative log-likelihood).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
        "balanced" gives class ``k`` the weight ``n_samples / (n_classes *
        n_k)``, with ``n_k`` the (sample-weighted) count of class ``k`` in the
        data passed to ``fit`` (to each ``partial_fit`` call: prefer a dict
        when streaming).
    {shared_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients (one row for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    {shared_attributes}

    Notes
    -----
    The objective is ``sum_i s_i L_i / sum_i s_i + alpha * (l1_ratio ||w||_1 +
    (1 - l1_ratio) ||w||_2^2 / 2)`` (class weights multiply ``s_i``), which is
    ``LogisticRegression(C=1 / (n_samples * alpha))``'s objective divided by
    ``n_samples`` for ``penalty="l2"``.

    See Also
    --------
    GDRegressor : The same machinery for regression.
    sklearn.linear_model.LogisticRegression : The exact (second-order) solver.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklml.linear_model import GDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), GDClassifier(random_state=0)).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        loss="log_loss",
        *,
        class_weight=None,
        optimizer="adam",
        learning_rate="adaptive",
        eta0=0.01,
        power_t=0.5,
        average=False,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        rho=0.9,
        epsilon_optimizer=1e-8,
        batch_size=32,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=2000,
        tol=1e-4,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.loss = loss
        self.class_weight = class_weight
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.average = average
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.rho = rho
        self.epsilon_optimizer = epsilon_optimizer
        self.batch_size = batch_size
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def _loss_code(self):
        return _kernels.LOGISTIC if len(self.classes_) == 2 else _kernels.SOFTMAX

    def _n_outputs(self):
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _stratify_split(self):
        return True

    def _init_intercept(self, y, sw, n_outputs):
        counts = np.bincount(y.astype(np.int64), weights=sw, minlength=len(self.classes_))
        prior = np.clip(counts / max(counts.sum(), 1e-300), 1e-6, 1 - 1e-6)
        if n_outputs == 1:
            return np.log(prior[1] / prior[0])
        logp = np.log(prior)
        return logp - logp.mean()

    def _store_params(self, P):
        self.coef_ = P[:, :-1].copy()
        self.intercept_ = P[:, -1].copy()

    def _score_validation(self, X, y, sample_weight):
        return accuracy_score(y, self._predict_index(X), sample_weight=sample_weight)

    def _encode(self, y):
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != y
        if np.any(unknown):
            raise ValueError(
                f"y contains labels not in classes {self.classes_.tolist()}: "
                f"{np.unique(np.asarray(y)[unknown]).tolist()}"
            )
        return idx.astype(np.float64)

    def _weights(self, X, y_idx, sample_weight):
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if self.class_weight is None:
            return sw
        n_classes = len(self.classes_)
        labels = y_idx.astype(np.int64)
        if self.class_weight == "balanced":
            # n_samples / (n_classes * count) with the counts weighted by sample_weight,
            # so integer weights act as repetitions; in partial_fit, counts of the chunk
            counts = np.bincount(labels, weights=sw, minlength=n_classes)
            present = counts > 0
            cw = np.ones(n_classes)
            cw[present] = counts.sum() / (present.sum() * counts[present])
        else:
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels not in the data: {sorted(unknown, key=str)}"
                )
            cw = np.array([self.class_weight.get(c, 1.0) for c in self.classes_.tolist()])
        return sw * cw[labels]

    def _check_classes(self):
        if len(self.classes_) < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got "
                f"{len(self.classes_)} class"
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent on the cross-entropy.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (multiplied by the class weights).

        Returns
        -------
        self : GDClassifier
        """
        warm = self.warm_start and hasattr(self, "coef_")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=not warm,
                             accept_sparse="csr")
        check_classification_targets(y)
        classes = np.unique(y)
        if warm and not np.array_equal(classes, self.classes_):
            warm = False
            del self.coef_
        self.classes_ = classes
        self._check_classes()
        y_idx = self._encode(y)
        sw = self._weights(X, y_idx, sample_weight)
        return self._fit_loop(X, y_idx, sw, self._n_outputs(), self.max_iter, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes of the stream; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : GDClassifier
        """
        first = not hasattr(self, "classes_")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first,
                             accept_sparse="csr")
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self.classes_ = np.unique(np.asarray(classes))
            self._check_classes()
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"previous partial_fit calls {self.classes_.tolist()}"
            )
        y_idx = self._encode(y)
        sw = self._weights(X, y_idx, sample_weight)
        return self._fit_loop(X, y_idx, sw, self._n_outputs(), 1, incremental=True)

    def decision_function(self, X):
        """Linear outputs ``x . w + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        return self._decision(X)

    def _decision(self, X):
        scores = safe_sparse_dot(X, self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def _predict_index(self, X):
        scores = self._decision(X)
        return (scores > 0).astype(np.int64) if scores.ndim == 1 else scores.argmax(axis=1)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        return self.classes_[self._predict_index(X)]

    def predict_proba(self, X):
        """Class probabilities (sigmoid or softmax of the linear outputs).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = 0.5 * (1.0 + np.tanh(0.5 * scores))  # stable sigmoid
            return np.column_stack([1.0 - p1, p1])
        return softmax(scores.copy())

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))


for _cls in (GDRegressor, GDClassifier):
    _cls.__doc__ = _cls.__doc__.replace(
        "    {shared_parameters}\n", _SHARED_DOC.lstrip("\n") + "\n"
    ).replace("    {shared_attributes}\n", _SHARED_ATTRS.lstrip("\n") + "\n")
