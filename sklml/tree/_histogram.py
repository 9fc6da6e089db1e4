"""Per-node histograms of the binned data.

A histogram has shape ``(n_features, 256, C)``: per bin, channel 0 counts the
samples (unweighted, for ``min_samples_leaf``) and the other channels hold the
statistics the criterion needs:

* classification (``C = 1 + n_classes``): weighted count of each class;
* regression (``C = 3 + n_outputs``): sum w, sum w*y_j for each output; the
  last channel, sum w*|y|^2, is only kept in node totals (the scan does not
  need it), so histograms leave it at zero.

Node samples are gathered first (``gy``/``gw`` or ``gs``, contiguous), so the
inner loops read the feature-major binned matrix and nothing else at random.
"""

from numba import njit, prange

from ._binning import MISSING_BIN


@njit(cache=True)
def _add_feature(hf, xb, idx, start, end, is_clf, gy, gw, gs):
    """Add the node's samples ``idx[start:end]`` to the (256, C) histogram hf."""
    C = hf.shape[1]
    if is_clf:
        for i in range(start, end):
            b = xb[idx[i]]
            hf[b, 0] += 1.0
            hf[b, 1 + gy[i - start]] += gw[i - start]
    elif C == 4:  # one output, unrolled
        for i in range(start, end):
            b = xb[idx[i]]
            j = i - start
            hf[b, 0] += 1.0
            hf[b, 1] += gs[j, 1]
            hf[b, 2] += gs[j, 2]
    else:
        for i in range(start, end):
            b = xb[idx[i]]
            j = i - start
            hf[b, 0] += 1.0
            for c in range(1, C - 1):  # the last channel (sum w*y^2) is not needed
                hf[b, c] += gs[j, c]


@njit(cache=True)
def _zero_used(hist, n_bins):
    C = hist.shape[2]
    for f in range(hist.shape[0]):
        for b in range(n_bins[f]):
            for c in range(C):
                hist[f, b, c] = 0.0
        for c in range(C):
            hist[f, MISSING_BIN, c] = 0.0


@njit(cache=True)
def build_histogram(hist, X_binned, n_bins, idx, start, end, is_clf, gy, gw, gs):
    """Fill ``hist`` (n_features, 256, C) for the node, one feature after another."""
    _zero_used(hist, n_bins)
    for f in range(hist.shape[0]):
        _add_feature(hist[f], X_binned[f], idx, start, end, is_clf, gy, gw, gs)


@njit(cache=True, parallel=True)
def build_histogram_parallel(hist, X_binned, n_bins, idx, start, end, is_clf, gy, gw,
                             gs):
    """As :func:`build_histogram`, features spread over threads (large nodes)."""
    C = hist.shape[2]
    for f in prange(hist.shape[0]):
        hf = hist[f]
        for b in range(n_bins[f]):
            for c in range(C):
                hf[b, c] = 0.0
        for c in range(C):
            hf[MISSING_BIN, c] = 0.0
        _add_feature(hf, X_binned[f], idx, start, end, is_clf, gy, gw, gs)


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
def feature_histogram_touched(hf, touched, xb, idx, start, end, is_clf, gy, gw, gs):
    """Histogram of one feature into a zeroed (256, C) scratch; returns the
    number of non-empty bins written, unsorted, to ``touched``."""
    C = hf.shape[1]
    nt = 0
    if is_clf:
        for i in range(start, end):
            b = xb[idx[i]]
            if hf[b, 0] == 0.0:
                touched[nt] = b
                nt += 1
            hf[b, 0] += 1.0
            hf[b, 1 + gy[i - start]] += gw[i - start]
    else:
        for i in range(start, end):
            b = xb[idx[i]]
            j = i - start
            if hf[b, 0] == 0.0:
                touched[nt] = b
                nt += 1
            hf[b, 0] += 1.0
            for c in range(1, C - 1):  # the last channel (sum w*y^2) is not needed
                hf[b, c] += gs[j, c]
    return nt
