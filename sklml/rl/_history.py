"""The training history every agent records in ``history_``."""

from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["AgentHistory"]

_FIELD_DTYPES = {
    "episode_returns": np.float64,
    "episode_lengths": np.int64,
    "episode_end_steps": np.int64,
    "eval_steps": np.int64,
    "eval_mean_returns": np.float64,
    "eval_std_returns": np.float64,
}


def _empty(name):
    return field(default_factory=lambda: np.zeros(0, dtype=_FIELD_DTYPES[name]))


@dataclass(eq=False)
class AgentHistory:
    """What an agent saw while it learned: one record per training episode and
    one per periodic evaluation. Every agent's ``history_`` is one of these.

    Planners (:class:`ValueIteration`, :class:`QValueIteration`) never step an
    environment: their history is empty.

    Attributes
    ----------
    episode_returns : ndarray of float, shape (n_episodes,)
        Undiscounted return of each finished training episode (exploration
        included: the behaviour policy's, not the greedy one's).
    episode_lengths : ndarray of int, shape (n_episodes,)
        Steps of each finished training episode.
    episode_end_steps : ndarray of int, shape (n_episodes,)
        Environment steps taken since the start of training when each episode
        ended (the x axis of a learning curve).
    eval_steps : ndarray of int, shape (n_evaluations,)
        Environment steps of training at each periodic evaluation
        (``eval_freq``; empty without it).
    eval_mean_returns, eval_std_returns : ndarray of float, shape (n_evaluations,)
        Mean and standard deviation of the greedy policy's return over
        ``n_eval_episodes`` episodes of the evaluation environment.

    Examples
    --------
    >>> from sklml.rl import AgentHistory
    >>> history = AgentHistory(episode_returns=[1.0, 3.0], episode_lengths=[1, 3],
    ...                        episode_end_steps=[1, 4])
    >>> history.n_episodes, float(history.episode_returns.mean())
    (2, 2.0)
    """

    episode_returns: np.ndarray = _empty("episode_returns")
    episode_lengths: np.ndarray = _empty("episode_lengths")
    episode_end_steps: np.ndarray = _empty("episode_end_steps")
    eval_steps: np.ndarray = _empty("eval_steps")
    eval_mean_returns: np.ndarray = _empty("eval_mean_returns")
    eval_std_returns: np.ndarray = _empty("eval_std_returns")

    def __post_init__(self):
        for f in fields(self):
            setattr(self, f.name, np.asarray(getattr(self, f.name), dtype=_FIELD_DTYPES[f.name]))
        if not len(self.episode_returns) == len(self.episode_lengths) == len(self.episode_end_steps):
            raise ValueError("episode_returns, episode_lengths and episode_end_steps must have one length")
        if not len(self.eval_steps) == len(self.eval_mean_returns) == len(self.eval_std_returns):
            raise ValueError("eval_steps, eval_mean_returns and eval_std_returns must have one length")

    @property
    def n_episodes(self):
        """Number of finished training episodes."""
        return len(self.episode_returns)

    @property
    def n_evaluations(self):
        """Number of periodic evaluations."""
        return len(self.eval_steps)

    def __eq__(self, other):
        if not isinstance(other, AgentHistory):
            return NotImplemented
        return all(np.array_equal(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    def to_dict(self):
        """The history as a dict of lists (JSON- and skops-friendly)."""
        return {f.name: getattr(self, f.name).tolist() for f in fields(self)}


class _HistoryRecorder:
    """Collects an :class:`AgentHistory` during ``fit`` (appends to a previous one
    on a warm start)."""

    def __init__(self, previous=None):
        previous = previous if previous is not None else AgentHistory()
        self._columns = {f.name: getattr(previous, f.name).tolist() for f in fields(AgentHistory)}

    def end_episode(self, episode_return, length, step):
        self._columns["episode_returns"].append(float(episode_return))
        self._columns["episode_lengths"].append(int(length))
        self._columns["episode_end_steps"].append(int(step))

    def add_evaluation(self, step, mean, std):
        self._columns["eval_steps"].append(int(step))
        self._columns["eval_mean_returns"].append(float(mean))
        self._columns["eval_std_returns"].append(float(std))

    @property
    def episode_returns(self):
        return self._columns["episode_returns"]

    def history(self):
        return AgentHistory(**self._columns)
