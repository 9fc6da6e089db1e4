"""CatBoost behind scikit-learn's estimator contract.

The learning is CatBoost's own ``CatBoostClassifier``/``CatBoostRegressor``
fitted on a ``Pool``; this module adds the input checks, label encoding,
sample and class weights, early stopping on a held-out split, categorical
columns detected from pandas dtypes and the ``params`` rules. CatBoost never
writes its ``catboost_info`` folder unless ``params`` asks for it.
``catboost`` is imported only when fitting or predicting.
"""

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from sklml.boosting._base import _BaseBoosting, _ClassifierPart, _RegressorPart
from sklml.boosting._device import resolve_device


def _catboost_has_cuda():
    from catboost.utils import get_gpu_device_count

    return get_gpu_device_count() > 0


class _CatBoostBase(_BaseBoosting):
    _LIBRARY = "CatBoost"
    _MIN_SAMPLES = 2
    _NAMED_ALIASES = {
        "n_estimators": ("iterations", "n_estimators", "num_boost_round", "num_trees"),
        "learning_rate": ("learning_rate", "eta"),
        "max_depth": ("depth", "max_depth"),
        "subsample": ("subsample",),
        "rsm": ("rsm", "colsample_bylevel"),
        "l2_leaf_reg": ("l2_leaf_reg", "reg_lambda"),
        "min_data_in_leaf": ("min_data_in_leaf", "min_child_samples"),
        "random_state": ("random_seed", "random_state"),
        "n_jobs": ("thread_count", "n_jobs"),
        "device": ("task_type",),
        "early_stopping_rounds": ("early_stopping_rounds", "od_wait", "od_type", "od_pval",
                                  "use_best_model"),
        "validation_fraction": ("eval_fraction",),
        "verbose": ("verbose", "verbose_eval", "logging_level", "silent", "metric_period"),
    }
    _RESERVED = {
        "cat_features": "categorical columns are the non-numeric columns of a DataFrame "
        "(give them the pandas 'category' dtype)",
        "text_features": "text features are not supported by the adapter",
        "embedding_features": "embedding features are not supported by the adapter",
    }

    _parameter_constraints = {
        **_BaseBoosting._parameter_constraints,
        "max_depth": [Interval(Integral, 1, 16, closed="both"), None],
        "rsm": [Interval(Real, 0, 1, closed="right"), None],
        "l2_leaf_reg": [Interval(Real, 0, None, closed="left"), None],
        "min_data_in_leaf": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        n_estimators=1000,
        learning_rate=None,
        max_depth=None,
        subsample=None,
        rsm=None,
        l2_leaf_reg=None,
        min_data_in_leaf=None,
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
        self.rsm = rsm
        self.l2_leaf_reg = l2_leaf_reg
        self.min_data_in_leaf = min_data_in_leaf
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.verbose = verbose
        self.params = params

    def _native_class(self):
        raise NotImplementedError

    def _loss(self):
        return {}

    def _model_params(self, extra, seed):
        known = set(inspect.signature(self._native_class().__init__).parameters) - {"self"}
        unknown = set(extra) - known
        if unknown:
            raise self._unknown_params_error(unknown, known)
        named = {
            "iterations": self.n_estimators,
            "learning_rate": self.learning_rate,
            "depth": self.max_depth,
            "subsample": self.subsample,
            "rsm": self.rsm,
            "l2_leaf_reg": self.l2_leaf_reg,
            "min_data_in_leaf": self.min_data_in_leaf,
            "thread_count": self.n_jobs,
        }
        params = {k: v for k, v in named.items() if v is not None}
        params["random_seed"] = seed
        params["task_type"] = "GPU" if self.device_ == "cuda" else "CPU"
        if self.verbose:
            params["verbose"] = int(self.verbose)
        else:
            params["logging_level"] = "Silent"
        params["allow_writing_files"] = False
        params.update(self._loss())
        params.update(extra)
        return params

    def _pool(self, X, y=None, w=None):
        from catboost import Pool

        cat = self.categorical_features_
        if len(cat):
            X = X.copy()
            for j in cat:
                column = X[f"f{j}"]
                X[f"f{j}"] = np.where(column.isna(), "nan", column.astype(str))
        return Pool(X, label=y, weight=w, cat_features=[int(j) for j in cat] or None)

    def _train(self, X, y, w, evaluation, extra, seed):
        self.device_ = resolve_device(
            self.device, _catboost_has_cuda, "catboost", type(self).__name__
        )
        params = self._model_params(extra, seed)
        if w is not None and not np.isclose(np.mean(w), 1.0):
            # CatBoost multiplies l2_leaf_reg by the mean weight; undo it so that
            # integer weights mean repeated rows, as in scikit-learn
            params["l2_leaf_reg"] = params.get("l2_leaf_reg", 3.0) / np.mean(w)
        model = self._native_class()(**params)
        fit_kwargs = {}
        if evaluation is not None:
            fit_kwargs = {
                "eval_set": self._pool(*evaluation),
                "early_stopping_rounds": self.early_stopping_rounds,
                "use_best_model": True,
            }
        from catboost import CatBoostError

        try:
            model.fit(self._pool(X, y, w), **fit_kwargs)
        except CatBoostError as exc:
            raise ValueError(f"CatBoost could not fit the data: {exc}") from exc
        self.model_ = model
        self.n_iter_ = int(model.tree_count_)
        if evaluation is not None:
            self.best_iteration_ = int(model.get_best_iteration())

    @property
    def feature_importances_(self):
        """CatBoost's ``PredictionValuesChange`` importances, normalised to sum 1."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        values = np.asarray(self.model_.get_feature_importance(), dtype=np.float64)
        total = values.sum()
        return values / total if total > 0 else values

    @classmethod
    def get_test_params(cls):
        """Small, fast settings for the test suite."""
        # no row bootstrap and little split-score noise, so that integer weights
        # match repeated rows, and a fixed learning rate: CatBoost derives its
        # default one from the number of rows, which repetition changes
        return {
            "n_estimators": 5,
            "max_depth": 3,
            "learning_rate": 0.3,
            "n_jobs": 1,
            "device": "cpu",
            "params": {"bootstrap_type": "No", "random_strength": 0},
        }

    @classmethod
    def get_compare_params(cls):
        """A quick but sensible fit for ``sklml compare`` (one thread: compare
        fits the folds in parallel, and OpenMP threads collapse when they
        outnumber the cores)."""
        return {"n_jobs": 1, "n_estimators": 200, "max_depth": 6, "device": "cpu"}


_DOC_PARAMS = """
    Parameters
    ----------
    n_estimators : int, default=1000
        Number of trees, CatBoost's ``iterations`` (the upper bound with early
        stopping).
    learning_rate : float, default=None
        None lets CatBoost pick it from the data size and ``n_estimators``.
    max_depth : int in [1, 16], default=None
        Tree depth (``depth``); None keeps CatBoost's default (6).
    subsample : float in (0, 1], default=None
        Fraction of rows sampled per tree; None keeps CatBoost's default.
    rsm : float in (0, 1], default=None
        Fraction of features considered per split (CatBoost's counterpart of
        ``colsample_bytree``); None keeps CatBoost's default (1).
    l2_leaf_reg : float, default=None
        L2 penalty on leaf values (``reg_lambda``); None keeps the default (3).
    min_data_in_leaf : int, default=None
        Minimum samples in a leaf, CatBoost's counterpart of XGBoost's
        ``min_child_weight``; used by the Depthwise and Lossguide grow policies
        only (``params={"grow_policy": "Depthwise"}``).
    random_state : int, RandomState instance or None, default=None
        Seeds CatBoost and the early-stopping split; None uses CatBoost's
        default seed 0, so fits are reproducible.
    n_jobs : int, default=None
        Threads (``thread_count``); None lets CatBoost use all cores.
    device : {"auto", "cpu", "cuda"}, default="auto"
        "auto" trains on a CUDA GPU when one is present, otherwise on the CPU.
        "cuda" without a GPU warns and uses the CPU. The device used is
        ``device_``.
    early_stopping_rounds : int, default=None
        Stop when the validation loss has not improved for this many rounds,
        on a split of ``validation_fraction`` of the training data (stratified
        for classifiers, seeded by ``random_state``); the best model is kept.
    validation_fraction : float in (0, 1), default=0.1
        Held-out fraction used by early stopping only.
    verbose : int, default=0
        Print progress every ``verbose`` iterations; 0 is silent.
    params : dict, default=None
        Any other parameter of CatBoost's estimator (``border_count``,
        ``grow_policy``, ``loss_function`` for regressors...). An unknown key,
        or one that a named parameter already sets (``iterations``, ``depth``,
        ``random_seed``, ``thread_count``...), raises ``ValueError``.
        ``allow_writing_files`` is False unless set here.
"""

_DOC_NOTES = """
    Notes
    -----
    ``sample_weight`` follows scikit-learn's convention: an integer weight
    means repeated rows. Rows of weight 0 are dropped before training, and
    ``l2_leaf_reg`` is divided by the mean weight, because CatBoost multiplies
    it by that mean. Without weights (or with a mean weight of 1) the model is
    exactly CatBoost's. CatBoost's default ``learning_rate`` is chosen from the
    number of rows; set it to make weighted and repeated data agree exactly.
"""

_DOC_ATTRIBUTES = """
    model_ : catboost.CatBoostClassifier or catboost.CatBoostRegressor
        The native model (trained on encoded labels 0..n_classes-1 for the
        classifier).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    categorical_features_ : ndarray of int
        Indices of the DataFrame columns passed to CatBoost as ``cat_features``.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Normalised ``PredictionValuesChange`` importances.
    n_iter_ : int
        Number of trees in the final model.
    best_iteration_ : int
        Index of the best iteration (early stopping only).
    device_ : str
        "cpu" or "cuda": where training ran.
"""


class CatBoostClassifier(_ClassifierPart, ClassifierMixin, _CatBoostBase):
    __doc__ = (
        """CatBoost gradient-boosted oblivious trees for classification.

    A thin adapter over ``catboost.CatBoostClassifier`` (loss ``Logloss`` or
    ``MultiClass``) that passes scikit-learn's estimator checks: any class
    labels, sample and class weights, NaN as missing values, pandas
    ``category``/string columns given to CatBoost as ``cat_features``, early
    stopping on an internal split.
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
    >>> from sklml.boosting import CatBoostClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = CatBoostClassifier(n_estimators=50, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """
    )

    _RESERVED = {
        **_CatBoostBase._RESERVED,
        **{
            key: "the classifier sets it; use class_weight for class weights"
            for key in ("loss_function", "objective", "class_weights", "auto_class_weights",
                        "scale_pos_weight", "class_names", "classes_count")
        },
    }
    _parameter_constraints = {
        **_CatBoostBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        *,
        n_estimators=1000,
        learning_rate=None,
        max_depth=None,
        subsample=None,
        rsm=None,
        l2_leaf_reg=None,
        min_data_in_leaf=None,
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
            rsm=rsm,
            l2_leaf_reg=l2_leaf_reg,
            min_data_in_leaf=min_data_in_leaf,
            random_state=random_state,
            n_jobs=n_jobs,
            device=device,
            early_stopping_rounds=early_stopping_rounds,
            validation_fraction=validation_fraction,
            verbose=verbose,
            params=params,
        )
        self.class_weight = class_weight

    def _native_class(self):
        from catboost import CatBoostClassifier as Native

        return Native

    def _loss(self):
        return {
            "loss_function": "MultiClass" if self.n_classes_ > 2 else "Logloss",
            "class_names": list(range(self.n_classes_)),
        }

    def _predict_raw(self, X):
        return self.model_.predict(self._pool(X), prediction_type="Probability")

    @classmethod
    def get_test_params(cls):
        """Small, fast settings for the test suite."""
        params = super().get_test_params()
        # a trace of split noise: these 5 trees then also pass the extreme
        # class_weight check, which the noise-free trees miss (0.80 < 0.87)
        params["params"] = {"bootstrap_type": "No", "random_strength": 0.001}
        return params


class CatBoostRegressor(_RegressorPart, RegressorMixin, _CatBoostBase):
    __doc__ = (
        """CatBoost gradient-boosted oblivious trees for regression.

    A thin adapter over ``catboost.CatBoostRegressor`` (loss ``RMSE`` unless
    ``params["loss_function"]`` says otherwise) that passes scikit-learn's
    estimator checks.
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
    >>> from sklml.boosting import CatBoostRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = CatBoostRegressor(n_estimators=100, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """
    )

    def _native_class(self):
        from catboost import CatBoostRegressor as Native

        return Native

    def _predict_raw(self, X):
        return self.model_.predict(self._pool(X))
