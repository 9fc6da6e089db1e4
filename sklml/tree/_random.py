"""The tree engine's random numbers: an xorshift64* stream in a one-element
uint64 array (``rng``), and the feature draw built on it.

Every random choice of a fit (the features drawn per node, the random
splitter's thresholds and missing-value sides) comes from this one stream,
seeded by :func:`seed_state`, so a seed fixes the tree.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def seed_state(seed):
    """A fresh stream (one-element uint64 array) for ``seed``."""
    rng = np.empty(1, np.uint64)
    rng[0] = np.uint64(seed) * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    if rng[0] == 0:
        rng[0] = np.uint64(88172645463325252)
    return rng


@njit(cache=True, inline="always")
def rand_int(state, n):
    """xorshift64*: uniform int in [0, n)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(33)
    return np.int64(r % np.uint64(n))


@njit(cache=True, inline="always")
def rand_uniform(state):
    """xorshift64*: uniform float64 in [0, 1) (53 random bits)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(11)
    return np.float64(r) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def draw_feature(rng, feats, j):
    """Step ``j`` of a Fisher-Yates shuffle of ``feats``: the ``j``-th feature
    drawn without replacement in this node (``feats[:j]`` were drawn before;
    the array stays a permutation from node to node, as scikit-learn's)."""
    n = feats.shape[0]
    k = j + rand_int(rng, n - j)
    tmp = feats[j]
    feats[j] = feats[k]
    feats[k] = tmp
    return feats[j]
