"""
Comparing every registered model with ``sklml compare``
=======================================================

``sklml compare`` on the command line runs every registered classifier through the same
stratified cross-validation and writes a report. The same machinery is available from Python:
:func:`sklml.compare.compare` returns the leaderboard as a :class:`pandas.DataFrame` and the
out-of-fold predictions, from which we draw the ROC curves of all models and the confusion
matrix of the best one with scikit-learn's display classes.

To keep the example short it uses 1,500 events and 3 folds; ``sklml compare`` uses 5,000
events and 5 folds.
"""

# %%
# The dataset and the models
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

import sklml
from sklml.compare import compare, select_estimators
from sklml.datasets import load_dataset

data = load_dataset("signal_background")
keep = np.random.default_rng(0).choice(data.n_samples, 1500, replace=False)
data.X, data.y = data.X[keep], data.y[keep]

names = [name for name, _ in select_estimators("classification")]
print("registered classifiers:", ", ".join(names) or "none")
print("all registered estimators:", len(sklml.all_estimators()))

# %%
# Cross-validate them
# -------------------
result = compare(data, estimators=names, cv=3, n_jobs=-1, random_state=0)
print(result.to_text())

# %%
# The leaderboard is a DataFrame, ready for further analysis.
result.leaderboard[["model", "accuracy_mean", "roc_auc_mean", "fit_time_mean", "status"]]

# %%
# ROC curves and the best model's confusion matrix
# ------------------------------------------------
# Every event is scored by the model of the fold that did not train on it.
if result.best is not None:
    fig, (ax_roc, ax_cm) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained")
    ranked = [m for m in result.leaderboard["model"] if m in result.oof_scores]
    for i, name in enumerate(ranked):
        RocCurveDisplay.from_predictions(data.y, result.oof_scores[name], name=name, ax=ax_roc,
                                         plot_chance_level=i == len(ranked) - 1)
    ax_roc.set_title("Out-of-fold ROC curves")
    ConfusionMatrixDisplay.from_predictions(
        data.y, result.oof_predictions[result.best], display_labels=data.target_names,
        ax=ax_cm, colorbar=False)
    ax_cm.set_title(f"{result.best}: confusion matrix")
    plt.show()
