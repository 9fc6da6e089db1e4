"""
REINFORCE on CartPole
=====================

The lectures' policy-gradient recipe (Williams' REINFORCE, as in Hands-On ML):
a small neural network maps the cart-pole observation to the probabilities of
pushing left or right. The agent plays ten episodes with its current policy,
computes each step's discounted return, normalises the returns over the ten
episodes (the advantage), and takes one gradient step that makes the actions
with a positive advantage more likely.

:class:`~sklml.rl.REINFORCE` does it in a few seconds on a CPU. The greedy
policy (``act(..., deterministic=True)``) is then evaluated on ten new episodes;
CartPole-v1 stops at 500 steps.
"""

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklml.rl import REINFORCE

torch.set_num_threads(1)  # a network this small trains fastest on one thread
env = gym.make("CartPole-v1")
agent = REINFORCE(hidden_layer_sizes=(32,), learning_rate=0.01, gamma=0.99, n_episodes=600,
                  episodes_per_update=10, baseline="normalize", random_state=0, device="cpu")
agent.fit(env)
mean, std = agent.evaluate(env, n_episodes=10, random_state=0)
print(f"{int(sum(agent.history_))} training steps; evaluation return {mean:.0f} +- {std:.0f}")

returns = np.asarray(agent.history_)
window = 20
smooth = np.convolve(returns, np.ones(window) / window, mode="valid")
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(returns, alpha=0.3, label="episode return")
ax.plot(np.arange(window - 1, len(returns)), smooth, label=f"mean of {window}")
ax.axhline(195, color="k", ls="--", lw=1, label="195")
ax.set_xlabel("training episode")
ax.set_ylabel("return")
ax.set_title(f"REINFORCE on CartPole-v1: greedy policy scores {mean:.0f}")
ax.legend()
fig.tight_layout()
plt.show()
