"""XGBoost behind scikit-learn's estimator contract.

The learning is ``xgboost.train`` on a ``QuantileDMatrix``, as XGBoost's own
scikit-learn wrapper does it; this module adds the input checks, label
encoding, sample and class weights, early stopping on a held-out split and the
``params`` rules. ``xgboost`` is imported only when fitting or predicting.
"""

import json
import re
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from sklml.boosting._base import _BaseBoosting, _ClassifierPart, _RegressorPart
from sklml.boosting._device import resolve_device

_UNUSED = re.compile(r"Parameters:\s*\{(.*?)\}\s*(?:are|is) not used", re.S)


def _xgboost_has_cuda():
    import xgboost

    return bool(xgboost.build_info().get("USE_CUDA", False))


class _XGBBase(_BaseBoosting):
    _LIBRARY = "XGBoost"
    _NAMED_ALIASES = {
        "n_estimators": ("n_estimators", "num_boost_round", "num_round"),
        "learning_rate": ("learning_rate", "eta"),
        "max_depth": ("max_depth",),
        "subsample": ("subsample",),
        "colsample_bytree": ("colsample_bytree",),
        "reg_lambda": ("reg_lambda", "lambda"),
        "min_child_weight": ("min_child_weight",),
        "random_state": ("random_state", "seed"),
        "n_jobs": ("n_jobs", "nthread"),
        "device": ("device", "gpu_id"),
        "early_stopping_rounds": ("early_stopping_rounds",),
        "verbose": ("verbose", "verbose_eval"),
    }
    _RESERVED = {
        "num_class": "the number of classes is read from y",
        "enable_categorical": "categorical columns of a DataFrame are detected from their dtype",
    }

    _parameter_constraints = {
        **_BaseBoosting._parameter_constraints,
        "max_depth": [Interval(Integral, 0, None, closed="left"), None],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right"), None],
        "reg_lambda": [Interval(Real, 0, None, closed="left"), None],
        "min_child_weight": [Interval(Real, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        n_estimators=100,
        learning_rate=None,
        max_depth=None,
        subsample=None,
        colsample_bytree=None,
        reg_lambda=None,
        min_child_weight=None,
        random_state=None,
        n_jobs=None,
        device="auto",
        early_stopping_rounds=None,
        validation_fraction=0.1,
        verbose=0,
        params=None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.min_child_weight = min_child_weight
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.verbose = verbose
        self.params = params

    # ---------------------------------------------------------------- helpers
    def _objective(self):
        return {}

    def _booster_params(self, extra, seed):
        named = {
            "learning_rate": self.learning_rate,
            "max_depth": self.max_depth,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "reg_lambda": self.reg_lambda,
            "min_child_weight": self.min_child_weight,
            "nthread": self.n_jobs,
        }
        params = {k: v for k, v in named.items() if v is not None}
        params["seed"] = seed
        params["device"] = self.device_
        params.update(self._objective())
        params.update(extra)
        return params

    def _check_unused(self, params, n_features):
        """Ask XGBoost itself which keys it does not use (its own validation)."""
        import xgboost

        probe = dict(params, verbosity=1, validate_parameters=True, device="cpu",
                     num_feature=n_features)
        unused = set()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                booster = xgboost.Booster(
                    probe,
                    [xgboost.DMatrix(np.zeros((1, n_features)), label=np.zeros(1), nthread=1)],
                )
                config = json.loads(booster.save_config())
        except xgboost.core.XGBoostError:
            return  # a bad value: training will raise XGBoost's own message
        for warning in caught:
            match = _UNUSED.search(str(warning.message))
            if match:
                unused |= set(re.findall(r'"([^"]+)"', match.group(1)))
        unused &= set(self.params or {})
        if unused:
            known = set()

            def walk(node):
                if isinstance(node, dict):
                    for key, value in node.items():
                        known.add(key)
                        walk(value)

            walk(config)
            error = self._unknown_params_error(unused, known)
            raise ValueError(
                f"{error} XGBoost reports them as not used with this configuration."
            )

    def _to_native_X(self, X):
        """ndarray as is; a categorical DataFrame with the fitted categories."""
        if not len(self.categorical_features_):
            return X
        import pandas as pd

        X = X.copy()
        for j, categories in self._categories.items():
            column = X[f"f{j}"]
            unseen = column.notna() & ~column.isin(categories)  # -> missing
            X[f"f{j}"] = pd.Categorical(column.astype(object).mask(unseen), categories=categories)
        return X

    def _learn_categories(self, X):
        import pandas as pd

        self._categories = {}
        for j in self.categorical_features_:
            column = X[f"f{j}"]
            if isinstance(column.dtype, pd.CategoricalDtype):
                categories = column.cat.categories
            else:
                categories = pd.Index(column.dropna().tolist()).unique()
                try:
                    categories = categories.sort_values()
                except TypeError:  # mixed types: keep the order of appearance
                    pass
            self._categories[int(j)] = categories

    def _dmatrix(self, X, y, w, params, ref=None):
        import xgboost

        categorical = bool(len(self.categorical_features_))
        quantile = params.get("tree_method", "hist") in ("hist", "auto") and (
            params.get("booster", "gbtree") != "gblinear"
        )
        if quantile:
            return xgboost.QuantileDMatrix(
                X, label=y, weight=w, ref=ref, nthread=self.n_jobs,
                max_bin=params.get("max_bin"), enable_categorical=categorical,
            )
        return xgboost.DMatrix(
            X, label=y, weight=w, nthread=self.n_jobs, enable_categorical=categorical
        )

    def _train(self, X, y, w, evaluation, extra, seed):
        import xgboost

        self.device_ = resolve_device(
            self.device, _xgboost_has_cuda, "xgboost", type(self).__name__
        )
        params = self._booster_params(extra, seed)
        self._check_unused(params, self.n_features_in_)
        if len(self.categorical_features_):
            self._learn_categories(X)
        dtrain = self._dmatrix(self._to_native_X(X), y, w, params)
        evals = []
        if evaluation is not None:
            Xv, yv, wv = evaluation
            evals = [(self._dmatrix(self._to_native_X(Xv), yv, wv, params, ref=dtrain),
                      "validation")]
        elif self.verbose:
            evals = [(dtrain, "train")]
        self.booster_ = xgboost.train(
            params,
            dtrain,
            num_boost_round=self.n_estimators,
            evals=evals,
            early_stopping_rounds=self.early_stopping_rounds,
            verbose_eval=int(self.verbose) if self.verbose else False,
        )
        if self.early_stopping_rounds is not None:
            self.best_iteration_ = int(self.booster_.best_iteration)
            self.n_iter_ = self.best_iteration_ + 1
        else:
            self.n_iter_ = self.n_estimators
        if self.device_ != "cpu":
            self.booster_.set_param({"device": "cpu"})  # predict on CPU, load anywhere

    def _predict_raw(self, X):
        return self.booster_.inplace_predict(
            self._to_native_X(X), iteration_range=(0, self.n_iter_)
        )

    @property
    def feature_importances_(self):
        """Normalised total gain of each feature (``weight`` for gblinear)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        linear = (self.params or {}).get("booster") == "gblinear"
        score = self.booster_.get_score(importance_type="weight" if linear else "gain")
        values = np.array(
            [score.get(f"f{j}", 0.0) for j in range(self.n_features_in_)], dtype=np.float64
        )
        total = values.sum()
        return values / total if total > 0 else values

    @classmethod
    def get_test_params(cls):
        """Small, fast settings for the test suite."""
        return {"n_estimators": 5, "max_depth": 3, "n_jobs": 1, "device": "cpu"}

    @classmethod
    def get_compare_params(cls):
        """A quick but sensible fit for ``sklml compare`` (one thread: compare
        fits the folds in parallel, and OpenMP threads collapse when they
        outnumber the cores)."""
        return {"n_jobs": 1, "n_estimators": 200, "learning_rate": 0.1, "max_depth": 4, "device": "cpu"}


_DOC_PARAMS = """
    Parameters
    ----------
    n_estimators : int, default=100
        Number of boosting rounds (the upper bound with early stopping).
    learning_rate : float, default=None
        Shrinkage ``eta``; None keeps XGBoost's default (0.3).
    max_depth : int, default=None
        Maximum tree depth; None keeps XGBoost's default (6).
    subsample : float in (0, 1], default=None
        Fraction of rows sampled per tree; None keeps XGBoost's default (1).
    colsample_bytree : float in (0, 1], default=None
        Fraction of features sampled per tree; None keeps XGBoost's default (1).
    reg_lambda : float, default=None
        L2 penalty on leaf weights (``lambda``); None keeps XGBoost's default (1).
    min_child_weight : float, default=None
        Minimum hessian sum in a leaf; None keeps XGBoost's default (1).
    random_state : int, RandomState instance or None, default=None
        Seeds XGBoost and the early-stopping split; None uses XGBoost's default
        seed 0, so fits are reproducible.
    n_jobs : int, default=None
        Threads; None lets XGBoost use all cores.
    device : {"auto", "cpu", "cuda"}, default="auto"
        "auto" trains on a CUDA GPU when XGBoost has CUDA support and the machine
        a GPU, otherwise on the CPU. "cuda" without a GPU warns and uses the CPU.
        The device used is ``device_``; predictions run on the CPU.
    early_stopping_rounds : int, default=None
        Stop when the validation loss has not improved for this many rounds,
        on a split of ``validation_fraction`` of the training data (stratified
        for classifiers, seeded by ``random_state``).
    validation_fraction : float in (0, 1), default=0.1
        Held-out fraction used by early stopping only.
    verbose : int, default=0
        Print the evaluation metric every ``verbose`` rounds.
    params : dict, default=None
        Any other XGBoost booster parameter (``gamma``, ``max_bin``,
        ``objective`` for regressors, ``eval_metric``...). A key that XGBoost
        does not use, or that a named parameter already sets (``eta``,
        ``lambda``, ``seed``, ``nthread``...), raises ``ValueError``.
"""

_DOC_NOTES = """
    Notes
    -----
    Rows with ``sample_weight`` 0 are dropped before training, so they do not
    shape the histogram bins either; an integer weight then means repeated
    rows, up to XGBoost's float32 arithmetic.
"""

_DOC_ATTRIBUTES = """
    booster_ : xgboost.Booster
        The native model.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    categorical_features_ : ndarray of int
        Indices of the DataFrame columns treated as categorical.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Normalised total gain per feature.
    n_iter_ : int
        Boosting rounds used for prediction.
    best_iteration_ : int
        Index of the best round (early stopping only).
    device_ : str
        "cpu" or "cuda": where training ran.
"""


class XGBClassifier(_ClassifierPart, ClassifierMixin, _XGBBase):
    __doc__ = (
        """XGBoost gradient-boosted trees for classification.

    A thin adapter over ``xgboost.train`` (objective ``binary:logistic`` or
    ``multi:softprob``) that passes scikit-learn's estimator checks: any
    class labels (strings included), sample and class weights, NaN as
    missing values, pandas ``category``/string columns as categorical
    features, early stopping on an internal split.
"""
        + _DOC_PARAMS
        + """    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes."""
        + _DOC_ATTRIBUTES
        + _DOC_NOTES
        + """
    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklml.boosting import XGBClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = XGBClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """
    )

    _RESERVED = {
        **_XGBBase._RESERVED,
        "objective": "the classifier uses binary:logistic or multi:softprob",
    }
    _parameter_constraints = {
        **_XGBBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        *,
        n_estimators=100,
        learning_rate=None,
        max_depth=None,
        subsample=None,
        colsample_bytree=None,
        reg_lambda=None,
        min_child_weight=None,
        random_state=None,
        n_jobs=None,
        device="auto",
        early_stopping_rounds=None,
        validation_fraction=0.1,
        verbose=0,
        class_weight=None,
        params=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            max_depth=max_depth,
            subsample=subsample,
            colsample_bytree=colsample_bytree,
            reg_lambda=reg_lambda,
            min_child_weight=min_child_weight,
            random_state=random_state,
            n_jobs=n_jobs,
            device=device,
            early_stopping_rounds=early_stopping_rounds,
            validation_fraction=validation_fraction,
            verbose=verbose,
            params=params,
        )
        self.class_weight = class_weight

    def _objective(self):
        if self.n_classes_ > 2:
            return {"objective": "multi:softprob", "num_class": self.n_classes_}
        return {"objective": "binary:logistic"}


class XGBRegressor(_RegressorPart, RegressorMixin, _XGBBase):
    __doc__ = (
        """XGBoost gradient-boosted trees for regression.

    A thin adapter over ``xgboost.train`` (objective ``reg:squarederror``
    unless ``params["objective"]`` says otherwise) that passes
    scikit-learn's estimator checks.
"""
        + _DOC_PARAMS
        + """
    Attributes
    ----------"""
        + _DOC_ATTRIBUTES
        + _DOC_NOTES
        + """
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklml.boosting import XGBRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = XGBRegressor(n_estimators=50, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """
    )

    def _objective(self):
        return {"objective": "reg:squarederror"}
