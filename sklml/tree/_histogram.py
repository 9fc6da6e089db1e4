"""Per-node histograms of the binned data.

A histogram has shape ``(n_features, 256, C)``: per bin, channel 0 counts the
samples (unweighted, for ``min_samples_leaf``) and the other channels hold the
statistics the criterion needs:

* classification (``C = 1 + n_classes``): weighted count of each class (with
  several outputs, the classes of output ``k`` at ``1 + offsets[k]``; the
  codes ``y_cls`` are then row-major, ``y_cls[s * n_outputs + k]``);
* regression (``C = 3 + n_outputs``): sum w, sum w*y_j for each output; the
  last channel, sum w*|y|^2, is only kept in node totals (the scan does not
  need it), so histograms leave it at zero.

The node's samples ``idx[start:end]`` are kept in increasing order by the
builder, so the targets and weights are read in place (a monotone walk the
hardware prefetches) and nothing is gathered into per-node buffers.
``unit`` means every weight is 1 (``w`` is then an empty array).
"""

from numba import njit, prange

from ._binning import MISSING_BIN


@njit(cache=True)
def _add_feature(hf, xb, idx, start, end, is_clf, offsets, y_cls, y_reg, w, unit):
    """Add the node's samples ``idx[start:end]`` to the (256, C) histogram hf."""
    C = hf.shape[1]
    K = offsets.shape[0] - 1
    if is_clf and K > 1:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            ws = 1.0 if unit else w[s]
            hf[b, 0] += 1.0
            for k in range(K):
                hf[b, 1 + offsets[k] + y_cls[s * K + k]] += ws
    elif is_clf:
        if unit:
            for i in range(start, end):
                s = idx[i]
                b = xb[s]
                hf[b, 0] += 1.0
                hf[b, 1 + y_cls[s]] += 1.0
        else:
            for i in range(start, end):
                s = idx[i]
                b = xb[s]
                hf[b, 0] += 1.0
                hf[b, 1 + y_cls[s]] += w[s]
    elif C == 4 and unit:  # one output, unit weights: the common case, unrolled
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            hf[b, 0] += 1.0
            hf[b, 1] += 1.0
            hf[b, 2] += y_reg[s, 0]
    elif C == 4:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            ws = w[s]
            hf[b, 0] += 1.0
            hf[b, 1] += ws
            hf[b, 2] += ws * y_reg[s, 0]
    else:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            ws = 1.0 if unit else w[s]
            hf[b, 0] += 1.0
            hf[b, 1] += ws
            for c in range(2, C - 1):  # the last channel (sum w*y^2) is not needed
                hf[b, c] += ws * y_reg[s, c - 2]


@njit(cache=True)
def _zero_feature(hf, n_bins_f):
    C = hf.shape[1]
    for b in range(n_bins_f):
        for c in range(C):
            hf[b, c] = 0.0
    for c in range(C):
        hf[MISSING_BIN, c] = 0.0


@njit(cache=True)
def build_histogram(hist, X_binned, n_bins, idx, start, end, is_clf, offsets, y_cls,
                    y_reg, w, unit):
    """Fill ``hist`` (n_features, 256, C) for the node, one feature after another."""
    for f in range(hist.shape[0]):
        _zero_feature(hist[f], n_bins[f])
        _add_feature(hist[f], X_binned[f], idx, start, end, is_clf, offsets, y_cls,
                     y_reg, w, unit)


@njit(cache=True, parallel=True)
def build_histogram_parallel(hist, X_binned, n_bins, idx, start, end, is_clf, offsets,
                             y_cls, y_reg, w, unit):
    """As :func:`build_histogram`, features spread over threads (large nodes)."""
    for f in prange(hist.shape[0]):
        _zero_feature(hist[f], n_bins[f])
        _add_feature(hist[f], X_binned[f], idx, start, end, is_clf, offsets, y_cls,
                     y_reg, w, unit)


@njit(cache=True)
def subtract_histogram(parent, child, n_bins):
    """parent -= child, in place: the sibling's histogram."""
    C = parent.shape[2]
    for f in range(parent.shape[0]):
        for b in range(n_bins[f]):
            for c in range(C):
                parent[f, b, c] -= child[f, b, c]
        for c in range(C):
            parent[f, MISSING_BIN, c] -= child[f, MISSING_BIN, c]


@njit(cache=True)
def feature_histogram_touched(hf, touched, xb, idx, start, end, is_clf, offsets, y_cls,
                              y_reg, w, unit):
    """Histogram of one feature into a zeroed (256, C) scratch; returns the
    number of non-empty bins written, unsorted, to ``touched``."""
    C = hf.shape[1]
    K = offsets.shape[0] - 1
    nt = 0
    if is_clf and K > 1:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            ws = 1.0 if unit else w[s]
            if hf[b, 0] == 0.0:
                touched[nt] = b
                nt += 1
            hf[b, 0] += 1.0
            for k in range(K):
                hf[b, 1 + offsets[k] + y_cls[s * K + k]] += ws
    elif is_clf:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            if hf[b, 0] == 0.0:
                touched[nt] = b
                nt += 1
            hf[b, 0] += 1.0
            hf[b, 1 + y_cls[s]] += 1.0 if unit else w[s]
    else:
        for i in range(start, end):
            s = idx[i]
            b = xb[s]
            ws = 1.0 if unit else w[s]
            if hf[b, 0] == 0.0:
                touched[nt] = b
                nt += 1
            hf[b, 0] += 1.0
            hf[b, 1] += ws
            for c in range(2, C - 1):  # the last channel (sum w*y^2) is not needed
                hf[b, c] += ws * y_reg[s, c - 2]
    return nt
