"""Numba kernels: one call runs one whole epoch of (mini-)batch gradient descent.

Losses, optimizers, schedules and penalties are passed as integer codes and floats
in one named record (:class:`EpochSettings`, built by :func:`epoch_settings`, which
fixes every field's type), so the epoch kernel has a single compiled
specialisation (float64 data, int codes).

Parameters live in one matrix ``P`` of shape ``(n_outputs, n_features + 1)``;
the last column is the intercept, which is never penalised.

Dense data run through :func:`run_epoch`, CSR data (:class:`SparseRows`)
through :func:`run_epoch_sparse`. The kernels draw no random numbers: the
caller's local generator passes the order of the rows (the training
contract's seeding policy). Inputs are made C-contiguous and writeable
(:func:`as_kernel_array`), so a read-only memory map does not compile a
second specialisation.
"""

import math
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

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

# learning-rate schedule codes (scikit-learn's SGD names); "adaptive" runs as
# "constant" inside an epoch, the Python loop divides the rate between epochs
CONSTANT, OPTIMAL, INVSCALING, ADAPTIVE = range(4)
SCHEDULE_CODES = {
    "constant": CONSTANT,
    "optimal": OPTIMAL,
    "invscaling": INVSCALING,
    "adaptive": ADAPTIVE,
}

# counters of a run, kept between epochs and partial_fit calls
UPDATES, SAMPLES_SEEN, AVERAGED = range(3)

_SETTINGS_TYPES = {
    "loss": int,            # loss code
    "optimizer": int,       # optimizer code
    "schedule": int,        # learning-rate schedule code
    "eta": float,           # eta0, or the current rate of "adaptive"
    "power_t": float,       # exponent of "invscaling"
    "optimal_init": float,  # t0 of "optimal": eta = 1 / (alpha (t0 + t - 1))
    "alpha": float,         # alpha of "optimal"
    "beta": float,          # momentum of "momentum" and "nesterov"
    "beta1": float,
    "beta2": float,
    "rho": float,
    "eps": float,
    "l2": float,            # penalty strengths
    "l1": float,
    "batch_size": int,
    "delta": float,         # Huber threshold
    "loss_scale": float,    # multiplies every sample's loss and gradient
    "sw_mean": float,       # mean sample weight: the gradient's normaliser
    "fit_intercept": bool,
    "average_start": int,   # average the parameters once this many samples were seen (0: never)
}
EpochSettings = namedtuple("EpochSettings", list(_SETTINGS_TYPES))

#: a CSR matrix's arrays (float64 data, int64 indices and indptr); all empty for dense data
SparseRows = namedtuple("SparseRows", "data indices indptr")


def as_rows(X):
    """``(X, rows)`` for the kernels: dense ``X`` with empty :class:`SparseRows`,
    or an empty ``(0, n_features)`` array with the CSR arrays of a sparse ``X``
    (so :func:`mean_loss` has one compiled signature for both)."""
    import scipy.sparse as sp

    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        X.sum_duplicates()
        rows = SparseRows(np.ascontiguousarray(X.data, dtype=np.float64),
                          np.ascontiguousarray(X.indices, dtype=np.int64),
                          np.ascontiguousarray(X.indptr, dtype=np.int64))
        return np.empty((0, X.shape[1])), rows
    return (as_kernel_array(X),
            SparseRows(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)))


def as_kernel_array(a):
    """``a`` as a C-contiguous, writeable float64 array: a read-only input (a
    memory map) would otherwise compile a second specialisation of the kernels."""
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


def epoch_settings(**fields):
    """An :class:`EpochSettings` record with every field cast to its one type (so
    the kernel compiles once, whatever Python or numpy scalars the caller holds)."""
    return EpochSettings(**{name: kind(fields[name]) for name, kind in _SETTINGS_TYPES.items()})


@njit(cache=True)
def _loss_grad(loss, eta, yi, delta, dl):
    """Loss of one sample at linear outputs ``eta``; writes dloss/deta into ``dl``."""
    if loss == SQUARED:
        r = eta[0] - yi
        dl[0] = r
        return 0.5 * r * r
    if loss == HUBER:
        r = eta[0] - yi
        a = min(abs(r), delta)  # branch-free: r^2/2 inside, delta (|r| - delta/2) beyond
        dl[0] = min(max(r, -delta), delta)
        return a * (abs(r) - 0.5 * a)
    if loss == POISSON:
        # half Poisson deviance with log link: mu - y*eta + y*log(y) - y
        mu = math.exp(eta[0])
        dl[0] = mu - yi
        val = mu - yi * eta[0]
        if yi > 0:
            val += yi * math.log(yi) - yi
        return val
    if loss == LOGISTIC:
        # branch-free form: the sign of z is random, and mispredicted branches stall
        # the loads of the next (shuffled) samples
        z = eta[0]
        e = math.exp(-abs(z))
        inv = 1.0 / (1.0 + e)
        dl[0] = (inv if z >= 0 else e * inv) - yi
        return math.log1p(e) + max(z, 0.0) - yi * z
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


def _prefetch_codegen(context, builder, signature, args):
    aryty = signature.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    ptr = cgutils.get_item_pointer(context, builder, aryty, ary, list(args[1:]))
    i32 = ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
    builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, keep in cache, data
    return context.get_dummy_value()


@intrinsic
def _prefetch2(typingctx, arr, i, j):
    """Hint the CPU to fetch ``arr[i, j]`` into the cache (``llvm.prefetch``; no bounds
    check needed: a prefetch never faults)."""
    return types.void(arr, types.intp, types.intp), _prefetch_codegen


@intrinsic
def _prefetch1(typingctx, arr, i):
    """Hint the CPU to fetch ``arr[i]`` into the cache."""
    return types.void(arr, types.intp), _prefetch_codegen


# reassociation lets LLVM vectorise the dot products; no "nnan"/"ninf", so a
# diverging run still produces the inf/NaN that the Python loop detects
_FAST = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True)
def _soft_threshold(p, thr):
    if p > thr:
        return p - thr
    if p < -thr:
        return p + thr
    return 0.0


@njit(cache=True, fastmath=_FAST)
def _update(opt, p, s1, s2, x, gs, l2, l1, n, lr, beta, beta1, beta2, rho, eps, bc1, bc2):
    """Optimizer update of ``p[:n]`` with the gradient ``gs * x[j] + l2 * p[j]``.

    The l1 part is applied afterwards by a proximal (soft-threshold) step of
    each coordinate's effective step size, which gives exact zeros.  Nesterov
    runs in the look-ahead form (Sutskever et al. 2013): the stored parameters
    are ``w + beta * m``, so the gradient is always evaluated at the stored
    point, as the lectures' formula asks.
    """
    if opt == SGD:
        for j in range(n):
            v = p[j] - lr * (gs * x[j] + l2 * p[j])
            p[j] = _soft_threshold(v, lr * l1) if l1 > 0.0 else v
    elif opt == MOMENTUM:
        for j in range(n):
            m = beta * s1[j] - lr * (gs * x[j] + l2 * p[j])
            s1[j] = m
            v = p[j] + m
            p[j] = _soft_threshold(v, lr * l1) if l1 > 0.0 else v
    elif opt == NESTEROV:
        for j in range(n):
            g = gs * x[j] + l2 * p[j]
            m = beta * s1[j] - lr * g
            s1[j] = m
            v = p[j] + beta * m - lr * g
            p[j] = _soft_threshold(v, lr * l1) if l1 > 0.0 else v
    elif opt == ADAGRAD or opt == RMSPROP:
        keep = 1.0 if opt == ADAGRAD else rho
        new = 1.0 if opt == ADAGRAD else 1.0 - rho
        for j in range(n):
            g = gs * x[j] + l2 * p[j]
            v2 = keep * s2[j] + new * g * g
            s2[j] = v2
            a = lr / (math.sqrt(v2) + eps)
            v = p[j] - a * g
            p[j] = _soft_threshold(v, a * l1) if l1 > 0.0 else v
    else:  # ADAM, NADAM: w -= a * (c1 * m + c2 * g), a = lr / (sqrt(v / bc2) + eps)
        c1 = (beta1 if opt == NADAM else 1.0) / bc1
        c2 = (1.0 - beta1) / bc1 if opt == NADAM else 0.0
        for j in range(n):
            g = gs * x[j] + l2 * p[j]
            m = beta1 * s1[j] + (1.0 - beta1) * g
            v2 = beta2 * s2[j] + (1.0 - beta2) * g * g
            s1[j] = m
            s2[j] = v2
            a = lr / (math.sqrt(v2 / bc2) + eps)
            v = p[j] - a * (c1 * m + c2 * g)
            p[j] = _soft_threshold(v, a * l1) if l1 > 0.0 else v


@njit(cache=True, fastmath=_FAST)
def _update_scalar(opt, p, s1, s2, g, lr, beta, beta1, beta2, rho, eps, bc1, bc2):
    """The update of :func:`_update` for one unpenalised parameter; returns (p, s1, s2)."""
    if opt == SGD:
        return p - lr * g, s1, s2
    if opt == MOMENTUM:
        m = beta * s1 - lr * g
        return p + m, m, s2
    if opt == NESTEROV:
        m = beta * s1 - lr * g
        return p + beta * m - lr * g, m, s2
    if opt == ADAGRAD or opt == RMSPROP:
        v2 = s2 + g * g if opt == ADAGRAD else rho * s2 + (1.0 - rho) * g * g
        return p - lr * g / (math.sqrt(v2) + eps), s1, v2
    m = beta1 * s1 + (1.0 - beta1) * g
    v2 = beta2 * s2 + (1.0 - beta2) * g * g
    step = m / bc1
    if opt == NADAM:
        step = (beta1 * m + (1.0 - beta1) * g) / bc1
    return p - lr * step / (math.sqrt(v2 / bc2) + eps), m, v2


_AHEAD = 8  # samples of look-ahead for the prefetch hints


@njit(cache=True)
def _rate(cfg, t):
    """Learning rate of update number ``t`` (1-based), as scikit-learn's SGD."""
    if cfg.schedule == OPTIMAL:
        return 1.0 / (cfg.alpha * (cfg.optimal_init + t - 1.0))
    if cfg.schedule == INVSCALING:
        return cfg.eta / t**cfg.power_t
    return cfg.eta


@njit(cache=True, fastmath=_FAST)
def _sample_sparse(rows, lo, hi, yi, wi, scale, accumulate, P, G, eta, dl, cfg):
    """Loss of one CSR row (entries ``lo:hi`` of ``rows``) before the update; adds
    its gradient, times ``wi * scale``, to ``G`` when ``accumulate`` (a mini-batch
    of several rows). Work in the row's stored entries only."""
    K = P.shape[0]
    d = P.shape[1] - 1
    for k in range(K):
        s = P[k, d]
        for q in range(lo, hi):
            s += rows.data[q] * P[k, rows.indices[q]]
        eta[k] = s
    li = cfg.loss_scale * _loss_grad(cfg.loss, eta, yi, cfg.delta, dl)
    c = wi * scale
    if accumulate and c != 0.0:
        for k in range(K):
            g = c * dl[k]
            for q in range(lo, hi):
                G[k, rows.indices[q]] += g * rows.data[q]
            G[k, d] += g
    return li


@njit(cache=True, fastmath=_FAST)
def _intercept_step(p, s1, s2, g, lr, bc1, bc2, cfg):
    """The optimizer's update of one intercept (unpenalised) with gradient ``g``;
    returns (p, s1, s2).  Scalars only: a helper taking the parameter arrays
    measured 15-30% slower per row in the per-sample kernels."""
    return _update_scalar(cfg.optimizer, p, s1, s2, g, lr, cfg.beta, cfg.beta1,
                          cfg.beta2, cfg.rho, cfg.eps, bc1, bc2)


@njit(cache=True, fastmath=_FAST)
def _average_step(A, P, t):
    """Fold the parameters ``P`` into their running mean ``A`` (averaged SGD,
    after each update once ``average_start`` samples are seen; the call sites
    test that, as a call per row measured 10% slower in the per-sample SGD)."""
    t[AVERAGED] += 1
    mu = 1.0 / t[AVERAGED]
    for k in range(P.shape[0]):
        for j in range(P.shape[1]):
            A[k, j] += mu * (P[k, j] - A[k, j])


@njit(cache=True, fastmath=_FAST)
def _step(P, S1, S2, A, t, G, xi, dl, c, n_rows, cfg):
    """The optimizer update after a mini-batch of ``n_rows`` rows (gradient in
    ``G``) or after one row ``xi`` (gradient ``c * dl * xi``: no buffer)."""
    K = P.shape[0]
    d = P.shape[1] - 1
    opt = cfg.optimizer
    beta, beta1, beta2, rho, eps = cfg.beta, cfg.beta1, cfg.beta2, cfg.rho, cfg.eps
    t[UPDATES] += 1
    t[SAMPLES_SEEN] += n_rows
    lr = _rate(cfg, t[UPDATES])
    bc1 = 1.0
    bc2 = 1.0
    if opt == ADAM or opt == NADAM:
        bc1 = 1.0 - beta1 ** t[UPDATES]
        bc2 = 1.0 - beta2 ** t[UPDATES]
    for k in range(K):
        if n_rows > 1:  # mini-batch: gradient accumulated in G
            x = G[k]
            gs = 1.0
            gb = G[k, d]
        else:  # one sample
            x = xi
            gs = c * dl[k]
            gb = gs
        _update(opt, P[k], S1[k], S2[k], x, gs, cfg.l2, cfg.l1, d,
                lr, beta, beta1, beta2, rho, eps, bc1, bc2)
        if cfg.fit_intercept:
            P[k, d], S1[k, d], S2[k, d] = _intercept_step(
                P[k, d], S1[k, d], S2[k, d], gb, lr, bc1, bc2, cfg)
    if cfg.average_start > 0 and t[SAMPLES_SEEN] >= cfg.average_start:
        _average_step(A, P, t)


@njit(cache=True, fastmath=_FAST)
def run_epoch(X, y, sw, order, P, S1, S2, A, counters, cfg):
    """Run one epoch in place on ``P``, ``S1``, ``S2``, the average ``A`` and ``counters``.

    The samples are visited in ``order``, shuffled by the caller's generator
    (the kernel draws nothing). Sparse data go through :func:`run_epoch_sparse`.

    The mini-batch gradient is ``sum_B sw_i grad_i / (|B| * sw_mean)`` (an
    unbiased estimate of the weighted-mean gradient) plus ``l2 * w``; the
    step size of update ``t`` follows ``cfg.schedule``. Once
    ``cfg.average_start > 0`` samples have been seen, ``A`` holds the running
    mean of the parameters after each update (averaged SGD).
    Returns the weighted mean loss over the epoch, each sample's loss taken
    just before the update that used it.
    """
    n, d = X.shape
    K = P.shape[0]
    batch_size = cfg.batch_size
    loss, opt, delta = cfg.loss, cfg.optimizer, cfg.delta
    beta, beta1, beta2, rho, eps = cfg.beta, cfg.beta1, cfg.beta2, cfg.rho, cfg.eps
    l2, l1, fit_intercept = cfg.l2, cfg.l1, cfg.fit_intercept
    t = counters
    G = np.zeros((K, d + 1))
    eta = np.empty(K)
    dl = np.empty(K)
    loss_sum = 0.0
    w_sum = 0.0
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        if stop - start > 1:
            G[:] = 0.0
        scale = cfg.loss_scale / ((stop - start) * cfg.sw_mean)
        for ii in range(start, stop):
            i = order[ii]
            if ii + _AHEAD < n:
                # shuffled rows are random DRAM reads that the hardware prefetcher cannot
                # predict: ask for the row a few samples ahead (one hint per cache line)
                r = order[ii + _AHEAD]
                for j in range(0, d, 8):
                    _prefetch2(X, r, j)
                _prefetch2(X, r, d - 1)
                _prefetch1(y, r)
                _prefetch1(sw, r)
            xi = X[i]
            for k in range(K):
                s = P[k, d]
                for j in range(d):
                    s += xi[j] * P[k, j]
                eta[k] = s
            li = cfg.loss_scale * _loss_grad(loss, eta, y[i], delta, dl)
            loss_sum += sw[i] * li
            w_sum += sw[i]
            c = sw[i] * scale
            if stop - start > 1 and c != 0.0:
                for k in range(K):
                    g = c * dl[k]
                    for j in range(d):
                        G[k, j] += g * xi[j]
                    G[k, d] += g
        t[UPDATES] += 1
        t[SAMPLES_SEEN] += stop - start
        lr = _rate(cfg, t[UPDATES])
        bc1 = 1.0
        bc2 = 1.0
        if opt == ADAM or opt == NADAM:
            bc1 = 1.0 - beta1 ** t[UPDATES]
            bc2 = 1.0 - beta2 ** t[UPDATES]
        for k in range(K):
            if stop - start > 1:  # mini-batch: gradient accumulated in G
                x = G[k]
                gs = 1.0
                gb = G[k, d]
            else:  # one sample: the gradient is c * dl * x_i, no buffer
                x = xi
                gs = c * dl[k]
                gb = gs
            _update(opt, P[k], S1[k], S2[k], x, gs, l2, l1, d,
                    lr, beta, beta1, beta2, rho, eps, bc1, bc2)
            if fit_intercept:
                P[k, d], S1[k, d], S2[k, d] = _intercept_step(
                    P[k, d], S1[k, d], S2[k, d], gb, lr, bc1, bc2, cfg)
        if cfg.average_start > 0 and t[SAMPLES_SEEN] >= cfg.average_start:
            _average_step(A, P, t)
        start = stop
    if w_sum > 0.0:
        return loss_sum / w_sum
    return 0.0


@njit(cache=True, fastmath=_FAST)
def _sparse_sgd_epoch(rows, y, sw, order, P, t, cfg):
    """Plain per-sample SGD with an l2 penalty (no l1, no averaging) on CSR rows,
    in the row's stored entries only (scikit-learn's SGD trick): the weights are
    ``wscale * V``, the penalty's shrinking ``1 - lr l2`` multiplies ``wscale``
    and the gradient step updates ``V`` at the row's entries. The same updates
    as the dense ``w <- w - lr (g + l2 w)``, to rounding."""
    n = y.shape[0]
    K = P.shape[0]
    d = P.shape[1] - 1
    V = P[:, :d].copy()
    wscale = 1.0
    eta = np.empty(K)
    dl = np.empty(K)
    scale = cfg.loss_scale / cfg.sw_mean
    loss_sum = 0.0
    w_sum = 0.0
    for ii in range(n):
        i = order[ii]
        lo, hi = rows.indptr[i], rows.indptr[i + 1]
        for k in range(K):
            s = 0.0
            for q in range(lo, hi):
                s += rows.data[q] * V[k, rows.indices[q]]
            eta[k] = P[k, d] + wscale * s
        loss_sum += sw[i] * cfg.loss_scale * _loss_grad(cfg.loss, eta, y[i], cfg.delta, dl)
        w_sum += sw[i]
        c = sw[i] * scale
        t[UPDATES] += 1
        t[SAMPLES_SEEN] += 1
        lr = _rate(cfg, t[UPDATES])
        shrunk = wscale * (1.0 - lr * cfg.l2)
        if shrunk < 1e-9:  # fold the scale into V before it underflows (or turns <= 0)
            for k in range(K):
                for j in range(d):
                    V[k, j] *= shrunk
            wscale = 1.0
        else:
            wscale = shrunk
        for k in range(K):
            g = c * dl[k]
            if g != 0.0:
                step = lr * g / wscale
                for q in range(lo, hi):
                    V[k, rows.indices[q]] -= step * rows.data[q]
            if cfg.fit_intercept:
                P[k, d] -= lr * g
    for k in range(K):
        for j in range(d):
            P[k, j] = wscale * V[k, j]
    return loss_sum, w_sum


@njit(cache=True, fastmath=_FAST)
def run_epoch_sparse(rows, n_features, y, sw, order, P, S1, S2, A, counters, cfg):
    """:func:`run_epoch` on a CSR matrix (``rows``, a :class:`SparseRows`).

    A row's dot products and gradient touch its stored entries only; the
    optimizer's update (the penalty and the moments of every coefficient)
    stays dense, once per mini-batch. A single-row batch is scattered into a
    dense buffer for that update (the previous row's entries cleared first:
    O(nnz) per row; the matrix is never densified whole). Plain per-sample SGD
    with no l1 penalty and no averaging (SGDRegressor's setting) is sparse in
    the update too (:func:`_sparse_sgd_epoch`). The fit equals the dense one to
    rounding (the sums skip the zeros).
    """
    if (cfg.optimizer == SGD and cfg.batch_size == 1 and cfg.l1 == 0.0
            and cfg.average_start == 0):
        loss_sum, w_sum = _sparse_sgd_epoch(rows, y, sw, order, P, counters, cfg)
        return loss_sum / w_sum if w_sum > 0.0 else 0.0
    n = y.shape[0]
    xi = np.zeros(n_features)
    G = np.zeros((P.shape[0], n_features + 1))
    eta = np.empty(P.shape[0])
    dl = np.empty(P.shape[0])
    loss_sum = 0.0
    w_sum = 0.0
    lo = hi = last_lo = last_hi = 0
    start = 0
    while start < n:
        stop = min(start + cfg.batch_size, n)
        if stop - start > 1:
            G[:] = 0.0
        scale = cfg.loss_scale / ((stop - start) * cfg.sw_mean)
        for ii in range(start, stop):
            i = order[ii]
            lo, hi = rows.indptr[i], rows.indptr[i + 1]
            loss_sum += sw[i] * _sample_sparse(rows, lo, hi, y[i], sw[i], scale,
                                               stop - start > 1, P, G, eta, dl, cfg)
            w_sum += sw[i]
        if stop - start == 1:  # the update reads the row itself: scatter it
            for q in range(last_lo, last_hi):
                xi[rows.indices[q]] = 0.0
            for q in range(lo, hi):
                xi[rows.indices[q]] = rows.data[q]
            last_lo, last_hi = lo, hi
        _step(P, S1, S2, A, counters, G, xi, dl, sw[order[start]] * scale, stop - start, cfg)
        start = stop
    if w_sum > 0.0:
        return loss_sum / w_sum
    return 0.0


@njit(cache=True)
def mean_loss(X, rows, y, sw, P, loss, delta):
    """Weighted mean loss of the parameters ``P`` (no penalty) on dense ``X``, or on
    the CSR ``rows`` when they are not empty (``X`` is then ``(0, n_features)``)."""
    n = y.shape[0]
    d = X.shape[1]
    K = P.shape[0]
    dense = rows.indptr.shape[0] == 0
    eta = np.empty(K)
    dl = np.empty(K)
    total = 0.0
    w_sum = 0.0
    for i in range(n):
        for k in range(K):
            s = P[k, d]
            if dense:
                for j in range(d):
                    s += X[i, j] * P[k, j]
            else:
                for q in range(rows.indptr[i], rows.indptr[i + 1]):
                    s += rows.data[q] * P[k, rows.indices[q]]
            eta[k] = s
        total += sw[i] * _loss_grad(loss, eta, y[i], delta, dl)
        w_sum += sw[i]
    if w_sum > 0.0:
        return total / w_sum
    return 0.0
