"""Neural networks (MLP, CNN, RNN) through ``torch.onnx.export``.

The exported graph takes the rows as the estimator does (flat rows, or images /
sequences in the shape it was fitted on), applies the same reshaping (read
from the fitted ``image_shape_`` / ``sequence_shape_``), runs the fitted torch
module (``net_.module_``) in evaluation mode and ends like skl2onnx's
classifiers: ``label`` and ``probabilities`` (softmax of the outputs), or
``variable`` for a regressor.
"""

from __future__ import annotations

import copy
import io
import warnings

import numpy as np
import onnx
from onnx import helper

from ._graph import INPUT, OPSET, NotExportableError, label_nodes


def _module_of(est):
    net = getattr(est, "net_", None)
    module = getattr(net, "module_", None)
    if module is None:
        raise NotExportableError(f"{type(est).__name__} has no fitted torch module (net_.module_)")
    return module


def _wrapper(est, classifier):
    import torch

    module = copy.deepcopy(_module_of(est)).to("cpu").eval()
    image_shape = getattr(est, "image_shape_", None)
    sequence_shape = getattr(est, "sequence_shape_", None)

    class Exported(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.module = module

        def forward(self, x):
            if image_shape is not None:  # rows -> (n, height, width, channels) -> NCHW
                x = x.reshape((-1,) + tuple(image_shape)).permute(0, 3, 1, 2)
            elif sequence_shape is not None:
                x = x.reshape((-1,) + tuple(sequence_shape))
            out = self.module(x)
            out = out.reshape(out.shape[0], -1)
            if classifier:
                return torch.softmax(out, dim=1), out
            return out

    return Exported()


def convert_torch(est, X_sample):
    """Export a fitted skorch-based classifier or regressor."""
    import torch

    classifier = hasattr(est, "classes_")
    wrapper = _wrapper(est, classifier)
    sample = torch.from_numpy(np.ascontiguousarray(X_sample[:2], dtype=np.float32))
    names = ["probabilities", "logits"] if classifier else ["variable"]
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        try:
            torch.onnx.export(
                wrapper, (sample,), buffer, input_names=[INPUT], output_names=names,
                dynamic_axes={INPUT: {0: "N"}, **{n: {0: "N"} for n in names}},
                opset_version=OPSET, dynamo=False)
        except Exception as exc:  # a module torch cannot trace
            raise NotExportableError(
                f"torch.onnx.export failed on {type(est).__name__}'s module "
                f"{type(_module_of(est)).__name__}: {type(exc).__name__}: {exc}") from exc
    model = onnx.load_from_string(buffer.getvalue())
    if classifier:
        nodes, inits, label_out = label_nodes(est.classes_, probabilities="logits")
        model.graph.node.extend(nodes)
        model.graph.initializer.extend(inits)
        outputs = [label_out] + [o for o in model.graph.output if o.name == "probabilities"]
        del model.graph.output[:]
        model.graph.output.extend(outputs)
    model.producer_name = "sklml"
    model.doc_string = f"sklml {type(est).__name__}"
    onnx.checker.check_model(model)
    return model
