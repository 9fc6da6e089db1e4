"""
A simulated collider sample: a resonance over its backgrounds
=============================================================

:func:`sklml.datasets.make_signal_background` simulates events with two charged leptons. The
signal is a narrow resonance (125 GeV) decaying to the lepton pair; the background mixes
Drell-Yan production, whose dilepton mass falls steeply from 60 GeV, and top-pair production,
with b jets and missing energy from the neutrinos. This is the default dataset of
``sklml compare``.

The plots show why the problem suits the methods of the course: the invariant mass separates
the classes best, but only inside a window (a cut from both sides, which a linear model cannot
make), and the missing energy and the jets help against the top pairs.
"""

# %%
# Generate the events
# -------------------
import matplotlib.pyplot as plt
import numpy as np

from sklml.datasets import SIGNAL_BACKGROUND_FEATURES, make_signal_background

X, y = make_signal_background(20_000, random_state=0, as_frame=True)
print(X.describe().T[["mean", "std", "min", "max"]].round(1))

# %%
# The features, signal against background
# ---------------------------------------
fig, axes = plt.subplots(2, 5, figsize=(15, 6), layout="constrained")
for ax, name in zip(axes.ravel(), SIGNAL_BACKGROUND_FEATURES):
    values = X[name]
    if name == "n_jets":
        bins = np.arange(-0.5, 8.5)
    else:
        bins = np.linspace(values.min(), np.percentile(values, 99), 50)
    for label, colour, title in ((0, "tab:blue", "background"), (1, "tab:red", "signal")):
        ax.hist(values[y == label], bins=bins, histtype="step", color=colour, label=title,
                density=True)
    ax.set_xlabel(name)
    ax.set_yticks([])
axes[0, 0].legend()
fig.suptitle("Kinematic features (normalised)")

# %%
# The mass peak
# -------------
# The dilepton invariant mass: the resonance stands on the falling Drell-Yan continuum
# and the broad top-pair distribution.
m_ll = X["m_ll"]
bins = np.linspace(50, 300, 101)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.hist([m_ll[y == 0], m_ll[y == 1]], bins=bins, stacked=True,
        color=["tab:blue", "tab:red"], label=["background", "signal"])
ax.set_xlabel(r"$m_{\ell\ell}$ [GeV]")
ax.set_ylabel("events / 2.5 GeV")
ax.set_yscale("log")
ax.legend()

# %%
# How well does a cut on the mass do?
# -----------------------------------
# The best mass window, found on the sample itself, already classifies most events.
best = max(
    ((low, high, np.mean((m_ll.between(low, high)) == (y == 1)))
     for low in np.arange(100, 125, 1.0) for high in np.arange(126, 150, 1.0)),
    key=lambda t: t[2],
)
print(f"best window {best[0]:.0f} < m_ll < {best[1]:.0f} GeV: accuracy {best[2]:.3f}")
plt.show()
