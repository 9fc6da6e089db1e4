"""Converters that let ``skl2onnx.to_onnx`` convert pipelines holding sklml
estimators: each sklml estimator's own graph (from :func:`sklml.onnx.to_onnx`)
is inlined into skl2onnx's, its tensors renamed into skl2onnx's scope."""

from __future__ import annotations

import copy

import numpy as np
from onnx import helper

_registered = False


def _alias(cls):
    return f"Sklml{cls.__name__}"


def _shape_calculator(operator):
    from skl2onnx.common.data_types import (FloatTensorType, Int64TensorType,
                                            StringTensorType)

    est = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    if hasattr(est, "classes_"):
        kind = np.asarray(est.classes_).dtype.kind
        operator.outputs[0].type = (StringTensorType([n]) if kind in "UO"
                                    else Int64TensorType([n]))
        if len(operator.outputs) > 1:
            operator.outputs[1].type = FloatTensorType([n, len(est.classes_)])
    else:
        operator.outputs[0].type = FloatTensorType([n, int(getattr(est, "n_outputs_", 1))])


def _converter(scope, operator, container):
    from onnx import TensorProto

    from . import to_onnx

    est = operator.raw_operator
    x = operator.inputs[0]
    n_features = x.type.shape[1] if len(x.type.shape) > 1 else est.n_features_in_
    sample = np.zeros((1, n_features if isinstance(n_features, int) else est.n_features_in_),
                      dtype=np.float32)
    model = to_onnx(est, sample)
    rename = {}

    def name(old):
        if old == "":
            return ""
        if old not in rename:
            rename[old] = scope.get_unique_variable_name(f"{_alias(type(est))}_{old}")
        return rename[old]

    x_name = x.full_name
    if x.type.to_onnx_type().tensor_type.elem_type != TensorProto.FLOAT:
        x_name = scope.get_unique_variable_name("X_float")
        container.add_node("Cast", [x.full_name], [x_name], to=TensorProto.FLOAT,
                           name=scope.get_unique_operator_name("Cast"))
    rename[model.graph.input[0].name] = x_name
    outs = [o.name for o in model.graph.output]
    for sub_name, var in zip(outs, operator.outputs):
        rename[sub_name] = var.full_name
    for init in model.graph.initializer:
        tensor = copy.deepcopy(init)
        tensor.name = name(init.name)
        container.initializers.append(tensor)
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        attrs = {k: (v.decode() if isinstance(v, bytes) else
                     [i.decode() if isinstance(i, bytes) else i for i in v]
                     if isinstance(v, list) else v) for k, v in attrs.items()}
        container.add_node(node.op_type, [name(i) for i in node.input],
                           [name(o) for o in node.output], op_domain=node.domain,
                           op_version=_opset(model, node.domain),
                           name=scope.get_unique_operator_name(node.op_type or "node"),
                           **attrs)


def _opset(model, domain):
    for imp in model.opset_import:
        if imp.domain == domain:
            return imp.version
    return None


def register_converters(classes):
    """Register the skl2onnx converter for each sklml estimator class."""
    global _registered
    from skl2onnx import update_registered_converter

    for cls in classes:
        options = {"zipmap": [True, False, "columns"], "nocl": [True, False]} \
            if hasattr(cls, "predict_proba") else None
        update_registered_converter(cls, _alias(cls), _shape_calculator, _converter,
                                    options=options)
    _registered = True
