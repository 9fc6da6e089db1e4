"""Criteria and the cumulative scan of a feature's histogram for the best split.

Criterion codes (one compiled builder serves them all):
``GINI`` 0, ``ENTROPY`` 1 (also ``log_loss``), ``MISCLASSIFICATION`` 2 for
classification; ``SQUARED_ERROR`` 3 (also the deprecated ``friedman_mse``, as
scikit-learn 1.9 maps it), ``POISSON`` 4 (half Poisson deviance) and
``ABSOLUTE_ERROR`` 5 (weighted median leaves) for regression.

Classification stats may hold several outputs (multi-output ``y``): the class
channels of output ``k`` are ``1 + offsets[k] .. 1 + offsets[k + 1]``; the
impurity is the mean of the outputs' impurities, as scikit-learn's.

A split may be rejected by a monotonic constraint ``mono`` (+1/-1, 0 none):
the children's values (mean, or fraction of the first class) must stay within
the node's bounds ``[lo, hi]`` and be ordered as the constraint says.

A split is ranked by a proxy (larger is better) that differs from the weighted
impurity decrease by a constant of the node, as scikit-learn's
``proxy_impurity_improvement`` does; the chosen split's exact improvement is
computed afterwards.
"""

import numpy as np
from numba import njit

from ._binning import MISSING_BIN

GINI, ENTROPY, MISCLASSIFICATION, SQUARED_ERROR, POISSON, ABSOLUTE_ERROR = range(6)
CRITERIA_CLF = {"gini": GINI, "entropy": ENTROPY, "log_loss": ENTROPY,
                "misclassification": MISCLASSIFICATION}
CRITERIA_REG = {"squared_error": SQUARED_ERROR, "friedman_mse": SQUARED_ERROR,
                "poisson": POISSON, "absolute_error": ABSOLUTE_ERROR}
# scikit-learn's criterion EPSILON: a Poisson child needs a larger target sum
POISSON_EPSILON = 10 * np.finfo(np.float64).eps
POISSON_RELATIVE = 1e-9
FEATURE_THRESHOLD = 1e-7  # scikit-learn's: a smaller span is a constant feature

_LN2 = np.log(2.0)


@njit(cache=True)
def is_classification(crit):
    return crit < SQUARED_ERROR


@njit(cache=True)
def stats_weight(s, is_clf, offsets):
    """Weighted number of samples of a stats vector (the class channels of the
    first output, for a classifier)."""
    if is_clf:
        w = 0.0
        for k in range(1, 1 + offsets[1]):
            w += s[k]
        return w
    return s[1]


@njit(cache=True)
def _class_impurity(s, crit, a, b):
    """Impurity of the class channels ``s[a:b]`` of one output."""
    w = 0.0
    for k in range(a, b):
        w += s[k]
    if w <= 0.0:
        return 0.0
    if crit == GINI:
        sq = 0.0
        for k in range(a, b):
            p = s[k] / w
            sq += p * p
        return 1.0 - sq
    if crit == ENTROPY:
        e = 0.0
        for k in range(a, b):
            if s[k] > 0.0:
                p = s[k] / w
                e -= p * np.log(p) / _LN2
        return e
    mx = 0.0
    for k in range(a, b):
        if s[k] > mx:
            mx = s[k]
    return 1.0 - mx / w


@njit(cache=True)
def node_impurity(s, crit, offsets):
    """Impurity of a node from its stats vector (scikit-learn's definitions;
    Poisson and absolute error need the samples and are computed elsewhere)."""
    C = s.shape[0]
    if crit >= SQUARED_ERROR:
        w = s[1]
        if w <= 0.0:
            return 0.0
        n_out = C - 3
        imp = s[C - 1] / w
        for j in range(n_out):
            m = s[2 + j] / w
            imp -= m * m
        return imp / n_out
    n_outputs = offsets.shape[0] - 1
    if n_outputs == 1:
        return _class_impurity(s, crit, np.int64(1), C)
    imp = 0.0
    for k in range(n_outputs):
        imp += _class_impurity(s, crit, 1 + offsets[k], 1 + offsets[k + 1])
    return imp / n_outputs


@njit(cache=True)
def _poisson_proxy(sl, sr, wl, wr):
    """scikit-learn's Poisson proxy of one output; -inf if a child's sum is ~0."""
    # a child's sum from histograms is the node's minus the rest: a child of
    # zero targets may keep a rounding residue, hence the relative bound too
    if (sl <= POISSON_EPSILON or sr <= POISSON_EPSILON
            or sl <= POISSON_RELATIVE * sr or sr <= POISSON_RELATIVE * sl):
        return -np.inf
    return sl * np.log(sl / wl) + sr * np.log(sr / wr)


@njit(cache=True)
def _split_proxy(crit, left, tot, wl, wr, offsets):
    """Proxy of the split (left, tot - left); larger is better."""
    C = tot.shape[0]
    if crit == SQUARED_ERROR:
        a = 0.0
        b = 0.0
        for c in range(2, C - 1):
            sl = left[c]
            sr = tot[c] - sl
            a += sl * sl
            b += sr * sr
        return a / wl + b / wr
    if crit == POISSON:
        p = 0.0
        for c in range(2, C - 1):
            q = _poisson_proxy(left[c], tot[c] - left[c], wl, wr)
            if q == -np.inf:
                return q
            p += q
        return p
    if crit == GINI:
        a = 0.0
        b = 0.0
        for k in range(1, C):
            cl = left[k]
            cr = tot[k] - cl
            a += cl * cl
            b += cr * cr
        return a / wl + b / wr
    n_outputs = offsets.shape[0] - 1
    if crit == ENTROPY:
        e = -wl * np.log(wl) - wr * np.log(wr)
        if n_outputs > 1:
            e *= n_outputs
        for k in range(1, C):
            cl = left[k]
            cr = tot[k] - cl
            if cl > 0.0:
                e += cl * np.log(cl)
            if cr > 0.0:
                e += cr * np.log(cr)
        return e
    total = 0.0
    for o in range(n_outputs):
        ml = 0.0
        mr = 0.0
        for k in range(1 + offsets[o], 1 + offsets[o + 1]):
            cl = left[k]
            cr = tot[k] - cl
            if cl > ml:
                ml = cl
            if cr > mr:
                mr = cr
        total += ml + mr
    return total


@njit(cache=True)
def split_values(crit, left, tot, wl, wr):
    """The children's values a monotonic constraint compares: means of the
    first output, or fractions of the first class."""
    c = 1 if crit < SQUARED_ERROR else 2
    return left[c] / wl, (tot[c] - left[c]) / wr


@njit(cache=True)
def monotonic_ok(mono, lo, hi, vl, vr):
    """scikit-learn's ``_check_monotonicity``."""
    return (vl >= lo and vr >= lo and vl <= hi and vr <= hi
            and (vl - vr) * mono <= 0)


@njit(cache=True)
def _proxy_two_classes(crit, l1, l2, t1, t2, wl, wr):
    """:func:`_split_proxy` of a two-class split, from scalars."""
    r1 = t1 - l1
    r2 = t2 - l2
    if crit == GINI:
        return (0.0 + l1 * l1 + l2 * l2) / wl + (0.0 + r1 * r1 + r2 * r2) / wr
    if crit == ENTROPY:
        e = -wl * np.log(wl) - wr * np.log(wr)
        if l1 > 0.0:
            e += l1 * np.log(l1)
        if r1 > 0.0:
            e += r1 * np.log(r1)
        if l2 > 0.0:
            e += l2 * np.log(l2)
        if r2 > 0.0:
            e += r2 * np.log(r2)
        return e
    ml = 0.0
    mr = 0.0
    if l1 > ml:
        ml = l1
    if r1 > mr:
        mr = r1
    if l2 > ml:
        ml = l2
    if r2 > mr:
        mr = r2
    return ml + mr


@njit(cache=True)
def _scan_three_sums(hf, bins, nt, tot, wtot, crit, min_samples_leaf, min_weight_leaf,
                     best_left, best):
    """:func:`scan_feature` without missing values where three channels carry
    everything: two classes (count, class 0, class 1) or one regression output
    (count, sum w, sum w*y; histograms leave the fourth channel at zero).  The
    running sums stay in registers; the arithmetic is the generic scan's, so
    the splits are the same."""
    reg = crit >= SQUARED_ERROR
    poisson = crit == POISSON
    n_tot = tot[0]
    t1 = tot[1]
    t2 = tot[2]
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    best_p = best[0]
    best_t = -1
    b0 = b1 = b2 = 0.0
    for t in range(nt):
        b = bins[t]
        if t > 0:
            nl = c0
            nr = n_tot - nl
            if nl >= min_samples_leaf and nr >= min_samples_leaf:
                wl = c1 if reg else 0.0 + c1 + c2
                wr = wtot - wl
                if wl >= min_weight_leaf and wr >= min_weight_leaf and wl > 0.0 \
                        and wr > 0.0:
                    if not reg:
                        p = _proxy_two_classes(crit, c1, c2, t1, t2, wl, wr)
                    elif not poisson:
                        sr = t2 - c2
                        p = (0.0 + c2 * c2) / wl + (0.0 + sr * sr) / wr
                    else:
                        p = _poisson_proxy(c2, t2 - c2, wl, wr)
                    if p > best_p:
                        best_p = p
                        best_t = t
                        b0, b1, b2 = c0, c1, c2
        c0 += hf[b, 0]
        c1 += hf[b, 1]
        c2 += hf[b, 2]
    if best_t < 0:
        return False
    best[0] = best_p
    best[1] = bins[best_t - 1]
    best[2] = bins[best_t]
    best[3] = 1.0 if b0 > n_tot - b0 else 0.0
    best_left[:] = 0.0
    best_left[0] = b0
    best_left[1] = b1
    best_left[2] = b2
    return True


@njit(cache=True)
def _try_split(cum, tot, n_tot, wtot, crit, is_clf, offsets, min_samples_leaf,
               min_weight_leaf, mono, lo, hi, best):
    """Proxy of the split with left stats ``cum`` if it is allowed and beats
    ``best[0]``; -inf otherwise."""
    nl = cum[0]
    nr = n_tot - nl
    if nl < min_samples_leaf or nr < min_samples_leaf:
        return -np.inf
    wl = stats_weight(cum, is_clf, offsets)
    wr = wtot - wl
    if not (wl >= min_weight_leaf and wr >= min_weight_leaf and wl > 0.0 and wr > 0.0):
        return -np.inf
    if mono != 0:
        vl, vr = split_values(crit, cum, tot, wl, wr)
        if not monotonic_ok(mono, lo, hi, vl, vr):
            return -np.inf
    p = _split_proxy(crit, cum, tot, wl, wr, offsets)
    return p if p > best[0] else -np.inf


@njit(cache=True)
def scan_feature(hf, bins, nt, tot, wtot, crit, is_clf, offsets, min_samples_leaf,
                 min_weight_leaf, mono, lo, hi, pick, pick_miss_left, cum, best_left,
                 best):
    """Best split of one feature from its (256, C) histogram.

    ``bins[:nt]`` are the node's non-empty non-missing bins in increasing order;
    the missing bin is ``hf[255]``.  ``best`` is a float64 array
    ``[proxy, L, R, missing_go_to_left]`` updated in place when a better split
    is found (R = -1: non-missing left, missing right, threshold +inf);
    ``best_left`` then receives the left child's stats.  Returns True if it did.

    ``pick >= 0`` (the random splitter) evaluates one candidate only: the
    boundary before ``bins[pick]`` (``pick == nt``: every non-missing value
    left), missing values on the side ``pick_miss_left``.
    """
    C = tot.shape[0]
    miss = hf[MISSING_BIN]
    n_miss = miss[0]
    if (n_miss == 0 and pick < 0 and mono == 0
            and C == (4 if not is_clf else 3) and offsets.shape[0] == 2):
        return _scan_three_sums(hf, bins, nt, tot, wtot, crit, min_samples_leaf,
                                min_weight_leaf, best_left, best)
    n_tot = tot[0]
    found = False
    for pass_ in range(2 if n_miss > 0 else 1):
        miss_left = pass_ == 1
        if pick >= 0 and n_miss > 0 and miss_left != pick_miss_left:
            continue
        for c in range(C):
            cum[c] = miss[c] if miss_left else 0.0
        for t in range(nt):
            b = bins[t]
            if t > 0 and (pick < 0 or t == pick):
                p = _try_split(cum, tot, n_tot, wtot, crit, is_clf, offsets,
                               min_samples_leaf, min_weight_leaf, mono, lo, hi, best)
                if p > best[0]:
                    best[0] = p
                    best[1] = bins[t - 1]
                    best[2] = b
                    if n_miss == 0:
                        best[3] = 1.0 if cum[0] > n_tot - cum[0] else 0.0
                    else:
                        best[3] = 1.0 if miss_left else 0.0
                    for c in range(C):
                        best_left[c] = cum[c]
                    found = True
            for c in range(C):
                cum[c] += hf[b, c]
        if not miss_left and n_miss > 0 and nt > 0 and (pick < 0 or pick == nt):
            # all non-missing values left, the missing ones right
            p = _try_split(cum, tot, n_tot, wtot, crit, is_clf, offsets,
                           min_samples_leaf, min_weight_leaf, mono, lo, hi, best)
            if p > best[0]:
                best[0] = p
                best[1] = bins[nt - 1]
                best[2] = -1.0
                best[3] = 0.0
                for c in range(C):
                    best_left[c] = cum[c]
                found = True
    return found


@njit(cache=True)
def split_threshold(bin_lo, bin_hi, f, L, R):
    """scikit-learn's threshold between the node's values of bins L and R."""
    if R < 0:
        return np.inf
    a = np.float64(bin_hi[f, L])
    b = np.float64(bin_lo[f, R])
    t = a / 2.0 + b / 2.0
    if t == b or np.isinf(t):
        t = a
    return t


# -- absolute error: exact weighted medians over the samples -------------------
# A node's samples are ordered by the feature's bin, then scikit-learn's
# precomputation runs forward (every prefix) and backward (every suffix), a
# Fenwick tree over the node-local ranks of y giving each set's weighted median
# and absolute error in O(log n).  Work rows of ``mae_f``: see MAE_* below.
MAE_TW, MAE_TWY, MAE_LEFT_ABS, MAE_RIGHT_ABS, MAE_LEFT_MED, MAE_RIGHT_MED = range(6)
MAE_SORTED_Y = 6  # row 6 + k: output k's node values, sorted


@njit(cache=True)
def _fenwick_median(tw, twy, n, total_w, total_wy, sorted_y):
    """Weighted median of the activated ranks and their absolute error, with
    scikit-learn's rule (the midpoint when a prefix weighs exactly half)."""
    half = 0.5 * total_w
    step = 1
    while step * 2 <= n:
        step *= 2
    pos = 0
    wl = 0.0
    wyl = 0.0
    s = step
    while s > 0:  # the largest prefix weighing at most half
        if pos + s <= n and wl + tw[pos + s] <= half:
            pos += s
            wl += tw[pos]
            wyl += twy[pos]
        s >>= 1
    median = sorted_y[pos]
    if wl == half:  # the rank where the prefix reaches exactly half
        p2 = 0
        w2 = 0.0
        s = step
        while s > 0:
            if p2 + s <= n and w2 + tw[p2 + s] < half:
                p2 += s
                w2 += tw[p2]
            s >>= 1
        median = (sorted_y[p2] + sorted_y[pos]) / 2
    err = (total_wy - wyl - median * (total_w - wl)) + (median * wl - wyl)
    return median, err


@njit(cache=True)
def _mae_pass(order, n, forward, rank_k, y_reg, k, w, unit, mae_f, out_abs, out_med):
    """Absolute errors (added to row ``out_abs``) and medians (row ``out_med``)
    of every prefix (forward) or suffix of ``order[:n]``."""
    tw = mae_f[MAE_TW]
    twy = mae_f[MAE_TWY]
    sorted_y = mae_f[MAE_SORTED_Y + k]
    for i in range(n + 1):
        tw[i] = 0.0
        twy[i] = 0.0
    total_w = 0.0
    total_wy = 0.0
    for j in range(n):
        p = j if forward else n - 1 - j
        s = order[p]
        ws = 1.0 if unit else w[s]
        y = y_reg[s, k]
        i = rank_k[s] + 1
        while i <= n:
            tw[i] += ws
            twy[i] += ws * y
            i += i & (-i)
        total_w += ws
        total_wy += ws * y
        med, err = _fenwick_median(tw, twy, n, total_w, total_wy, sorted_y)
        mae_f[out_abs, p] += err
        mae_f[out_med, p] = med


@njit(cache=True)
def scan_mae(hf, bins, nt, xb, idx, start, end, y_reg, w, unit, wtot, mae_order,
             mae_rank, mae_f, min_samples_leaf, min_weight_leaf, mono, lo, hi, pick,
             pick_miss_left, best_left, best):
    """:func:`scan_feature` for the absolute error, on the node's samples.

    ``best`` also receives the children's absolute errors and medians (entries
    4 to 7); ``best_left`` only the count and weight of the left child.
    """
    n = end - start
    n_out = y_reg.shape[1]
    n_miss = np.int64(hf[MISSING_BIN, 0])
    found = False
    for pass_ in range(2 if n_miss > 0 else 1):
        miss_left = pass_ == 1
        if pick >= 0 and n_miss > 0 and miss_left != pick_miss_left:
            continue
        # the samples ordered by bin, the missing ones first or last
        pos = n_miss if miss_left else 0
        first = np.empty(nt, np.int64)
        for t in range(nt):
            first[t] = pos
            pos += np.int64(hf[bins[t], 0])
        miss_at = 0 if miss_left else pos
        fill = first.copy()
        slot = np.zeros(256, np.int64) - 1
        for t in range(nt):
            slot[bins[t]] = t
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            if b == MISSING_BIN:
                mae_order[miss_at] = s
                miss_at += 1
            else:
                t = slot[b]
                mae_order[fill[t]] = s
                fill[t] += 1
        for p in range(n):
            mae_f[MAE_LEFT_ABS, p] = 0.0
            mae_f[MAE_RIGHT_ABS, p] = 0.0
        for k in range(n_out):
            _mae_pass(mae_order, n, np.bool_(True), mae_rank[k], y_reg, k, w, unit, mae_f,
                      np.int64(MAE_LEFT_ABS), np.int64(MAE_LEFT_MED))
            _mae_pass(mae_order, n, np.bool_(False), mae_rank[k], y_reg, k, w, unit, mae_f,
                      np.int64(MAE_RIGHT_ABS), np.int64(MAE_RIGHT_MED))
        # candidates: before block t (t >= 1); every non-missing value left
        wcum = 0.0
        p_prev = 0
        for t in range(1, nt + 2):
            if t <= nt - 1:
                cut = first[t]
            elif t == nt and not miss_left and n_miss > 0:
                cut = n - n_miss
            else:
                continue
            if pick >= 0 and t != pick:
                continue
            for p in range(p_prev, cut):
                wcum += 1.0 if unit else w[mae_order[p]]
            p_prev = cut
            if cut < min_samples_leaf or n - cut < min_samples_leaf:
                continue
            wl = wcum
            wr = wtot - wl
            if not (wl >= min_weight_leaf and wr >= min_weight_leaf and wl > 0.0
                    and wr > 0.0):
                continue
            if mono != 0 and not monotonic_ok(mono, lo, hi, mae_f[MAE_LEFT_MED, cut - 1],
                                              mae_f[MAE_RIGHT_MED, cut]):
                continue
            la = mae_f[MAE_LEFT_ABS, cut - 1]
            ra = mae_f[MAE_RIGHT_ABS, cut]
            p_ = -wr * (ra / (wr * n_out)) - wl * (la / (wl * n_out))
            if p_ > best[0]:
                best[0] = p_
                if t == nt:
                    best[1] = bins[nt - 1]
                    best[2] = -1.0
                    best[3] = 0.0
                else:
                    best[1] = bins[t - 1]
                    best[2] = bins[t]
                    if n_miss == 0:
                        best[3] = 1.0 if cut > n - cut else 0.0
                    else:
                        best[3] = 1.0 if miss_left else 0.0
                best[4] = la
                best[5] = ra
                best[6] = mae_f[MAE_LEFT_MED, cut - 1]
                best[7] = mae_f[MAE_RIGHT_MED, cut]
                best_left[:] = 0.0
                best_left[0] = cut
                best_left[1] = wl
                found = True
    return found


@njit(cache=True)
def node_medians(idx, start, end, y_reg, w, unit, mae_rank, mae_f, out):
    """Each output's weighted median of the node's samples into ``out``, the
    node-local ranks into ``mae_rank`` and the sorted values into ``mae_f``;
    returns the node's absolute-error impurity."""
    n = end - start
    n_out = y_reg.shape[1]
    vals = np.empty(n, np.float64)
    total_w = 0.0
    for i in range(start, end):
        total_w += 1.0 if unit else w[idx[i]]
    err = 0.0
    for k in range(n_out):
        for i in range(n):
            vals[i] = y_reg[idx[start + i], k]
        order = np.argsort(vals, kind="mergesort")
        sorted_y = mae_f[MAE_SORTED_Y + k]
        half = 0.5 * total_w
        cum = 0.0
        med = 0.0
        done = False
        for j in range(n):
            s = idx[start + order[j]]
            sorted_y[j] = vals[order[j]]
            mae_rank[k, s] = j
            if not done:
                cum_before = cum
                cum += 1.0 if unit else w[s]
                if cum > half:
                    med = sorted_y[j]
                    if cum_before == half and j > 0:
                        med = (sorted_y[j - 1] + sorted_y[j]) / 2
                    done = True
        out[k] = med
        for j in range(n):
            s = idx[start + order[j]]
            err += (1.0 if unit else w[s]) * abs(sorted_y[j] - med)
    return err / (total_w * n_out)
