"""XGBoost's scikit-learn wrapper behind scikit-learn's estimator contract.

The constructor is the installed ``xgboost.XGBClassifier``'s / ``XGBRegressor``'s
(read from it when this module is imported, so a keyword of a newer xgboost
works at once), plus the adapter's ``device="auto"``, ``class_weight``,
``validation_fraction`` and ``params``. ``fit`` checks the data, encodes the
labels and fits the native wrapper, kept as ``model_``; its methods and
attributes answer through it. This module imports xgboost; ``sklml.boosting``
imports it on first use of a class.
"""

import inspect
import json
import re
import warnings
from numbers import Integral, Real

import numpy as np
import xgboost
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from xgboost.sklearn import XGBModel

from sklml.boosting._base import (
    CLASS_WEIGHT_CONSTRAINT,
    EXTRA_CONSTRAINTS,
    BoostingBase,
    ClassifierPart,
    check_fitted,
    describe_unknown,
    fitted_property,
    make_init,
    native_method,
    native_signature,
)
from sklml import _device

_UNUSED = re.compile(r"Parameters:\s*\{(.*?)\}\s*(?:are|is) not used", re.S)
_META_KEY = "sklml"

# keys of ``params`` that name a constructor keyword under another name
_ALIASES = {
    "eta": "learning_rate", "lambda": "reg_lambda", "alpha": "reg_alpha",
    "seed": "random_state", "nthread": "n_jobs", "num_boost_round": "n_estimators",
    "num_round": "n_estimators", "gpu_id": "device", "min_split_loss": "gamma",
}
_RESERVED = {"num_class": "the number of classes is read from y"}


def _is_set(value, default):
    if value is default:
        return False
    try:
        return not bool(value == default)
    except (TypeError, ValueError):
        return True


def _xgboost_gpu_count():
    """GPUs XGBoost can use: the machine's, when XGBoost was built with CUDA."""
    if not xgboost.build_info().get("USE_CUDA", False):
        return 0
    return _device.cuda_device_count()


def _catboost_names():
    try:
        import catboost
    except ImportError:  # pragma: no cover - catboost is a dependency
        return set()
    return set(native_signature(catboost.CatBoostClassifier.__init__, {}).parameters) | set(
        native_signature(catboost.CatBoostRegressor.__init__, {}).parameters
    )


def _constraints(signature):
    constraints = {name: "no_validation" for name in signature.parameters if name != "self"}
    constraints.pop("kwargs", None)
    constraints.update(
        n_estimators=[Interval(Integral, 1, None, closed="left"), None],
        learning_rate=[Interval(Real, 0, None, closed="neither"), None],
        max_depth=[Interval(Integral, 0, None, closed="left"), None],
        subsample=[Interval(Real, 0, 1, closed="right"), None],
        n_jobs=[Integral, None],
        random_state=["random_state", np.random.Generator],
        early_stopping_rounds=[Interval(Integral, 1, None, closed="left"), None],
        **EXTRA_CONSTRAINTS,
    )
    if "class_weight" in signature.parameters:
        constraints["class_weight"] = CLASS_WEIGHT_CONSTRAINT
    return constraints


class _XGBAdapter(BoostingBase):
    _LIBRARY = "XGBoost"
    _NATIVE = XGBModel

    # ------------------------------------------------------------ parameters
    def _unexpected_keywords(self, kwargs):
        # as the native wrapper: any other keyword is a booster parameter
        self.kwargs = kwargs

    def get_params(self, deep=True):
        """Parameters of this estimator, the extra booster keywords included
        (as the native wrapper's ``get_params``)."""
        params = super().get_params(deep=deep)
        params.update(getattr(self, "kwargs", None) or {})
        return params

    def set_params(self, **params):
        """Set parameters; a keyword that is not in the signature becomes an
        extra booster parameter, as in the native wrapper."""
        own = set(self._get_param_names())
        extra = {key: params.pop(key) for key in list(params) if key not in own}
        super().set_params(**params)
        if extra:
            self.kwargs = {**(getattr(self, "kwargs", None) or {}), **extra}
        return self

    def _native_names(self):
        own = set(self._get_param_names())
        return [name for name in own if name not in ("class_weight", "validation_fraction",
                                                      "params")]

    def _params_dict(self):
        """``params`` checked: string keys, nothing reserved, and no key whose
        keyword (or the keyword it is an alias of) is also set."""
        extra = dict(self.params or {})
        signature = inspect.signature(type(self).__init__).parameters
        for key in extra:
            if not isinstance(key, str):
                raise TypeError(f"{type(self).__name__}: the keys of params must be "
                                f"strings, got {key!r}")
            if key in _RESERVED:
                raise ValueError(f"{type(self).__name__}: params[{key!r}] is not accepted: "
                                 f"{_RESERVED[key]}.")
            name = key if key in signature else _ALIASES.get(key)
            if name is not None and _is_set(getattr(self, name), signature[name].default):
                raise ValueError(
                    f"{type(self).__name__}: params[{key!r}] conflicts with the named "
                    f"parameter {name!r}; set {name}=... instead of passing {key!r} in "
                    "params."
                )
        return extra

    def _native_params(self, resolve=True):
        """Keywords for the native wrapper: the native ones as set, the extra
        booster keywords and ``params``; ``device`` resolved."""
        params = {name: getattr(self, name) for name in self._native_names()}
        params.update(getattr(self, "kwargs", None) or {})
        params.update(self._params_dict())
        for key in _RESERVED:
            if key in (getattr(self, "kwargs", None) or {}):
                raise ValueError(f"{type(self).__name__}: {key}= is not accepted: "
                                 f"{_RESERVED[key]}.")
        if resolve:
            self.device_ = _device.resolve_device(
                self.device, type(self).__name__, gpu_count=_xgboost_gpu_count,
                library_name="xgboost",
            )
            params["device"] = self.device_
            params["random_state"] = self._seed(self.random_state)
            if len(self.categorical_features_):
                params["enable_categorical"] = True
        elif params["device"] == "auto":
            params["device"] = None
        return params

    def _check_unknown(self, native, n_features):
        """Ask XGBoost itself which extra keys it does not use (its own check)."""
        extra = set(getattr(self, "kwargs", None) or {}) | set(self.params or {})
        if not extra:
            return
        probe = {k: v for k, v in native.get_xgb_params().items() if not callable(v)}
        probe.update(verbosity=1, validate_parameters=True, device="cpu",
                     num_feature=n_features)
        probe.pop("num_class", None)
        if str(probe.get("objective", "")).startswith("multi:"):
            probe["num_class"] = 3
        unused = set()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                booster = xgboost.Booster(
                    probe, [xgboost.DMatrix(np.zeros((1, n_features)), label=np.zeros(1),
                                            nthread=1)],
                )
                config = json.loads(booster.save_config())
        except xgboost.core.XGBoostError:
            return  # a bad value: training raises XGBoost's own message
        for warning in caught:
            match = _UNUSED.search(str(warning.message))
            if match:
                unused |= set(re.findall(r'"([^"]+)"', match.group(1)))
        unused &= extra
        if not unused:
            return
        known = set(self._get_param_names())

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    known.add(key)
                    walk(value)

        walk(config)
        other = _catboost_names()
        hints = [describe_unknown(key, known, other, "sklml.boosting.CatBoostClassifier "
                                  "/ CatBoostRegressor") for key in sorted(unused)]
        raise ValueError(
            f"{type(self).__name__}: unknown XGBoost parameter(s): {', '.join(hints)}. "
            "XGBoost reports them as not used with this configuration."
        )

    # ----------------------------------------------------------- categorical
    def _learn_categories(self, X):
        import pandas as pd

        self._categories = {}
        for j in self.categorical_features_:
            column = X.iloc[:, j]
            if isinstance(column.dtype, pd.CategoricalDtype):
                categories = column.cat.categories
            else:
                categories = pd.Index(column.dropna().tolist()).unique()
                try:
                    categories = categories.sort_values()
                except TypeError:  # mixed types: keep the order of appearance
                    pass
            self._categories[int(j)] = categories

    def _to_native_X(self, X):
        """Checked X as the native model takes it: categorical columns with
        the categories seen in fit (an unseen one is missing)."""
        if not len(self.categorical_features_):
            return X
        import pandas as pd

        X = X.copy()
        for j, categories in self._categories.items():
            column = X.iloc[:, j]
            unseen = column.notna() & ~column.isin(categories)
            X.isetitem(j, pd.Categorical(column.astype(object).mask(unseen),
                                         categories=categories))
        return X

    def _named(self, X):
        """A checked array as a DataFrame with the fitted column names, so that
        the booster's features are named as when XGBoost fits a DataFrame;
        names XGBoost refuses ("[", "]", "<") leave it unnamed (f0, f1...)."""
        names = getattr(self, "feature_names_in_", None)
        if names is None or not isinstance(X, np.ndarray):
            return X
        names = [str(name) for name in names]
        if any(c in name for name in names for c in "[]<") or len(set(names)) < len(names):
            return X
        import pandas as pd

        return pd.DataFrame(X, columns=names, copy=False)

    def _check_X(self, X):
        return self._to_native_X(self._validate_X(X))

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, sample_weight=None, base_margin=None, eval_set=None, verbose=True,
            xgb_model=None, sample_weight_eval_set=None, base_margin_eval_set=None,
            feature_weights=None):
        """Fit the gradient-boosted model: the native wrapper's ``fit``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training data; NaN marks a missing value. Non-numeric columns of a
            DataFrame (``category``, strings) are categorical features.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels of any type for the classifier (a 0/1 matrix
            for multi-label), values (one column per target) for the regressor.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights (multiplied by the ``class_weight`` weights).
        base_margin : array-like, default=None
            Global bias of each sample, as in XGBoost.
        eval_set : list of (X, y) pairs, default=None
            Data sets evaluated every round (``evals_result()``); the last one
            drives ``early_stopping_rounds``. Without it, ``early_stopping_rounds``
            uses a held-out ``validation_fraction`` of the training data.
        verbose : bool or int, default=True
            Print the evaluation every round (every ``verbose`` rounds for an
            int) for the given ``eval_set``; the held-out split is printed only
            for an int.
        xgb_model : Booster, str, XGBModel or adapter, default=None
            A model to continue training from.
        sample_weight_eval_set, base_margin_eval_set : list of array-like, default=None
            Weights and margins of the ``eval_set`` data sets.
        feature_weights : array-like of shape (n_features,), default=None
            Weight of each feature when sampling columns.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_fit_data(X, y)
        y = self._encode_target(y)
        params = self._native_params()
        sample_weight = self._check_weights(sample_weight, X, y)
        X, y, sample_weight, base_margin = self._drop_zero_weights(
            X, y, sample_weight, base_margin
        )
        if len(self.categorical_features_):
            self._learn_categories(X)
        if eval_set is not None:
            eval_set = [(self._to_native_X(self._validate_more_X(Xv)),
                         self._encode_eval_target(yv)) for Xv, yv in eval_set]
        elif self.early_stopping_rounds is not None:
            train, valid = self._validation_split(X, y, sample_weight, params["random_state"],
                                                  base_margin)
            X, y, sample_weight, base_margin = train
            eval_set = [tuple(valid[:2])]
            sample_weight_eval_set = None if valid[2] is None else [valid[2]]
            base_margin_eval_set = None if valid[3] is None else [valid[3]]
            verbose = False if isinstance(verbose, bool) else verbose
        y = self._to_native_y(y, eval_set)
        if isinstance(xgb_model, _XGBAdapter):
            xgb_model = xgb_model.get_booster()
        native = self._NATIVE(**params)
        self._check_unknown(native, self.n_features_in_)
        if eval_set is not None:
            eval_set = [(self._named(Xv), yv) for Xv, yv in eval_set]
        native.fit(
            self._named(self._to_native_X(X)), y, sample_weight=sample_weight,
            base_margin=base_margin, eval_set=eval_set, verbose=verbose, xgb_model=xgb_model,
            sample_weight_eval_set=sample_weight_eval_set,
            base_margin_eval_set=base_margin_eval_set, feature_weights=feature_weights,
        )
        if self.device_ != "cpu":
            native.get_booster().set_param({"device": "cpu"})  # predict anywhere
            native.set_params(device="cpu")
        self.model_ = native
        self._set_fitted_attributes()
        return self

    def _to_native_y(self, y, eval_set):
        return y

    def _set_fitted_attributes(self):
        booster = self.model_.get_booster()
        try:
            self.best_iteration_ = int(booster.best_iteration)
            self.n_iter_ = self.best_iteration_ + 1
        except AttributeError:
            self.n_iter_ = int(booster.num_boosted_rounds())

    # ------------------------------------------------------------- prediction
    def _predict_native(self, X, output_margin=False, validate_features=True,
                        base_margin=None, iteration_range=None):
        X = self._check_X(X)
        return XGBModel.predict(self.model_, X, output_margin=output_margin,
                                validate_features=validate_features,
                                base_margin=base_margin, iteration_range=iteration_range)

    def apply(self, X, iteration_range=None):
        """Leaf index of each sample in each tree, as XGBoost's ``apply``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        iteration_range : tuple of int, default=None
            Trees ``[begin, end)`` to use.

        Returns
        -------
        ndarray of shape (n_samples, n_trees)
        """
        X = self._check_X(X)
        return self.model_.apply(X, iteration_range=iteration_range)

    # ------------------------------------------------- native API, answered by model_
    @property
    def booster_(self):
        """The native ``xgboost.Booster`` (``get_booster()``)."""
        return self.get_booster()

    def get_booster(self):
        """The native ``xgboost.Booster`` of the fitted model.

        Returns
        -------
        xgboost.Booster
        """
        check_fitted(self)
        return self.model_.get_booster()

    evals_result = native_method("evals_result")
    get_num_boosting_rounds = native_method("get_num_boosting_rounds")
    best_iteration = fitted_property("best_iteration", "Best round (early stopping).")
    best_score = fitted_property("best_score", "Best evaluation score (early stopping).")
    coef_ = fitted_property("coef_", "Coefficients (``booster='gblinear'`` only).")
    intercept_ = fitted_property("intercept_", "Intercept (base score or gblinear bias).")
    feature_importances_ = fitted_property(
        "feature_importances_",
        "Normalised importances of ``importance_type`` (gain for trees by default)."
    )

    def get_xgb_params(self):
        """The booster parameters, as the native wrapper's ``get_xgb_params``.

        Returns
        -------
        dict
        """
        if "model_" in vars(self):
            return self.model_.get_xgb_params()
        return self._NATIVE(**self._native_params(resolve=False)).get_xgb_params()

    def save_model(self, fname):
        """Save the model in XGBoost's format (JSON or UBJSON by extension),
        readable by XGBoost's own ``load_model`` and by this class's.

        Parameters
        ----------
        fname : str or os.PathLike
        """
        check_fitted(self)
        booster = self.get_booster()
        booster.set_attr(**{_META_KEY: json.dumps(self._metadata())})
        try:
            self.model_.save_model(fname)
        finally:
            booster.set_attr(**{_META_KEY: None})

    def load_model(self, fname):
        """Load a model saved by XGBoost (or this class): it becomes this
        estimator's fitted model.

        Parameters
        ----------
        fname : str, os.PathLike, bytearray
        """
        native = self._NATIVE(**self._native_params(resolve=False))
        native.load_model(fname)
        booster = native.get_booster()
        meta = json.loads(booster.attr(_META_KEY) or "{}")
        booster.set_attr(**{_META_KEY: None})
        self.model_ = native
        self.device_ = "cpu"
        self.n_features_in_ = int(booster.num_features())
        if "feature_names_in" in meta:
            self.feature_names_in_ = np.asarray(meta["feature_names_in"], dtype=object)
        self.categorical_features_ = np.asarray(meta.get("categorical_features", []),
                                                dtype=np.intp)
        self._special_features = np.array([], dtype=np.intp)
        if len(self.categorical_features_):
            import pandas as pd

            self._categories = {int(j): pd.Index(c) for j, c in meta["categories"].items()}
        self._present = None
        self._load_target_metadata(meta, native)
        self._set_fitted_attributes()

    def _metadata(self):
        meta = {"categorical_features": self.categorical_features_.tolist()}
        if hasattr(self, "feature_names_in_"):
            meta["feature_names_in"] = [str(c) for c in self.feature_names_in_]
        if len(self.categorical_features_):
            meta["categories"] = {str(j): c.tolist() for j, c in self._categories.items()}
        return meta

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @classmethod
    def get_test_params(cls):
        """Small, fast settings for the test suite."""
        return {"n_estimators": 5, "max_depth": 3, "n_jobs": 1, "device": "cpu"}

    @classmethod
    def get_compare_params(cls):
        """A quick but sensible fit for ``sklml compare`` (one thread: compare
        fits the folds in parallel, and OpenMP threads collapse when they
        outnumber the cores)."""
        return {"n_jobs": 1, "n_estimators": 200, "learning_rate": 0.1, "max_depth": 4,
                "device": "cpu"}


_DOC_PARAMS = """
    Parameters
    ----------
    native keywords
        Every keyword of the installed ``xgboost.{name}`` (``n_estimators``,
        ``max_depth``, ``learning_rate``, ``gamma``, ``eval_metric``,
        ``early_stopping_rounds``, ``objective``, ``multi_strategy``,
        ``importance_type``, ...), read from it, with its meaning and
        default, and any other booster parameter as a keyword (``eta=...``),
        as the native wrapper takes it. A keyword XGBoost does not use raises
        ``ValueError`` in ``fit`` naming the closest known ones. Differences:
        ``device`` defaults to "auto" (below); ``enable_categorical`` is set
        when ``X`` has categorical columns; ``early_stopping_rounds`` without
        an ``eval_set`` stops on a held-out split; ``n_jobs=None`` uses all
        cores, as XGBoost does.
    device : str, default="auto"
        "auto" trains on a CUDA GPU when XGBoost has CUDA support and the
        machine a GPU, otherwise on the CPU; "cuda" (or "cuda:N") without one
        warns and uses the CPU. The device used is ``device_``; predictions run
        on the CPU.
    validation_fraction : float in (0, 1), default=0.1
        Held-out fraction of the training data used by ``early_stopping_rounds``
        when ``fit`` gets no ``eval_set`` (stratified for classifiers, seeded by
        ``random_state``).
    params : dict, default=None
        More booster parameters (``max_bin``, ``huber_slope``...). A key that
        XGBoost does not use, or that names a keyword (``eta`` for
        ``learning_rate``, ``seed``, ``nthread``...), raises ``ValueError``.
"""

_DOC_ATTRIBUTES = """
    model_ : xgboost.{name}
        The fitted native wrapper; ``get_booster()``, ``evals_result()``,
        ``best_iteration``, ``best_score``, ``feature_importances_``,
        ``coef_``, ``intercept_`` and ``get_num_boosting_rounds()`` answer
        through it.
    booster_ : xgboost.Booster
        ``get_booster()``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    categorical_features_ : ndarray of int
        Indices of the DataFrame columns treated as categorical.
    n_iter_ : int
        Boosting rounds used for prediction.
    best_iteration_ : int
        Index of the best round (with an evaluation set).
    device_ : str
        Where training ran ("cpu", "cuda"...).
"""

_DOC_NOTES = """
    Notes
    -----
    Rows with ``sample_weight`` 0 are dropped before training, so they do not
    shape the histogram bins either; an integer weight then means repeated
    rows, up to XGBoost's float32 arithmetic. Predictions are float64.
"""

_XGB_EXTRAS = {"device": "auto", "validation_fraction": 0.1, "params": None}


def _signature(native_cls, classifier):
    extras = dict(_XGB_EXTRAS, **({"class_weight": None} if classifier else {}))
    objective = native_signature(native_cls.__init__, {}).parameters["objective"].default
    return native_signature(XGBModel.__init__, extras,
                            defaults={"device": "auto", "objective": objective},
                            var_keyword=True)


_CLF_SIGNATURE = _signature(xgboost.XGBClassifier, classifier=True)
_REG_SIGNATURE = _signature(xgboost.XGBRegressor, classifier=False)


class XGBClassifier(ClassifierPart, ClassifierMixin, _XGBAdapter):
    __doc__ = (
        """XGBoost gradient-boosted trees for classification.

    ``xgboost.XGBClassifier`` with scikit-learn's contract: any class labels
    (strings included), ``class_weight``, NaN as missing values, sparse
    matrices, pandas ``category``/string columns as categorical features,
    multi-label 0/1 targets, and ``device="auto"``.
""" + _DOC_PARAMS.format(name="XGBClassifier")
        + """    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (the label columns for multi-label targets).
    n_classes_ : int
        Number of classes."""
        + _DOC_ATTRIBUTES.format(name="XGBClassifier")
        + _DOC_NOTES
        + """
    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklml.boosting import XGBClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = XGBClassifier(n_estimators=20, max_depth=3, gamma=0.1, random_state=0)
    >>> clf = clf.fit(X[:150], y[:150], eval_set=[(X[150:], y[150:])], verbose=False)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> len(clf.evals_result()["validation_0"]["logloss"])
    20
    """
    )

    __init__ = make_init(_CLF_SIGNATURE)
    _parameter_constraints = _constraints(_CLF_SIGNATURE)
    _NATIVE = xgboost.XGBClassifier

    def _to_native_y(self, y, eval_set):
        # XGBoost wants the labels 0 .. k-1 of the classes present; zero
        # weights may have removed one
        self._present = None
        if self.multilabel_:
            return y
        present = np.unique(y)
        if len(present) == self.n_classes_:
            return y
        self._present = present
        if eval_set:
            eval_set[:] = [(Xv, np.searchsorted(present, yv)) for Xv, yv in eval_set]
        return np.searchsorted(present, y)

    def _expand(self, proba):
        present = getattr(self, "_present", None)
        if present is None:
            return proba
        full = np.zeros((proba.shape[0], self.n_classes_), dtype=proba.dtype)
        full[:, present] = proba
        return full

    def predict(self, X, *, output_margin=False, validate_features=True, base_margin=None,
                iteration_range=None):
        """Class labels, or margins with ``output_margin=True``, as XGBoost's.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        output_margin : bool, default=False
            Return the raw margins instead of labels.
        validate_features : bool, default=True
            Passed to XGBoost.
        base_margin : array-like, default=None
            Global bias of each sample.
        iteration_range : tuple of int, default=None
            Trees ``[begin, end)`` to use; default: up to the best iteration.

        Returns
        -------
        ndarray
            Labels of shape (n_samples,) (a 0/1 matrix for multi-label), or
            margins.
        """
        check_fitted(self)
        kwargs = dict(validate_features=validate_features, base_margin=base_margin,
                      iteration_range=iteration_range)
        if output_margin:
            return np.asarray(self._predict_native(X, output_margin=True, **kwargs),
                              dtype=np.float64)
        if self.multilabel_:
            X = self._check_X(X)
            return np.asarray(self.model_.predict(X, **kwargs)).astype(np.int64)
        if getattr(self, "_present", None) is not None:
            proba = self.predict_proba(X, **kwargs)
            return self.classes_[np.argmax(proba, axis=1)]
        X = self._check_X(X)
        return self._decode(self.model_.predict(X, **kwargs))

    def predict_proba(self, X, *, validate_features=True, base_margin=None,
                      iteration_range=None):
        """Class probabilities, as XGBoost's (float64).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        validate_features : bool, default=True
            Passed to XGBoost.
        base_margin : array-like, default=None
            Global bias of each sample.
        iteration_range : tuple of int, default=None
            Trees ``[begin, end)`` to use; default: up to the best iteration.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._check_X(X)
        proba = self.model_.predict_proba(X, validate_features=validate_features,
                                          base_margin=base_margin,
                                          iteration_range=iteration_range)
        return self._expand(np.asarray(proba, dtype=np.float64))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class XGBRegressor(RegressorMixin, _XGBAdapter):
    __doc__ = (
        """XGBoost gradient-boosted trees for regression.

    ``xgboost.XGBRegressor`` with scikit-learn's contract: NaN as missing
    values, sparse matrices, pandas categorical columns, multi-target ``y``
    (``multi_strategy``) and ``device="auto"``.
""" + _DOC_PARAMS.format(name="XGBRegressor")
        + """
    Attributes
    ----------"""
        + _DOC_ATTRIBUTES.format(name="XGBRegressor")
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

    __init__ = make_init(_REG_SIGNATURE)
    _parameter_constraints = _constraints(_REG_SIGNATURE)
    _NATIVE = xgboost.XGBRegressor

    def predict(self, X, *, output_margin=False, validate_features=True, base_margin=None,
                iteration_range=None):
        """Predicted values (or margins), as XGBoost's, in float64.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        output_margin : bool, default=False
            Return the raw margins (differs for objectives with a link).
        validate_features : bool, default=True
            Passed to XGBoost.
        base_margin : array-like, default=None
            Global bias of each sample.
        iteration_range : tuple of int, default=None
            Trees ``[begin, end)`` to use; default: up to the best iteration.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        out = self._predict_native(X, output_margin=output_margin,
                                   validate_features=validate_features,
                                   base_margin=base_margin, iteration_range=iteration_range)
        return np.asarray(out, dtype=np.float64)
