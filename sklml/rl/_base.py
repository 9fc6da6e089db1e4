"""What every agent shares: environment checks, act() input checks, evaluate()."""

import warnings
from numbers import Integral

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._mdp import MDP

# gymnasium's checker nags about legitimate spaces (CartPole's infinite bounds)
_CHECKER_NOISE = r".*(infinity|precision|unwrapped|different from the unwrapped).*"


def make_env(env_or_mdp, *, check=True, max_episode_steps=100):
    """A Gymnasium environment from an env, an :class:`MDP` or a registered env id,
    checked with :func:`gymnasium.utils.env_checker.check_env`."""
    if isinstance(env_or_mdp, MDP):
        env = env_or_mdp.as_env(max_episode_steps=max_episode_steps)
    elif isinstance(env_or_mdp, str):
        try:
            env = gym.make(env_or_mdp)
        except gym.error.Error as exc:
            raise ValueError(f"cannot make the environment {env_or_mdp!r}: {exc}") from exc
    elif isinstance(env_or_mdp, gym.Env):
        env = env_or_mdp
    else:
        raise TypeError(
            "expected a gymnasium.Env, an sklml.rl.MDP or a registered environment id; "
            f"got {type(env_or_mdp).__name__}"
        )
    if check:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_CHECKER_NOISE)
            try:
                check_env(env.unwrapped, skip_render_check=True, skip_close_check=True)
            except (AssertionError, AttributeError, TypeError, gym.error.Error) as exc:
                raise ValueError(f"{env} does not follow the Gymnasium API: {exc}") from exc
    return env


def check_discrete_actions(env, agent_name):
    if not isinstance(env.action_space, spaces.Discrete):
        raise ValueError(
            f"{agent_name} needs a discrete action space (gymnasium.spaces.Discrete); "
            f"{env.unwrapped} has {env.action_space}"
        )
    return int(env.action_space.n)


def check_discrete_observations(env, agent_name):
    if not isinstance(env.observation_space, spaces.Discrete):
        raise ValueError(
            f"{agent_name} is tabular: it needs a discrete observation space "
            f"(gymnasium.spaces.Discrete); {env.unwrapped} has {env.observation_space}"
        )
    return int(env.observation_space.n)


def make_rng(random_state):
    """A numpy Generator and the int seed behind it (None when unseeded)."""
    if random_state is None:
        return np.random.default_rng(), None
    if isinstance(random_state, np.random.RandomState):
        seed = int(random_state.randint(2**31 - 1))
    else:
        seed = int(random_state)
    return np.random.default_rng(seed), seed


def reset_seed(seed, rng):
    """A seed for env.reset drawn from the agent's generator (None if unseeded)."""
    return None if seed is None else int(rng.integers(2**31 - 1))


class BaseAgent(BaseEstimator):
    """Base class of sklml's agents: ``fit(env_or_mdp)``, ``act``, ``evaluate``.

    Subclasses set ``observation_space_`` and ``n_actions_`` in ``fit`` and
    implement ``_act_batch(observations, deterministic)`` on a checked batch.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def act(self, observation, deterministic=True):
        """The action for an observation, or an array of actions for a batch.

        Parameters
        ----------
        observation : int, array-like
            One observation from the environment the agent was fitted on, or a
            batch of them stacked along a new first axis.
        deterministic : bool, default=True
            Take the best action; ``False`` samples from the agent's
            behaviour policy (epsilon-greedy or the policy's probabilities).

        Returns
        -------
        int or ndarray of int
        """
        check_is_fitted(self)
        obs, batched = self._check_observation(observation)
        actions = self._act_batch(obs, deterministic)
        return actions if batched else int(actions[0])

    def _check_observation(self, observation):
        space = self.observation_space_
        if isinstance(space, spaces.Discrete):
            arr = np.asarray(observation)
            if arr.ndim > 1:
                raise ValueError(
                    f"observation must be a state index or a 1-D array of them for {space}; "
                    f"got an array of shape {arr.shape}"
                )
            if arr.size == 0 and arr.ndim == 1:
                return arr.astype(np.int64), True
            if not (np.issubdtype(arr.dtype, np.integer) or (
                np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr))
            )):
                raise ValueError(f"observation must be integer state indices for {space}; got {observation!r}")
            states = arr.astype(np.int64) - int(space.start)
            if (states < 0).any() or (states >= space.n).any():
                raise ValueError(f"observation {observation!r} is outside {space}")
            return np.atleast_1d(states), arr.ndim == 1
        shape = tuple(space.shape)
        try:
            arr = np.asarray(observation, dtype=np.float32)
        except (TypeError, ValueError):
            raise ValueError(f"observation must be numeric; got {observation!r}") from None
        if arr.shape == shape:
            batched = False
            arr = arr[None]
        elif arr.shape[1:] == shape and arr.ndim == len(shape) + 1:
            batched = True
        else:
            raise ValueError(
                f"observation has shape {arr.shape}; expected {shape} (one observation) or "
                f"(n_observations, {', '.join(map(str, shape))}) for the environment the agent was fitted on"
            )
        if not np.isfinite(arr).all():
            raise ValueError("observation contains NaN or infinity")
        return arr, batched

    def predict(self, observation, deterministic=True):
        """The action for an observation: :meth:`act` under stable-baselines3's name.

        stable-baselines3's ``predict`` returns ``(action, state)`` for its
        recurrent policies; sklml's agents have no recurrent state, so this
        returns the action alone, exactly as :meth:`act` does (write
        ``action = agent.predict(obs)`` where SB3 code writes
        ``action, _ = model.predict(obs)``).

        Parameters
        ----------
        observation : int, array-like
            One observation, or a batch stacked along a new first axis.
        deterministic : bool, default=True
            Take the best action; ``False`` samples from the behaviour policy.

        Returns
        -------
        int or ndarray of int
        """
        return self.act(observation, deterministic=deterministic)

    def _episode_policy(self, deterministic):
        """A function observation -> int action for rolling out episodes (a
        subclass may return a faster one; it must pick the same actions)."""
        return lambda obs: self.act(obs, deterministic)

    def evaluate(self, env, n_episodes=10, deterministic=True, random_state=None, max_steps=10_000):
        """Mean and standard deviation of the return over ``n_episodes`` episodes.

        Reproducible when seeded: with an int ``random_state`` the first
        ``env.reset`` is seeded with it (the following episodes continue the
        environment's generator) and the agent samples its actions
        (``deterministic=False``) from a generator seeded with it, so two calls
        with the same ``random_state`` on the same agent and environment give
        the same result. With ``None`` each call draws fresh episodes.

        Parameters
        ----------
        env : gymnasium.Env, MDP or str
            The environment (an MDP is run through :meth:`MDP.as_env`).
        n_episodes : int, default=10
        deterministic : bool, default=True
            Evaluate the greedy policy; ``False`` the behaviour policy.
        random_state : int or None, default=None
            Seed of the episodes and of the agent's sampling.
        max_steps : int, default=10_000
            Safety cap on the length of one episode.

        Returns
        -------
        mean, std : float
        """
        check_is_fitted(self)
        if not isinstance(n_episodes, Integral) or n_episodes < 1:
            raise ValueError(f"n_episodes must be a positive int; got {n_episodes!r}")
        if random_state is not None and (not isinstance(random_state, Integral) or random_state < 0):
            raise ValueError(f"random_state must be a non-negative int or None; got {random_state!r}")
        env = make_env(env, check=False)
        if not isinstance(env.action_space, spaces.Discrete) or env.action_space.n != self.n_actions_:
            raise ValueError(f"the agent was fitted with {self.n_actions_} actions; env has {env.action_space}")
        fitted, space = self.observation_space_, env.observation_space
        if type(space) is not type(fitted) or getattr(space, "shape", None) != fitted.shape or (
                isinstance(space, spaces.Discrete) and space.n != fitted.n):
            raise ValueError(f"the agent was fitted on observations {fitted}; env has {space}")
        saved_rng = getattr(self, "_rng", None)
        if random_state is not None:
            self._rng = np.random.default_rng(random_state)
        try:
            returns, _ = rollout(env, self._episode_policy(deterministic), n_episodes,
                                 seed=random_state, max_steps=max_steps)
        finally:
            if saved_rng is not None:
                self._rng = saved_rng
        return float(returns.mean()), float(returns.std())

    def save(self, path):
        """Write the fitted agent to ``path`` with :func:`sklml.io.dump` (skops, no pickle).

        An environment object given as ``eval_env`` is not saved (the loaded
        agent has ``eval_env=None``); an environment id or an :class:`MDP` is.

        Parameters
        ----------
        path : str or path-like
            File to write (``.skops`` by convention).

        Examples
        --------
        >>> import os, tempfile
        >>> from sklml.rl import MDP, QLearning
        >>> mdp = MDP([[[0.0, 1.0]], [[1.0, 0.0]]], [[[0.0, 1.0]], [[0.0, 0.0]]])
        >>> agent = QLearning(n_steps=100, random_state=0).fit(mdp)
        >>> path = os.path.join(tempfile.mkdtemp(), "agent.skops")
        >>> agent.save(path)
        >>> QLearning.load(path).act(0) == agent.act(0)
        True
        """
        import copy

        import sklml.io

        check_is_fitted(self)
        agent = self
        eval_env = getattr(self, "eval_env", None)
        if eval_env is not None and not isinstance(eval_env, (str, MDP)):
            agent = copy.copy(self)  # shallow: the fitted attributes are shared, not copied
            agent.eval_env = None
        sklml.io.dump(agent, path)

    @classmethod
    def load(cls, path):
        """Read an agent written by :meth:`save` (stable-baselines3's
        ``Model.load(path)``) with :func:`sklml.io.load`: only trusted types
        are read.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        agent
            An instance of ``cls`` (``BaseAgent.load`` returns whichever agent
            class was saved).
        """
        import sklml.io

        agent = sklml.io.load(path)
        if not isinstance(agent, BaseAgent):
            raise ValueError(f"{path} is not an sklml agent file (it holds a "
                             f"{type(agent).__name__})")
        if not isinstance(agent, cls):
            raise TypeError(f"{path} holds a {type(agent).__name__}, not a {cls.__name__}")
        return agent


def rollout(env, policy, n_episodes, seed=None, max_steps=10_000):
    """Play ``n_episodes`` episodes with ``policy`` (observation -> action);
    return their returns and lengths. Only the first reset is seeded."""
    returns = np.empty(n_episodes)
    lengths = np.empty(n_episodes, dtype=np.int64)
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        total, steps = 0.0, 0
        while steps < max_steps:
            obs, reward, terminated, truncated, _ = env.step(policy(obs))
            total += float(reward)
            steps += 1
            if terminated or truncated:
                break
        returns[episode], lengths[episode] = total, steps
    return returns, lengths
