"""XGBoost and CatBoost models through onnxmltools and CatBoost's exporter.

The native models are read from the fitted wrappers' public state: the
XGBoost booster (``booster_``, or ``model_`` as a native model or booster),
the CatBoost model (``model_``), and the ``n_iter_`` rounds in use.
Outputs follow skl2onnx's classifiers: ``label`` (the estimator's class
labels) and ``probabilities``; ``variable`` for regressors.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from ._graph import INPUT, NotExportableError, label_nodes


#: onnxmltools' XGBoost converter supports opsets up to 15
XGB_OPSET = 15


def _check_numeric(est):
    cats = getattr(est, "categorical_features_", None)
    if cats is not None and len(cats):
        raise NotExportableError(
            f"{type(est).__name__} with categorical features {list(cats)} cannot be "
            "exported: the ONNX tree ensemble takes numeric features only")


def _finish(model, est, classifier, proba_name, value_name):
    """Rename the converter's outputs to label/probabilities or variable."""
    graph = model.graph
    keep = proba_name if classifier else value_name
    target = "probabilities" if classifier else "variable"
    # free the names this function writes (CatBoost's ZipMap output is called
    # "probabilities", the converters' own label branch "label")
    rename = {n: f"native_{n}" for n in (target, "label", "label_index", "classes")
              if n != keep}
    rename[keep] = target
    for node in graph.node:
        node.output[:] = [rename.get(o, o) for o in node.output]
        node.input[:] = [rename.get(i, i) for i in node.input]
    for init in graph.initializer:
        init.name = rename.get(init.name, init.name)
    n_out = len(est.classes_) if classifier else 1
    outputs = [helper.make_tensor_value_info(target, TensorProto.FLOAT, [None, n_out])]
    if classifier:
        nodes, inits, label_out = label_nodes(est.classes_, probabilities="probabilities")
        graph.node.extend(nodes)
        graph.initializer.extend(inits)
        outputs.insert(0, label_out)
    del graph.output[:]
    graph.output.extend(outputs)
    _prune(graph)
    model.ir_version = max(model.ir_version, 8)  # constants as initializers (IR >= 4)
    if not any(imp.domain in ("", "ai.onnx") for imp in model.opset_import):
        model.opset_import.append(helper.make_opsetid("", XGB_OPSET))  # for ArgMax
    model.producer_name = "sklml"
    model.doc_string = f"sklml {type(est).__name__}"
    onnx.checker.check_model(model)
    return model


def _prune(graph):
    """Drop nodes no output depends on (the converters' own label branch)."""
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))


def native_library(est):
    """"xgboost" or "catboost", from the fitted native model's type (or None)."""
    for attr in ("booster_", "model_"):
        module = type(getattr(est, attr, None)).__module__
        for library in ("xgboost", "catboost"):
            if module.startswith(library + "."):
                return library
    return None


def _xgboost_booster(est):
    booster = getattr(est, "booster_", None)
    if booster is None:
        model = est.model_
        booster = model.get_booster() if hasattr(model, "get_booster") else model
    n_iter = getattr(est, "n_iter_", None)
    return booster if n_iter is None else booster[0:int(n_iter)]


def _check_single_output(est):
    if getattr(est, "multilabel_", False) or getattr(est, "n_outputs_", 1) != 1:
        raise NotExportableError(
            f"{type(est).__name__} with several outputs (multi-label or multi-target) "
            "cannot be exported: the converters write one label or value per row")


def convert_xgboost(est):
    from onnxmltools import convert_xgboost as _convert
    from onnxmltools.convert.common.data_types import FloatTensorType

    _check_numeric(est)
    _check_single_output(est)
    booster = _xgboost_booster(est)
    classifier = hasattr(est, "classes_")
    try:
        model = _convert(booster, initial_types=[(INPUT, FloatTensorType([None, est.n_features_in_]))],
                         target_opset=XGB_OPSET)
    except Exception as exc:
        raise NotExportableError(
            f"onnxmltools cannot convert {type(est).__name__}'s booster: "
            f"{type(exc).__name__}: {exc}") from exc
    names = [o.name for o in model.graph.output]
    if classifier:
        return _finish(model, est, True, names[-1], None)
    return _finish(model, est, False, None, names[0])


def convert_catboost(est):
    _check_numeric(est)
    _check_single_output(est)
    classifier = hasattr(est, "classes_")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        try:
            est.model_.save_model(path, format="onnx")
        except Exception as exc:
            raise NotExportableError(
                f"CatBoost cannot export {type(est).__name__} to ONNX: {exc}") from exc
        model = onnx.load(path)
    graph = model.graph
    graph.input[0].name, old_input = INPUT, graph.input[0].name
    for node in graph.node:
        node.input[:] = [INPUT if i == old_input else i for i in node.input]
    if classifier:
        # CatBoost ends with a ZipMap (a list of dicts): take the tensor before it
        zipmap = [n for n in graph.node if n.op_type == "ZipMap"]
        proba = zipmap[0].input[0] if zipmap else graph.output[-1].name
        return _finish(model, est, True, proba, None)
    return _finish(model, est, False, None, graph.output[0].name)
