"""Random forests and Extra-Trees on the Numba tree engine.

The training data are binned once per ``fit``; every tree grows on the same
binned matrix with its bootstrap sample given as integer count weights (no row
is copied) and its own seed for the per-split feature draws.  Trees are grown
in threads (the compiled builder releases the GIL), with no Python per node.
The public API, the bootstrap draws and the errors are scikit-learn's
``BaseForest``'s.
"""

import warnings
import weakref
from contextlib import contextmanager
from numbers import Integral

import numba
import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numba import njit
from scipy.sparse import issparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MultiOutputMixin,
    RegressorMixin,
    _fit_context,
)
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklml.tree._binning import LABEL_DTYPE, bin_sparse, encode_labels, kernel_array
from sklml.tree._predictor import SERIAL_ROWS, TreeStack

from ._bagging import bootstrap_indices, n_bootstrap_samples, unsampled_mask
from ._base import EMPTY_CLS, EMPTY_REG, MAX_INT, UNIT_WEIGHT, bin_once, prepare_tree

__all__ = ["ExtraTreesClassifier", "ExtraTreesRegressor", "RandomForestClassifier",
           "RandomForestRegressor"]

# forest parameters that are not handed to the trees
_FOREST_ONLY = {"n_estimators", "bootstrap", "oob_score", "n_jobs", "random_state",
                "verbose", "warm_start", "class_weight", "max_samples", "splitter"}

# Each fitted forest's trees as one TreeStack, so that a prediction is one
# compiled call over all the trees.  Kept beside the forest, not in it (predict
# must leave the estimator's __dict__ alone, and a pickle need not carry it),
# and rebuilt when ``estimators_`` no longer holds the same trees.
_STACKS = weakref.WeakKeyDictionary()


# Out-of-bag scoring walks a group of trees of about ``_OOB_GROUP_NODES`` nodes
# (their walk records, ~2 MiB, and values) over a block of rows at a time, the
# block's leaves (rows x trees, int64) under about 4 MiB.
_OOB_GROUP_NODES = 1 << 17
_OOB_BLOCK_BYTES = 1 << 22


@contextmanager
def _prediction_threads(n_jobs, n_rows):
    """Numba's threads for one prediction of ``n_rows`` rows: scikit-learn's
    reading of ``n_jobs`` (None: one unless a ``joblib.parallel_config`` says
    otherwise, -1: every core), at most numba's pool.  The setting is the
    calling thread's own and is restored after.  Batches below
    ``SERIAL_ROWS`` rows take the serial path and are left alone (no thread
    pool is started for them)."""
    if n_rows < SERIAL_ROWS:
        yield
        return
    wanted = max(1, min(effective_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))
    before = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@njit(cache=True, nogil=True)
def _add_oob_values(leaves, oob_bits, values, total, count, first_row):
    """Add each tree's leaf value to the rows it did not see, trees in order.

    ``leaves[i, t]`` is the (global) leaf of row ``first_row + i`` in tree
    ``t``; ``oob_bits[t]`` is ``np.packbits`` of tree ``t``'s out-of-bag mask.
    Each row's sum runs over the trees in their order, as adding the trees'
    predictions one tree after another does (the same floating-point sums).
    """
    width = values.shape[1]
    for i in range(leaves.shape[0]):
        row = first_row + i
        byte = row >> 3
        bit = 7 - (row & 7)  # packbits: the first row is the high bit
        for t in range(leaves.shape[1]):
            if (oob_bits[t, byte] >> bit) & 1:
                leaf = leaves[i, t]
                for k in range(width):
                    total[row, k] += values[leaf, k]
                count[row] += 1.0


def _map_friedman_mse(criterion):
    """scikit-learn >= 1.9 (and sklml's trees) warn on construction and map the
    deprecated criterion to its equal, "squared_error"."""
    if isinstance(criterion, str) and criterion == "friedman_mse":
        warnings.warn('Value `"friedman_mse"` for `criterion` is deprecated and will be '
                      'removed in 1.11. It maps to `"squared_error"` as both were '
                      'always equivalent. Use `criterion="squared_error"` to remove '
                      "this warning.", FutureWarning, stacklevel=3)
        return "squared_error"
    return criterion


def _tree_constraints(tree_class):
    constraints = dict(tree_class._parameter_constraints)
    constraints.pop("splitter", None)
    return constraints


class BaseForest(MultiOutputMixin, BaseEstimator):
    """Bagged randomised trees; subclasses choose the tree and the aggregation.

    ``_tree_class`` is the tree grown (its parameters of the same name are
    taken from the forest) and ``_splitter`` its split strategy.
    """

    _parameter_constraints: dict = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "bootstrap": ["boolean"],
        "oob_score": ["boolean", callable],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "max_samples": [None, Interval(RealNotInt, 0.0, None, closed="neither"),
                        Interval(Integral, 1, None, closed="left")],
    }
    _splitter = "best"
    _fixed_tree_params: dict = {}  # tree parameters the forest does not expose

    # -- the ensemble API of scikit-learn's BaseEnsemble ---------------------------

    def __len__(self):
        """Number of trees in the forest."""
        return len(self.estimators_)

    def __getitem__(self, index):
        """The ``index``-th tree."""
        return self.estimators_[index]

    def __iter__(self):
        """Iterate over the trees."""
        return iter(self.estimators_)

    @property
    def estimator(self):
        """The unfitted tree the forest grows copies of (scikit-learn's
        ``BaseForest.estimator``)."""
        tree = self._tree_class()
        if "splitter" in tree.get_params():
            tree.set_params(splitter=self._splitter)
        return tree

    def _tree_template(self):
        own = set(self._get_param_names())
        tree_class = self._tree_class
        params = {k: getattr(self, k) for k in tree_class._get_param_names()
                  if k in own and k not in _FOREST_ONLY}
        params.update(self._fixed_tree_params)
        if "splitter" in tree_class._get_param_names():
            params["splitter"] = self._splitter
        elif self._splitter != "best":
            raise NotImplementedError(
                f"{type(self).__name__} needs trees with splitter={self._splitter!r}, "
                "which this version of sklml.tree does not have.")
        return tree_class(**params)

    # -- fit -------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow a forest of trees on the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaN marks missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels or real targets.
        sample_weight : array-like of shape (n_samples,), default=None
            With ``bootstrap=True`` the rows are drawn in proportion to their
            weight (scikit-learn's rule); otherwise the trees get the weights.

        Returns
        -------
        self : object
            The fitted forest.
        """
        return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        if issparse(y):
            raise ValueError("sparse multilabel-indicator for y is not supported.")
        is_clf = self._is_classifier()
        X, y = validate_data(self, X, y, multi_output=True, dtype=np.float32,
                             order="C", accept_sparse=("csr", "csc"),
                             ensure_all_finite=True if issparse(X) else "allow-nan",
                             y_numeric=not is_clf)
        X = X.tocsr() if issparse(X) else kernel_array(X, np.float32)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        y = np.atleast_1d(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. "
                          "Please change the shape of y to (n_samples,), for example "
                          "using ravel().", DataConversionWarning, stacklevel=2)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if getattr(self, "criterion", None) == "poisson":
            if np.any(y < 0):
                raise ValueError("Some value(s) of y are negative which is not allowed "
                                 "for Poisson regression.")
            if np.sum(y) <= 0:
                raise ValueError("Sum of y is not strictly positive which is necessary "
                                 "for Poisson regression.")
        n, n_features = X.shape
        self._n_samples, self.n_outputs_ = y.shape
        if is_clf:
            y, class_weight = self._encode_targets(y, sample_weight)
        else:
            y, class_weight = np.ascontiguousarray(y, dtype=np.float64), None
        if sample_weight is None:
            sample_weight = class_weight
        elif class_weight is not None:
            sample_weight = sample_weight * class_weight
        self._sample_weight = sample_weight

        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("`max_sample` cannot be set if `bootstrap=False`. Either "
                             "switch to `bootstrap=True` or set `max_sample=None`.")
        self._n_samples_bootstrap = (
            n_bootstrap_samples(n, self.max_samples, sample_weight)
            if self.bootstrap else None)
        self.estimator_ = self.estimator
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")

        rng = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(f"n_estimators={self.n_estimators} must be larger or equal "
                             f"to len(estimators_)={len(self.estimators_)} when "
                             "warm_start==True")
        if n_more == 0:
            warnings.warn("Warm-start fitting without increasing n_estimators does not "
                          "fit new trees.")
        else:
            if self.warm_start and self.estimators_:
                # the seeds a fit from scratch would have given the first trees
                rng.randint(MAX_INT, size=len(self.estimators_))
            seeds = rng.randint(MAX_INT, size=n_more)
            grown = self._grow_trees(X, y, seeds, rng)
            self.estimators_.extend(tree for tree, _ in grown)
            # the out-of-bag rows of the new trees, known from their bootstrap
            oob_bits = [bits for _, bits in grown]
            del grown

        if n_more <= 0:
            oob_bits = []
        if self.oob_score and (n_more > 0 or not hasattr(self, "oob_score_")):
            y_type = type_of_target(y)
            if y_type == "unknown" or (is_clf and y_type == "multiclass-multioutput"):
                raise ValueError(
                    "The type of target cannot be used to compute OOB estimates. Got "
                    f"{y_type} while only the following are supported: continuous, "
                    "continuous-multioutput, binary, multiclass, "
                    "multilabel-indicator.")
            scoring = self.oob_score if callable(self.oob_score) else None
            self._set_oob_score_and_attributes(X, y, scoring, oob_bits=oob_bits)

        if is_clf and self.n_outputs_ == 1:
            self.n_classes_ = self.n_classes_[0]
            self.classes_ = self.classes_[0]
        return self

    def _grow_trees(self, X, y, seeds, rng):
        """The new trees, grown in threads on one binned copy of ``X``, each
        with its out-of-bag mask packed by ``np.packbits`` (None unless
        ``oob_score``)."""
        n, n_features = X.shape
        is_clf = self._is_classifier()
        if is_clf and self.n_outputs_ == 1:
            y_cls, y_reg = kernel_array(y[:, 0], LABEL_DTYPE), EMPTY_REG
            classes, n_classes = self.classes_[0], self.n_classes_[0]
        elif is_clf:  # the builder reads the codes row-major, outputs side by side
            y_cls, y_reg = kernel_array(y.ravel(), LABEL_DTYPE), EMPTY_REG
            classes, n_classes = self.classes_, np.array(self.n_classes_, dtype=np.intp)
        else:
            y_cls, y_reg = EMPTY_CLS, kernel_array(y, np.float64)
            classes, n_classes = None, 1
        sample_weight = self._sample_weight
        template = self._tree_template()
        template._validate_params()
        binning_seed = int(rng.randint(MAX_INT))
        binned = (bin_sparse(X, template.max_bins, sample_weight) if issparse(X)
                  else bin_once(X, template.max_bins, sample_weight, binning_seed))
        names = getattr(self, "feature_names_in_", None)
        # bad monotonic constraints fail here, once, not in every thread
        prepare_tree(template, n_features, is_clf, n_classes, classes, self.n_outputs_,
                     0, names)._monotonic_constraints(n_features)
        n_boot = self._n_samples_bootstrap
        balanced_subsample = is_clf and self.class_weight == "balanced_subsample"
        unit = UNIT_WEIGHT
        keep_oob = bool(self.oob_score) and self.bootstrap

        def grow(seed):
            tree = prepare_tree(template, n_features, is_clf, n_classes, classes,
                                self.n_outputs_, int(seed), names)
            oob_bits = None
            if self.bootstrap:
                idx = bootstrap_indices(seed, n, n_boot, sample_weight)
                counts = np.bincount(idx, minlength=n)
                if keep_oob:
                    oob_bits = np.packbits(counts == 0)
                w = counts.astype(np.float64)
                del counts
                if balanced_subsample:
                    w *= compute_sample_weight("balanced", y, indices=idx)
            else:
                w = unit if sample_weight is None else sample_weight
            w = kernel_array(w, np.float64)
            # an empty weight array is the builder's unweighted fast path
            mwl = tree.min_weight_fraction_leaf * (float(w.sum()) if w.size else n)
            # the seed the tree's own fit would draw: a clone refit on the
            # bootstrap rows grows the same tree
            tree_seed = int(np.random.RandomState(seed).randint(MAX_INT))
            tree._grow(binned, y_cls, y_reg, w, mwl, tree_seed, parallel=False)
            return tree, oob_bits

        return Parallel(n_jobs=self.n_jobs, prefer="threads", verbose=self.verbose)(
            delayed(grow)(s) for s in seeds)

    # -- out-of-bag ------------------------------------------------------------

    def _oob_predictions(self, X, width, oob_bits=()):
        """Mean out-of-bag prediction of each row, shape (n_samples, n_outputs, width).

        The trees go in consecutive groups (``_OOB_GROUP_NODES`` nodes or so);
        a group walks a block of rows at a time in one compiled call (in
        ``n_jobs`` threads) and the values of its trees that did not see a row
        are added to that row in tree order.  Only one group's walk records
        exist at a time, so scoring holds little beside the forest.
        ``oob_bits`` holds the packed out-of-bag masks of the last trees, as
        the fit found them; those of the other trees (grown by an earlier
        warm-started fit) are drawn again from their seeds.
        """
        n = X.shape[0]
        trees = self.estimators_
        first_known = len(trees) - len(oob_bits)

        def packed_mask(t):
            if t >= first_known and oob_bits[t - first_known] is not None:
                return oob_bits[t - first_known]
            return np.packbits(unsampled_mask(trees[t].random_state, n,
                                              self._n_samples_bootstrap,
                                              self._sample_weight))

        total = None
        count = np.zeros(n)
        start = 0
        with _prediction_threads(self.n_jobs, n):
            while start < len(trees):
                stop, nodes = start, 0
                # at least two trees (a stack of one is kept on its tree)
                while stop < len(trees) and (
                        stop - start < 2
                        or nodes + trees[stop].tree_.node_count <= _OOB_GROUP_NODES):
                    nodes += trees[stop].tree_.node_count
                    stop += 1
                stack = TreeStack([tree.tree_ for tree in trees[start:stop]])
                masks = np.stack([packed_mask(t) for t in range(start, stop)])
                if total is None:
                    total = np.zeros((n, stack.values.shape[1]))
                block = max(4096, _OOB_BLOCK_BYTES // (8 * (stop - start)))
                for lo in range(0, n, block):
                    leaves = stack.leaves(X[lo:lo + block])
                    _add_oob_values(leaves, masks, stack.values, total, count,
                                    np.int64(lo))
                del stack, masks
                start = stop
        if np.any(count == 0):
            warnings.warn("Some inputs do not have OOB scores. This probably means too "
                          "few trees were used to compute any reliable OOB estimates.",
                          UserWarning)
        total = total.reshape(n, self.n_outputs_, -1)[:, :, :width]
        return total / np.maximum(count, 1)[:, None, None]

    # -- prediction-time API ---------------------------------------------------

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, order="C", accept_sparse="csr",
                          ensure_all_finite=True if issparse(X) else "allow-nan",
                          reset=False)
        return X if issparse(X) else kernel_array(X, np.float32)

    def apply(self, X):
        """Leaf index of each sample in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_leaves : ndarray of shape (n_samples, n_estimators)
        """
        X = self._validate_X_predict(X)
        with _prediction_threads(self.n_jobs, X.shape[0]):
            return self._tree_stack().apply(X)

    def decision_path(self, X):
        """Nodes each sample passes through, in every tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, n_nodes)
            CSR indicator over the nodes of all the trees, end to end.
        n_nodes_ptr : ndarray of shape (n_estimators + 1,)
            ``indicator[:, n_nodes_ptr[i]:n_nodes_ptr[i + 1]]`` is tree ``i``'s.
        """
        X = self._validate_X_predict(X)
        stack = self._tree_stack()
        with _prediction_threads(self.n_jobs, X.shape[0]):
            return stack.decision_path(X), stack.n_nodes_ptr.copy()

    def _tree_stack(self):
        """The fitted trees as one :class:`~sklml.tree._predictor.TreeStack`
        (cached beside the forest while ``estimators_`` holds the same trees)."""
        trees = [est.tree_ for est in self.estimators_]
        cached = _STACKS.get(self)
        if (cached is None or len(cached[0]) != len(trees)
                or any(a is not b for a, b in zip(cached[0], trees))):
            cached = (trees, TreeStack(trees))
            _STACKS[self] = cached
        return cached[1]

    @property
    def estimators_samples_(self):
        """The rows (with repetitions) each tree was grown on, drawn again from
        the tree's seed on each access (nothing is stored)."""
        check_is_fitted(self)
        if not self.bootstrap:
            return [np.arange(self._n_samples, dtype=np.int32) for _ in self.estimators_]
        return [bootstrap_indices(t.random_state, self._n_samples,
                                  self._n_samples_bootstrap, self._sample_weight)
                for t in self.estimators_]

    @property
    def feature_importances_(self):
        """Mean impurity decrease of each feature over the trees, normalised
        (zeros if every tree is a single leaf)."""
        check_is_fitted(self)
        imps = [t.tree_.compute_feature_importances(normalize=False)
                for t in self.estimators_ if t.tree_.node_count > 1]
        if not imps:
            return np.zeros(self.n_features_in_, dtype=np.float64)
        imps = [imp / imp.sum() if imp.sum() > 0 else imp for imp in imps]
        mean = np.mean(imps, axis=0, dtype=np.float64)
        return mean / np.sum(mean)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags

    def _expected_failed_checks(self):
        if self.bootstrap:
            reason = ("bootstrap draws differ between weighted and repeated rows "
                      "(the exemption scikit-learn grants its own forests)")
            return {"check_sample_weight_equivalence_on_dense_data": reason,
                    "check_sample_weight_equivalence_on_sparse_data": reason}
        return {}

    @classmethod
    def get_test_params(cls):
        return {"n_estimators": 5, "random_state": 0}


class ForestClassifier(ClassifierMixin, BaseForest):
    """Class probabilities averaged over the trees."""

    _tree_class = DecisionTreeClassifier

    @staticmethod
    def _is_classifier():
        return True

    def _encode_targets(self, y, sample_weight):
        """Class codes of each output and the class weights, as scikit-learn's
        ``_validate_y_class_weight``."""
        check_classification_targets(y)
        y_original = y
        self.classes_, self.n_classes_ = [], []
        codes = []
        for k in range(self.n_outputs_):
            classes_k, codes_k = encode_labels(y[:, k])
            self.classes_.append(classes_k)
            self.n_classes_.append(classes_k.shape[0])
            codes.append(codes_k)
        y = np.ascontiguousarray(np.column_stack(codes))
        if self.class_weight is None:
            return y, None
        if isinstance(self.class_weight, (dict, list)):
            return y, compute_sample_weight(self.class_weight, y_original)
        if self.warm_start:
            warnings.warn(
                'class_weight presets "balanced" or "balanced_subsample" are not '
                "recommended for warm_start if the fitted data differs from the full "
                'dataset. In order to use "balanced" weights, use '
                'compute_class_weight ("balanced", classes, y). In place of y you can '
                "use a large enough sample of the full training set target to "
                "properly estimate the class frequency distributions. Pass the "
                "resulting weights as the class_weight parameter.")
        if self.class_weight == "balanced_subsample" and self.bootstrap:
            return y, None  # computed on each bootstrap sample
        class_weight = []
        for k in range(self.n_outputs_):
            weights = compute_class_weight("balanced", classes=self.classes_[k],
                                           y=y_original[:, k],
                                           sample_weight=sample_weight)
            class_weight.append(dict(zip(self.classes_[k], weights)))
        if self.n_outputs_ == 1:
            class_weight = class_weight[0]
        return y, compute_sample_weight(class_weight, y_original)

    def _set_oob_score_and_attributes(self, X, y, scoring_function=None, oob_bits=()):
        decision = self._oob_predictions(X, max(np.atleast_1d(self.n_classes_)),
                                         oob_bits)
        decision = np.moveaxis(decision, 1, 2)  # (n_samples, n_classes, n_outputs)
        if decision.shape[-1] == 1:
            decision = decision[..., 0]
        self.oob_decision_function_ = decision
        scoring_function = scoring_function or accuracy_score
        self.oob_score_ = scoring_function(y, np.argmax(decision, axis=1))

    def predict_proba(self, X):
        """Mean of the trees' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), or a list of such
            arrays (one per output)
        """
        X = self._validate_X_predict(X)
        with _prediction_threads(self.n_jobs, X.shape[0]):
            total = self._tree_stack().value_sum(X)
        total /= len(self.estimators_)
        total = total.reshape(X.shape[0], self.n_outputs_, -1)
        if self.n_outputs_ == 1:
            return total[:, 0, :self.n_classes_]
        return [total[:, k, :n_k] for k, n_k in enumerate(self.n_classes_)]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            if self.n_outputs_ == 1:
                return np.log(proba)
            return [np.log(p) for p in proba]

    def predict(self, X):
        """Class with the highest mean probability (of each output)."""
        proba = self.predict_proba(X)
        if self.n_outputs_ == 1:
            return self.classes_.take(np.argmax(proba, axis=1), axis=0)
        out = np.empty((proba[0].shape[0], self.n_outputs_), dtype=self.classes_[0].dtype)
        for k in range(self.n_outputs_):
            out[:, k] = self.classes_[k].take(np.argmax(proba[k], axis=1), axis=0)
        return out


class ForestRegressor(RegressorMixin, BaseForest):
    """Predictions averaged over the trees."""

    _tree_class = DecisionTreeRegressor

    @staticmethod
    def _is_classifier():
        return False

    def _set_oob_score_and_attributes(self, X, y, scoring_function=None, oob_bits=()):
        pred = self._oob_predictions(X, 1, oob_bits)[:, :, 0]
        if pred.shape[1] == 1:
            pred = pred[:, 0]
        self.oob_prediction_ = pred
        scoring_function = scoring_function or r2_score
        self.oob_score_ = scoring_function(y, pred)

    def predict(self, X):
        """Mean of the trees' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        X = self._validate_X_predict(X)
        with _prediction_threads(self.n_jobs, X.shape[0]):
            pred = self._tree_stack().value_sum(X)
        pred /= len(self.estimators_)
        return pred[:, 0] if self.n_outputs_ == 1 else pred

    def _compute_partial_dependence_recursion(self, grid, target_features):
        """Partial dependence by the recursion method, averaged over the trees
        (used by ``sklearn.inspection.partial_dependence``)."""
        grid = np.asarray(grid, dtype=np.float32, order="C")
        target_features = np.asarray(target_features, dtype=np.intp, order="C")
        out = np.zeros(grid.shape[0], dtype=np.float64)
        for tree in self.estimators_:
            tree.tree_.compute_partial_dependence(grid, target_features, out)
        return out / len(self.estimators_)


class RandomForestClassifier(ForestClassifier):
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
        Threads: trees grown at once by ``fit``, and the rows of batches of
        1,024 or more split among them by ``predict``, ``predict_proba``,
        ``apply``, ``decision_path`` and the out-of-bag scoring (None: one,
        unless a ``joblib.parallel_config`` sets it; -1: every core), as in
        scikit-learn.
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
        **_tree_constraints(DecisionTreeClassifier),
        "class_weight": [StrOptions({"balanced_subsample", "balanced"}), dict, list,
                         None],
    }

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, class_weight=None, ccp_alpha=0.0,
                 max_samples=None, monotonic_cst=None, max_bins=255):
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
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins


class RandomForestRegressor(ForestRegressor):
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
        **_tree_constraints(DecisionTreeRegressor),
    }

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None, max_bins=255):
        criterion = _map_friedman_mse(criterion)
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
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins


class ExtraTreesClassifier(ForestClassifier):
    """Extremely randomised trees: each split tries one random threshold per
    drawn feature (uniform between the feature's minimum and maximum in the
    node, as scikit-learn's) and keeps the best of those.

    Parameters are those of :class:`RandomForestClassifier`; as in
    scikit-learn, ``bootstrap`` defaults to False (every tree sees all the
    rows) and the trees use ``splitter="random"``.

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
        The unfitted template of the trees.
    estimators_ : list of DecisionTreeClassifier
    estimators_samples_ : list of ndarray
        The rows each tree was grown on.
    classes_, n_classes_, n_features_in_, n_outputs_
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklml.ensemble import ExtraTreesClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> et = ExtraTreesClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> len(et), et.score(X, y) > 0.9
    (20, True)
    """

    _parameter_constraints: dict = RandomForestClassifier._parameter_constraints
    _splitter = "random"

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, class_weight=None, ccp_alpha=0.0,
                 max_samples=None, monotonic_cst=None, max_bins=255):
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
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins


class ExtraTreesRegressor(ForestRegressor):
    """Extremely randomised regression trees (mean of the trees).

    Parameters are those of :class:`RandomForestRegressor`; as in
    scikit-learn, ``bootstrap`` defaults to False and the trees use
    ``splitter="random"``.

    Attributes
    ----------
    estimator_ : DecisionTreeRegressor
        The unfitted template of the trees.
    estimators_ : list of DecisionTreeRegressor
    estimators_samples_ : list of ndarray
    n_features_in_, n_outputs_
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, n_outputs)

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklml.ensemble import ExtraTreesRegressor
    >>> X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    >>> et = ExtraTreesRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> et.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = RandomForestRegressor._parameter_constraints
    _splitter = "random"

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None,
                 verbose=0, warm_start=False, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None, max_bins=255):
        criterion = _map_friedman_mse(criterion)
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
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins
