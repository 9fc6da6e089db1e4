"""The signal/background figures of the report, in the HEP style (mplhep histograms).

Each function draws on a matplotlib ``Figure`` made without pyplot, so the report
works headless and leaves no open figures. Histograms are weighted with the event
weights (negative ones included) and normalised to unit area.
"""

from __future__ import annotations

import numpy as np

from sklml.compare import _physics

__all__ = ["physics_figures"]

_SIGNAL, _BACKGROUND = "tab:blue", "tab:red"
_BINS = 40


def _histogram(values, weight, edges):
    """Normalised weighted histogram and its statistical error (sqrt of Σw²)."""
    counts, _ = np.histogram(values, edges, weights=weight)
    sumw2, _ = np.histogram(values, edges, weights=weight**2)
    area = counts.sum() * np.diff(edges)
    area[area == 0] = 1.0
    return counts / area, np.sqrt(sumw2) / area


def _thin(*curves, points=4000):
    """Every k-th point of long curves (and the last): a million-point line draws slowly."""
    n = len(curves[0])
    if n <= points:
        return curves
    keep = np.unique(np.r_[np.linspace(0, n - 1, points).astype(int), n - 1])
    return tuple(c[keep] for c in curves)


def _weights(result):
    w = result.sample_weight
    return np.ones(len(result.dataset.y)) if w is None else w


def _roc_rejection(result, fig):
    y, w = result.dataset.y, _weights(result)
    ax_lin, ax_log = fig.subplots(1, 2)
    for name in [m for m in result.leaderboard["model"] if m in result.oof_scores]:
        eff_b, eff_s, _ = _physics.efficiency_curve(y, result.oof_scores[name], w)
        eff_b, eff_s = _thin(eff_b, eff_s)
        ax_lin.plot(eff_s, 1.0 - eff_b, label=name)
        with np.errstate(divide="ignore"):
            keep = eff_b > 0
            ax_log.plot(eff_s[keep], 1.0 / eff_b[keep], label=name)
    ax_lin.plot([0, 1], [1, 0], ls=":", color="grey", label="random guess")
    ax_lin.set(xlabel="signal efficiency $\\varepsilon_S$",
               ylabel="background rejection $1-\\varepsilon_B$", xlim=(0, 1), ylim=(0, 1.02),
               title="Background rejection versus signal efficiency")
    ax_lin.legend(fontsize="small", loc="lower left")
    ax_log.set_yscale("log")
    ax_log.set(xlabel="signal efficiency $\\varepsilon_S$",
               ylabel="background rejection $1/\\varepsilon_B$", xlim=(0, 1),
               title=f"Out-of-fold, weighted ({result.cv}-fold CV)")
    ax_log.grid(True, which="major", alpha=0.3)


def _overtraining(result, name, ax):
    import mplhep

    y, w = result.dataset.y, _weights(result)
    train, test = result.splits[0]
    train_score = result.train_scores[name].astype(np.float64)
    test_score = result.oof_scores[name][test]
    edges = _physics._bin_edges(np.concatenate([train_score, test_score]), _BINS)
    row = result.leaderboard.set_index("model").loc[name]
    for label, c, color in (("signal", 1, _SIGNAL), ("background", 0, _BACKGROUND)):
        on_train, on_test = y[train] == c, y[test] == c
        h_test, _ = _histogram(test_score[on_test], w[test][on_test], edges)
        h_train, e_train = _histogram(train_score[on_train], w[train][on_train], edges)
        p = _physics.weighted_ks(train_score[on_train], test_score[on_test],
                                 w[train][on_train], w[test][on_test])[1]
        mplhep.histplot(h_test, edges, ax=ax, histtype="fill", alpha=0.35, color=color,
                        label=f"{label} (test)")
        mplhep.histplot(h_train, edges, yerr=e_train, ax=ax, histtype="errorbar", color=color,
                        markersize=4, label=f"{label} (training), KS p = {p:.3f}")
        ax.plot([], [], " ", label=f"  mean over folds: p = {row[f'ks_pvalue_{label}_mean']:.3f}"
                f" ± {row[f'ks_pvalue_{label}_std']:.3f}")
    ax.set(xlabel=f"{name} output", ylabel="normalised to unit area",
           title=f"{name}: overtraining check (fold 1 of {result.cv})")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.35)
    ax.legend(fontsize="small", loc="upper center", ncols=2)


def _input_variables(result, fig):
    import mplhep

    data, w = result.dataset, _weights(result)
    n = data.n_features
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    names = [str(f) for f in data.feature_names]
    ranking = _physics.variable_ranking(data.X, data.y, w, names)
    for panel, ax in enumerate(axes):
        if panel >= n:
            ax.set_visible(False)
            continue
        name, sep = ranking[panel]  # best separating variable first
        i = names.index(name)
        x = data.X[:, i]
        low, high = np.percentile(x, [0.5, 99.5])
        if high <= low:
            low, high = x.min() - 0.5, x.max() + 0.5
        values = np.unique(x)
        if len(values) <= _BINS and np.all(values == np.round(values)):  # a count: one bin each
            edges = np.arange(values.min() - 0.5, values.max() + 1.0)
        else:
            edges = np.linspace(low, high, _BINS + 1)
        for label, c, color in (("signal", 1, _SIGNAL), ("background", 0, _BACKGROUND)):
            mine = data.y == c
            h, _ = _histogram(np.clip(x[mine], edges[0], edges[-1]), w[mine], edges)
            mplhep.histplot(h, edges, ax=ax, histtype="fill" if c else "step", color=color,
                            alpha=0.4 if c else 1.0, label=label)
        ax.set_xlabel(name)
        ax.set_title(f"#{panel + 1}: <S²> = {sep:.3f}", fontsize="small")
        ax.tick_params(labelsize="small")
        if panel == 0:
            ax.legend(fontsize="small")
    fig.suptitle("Input variables by separation, weighted and normalised (first and last bins "
                 "hold the overflow)")


def _correlation(result, c, ax, fig):
    data, w = result.dataset, _weights(result)
    mine = data.y == c
    corr = _physics.weighted_correlation(data.X[mine], w[mine])
    image = ax.imshow(100 * corr, vmin=-100, vmax=100, cmap="RdBu_r")
    names = [str(f) for f in data.feature_names]
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize="small")
    ax.set_yticks(range(len(names)), names, fontsize="small")
    if len(names) <= 20:
        for i in range(len(names)):
            for j in range(len(names)):
                ax.text(j, i, f"{100 * corr[i, j]:.0f}", ha="center", va="center",
                        fontsize="x-small", color="white" if abs(corr[i, j]) > 0.6 else "black")
    fig.colorbar(image, ax=ax, label="linear correlation [%]")
    ax.set_title(f"Correlation matrix ({'signal' if c else 'background'}, weighted)")


def _significance(result, name, ax):
    y, w = result.dataset.y, _weights(result)
    signal_yield, background_yield = result.yields
    cuts, z, best_cut, best_z = _physics.significance_scan(
        y, result.oof_scores[name], w, signal_yield, background_yield)
    eff_b, eff_s, thresholds = _physics.efficiency_curve(y, result.oof_scores[name], w)
    finite = np.isfinite(thresholds)
    eff_b, eff_s, thresholds = _thin(eff_b[finite], eff_s[finite], thresholds[finite])
    cuts, z = _thin(cuts, z)
    ax.plot(cuts, z, color="black", label="Asimov Z")
    if np.isfinite(best_cut):
        ax.axvline(best_cut, ls="--", color="grey",
                   label=f"best cut {best_cut:.4g}: Z = {best_z:.2f}")
    ax.set(xlabel=f"cut on the {name} output (keep events above)",
           ylabel="$Z=\\sqrt{2((s+b)\\ln(1+s/b)-s)}$",
           title=f"{name}: significance for S = {signal_yield:g}, B = {background_yield:g}")
    twin = ax.twinx()
    twin.plot(thresholds, eff_s, color=_SIGNAL, lw=1, label="signal efficiency")
    twin.plot(thresholds, eff_b, color=_BACKGROUND, lw=1, label="background efficiency")
    twin.set_ylabel("efficiency")
    twin.set_ylim(0, 1.05)
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize="small", loc="best")


def physics_figures(result):
    """Yield (file name, caption, figure) for the signal/background plots that apply."""
    from matplotlib.figure import Figure

    from sklml.compare._report import safe_name

    names = [m for m in result.leaderboard["model"] if m in result.oof_scores]
    if names:
        fig = Figure(figsize=(13, 5.5), layout="constrained")
        _roc_rejection(result, fig)
        yield ("roc_rejection.png",
               "Background rejection versus signal efficiency, all models (weighted, "
               "out-of-fold)", fig)
    for name in names:
        if name not in result.train_scores:
            continue
        fig = Figure(figsize=(7.5, 5.5), layout="constrained")
        _overtraining(result, name, fig.subplots())
        yield (f"overtraining_{safe_name(name)}.png",
               f"{name}: classifier output on training (points) and held-out (filled) events",
               fig)
    n = result.dataset.n_features
    if n <= 60:
        rows = int(np.ceil(n / min(4, n)))
        fig = Figure(figsize=(3.4 * min(4, n), 2.6 * rows + 0.6), layout="constrained")
        _input_variables(result, fig)
        yield "input_variables.png", "Input variables, signal versus background", fig
    for c, label in ((1, "signal"), (0, "background")):
        size = max(5.0, 0.45 * n + 2.5)
        fig = Figure(figsize=(size + 1.2, size), layout="constrained")
        _correlation(result, c, fig.subplots(), fig)
        yield f"correlation_{label}.png", f"Linear correlation of the inputs, {label}", fig
    if result.yields:
        for name in names:
            fig = Figure(figsize=(7.5, 5), layout="constrained")
            _significance(result, name, fig.subplots())
            yield (f"significance_{safe_name(name)}.png",
                   f"{name}: Asimov significance versus the cut", fig)
