"""
Value iteration and Q-learning on the Hands-On ML Markov decision process
=========================================================================

The three-state MDP of the lectures (Géron, *Hands-On Machine Learning*, ch. 18):
in state ``s0`` the agent can stay and collect +10 (action ``a0``), in ``s1``
going through the fire (``a2``) costs -50 but leads to ``s2``, where ``a1``
earns +40. :class:`~sklml.rl.QValueIteration` solves the Bellman optimality
equations

.. math:: Q_{k+1}(s, a) = \\sum_{s'} T(s, a, s') \\left[R(s, a, s') + \\gamma \\max_{a'} Q_k(s', a')\\right]

for two discount factors: with :math:`\\gamma = 0.90` the best action in ``s1`` is to
stay put, with :math:`\\gamma = 0.95` it is worth going through the fire.

:class:`~sklml.rl.QLearning` does not know ``T`` or ``R``: it explores the MDP
(here at random, as in the book) and updates its estimates from the transitions
it sees. The right panel follows its estimate of :math:`Q(s_0, a_0)` towards the
exact value.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklml.rl import MDP, QLearning, QValueIteration

transition_probabilities = [  # shape=[s, a, s']
    [[0.7, 0.3, 0.0], [1.0, 0.0, 0.0], [0.8, 0.2, 0.0]],
    [[0.0, 1.0, 0.0], None, [0.0, 0.0, 1.0]],
    [None, [0.8, 0.1, 0.1], None],
]
rewards = [  # shape=[s, a, s']
    [[+10, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 0, -50]],
    [[0, 0, 0], [+40, 0, 0], [0, 0, 0]],
]
possible_actions = [[0, 1, 2], [0, 2], [1]]
mdp = MDP.from_lists(transition_probabilities, rewards, possible_actions)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for gamma in (0.90, 0.95):
    agent = QValueIteration(gamma=gamma).fit(mdp)
    print(f"gamma={gamma}: policy {agent.policy_.tolist()}, Q =\n{np.round(agent.Q_, 2)}")
    ax1.plot(agent.value_curve_, label=f"$\\gamma$ = {gamma}, policy {agent.policy_.tolist()}")
ax1.set_xlabel("sweep")
ax1.set_ylabel("$V(s_0)$ = max$_a$ Q($s_0$, a)")
ax1.set_title("Q-value iteration")
ax1.legend()

exact = QValueIteration(gamma=0.90).fit(mdp).Q_[0, 0]
agent = QLearning(gamma=0.90, exploration="random", n_steps=500, warm_start=True, random_state=42)
steps, estimates = [], []
for _ in range(20):  # 10,000 steps, 500 at a time
    agent.fit(mdp)
    steps.append(agent.n_steps_)
    estimates.append(agent.Q_[0, 0])
ax2.plot(steps, estimates, "o-", label="Q-learning estimate")
ax2.axhline(exact, color="k", ls="--", label=f"exact {exact:.2f}")
ax2.set_xlabel("environment steps")
ax2.set_ylabel("Q($s_0$, $a_0$)")
ax2.set_title(f"Q-learning (random exploration), policy {agent.policy_.tolist()}")
ax2.legend()
fig.tight_layout()
plt.show()
