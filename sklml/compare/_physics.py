"""The figures a physicist reads off a signal/background classifier, all event-weighted.

Efficiencies come from cumulative sums of event weights over the classifier
output sorted from high to low (a cut ``score >= t`` keeps an event), the same
construction as :func:`sklearn.metrics.roc_curve`, which is used for it. Monte
Carlo weights may be negative: a curve is then not monotone, and where a
single number is read off it the running maximum is used (the best a cut at or
below that background efficiency reaches).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "efficiency_curve",
    "signal_efficiency_at",
    "weighted_roc_auc",
    "separation",
    "weighted_ks",
    "asimov_significance",
    "significance_scan",
    "weighted_correlation",
    "variable_ranking",
    "BACKGROUND_EFFICIENCIES",
]

#: Background efficiencies at which the signal efficiency is reported (TMVA's).
BACKGROUND_EFFICIENCIES = (0.01, 0.1, 0.3)


def _as_weights(weight, n):
    return np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64)


def efficiency_curve(y, score, weight=None):
    """Background and signal efficiencies of the cuts ``score >= threshold``.

    Parameters
    ----------
    y : array-like of shape (n,)
        1 for signal, 0 for background.
    score : array-like of shape (n,)
        Classifier output, larger for signal.
    weight : array-like of shape (n,), default=None
        Event weights (may be negative).

    Returns
    -------
    eff_b, eff_s, thresholds : ndarray
        One entry per distinct score, from the tightest cut to the loosest
        (``eff_b[-1] == eff_s[-1] == 1``), and ``eff_b[0] == eff_s[0] == 0``
        at the threshold ``inf``.

    Examples
    --------
    >>> from sklml.compare._physics import efficiency_curve
    >>> eff_b, eff_s, _ = efficiency_curve([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> eff_b.tolist(), eff_s.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    from sklearn.metrics import roc_curve

    y = np.asarray(y)
    w = _as_weights(weight, len(y))
    eff_b, eff_s, thresholds = roc_curve(y, np.asarray(score, dtype=np.float64),
                                         sample_weight=w, drop_intermediate=False)
    return eff_b, eff_s, thresholds


def _monotone(eff_b, eff_s):
    return np.maximum.accumulate(eff_b), np.maximum.accumulate(eff_s)


def signal_efficiency_at(y, score, weight, eff_b_target):
    """Signal efficiency at a background efficiency, linearly interpolated on the ROC.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklml.compare._physics import signal_efficiency_at
    >>> signal_efficiency_at([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], None, 0.25)
    0.5
    """
    eff_b, eff_s, _ = efficiency_curve(y, score, weight)
    eff_b, eff_s = _monotone(eff_b, eff_s)
    # the ROC polyline's segment that crosses the target: from the last point at or below it
    # (the highest eff_s there) to the first point above it
    above = int(np.searchsorted(eff_b, eff_b_target, side="right"))
    if above >= len(eff_b):
        return float(eff_s[-1])
    x0, x1, y0, y1 = eff_b[above - 1], eff_b[above], eff_s[above - 1], eff_s[above]
    return float(y0 + (y1 - y0) * (eff_b_target - x0) / (x1 - x0))


def weighted_roc_auc(y, score, weight=None):
    """Area under the weighted ROC curve (scikit-learn's value for positive weights)."""
    eff_b, eff_s, _ = efficiency_curve(y, score, weight)
    eff_b, eff_s = _monotone(eff_b, eff_s)
    return float(np.trapezoid(eff_s, eff_b))


def _bin_edges(score, bins):
    low, high = float(np.min(score)), float(np.max(score))
    if high <= low:
        high = low + 1.0
    return np.linspace(low, high, bins + 1)


def separation(y, score, weight=None, bins=40):
    """TMVA's separation <S²> = ½ Σ (s_i - b_i)² / (s_i + b_i).

    ``s_i`` and ``b_i`` are the weighted fractions of signal and background in
    bin ``i`` of the classifier output (``bins`` equal bins over its range, 40 as
    TMVA's MVA-output histograms). 0 for identical shapes, 1 for no overlap.

    Examples
    --------
    >>> from sklml.compare._physics import separation
    >>> separation([0, 0, 1, 1], [0.0, 0.1, 0.9, 1.0])
    1.0
    """
    y = np.asarray(y)
    score = np.asarray(score, dtype=np.float64)
    w = _as_weights(weight, len(y))
    edges = _bin_edges(score, bins)
    s, _ = np.histogram(score[y == 1], edges, weights=w[y == 1])
    b, _ = np.histogram(score[y == 0], edges, weights=w[y == 0])
    s, b = s / s.sum(), b / b.sum()
    total = s + b
    keep = total > 0
    return float(0.5 * np.sum((s[keep] - b[keep]) ** 2 / total[keep]))


def _weighted_cdf_at(values, weights, points):
    order = np.argsort(values, kind="mergesort")
    values, cumulative = values[order], np.cumsum(weights[order])
    index = np.searchsorted(values, points, side="right")
    return np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0) / cumulative[-1]


def weighted_ks(a, b, weight_a=None, weight_b=None):
    """Two-sample Kolmogorov-Smirnov test with event weights.

    The statistic is the largest distance between the two weighted empirical
    distribution functions, evaluated at every value of either sample. The
    p-value is the one :func:`scipy.stats.ks_2samp` gives with
    ``method="asymp"`` (the distribution of the statistic for
    ``round(n·m/(n+m))`` events), with ``n`` and ``m`` the effective numbers of
    events ``(Σw)²/Σw²`` -- so that equal weights give exactly scipy's result.

    Returns
    -------
    statistic, pvalue : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.compare._physics import weighted_ks
    >>> rng = np.random.default_rng(0)
    >>> statistic, pvalue = weighted_ks(rng.normal(size=500), rng.normal(size=500))
    >>> bool(pvalue > 0.01)
    True
    """
    from scipy.stats import kstwo

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    wa, wb = _as_weights(weight_a, len(a)), _as_weights(weight_b, len(b))
    if len(a) == 0 or len(b) == 0 or wa.sum() <= 0 or wb.sum() <= 0:
        return np.nan, np.nan
    points = np.concatenate([a, b])
    statistic = float(np.max(np.abs(_weighted_cdf_at(a, wa, points)
                                    - _weighted_cdf_at(b, wb, points))))
    n_a, n_b = wa.sum() ** 2 / np.sum(wa**2), wb.sum() ** 2 / np.sum(wb**2)
    n_eff = max(1.0, float(np.round(n_a * n_b / (n_a + n_b))))
    return statistic, float(np.clip(kstwo.sf(statistic, n_eff), 0.0, 1.0))


def asimov_significance(s, b):
    """Z = sqrt(2 ((s + b) ln(1 + s/b) - s)): the median discovery significance.

    Examples
    --------
    >>> from sklml.compare._physics import asimov_significance
    >>> round(float(asimov_significance(10.0, 100.0)), 3)  # close to s/sqrt(b) = 1
    0.984
    """
    s, b = np.asarray(s, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = 2.0 * ((s + b) * np.log1p(s / b) - s)
    return np.sqrt(np.where((b > 0) & (s > 0), np.maximum(z2, 0.0), 0.0))


def significance_scan(y, score, weight, signal_yield, background_yield,
                      min_background_events=10):
    """Asimov significance of every cut ``score >= t`` for expected yields.

    ``s = signal_yield · eff_S(t)`` and ``b = background_yield · eff_B(t)``. A cut
    must keep at least ``min_background_events`` simulated background events:
    beyond that the background estimate is an empty tail and Z is meaningless.

    Returns
    -------
    thresholds, z : ndarray
        The cuts allowed and their significance.
    best_cut, best_z : float
    """
    y = np.asarray(y)
    eff_b, eff_s, thresholds = efficiency_curve(y, score, weight)
    order = np.argsort(-np.asarray(score, dtype=np.float64), kind="mergesort")
    sorted_score = np.asarray(score, dtype=np.float64)[order]
    background_kept = np.cumsum(y[order] == 0)
    # simulated background events kept by each cut score >= t
    kept = np.searchsorted(-sorted_score, -thresholds, side="right")
    n_background = np.where(kept > 0, background_kept[np.maximum(kept - 1, 0)], 0)
    allowed = (n_background >= min_background_events) & np.isfinite(thresholds)
    thresholds, eff_s, eff_b = thresholds[allowed], eff_s[allowed], eff_b[allowed]
    z = asimov_significance(signal_yield * eff_s, background_yield * eff_b)
    if len(z) == 0:
        return thresholds, z, np.nan, np.nan
    best = int(np.argmax(z))
    return thresholds, z, float(thresholds[best]), float(z[best])


def weighted_correlation(X, weight=None):
    """Pearson correlation matrix of the columns of ``X`` with event weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.compare._physics import weighted_correlation
    >>> X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.5]])
    >>> bool(np.allclose(weighted_correlation(X), np.corrcoef(X.T)))
    True
    """
    X = np.asarray(X, dtype=np.float64)
    w = _as_weights(weight, len(X))
    mean = w @ X / w.sum()
    centred = X - mean
    cov = (centred * w[:, None]).T @ centred / w.sum()
    std = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(std, std)
    corr[~np.isfinite(corr)] = 0.0
    np.fill_diagonal(corr, 1.0)
    return np.clip(corr, -1.0, 1.0)


def variable_ranking(X, y, weight=None, names=None):
    """Input variables ranked by their own separation <S²> (TMVA's variable ranking).

    Each feature is histogrammed in 40 bins between its 0.5 and 99.5 percentiles
    (values outside go to the first and last bins).

    Returns
    -------
    list of (str, float)
        ``(name, separation)``, best first.

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.compare._physics import variable_ranking
    >>> y = np.repeat([0, 1], 100)
    >>> X = np.c_[np.tile(np.linspace(0, 1, 100), 2), y + np.tile(np.linspace(0, 0.5, 100), 2)]
    >>> [name for name, _ in variable_ranking(X, y, names=["flat", "shifted"])]
    ['shifted', 'flat']
    """
    X = np.asarray(X, dtype=np.float64)
    names = [str(n) for n in names] if names is not None else [f"x{i}" for i in range(X.shape[1])]
    ranking = []
    for i, name in enumerate(names):
        low, high = np.percentile(X[:, i], [0.5, 99.5])
        ranking.append((name, separation(y, np.clip(X[:, i], low, high), weight)))
    return sorted(ranking, key=lambda item: -item[1])
