"""Gradient-descent linear models as ONNX linear operators.

Computed in double precision (as the estimators do) from ``coef_`` and
``intercept_``; probabilities come out as float32 like skl2onnx's.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ._graph import INPUT, float_input, label_nodes, make_model


def _linear_nodes(coef, intercept):
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    inits = [numpy_helper.from_array(np.ascontiguousarray(coef.T), "coef_t"),
             numpy_helper.from_array(np.atleast_1d(np.asarray(intercept, np.float64)),
                                     "intercept")]
    nodes = [helper.make_node("Cast", [INPUT], ["X64"], to=TensorProto.DOUBLE),
             helper.make_node("MatMul", ["X64", "coef_t"], ["xw"]),
             helper.make_node("Add", ["xw", "intercept"], ["scores"])]
    return nodes, inits, coef.shape[0]


def convert_gd_classifier(est):
    """Sigmoid (two classes, as softmax of ``[0, s]``) or softmax of the scores."""
    nodes, inits, n_scores = _linear_nodes(est.coef_, est.intercept_)
    n_classes = len(est.classes_)
    if n_scores == 1:
        inits.append(numpy_helper.from_array(np.zeros((1, 1)), "zero"))
        nodes += [helper.make_node("Mul", ["scores", "zero"], ["zeros"]),
                  helper.make_node("Concat", ["zeros", "scores"], ["logits"], axis=1)]
    else:
        nodes.append(helper.make_node("Identity", ["scores"], ["logits"]))
    nodes += [helper.make_node("Softmax", ["logits"], ["proba64"], axis=1),
              helper.make_node("Cast", ["proba64"], ["probabilities"], to=TensorProto.FLOAT)]
    lab_nodes, lab_inits, label_out = label_nodes(est.classes_, probabilities="logits")
    outputs = [label_out, helper.make_tensor_value_info(
        "probabilities", TensorProto.FLOAT, [None, n_classes])]
    return make_model(nodes + lab_nodes, [float_input(est.n_features_in_)], outputs,
                      inits + lab_inits, type(est).__name__, f"sklml {type(est).__name__}")


def convert_gd_regressor(est):
    """``x . w + b``, or its exponential for the Poisson loss."""
    nodes, inits, _ = _linear_nodes(est.coef_, est.intercept_)
    last = "scores"
    if getattr(est, "loss", None) == "poisson":
        nodes.append(helper.make_node("Exp", ["scores"], ["mean"]))
        last = "mean"
    nodes.append(helper.make_node("Cast", [last], ["variable"], to=TensorProto.FLOAT))
    out = helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])
    return make_model(nodes, [float_input(est.n_features_in_)], [out], inits,
                      type(est).__name__, f"sklml {type(est).__name__}")
