"""The leaderboard as text, CSV, PNG plots and a self-contained HTML report."""

from __future__ import annotations

import base64
import datetime
import html
import re
from pathlib import Path

import numpy as np

__all__ = ["leaderboard_text", "write_report"]

_LABELS = {
    "accuracy": "accuracy",
    "roc_auc": "ROC AUC",
    "f1": "F1",
    "precision": "precision",
    "recall": "recall",
    "r2": "R²",
    "mae": "MAE",
    "rmse": "RMSE",
    "fit_time": "fit time [s]",
    "predict_time": "predict time [s]",
    "sig_eff_at_bkg_0.01": "eff_S@B=1%",
    "sig_eff_at_bkg_0.1": "eff_S@B=10%",
    "sig_eff_at_bkg_0.3": "eff_S@B=30%",
    "separation": "<S²>",
    "ks_pvalue_signal": "KS p (S)",
    "ks_pvalue_background": "KS p (B)",
    "best_cut": "best cut",
    "significance": "Z",
}


def _cell(row, column):
    mean, std = row[f"{column}_mean"], row[f"{column}_std"]
    if np.isnan(mean):
        return "-"
    digits = 2 if column.endswith("_time") else 3
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _columns(result):
    return list(result.metrics) + ["fit_time", "predict_time"]


def leaderboard_rows(result):
    """Header and rows of the leaderboard as strings (rank, model, metrics...)."""
    header = ["rank", "model"] + [_LABELS[c] for c in _columns(result)]
    rows = []
    for rank, (_, row) in enumerate(result.leaderboard.iterrows(), start=1):
        if row["status"] != "ok":
            rows.append([str(rank), row["model"], f"failed: {row['error']}"])
            continue
        rows.append([str(rank), row["model"]] + [_cell(row, c) for c in _columns(result)])
    return header, rows


def leaderboard_text(result):
    """The leaderboard as an aligned plain-text table."""
    header, rows = leaderboard_rows(result)
    if not rows:
        return "no estimator to compare (is any classifier or regressor registered? see `sklml list`)"
    ok_rows = [r for r in rows if len(r) == len(header)]
    widths = [max(len(r[i]) for r in [header] + ok_rows) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for r in rows:
        if len(r) == len(header):
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        else:  # a failed model: its error in place of the metrics
            lines.append(f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}"[:200])
    board = result.leaderboard
    if "note" in board:
        lines += [f"note: {model}: {note}" for model, note in
                  zip(board["model"], board["note"].fillna("")) if note]
    return "\n".join(lines)


def safe_name(name):
    """``name`` made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _plot_roc(result, ax):
    from sklearn.metrics import RocCurveDisplay
    from sklearn.preprocessing import label_binarize

    y = result.dataset.y
    n_classes = len(np.unique(y))
    names = [m for m in result.leaderboard["model"] if m in result.oof_scores]
    for i, name in enumerate(names):
        scores = result.oof_scores[name]
        if n_classes == 2:
            y_true, y_score, label = y, scores, name
        else:  # micro-average of the one-vs-rest curves
            y_true = label_binarize(y, classes=np.unique(y)).ravel()
            y_score, label = scores.ravel(), f"{name} (micro-avg OvR)"
        RocCurveDisplay.from_predictions(
            y_true, y_score, name=label, ax=ax, plot_chance_level=i == len(names) - 1
        )
    ax.set_title(f"ROC curves, out-of-fold ({result.cv}-fold CV)")
    ax.legend(fontsize="small", loc="lower right")
    return bool(names)


def _plot_confusion(result, ax):
    from sklearn.metrics import ConfusionMatrixDisplay

    best = result.best
    labels = result.dataset.target_names or None
    y_true = result.dataset.y
    y_pred = result.oof_predictions[best]
    if labels is not None and len(labels) == len(np.unique(y_true)):
        y_true = np.asarray(labels, dtype=object)[np.asarray(y_true, dtype=int)]
        y_pred = np.asarray(labels, dtype=object)[np.asarray(y_pred, dtype=int)]
        labels = list(labels)
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=labels, ax=ax, colorbar=False,
        xticks_rotation=45 if labels and len(labels) > 4 else "horizontal",
    )
    ax.set_title(f"{best}: confusion matrix, out-of-fold")


def _plot_prediction_error(result, ax):
    from sklearn.metrics import PredictionErrorDisplay

    best = result.best
    PredictionErrorDisplay.from_predictions(
        result.dataset.y, result.oof_predictions[best], kind="actual_vs_predicted", ax=ax,
        scatter_kwargs={"alpha": 0.4, "s": 10},
    )
    ax.set_title(f"{best}: out-of-fold predictions")


def _plot_importances(result, fig):
    names = [m for m in result.leaderboard["model"] if m in result.importances][:6]
    features = np.asarray(result.dataset.feature_names, dtype=object)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        values, kind = result.importances[name]
        top = np.argsort(values)[::-1][:15][::-1]
        ax.barh(np.arange(len(top)), values[top], color="tab:blue")
        ax.set_yticks(np.arange(len(top)), [str(f) for f in features[top]], fontsize="small")
        ax.set_title(name, fontsize="medium")
        ax.set_xlabel(kind, fontsize="small")
    fig.suptitle("Feature importances (mean over folds)")


def _plot_scores(result, ax):
    board = result.leaderboard[result.leaderboard["status"] == "ok"]
    metric = result.metric
    ax.barh(board["model"][::-1], board[f"{metric}_mean"][::-1],
            xerr=board[f"{metric}_std"][::-1], color="tab:green", capsize=3)
    ax.set_xlabel(f"{_LABELS[metric]} (mean ± std over {result.cv} folds)")
    if metric in ("accuracy", "roc_auc", "f1", "precision", "recall"):
        low = np.nanmin(board[f"{metric}_mean"] - board[f"{metric}_std"])
        ax.set_xlim(max(0.0, min(low - 0.05, 0.9)), 1.0)
    ax.set_title("Leaderboard")


def _figures(result):
    """Yield (file name, caption, figure) for each plot that applies."""
    from matplotlib.figure import Figure  # no pyplot: works headless, leaves no open figures

    def subplots(figsize, **kwargs):
        fig = Figure(figsize=figsize, **kwargs)
        return fig, fig.subplots()

    if result.best is None:
        return
    n_ok = int((result.leaderboard["status"] == "ok").sum())
    fig, ax = subplots(figsize=(7, 0.6 + 0.45 * n_ok + 1))
    _plot_scores(result, ax)
    yield "scores.png", f"{_LABELS[result.metric]} of every model", fig
    if result.task == "classification":
        fig, ax = subplots(figsize=(7, 6))
        if _plot_roc(result, ax):
            yield "roc_curves.png", "ROC curves of all models (out-of-fold scores)", fig
        n = len(np.unique(result.dataset.y))
        fig, ax = subplots(figsize=(max(5, 0.6 * n + 2), max(4, 0.6 * n + 1.5)))
        _plot_confusion(result, ax)
        yield "confusion_matrix.png", f"Confusion matrix of the best model, {result.best}", fig
    else:
        fig, ax = subplots(figsize=(6, 6))
        _plot_prediction_error(result, ax)
        yield "prediction_error.png", f"Predicted vs true values, best model {result.best}", fig
    n_imp = min(6, len(result.importances))
    if n_imp:
        height = 1.5 + 0.3 * min(15, result.dataset.n_features)
        fig = Figure(figsize=(3.6 * n_imp + 1, height), layout="constrained")
        _plot_importances(result, fig)
        yield "feature_importances.png", "Feature importances where the model has them", fig
    if result.two_classes:
        from sklml.compare._physics_plots import physics_figures

        yield from physics_figures(result)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.45em; text-align: right; }
th { background: #f0f0f0; } td.model, th.model { text-align: left; font-weight: 600; }
td { white-space: nowrap; } td .std { display: block; color: #777; font-size: 0.85em; }
.scroll { overflow-x: auto; }
tr.failed td { color: #a00; text-align: left; }
table.provenance td { text-align: left; }
figure { display: inline-block; margin: 1em; vertical-align: top; }
img { max-width: 100%; border: 1px solid #ddd; }
code, pre { background: #f6f6f6; padding: 0.1em 0.3em; }
pre { padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
"""


def _html_table(result):
    header, rows = leaderboard_rows(result)
    out = ["<div class='scroll'><table><thead><tr><th>rank</th><th class='model'>model</th>"
           + "".join(f"<th>{_breakable(h)}</th>" for h in header[2:]) + "</tr></thead><tbody>"]
    for r in rows:
        if len(r) == len(header):
            cells = (f"<td>{r[0]}</td><td class='model'>{html.escape(r[1])}</td>"
                     + "".join(f"<td>{_stacked(c)}</td>" for c in r[2:]))
            out.append(f"<tr>{cells}</tr>")
        else:
            out.append(f"<tr class='failed'><td>{r[0]}</td><td class='model'>{html.escape(r[1])}"
                       f"</td><td colspan='{len(header) - 2}'>{html.escape(r[2])}</td></tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _breakable(label):
    """A header label that may wrap after '@' (eff_S@B=10% is the widest column otherwise)."""
    return html.escape(label).replace("@", "@<wbr>")


def _stacked(cell):
    """A "mean ± std" cell as the mean over a small grey std line, to keep the table narrow."""
    mean, sep, std = cell.partition(" ± ")
    if not sep:
        return html.escape(cell)
    return f"{html.escape(mean)}<span class='std'>± {html.escape(std)}</span>"


def provenance_lines(result):
    """What the data is: files, trees, selection, entries and summed weights per class."""
    data = result.dataset
    lines = [record.describe() for record in data.provenance]
    if data.selection:
        lines.append(f"selection: {data.selection}")
    if result.two_classes and data.sample_weight is not None:
        w, y = np.asarray(data.sample_weight, dtype=float), np.asarray(data.y)
        names = data.target_names or ["0", "1"]
        for c in (1, 0):
            mine = w[y == c]
            lines.append(
                f"{names[c]}: {mine.size} events, sum of weights {mine.sum():.6g}, "
                f"{int((mine < 0).sum())} with negative weight "
                f"(summing to {mine[mine < 0].sum():.4g})")
        lines.append(
            f"training: negative weights {result.negative_weights}, signal and background "
            + ("balanced to equal total weight" if result.balance else "at their yields")
            + "; every figure uses the event weights, negative ones included")
    if result.yields:
        lines.append(f"expected yields after preselection: S = {result.yields[0]:g}, "
                     f"B = {result.yields[1]:g}")
    return lines


def _html_provenance(result):
    lines = provenance_lines(result)
    if not lines:
        return ""
    rows = "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in lines)
    return f"<h2>Data</h2>\n<table class='provenance'><tbody>{rows}</tbody></table>"


def _html_ranking(result):
    if not result.two_classes:
        return ""
    from sklml.compare._physics import variable_ranking

    data = result.dataset
    ranking = variable_ranking(data.X, data.y, data.sample_weight, data.feature_names)
    rows = "".join(f"<tr><td>{rank}</td><td class='model'>{html.escape(name)}</td>"
                   f"<td>{value:.4f}</td></tr>" for rank, (name, value) in enumerate(ranking, 1))
    return ("<h2>Variable ranking</h2>\n<p>Each input variable's own separation "
            "&lt;S²&gt; between signal and background (weighted; 0: same shape, 1: no "
            "overlap), as TMVA ranks them.</p>\n<table><thead><tr><th>rank</th><th>variable"
            f"</th><th>&lt;S²&gt;</th></tr></thead><tbody>{rows}</tbody></table>")


def _html_notes(result):
    board = result.leaderboard
    if "note" not in board or not board["note"].fillna("").astype(bool).any():
        return ""
    items = "".join(f"<li><b>{html.escape(m)}</b>: {html.escape(n)}</li>"
                    for m, n in zip(board["model"], board["note"].fillna("")) if n)
    return f"<ul>{items}</ul>"


def _html(result, images):
    import sklearn

    import sklml

    data = result.dataset
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if data.task == "classification":
        counts = np.bincount(np.asarray(data.y, dtype=int))
        names = data.target_names or [str(i) for i in range(len(counts))]
        balance = ", ".join(f"{n}: {c}" for n, c in zip(names, counts))
    else:
        balance = f"target mean {np.mean(data.y):.4g}, std {np.std(data.y):.4g}"
    params = "\n".join(
        f"{html.escape(name)}: {html.escape(repr(p))}" for name, p in result.params.items()
    )
    figures = "\n".join(
        f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{b64}'>"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for caption, b64 in images
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sklml compare: {html.escape(data.name)}</title><style>{_CSS}</style></head>
<body>
<h1>sklml compare: {html.escape(data.name)}</h1>
<p>{html.escape(data.description)}</p>
<ul>
<li>{data.n_samples} samples, {data.n_features} features, {data.task}
({html.escape(balance)})</li>
<li>{result.cv}-fold cross-validation
({'stratified, ' if data.task == 'classification' else ''}shuffled, seed {result.random_state}),
sorted by {html.escape(_LABELS[result.metric])}; {result.backend} backend,
{result.wall_time:.1f} s in all</li>
<li>sklml {sklml.__version__}, scikit-learn {sklearn.__version__}, {now}</li>
</ul>
{_html_provenance(result)}
<h2>Leaderboard</h2>
{_html_table(result)}
{_html_notes(result)}
<p>Fit and predict times are per fold, in seconds. Predict time is the time of
<code>predict</code> on the held-out fold.</p>
{_html_ranking(result)}
<h2>Plots</h2>
{figures or '<p>No model finished: nothing to plot.</p>'}
<h2>Settings of each model</h2>
<pre>{params}</pre>
</body></html>
"""


def write_report(result, out_dir):
    """Write leaderboard.csv, the plots and report.html under ``out_dir``; return the paths."""
    import io

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    csv = out / "leaderboard.csv"
    result.leaderboard.to_csv(csv, index=False)
    written.append(csv)
    images = []
    for filename, caption, fig in _figures(result):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        (out / filename).write_bytes(buffer.getvalue())
        written.append(out / filename)
        images.append((caption, base64.b64encode(buffer.getvalue()).decode("ascii")))
    report = out / "report.html"
    report.write_text(_html(result, images), encoding="utf-8")
    written.append(report)
    return written
