"""Small torch helpers shared by every neural estimator (and the RL agents).

Names, not objects, cross the estimator boundary: an estimator stores
``activation="relu"`` or ``optimizer="nadam"`` and turns it into torch objects
here, inside ``fit``. Import this module only from code that needs torch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "OPTIMIZERS",
    "make_activation",
    "optimizer_spec",
    "init_weights",
    "resolve_device",
    "seed_everything",
]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}

# name -> (torch optimizer class, fixed keyword arguments)
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adam": (torch.optim.Adam, {}),
    "nadam": (torch.optim.NAdam, {}),
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


def optimizer_spec(name, momentum=None):
    """``(optimizer class, kwargs)`` for an optimizer name of the lectures.

    ``momentum`` overrides the 0.9 default of "momentum" and "nesterov".
    Returned kwargs suit skorch's ``optimizer__`` routing.
    """
    try:
        cls, kwargs = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}"
        ) from None
    kwargs = dict(kwargs)
    if momentum is not None and "momentum" in kwargs:
        kwargs["momentum"] = momentum
    return cls, kwargs


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


def resolve_device(device):
    """Map ``"auto" | "cpu" | "cuda" | "cuda:N"`` to a device string.

    ``"auto"`` picks CUDA when available. Asking for CUDA on a machine without
    it raises a ``ValueError`` rather than failing deep inside torch.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str) or not (device == "cpu" or device.startswith("cuda")):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for but CUDA is not available on this "
            "machine; use device='auto' or 'cpu'"
        )
    return device


def seed_everything(random_state):
    """Seed torch (CPU and CUDA) from a ``random_state``; returns the int seed.

    ``None`` draws a fresh seed from numpy, so a run is still recorded and
    repeatable through the returned value.
    """
    from sklearn.utils import check_random_state

    seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
    torch.manual_seed(seed)
    return seed


def to_float32(X):
    """``X`` as a C-contiguous float32 numpy array (torch's working dtype)."""
    return np.ascontiguousarray(X, dtype=np.float32)
