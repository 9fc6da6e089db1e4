"""Numba kernels: one call runs one whole epoch of (mini-)batch gradient descent.

Losses, optimizers and penalties are passed as integer codes and floats, so the
epoch kernel has a single compiled specialisation (float64 data, int codes).

Parameters live in one matrix ``P`` of shape ``(n_outputs, n_features + 1)``;
the last column is the intercept, which is never penalised.
"""

import math

import numpy as np
from numba import njit

# loss codes
SQUARED, HUBER, POISSON, LOGISTIC, SOFTMAX = 0, 1, 2, 3, 4
LOSS_CODES = {"squared_error": SQUARED, "huber": HUBER, "poisson": POISSON}

# optimizer codes
SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, NADAM = range(7)
OPTIMIZER_CODES = {
    "sgd": SGD,
    "momentum": MOMENTUM,
    "nesterov": NESTEROV,
    "adagrad": ADAGRAD,
    "rmsprop": RMSPROP,
    "adam": ADAM,
    "nadam": NADAM,
}


@njit(cache=True)
def _loss_grad(loss, eta, yi, delta, dl):
    """Loss of one sample at linear outputs ``eta``; writes dloss/deta into ``dl``."""
    if loss == SQUARED:
        r = eta[0] - yi
        dl[0] = r
        return 0.5 * r * r
    if loss == HUBER:
        r = eta[0] - yi
        if abs(r) <= delta:
            dl[0] = r
            return 0.5 * r * r
        dl[0] = delta if r > 0 else -delta
        return delta * (abs(r) - 0.5 * delta)
    if loss == POISSON:
        # half Poisson deviance with log link: mu - y*eta + y*log(y) - y
        mu = math.exp(eta[0])
        dl[0] = mu - yi
        val = mu - yi * eta[0]
        if yi > 0:
            val += yi * math.log(yi) - yi
        return val
    if loss == LOGISTIC:
        z = eta[0]
        if z >= 0:
            e = math.exp(-z)
            p = 1.0 / (1.0 + e)
            val = math.log1p(e) + z - yi * z
        else:
            e = math.exp(z)
            p = e / (1.0 + e)
            val = math.log1p(e) - yi * z
        dl[0] = p - yi
        return val
    # SOFTMAX: yi is the class index
    c = int(yi)
    K = eta.shape[0]
    m = eta[0]
    for k in range(1, K):
        if eta[k] > m:
            m = eta[k]
    s = 0.0
    for k in range(K):
        dl[k] = math.exp(eta[k] - m)
        s += dl[k]
    for k in range(K):
        dl[k] /= s
    dl[c] -= 1.0
    return math.log(s) + m - eta[c]


@njit(cache=True)
def _soft_threshold(p, thr):
    if p > thr:
        return p - thr
    if p < -thr:
        return p + thr
    return 0.0


@njit(cache=True)
def _step(opt, P, G, S1, S2, t, lr, beta, beta1, beta2, rho, eps, l1, n_features):
    """One optimizer update of ``P`` with gradient ``G``; then the l1 proximal step.

    The proximal (soft-threshold) step uses each coordinate's effective step
    size, which gives exact zeros.  Nesterov is run in the look-ahead form
    (Sutskever et al. 2013): the stored parameters are ``w + beta * m``, so the
    gradient is always evaluated at the stored point, as the lectures' formula asks.
    """
    K, D = P.shape
    bc1 = 1.0 - beta1**t
    bc2 = 1.0 - beta2**t
    for k in range(K):
        for j in range(D):
            g = G[k, j]
            a = lr
            if opt == SGD:
                P[k, j] -= lr * g
            elif opt == MOMENTUM:
                m = beta * S1[k, j] - lr * g
                S1[k, j] = m
                P[k, j] += m
            elif opt == NESTEROV:
                m = beta * S1[k, j] - lr * g
                S1[k, j] = m
                P[k, j] += beta * m - lr * g
            elif opt == ADAGRAD:
                v = S2[k, j] + g * g
                S2[k, j] = v
                a = lr / (math.sqrt(v) + eps)
                P[k, j] -= a * g
            elif opt == RMSPROP:
                v = rho * S2[k, j] + (1.0 - rho) * g * g
                S2[k, j] = v
                a = lr / (math.sqrt(v) + eps)
                P[k, j] -= a * g
            else:  # ADAM, NADAM
                m = beta1 * S1[k, j] + (1.0 - beta1) * g
                v = beta2 * S2[k, j] + (1.0 - beta2) * g * g
                S1[k, j] = m
                S2[k, j] = v
                a = lr / (math.sqrt(v / bc2) + eps)
                if opt == ADAM:
                    P[k, j] -= a * (m / bc1)
                else:
                    P[k, j] -= a * (beta1 * m / bc1 + (1.0 - beta1) * g / bc1)
            if l1 > 0.0 and j < n_features:
                P[k, j] = _soft_threshold(P[k, j], a * l1)


@njit(cache=True)
def run_epoch(
    X, y, sw, order, seed, shuffle, P, S1, S2, t, loss, opt, lr, beta, beta1, beta2,
    rho, eps, l2, l1, batch_size, delta, sw_mean, fit_intercept,
):
    """Run one epoch in place on ``P``, ``S1``, ``S2`` and the step counter ``t[0]``.

    The mini-batch gradient is ``sum_B sw_i grad_i / (|B| * sw_mean)`` (an
    unbiased estimate of the weighted-mean gradient) plus ``l2 * w``.
    Returns the weighted mean loss over the epoch, each sample's loss taken
    just before the update that used it.
    """
    n, d = X.shape
    K = P.shape[0]
    if shuffle:
        np.random.seed(seed)
        for i in range(n - 1, 0, -1):
            j = np.random.randint(0, i + 1)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
    G = np.zeros((K, d + 1))
    eta = np.empty(K)
    dl = np.empty(K)
    loss_sum = 0.0
    w_sum = 0.0
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        G[:] = 0.0
        scale = 1.0 / ((stop - start) * sw_mean)
        for ii in range(start, stop):
            i = order[ii]
            for k in range(K):
                s = P[k, d]
                for j in range(d):
                    s += X[i, j] * P[k, j]
                eta[k] = s
            li = _loss_grad(loss, eta, y[i], delta, dl)
            loss_sum += sw[i] * li
            w_sum += sw[i]
            c = sw[i] * scale
            if c == 0.0:
                continue
            for k in range(K):
                g = c * dl[k]
                if g != 0.0:
                    for j in range(d):
                        G[k, j] += g * X[i, j]
                    G[k, d] += g
        for k in range(K):
            if l2 > 0.0:
                for j in range(d):
                    G[k, j] += l2 * P[k, j]
            if not fit_intercept:
                G[k, d] = 0.0
        t[0] += 1
        _step(opt, P, G, S1, S2, t[0], lr, beta, beta1, beta2, rho, eps, l1, d)
        start = stop
    if w_sum > 0.0:
        return loss_sum / w_sum
    return 0.0


@njit(cache=True)
def mean_loss(X, y, sw, P, loss, delta):
    """Weighted mean loss of the parameters ``P`` (no penalty)."""
    n, d = X.shape
    K = P.shape[0]
    eta = np.empty(K)
    dl = np.empty(K)
    total = 0.0
    w_sum = 0.0
    for i in range(n):
        for k in range(K):
            s = P[k, d]
            for j in range(d):
                s += X[i, j] * P[k, j]
            eta[k] = s
        total += sw[i] * _loss_grad(loss, eta, y[i], delta, dl)
        w_sum += sw[i]
    if w_sum > 0.0:
        return total / w_sum
    return 0.0
