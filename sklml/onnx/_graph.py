"""Small ONNX graph helpers shared by the converters."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

#: opsets of the exported models (ONNX Runtime >= 1.14 runs them)
OPSET = 17
ML_OPSET = 3
INPUT = "X"


class NotExportableError(TypeError):
    """The estimator cannot be exported to ONNX; the message says which and why."""


def class_labels(classes):
    """The labels as an ONNX constant: int64 for integers, strings for text."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        return numpy_helper.from_array(classes.astype(np.int64), "classes")
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        return numpy_helper.from_array(classes.astype(np.int64), "classes")
    if classes.dtype.kind in "UO" and all(isinstance(c, str) for c in classes.tolist()):
        tensor = helper.make_tensor("classes", TensorProto.STRING, [len(classes)],
                                    [c.encode() for c in classes.tolist()])
        return tensor
    raise NotExportableError(
        f"class labels of dtype {classes.dtype} cannot be ONNX labels (integers or "
        "strings only)")


def label_nodes(classes, probabilities="probabilities", label="label"):
    """Nodes and constant that turn probabilities into ``label`` (first maximum)."""
    const = class_labels(classes)
    nodes = [
        # first maximum, as numpy's argmax (the default of every ArgMax version)
        helper.make_node("ArgMax", [probabilities], ["label_index"], axis=1, keepdims=0),
        helper.make_node("Gather", ["classes", "label_index"], [label], axis=0),
    ]
    out = helper.make_tensor_value_info(label, const.data_type, [None])
    return nodes, [const], out


def float_input(n_features, shape=None):
    shape = [None, n_features] if shape is None else [None, *shape]
    return helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, shape)


def make_model(nodes, inputs, outputs, initializers, name, doc, ml=False):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    if ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="sklml",
                              doc_string=doc)
    model.ir_version = 8  # readable by ONNX Runtime >= 1.14
    onnx.checker.check_model(model)
    return model
