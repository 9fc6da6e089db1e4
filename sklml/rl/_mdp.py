"""Finite Markov decision processes, and a Gymnasium environment that simulates one."""

from numbers import Integral

import gymnasium as gym
import numpy as np
from gymnasium import spaces

__all__ = ["MDP", "MDPEnv"]

_ATOL = 1e-6


class MDP:
    """A finite Markov decision process with known dynamics.

    Parameters
    ----------
    transition_probabilities : array-like of shape (n_states, n_actions, n_states)
        ``T[s, a, s']``, the probability to land in ``s'`` after action ``a``
        in state ``s``. Each row of a possible action sums to 1.
    rewards : array-like of shape (n_states, n_actions, n_states)
        ``R[s, a, s']``, the reward of that transition.
    action_mask : array-like of bool of shape (n_states, n_actions), default=None
        Which actions are possible in each state; ``None`` means all. Rows of
        impossible actions are ignored.
    terminal_states : array-like of bool of shape (n_states,) or of int, default=None
        States where an episode ends: no reward is collected after reaching one.
    initial_distribution : array-like of shape (n_states,), default=None
        Distribution of the first state of an episode; ``None`` starts in state 0.

    Attributes
    ----------
    n_states, n_actions : int
    expected_rewards : ndarray of shape (n_states, n_actions)
        ``sum_s' T[s, a, s'] R[s, a, s']``.

    Examples
    --------
    >>> from sklml.rl import MDP
    >>> mdp = MDP.from_lists(
    ...     [[[0.7, 0.3, 0.0], [1.0, 0.0, 0.0], [0.8, 0.2, 0.0]],
    ...      [[0.0, 1.0, 0.0], None, [0.0, 0.0, 1.0]],
    ...      [None, [0.8, 0.1, 0.1], None]],
    ...     [[[10, 0, 0], [0, 0, 0], [0, 0, 0]],
    ...      [[0, 0, 0], [0, 0, 0], [0, 0, -50]],
    ...      [[0, 0, 0], [40, 0, 0], [0, 0, 0]]],
    ...     [[0, 1, 2], [0, 2], [1]])
    >>> mdp.n_states, mdp.n_actions
    (3, 3)
    >>> mdp.action_mask[1].tolist()
    [True, False, True]
    """

    def __init__(self, transition_probabilities, rewards, action_mask=None,
                 terminal_states=None, initial_distribution=None):
        T = _float_array(transition_probabilities, "transition_probabilities")
        if T.ndim != 3 or T.shape[0] != T.shape[2] or T.shape[0] == 0 or T.shape[1] == 0:
            raise ValueError(
                "transition_probabilities must have shape (n_states, n_actions, n_states) "
                f"with n_states, n_actions >= 1; got shape {T.shape}"
            )
        n_states, n_actions = T.shape[:2]
        R = _float_array(rewards, "rewards")
        if R.shape != T.shape:
            raise ValueError(
                f"rewards must have the shape of transition_probabilities {T.shape}; got {R.shape}"
            )
        if action_mask is None:
            mask = np.ones((n_states, n_actions), dtype=bool)
        else:
            mask = np.asarray(action_mask)
            if mask.shape != (n_states, n_actions) or not (
                mask.dtype == bool or np.isin(mask, (0, 1)).all()
            ):
                raise ValueError(
                    f"action_mask must be a boolean array of shape {(n_states, n_actions)}; "
                    f"got {mask.dtype} array of shape {mask.shape}"
                )
            mask = mask.astype(bool)
        empty = np.flatnonzero(~mask.any(axis=1))
        if empty.size:
            raise ValueError(f"state {empty[0]} has no possible action (action_mask row is all False)")
        if (T < 0).any():
            s, a, s2 = np.argwhere(T < 0)[0]
            raise ValueError(f"transition_probabilities[{s}, {a}, {s2}] = {T[s, a, s2]} is negative")
        sums = T.sum(axis=2)
        bad = mask & ~np.isclose(sums, 1.0, rtol=0, atol=_ATOL)
        if bad.any():
            s, a = np.argwhere(bad)[0]
            raise ValueError(
                f"transition_probabilities[{s}, {a}, :] sums to {sums[s, a]:.6g}, not 1 "
                "(each row of a possible action must be a probability distribution)"
            )
        T = np.where(mask[:, :, None], T, 0.0)
        R = np.where(mask[:, :, None], R, 0.0)

        terminal = np.zeros(n_states, dtype=bool)
        if terminal_states is not None:
            ts = np.asarray(terminal_states)
            if ts.dtype == bool:
                if ts.shape != (n_states,):
                    raise ValueError(f"terminal_states as booleans must have shape ({n_states},); got {ts.shape}")
                terminal = ts.copy()
            else:
                ts = ts.ravel()
                if ts.size and (not np.issubdtype(ts.dtype, np.integer) or ts.min() < 0 or ts.max() >= n_states):
                    raise ValueError(f"terminal_states must be state indices in [0, {n_states}); got {terminal_states!r}")
                terminal[ts.astype(np.int64)] = True

        if initial_distribution is None:
            p0 = np.zeros(n_states)
            p0[0] = 1.0
        else:
            p0 = _float_array(initial_distribution, "initial_distribution")
            if p0.shape != (n_states,) or (p0 < 0).any() or not np.isclose(p0.sum(), 1.0, atol=_ATOL):
                raise ValueError(
                    f"initial_distribution must be a probability vector of length {n_states}"
                )
        self.transition_probabilities = T
        self.rewards = R
        self.action_mask = mask
        self.terminal_states = terminal
        self.initial_distribution = p0

    @property
    def n_states(self):
        return self.transition_probabilities.shape[0]

    @property
    def n_actions(self):
        return self.transition_probabilities.shape[1]

    @property
    def expected_rewards(self):
        return np.einsum("ijk,ijk->ij", self.transition_probabilities, self.rewards)

    def __repr__(self):
        return f"MDP(n_states={self.n_states}, n_actions={self.n_actions})"

    @classmethod
    def from_lists(cls, transition_probabilities, rewards, possible_actions=None, **kwargs):
        """Build from nested lists, ``None`` marking an impossible action.

        Parameters
        ----------
        transition_probabilities : list of lists
            ``T[s][a]`` is a list of ``n_states`` probabilities, or ``None``
            when action ``a`` is impossible in state ``s`` (the Hands-On ML layout).
        rewards : list of lists
            ``R[s][a][s']``; entries of impossible actions are ignored.
        possible_actions : list of lists of int, default=None
            The possible actions of each state; by default, the actions whose
            transition row is not ``None``.
        **kwargs
            ``terminal_states`` and ``initial_distribution``, as for :class:`MDP`.
        """
        n_states = len(transition_probabilities)
        rows = [row for state in transition_probabilities for row in state if row is not None]
        if n_states == 0 or not rows:
            raise ValueError("transition_probabilities is empty")
        n_actions = max(len(state) for state in transition_probabilities)
        T = np.zeros((n_states, n_actions, n_states))
        R = np.zeros_like(T)
        mask = np.zeros((n_states, n_actions), dtype=bool)
        for s, state in enumerate(transition_probabilities):
            for a, row in enumerate(state):
                if row is None:
                    continue
                if len(row) != n_states:
                    raise ValueError(
                        f"transition_probabilities[{s}][{a}] has {len(row)} entries, expected {n_states}"
                    )
                T[s, a] = row
                mask[s, a] = True
        if len(rewards) != n_states:
            raise ValueError(f"rewards has {len(rewards)} states, expected {n_states}")
        for s, state in enumerate(rewards):
            for a, row in enumerate(state):
                if row is None or a >= n_actions or not mask[s, a]:
                    continue
                if len(row) != n_states:
                    raise ValueError(f"rewards[{s}][{a}] has {len(row)} entries, expected {n_states}")
                R[s, a] = row
        if possible_actions is not None:
            if len(possible_actions) != n_states:
                raise ValueError(f"possible_actions has {len(possible_actions)} states, expected {n_states}")
            given = np.zeros_like(mask)
            for s, actions in enumerate(possible_actions):
                for a in actions:
                    if not isinstance(a, Integral) or not 0 <= a < n_actions:
                        raise ValueError(f"possible_actions[{s}] contains {a!r}, not an action in [0, {n_actions})")
                    given[s, a] = True
            if (given & ~mask).any():
                s, a = np.argwhere(given & ~mask)[0]
                raise ValueError(f"action {a} is listed as possible in state {s} but its transition row is None")
            mask = given
        return cls(T, R, action_mask=mask, **kwargs)

    @classmethod
    def from_gymnasium(cls, env):
        """Read the model of a tabular Gymnasium environment (``env.unwrapped.P``).

        Works for FrozenLake, Taxi, CliffWalking and any environment whose
        ``P[s][a]`` lists ``(probability, next_state, reward, terminated)``.
        A state reached by a terminating transition is terminal.
        """
        if isinstance(env, str):
            env = gym.make(env)
        if not isinstance(env, gym.Env):
            raise TypeError(f"expected a gymnasium.Env, got {type(env).__name__}")
        base = env.unwrapped
        P = getattr(base, "P", None)
        if not isinstance(env.observation_space, spaces.Discrete) or not isinstance(
            env.action_space, spaces.Discrete
        ) or P is None:
            raise ValueError(
                f"{base} does not expose a tabular model: MDP.from_gymnasium needs discrete "
                "observation and action spaces and the transition table env.unwrapped.P"
            )
        n_states, n_actions = int(env.observation_space.n), int(env.action_space.n)
        T = np.zeros((n_states, n_actions, n_states))
        R = np.zeros_like(T)
        terminal = np.zeros(n_states, dtype=bool)
        for s in range(n_states):
            for a in range(n_actions):
                for prob, s2, reward, done in P[s][a]:
                    T[s, a, s2] += prob
                    R[s, a, s2] += prob * reward  # probability-weighted, normalised below
                    terminal[s2] |= bool(done)
        with np.errstate(invalid="ignore", divide="ignore"):
            R = np.where(T > 0, R / T, 0.0)
        p0 = getattr(base, "initial_state_distrib", None)
        if p0 is not None:
            p0 = np.asarray(p0, dtype=float)
            p0 = p0 / p0.sum()
        return cls(T, R, terminal_states=terminal, initial_distribution=p0)

    def as_env(self, max_episode_steps=100, render_mode=None):
        """This MDP as a Gymnasium environment (see :class:`MDPEnv`)."""
        return MDPEnv(self, max_episode_steps=max_episode_steps, render_mode=render_mode)

    def _cumulative_transitions(self):
        """Cumulative transition rows, used to sample next states quickly."""
        cum = np.cumsum(self.transition_probabilities, axis=2)
        cum[..., -1] = np.where(self.action_mask, 1.0, cum[..., -1])
        return cum


def _float_array(x, name):
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (use MDP.from_lists for ragged lists): {exc}") from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


class MDPEnv(gym.Env):
    """A Gymnasium environment that samples the transitions of an :class:`MDP`.

    Observations and actions are ``Discrete``. ``info["action_mask"]`` (int8,
    as in Taxi) marks the possible actions of the new state. An impossible
    action leaves the state unchanged with reward 0. An episode terminates in a
    terminal state and is truncated after ``max_episode_steps`` (``None``:
    never).
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, mdp, max_episode_steps=100, render_mode=None):
        if not isinstance(mdp, MDP):
            raise TypeError(f"expected an MDP, got {type(mdp).__name__}")
        if max_episode_steps is not None and (
            not isinstance(max_episode_steps, Integral) or max_episode_steps < 1
        ):
            raise ValueError(f"max_episode_steps must be a positive int or None; got {max_episode_steps!r}")
        self.mdp = mdp
        self.max_episode_steps = max_episode_steps
        self.render_mode = render_mode
        self.observation_space = spaces.Discrete(mdp.n_states)
        self.action_space = spaces.Discrete(mdp.n_actions)
        self._cum = mdp._cumulative_transitions()
        self._mask = mdp.action_mask.astype(np.int8)
        self._p0 = np.cumsum(mdp.initial_distribution)
        self._state = None
        self._t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        u = self.np_random.random()
        self._state = int(min(np.searchsorted(self._p0, u, side="right"), self.mdp.n_states - 1))
        self._t = 0
        return self._state, {"action_mask": self._mask[self._state].copy()}

    def step(self, action):
        s = self._state
        if s is None:
            raise RuntimeError("call reset() before step()")
        a = int(action)
        if not 0 <= a < self.mdp.n_actions:
            raise ValueError(f"action {action!r} is not in {self.action_space}")
        if self.mdp.action_mask[s, a]:
            row = self._cum[s, a]
            s2 = int(min(np.searchsorted(row, self.np_random.random(), side="right"), len(row) - 1))
            reward = float(self.mdp.rewards[s, a, s2])
        else:
            s2, reward = s, 0.0
        self._state = s2
        self._t += 1
        terminated = bool(self.mdp.terminal_states[s2])
        truncated = self.max_episode_steps is not None and self._t >= self.max_episode_steps
        return s2, reward, terminated, bool(truncated and not terminated), {"action_mask": self._mask[s2].copy()}

    def render(self):
        if self.render_mode == "ansi":
            return f"state {self._state}, step {self._t}\n"
        return None
