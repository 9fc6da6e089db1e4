"""The deep agents follow the training contract (sklml/_training.py): the fitted history
under its names, one verbose policy, seeding that leaves the global generators alone."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from sklml.rl import DQN, REINFORCE, QLearning
from sklml.rl._checks import _small_mdp


def _dqn(**extra):
    # learning starts after 200 steps, a round every 100: rounds end at 300, 400, 500, 600
    params = dict(hidden_layer_sizes=(16,), n_steps=600, learning_starts=200, train_freq=100,
                  gradient_steps=10, eval_freq=None, random_state=0, device="cpu")
    return DQN(**{**params, **extra})


def _reinforce(**extra):
    params = dict(hidden_layer_sizes=(8,), n_episodes=6, episodes_per_update=2, eval_freq=None,
                  random_state=0, device="cpu")
    return REINFORCE(**{**params, **extra})


def test_dqn_history_under_the_contract_names():
    agent = _dqn().fit("CartPole-v1")
    assert agent.n_iter_ == agent.n_steps_ == 600
    assert len(agent.loss_curve_) == 4 and agent.n_updates_ == 40
    assert all(np.isfinite(v) and v >= 0 for v in agent.loss_curve_)  # Huber losses
    assert agent.loss_ == agent.loss_curve_[-1]
    assert agent.validation_scores_ is None and agent.best_validation_score_ is None
    # the losses are the round's: a different seed trains on different transitions
    assert agent.loss_curve_ != _dqn(random_state=1).fit("CartPole-v1").loss_curve_


def test_reinforce_history_under_the_contract_names():
    agent = _reinforce().fit("CartPole-v1")
    assert agent.n_iter_ == agent.n_episodes_ == 6
    assert len(agent.loss_curve_) == agent.n_updates_ == 3
    assert all(np.isfinite(agent.loss_curve_)) and agent.loss_ == agent.loss_curve_[-1]
    np.testing.assert_array_equal(agent.history_.episode_returns.shape, (6,))


@pytest.mark.parametrize("make", [lambda: _dqn(eval_freq=200),
                                  lambda: _reinforce(eval_freq=2)], ids=["DQN", "REINFORCE"])
def test_evaluations_are_the_validation_scores(make):
    agent = make().fit("CartPole-v1")
    h = agent.history_
    assert h.n_evaluations >= 3
    assert agent.validation_scores_ == h.eval_mean_returns.tolist()
    assert agent.best_validation_score_ == agent.best_eval_return_ == max(agent.validation_scores_)


def test_verbose_2_prints_a_line_per_training_round(capsys):
    agent = _dqn(verbose=2).fit("CartPole-v1")
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("Step ")]
    assert [line.split(",")[0] for line in lines] == ["Step 300", "Step 400", "Step 500",
                                                     "Step 600"]
    assert all("loss = " in line for line in lines) and len(lines) == len(agent.loss_curve_)
    assert "it/s" not in out.err and "step/s" not in out.err  # no progress bar

    agent = _reinforce(verbose=2).fit("CartPole-v1")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Episode 2", "Episode 4", "Episode 6"]
    assert all("loss = " in line and "mean_return = " in line for line in lines)


def test_verbose_1_draws_one_bar_and_0_is_quiet(capsys):
    _dqn(verbose=1).fit("CartPole-v1")
    out = capsys.readouterr()
    assert out.out == "" and "DQN" in out.err and "600/600" in out.err
    _reinforce(verbose=1).fit("CartPole-v1")
    out = capsys.readouterr()
    assert out.out == "" and "REINFORCE" in out.err and "6/6" in out.err
    _dqn().fit("CartPole-v1")
    _reinforce().fit("CartPole-v1")
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("make", [_dqn, _reinforce,
                                  lambda: QLearning(n_steps=300, random_state=0)],
                         ids=["DQN", "REINFORCE", "QLearning"])
def test_fitting_leaves_the_global_generators_alone(make):
    env = "CartPole-v1" if not isinstance(make(), QLearning) else _small_mdp()
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    first = make().fit(env)
    assert torch.equal(torch_state, torch.get_rng_state())
    after = np.random.get_state()
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    # and the seeded fit does not depend on the global state either
    torch.manual_seed(123)
    np.random.seed(123)
    second = make().fit(env)
    assert first.history_ == second.history_
    torch.set_rng_state(torch_state)
    np.random.set_state(numpy_state)


def test_agents_accept_an_environment_object():
    agent = _dqn(n_steps=300).fit(gym.make("CartPole-v1"))
    assert len(agent.loss_curve_) == 1
