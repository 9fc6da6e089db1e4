"""What the ensembles share: validation, binning once, and trees grown on it."""

import os

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from sklml.tree._binning import LABEL_DTYPE, bin_data, encode_labels, kernel_array
from sklml.tree._classes import resolve_max_features

MAX_INT = np.iinfo(np.int32).max
EMPTY_CLS = np.zeros(1, dtype=LABEL_DTYPE)
EMPTY_REG = np.zeros((1, 1), dtype=np.float64)
UNIT_WEIGHT = np.zeros(0, dtype=np.float64)  # the builder reads it as all ones


def validate_fit(est, X, y, sample_weight, is_clf, multi_output):
    """X as float32 (NaN allowed when dense) or CSR, y encoded, sample_weight
    float64 or ones."""
    X, y = validate_data(est, X, y, dtype=np.float32, order="C",
                         accept_sparse=("csr", "csc"),
                         ensure_all_finite=True if issparse(X) else "allow-nan",
                         multi_output=multi_output, y_numeric=not is_clf)
    X = X.tocsr() if issparse(X) else kernel_array(X, np.float32)
    n = X.shape[0]
    if sample_weight is None:
        sw = np.ones(n, dtype=np.float64)
    else:
        sw = kernel_array(_check_sample_weight(sample_weight, X, dtype=np.float64,
                                               ensure_non_negative=True), np.float64)
    if is_clf:
        check_classification_targets(y)
        est.classes_, y_cls = encode_labels(y)
        est.n_classes_ = len(est.classes_)
        return X, y_cls, EMPTY_REG, sw
    y_reg = kernel_array(np.asarray(y, dtype=np.float64).reshape(n, -1), np.float64)
    return X, EMPTY_CLS, y_reg, sw


def prepare_tree(template, n_features, is_clf, n_classes, classes, n_outputs,
                 random_state, feature_names=None):
    """An unfitted sklml tree made ready for ``_grow`` (fitted attributes set).

    A copy of ``template``'s parameters without ``clone`` (whose signature
    inspection would cost more than growing a stump).
    """
    tree = object.__new__(type(template))
    tree.__dict__.update({k: v for k, v in template.__dict__.items()
                          if not k.endswith("_") or k.startswith("_")})
    tree.random_state = random_state
    tree.n_features_in_ = n_features
    if feature_names is not None:
        tree.feature_names_in_ = feature_names
    tree.n_outputs_ = n_outputs
    if is_clf:
        tree.classes_ = classes
        tree.n_classes_ = n_classes
    tree.max_features_ = resolve_max_features(tree.max_features, n_features)
    if tree.max_features_ > n_features:
        raise ValueError(f"max_features must be at most n_features={n_features}, "
                         f"got {tree.max_features}.")
    return tree


def threads_pay():
    """Whether a single tree should spread its large histograms over threads:
    only when the cores are not already busy (a parallel region whose threads
    get descheduled waits for the slowest and ends up slower than serial)."""
    try:
        return os.getloadavg()[0] < (os.cpu_count() or 1) - 0.5
    except OSError:
        return True


def bin_once(X, max_bins, sample_weight, seed):
    """The binned matrix every tree of the ensemble grows on."""
    return bin_data(X, max_bins, sample_weight, seed)
