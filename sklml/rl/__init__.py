"""Reinforcement learning: Markov decision processes and agents with ``fit``/``act``.

Every agent is a scikit-learn ``BaseEstimator``: ``fit(env_or_mdp)`` returns
``self``, ``act(observation)`` returns an action (an array for a batch),
``evaluate(env)`` returns the mean and standard deviation of the return, and
``history_`` records the returns seen while learning.
"""

from ._checks import check_agent
from ._deep import DQN, REINFORCE
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
]
