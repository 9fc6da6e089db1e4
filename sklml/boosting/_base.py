"""What the four adapters share: parameters, input checks, labels, weights,
the early-stopping split and the ``params`` dict rules.

The libraries themselves are imported only inside ``fit`` and the prediction
methods of the subclasses, so importing this module stays cheap.
"""

import difflib
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, is_classifier
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    _check_y,
    check_array,
    check_consistent_length,
    check_is_fitted,
    check_random_state,
    validate_data,
)

_FLOATS = [np.float64, np.float32]


def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes") and hasattr(X, "columns")


def _categorical_columns(X):
    """Indices of the columns of a DataFrame that are not numeric or boolean."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return np.array(
        [
            j
            for j, dtype in enumerate(X.dtypes)
            if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
        ],
        dtype=np.intp,
    )


def _take(X, idx):
    return X.iloc[idx] if _is_dataframe(X) else X[idx]


class _BaseBoosting(BaseEstimator):
    """Base of the adapters; subclasses set the class attributes below and
    implement ``_train`` and ``_predict_raw``."""

    # named parameter -> keys of the library meaning the same thing (in params)
    _NAMED_ALIASES = {}
    # keys the adapter sets itself -> why they are not accepted in params
    _RESERVED = {}
    _LIBRARY = ""
    _MIN_SAMPLES = 1

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "subsample": [Interval(Real, 0, 1, closed="right"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "early_stopping_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "verbose": ["verbose"],
        "params": [dict, None],
    }

    # ----------------------------------------------------------------- params
    def _extra_params(self):
        """``params`` checked against the named parameters and the reserved keys."""
        extra = dict(self.params or {})
        owners = {
            alias: name for name, aliases in self._NAMED_ALIASES.items() for alias in aliases
        }
        for key in extra:
            if not isinstance(key, str):
                raise TypeError(
                    f"{type(self).__name__}: the keys of params must be strings, got {key!r}"
                )
            if key in owners:
                name = owners[key]
                raise ValueError(
                    f"{type(self).__name__}: params[{key!r}] conflicts with the named "
                    f"parameter {name!r}; set {name}=... instead of passing {key!r} in "
                    "params."
                )
            if key in self._RESERVED:
                raise ValueError(
                    f"{type(self).__name__}: params[{key!r}] is not accepted: "
                    f"{self._RESERVED[key]}."
                )
        return extra

    def _unknown_params_error(self, unknown, known):
        hints = []
        for key in sorted(unknown):
            close = difflib.get_close_matches(key, sorted(known), n=2, cutoff=0.6)
            hints.append(f"{key!r}" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
        return ValueError(
            f"{type(self).__name__}: unknown {self._LIBRARY} parameter(s) in params: "
            f"{', '.join(hints)}."
        )

    def _seed(self):
        """An int seed: ``random_state`` itself, one drawn from a RandomState, or
        the libraries' default 0 for None."""
        if self.random_state is None:
            return 0
        if isinstance(self.random_state, Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    # ------------------------------------------------------------------ input
    def _validate_fit_data(self, X, y):
        """Checked ``X`` (ndarray, or a DataFrame with positional names when it
        has categorical columns) and ``y``; sets ``categorical_features_``."""
        classifier = is_classifier(self)
        if _is_dataframe(X) and len(_categorical_columns(X)):
            self.categorical_features_ = _categorical_columns(X)
            Xc = self._validate_frame(X, reset=True)
            y = _check_y(y, y_numeric=not classifier, estimator=self)
            check_consistent_length(Xc, y)
            return Xc, y
        self.categorical_features_ = np.array([], dtype=np.intp)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
            y_numeric=not classifier,
            ensure_min_samples=self._MIN_SAMPLES,
        )
        return X, y

    def _validate_X(self, X):
        check_is_fitted(self)
        if len(self.categorical_features_):
            return self._validate_frame(X, reset=False)
        return validate_data(
            self, X, dtype=_FLOATS, ensure_all_finite="allow-nan", reset=False
        )

    def _validate_frame(self, X, reset):
        """A DataFrame with categorical columns -> a DataFrame named f0, f1, ...
        whose numeric columns are checked floats and categorical ones as given."""
        import pandas as pd

        _check_feature_names(self, X, reset=reset)
        if not _is_dataframe(X):
            X = check_array(X, dtype=None, ensure_all_finite=False)
            X = pd.DataFrame(X)
        _check_n_features(self, X, reset=reset)
        cat = set(self.categorical_features_.tolist())
        num = [j for j in range(X.shape[1]) if j not in cat]
        X_num = check_array(
            X.iloc[:, num],
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
            ensure_min_features=0,
            ensure_min_samples=self._MIN_SAMPLES if reset else 1,
            input_name="X",
        )
        columns = {}
        k = 0
        for j in range(X.shape[1]):
            if j in cat:
                columns[f"f{j}"] = X.iloc[:, j].reset_index(drop=True)
            else:
                columns[f"f{j}"] = X_num[:, k]
                k += 1
        return pd.DataFrame(columns)

    def _fit_weights(self, sample_weight, X, y):
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            from sklearn.utils import compute_sample_weight

            cw = compute_sample_weight(class_weight, y)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        return sample_weight

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the boosted trees.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data. NaN marks a missing value. Non-numeric columns of a
            DataFrame (``category``, strings) are categorical features.
        y : array-like of shape (n_samples,)
            Target values (class labels of any type for classifiers).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; multiplied by the ``class_weight`` weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        extra = self._extra_params()
        X, y = self._validate_fit_data(X, y)
        y = self._encode_target(y)
        sample_weight = self._fit_weights(sample_weight, X, y)
        if sample_weight is not None and not np.all(sample_weight > 0):
            # a zero weight means "not there": drop the row, so that it does not
            # move the libraries' histogram bins either
            keep = np.flatnonzero(sample_weight > 0)
            X, y, sample_weight = _take(X, keep), y[keep], sample_weight[keep]
            if is_classifier(self) and len(np.unique(y)) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes with a "
                    "positive sample_weight, but only one class has any."
                )
        seed = self._seed()
        evaluation = None
        if self.early_stopping_rounds is not None:
            from sklearn.model_selection import train_test_split

            stratify = y if is_classifier(self) else None
            train, valid = train_test_split(
                np.arange(len(y)),
                test_size=self.validation_fraction,
                stratify=stratify,
                random_state=seed,
            )
            w = sample_weight
            evaluation = (
                _take(X, valid),
                y[valid],
                None if w is None else w[valid],
            )
            X, y = _take(X, train), y[train]
            sample_weight = None if w is None else w[train]
        self._train(X, y, sample_weight, evaluation, extra, seed)
        return self

    def _encode_target(self, y):
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags


class _ClassifierPart:
    """Label encoding and probability-based prediction for the classifiers."""

    def _encode_target(self, y):
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {self.classes_[0]!r}"
            )
        self.n_classes_ = len(self.classes_)
        return y_encoded

    def _fit_weights(self, sample_weight, X, y):
        # class_weight is keyed by the original labels
        if self.class_weight is not None:
            return super()._fit_weights(sample_weight, X, self.classes_[y])
        return super()._fit_weights(sample_weight, X, y)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._validate_X(X)
        proba = np.asarray(self._predict_raw(X), dtype=np.float64)
        if proba.ndim == 1:
            proba = np.column_stack([1.0 - proba, proba])
        return proba

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class _RegressorPart:
    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._validate_X(X)
        return np.asarray(self._predict_raw(X), dtype=np.float64).ravel()
