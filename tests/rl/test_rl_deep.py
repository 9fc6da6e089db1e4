"""DQN and REINFORCE: smoke tests by default, CartPole-v1 to 195 with -m slow."""

import time

import gymnasium as gym
import numpy as np
import pytest
import torch

from sklml.rl import DQN, MDP, REINFORCE, QValueIteration


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny networks train faster on one thread (and the CPU is shared)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _bandit():
    # state 0: action 0 pays 1, action 1 pays 0; both end the episode in state 1
    T = np.zeros((2, 2, 2))
    T[:, :, 1] = 1.0
    R = np.zeros_like(T)
    R[0, 0, 1] = 1.0
    return MDP(T, R, terminal_states=[1])


@pytest.mark.parametrize("double_dqn", [False, True])
def test_dqn_smoke_on_cartpole(double_dqn):
    agent = DQN(hidden_layer_sizes=(32,), n_steps=600, learning_starts=200, train_freq=100,
                gradient_steps=10, double_dqn=double_dqn, random_state=0, device="cpu")
    agent.fit(gym.make("CartPole-v1"))
    assert agent.n_updates_ == 40 and len(agent.history_) > 5
    assert sum(agent.history_) <= 600
    q = agent.predict_q(np.zeros((3, 4)))
    assert q.shape == (3, 2) and q.dtype == np.float32
    assert agent.act(np.zeros(4), deterministic=False) in (0, 1)
    mean, std = agent.evaluate("CartPole-v1", n_episodes=2, random_state=0)
    assert 5 <= mean <= 500 and std >= 0


def test_dqn_learns_the_q_values_of_a_small_mdp():
    mdp = MDP.from_lists([[[0.2, 0.8], [1.0, 0.0]], [[0.5, 0.5], [0.0, 1.0]]],
                         [[[0.0, 1.0], [0.5, 0.0]], [[1.0, -1.0], [0.0, 2.0]]])
    q_star = QValueIteration(gamma=0.8).fit(mdp).Q_
    # off-policy: a purely random behaviour policy, states one-hot encoded
    agent = DQN(hidden_layer_sizes=(32,), gamma=0.8, learning_rate=3e-3, n_steps=3000,
                learning_starts=200, train_freq=4, gradient_steps=1, target_update_interval=50,
                exploration_fraction=1.0, exploration_final_eps=1.0, random_state=0, device="cpu")
    agent.fit(mdp)
    np.testing.assert_allclose(agent.predict_q([0, 1]), q_star, atol=0.5)
    assert agent.act([0, 1]).tolist() == [0, 1]


@pytest.mark.parametrize("baseline", ["normalize", "mean", None])
def test_reinforce_learns_a_bandit(baseline):
    agent = REINFORCE(hidden_layer_sizes=(8,), learning_rate=0.05, n_episodes=300,
                      episodes_per_update=10, baseline=baseline, random_state=0, device="cpu")
    agent.fit(_bandit())
    assert agent.n_updates_ == 30 and len(agent.history_) == 300
    assert agent.predict_proba(0)[0] > 0.9
    assert np.mean(agent.history_[-50:]) > np.mean(agent.history_[:50])
    assert agent.act(0) == 0


def test_reinforce_smoke_on_cartpole():
    agent = REINFORCE(n_episodes=20, episodes_per_update=5, max_grad_norm=1.0, random_state=0,
                      device="cpu").fit("CartPole-v1")
    assert agent.n_updates_ == 4 and len(agent.history_) == 20
    p = agent.predict_proba(np.zeros((4, 4)))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    assert set(agent.act(np.zeros((50, 4)), deterministic=False)) <= {0, 1}


def test_deep_agents_reject_bad_settings():
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        DQN(hidden_layer_sizes=(0,), n_steps=10).fit("CartPole-v1")
    with pytest.raises(ValueError, match="device"):
        REINFORCE(device="tpu", n_episodes=1).fit("CartPole-v1")
    with pytest.raises(ValueError, match="baseline"):
        REINFORCE(baseline="median", n_episodes=1).fit("CartPole-v1")


def _train_and_report(agent):
    env = gym.make("CartPole-v1")
    wall, cpu = time.perf_counter(), time.process_time()
    agent.fit(env)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    mean, std = agent.evaluate(gym.make("CartPole-v1"), n_episodes=10, random_state=0)
    print(f"\n{type(agent).__name__}: {int(sum(agent.history_))} timesteps, {len(agent.history_)} "
          f"episodes, {wall:.0f} s wall, {cpu:.0f} s CPU; evaluation {mean:.1f} +- {std:.1f}")
    return mean, cpu


@pytest.mark.slow
def test_dqn_solves_cartpole():
    mean, cpu = _train_and_report(DQN(random_state=1, device="cpu"))  # rl-zoo settings, 50k steps
    assert mean >= 195
    assert cpu < 300


@pytest.mark.slow
def test_reinforce_solves_cartpole():
    mean, cpu = _train_and_report(REINFORCE(n_episodes=600, random_state=0, device="cpu"))
    assert mean >= 195
    assert cpu < 300
