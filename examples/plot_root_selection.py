"""
From ROOT files to a selection
==============================

The TMVA workflow with ``sklml``: signal and background trees in ROOT files, event weights
(some negative, as from an NLO generator), a comparison of classifiers with the evaluation a
physicist reads (signal efficiency at fixed background efficiency, the overtraining check, the
best cut for the expected yields), then the chosen model's score written back into a ROOT tree
for the analysis downstream.

On the command line the same reads::

    sklml compare --signal sig.root:Events --background bkg.root:Events --weight weight \\
        --selection "n_jets >= 1" --yields 60,2500 --save-best best.skops
    sklml apply best.skops --data data.root:Events --out data_mva.root --branch mva
"""

# %%
# Trees written with uproot
# -------------------------
# :func:`~sklml.datasets.make_signal_background` simulates dilepton events: a resonance at
# 125 GeV over Drell-Yan and top pairs. We write signal and background to two ROOT files, with
# a weight branch in which 10 % of the entries are negative, and a third file of "data".
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import mplhep
import numpy as np
import uproot

from sklml.compare import apply_model, compare, fit_final
from sklml.compare._physics import significance_scan, weighted_ks
from sklml.datasets import SIGNAL_BACKGROUND_FEATURES, load_events, make_signal_background

folder = Path(tempfile.mkdtemp())
features = list(SIGNAL_BACKGROUND_FEATURES)
X, y = make_signal_background(6000, random_state=0)
rng = np.random.default_rng(0)


def write(path, rows, weight):
    with uproot.recreate(path) as file:
        file.mktree("Events", {**{name: "f8" for name in features}, "weight": "f8"})
        file["Events"].extend({**{n: rows[:, i] for i, n in enumerate(features)},
                               "weight": weight})


for name, rows in (("sig", X[:4000][y[:4000] == 1]), ("bkg", X[:4000][y[:4000] == 0])):
    weight = rng.uniform(0.5, 1.5, len(rows)) * np.where(rng.random(len(rows)) < 0.1, -1, 1)
    write(folder / f"{name}.root", rows, weight)
write(folder / "data.root", X[4000:], np.ones(2000))
print(uproot.open(folder / "sig.root")["Events"].keys())

# %%
# Read them with a preselection
# -----------------------------
# :func:`~sklml.datasets.load_events` reads several ``FILE:TREE`` per class (globs too), keeps
# the flat numeric branches, applies the selection and records what it read.
data = load_events([f"{folder}/sig.root:Events"], [f"{folder}/bkg.root:Events"],
                   weight="weight", selection="n_jets >= 1")
for record in data.provenance:
    print(record.describe())

# %%
# Compare classifiers
# -------------------
# Three folds; every figure is weighted and computed on out-of-fold scores. ``yields`` are the
# signal and background events expected after the preselection.
yields = (60.0, 2500.0)
result = compare(data, estimators=["GDClassifier", "RandomForestClassifier",
                                   "DecisionTreeClassifier"], cv=3, yields=yields)
columns = ["model", "roc_auc_mean", "sig_eff_at_bkg_0.1_mean", "separation_mean",
           "ks_pvalue_signal_mean", "ks_pvalue_background_mean", "significance_mean"]
print(result.leaderboard[columns].to_string(index=False, float_format="%.3f"))

# %%
# The overtraining check
# ----------------------
# Classifier output on the events a model was trained on (points) and on held-out events
# (filled), for the first fold. Both tree models are more certain of their own training events
# than of new ones, and the Kolmogorov-Smirnov p-values are tiny. The test flags that the
# output differs; whether it matters is told by the held-out figures above, where the forest is
# still the best model and the single fully grown tree is not.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
train, test = result.splits[0]
w = data.sample_weight
for ax, name in zip(axes, ["RandomForestClassifier", "DecisionTreeClassifier"]):
    train_score, test_score = result.train_scores[name], result.oof_scores[name][test]
    edges = np.linspace(0, 1, 26)
    for label, c, color in (("signal", 1, "tab:blue"), ("background", 0, "tab:red")):
        a, b = data.y[train] == c, data.y[test] == c
        p = weighted_ks(train_score[a], test_score[b], w[train][a], w[test][b])[1]
        h_test = np.histogram(test_score[b], edges, weights=w[test][b], density=True)[0]
        h_train = np.histogram(train_score[a], edges, weights=w[train][a], density=True)[0]
        mplhep.histplot(h_test, edges, ax=ax, histtype="fill", alpha=0.35, color=color,
                        label=f"{label} test")
        mplhep.histplot(h_train, edges, ax=ax, histtype="errorbar", yerr=False, color=color,
                        label=f"{label} training, KS p = {p:.2g}")
    ax.set(title=name, xlabel="classifier output", ylabel="normalised")
    ax.legend(fontsize="small")

# %%
# The best cut
# ------------
# The Asimov significance of the cut ``output >= t`` for the expected yields; the leaderboard's
# ``best_cut`` and ``significance`` are its maximum in each fold, averaged.
best = result.best
cuts, z, best_cut, best_z = significance_scan(data.y, result.oof_scores[best], w, *yields)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(cuts, z)
ax.axvline(best_cut, ls="--", color="grey")
ax.set(xlabel=f"cut on the {best} output", ylabel="Asimov Z",
       title=f"best cut {best_cut:.2f}: Z = {best_z:.2f}")

# %%
# Scores back into a ROOT tree
# ----------------------------
# The best model, refitted on all events, scores every entry of the data file chunk by chunk;
# the output tree has the original branches plus ``mva``.
model = fit_final(data, best)
summary = apply_model(model, f"{folder}/data.root:Events", folder / "data_mva.root", "mva",
                      step_size=500)
tree = uproot.open(folder / "data_mva.root")["Events"]
print(summary.entries, "events in", summary.chunks, "chunks; branches:", tree.keys())
selected = tree.arrays(["m_ll", "mva"], library="np")
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
edges = np.linspace(50, 250, 41)
mplhep.histplot(np.histogram(selected["m_ll"], edges)[0], edges, ax=ax, label="all events")
mplhep.histplot(np.histogram(selected["m_ll"][selected["mva"] >= best_cut], edges)[0], edges,
                ax=ax, histtype="fill", alpha=0.5, label=f"mva >= {best_cut:.2f}")
ax.set(xlabel="$m_{\\ell\\ell}$ [GeV]", ylabel="events", title="The selection on data")
ax.legend()
plt.show()
