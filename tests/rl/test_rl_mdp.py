"""MDP construction, its Gymnasium environment, and bad models."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from sklml.rl import MDP, MDPEnv


def test_from_lists_and_arrays_agree():
    T = [[[0.5, 0.5], None], [[1.0, 0.0], [0.0, 1.0]]]
    R = [[[1.0, 2.0], None], [[0.0, 0.0], [0.0, 3.0]]]
    mdp = MDP.from_lists(T, R)
    assert mdp.action_mask.tolist() == [[True, False], [True, True]]
    arrays = MDP(mdp.transition_probabilities, mdp.rewards, action_mask=mdp.action_mask)
    np.testing.assert_array_equal(arrays.transition_probabilities, mdp.transition_probabilities)
    np.testing.assert_allclose(mdp.expected_rewards, [[1.5, 0.0], [0.0, 3.0]])


def test_as_env_passes_gymnasium_checks_and_samples_the_model():
    T = np.array([[[0.25, 0.75], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
    mdp = MDP(T, np.ones_like(T), terminal_states=[], initial_distribution=[1.0, 0.0])
    env = mdp.as_env(max_episode_steps=5)
    check_env(env, skip_render_check=True)
    env.reset(seed=0)
    counts = np.zeros(2)
    for _ in range(4000):
        env.reset()
        s2, r, terminated, truncated, info = env.step(0)
        counts[s2] += 1
        assert r == 1.0 and not terminated and info["action_mask"].tolist() == [1, 1]
    np.testing.assert_allclose(counts / counts.sum(), [0.25, 0.75], atol=0.03)
    env.reset()
    for t in range(5):
        *_, truncated, _ = env.step(1)
    assert truncated


def test_impossible_action_keeps_the_state_and_terminal_state_ends_the_episode():
    mdp = MDP.from_lists([[[0.0, 1.0], None], [[0.0, 1.0], [0.0, 1.0]]],
                         [[[0.0, 5.0], None], [[0.0, 0.0], [0.0, 0.0]]], terminal_states=[1])
    env = MDPEnv(mdp)
    s, info = env.reset(seed=0)
    assert s == 0 and info["action_mask"].tolist() == [1, 0]
    assert env.step(1)[:3] == (0, 0.0, False)
    assert env.step(0)[:3] == (1, 5.0, True)


def test_from_gymnasium_reads_frozen_lake():
    env = gym.make("FrozenLake-v1", is_slippery=True)
    mdp = MDP.from_gymnasium(env)
    assert (mdp.n_states, mdp.n_actions) == (16, 4)
    np.testing.assert_allclose(mdp.transition_probabilities.sum(axis=2), 1.0)
    assert mdp.terminal_states[[5, 7, 11, 12, 15]].all() and mdp.terminal_states.sum() == 5
    assert mdp.rewards[14, 2, 15] == 1.0 and mdp.initial_distribution[0] == 1.0
    with pytest.raises(ValueError, match="tabular model"):
        MDP.from_gymnasium(gym.make("CartPole-v1"))


@pytest.mark.parametrize(
    "T, R, kwargs, match",
    [
        ([[[0.5, 0.4]], [[1.0, 0.0]]], None, {}, r"sums to 0\.9"),
        ([[[1.5, -0.5]], [[1.0, 0.0]]], None, {}, "negative"),
        ([[[np.nan, 1.0]], [[1.0, 0.0]]], None, {}, "NaN"),
        ([[1.0, 0.0], [0.0, 1.0]], None, {}, "shape"),
        ([[[1.0, 0.0]], [[1.0, 0.0]]], [[[0.0, 0.0]]], {}, "rewards must have the shape"),
        ([[[1.0, 0.0]], [[1.0, 0.0]]], None, {"action_mask": [[False], [True]]}, "no possible action"),
        ([[[1.0, 0.0]], [[1.0, 0.0]]], None, {"initial_distribution": [0.5, 0.6]}, "initial_distribution"),
        ([[[1.0, 0.0]], [[1.0, 0.0]]], None, {"terminal_states": [3]}, "terminal_states"),
    ],
)
def test_bad_models_are_rejected(T, R, kwargs, match):
    T = np.asarray(T, dtype=float)
    R = np.zeros_like(T) if R is None else R
    with pytest.raises(ValueError, match=match):
        MDP(T, R, **kwargs)


def test_bad_lists_are_rejected():
    with pytest.raises(ValueError, match="sums to"):
        MDP.from_lists([[[0.5, 0.2], None], [[1.0, 0.0], None]], [[[0, 0], None], [[0, 0], None]])
    with pytest.raises(ValueError, match="ragged|entries"):
        MDP.from_lists([[[1.0], None], [[1.0, 0.0], None]], [[[0], None], [[0, 0], None]])
    with pytest.raises(ValueError, match="possible"):
        MDP.from_lists([[[1.0, 0.0], None], [[1.0, 0.0], None]], [[[0, 0], None], [[0, 0], None]],
                       possible_actions=[[0, 1], [0]])
