"""Small torch helpers shared by every neural estimator (and the RL agents).

Names, not objects, cross the estimator boundary: an estimator stores
``activation="relu"`` or ``init="he"`` and turns it into torch objects here,
inside ``fit``. Import this module only from code that needs torch.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "make_activation",
    "init_weights",
    "resolve_device",
    "local_torch_rng",
]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "logistic": nn.Sigmoid,  # scikit-learn's name
    "identity": nn.Identity,
}

INITS = ("glorot", "he", "lecun", "default")


def make_activation(name):
    """A fresh activation module for ``name`` (a key of :data:`ACTIVATIONS`)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        ) from None


def init_weights(module, init, activation="relu"):
    """Initialise Linear/Conv weights in place (biases to zero).

    ``glorot`` (Xavier uniform) suits tanh/sigmoid, ``he`` (Kaiming normal)
    suits ReLU-like units, ``lecun`` (normal with variance 1/fan_in) suits SELU;
    ``default`` keeps torch's initialisation.
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}, got {init!r}")
    if init == "default":
        return module
    nonlinearity = "leaky_relu" if activation == "leaky_relu" else "relu"
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):
            if init == "glorot":
                nn.init.xavier_uniform_(m.weight)
            elif init == "he":
                nn.init.kaiming_normal_(m.weight, nonlinearity=nonlinearity)
            else:  # lecun
                nn.init.kaiming_normal_(m.weight, nonlinearity="linear")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def resolve_device(device, estimator_name="estimator"):
    """The device to train on, by the one policy of :func:`sklml._training.resolve_device`."""
    from .._training import resolve_device as _resolve

    return _resolve(device, estimator_name)


@contextmanager
def local_torch_rng(seed, device="cpu"):
    """Run the block on torch generators seeded with ``seed`` and restore the
    global generators afterwards (sklml's seeding policy: a fit's draws are
    reproducible and the caller's ``torch`` random state is left untouched)."""
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def to_float32(X):
    """``X`` as a C-contiguous float32 numpy array (torch's working dtype)."""
    return np.ascontiguousarray(X, dtype=np.float32)
