"""Export fitted estimators to ONNX, to run them with ONNX Runtime (C++, Python...).

:func:`to_onnx` returns an ``onnx.ModelProto``:

- decision trees, random forests, Extra-Trees and AdaBoost over trees become
  ONNX-ML tree ensembles with float32 thresholds (the ones sklml's predictor
  compares with, so labels are exactly sklml's);
- the gradient-descent models become linear operators (in double precision);
- MLP, CNN and RNN models go through ``torch.onnx.export``;
- XGBoost models through onnxmltools, CatBoost models through CatBoost's own
  exporter.

Every model takes one float32 input ``X`` of shape (N, n_features) (a CNN or
RNN also its fitted image or sequence shape) and ends like skl2onnx's
classifiers: ``label`` (the class labels, int64 or string) and
``probabilities`` (N, n_classes); regressors give ``variable`` (N, n_outputs).
A ``Pipeline`` (or a fitted search's best estimator) holding sklml estimators
is converted by skl2onnx, with sklml's converters registered, which
:func:`register_converters` also does for direct ``skl2onnx.to_onnx`` calls.

Examples
--------
>>> import numpy as np
>>> import onnxruntime as ort
>>> from sklearn.datasets import load_iris
>>> from sklml.ensemble import RandomForestClassifier
>>> from sklml.onnx import to_onnx
>>> X, y = load_iris(return_X_y=True)
>>> forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
>>> onx = to_onnx(forest, X[:1])
>>> session = ort.InferenceSession(onx.SerializeToString(),
...                                providers=["CPUExecutionProvider"])
>>> label, proba = session.run(None, {"X": X.astype(np.float32)})
>>> bool((label == forest.predict(X)).all())
True
"""

from __future__ import annotations

import numpy as np

from ._graph import NotExportableError

__all__ = ["to_onnx", "register_converters", "exportable_classes", "NotExportableError"]


def _family(est):
    module = type(est).__module__
    if not module.startswith("sklml."):
        return None
    return module.split(".")[1]


def _converter_for(est):
    """The function that exports ``est``, or a NotExportableError saying why not."""
    from . import _boosting, _linear, _trees

    family, name = _family(est), type(est).__name__
    if family == "tree":
        return lambda e, X: _trees.convert_tree(e)
    if family == "ensemble":
        if hasattr(est, "estimator_weights_"):
            conv = (_trees.convert_adaboost_classifier if hasattr(est, "classes_")
                    else _trees.convert_adaboost_regressor)
        else:
            conv = _trees.convert_forest
        return lambda e, X: conv(e)
    if family == "linear_model":
        conv = (_linear.convert_gd_classifier if hasattr(est, "classes_")
                else _linear.convert_gd_regressor)
        return lambda e, X: conv(e)
    if family == "boosting":
        library = _boosting.native_library(est)
        if library == "xgboost":
            return lambda e, X: _boosting.convert_xgboost(e)
        if library == "catboost":
            return lambda e, X: _boosting.convert_catboost(e)
        raise NotExportableError(f"{name} holds no fitted XGBoost or CatBoost model")
    if family == "neural":
        from sklearn.base import is_classifier, is_regressor

        if is_classifier(est) or is_regressor(est):
            from ._torch import convert_torch

            return convert_torch
        raise NotExportableError(
            f"{name} cannot be exported to ONNX: only the neural classifiers and "
            "regressors are (an autoencoder, VAE or GAN has no label or prediction "
            "output to export)")
    if family == "rl":
        raise NotExportableError(
            f"{name} cannot be exported to ONNX: it is a reinforcement-learning agent "
            "(it acts in an environment; it has no predict on rows of features)")
    raise NotExportableError(f"{name} ({type(est).__module__}) has no ONNX converter")


def exportable_classes():
    """The registered sklml estimator classes :func:`to_onnx` exports."""
    from sklml.registry import all_estimators, estimator_kind

    out = []
    for name, cls in all_estimators(type_filter=["classifier", "regressor"]):
        if cls.__module__.startswith("sklml.") and "agent" not in estimator_kind(cls):
            out.append(cls)
    return out


def register_converters():
    """Register sklml's estimators with skl2onnx, so that ``skl2onnx.to_onnx`` of a
    ``Pipeline`` holding them works (``to_onnx`` does it on its own)."""
    from ._skl2onnx import register_converters as register

    register(exportable_classes())


def _check_sample(X_sample, est):
    if hasattr(X_sample, "toarray"):  # a scipy sparse matrix: the graph takes dense rows
        X_sample = X_sample[:2].toarray()
    X = np.asarray(X_sample)
    if X.ndim < 2 or X.shape[0] < 1:
        raise ValueError(
            f"X_sample must hold at least one row of features (2-D, or the fitted "
            f"image/sequence shape), got shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X_sample must be numeric, got dtype {X.dtype}")
    n_features = getattr(est, "n_features_in_", None)
    flat = int(np.prod(X.shape[1:]))
    if n_features is not None and flat != n_features:
        raise ValueError(
            f"X_sample has {flat} features per row, but {type(est).__name__} was fitted "
            f"on {n_features}")
    return X.astype(np.float32)


def to_onnx(estimator, X_sample):
    """Export a fitted estimator to an ONNX model.

    Parameters
    ----------
    estimator : fitted estimator
        An sklml classifier or regressor, or a scikit-learn ``Pipeline`` (or a
        fitted ``GridSearchCV``, whose best estimator is exported) holding
        them.
    X_sample : array-like of shape (n_samples, n_features)
        A few rows of input: they fix the number of features (and, for a CNN
        or RNN, the shape of a row).  Their values do not matter.

    Returns
    -------
    onnx.ModelProto
        Input ``X`` (float32); outputs ``label`` and ``probabilities`` for a
        classifier, ``variable`` for a regressor.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    NotExportableError
        If the estimator (or a step of the pipeline) cannot be exported; the
        message names it and says why.
    ValueError
        If ``X_sample`` does not match the fitted number of features.
    """
    from sklearn.utils.validation import check_is_fitted

    if not hasattr(estimator, "fit"):
        raise TypeError(f"to_onnx exports fitted estimators, got a {type(estimator).__name__}")
    check_is_fitted(estimator)
    if hasattr(estimator, "best_estimator_"):
        estimator = estimator.best_estimator_
    if _family(estimator) is not None:
        convert = _converter_for(estimator)
        return convert(estimator, _check_sample(X_sample, estimator))
    return _via_skl2onnx(estimator, X_sample)


def _via_skl2onnx(estimator, X_sample):
    import skl2onnx
    from sklearn.base import is_classifier

    from ._graph import ML_OPSET, OPSET

    register_converters()
    X = np.asarray(X_sample, dtype=np.float32)
    steps = getattr(estimator, "steps", None)
    last = steps[-1][1] if steps else estimator
    for step in (s for _, s in steps or [] if _family(s) is not None):
        _converter_for(step)  # a step that cannot be exported says so here
    options = {id(last): {"zipmap": False}} if is_classifier(last) else None
    try:
        model = skl2onnx.to_onnx(estimator, X[:1], options=options,
                                 target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET})
    except RuntimeError as exc:  # skl2onnx: "Unable to find a shape calculator for ..."
        raise NotExportableError(
            f"skl2onnx cannot convert {type(estimator).__name__}: {exc}") from exc
    return model
