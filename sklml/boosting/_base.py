"""What the four adapters share: the constructor built from the native
signature, input checks, labels, weights and the early-stopping split.

Each adapter fits the library's own scikit-learn wrapper (``model_``) on
checked data, so whatever the native wrapper computes, the adapter computes
too; this module holds the parts that wrap it.
"""

import difflib
import inspect
import json
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
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
_SPARSE = ("csr", "csc")
_KEYWORD = inspect.Parameter.KEYWORD_ONLY

# the adapters' own constructor keywords and their constraints
EXTRA_CONSTRAINTS = {
    "device": [
        StrOptions({"auto", "cpu", "cuda", "gpu"}),
        Hidden(StrOptions({f"{kind}:{i}" for kind in ("cuda", "gpu") for i in range(64)})),
        None,
    ],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "params": [dict, None],
}
CLASS_WEIGHT_CONSTRAINT = [dict, StrOptions({"balanced"}), None]


# ------------------------------------------------------------- constructor
def native_signature(native_init, extras, defaults=None, var_keyword=False):
    """A keyword-only ``__init__`` signature: the native one, in its order and
    with its defaults (``defaults`` overrides some), then the adapter's
    ``extras`` (name -> default) that the native one lacks."""
    defaults = defaults or {}
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    seen = set()
    for p in inspect.signature(native_init).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = defaults.get(p.name, p.default)
        parameters.append(inspect.Parameter(p.name, _KEYWORD, default=default))
        seen.add(p.name)
    for name, default in extras.items():
        if name not in seen:
            parameters.append(inspect.Parameter(name, _KEYWORD, default=default))
    if var_keyword:
        parameters.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)


def make_init(signature):
    """An ``__init__`` that stores every keyword of ``signature`` unchanged and
    hands the others to ``self._unexpected_keywords``; scikit-learn's
    ``get_params`` reads ``signature`` from it."""
    names = [(p.name, p.default) for p in signature.parameters.values() if p.kind is _KEYWORD]

    def __init__(self, **kwargs):
        for name, default in names:
            setattr(self, name, kwargs.pop(name, default))
        if kwargs:
            self._unexpected_keywords(kwargs)

    __init__.__signature__ = signature
    return __init__


def closest(name, candidates, n=3):
    return difflib.get_close_matches(name, sorted(candidates), n=n, cutoff=0.6)


def describe_unknown(key, known, other_known, other_adapter):
    """``'key' (did you mean ...?)`` or ``'key' (a ... parameter: use ...)``."""
    if key in other_known and key not in known:
        return f"{key!r} (a parameter of {other_adapter}, not of this adapter)"
    close = closest(key, known)
    return f"{key!r}" + (f" (did you mean {' or '.join(close)}?)" if close else "")


# --------------------------------------------------------------- frames
def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes") and hasattr(X, "columns")


def _non_numeric_columns(X):
    """Indices of the columns of a DataFrame that are not numeric or boolean."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return [
        j for j, dtype in enumerate(X.dtypes)
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
    ]


def _take(X, idx):
    if X is None:
        return None
    return X.iloc[idx] if _is_dataframe(X) else X[idx]


def column_indices(columns, X, n_features, what):
    """Column names or indices (``cat_features=["det"]``) -> sorted indices."""
    if columns is None:
        return []
    names = list(X.columns) if _is_dataframe(X) else None
    out = []
    for c in np.atleast_1d(np.asarray(columns, dtype=object)).tolist():
        if isinstance(c, (Integral, np.integer)) and not isinstance(c, bool):
            if not 0 <= int(c) < n_features:
                raise ValueError(f"{what}: column index {c} is out of range for "
                                 f"{n_features} features")
            out.append(int(c))
        elif names is not None and c in names:
            out.append(names.index(c))
        else:
            raise ValueError(f"{what}: {c!r} is not a column of X")
    return sorted(set(out))


class BoostingBase(BaseEstimator):
    """Base of the adapters. A subclass defines the native class, the
    ``_fit_native`` step and the prediction methods."""

    _LIBRARY = ""
    _MIN_SAMPLES = 1
    _LARGE_SPARSE = True

    def _unexpected_keywords(self, kwargs):
        raise NotImplementedError

    # ------------------------------------------------------------------ seed
    def _seed(self, random_state):
        """An int seed, or None for the library's default."""
        if random_state is None or isinstance(random_state, Integral):
            return random_state
        return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))

    # ------------------------------------------------------------------ input
    def _validate_fit_data(self, X, y, passthrough=(), text=(), embedding=()):
        """Checked ``X`` and ``y``. ``X`` stays a DataFrame when it has
        categorical, text or embedding columns (then checked column by column),
        otherwise becomes a float array or a CSR/CSC matrix. Sets
        ``categorical_features_`` (non-numeric columns not named as text or
        embedding, plus ``passthrough``)."""
        classifier = is_classifier(self)
        multi = self._multi_output_tag()
        frame = _is_dataframe(X)
        special = set(text) | set(embedding)
        auto = [j for j in _non_numeric_columns(X) if j not in special] if frame else []
        self.categorical_features_ = np.array(sorted(set(auto) | set(passthrough)),
                                              dtype=np.intp)
        self._special_features = np.array(sorted(special), dtype=np.intp)
        if len(self.categorical_features_) or len(self._special_features):
            Xc = self._validate_frame(X, reset=True)
            y = _check_y(y, multi_output=multi, y_numeric=not classifier, estimator=self)
            check_consistent_length(Xc, y)
            return Xc, y
        return validate_data(
            self, X, y, accept_sparse=_SPARSE, accept_large_sparse=self._LARGE_SPARSE,
            dtype=_FLOATS, ensure_all_finite="allow-nan",
            multi_output=multi, y_numeric=not classifier,
            ensure_min_samples=self._MIN_SAMPLES,
        )

    def _multi_output_tag(self):
        return True

    def _validate_X(self, X):
        check_is_fitted(self, "model_")
        return self._validate_more_X(X)

    def _validate_more_X(self, X):
        """X checked against the training data (prediction, eval sets)."""
        if len(self.categorical_features_) or len(getattr(self, "_special_features", ())):
            return self._validate_frame(X, reset=False)
        if self._is_plain_float_matrix(X):
            return X
        return validate_data(self, X, accept_sparse=_SPARSE,
                             accept_large_sparse=self._LARGE_SPARSE, dtype=_FLOATS,
                             ensure_all_finite="allow-nan", reset=False)

    def _is_plain_float_matrix(self, X):
        """True for the common prediction input that ``validate_data`` would
        return unchanged: a non-empty 2-D float32/float64 ``ndarray`` with the
        fitted number of columns, for a model fitted without feature names.

        ``validate_data`` costs ~0.2 ms a call, most of it a finiteness scan.
        Both libraries take NaN and inf in prediction data themselves, so for
        this input the scan protects nothing; anything else (lists, frames,
        sparse matrices, other dtypes or shapes, a model fitted on named
        columns, whose missing names scikit-learn warns about) takes the full
        check and its errors.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOATS
            and X.shape[0] > 0
            and X.shape[1] == getattr(self, "n_features_in_", -1)
            and not hasattr(self, "feature_names_in_")
        )

    def _validate_frame(self, X, reset):
        """A DataFrame whose numeric columns are checked floats and whose
        categorical, text and embedding columns are kept as given; columns keep
        their names when they are strings, else are named f0, f1, ..."""
        import pandas as pd

        _check_feature_names(self, X, reset=reset)
        if not _is_dataframe(X):
            X = pd.DataFrame(check_array(X, dtype=None, ensure_all_finite=False))
        _check_n_features(self, X, reset=reset)
        kept = set(self.categorical_features_.tolist()) | set(self._special_features.tolist())
        num = [j for j in range(X.shape[1]) if j not in kept]
        X_num = check_array(
            X.iloc[:, num], dtype=_FLOATS, ensure_all_finite="allow-nan",
            ensure_min_features=0, ensure_min_samples=self._MIN_SAMPLES if reset else 1,
            input_name="X",
        )
        names = getattr(self, "feature_names_in_", None)
        columns = {}
        k = 0
        for j in range(X.shape[1]):
            name = str(names[j]) if names is not None else f"f{j}"
            if j in kept:
                columns[name] = X.iloc[:, j].reset_index(drop=True)
            else:
                columns[name] = X_num[:, k]
                k += 1
        return pd.DataFrame(columns)

    def _encode_target(self, y):
        return y

    def _encode_eval_target(self, y):
        return y

    def _check_weights(self, sample_weight, X, y):
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            from sklearn.utils import compute_sample_weight

            cw = compute_sample_weight(class_weight, self._labels_of(y))
            sample_weight = cw if sample_weight is None else sample_weight * cw
        return sample_weight

    def _labels_of(self, y):
        return y

    def _load_target_metadata(self, meta, model):
        """Restore what a saved model's metadata says of the target (nothing
        for a regressor; :class:`ClassifierPart` restores the classes)."""

    def _drop_zero_weights(self, X, y, sample_weight, *row_arrays):
        """A zero weight means "not there": the row is dropped, so that it does
        not move the libraries' histogram bins either."""
        if sample_weight is None or np.all(sample_weight > 0):
            return (X, y, sample_weight, *row_arrays)
        keep = np.flatnonzero(sample_weight > 0)
        if is_classifier(self) and np.ndim(y) == 1 and len(np.unique(y[keep])) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes with a "
                "positive sample_weight, but only one class has any."
            )
        rows = [None if a is None else _take(np.asarray(a), keep) for a in row_arrays]
        return (_take(X, keep), y[keep], sample_weight[keep], *rows)

    def _validation_split(self, X, y, sample_weight, seed, *row_arrays):
        """Train/validation parts of ``validation_fraction`` (stratified for
        single-output classifiers, seeded by ``random_state``)."""
        from sklearn.model_selection import train_test_split

        stratify = y if is_classifier(self) and np.ndim(y) == 1 else None
        train, valid = train_test_split(
            np.arange(len(y)), test_size=self.validation_fraction, stratify=stratify,
            random_state=seed if seed is not None else 0,
        )

        def part(idx):
            return [_take(X, idx), y[idx], _take(sample_weight, idx),
                    *[_take(a, idx) for a in row_arrays]]

        return part(train), part(valid)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags


class ClassifierPart:
    """What the classifiers of both libraries share: label encoding
    (``classes_`` are any labels, the native model sees 0 .. n_classes-1; a
    0/1 indicator matrix is multi-label) and the classes kept in a saved
    model's metadata (``_metadata`` / ``_load_target_metadata``)."""

    def _encode_target(self, y):
        if np.ndim(y) == 2 and y.shape[1] == 1:
            y = y.ravel()
        check_classification_targets(y)
        if np.ndim(y) == 2:
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError(
                    f"{type(self).__name__}: a 2-D y must be a multi-label indicator "
                    "matrix of 0 and 1."
                )
            self.multilabel_ = True
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            return np.asarray(y, dtype=np.int64)
        self.multilabel_ = False
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {self.classes_[0]!r}"
            )
        self.n_classes_ = len(self.classes_)
        return y_encoded

    def _encode_eval_target(self, y):
        y = np.asarray(y)
        if self.multilabel_:
            return y
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if not np.all(self.classes_[index] == y):
            unseen = sorted(set(y.tolist()) - set(self.classes_.tolist()))
            raise ValueError(f"{type(self).__name__}: eval_set has labels not seen in y: "
                             f"{unseen[:5]}")
        return index

    def _labels_of(self, y):
        return y if self.multilabel_ else self.classes_[y]

    def _decode(self, encoded):
        if self.multilabel_:
            return encoded
        return self.classes_[np.asarray(encoded).astype(np.intp).ravel()]

    # a saved model (``save_model``) carries the classes in its metadata
    def _metadata(self):
        meta = super()._metadata()
        labels = self.classes_.tolist()
        try:
            json.dumps(labels)
        except TypeError:  # labels JSON cannot hold: the native model's 0..k-1
            labels = None
        meta.update(classes=labels, multilabel=bool(self.multilabel_))
        return meta

    def _load_target_metadata(self, meta, model):
        self.multilabel_ = bool(meta.get("multilabel", False))
        labels = meta.get("classes")
        self.classes_ = np.asarray(labels) if labels is not None else np.asarray(model.classes_)
        self.n_classes_ = len(self.classes_)


def check_fitted(estimator):
    check_is_fitted(estimator, "model_")


def fitted_property(name, doc):
    """A read-only attribute answered by the native model (``model_``)."""

    def getter(self):
        if "model_" not in vars(self):
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} before "
                                 "it is fitted")
        return getattr(self.model_, name)

    return property(getter, doc=doc)


def native_method(name):
    """A method answered by the fitted native model."""

    def method(self, *args, **kwargs):
        check_fitted(self)
        return getattr(self.model_, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"The native model's ``{name}``, on ``model_``."
    return method
