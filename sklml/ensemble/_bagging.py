"""The bootstrap of the forests: scikit-learn's draws, reproduced.

A tree's bootstrap sample is drawn from its own integer seed, so that it can be
drawn again (``estimators_samples_``, out-of-bag rows) instead of stored.
"""

import warnings
from numbers import Integral

import numpy as np


def n_bootstrap_samples(n_samples, max_samples, sample_weight):
    """Rows drawn for each tree (scikit-learn's ``max_samples`` rules: an int is
    taken as is, a float is a fraction of the rows, or of the total weight when
    the rows are weighted)."""
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, Integral):
        return max_samples
    if sample_weight is None:
        weighted = n_samples
        what = f"the number of samples is {weighted} "
    else:
        weighted = sample_weight.sum()
        what = f"the total sum of sample weights is {weighted} "
    n_boot = max(int(max_samples * weighted), 1)
    if n_boot < max(10, n_samples ** (1 / 3)):
        warnings.warn(
            f"Using the fractional value {max_samples=} when {what}results in a low "
            f"number ({n_boot}) of bootstrap samples. We recommend passing "
            "`max_samples` as an integer instead.")
    return n_boot


def bootstrap_indices(seed, n_samples, n_boot, sample_weight):
    """The rows (with repetitions) of one tree's bootstrap, as scikit-learn
    draws them: uniformly, or in proportion to ``sample_weight``."""
    rng = np.random.RandomState(seed)
    if sample_weight is None:
        idx = rng.randint(0, n_samples, n_boot)
    else:
        idx = rng.choice(n_samples, n_boot, replace=True,
                         p=sample_weight / np.sum(sample_weight))
    return idx.astype(np.int32)


def unsampled_mask(seed, n_samples, n_boot, sample_weight):
    """The out-of-bag rows of one tree, as a boolean mask."""
    counts = np.bincount(bootstrap_indices(seed, n_samples, n_boot, sample_weight),
                         minlength=n_samples)
    return counts == 0
