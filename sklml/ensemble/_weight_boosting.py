"""AdaBoost (SAMME classifier, AdaBoost.R2 regressor) on the Numba tree engine.

The data are binned once; each round grows one tree on the same binned matrix
with the round's weights, and the classifier reads its training predictions off
the builder's leaf partition (``sample_node``), never passing over the data
again.  With an sklml tree (and no ``ccp_alpha``), all the rounds of SAMME or
R2 run in one compiled call (``_boosting_loop``), bit for bit the loop below.  Any other
estimator that accepts ``sample_weight`` works too, through
its own ``fit``/``predict`` (scikit-learn's algorithm, unchanged).
"""

import inspect
import math
import warnings
from math import ceil
from numbers import Integral, Real

import numpy as np
from numba.core.errors import NumbaPerformanceWarning
from scipy.sparse import issparse
from scipy.special import softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_is_fitted,
    validate_data,
)

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklml.tree._binning import bin_sparse, encode_labels, kernel_array
from sklml.tree._classes import BaseDecisionTree, tree_from_build
from sklml.tree._splitting import CRITERIA_CLF, CRITERIA_REG

from ._base import (
    EMPTY_CLS,
    EMPTY_REG,
    MAX_INT,
    bin_once,
    prepare_tree,
    threads_pay,
    validate_fit,
)
from ._boosting_loop import (
    EXPONENTIAL,
    LINEAR,
    OVERFLOW,
    SQUARE,
    WORSE_THAN_RANDOM,
    r2_loop,
    r2_reweigh,
    samme_loop,
)

LOSSES = {"linear": LINEAR, "square": SQUARE, "exponential": EXPONENTIAL}

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor"]


def _samme_update(sw, flip, weight):
    """SAMME's new weights ``sw * exp(weight)`` on the ``flip`` rows, as the
    compiled loop computes them (``_boosting_loop._boost_blocks``): scikit-learn's
    ``exp(log(sw) + weight * incorrect)`` up to the last bits."""
    try:
        factor = math.exp(weight)  # libm's exp, as the compiled loop's
    except OverflowError:
        factor = math.inf
    sw = sw.copy()
    if math.isfinite(factor):
        sw[flip] *= factor
    else:  # where exp(weight) alone overflows, scikit-learn's form
        with np.errstate(over="ignore"):
            sw[flip] = np.exp(np.log(sw[flip]) + weight)
    return sw


class BaseWeightBoosting(BaseEstimator):
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def _base_estimator(self):
        est = self.estimator if self.estimator is not None else self._default_estimator()
        # the regressor fits each round on rows drawn by weight (no weights needed)
        if (self._is_classifier()
                and "sample_weight" not in inspect.signature(est.fit).parameters):
            raise ValueError(f"{type(est).__name__} doesn't support sample_weight.")
        return est

    def __len__(self):
        """Number of fitted estimators."""
        return len(self.estimators_)

    def __getitem__(self, index):
        """The ``index``-th fitted estimator."""
        return self.estimators_[index]

    def __iter__(self):
        """Iterate over the fitted estimators."""
        return iter(self.estimators_)

    def _validate_X(self, X):
        check_is_fitted(self)
        if not isinstance(self.estimator_, BaseDecisionTree):
            # any other estimator gets X as scikit-learn's AdaBoost passes it on
            return validate_data(self, X, accept_sparse=["csr", "csc"], ensure_2d=True,
                                 allow_nd=True, dtype=None, reset=False)
        X = validate_data(self, X, dtype=np.float32, order="C", accept_sparse="csr",
                          ensure_all_finite=True if issparse(X) else "allow-nan",
                          reset=False)
        return X if issparse(X) else kernel_array(X, np.float32)

    def _validate_fit_any(self, X, y, sample_weight, is_clf):
        """(X, y) for an estimator other than an sklml tree, checked as
        scikit-learn's AdaBoost checks them (X passed on unconverted)."""
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], ensure_2d=True,
                             allow_nd=True, dtype=None, y_numeric=not is_clf)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, copy=True,
                                  ensure_non_negative=True)
        if is_clf:
            check_classification_targets(y)
            self.classes_, y_cls = encode_labels(y)
            self.n_classes_ = len(self.classes_)
            return X, y_cls, EMPTY_REG, sw
        return X, EMPTY_CLS, np.asarray(y, dtype=np.float64).reshape(-1, 1), sw

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Boost estimators on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Initial weights (normalised to sum 1).

        Returns
        -------
        self
        """
        base = self._base_estimator()
        self.estimator_ = base
        is_clf = self._is_classifier()
        fast = isinstance(base, BaseDecisionTree)
        if fast:
            X, y_cls, y_reg, sw = validate_fit(self, X, y, sample_weight, is_clf, False)
        else:
            X, y_cls, y_reg, sw = self._validate_fit_any(X, y, sample_weight, is_clf)
        if sw.sum() <= 0:
            raise ValueError("Sample weights must have positive sum.")
        sw = sw / sw.sum()
        self.estimators_ = []
        self.estimator_weights_ = np.zeros(self.n_estimators, dtype=np.float64)
        self.estimator_errors_ = np.ones(self.n_estimators, dtype=np.float64)
        rng = check_random_state(self.random_state)
        if fast:
            base._validate_params()
        self._threads = threads_pay()
        binning_seed = int(rng.randint(MAX_INT))
        binned = None
        if fast:
            binned = (bin_sparse(X, base.max_bins, sw) if issparse(X)
                      else bin_once(X, base.max_bins, sw, binning_seed))
        # the compiled loops grow plain best-split trees; any other tree takes
        # the round-by-round loop (same draws, same trees)
        # (sparse X only in SAMME: R2 walks the raw dense rows its bootstrap leaves out)
        if (fast and base.ccp_alpha == 0.0 and (is_clf or not issparse(X))
                and getattr(base, "splitter", "best") == "best"
                and getattr(base, "monotonic_cst", None) is None):
            self._fit_compiled(base, binned, X, y_cls, y_reg, sw, rng)
            return self
        eps = np.finfo(np.float64).eps
        zero = sw == 0.0
        for iboost in range(self.n_estimators):
            sw = np.clip(sw, eps, None)
            sw[zero] = 0.0
            sw, weight, error = self._boost(iboost, base, fast, binned, X, y_cls, y_reg,
                                            sw, rng)
            if sw is None:
                break
            self.estimator_weights_[iboost] = weight
            self.estimator_errors_[iboost] = error
            if error == 0:
                break
            total = np.sum(sw)
            if not np.isfinite(total):
                warnings.warn("Sample weights have reached infinite values, at iteration "
                              f"{iboost}, causing overflow. Iterations stopped. Try "
                              "lowering the learning rate.", stacklevel=2)
                break
            if total <= 0:
                break
            if iboost < self.n_estimators - 1:
                sw = sw / total
        return self

    def _fit_compiled(self, base, binned, X, y_cls, y_reg, sw, rng):
        """All rounds in one compiled call (``samme_loop`` or ``r2_loop``),
        drawing from ``rng`` exactly what the round-by-round loop draws."""
        n, n_features = X.shape
        is_clf = self._is_classifier()
        n_est = self.n_estimators
        if is_clf:
            seeds = np.array([rng.randint(MAX_INT) for _ in range(n_est)], dtype=np.int64)
            uniforms = None
        else:  # per round: RandomState.choice's uniforms, then the tree's seed
            uniforms = np.empty((n_est, n))
            seeds = np.empty(n_est, dtype=np.int64)
            for r in range(n_est):
                uniforms[r] = rng.random_sample(n)
                seeds[r] = rng.randint(MAX_INT)
        n_classes = self.n_classes_ if is_clf else 1
        classes = self.classes_ if is_clf else None
        names = getattr(self, "feature_names_in_", None)
        tree = prepare_tree(base, n_features, is_clf, n_classes, classes, 1, 0, names)
        msl = tree.min_samples_leaf
        if not isinstance(msl, Integral):
            msl = ceil(msl * n)
        mss = tree.min_samples_split
        if not isinstance(mss, Integral):
            mss = max(2, ceil(mss * n))
        mss = max(mss, 2 * msl)
        max_depth = np.iinfo(np.int32).max if tree.max_depth is None else tree.max_depth
        max_leaf_nodes = -1 if tree.max_leaf_nodes is None else tree.max_leaf_nodes
        i64 = np.int64
        crit = (CRITERIA_CLF if is_clf else CRITERIA_REG)[tree.criterion]
        common = (i64(crit), i64(n_classes), i64(max_depth), i64(mss), i64(msl),
                  float(tree.min_weight_fraction_leaf), i64(tree.max_features_),
                  i64(max_leaf_nodes), float(tree.min_impurity_decrease))
        sw = kernel_array(sw, np.float64)
        with warnings.catch_warnings():
            # compiled "parallel" with nothing to parallelise (see _boosting_loop)
            warnings.simplefilter("ignore", NumbaPerformanceWarning)
            res = self._run_loop(binned, X, y_cls, y_reg, sw, common, uniforms, seeds)
        (left, right, feature, threshold, mgl, impurity, n_node, wn, value, offsets,
         depths, weights, errors, n_rounds, status, at) = res
        if status == WORSE_THAN_RANDOM:
            raise ValueError("BaseClassifier in AdaBoostClassifier ensemble is worse "
                             "than random, ensemble can not be fit.")
        if status == OVERFLOW:
            warnings.warn("Sample weights have reached infinite values, at iteration "
                          f"{at}, causing overflow. Iterations stopped. Try "
                          "lowering the learning rate.", stacklevel=3)
        self.estimator_weights_ = weights
        self.estimator_errors_ = errors
        for r in range(n_rounds):
            a, b = offsets[r], offsets[r + 1]
            est = prepare_tree(base, n_features, is_clf, n_classes, classes, 1,
                               int(seeds[r]), names)
            est.tree_ = tree_from_build(
                (left[a:b], right[a:b], feature[a:b], threshold[a:b], mgl[a:b],
                 impurity[a:b], n_node[a:b], wn[a:b], value[a:b], None, depths[r]),
                n_features, is_clf, n_classes, 1)
            self.estimators_.append(est)

    def _run_loop(self, binned, X, y_cls, y_reg, sw, common, uniforms, seeds):
        b = binned
        if self._is_classifier():
            return samme_loop(b.X_binned, b.n_bins, b.bin_lo, b.bin_hi, y_cls, EMPTY_REG,
                              sw, *common, seeds, float(self.learning_rate),
                              bool(self._threads), b.row_ptr, b.row_feat, b.row_bin,
                              b.zero_bin)
        return r2_loop(X, b.X_binned, b.n_bins, b.bin_lo, b.bin_hi, EMPTY_CLS, y_reg, sw,
                       *common, uniforms, seeds, float(self.learning_rate),
                       np.int64(LOSSES[self.loss]), bool(self._threads))

    def _grow(self, base, fast, binned, X, y_cls, y_reg, w, seed):
        """One fitted estimator and its predictions on the training rows."""
        if fast:
            is_clf = self._is_classifier()
            tree = prepare_tree(base, X.shape[1], is_clf, getattr(self, "n_classes_", 1),
                                getattr(self, "classes_", None), 1, seed,
                                getattr(self, "feature_names_in_", None))
            w = kernel_array(w, np.float64)
            mwl = tree.min_weight_fraction_leaf * float(w.sum())
            leaf = tree._grow(binned, y_cls, y_reg, w, mwl, seed, parallel=self._threads,
                              want_leaves=True)
            if leaf is None or np.any(leaf < 0):  # pruned, or rows left out: one pass
                leaf = tree.tree_.apply(X)
            value = tree.tree_.value[:, 0, :]
            if is_clf:
                return tree, np.argmax(value, axis=1)[leaf]
            return tree, value[leaf, 0]
        est = clone(base)
        if "random_state" in est.get_params():
            est.set_params(random_state=seed)
        if self._is_classifier():
            est.fit(X, self.classes_[y_cls], sample_weight=w)
        else:  # the round's bootstrap rows, as scikit-learn fits them
            rows = np.repeat(np.arange(len(w)), w.astype(np.int64))
            est.fit(_safe_indexing(X, rows), y_reg[rows, 0])
        pred = est.predict(X)
        if self._is_classifier():
            pred = np.searchsorted(self.classes_, pred)
        return est, pred

    @property
    def feature_importances_(self):
        """Estimator-weighted mean of the estimators' feature importances."""
        check_is_fitted(self)
        if not self.estimators_:
            raise ValueError("Estimator not fitted, call `fit` before "
                             "`feature_importances_`.")
        try:
            norm = self.estimator_weights_.sum()
            return sum(w * est.feature_importances_ for w, est in
                       zip(self.estimator_weights_, self.estimators_)) / norm
        except AttributeError as exc:
            raise AttributeError("Unable to compute feature importances since estimator "
                                 "does not have a feature_importances_ attribute") from exc

    def _predict_codes(self, est, X):
        if isinstance(est, BaseDecisionTree):
            codes = np.argmax(est.tree_.value[:, 0, :], axis=1).astype(np.int64)
            return est.tree_.apply_map(X, codes)
        return np.searchsorted(self.classes_, est.predict(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags

    @classmethod
    def get_test_params(cls):
        return {"n_estimators": 10, "random_state": 0}


class AdaBoostClassifier(ClassifierMixin, BaseWeightBoosting):
    """AdaBoost-SAMME (multi-class) with sklml trees.

    Parameters
    ----------
    estimator : estimator, default=None
        The weak learner; ``None`` is ``DecisionTreeClassifier(max_depth=1)``
        (a stump).  Any sklml tree is boosted on the shared binned data; any
        other classifier must accept ``sample_weight``.
    n_estimators : int, default=50
        Maximum number of rounds (fewer if a round is perfect or no better
        than chance).
    learning_rate : float, default=1.0
        Shrinks each estimator's weight.
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    estimator_ : estimator
        The weak learner the estimators are cloned from.
    estimators_ : list of classifiers
        Also reached as ``ada[i]``, ``len(ada)``, ``iter(ada)``.
    estimator_weights_ : ndarray of shape (n_estimators,)
    estimator_errors_ : ndarray of shape (n_estimators,)
    classes_, n_classes_, n_features_in_
    feature_importances_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklml.ensemble import AdaBoostClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> ada = AdaBoostClassifier(n_estimators=30, random_state=0).fit(X, y)
    >>> ada.score(X, y) > 0.9
    True
    """

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0,
                 random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    @staticmethod
    def _is_classifier():
        return True

    @staticmethod
    def _default_estimator():
        return DecisionTreeClassifier(max_depth=1)

    def _boost(self, iboost, base, fast, binned, X, y_cls, y_reg, sw, rng):
        est, pred = self._grow(base, fast, binned, X, y_cls, y_reg, sw,
                               int(rng.randint(MAX_INT)))
        self.estimators_.append(est)
        incorrect = pred != y_cls
        error = np.average(incorrect, weights=sw)
        if error <= 0:
            return sw, 1.0, 0.0
        k = self.n_classes_
        if error >= 1.0 - 1.0 / k:
            self.estimators_.pop(-1)
            if not self.estimators_:
                raise ValueError("BaseClassifier in AdaBoostClassifier ensemble is worse "
                                 "than random, ensemble can not be fit.")
            return None, None, None
        weight = self.learning_rate * (np.log((1.0 - error) / error) + np.log(k - 1.0))
        if iboost != self.n_estimators - 1:
            sw = _samme_update(sw, incorrect & (sw > 0), weight)
        return sw, weight, error

    def _staged_votes(self, X):
        """Running sum of the rounds' votes: each round gives its weight ``w``
        to the class it predicts and ``-w / (K - 1)`` to the others (the
        arithmetic of scikit-learn's ``np.where``, so the sums match it)."""
        X = self._validate_X(X)
        k = self.n_classes_
        votes = np.zeros((_num_samples(X), k))
        rows = np.arange(votes.shape[0])
        for w, est in zip(self.estimator_weights_, self.estimators_):
            current = np.full_like(votes, -1 / (k - 1) * w)
            current[rows, self._predict_codes(est, X)] = w
            votes += current
            yield votes, w

    def _decision_from_votes(self, votes, norm):
        if self.n_classes_ == 2:
            signed = votes.copy()
            signed[:, 0] *= -1
            return (signed / norm).sum(axis=1)
        return votes / norm

    def staged_decision_function(self, X):
        """Decision function after each round (see :meth:`decision_function`)."""
        norm = 0.0
        for votes, w in self._staged_votes(X):
            norm += w
            yield self._decision_from_votes(votes, norm)

    def decision_function(self, X):
        """Weighted votes: +w for the predicted class, -w/(K-1) for the others,
        over the sum of the weights; for two classes, a single column (second
        minus first)."""
        check_is_fitted(self)
        if self.n_classes_ == 1:
            return np.zeros((_num_samples(X), 1))
        votes = None
        for votes, _ in self._staged_votes(X):
            pass
        return self._decision_from_votes(votes, self.estimator_weights_.sum())

    @staticmethod
    def _proba(decision, k):
        if k == 2:
            decision = np.vstack([-decision, decision]).T / 2
        else:
            decision = decision / (k - 1)
        return softmax(decision, axis=1)

    def predict_proba(self, X):
        """Class probabilities: softmax of the decision function / (K - 1)."""
        check_is_fitted(self)
        if self.n_classes_ == 1:
            return np.ones((_num_samples(X), 1))
        return self._proba(self.decision_function(X), self.n_classes_)

    def staged_predict_proba(self, X):
        """:meth:`predict_proba` after each round."""
        for d in self.staged_decision_function(X):
            yield self._proba(d, self.n_classes_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def _classes_from_decision(self, d):
        if self.n_classes_ == 2:
            return self.classes_.take((d > 0).astype(int), axis=0)
        return self.classes_.take(np.argmax(d, axis=1), axis=0)

    def predict(self, X):
        """Class with the largest weighted vote."""
        check_is_fitted(self)
        if self.n_classes_ == 1:
            return np.full(_num_samples(X), self.classes_[0])
        return self._classes_from_decision(self.decision_function(X))

    def staged_predict(self, X):
        """:meth:`predict` after each round."""
        for d in self.staged_decision_function(X):
            yield self._classes_from_decision(d)

    def _expected_failed_checks(self):
        # The check's data holds two features that split the rows into the
        # same two groups (an exact tie); the normalised weights of repeated
        # and weighted rows differ in their last bits, so the tie can fall
        # either way, as in scikit-learn's own AdaBoostClassifier.
        reason = ("an exact tie between two features' splits is broken by "
                  "last-bit differences of the normalised weights (the exemption "
                  "scikit-learn grants its own AdaBoostClassifier)")
        return {"check_sample_weight_equivalence_on_dense_data": reason,
                "check_sample_weight_equivalence_on_sparse_data": reason}

    def staged_score(self, X, y, sample_weight=None):
        """Accuracy after each round."""
        for pred in self.staged_predict(X):
            yield accuracy_score(y, pred, sample_weight=sample_weight)


class AdaBoostRegressor(RegressorMixin, BaseWeightBoosting):
    """AdaBoost.R2 with sklml trees and a weighted-median prediction.

    Parameters
    ----------
    estimator : estimator, default=None
        ``None`` is ``DecisionTreeRegressor(max_depth=3)``; any other regressor
        must accept ``sample_weight``.
    n_estimators : int, default=50
    learning_rate : float, default=1.0
    loss : {"linear", "square", "exponential"}, default="linear"
        How a round's errors, scaled to [0, 1], update the weights.
    random_state : int, RandomState instance or None, default=None
        Seeds each round's weighted bootstrap.

    Attributes
    ----------
    estimator_ : estimator
        The weak learner the estimators are cloned from.
    estimators_ : list of regressors
        Also reached as ``ada[i]``, ``len(ada)``, ``iter(ada)``.
    estimator_weights_ : ndarray of shape (n_estimators,)
    estimator_errors_ : ndarray of shape (n_estimators,)
    n_features_in_
    feature_importances_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.ensemble import AdaBoostRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(0, 6, size=(300, 1))
    >>> y = np.sin(X).ravel() + 0.1 * rng.randn(300)
    >>> ada = AdaBoostRegressor(n_estimators=30, random_state=0).fit(X, y)
    >>> ada.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseWeightBoosting._parameter_constraints,
        "loss": [StrOptions({"linear", "square", "exponential"})],
    }

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0,
                 loss="linear", random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.random_state = random_state

    @staticmethod
    def _is_classifier():
        return False

    @staticmethod
    def _default_estimator():
        return DecisionTreeRegressor(max_depth=3)

    def _boost(self, iboost, base, fast, binned, X, y_cls, y_reg, sw, rng):
        n = X.shape[0]
        # weighted bootstrap, as integer counts (no rows copied)
        idx = rng.choice(np.arange(n), size=n, replace=True, p=sw)
        counts = np.bincount(idx, minlength=n).astype(np.float64)
        est, pred = self._grow(base, fast, binned, X, y_cls, y_reg, counts,
                               int(rng.randint(MAX_INT)))
        self.estimators_.append(est)
        err = np.abs(pred - y_reg[:, 0])
        mask = sw > 0
        msw = sw[mask]
        merr = err[mask]
        emax = merr.max()
        if emax != 0:
            merr = merr / emax
        if self.loss == "square":
            merr = merr ** 2
        elif self.loss == "exponential":
            merr = 1.0 - np.exp(-merr)
        error = (msw * merr).sum()
        if error <= 0:
            return sw, 1.0, 0.0
        if error >= 0.5:
            if len(self.estimators_) > 1:
                self.estimators_.pop(-1)
            return None, None, None
        beta = error / (1.0 - error)
        weight = self.learning_rate * np.log(1.0 / beta)
        if iboost != self.n_estimators - 1:
            sw = sw.copy()  # sw[mask] *= beta ** ((1 - merr) * learning_rate)
            r2_reweigh(sw, kernel_array(merr, np.float64), float(beta),
                       float(self.learning_rate))
        return sw, weight, error

    def _median(self, X, limit):
        preds = np.array([est.predict(X) if not isinstance(est, BaseDecisionTree)
                          else est.tree_.predict(X)[:, 0, 0]
                          for est in self.estimators_[:limit]]).T
        order = np.argsort(preds, axis=1)
        cdf = np.cumsum(self.estimator_weights_[order], axis=1)
        above = cdf >= 0.5 * cdf[:, -1][:, None]
        med = order[np.arange(X.shape[0]), above.argmax(axis=1)]
        return preds[np.arange(X.shape[0]), med]

    def predict(self, X):
        """Weighted median of the estimators' predictions."""
        X = self._validate_X(X)
        return self._median(X, len(self.estimators_))

    def staged_predict(self, X):
        """:meth:`predict` after each round."""
        X = self._validate_X(X)
        for i in range(1, len(self.estimators_) + 1):
            yield self._median(X, i)

    def staged_score(self, X, y, sample_weight=None):
        """R² after each round."""
        for pred in self.staged_predict(X):
            yield r2_score(y, pred, sample_weight=sample_weight)

    def _expected_failed_checks(self):
        reason = ("each round fits on a weighted bootstrap drawn at random "
                  "(the exemption scikit-learn grants its own AdaBoostRegressor)")
        return {"check_sample_weight_equivalence_on_dense_data": reason,
                "check_sample_weight_equivalence_on_sparse_data": reason}
