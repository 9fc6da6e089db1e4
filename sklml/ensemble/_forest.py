"""Random forests on the Numba tree engine.

The training data are binned once per ``fit``; every tree grows on the same
binned matrix with its bootstrap sample given as integer count weights (no row
is copied) and its own seed for the per-split feature draws.  Trees are grown
in threads (the compiled builder releases the GIL), with no Python per node.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MultiOutputMixin,
    RegressorMixin,
    _fit_context,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklml.tree._binning import kernel_array

from ._base import MAX_INT, bin_once, prepare_tree, validate_fit

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]

_TREE_PARAMS = ["criterion", "max_depth", "min_samples_split", "min_samples_leaf",
                "max_features", "max_leaf_nodes", "min_impurity_decrease", "ccp_alpha",
                "max_bins"]


def _n_bootstrap(n_samples, max_samples):
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, Integral):
        if max_samples > n_samples:
            raise ValueError(f"`max_samples` must be <= n_samples={n_samples} but got "
                             f"value {max_samples}")
        return max_samples
    return max(round(n_samples * max_samples), 1)


def _bootstrap_indices(seed, n_samples, n_bootstrap):
    return np.random.RandomState(seed).randint(0, n_samples, n_bootstrap)


class BaseForest(BaseEstimator):
    """Bagged randomised trees; subclasses choose the tree and the aggregation."""

    _parameter_constraints: dict = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_split": [Interval(Integral, 2, None, closed="left"),
                              Interval(RealNotInt, 0.0, 1.0, closed="right")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left"),
                             Interval(RealNotInt, 0.0, 1.0, closed="neither")],
        "min_weight_fraction_leaf": [Interval(Real, 0.0, 0.5, closed="both")],
        "max_features": [Interval(Integral, 1, None, closed="left"),
                         Interval(RealNotInt, 0.0, 1.0, closed="right"),
                         StrOptions({"sqrt", "log2"}), None],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(Real, 0.0, None, closed="left")],
        "bootstrap": ["boolean"],
        "oob_score": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_samples": [None, Interval(RealNotInt, 0.0, 1.0, closed="right"),
                        Interval(Integral, 1, None, closed="left")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
    }

    def _tree_template(self):
        params = {k: getattr(self, k) for k in _TREE_PARAMS}
        if self._is_classifier():
            return DecisionTreeClassifier(**params)
        return DecisionTreeRegressor(**params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the forest on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaN marks missing values.
        y : array-like of shape (n_samples,) (or (n_samples, n_outputs) for the regressor)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        is_clf = self._is_classifier()
        y_orig = y
        X, y_cls, y_reg, sw = validate_fit(self, X, y, sample_weight, is_clf,
                                           multi_output=not is_clf)
        n, n_features = X.shape
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("`max_sample` cannot be set if `bootstrap=False`. Either "
                             "switch to `bootstrap=True` or set `max_sample=None`.")
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        n_boot = _n_bootstrap(n, self.max_samples) if self.bootstrap else n
        balanced_sub = False
        if is_clf:
            y_orig = self.classes_[y_cls]
            if self.class_weight == "balanced_subsample":
                balanced_sub = self.bootstrap
                if not self.bootstrap:
                    sw = sw * compute_sample_weight("balanced", y_orig)
            elif self.class_weight is not None:
                sw = sw * compute_sample_weight(self.class_weight, y_orig)
            n_outputs = 1
        else:
            n_outputs = y_reg.shape[1]
        self.n_outputs_ = n_outputs

        rng = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
            self._seeds = []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(f"n_estimators={self.n_estimators} must be larger or equal "
                             f"to len(estimators_)={len(self.estimators_)} when "
                             "warm_start==True")
        if n_more == 0:
            warnings.warn("Warm-start fitting without increasing n_estimators does not "
                          "fit new trees.")
            return self
        if self.warm_start and self.estimators_:
            rng.randint(MAX_INT, size=len(self.estimators_))  # as sklearn: skip used seeds
        seeds = rng.randint(MAX_INT, size=n_more)
        binned = bin_once(X, self.max_bins, sw, int(rng.randint(MAX_INT)))
        template = self._tree_template()
        template._validate_params()
        classes = getattr(self, "classes_", None)
        n_classes = getattr(self, "n_classes_", 1)
        names = getattr(self, "feature_names_in_", None)

        def grow(seed):
            tree = prepare_tree(template, n_features, is_clf, n_classes, classes,
                                n_outputs, int(seed), names)
            w = sw
            if self.bootstrap:
                idx = _bootstrap_indices(seed, n, n_boot)
                w = sw * np.bincount(idx, minlength=n)
                if balanced_sub:
                    w = w * compute_sample_weight("balanced", y_orig, indices=idx)
            w = kernel_array(w, np.float64)
            mwl = self.min_weight_fraction_leaf * float(w.sum())
            tree._grow(binned, y_cls, y_reg, w, mwl, int(seed), parallel=False)
            return tree

        trees = Parallel(n_jobs=self.n_jobs, prefer="threads", verbose=self.verbose)(
            delayed(grow)(s) for s in seeds)
        self.estimators_.extend(trees)
        self._seeds.extend(int(s) for s in seeds)
        self._n_bootstrap = n_boot
        if self.oob_score:
            self._set_oob_score(X, y_cls, y_reg)
        return self

    def _oob_sum(self, X, width):
        n = X.shape[0]
        total = np.zeros((n, width))
        count = np.zeros(n)
        for tree, seed in zip(self.estimators_, self._seeds):
            unsampled = np.bincount(_bootstrap_indices(seed, n, self._n_bootstrap),
                                    minlength=n) == 0
            rows = np.flatnonzero(unsampled)
            if rows.size:
                total[rows] += tree.tree_.predict(X[rows]).reshape(rows.size, width)
                count[rows] += 1
        if np.any(count == 0):
            warnings.warn("Some inputs do not have OOB scores. This probably means too "
                          "few trees were used to compute any reliable OOB estimates.",
                          UserWarning)
        return total / np.maximum(count, 1)[:, None]

    def _validate_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, order="C",
                          ensure_all_finite="allow-nan", reset=False)
        return kernel_array(X, np.float32)

    def apply(self, X):
        """Leaf index of each sample in each tree, shape (n_samples, n_estimators)."""
        X = self._validate_X(X)
        return np.column_stack([t.tree_.apply(X) for t in self.estimators_])

    @property
    def feature_importances_(self):
        """Mean impurity decrease of each feature over the trees, normalised."""
        check_is_fitted(self)
        imps = [t.tree_.compute_feature_importances(normalize=False)
                for t in self.estimators_ if t.tree_.node_count > 1]
        if not imps:
            return np.zeros(self.n_features_in_)
        mean = np.mean(imps, axis=0)
        return mean / mean.sum()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _expected_failed_checks(self):
        if self.bootstrap:
            return {"check_sample_weight_equivalence_on_dense_data":
                    "bootstrap draws differ between weighted and repeated rows "
                    "(the exemption scikit-learn grants its own forests)"}
        return {}

    @classmethod
    def get_test_params(cls):
        return {"n_estimators": 5, "random_state": 0}


class RandomForestClassifier(ClassifierMixin, BaseForest):
    """A random forest of sklml trees: bagging plus random features per split.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {"gini", "entropy", "log_loss", "misclassification"}, default="gini"
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    max_leaf_nodes, min_impurity_decrease, ccp_alpha, max_bins :
        As for :class:`sklml.tree.DecisionTreeClassifier`.
    max_features : int, float, {"sqrt", "log2"} or None, default="sqrt"
        Features drawn for each split.
    bootstrap : bool, default=True
        Each tree sees a bootstrap sample (as integer count weights).
    oob_score : bool, default=False
        Score the forest on the out-of-bag samples (``oob_score_``,
        ``oob_decision_function_``).
    n_jobs : int, default=None
        Trees grown at once, in threads.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
    warm_start : bool, default=False
        Add trees to the fitted forest instead of starting over.
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
    max_samples : int or float, default=None
        Bootstrap sample size (fraction of n_samples if float).

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
    classes_, n_classes_, n_features_in_, n_outputs_
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklml.ensemble import RandomForestClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> rf = RandomForestClassifier(n_estimators=20, oob_score=True, random_state=0)
    >>> rf.fit(X, y).oob_score_ > 0.8
    True
    """

    _parameter_constraints: dict = {
        **BaseForest._parameter_constraints,
        "criterion": [StrOptions({"gini", "entropy", "log_loss", "misclassification"})],
        "class_weight": [StrOptions({"balanced_subsample", "balanced"}), dict, list,
                         None],
    }

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, class_weight=None, ccp_alpha=0.0,
                 max_samples=None, max_bins=255):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples
        self.max_bins = max_bins

    @staticmethod
    def _is_classifier():
        return True

    def _set_oob_score(self, X, y_cls, y_reg):
        proba = self._oob_sum(X, self.n_classes_)
        self.oob_decision_function_ = proba
        self.oob_score_ = accuracy_score(y_cls, np.argmax(proba, axis=1))

    def predict_proba(self, X):
        """Mean of the trees' class probabilities."""
        X = self._validate_X(X)
        proba = np.zeros((X.shape[0], self.n_classes_))
        for tree in self.estimators_:
            proba += tree.tree_.predict(X)[:, 0, :]
        return proba / len(self.estimators_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Class with the highest mean probability."""
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)


class RandomForestRegressor(MultiOutputMixin, RegressorMixin, BaseForest):
    """A random forest regressor of sklml trees (mean of the trees).

    Parameters are those of :class:`RandomForestClassifier` without
    ``class_weight``; ``criterion`` is "squared_error" and ``max_features``
    defaults to 1.0 (all features, as scikit-learn's).

    Attributes
    ----------
    estimators_ : list of DecisionTreeRegressor
    n_features_in_, n_outputs_
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, n_outputs)

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklml.ensemble import RandomForestRegressor
    >>> X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    >>> rf = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> rf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseForest._parameter_constraints,
        "criterion": [StrOptions({"squared_error"})],
    }

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, ccp_alpha=0.0, max_samples=None,
                 max_bins=255):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples
        self.max_bins = max_bins

    @staticmethod
    def _is_classifier():
        return False

    def _set_oob_score(self, X, y_cls, y_reg):
        pred = self._oob_sum(X, self.n_outputs_)
        self.oob_prediction_ = pred[:, 0] if self.n_outputs_ == 1 else pred
        self.oob_score_ = r2_score(y_reg, pred)

    def predict(self, X):
        """Mean of the trees' predictions."""
        X = self._validate_X(X)
        pred = np.zeros((X.shape[0], self.n_outputs_))
        for tree in self.estimators_:
            pred += tree.tree_.predict(X)[:, :, 0]
        pred /= len(self.estimators_)
        return pred[:, 0] if self.n_outputs_ == 1 else pred
