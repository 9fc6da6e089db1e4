"""The compiled boosting loops' building blocks against the NumPy they replace."""

import numpy as np
import pytest

from sklml.ensemble._boosting_loop import (
    _bootstrap_counts,
    add_blocks,
    np_sum,
    pairwise_blocks,
    samme_loop,
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bootstrap_counts_are_random_state_choice(seed):
    # the draws of RandomState.choice(n, n, p=sw), from the same uniforms:
    # weights from flat to very skewed, some zero, uniforms on the cdf's values
    rng = np.random.RandomState(seed)
    for n in (1, 2, 7, 1000, 30_000):
        for power in (1, 8, 40):
            sw = rng.rand(n) ** power
            sw[rng.rand(n) < 0.1] = 0.0
            if sw.sum() == 0:
                sw[0] = 1.0
            p = sw / sw.sum()
            cdf = np.cumsum(p)
            cdf /= cdf[-1]
            uniforms = rng.random_sample(n)
            uniforms[: min(n, 4)] = [0.0, 1.0 - 2.0**-53, cdf[n // 2], 0.5][: min(n, 4)]
            counts = np.zeros(n)
            _bootstrap_counts(cdf, uniforms, np.empty(n + 1, np.int64), counts)
            expected = np.bincount(np.searchsorted(cdf, uniforms, side="right"),
                                   minlength=n)
            np.testing.assert_array_equal(counts, expected)
            # and the very draw scikit-learn's AdaBoostRegressor makes
            draw = np.random.RandomState(seed).choice(np.arange(n), size=n, p=p)
            counts = np.zeros(n)
            _bootstrap_counts(cdf, np.random.RandomState(seed).random_sample(n),
                              np.empty(n + 1, np.int64), counts)
            np.testing.assert_array_equal(counts, np.bincount(draw, minlength=n))


def test_block_sums_add_up_as_numpy():
    rng = np.random.RandomState(0)
    for n in [0, 1, 8, 128, 129, 1000, 75_000]:
        a = rng.rand(n) * 10.0 ** rng.randint(-8, 8, n)
        lo, length, sums = pairwise_blocks(n)
        assert length.sum() == n and np.all(lo[1:] == lo[:-1] + length[:-1])
        for b in range(len(lo)):
            sums[b] = np.sum(a[lo[b]:lo[b] + length[b]])  # a block is one NumPy sum
        assert add_blocks(sums, n, lo, length) == np.sum(a) == np_sum(a)


def test_samme_weights_update_as_numpy():
    # two rounds of stumps on one feature; the compiled loop's second tree is
    # grown on the weights NumPy computes from the first round
    from sklml.tree._binning import bin_data, encode_labels

    rng = np.random.RandomState(0)
    X = rng.rand(3000, 1).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.randn(3000) > 0.5).astype(int)
    sw = rng.randint(0, 3, 3000).astype(float)
    sw /= sw.sum()
    binned = bin_data(X, 255, sw, 0)
    _, y_cls = encode_labels(y)
    i64 = np.int64
    out = samme_loop(binned.X_binned, binned.n_bins, binned.bin_lo, binned.bin_hi, y_cls,
                     np.zeros((1, 1)), sw, i64(0), i64(2), i64(1), i64(2), i64(1), 0.0,
                     i64(1), i64(-1), 0.0, np.array([1, 2], np.int64), 0.5, False,
                     np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint8),
                     np.zeros(0, np.int64))
    threshold, value, weights, errors = out[3], out[8], out[11], out[12]
    assert out[13] == 2
    # round 1 by NumPy, from the first stump's split
    pred = np.where(X[:, 0] <= threshold[0], np.argmax(value[1]), np.argmax(value[2]))
    incorrect = pred != y_cls
    error = np.average(incorrect, weights=sw)
    weight = 0.5 * np.log((1 - error) / error)
    assert errors[0] == error
    np.testing.assert_allclose(weights[0], weight, rtol=1e-14)
    with np.errstate(divide="ignore"):  # log(0) of the rows of weight 0
        new = np.exp(np.log(sw) + weight * incorrect * (sw > 0))
    new /= new.sum()
    new = np.where(sw == 0, 0.0, np.clip(new, np.finfo(float).eps, None))
    # the second stump's leaf fractions are the NumPy weights' class sums
    left = X[:, 0] <= threshold[3]
    fractions = np.bincount(y_cls[left], weights=new[left], minlength=2)
    np.testing.assert_allclose(value[4], fractions / fractions.sum(), rtol=1e-12)
