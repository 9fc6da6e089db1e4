"""API checks for reinforcement-learning agents (scikit-learn's checks need X, y)."""

import inspect
import pickle

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ._mdp import MDP

__all__ = ["check_agent"]


def _small_mdp():
    # two states, two actions; action 1 in state 1 is impossible
    T = [[[0.2, 0.8], [1.0, 0.0]], [[0.5, 0.5], None]]
    R = [[[0.0, 1.0], [0.5, 0.0]], [[1.0, -1.0], None]]
    return MDP.from_lists(T, R)


def check_agent(agent_or_class, env=None):
    """Check that an agent follows the sklml agent API; raise AssertionError if not.

    Checks ``get_params``/``set_params``/``clone``, that ``act`` before ``fit``
    raises ``NotFittedError``, that ``fit`` returns ``self`` and sets
    ``history_``, that ``act`` returns an int for one observation and an array
    for a batch, that a wrong observation shape is a ``ValueError``, that
    ``evaluate`` returns ``(mean, std)``, that ``predict`` (when there is one) acts
    as ``act``, and that a pickled agent acts the same.

    Parameters
    ----------
    agent_or_class : agent instance or class
        A class is built from its ``get_test_params()`` when it has one.
    env : gymnasium.Env or MDP, default=None
        Environment to fit on; a small two-state :class:`MDP` by default.

    Examples
    --------
    >>> from sklml.rl import QLearning, check_agent
    >>> check_agent(QLearning(n_steps=200, random_state=0))
    """
    if inspect.isclass(agent_or_class):
        make = getattr(agent_or_class, "get_test_params", None)
        agent = agent_or_class(**(make() if callable(make) else {}))
    else:
        agent = agent_or_class
    name = type(agent).__name__
    assert callable(getattr(agent, "act", None)), f"{name} has no act method"
    env = _small_mdp() if env is None else env

    params = agent.get_params()
    twin = clone(agent)
    assert twin is not agent and twin.get_params().keys() == params.keys(), f"{name}: clone changed the parameters"
    assert agent.set_params(**params) is agent, f"{name}.set_params must return self"

    try:
        agent.act(0)
    except NotFittedError:
        pass
    else:
        raise AssertionError(f"{name}.act before fit must raise NotFittedError")

    assert twin.fit(env) is twin, f"{name}.fit must return self"
    assert hasattr(twin, "history_"), f"{name}.fit must set history_"
    assert clone(twin).get_params().keys() == params.keys()

    obs = env.as_env().reset(seed=0)[0] if isinstance(env, MDP) else env.reset(seed=0)[0]
    a = twin.act(obs)
    assert isinstance(a, (int, np.integer)) and 0 <= a < twin.n_actions_, f"{name}.act gave {a!r}"
    batch = np.stack([np.asarray(obs)] * 3)
    actions = twin.act(batch)
    assert isinstance(actions, np.ndarray) and actions.shape == (3,), f"{name}.act on a batch gave {actions!r}"
    assert np.all(actions == a), f"{name}.act is not deterministic by default"
    if callable(getattr(twin, "predict", None)):
        assert np.all(twin.predict(batch) == actions), f"{name}.predict differs from act"
    try:
        twin.act(np.zeros((2, 2, 2)))
    except ValueError:
        pass
    else:
        raise AssertionError(f"{name}.act accepted an observation of the wrong shape")

    mean, std = twin.evaluate(env, n_episodes=2, random_state=0)
    assert np.isfinite(mean) and std >= 0, f"{name}.evaluate gave {(mean, std)!r}"

    loaded = pickle.loads(pickle.dumps(twin))
    assert np.all(loaded.act(batch) == actions), f"{name} acts differently after pickling"
    assert loaded.get_params().keys() == params.keys()
