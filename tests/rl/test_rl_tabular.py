"""Tabular agents: the Hands-On ML 3-state MDP, FrozenLake, CliffWalking, exploration."""

import itertools

import gymnasium as gym
import numpy as np
import pytest

from sklml.rl import MDP, QLearning, QValueIteration, TDLearning, ValueIteration

# Hands-On ML, chapter 18: transition_probabilities[s][a][s'], rewards[s][a][s']
BOOK_T = [
    [[0.7, 0.3, 0.0], [1.0, 0.0, 0.0], [0.8, 0.2, 0.0]],
    [[0.0, 1.0, 0.0], None, [0.0, 0.0, 1.0]],
    [None, [0.8, 0.1, 0.1], None],
]
BOOK_R = [
    [[+10, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 0, -50]],
    [[0, 0, 0], [+40, 0, 0], [0, 0, 0]],
]
BOOK_ACTIONS = [[0, 1, 2], [0, 2], [1]]


@pytest.fixture
def book_mdp():
    return MDP.from_lists(BOOK_T, BOOK_R, BOOK_ACTIONS)


def _policy_values(T, ER, policy, gamma):
    """Exact state values of a deterministic policy: solve (I - gamma P) V = r."""
    idx = np.arange(len(policy))
    return np.linalg.solve(np.eye(len(policy)) - gamma * T[idx, policy], ER[idx, policy])


def optimal_q_by_policy_enumeration(mdp, gamma):
    """Reference independent of any iteration: the optimal policy's values dominate
    those of every other deterministic policy; Q follows from them."""
    T, ER, mask = mdp.transition_probabilities, mdp.expected_rewards, mdp.action_mask
    best_v, best_pi = None, None
    for pi in itertools.product(*[np.flatnonzero(row) for row in mask]):
        v = _policy_values(T, ER, np.array(pi), gamma)
        if best_v is None or np.all(v >= best_v - 1e-12):
            best_v, best_pi = v, np.array(pi)
    q = np.where(mask, ER + gamma * T @ best_v, -np.inf)
    return q, best_pi


@pytest.mark.parametrize(
    "gamma, book_policy", [(0.90, [0, 0, 1]), (0.95, [0, 2, 1])]
)
def test_q_value_iteration_reproduces_the_book(book_mdp, gamma, book_policy):
    q_ref, pi_ref = optimal_q_by_policy_enumeration(book_mdp, gamma)
    assert pi_ref.tolist() == book_policy
    agent = QValueIteration(gamma=gamma).fit(book_mdp)
    np.testing.assert_allclose(agent.Q_, q_ref, atol=1e-6)
    assert agent.policy_.tolist() == book_policy
    assert agent.act(1) == book_policy[1]
    assert agent.act([0, 1, 2]).tolist() == book_policy
    # value iteration agrees
    vi = ValueIteration(gamma=gamma).fit(book_mdp)
    np.testing.assert_allclose(vi.V_, q_ref.max(axis=1), atol=1e-6)
    np.testing.assert_allclose(vi.Q_, q_ref, atol=1e-6)
    assert vi.policy_.tolist() == book_policy


def test_q_values_printed_in_the_book(book_mdp):
    q = QValueIteration(gamma=0.90).fit(book_mdp).Q_
    book = [[18.91891892, 17.02702702, 13.62162162],
            [0.0, -np.inf, -4.87971488],
            [-np.inf, 50.13365013, -np.inf]]
    np.testing.assert_allclose(q, book, atol=1e-6)


@pytest.mark.parametrize("exploration", ["epsilon", "random", "count"])
def test_q_learning_defaults_find_the_optimal_policy_for_every_seed(book_mdp, exploration):
    for seed in [None, *range(10)]:  # None: the default random_state
        agent = QLearning(exploration=exploration, random_state=seed).fit(book_mdp)  # gamma=0.9
        assert agent.policy_.tolist() == [0, 0, 1], (exploration, seed)
        assert agent.N_.sum() == 10_000
        assert np.isneginf(agent.Q_[1, 1]) and np.isneginf(agent.Q_[2, 0])


def test_q_learning_with_random_exploration_estimates_the_q_values(book_mdp):
    """The book's run (random exploration, 10,000 steps: 18.8, 17.2, ...) for seeds 0-9:
    every Q-value within 12% of the largest, where the untrained table (zeros) is 100% off."""
    q_ref, _ = optimal_q_by_policy_enumeration(book_mdp, 0.90)
    finite = np.isfinite(q_ref)
    scale = np.max(np.abs(q_ref[finite]))
    for seed in [None, *range(10)]:  # None: the default random_state
        agent = QLearning(exploration="random", random_state=seed).fit(book_mdp)
        assert np.max(np.abs(agent.Q_[finite] - q_ref[finite])) < 0.12 * scale, seed


@pytest.mark.parametrize("gamma", [0.5, 0.9])
def test_td_learning_defaults_estimate_policy_values_for_every_seed(book_mdp, gamma):
    """The documented result: within 15% of the exact values for seeds 0-9 (the untrained
    estimate, zeros, is 100% off)."""
    policy = np.array([0, 0, 1])
    mdp = MDP(book_mdp.transition_probabilities, book_mdp.rewards, book_mdp.action_mask,
              initial_distribution=[1 / 3, 1 / 3, 1 / 3])
    exact = _policy_values(mdp.transition_probabilities, mdp.expected_rewards, policy, gamma)
    errors = []
    for seed in [None, *range(10)]:  # None: the default random_state
        td = TDLearning(policy=policy, gamma=gamma, random_state=seed).fit(mdp.as_env(max_episode_steps=20))
        errors.append(np.max(np.abs(td.V_ - exact) / np.maximum(np.abs(exact), 1.0)))
        assert td.act([0, 1, 2]).tolist() == policy.tolist()
        assert td.history_.n_episodes == 30_000 // 20
        assert np.all(td.history_.episode_lengths == 20)
    assert max(errors) < 0.15 and np.median(errors) < 0.05, np.round(errors, 3)


def _chain_mdp(seed, n_states=8, n_actions=4, p_forward=0.9):
    """A random chain: in each state one random action moves forward (with probability
    0.9), the others jump back to a random earlier state; the reward sits at the end,
    plus sparse small random rewards. Undirected exploration rarely gets far."""
    rng = np.random.default_rng(seed)
    T = np.zeros((n_states, n_actions, n_states))
    for s in range(n_states):
        forward = rng.integers(n_actions)
        for a in range(n_actions):
            if a == forward:
                T[s, a, min(s + 1, n_states - 1)] += p_forward
                T[s, a, rng.integers(0, s + 1)] += 1 - p_forward
            else:
                T[s, a, rng.integers(0, s + 1)] += 1.0
    R = (rng.random(T.shape) < 0.1) * 0.01
    R[-1, :, -1] += 1.0
    return MDP(T, R)


def _steps_to_optimal(mdp, q_star, exploration, seed, chunk=500, max_steps=10_000):
    """Steps of Q-learning until the greedy policy is optimal (checked every chunk)."""
    # kappa of the order of the largest value, 1 / (1 - gamma): an untried action looks good
    agent = QLearning(gamma=0.9, exploration=exploration, alpha0=0.5, decay=0.001, kappa=10.0,
                      n_steps=chunk, warm_start=True, random_state=seed)
    env = mdp.as_env(max_episode_steps=None)
    states = np.arange(mdp.n_states)
    while agent.fit(env).n_steps_ <= max_steps:
        if np.all(q_star[states, agent.policy_] >= q_star.max(axis=1) - 1e-9):
            return agent.n_steps_
    return np.inf


def test_count_exploration_beats_random_exploration():
    count_steps, random_steps = [], []
    for seed in range(3):
        mdp = _chain_mdp(seed)
        optimal = QValueIteration(gamma=0.9).fit(mdp).Q_
        count_steps.append(_steps_to_optimal(mdp, optimal, "count", seed))
        random_steps.append(_steps_to_optimal(mdp, optimal, "random", seed))
    assert max(count_steps) <= 5_000, count_steps
    assert sum(count_steps) < sum(random_steps), (count_steps, random_steps)


def test_value_iteration_solves_deterministic_frozen_lake():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    agent = ValueIteration(gamma=0.9).fit(env)
    assert agent.evaluate(env, n_episodes=3, random_state=0) == (1.0, 0.0)
    mdp = MDP.from_gymnasium(env)
    assert mdp.terminal_states.sum() == 5  # four holes and the goal
    assert QValueIteration(gamma=0.9).fit(mdp).policy_.tolist() == agent.policy_.tolist()


def _random_policy_mean_return(env, n_episodes, seed, max_steps=10_000):
    """The trivial baseline: uniformly random actions, mean return over ``n_episodes``."""
    env.action_space.seed(seed)
    returns = []
    for episode in range(n_episodes):
        env.reset(seed=seed if episode == 0 else None)
        total, done, steps = 0.0, False, 0
        while not done and steps < max_steps:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            total, done, steps = total + reward, terminated or truncated, steps + 1
        returns.append(total)
    return float(np.mean(returns))


@pytest.mark.parametrize("seed", [None, 1, 2])  # evaluation episodes; None: the default
def test_value_iteration_on_slippery_frozen_lake_is_near_the_known_success_rate(seed):
    env = gym.make("FrozenLake-v1", is_slippery=True)
    agent = ValueIteration(gamma=0.99).fit(env)
    mean, _ = agent.evaluate(env, n_episodes=300, random_state=seed)
    baseline = _random_policy_mean_return(env, 300, seed)  # about 0.015
    assert mean > 0.6, (seed, mean)  # the optimal policy succeeds about 74% of the time
    assert mean > baseline + 0.5, (seed, mean, baseline)


@pytest.mark.parametrize("seed", [None, 1, 2])  # None: QLearning's default random_state
def test_q_learning_reaches_the_goal_on_cliff_walking(seed):
    env = gym.make("CliffWalking-v1")
    agent = QLearning(gamma=0.99, alpha0=0.5, decay=0.0, epsilon=0.1, epsilon_decay=0.0,
                      n_steps=10_000, random_state=seed).fit(env)
    mean, std = agent.evaluate(env, n_episodes=2, random_state=0, max_steps=200)
    assert mean == -13.0 and std == 0.0, (seed, mean)  # the shortest path along the cliff
    baseline = _random_policy_mean_return(env, 2, 0, max_steps=200)  # falls off: -100 a step
    assert mean > baseline + 100, (seed, mean, baseline)
    returns = agent.history_.episode_returns
    assert len(returns) > 100 and returns[-1] > returns[0]


def test_planners_read_taxi_model_and_warn_without_convergence():
    env = gym.make("Taxi-v4") if "Taxi-v4" in gym.registry else gym.make("Taxi-v3")
    agent = ValueIteration(gamma=0.95).fit(env)
    for seed in (None, 1, 2):  # evaluation episodes; None: the default
        mean, _ = agent.evaluate(env, n_episodes=5, random_state=seed)
        assert mean > 0, (seed, mean)  # +20 for the delivery minus a handful of steps
        baseline = _random_policy_mean_return(env, 5, seed, max_steps=200)  # about -700
        assert mean > baseline + 100, (seed, mean, baseline)
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning):
        QValueIteration(gamma=0.95, n_iter=3).fit(env)
