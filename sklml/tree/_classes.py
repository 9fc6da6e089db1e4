"""DecisionTreeClassifier and DecisionTreeRegressor on the Numba engine."""

import os
import warnings
from numbers import Integral, Real
from math import ceil

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MultiOutputMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.tree import DecisionTreeClassifier as _SkDecisionTreeClassifier
from sklearn.tree import DecisionTreeRegressor as _SkDecisionTreeRegressor
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_n_features,
    check_consistent_length,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._binning import (
    LABEL_DTYPE,
    bin_data,
    bin_sparse,
    encode_labels,
    kernel_array,
    n_binned_samples,
)
from ._builder import build_tree
from ._predictor import Tree
from ._splitting import CRITERIA_CLF, CRITERIA_REG, POISSON

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
           "ExtraTreeRegressor"]

_EMPTY_CLS = np.zeros(1, dtype=LABEL_DTYPE)
_EMPTY_REG = np.zeros((1, 1), dtype=np.float64)
_UNIT_WEIGHT = np.zeros(0, dtype=np.float64)
_NO_CONSTRAINTS = np.zeros(0, dtype=np.int8)
MAX_SAMPLES = 2**30  # a tree has up to 2 n - 1 nodes, numbered in int32
_FRIEDMAN_WARNING = (
    'Value `"friedman_mse"` for `criterion` is deprecated and will be removed in 1.11. '
    'It maps to `"squared_error"` as both were always equivalent. Use '
    '`criterion="squared_error"` to remove this warning.')


def resolve_max_features(max_features, n_features):
    """scikit-learn's rule for the number of features drawn per split."""
    if isinstance(max_features, str):
        if max_features == "sqrt":
            return max(1, int(np.sqrt(n_features)))
        return max(1, int(np.log2(n_features)))
    if max_features is None:
        return n_features
    if isinstance(max_features, Integral):
        return int(max_features)
    return max(1, int(max_features * n_features))


_LAYOUT = (np.intp, np.intp, np.intp, np.float64, np.uint8, np.float64, np.intp,
           np.float64, np.float64)


def class_offsets(n_classes):
    """int64 ``[0, n_0, n_0 + n_1, ...]``: where each output's classes start
    among the builder's class channels (``n_classes`` an int or a sequence)."""
    return np.concatenate([[0], np.cumsum(np.atleast_1d(n_classes))]).astype(np.int64)


def encode_multi_labels(y):
    """``(classes, n_classes, codes)`` of a 2-d label array (one column per
    output): lists of each output's classes, their counts (intp array), and
    the codes row-major as the builder reads them (``codes[i * K + k]``)."""
    n, K = y.shape
    codes = np.empty((n, K), dtype=LABEL_DTYPE)
    classes = []
    for k in range(K):
        classes_k, codes[:, k] = encode_labels(y[:, k])
        classes.append(classes_k)
    n_classes = np.array([c.shape[0] for c in classes], dtype=np.intp)
    return classes, n_classes, codes.ravel()


def tree_from_build(out, n_features, is_clf, n_classes, n_outputs):
    """A :class:`Tree` from what :func:`build_tree` returns.

    ``out`` may be a list: it is emptied as it goes, so each compact array of
    the builder is freed as soon as its copy in scikit-learn's layout exists
    (a fit never holds the tree twice).  For a multi-output classifier
    ``n_classes`` lists each output's classes.
    """
    depth = out[10]
    cols = []
    for k, dtype in enumerate(_LAYOUT):
        cols.append(np.array(out[k], dtype=dtype))
        if isinstance(out, list):
            out[k] = None
    value = cols[8]
    if is_clf and n_outputs > 1:  # (nodes, outputs, max classes), zero-padded
        offsets = class_offsets(n_classes)
        padded = np.zeros((value.shape[0], n_outputs, int(np.max(n_classes))))
        for k in range(n_outputs):
            padded[:, k, :n_classes[k]] = value[:, offsets[k]:offsets[k + 1]]
        value = padded
        classes = list(n_classes)
    else:
        value = value[:, None, :] if is_clf else value[:, :, None]
        classes = [n_classes] if is_clf else [1] * n_outputs
    return Tree(n_features, classes, n_outputs, *cols[:8], value, max_depth=depth)


class BaseDecisionTree(BaseEstimator):
    """Shared parameters, fit and traversal of the Numba CART trees."""

    _parameter_constraints: dict = {
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_split": [
            Interval(Integral, 2, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
        ],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="neither"),
        ],
        "min_weight_fraction_leaf": [Interval(Real, 0.0, 0.5, closed="both")],
        "max_features": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
            StrOptions({"sqrt", "log2"}),
            None,
        ],
        "random_state": ["random_state"],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(Real, 0.0, None, closed="left")],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "splitter": [StrOptions({"best", "random"})],
        "monotonic_cst": ["array-like", None],
    }

    def _validate_fit_data(self, X, y, sample_weight, check_input=True):
        is_clf = self._is_classifier()
        if check_input:
            # X and y apart, as scikit-learn's trees (sparse y is a TypeError);
            # sparse X: no missing values (as scikit-learn's sparse splitters)
            x_params = dict(dtype=np.float32, order="C", accept_sparse=("csr", "csc"),
                            ensure_all_finite=True if sp.issparse(X) else "allow-nan")
            X, y = validate_data(self, X, y, validate_separately=(
                x_params, dict(ensure_2d=False, dtype=None)))
            if not is_clf:
                self._regression_criterion(y)  # before the lengths, as scikit-learn
                y = np.asarray(y, dtype=np.float64)
            check_consistent_length(X, y)
        else:  # the caller vouches for X (float32) and y
            _check_n_features(self, X, reset=True)
            y = np.asarray(y)
        if not sp.issparse(X):
            X = kernel_array(X, np.float32)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        return X, y, sample_weight

    def _regression_criterion(self, y):
        """The criterion's code; scikit-learn's checks and deprecation."""
        if self.criterion == "friedman_mse":  # set after construction
            warnings.warn(_FRIEDMAN_WARNING, FutureWarning)
        crit = CRITERIA_REG[self.criterion]
        if crit == POISSON:
            if np.any(y < 0):
                raise ValueError("Some value(s) of y are negative which is not allowed "
                                 "for Poisson regression.")
            if np.sum(y) <= 0:
                raise ValueError("Sum of y is not positive which is necessary for "
                                 "Poisson regression.")
        return crit

    def _monotonic_constraints(self, n_features):
        """``monotonic_cst`` checked as scikit-learn does, int8, sign-flipped for
        a classifier (the builder constrains the first class); None if unset."""
        if self.monotonic_cst is None:
            return None
        if self.n_outputs_ > 1:
            raise ValueError(
                "Monotonicity constraints are not supported with multiple outputs.")
        cst = np.asarray(self.monotonic_cst)
        if cst.shape[0] != n_features:
            raise ValueError(f"monotonic_cst has shape {cst.shape[0]} but the input data "
                             f"X has {n_features} features.")
        if not np.all(np.isin(cst, (-1, 0, 1))):
            raise ValueError("monotonic_cst must be None or an array-like of -1, 0 or 1, "
                             f"but got {np.unique(cst)}")
        cst = np.asarray(cst, dtype=np.int8)
        if self._is_classifier():
            if self.n_classes_ > 2:
                raise ValueError("Monotonicity constraints are not supported with "
                                 "multiclass classification")
            cst = -cst
        return cst

    def _fit(self, X, y, sample_weight=None, check_input=True):
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, check_input)
        n_samples, n_features = X.shape
        is_clf = self._is_classifier()
        y = np.atleast_1d(y)
        if is_clf:
            check_classification_targets(y)
            if y.ndim == 2 and y.shape[1] > 1:
                self.classes_, self.n_classes_, y_cls = encode_multi_labels(y)
                self.n_outputs_ = y.shape[1]
            else:
                self.classes_, y_cls = encode_labels(y.reshape(-1))
                self.n_classes_ = len(self.classes_)
                self.n_outputs_ = 1
            y_reg = _EMPTY_REG
            if self.class_weight is not None:
                cw = compute_sample_weight(self.class_weight, y)
                sample_weight = cw if sample_weight is None else sample_weight * cw
        else:
            if not check_input:
                self._regression_criterion(y)
            y_reg = kernel_array(y.reshape(n_samples, -1), np.float64)
            self.n_outputs_ = y_reg.shape[1]
            y_cls = _EMPTY_CLS
        self._monotonic_constraints(n_features)  # bad constraints fail before binning
        if sample_weight is None:
            w = _UNIT_WEIGHT  # the builder reads an empty array as all ones
            min_weight_leaf = self.min_weight_fraction_leaf * n_samples
        else:
            w = kernel_array(sample_weight, np.float64)
            min_weight_leaf = self.min_weight_fraction_leaf * float(np.sum(w))

        max_features = resolve_max_features(self.max_features, n_features)
        if max_features > n_features:
            raise ValueError(
                f"max_features must be at most n_features={n_features}, got "
                f"{self.max_features}.")
        self.max_features_ = max_features
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        # threads only pay on idle cores (a busy machine stalls parallel regions)
        try:
            parallel = os.getloadavg()[0] < (os.cpu_count() or 1) - 0.5
        except OSError:
            parallel = True
        kept = sample_weight if w.size else None
        binned = [bin_sparse(X, self.max_bins, kept) if sp.issparse(X)
                  else bin_data(X, self.max_bins, kept, seed)]
        del X  # a copy made by validation is freed before the tree grows
        # the binned data is handed over without another reference (_grow frees it)
        self._grow(binned.pop(), y_cls, y_reg, w, min_weight_leaf, seed,
                   parallel=parallel)
        return self

    def _grow(self, binned, y_cls, y_reg, w, min_weight_leaf, seed, parallel,
              want_leaves=False):
        """Grow ``tree_`` on binned data; with ``want_leaves``, returns each
        training row's leaf (None if pruning may have removed it).

        The ensembles call it directly on a fitted-attribute-ready clone (with
        ``classes_``/``n_classes_``/``n_outputs_``/``n_features_in_`` and
        ``max_features_`` set), with per-tree weights and seeds.
        """
        n_features, n_samples = binned.X_binned.shape[0], n_binned_samples(binned)
        if n_samples > MAX_SAMPLES:
            raise ValueError(f"sklml trees take at most {MAX_SAMPLES} samples (node ids "
                             f"are int32), got {n_samples}.")
        is_clf = self._is_classifier()
        crit = (CRITERIA_CLF if is_clf else CRITERIA_REG)[self.criterion]
        monotonic = self._monotonic_constraints(n_features)
        monotonic = _NO_CONSTRAINTS if monotonic is None else monotonic
        msl = self.min_samples_leaf
        if not isinstance(msl, Integral):
            msl = ceil(msl * n_samples)
        mss = self.min_samples_split
        if not isinstance(mss, Integral):
            mss = max(2, ceil(mss * n_samples))
        mss = max(mss, 2 * msl)
        max_depth = np.iinfo(np.int32).max if self.max_depth is None else self.max_depth
        max_leaf_nodes = -1 if self.max_leaf_nodes is None else self.max_leaf_nodes
        n_classes = self.n_classes_ if is_clf else 1
        offsets = class_offsets(n_classes)
        out = list(build_tree(
            binned.X_binned, binned.n_bins, binned.bin_lo, binned.bin_hi, y_cls, y_reg,
            w, crit, int(offsets[-1]), max_depth, mss, msl, float(min_weight_leaf),
            self.max_features_, max_leaf_nodes, float(self.min_impurity_decrease),
            seed, parallel, want_leaves, offsets, self.splitter == "random", monotonic,
            binned.row_ptr, binned.row_feat, binned.row_bin, binned.zero_bin,
        ))
        del binned  # a single fit's binned data is freed before the tree is laid out
        sample_node = out[9] if want_leaves else None
        tree = tree_from_build(out, n_features, is_clf, n_classes, self.n_outputs_)
        if self.ccp_alpha > 0.0:
            tree = tree.prune(self.ccp_alpha)
            sample_node = None  # the partition's leaves may be pruned away
        self.tree_ = tree
        return sample_node

    def _validate_X_predict(self, X, check_input=True):
        check_is_fitted(self)
        if not check_input:  # the caller vouches for X (float32, as Tree.apply wants)
            _check_n_features(self, X, reset=False)
            return X
        X = validate_data(self, X, dtype=np.float32, order="C", accept_sparse="csr",
                          ensure_all_finite=True if sp.issparse(X) else "allow-nan",
                          reset=False)
        return X if sp.issparse(X) else kernel_array(X, np.float32)

    def apply(self, X, check_input=True):
        """Index of the leaf each sample ends up in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        check_input : bool, default=True
            False skips the validation of X (then float32, as scikit-learn's).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._validate_X_predict(X, check_input)
        return self.tree_.apply(X)

    def decision_path(self, X, check_input=True):
        """Node indicator matrix: CSR (n_samples, n_nodes), 1 where a sample passes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        check_input : bool, default=True
            False skips the validation of X.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_samples, n_nodes)
        """
        X = self._validate_X_predict(X, check_input)
        return self.tree_.decision_path(X)

    def get_depth(self):
        """Depth of the tree (longest root-to-leaf path)."""
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self):
        """Number of leaves."""
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self):
        """Normalised total impurity decrease brought by each feature."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances()

    def cost_complexity_pruning_path(self, X, y, sample_weight=None):
        """Effective alphas and leaf impurities of minimal cost-complexity pruning.

        Same semantics as scikit-learn's: the tree is grown with
        ``ccp_alpha=0`` and pruned step by step.

        Returns
        -------
        sklearn.utils.Bunch with ``ccp_alphas`` and ``impurities``
        """
        from sklearn.utils import Bunch

        est = clone(self).set_params(ccp_alpha=0.0)
        est.fit(X, y, sample_weight=sample_weight)
        return Bunch(**est.tree_.cost_complexity_pruning_path())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags


class DecisionTreeClassifier(ClassifierMixin, MultiOutputMixin, BaseDecisionTree):
    """A CART decision tree classifier, compiled with Numba on binned features.

    Features are binned once into at most ``max_bins`` bins (one bin per value
    when a feature has that few distinct values, so splits then are exactly
    scikit-learn's); each node's best split is found on histograms.  Missing
    values (NaN) are supported: they go to the better side of each split.
    Class codes are stored as uint16: at most 65,536 classes.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss", "misclassification"}, default="gini"
        Impurity measure.  "misclassification" is ``1 - max_k p_k``.
    splitter : {"best", "random"}, default="best"
        "best" takes each node's best split; "random" (Extra-Trees) draws one
        threshold per candidate feature, uniform between its minimum and maximum
        in the node, and keeps the best of those.
    max_depth : int, default=None
        Maximum depth; None grows until leaves are pure or too small.
    min_samples_split : int or float, default=2
        Minimum samples (fraction of n_samples if float) to split a node.
    min_samples_leaf : int or float, default=1
        Minimum samples in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random for each split (None: all).
    random_state : int, RandomState instance or None, default=None
        Seeds the feature draws and the binning subsample.
    max_leaf_nodes : int, default=None
        Grow best-first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Split only if the weighted impurity decrease is at least this.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning.
    max_bins : int in [2, 255], default=255
        Bins per feature (NaN gets its own bin in addition).
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Monotonic constraint on the probability of the positive class per
        feature: 1 increasing, -1 decreasing, 0 none.  Binary, single-output
        classification only, as in scikit-learn.

    Attributes
    ----------
    tree_ : Tree
        Fitted structure with scikit-learn's attribute names and layout
        (``value`` holds class fractions), readable by ``sklearn.tree.export_text``,
        ``plot_tree`` and ``export_graphviz``.
    classes_ : ndarray of shape (n_classes,) or list of such arrays
        One array per output for a multi-output ``y``.
    n_classes_ : int or ndarray of shape (n_outputs,)
    n_outputs_ : int
    max_features_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has string feature names.
    feature_importances_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklml.tree import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DecisionTreeClassifier(max_depth=2, random_state=42).fit(X[:, 2:], y)
    >>> clf.tree_.feature[[0, 2]], float(clf.tree_.threshold[0])
    (array([0, 1]), 2.449999988079071)
    >>> round(clf.score(X[:, 2:], y), 3)
    0.96
    """

    _parameter_constraints: dict = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_CLF))],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, criterion="gini", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=None, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, class_weight=None, ccp_alpha=0.0,
                 max_bins=255, monotonic_cst=None):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_bins = max_bins
        self.monotonic_cst = monotonic_cst

    @staticmethod
    def _is_classifier():
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Build the tree from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaN marks missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels; one column per output for multi-output.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a zero weight removes the row.
        check_input : bool, default=True
            False skips the validation of X and y (the caller vouches for them).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, check_input)

    def predict_proba(self, X, check_input=True):
        """Class probabilities: the class fractions of each sample's leaf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        check_input : bool, default=True
            False skips the validation of X.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or a list of such arrays
        (one per output) for multi-output ``y``
        """
        X = self._validate_X_predict(X, check_input)
        proba = self.tree_.predict(X)
        if self.n_outputs_ == 1:
            return proba[:, 0, :]
        return [proba[:, k, :n_k] for k, n_k in enumerate(self.n_classes_)]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (a list for multi-output ``y``)."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            if self.n_outputs_ == 1:
                return np.log(proba)
            return [np.log(p) for p in proba]

    def predict(self, X, check_input=True):
        """Most probable class of each sample (one column per output).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        check_input : bool, default=True
            False skips the validation of X.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        X = self._validate_X_predict(X, check_input)
        if self.n_outputs_ > 1:
            leaf = self.tree_.apply(X)
            out = np.empty((leaf.shape[0], self.n_outputs_), dtype=self.classes_[0].dtype)
            for k, n_k in enumerate(self.n_classes_):
                best = np.argmax(self.tree_.value[:, k, :n_k], axis=1)
                out[:, k] = self.classes_[k].take(best[leaf], axis=0)
            return out
        leaf_class = np.argmax(self.tree_.value[:, 0, :], axis=1).astype(np.int64)
        return self.classes_.take(self.tree_.apply_map(X, leaf_class), axis=0)


class DecisionTreeRegressor(MultiOutputMixin, RegressorMixin, BaseDecisionTree):
    """A CART decision tree regressor, compiled with Numba on binned features.

    Parameters are those of :class:`DecisionTreeClassifier` without
    ``class_weight``, except ``criterion`` and ``monotonic_cst``.  Multi-output
    ``y`` of shape (n_samples, n_outputs) is supported (impurity averaged over
    outputs).

    Parameters
    ----------
    criterion : {"squared_error", "absolute_error", "poisson"}, default="squared_error"
        "squared_error" (mean leaves), "absolute_error" (weighted median
        leaves), "poisson" (half Poisson deviance; y must be non-negative with a
        positive sum); "friedman_mse" is deprecated and maps to "squared_error",
        as in scikit-learn 1.9.
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Monotonic constraint of the prediction in each feature: 1 increasing,
        -1 decreasing, 0 none (single output only).

    Attributes
    ----------
    tree_ : Tree
        ``value`` holds the mean target of each node, shape (node_count, n_outputs, 1).
    n_outputs_ : int
    max_features_ : int
    n_features_in_ : int
    feature_importances_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.tree import DecisionTreeRegressor
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = np.r_[np.zeros(5), np.ones(5)]
    >>> reg = DecisionTreeRegressor(max_depth=1).fit(X, y)
    >>> float(reg.tree_.threshold[0]), reg.predict([[2.0], [7.0]]).tolist()
    (4.5, [0.0, 1.0])
    """

    _parameter_constraints: dict = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_REG))],
    }

    def __init__(self, *, criterion="squared_error", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=None, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0, max_bins=255,
                 monotonic_cst=None):
        if isinstance(criterion, str) and criterion == "friedman_mse":
            # scikit-learn 1.9 maps it here, with this warning
            criterion = "squared_error"
            warnings.warn(_FRIEDMAN_WARNING, FutureWarning)
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha
        self.max_bins = max_bins
        self.monotonic_cst = monotonic_cst

    @staticmethod
    def _is_classifier():
        return False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Build the tree from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaN marks missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a zero weight removes the row.
        check_input : bool, default=True
            False skips the validation of X and y (the caller vouches for them).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, check_input)

    def _compute_partial_dependence_recursion(self, grid, target_features):
        """Partial dependence by the recursion method (used by
        ``sklearn.inspection.partial_dependence``)."""
        out = np.zeros(np.asarray(grid).shape[0], dtype=np.float64)
        self.tree_.compute_partial_dependence(grid, target_features, out)
        return out

    def predict(self, X, check_input=True):
        """Value of each sample's leaf (mean, or median for "absolute_error").

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        check_input : bool, default=True
            False skips the validation of X.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        X = self._validate_X_predict(X, check_input)
        pred = self.tree_.predict(X)[:, :, 0]
        return pred[:, 0] if self.n_outputs_ == 1 else pred


# sklearn.tree's export_text, plot_tree and export_graphviz accept instances of
# its tree classes and tell classifiers apart with isinstance: declare ours
# virtual subclasses (the ABC mechanism; nothing of scikit-learn is modified).
_SkDecisionTreeClassifier.register(DecisionTreeClassifier)
_SkDecisionTreeRegressor.register(DecisionTreeRegressor)


class ExtraTreeClassifier(DecisionTreeClassifier):
    """An extremely randomized tree classifier (scikit-learn's ``ExtraTreeClassifier``).

    A :class:`DecisionTreeClassifier` with ``splitter="random"`` and
    ``max_features="sqrt"`` by default: each node draws one threshold per
    candidate feature (uniform between its minimum and maximum in the node)
    and keeps the best.
    Meant as the trees of an ensemble; parameters are those of
    :class:`DecisionTreeClassifier`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklml.tree import ExtraTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = ExtraTreeClassifier(random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    """

    def __init__(self, *, criterion="gini", splitter="random", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, class_weight=None, ccp_alpha=0.0,
                 max_bins=255, monotonic_cst=None):
        super().__init__(
            criterion=criterion, splitter=splitter, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            random_state=random_state, max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease, class_weight=class_weight,
            ccp_alpha=ccp_alpha, max_bins=max_bins, monotonic_cst=monotonic_cst)


class ExtraTreeRegressor(DecisionTreeRegressor):
    """An extremely randomized tree regressor (scikit-learn's ``ExtraTreeRegressor``).

    A :class:`DecisionTreeRegressor` with ``splitter="random"`` and
    ``max_features=1.0`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.tree import ExtraTreeRegressor
    >>> X = np.arange(20.0).reshape(-1, 1)
    >>> reg = ExtraTreeRegressor(random_state=0).fit(X, X.ravel() ** 2)
    >>> float(reg.score(X, X.ravel() ** 2))
    1.0
    """

    def __init__(self, *, criterion="squared_error", splitter="random", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0, max_bins=255,
                 monotonic_cst=None):
        super().__init__(
            criterion=criterion, splitter=splitter, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            random_state=random_state, max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
            max_bins=max_bins, monotonic_cst=monotonic_cst)


# sklearn's own Extra-Trees are subclasses of its decision trees: ours register
# as such too (export tools and isinstance checks accept them)
from sklearn.tree import ExtraTreeClassifier as _SkExtraTreeClassifier  # noqa: E402
from sklearn.tree import ExtraTreeRegressor as _SkExtraTreeRegressor  # noqa: E402

_SkExtraTreeClassifier.register(ExtraTreeClassifier)
_SkExtraTreeRegressor.register(ExtraTreeRegressor)
