"""Reinforcement learning: Markov decision processes and agents with ``fit``/``act``.

Every agent is a scikit-learn ``BaseEstimator``: ``fit(env_or_mdp)`` returns
``self``, ``act(observation)`` returns an action (an array for a batch),
``predict`` is ``act`` under stable-baselines3's name, ``evaluate(env)``
returns the mean and standard deviation of the return, ``history_`` (an
:class:`AgentHistory`) records the episodes and evaluations seen while
learning, and ``save``/``load`` write and read an agent with :mod:`sklml.io` (skops).
"""

from ._checks import check_agent
from ._deep import DQN, REINFORCE
from ._history import AgentHistory
from ._mdp import MDP, MDPEnv
from ._tabular import QLearning, QValueIteration, TDLearning, ValueIteration

__all__ = [
    "MDP",
    "MDPEnv",
    "ValueIteration",
    "QValueIteration",
    "TDLearning",
    "QLearning",
    "DQN",
    "REINFORCE",
    "check_agent",
    "AgentHistory",
]
