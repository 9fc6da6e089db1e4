"""The estimator API of every agent: clone, get/set_params, pickle, act, evaluate, errors."""

import pickle

import gymnasium as gym
import numpy as np
import pytest
import skops.io
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import ParameterGrid

import sklml
import sklml.io
from sklml.rl import (
    DQN,
    MDP,
    REINFORCE,
    AgentHistory,
    QLearning,
    QValueIteration,
    TDLearning,
    ValueIteration,
    check_agent,
)
from sklml.rl._base import rollout

AGENTS = [ValueIteration, QValueIteration, TDLearning, QLearning, DQN, REINFORCE]
FAST = {
    TDLearning: dict(n_steps=300, random_state=0),
    QLearning: dict(n_steps=300, random_state=0),
    DQN: DQN.get_test_params(),
    REINFORCE: REINFORCE.get_test_params(),
}


def _make(cls, **extra):
    return cls(**{**FAST.get(cls, {}), **extra})


def _mdp():
    return MDP.from_lists(
        [[[0.2, 0.8], [1.0, 0.0]], [[0.5, 0.5], [0.0, 1.0]]],
        [[[0.0, 1.0], [0.5, 0.0]], [[1.0, -1.0], [0.0, 2.0]]],
    )


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_check_agent(cls):
    check_agent(_make(cls))


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_clone_params_and_pickle(cls):
    agent = _make(cls, gamma=0.8)
    params = agent.get_params()
    assert params["gamma"] == 0.8
    twin = clone(agent)
    assert twin.get_params() == params
    assert agent.set_params(gamma=0.5) is agent and agent.gamma == 0.5
    with pytest.raises(ValueError, match="Invalid parameter"):
        agent.set_params(not_a_parameter=1)
    # an unfitted and a fitted agent both pickle
    assert pickle.loads(pickle.dumps(twin)).get_params() == params
    mdp = _mdp()
    twin.fit(mdp)
    loaded = pickle.loads(pickle.dumps(twin))
    states = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(loaded.act(states), twin.act(states))
    assert loaded.evaluate(mdp, n_episodes=3, random_state=1) == twin.evaluate(mdp, n_episodes=3, random_state=1)
    # clone of a fitted agent is unfitted with the same parameters
    fresh = clone(twin)
    with pytest.raises(NotFittedError):
        fresh.act(0)


@pytest.mark.parametrize("cls", [TDLearning, QLearning, DQN, REINFORCE], ids=lambda c: c.__name__)
def test_random_state_makes_fit_reproducible(cls):
    mdp = _mdp()
    a, b = _make(cls, random_state=3).fit(mdp), _make(cls, random_state=3).fit(mdp)
    assert a.history_ == b.history_
    np.testing.assert_array_equal(a.act([0, 1]), b.act([0, 1]))


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("gamma", [-0.1, 1.5, "0.9"])
def test_gamma_outside_unit_interval_is_rejected(cls, gamma):
    with pytest.raises(ValueError, match="gamma"):
        _make(cls, gamma=gamma).fit(_mdp())


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_continuous_action_space_is_rejected(cls):
    env = gym.make("MountainCarContinuous-v0")
    with pytest.raises(ValueError, match="discrete"):
        _make(cls).fit(env)


@pytest.mark.parametrize("cls", [ValueIteration, QValueIteration, TDLearning, QLearning],
                         ids=lambda c: c.__name__)
def test_tabular_agents_need_discrete_observations(cls):
    with pytest.raises(ValueError, match="discrete observation space|tabular model"):
        _make(cls).fit(gym.make("CartPole-v1"))


def test_planners_need_a_model():
    class NoModel(gym.Env):
        observation_space = gym.spaces.Discrete(2)
        action_space = gym.spaces.Discrete(2)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            return 0, {}

        def step(self, action):
            return 1, 0.0, True, False, {}

    with pytest.raises(ValueError, match="env.unwrapped.P"):
        ValueIteration().fit(NoModel())


def test_wrong_inputs_to_fit_and_act():
    with pytest.raises(TypeError, match="gymnasium.Env"):
        QLearning().fit(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="cannot make the environment"):
        QLearning().fit("NoSuchEnv-v0")
    agent = QLearning(n_steps=100, random_state=0).fit(_mdp())
    for bad in ([[0, 1], [1, 0]], 2, -1, 0.5, "a"):
        with pytest.raises(ValueError, match="observation"):
            agent.act(bad)
    deep = DQN(**DQN.get_test_params()).fit("CartPole-v1")
    assert deep.act(np.zeros(4)) in (0, 1)
    assert deep.act(np.zeros((5, 4))).shape == (5,)
    assert deep.predict_q(np.zeros(4)).shape == (2,)
    for bad in (np.zeros(3), np.zeros((2, 5)), np.zeros((1, 2, 4)), [np.nan] * 4):
        with pytest.raises(ValueError, match="observation"):
            deep.act(bad)
    with pytest.raises(ValueError, match="actions"):
        deep.evaluate(gym.make("Acrobot-v1"))
    with pytest.raises(ValueError, match="n_episodes"):
        deep.evaluate("CartPole-v1", n_episodes=0)
    with pytest.raises(ValueError, match="random_state"):
        deep.evaluate("CartPole-v1", random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="observations"):
        deep.evaluate(_mdp())  # two actions, but discrete states


def test_broken_environment_is_reported():
    class Broken(gym.Env):
        observation_space = gym.spaces.Discrete(2)
        action_space = gym.spaces.Discrete(2)

        def reset(self, *, seed=None, options=None):
            return 0  # not (observation, info)

        def step(self, action):
            return 1, 0.0, True, False, {}

    with pytest.raises(ValueError, match="Gymnasium API"):
        QLearning(n_steps=10).fit(Broken())


def test_hyper_parameter_search_with_clone():
    """A grid search over cloned agents picks a setting that plays as well as the
    optimal policy (Q-value iteration) and twice as well as random actions."""
    mdp = _mdp()
    optimal = QValueIteration(gamma=0.9).fit(mdp).evaluate(mdp, n_episodes=20, random_state=0)[0]
    for seed in range(3):
        rng = np.random.default_rng(seed)
        random_play = rollout(mdp.as_env(), lambda obs: int(rng.integers(2)), 20, seed=0)[0].mean()
        scores = {}
        for params in ParameterGrid({"exploration": ["random", "count"], "alpha0": [0.1, 0.5]}):
            agent = clone(QLearning(n_steps=500, random_state=seed)).set_params(**params).fit(mdp)
            scores[tuple(sorted(params.items()))] = agent.evaluate(mdp, n_episodes=20, random_state=0)[0]
        assert len(scores) == 4 and len(set(scores.values())) > 1  # the settings differ
        assert max(scores.values()) == optimal >= 2 * random_play, (scores, optimal, random_play)


def test_agents_are_registered_as_agents():
    names = {name for name, _ in sklml.all_estimators(type_filter="agent")}
    assert {c.__name__ for c in AGENTS} <= names
    assert sklml.get_estimator("DQN") is DQN
    others = {name for name, _ in sklml.all_estimators(type_filter=["classifier", "regressor", "transformer"])}
    assert not names & others


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_history_is_one_structure_for_every_agent(cls):
    agent = _make(cls).fit(_mdp().as_env(max_episode_steps=7))
    h = agent.history_
    assert isinstance(h, AgentHistory)
    if cls in (ValueIteration, QValueIteration):  # planners never step the environment
        assert h == AgentHistory() and agent.n_iter_ == len(agent.value_curve_) >= 1
        return
    assert agent.n_episodes_ == h.n_episodes >= 1
    # episodes follow each other: each ends its length after the previous one
    np.testing.assert_array_equal(np.diff(h.episode_end_steps), h.episode_lengths[1:])
    assert h.episode_end_steps[0] == h.episode_lengths[0] and h.episode_end_steps[-1] <= agent.n_steps_
    assert np.all(h.episode_lengths <= 7) and np.all(np.isfinite(h.episode_returns))
    length = agent.n_episodes if cls is REINFORCE else agent.n_steps
    assert agent.n_iter_ == length


@pytest.mark.parametrize("cls", [TDLearning, QLearning, DQN, REINFORCE], ids=lambda c: c.__name__)
def test_total_timesteps_alias(cls):
    agent = _make(cls, total_timesteps=120).fit(_mdp())
    assert agent.n_steps_ >= 120
    if cls is not REINFORCE:  # REINFORCE stops at the end of an update
        assert agent.n_steps_ == agent.n_iter_ == 120


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_predict_is_act(cls):
    agent = _make(cls).fit(_mdp())
    states = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(agent.predict(states), agent.act(states))
    assert agent.predict(1) == agent.act(1)


@pytest.mark.parametrize("cls", AGENTS, ids=lambda c: c.__name__)
def test_save_and_load_without_pickle(cls, tmp_path):
    mdp = _mdp()
    agent = _make(cls, gamma=0.8).fit(mdp)
    path = tmp_path / "agent.skops"
    agent.save(path)
    assert sklml.io.get_untrusted_types(path) == []  # only types sklml.io trusts
    loaded = cls.load(path)
    assert type(loaded) is cls and loaded.get_params() == agent.get_params()
    states = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(loaded.act(states), agent.act(states))
    assert loaded.history_ == agent.history_
    assert loaded.evaluate(mdp, n_episodes=3, random_state=1) == agent.evaluate(mdp, n_episodes=3, random_state=1)
    other = QLearning if cls is not QLearning else TDLearning
    with pytest.raises(TypeError, match=f"holds a {cls.__name__}"):
        other.load(path)


def test_save_needs_a_fitted_agent_and_load_a_sklml_file(tmp_path):
    with pytest.raises(NotFittedError):
        QLearning().save(tmp_path / "unfitted.skops")
    skops.io.dump({"format": "something else"}, tmp_path / "other.skops")
    with pytest.raises(ValueError, match="not an sklml agent file"):
        QLearning.load(tmp_path / "other.skops")


def test_deep_agent_with_an_eval_env_saves(tmp_path):
    agent = REINFORCE(n_episodes=4, episodes_per_update=2, eval_freq=2, eval_env=gym.make("CartPole-v1"),
                      random_state=0, device="cpu").fit("CartPole-v1")
    agent.save(tmp_path / "agent.skops")
    loaded = REINFORCE.load(tmp_path / "agent.skops")
    assert loaded.eval_env is None  # an environment is not saved
    np.testing.assert_array_equal(loaded.act(np.zeros((3, 4))), agent.act(np.zeros((3, 4))))
    assert loaded.best_eval_return_ == agent.best_eval_return_
