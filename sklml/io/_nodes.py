"""skops extensions: torch tensors, skorch nets and sklml trees, without pickle.

skops persists an object by its type and its attributes, and on load builds it
with ``cls.__new__`` and ``__setstate__`` (no ``__init__``, no ``__reduce__``).
Four kinds of object need more than that:

- torch tensors (and ``Parameter``) have no attribute state; they are written
  as numpy arrays with their dtype, ``requires_grad`` and device, and rebuilt
  with ``torch.from_numpy`` (on the CPU when the saved device is absent);
- a skorch net's own ``__getstate__`` embeds a ``torch.save`` pickle of its
  modules and optimizers; its plain attributes are written instead (the
  modules, criteria and optimizers then go through the tensor node);
- a torch optimizer keeps its per-parameter state in a dict keyed by the
  parameters themselves; it is written as (parameter, state) pairs;
- an sklml ``Tree`` is walked by compiled code that does not check node ids:
  its arrays are checked on load (children after their parent and in range,
  features in range, shapes consistent), so a crafted file cannot make
  ``predict`` read out of bounds.

The hooks use skops' dispatch tables (``_get_state`` and
``NODE_TYPE_MAPPING``), as skops' own optional modules do.  The node classes
are registered on import (cheap: no torch import); the save-side dispatch of
torch and skorch types is registered by :func:`register_save_hooks` when those
libraries are loaded.
"""

from __future__ import annotations

import sys

import numpy as np
from skops.io._audit import NODE_TYPE_MAPPING, Node, get_tree
from skops.io._protocol import PROTOCOL
from skops.io._utils import _get_state, get_module, get_state, gettype
from skops.io.exceptions import UnsupportedTypeException

TENSOR_LOADER = "SklmlTensorNode"
SKORCH_LOADER = "SklmlSkorchNetNode"
TREE_LOADER = "SklmlTreeNode"

#: torch dtypes a tensor may be saved with (numpy carries all but bfloat16,
#: which travels as float32)
TENSOR_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "uint8", "int8", "int16",
    "int32", "int64", "bool", "complex64", "complex128",
)
_TENSOR_TYPES = {("torch", "Tensor"), ("torch.nn.parameter", "Parameter")}


# -- torch tensors ------------------------------------------------------------------
def tensor_get_state(obj, save_context):
    import torch

    kind = type(obj)
    if kind not in (torch.Tensor, torch.nn.Parameter):
        raise UnsupportedTypeException(
            f"sklml.io saves torch.Tensor and torch.nn.Parameter, not the tensor "
            f"subclass {get_module(kind)}.{kind.__name__}")
    if obj.is_sparse or obj.layout != torch.strided:
        raise UnsupportedTypeException("sklml.io saves dense (strided) torch tensors only")
    data = obj.detach().cpu()
    dtype = str(data.dtype).removeprefix("torch.")
    if dtype not in TENSOR_DTYPES:
        raise UnsupportedTypeException(f"sklml.io cannot save torch tensors of dtype {dtype}")
    array = data.float().numpy() if dtype == "bfloat16" else data.numpy()
    return {
        "__class__": kind.__name__,
        "__module__": "torch" if kind is torch.Tensor else "torch.nn.parameter",
        "__loader__": TENSOR_LOADER,
        "content": get_state(np.ascontiguousarray(array), save_context),
        "dtype": dtype,
        "requires_grad": bool(obj.requires_grad),
        "device": obj.device.type,
    }


class TensorNode(Node):
    """A torch tensor rebuilt from a numpy array (nothing else is called)."""

    def __init__(self, state, load_context, trusted=None):
        super().__init__(state, load_context, trusted)
        if (self.module_name, self.class_name) not in _TENSOR_TYPES:
            raise TypeError(f"not a tensor type: {self.module_name}.{self.class_name}")
        if state.get("dtype") not in TENSOR_DTYPES:
            raise TypeError(f"unknown tensor dtype {state.get('dtype')!r}")
        self.dtype = state["dtype"]
        self.requires_grad = bool(state.get("requires_grad", False))
        self.device = str(state.get("device", "cpu"))
        self.content = get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"content": self.content}

    def is_self_safe(self):
        return True  # the node builds only a Tensor or Parameter from an array

    def _construct(self):
        import torch

        array = self.content.construct()
        if not isinstance(array, np.ndarray):
            raise TypeError("a saved tensor's content must be a numpy array")
        tensor = torch.from_numpy(np.array(array)).to(getattr(torch, self.dtype))
        if self.device == "cuda" and torch.cuda.is_available():
            tensor = tensor.to("cuda")
        if self.class_name == "Parameter":
            return torch.nn.Parameter(tensor, requires_grad=self.requires_grad)
        return tensor.requires_grad_(self.requires_grad) if tensor.is_floating_point() else tensor


# -- skorch nets --------------------------------------------------------------------
def skorch_net_get_state(obj, save_context):
    # skorch's __getstate__ would torch.save (pickle) the modules and optimizers
    return {
        "__class__": type(obj).__name__,
        "__module__": get_module(type(obj)),
        "__loader__": SKORCH_LOADER,
        "content": get_state(dict(obj.__dict__), save_context),
    }


class SkorchNetNode(Node):
    """A skorch net from its plain attributes (skorch's ``__setstate__``, which
    unpickles, is bypassed)."""

    def __init__(self, state, load_context, trusted=None):
        super().__init__(state, load_context, trusted)
        self.attrs = get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"attrs": self.attrs}

    def _construct(self):
        from skorch import NeuralNet

        cls = gettype(self.module_name, self.class_name)
        if not (isinstance(cls, type) and issubclass(cls, NeuralNet)):
            raise TypeError(f"{self.module_name}.{self.class_name} is not a skorch net")
        attrs = self.attrs.construct()
        if not isinstance(attrs, dict):
            raise TypeError("a saved skorch net's attributes must be a dict")
        net = cls.__new__(cls)
        net.__dict__.update(attrs)
        device = str(attrs.get("device") or "cpu")
        if device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():  # fitted on a GPU, loaded on a CPU
                net.device = "cpu"
        return net


# -- torch optimizers ---------------------------------------------------------------
OPTIMIZER_LOADER = "SklmlTorchOptimizerNode"


def optimizer_get_state(obj, save_context):
    # the per-parameter state is a dict keyed by the parameters: written as pairs
    state = obj.__getstate__()
    content = {key: value for key, value in state.items() if key != "state"}
    content["state_items"] = [[param, value] for param, value in state["state"].items()]
    return {
        "__class__": type(obj).__name__,
        "__module__": get_module(type(obj)),
        "__loader__": OPTIMIZER_LOADER,
        "content": get_state(content, save_context),
    }


class TorchOptimizerNode(Node):
    """A torch optimizer from its parameter groups and per-parameter state."""

    def __init__(self, state, load_context, trusted=None):
        super().__init__(state, load_context, trusted)
        self.attrs = get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"attrs": self.attrs}

    def _construct(self):
        from collections import defaultdict

        import torch

        cls = gettype(self.module_name, self.class_name)
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            raise TypeError(f"{self.module_name}.{self.class_name} is not a torch optimizer")
        attrs = self.attrs.construct()
        if not isinstance(attrs, dict) or not isinstance(attrs.get("state_items"), list):
            raise TypeError("a saved optimizer's state must be a dict with state_items")
        state = {key: value for key, value in attrs.items() if key != "state_items"}
        state["state"] = defaultdict(dict, ((p, s) for p, s in attrs["state_items"]))
        optimizer = cls.__new__(cls)
        optimizer.__setstate__(state)
        return optimizer


# -- sklml trees --------------------------------------------------------------------
def tree_get_state(obj, save_context):
    return {
        "__class__": type(obj).__name__,
        "__module__": get_module(type(obj)),
        "__loader__": TREE_LOADER,
        "content": get_state(obj.__getstate__(), save_context),
    }


_TREE_ARRAYS = ("children_left", "children_right", "feature", "threshold",
                "missing_go_to_left", "impurity", "n_node_samples",
                "weighted_n_node_samples", "value")


def check_tree_arrays(state):
    """Raise ValueError unless a Tree's saved arrays describe a valid tree.

    Children come after their parent (node ids only grow along a path, so no
    walk loops) and inside the node arrays; split features index existing
    columns; every per-node array has one entry per node.
    """
    try:
        arrays = {name: np.asarray(state[name]) for name in _TREE_ARRAYS}
        n_features = int(state["n_features"])
        n_outputs = int(state["n_outputs"])
        n_classes = np.asarray(state["n_classes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"corrupt tree: {exc}") from None
    left, right, feature = (arrays[k] for k in ("children_left", "children_right", "feature"))
    n_nodes = left.shape[0] if left.ndim == 1 else -1
    if n_nodes < 1:
        raise ValueError("corrupt tree: children_left must be a non-empty 1-d array")
    for name, arr in arrays.items():
        if arr.shape[:1] != (n_nodes,):
            raise ValueError(f"corrupt tree: {name} has {arr.shape[:1]} entries, not {n_nodes}")
    if arrays["value"].ndim != 3 or arrays["value"].shape[1] != n_outputs:
        raise ValueError("corrupt tree: value must have shape (node_count, n_outputs, k)")
    if n_classes.ndim != 1 or n_classes.shape[0] != n_outputs or n_outputs < 1:
        raise ValueError("corrupt tree: n_classes must have one entry per output")
    ids = np.arange(n_nodes)
    leaf = left == -1
    if not np.array_equal(leaf, right == -1):
        raise ValueError("corrupt tree: a node has one child")
    inner = ~leaf
    for child in (left, right):
        if np.any(child[inner] <= ids[inner]) or np.any(child[inner] >= n_nodes):
            raise ValueError("corrupt tree: a child id is out of range or before its parent")
    if np.any(feature[inner] < 0) or np.any(feature[inner] >= n_features):
        raise ValueError(f"corrupt tree: a split feature is outside [0, {n_features})")


class TreeNode(Node):
    """An sklml ``Tree``, checked before it is built (see :func:`check_tree_arrays`)."""

    def __init__(self, state, load_context, trusted=None):
        super().__init__(state, load_context, trusted)
        self.trusted = self._get_trusted(trusted, ["sklml.tree._predictor.Tree"])
        self.attrs = get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"attrs": self.attrs}

    def _construct(self):
        cls = gettype(self.module_name, self.class_name)
        attrs = self.attrs.construct()
        if not isinstance(attrs, dict):
            raise ValueError("corrupt tree: its state must be a dict")
        check_tree_arrays(attrs)
        tree = cls.__new__(cls)
        tree.__setstate__(attrs)
        return tree


NODE_TYPE_MAPPING[(TENSOR_LOADER, PROTOCOL)] = TensorNode
NODE_TYPE_MAPPING[(SKORCH_LOADER, PROTOCOL)] = SkorchNetNode
NODE_TYPE_MAPPING[(TREE_LOADER, PROTOCOL)] = TreeNode
NODE_TYPE_MAPPING[(OPTIMIZER_LOADER, PROTOCOL)] = TorchOptimizerNode

_registered = set()


def register_save_hooks():
    """Register the save-side dispatch for the libraries already imported."""
    if "sklml.tree._predictor" in sys.modules and "tree" not in _registered:
        from sklml.tree._predictor import Tree

        _get_state.register(Tree)(tree_get_state)
        _registered.add("tree")
    if "torch" in sys.modules and "torch" not in _registered:
        import torch

        _get_state.register(torch.Tensor)(tensor_get_state)
        _get_state.register(torch.optim.Optimizer)(optimizer_get_state)
        _registered.add("torch")
    if "skorch" in sys.modules and "skorch" not in _registered:
        from skorch import NeuralNet

        _get_state.register(NeuralNet)(skorch_net_get_state)
        _registered.add("skorch")
