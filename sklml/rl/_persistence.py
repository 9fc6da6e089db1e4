"""save/load of agents through skops.io: only plain containers, numbers, strings
and numpy arrays go into the file, so loading runs no pickle.

An agent is written as ``{"format", "class", "params", "state"}``: its
constructor parameters and its fitted attributes (``name_``), with torch
networks stored as their layers' weight arrays, Gymnasium spaces and the
history as dicts tagged ``"__kind__"``.
"""

import numpy as np
from gymnasium import spaces

from ._history import AgentHistory

FORMAT = "sklml.rl/1"


def _encode(value, where):
    from torch import nn

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        items = [_encode(v, where) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _encode(v, where) for k, v in value.items()}
    if isinstance(value, AgentHistory):
        return {"__kind__": "AgentHistory", **{k: np.asarray(v) for k, v in vars(value).items()}}
    if isinstance(value, spaces.Discrete):
        return {"__kind__": "Discrete", "n": int(value.n), "start": int(value.start)}
    if isinstance(value, spaces.Box):
        return {"__kind__": "Box", "low": value.low, "high": value.high, "dtype": str(value.dtype)}
    leaves = [m for m in value.modules() if not list(m.children())] if isinstance(value, nn.Module) else []
    if leaves and all(isinstance(m, (nn.Linear, nn.ReLU)) for m in leaves):  # the agents' ReLU MLPs
        linear = [m for m in leaves if isinstance(m, nn.Linear)]
        return {"__kind__": "MLP",
                "weights": [m.weight.detach().cpu().numpy() for m in linear],
                "biases": [m.bias.detach().cpu().numpy() for m in linear]}
    raise TypeError(f"cannot save {where} of type {type(value).__name__}; "
                    "set it to None (an environment is not saved) or use pickle")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    kind = value.get("__kind__")
    if kind is None:
        return {k: _decode(v) for k, v in value.items()}
    if kind == "AgentHistory":
        return AgentHistory(**{k: v for k, v in value.items() if k != "__kind__"})
    if kind == "Discrete":
        return spaces.Discrete(value["n"], start=value["start"])
    if kind == "Box":
        return spaces.Box(value["low"], value["high"], dtype=np.dtype(value["dtype"]))
    if kind == "MLP":
        return _mlp_from_arrays(value["weights"], value["biases"])
    raise ValueError(f"unknown record {kind!r} in the file")


def _mlp_from_arrays(weights, biases):
    import torch
    from torch import nn

    from ._deep import _mlp

    hidden = [W.shape[0] for W in weights[:-1]]
    net = _mlp(weights[0].shape[1], hidden, weights[-1].shape[0], seed=0)
    with torch.no_grad():
        for linear, W, b in zip([m for m in net.modules() if isinstance(m, nn.Linear)], weights, biases):
            linear.weight.copy_(torch.from_numpy(np.asarray(W)))
            linear.bias.copy_(torch.from_numpy(np.asarray(b)))
    return net.eval()


def save_agent(agent, path):
    import skops.io as sio
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(agent)
    params = {}
    for name, value in agent.get_params(deep=False).items():
        try:
            params[name] = _encode(value, f"parameter {name!r}")
        except TypeError:
            if name != "eval_env":
                raise
            params[name] = None  # an environment object is not saved; load gives None
    state = {name: _encode(value, f"attribute {name!r}") for name, value in vars(agent).items()
             if name.endswith("_") and not name.startswith("_")}
    sio.dump({"format": FORMAT, "class": type(agent).__name__, "params": params, "state": state}, path)


def load_agent(path, expected):
    import skops.io as sio

    from . import _deep, _tabular

    record = sio.load(path, trusted=[])
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"{path} is not an sklml agent file (format {FORMAT})")
    classes = {name: getattr(module, name) for module in (_deep, _tabular) for name in module.__all__}
    cls = classes.get(record["class"])
    if cls is None:
        raise ValueError(f"{path} holds an unknown agent class {record['class']!r}")
    if not issubclass(cls, expected):
        raise TypeError(f"{path} holds a {cls.__name__}, not a {expected.__name__}")
    agent = cls(**_decode(record["params"]))
    for name, value in record["state"].items():
        setattr(agent, name, _decode(value))
    agent._rng = np.random.default_rng()
    return agent
