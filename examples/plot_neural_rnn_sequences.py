"""
Recurrent networks: classifying waveforms and forecasting an oscillator
=======================================================================

Two uses of recurrent networks from the lectures, with
:class:`~sklml.neural.RNNClassifier` and :class:`~sklml.neural.RNNRegressor`:

* sequence-to-one classification: noisy sine, square and sawtooth waves of
  random frequency, phase and amplitude, read step by step by a GRU;
* forecasting a damped oscillator one step ahead from a window of 20 past
  values, then rolling the forecast forward on its own predictions.

The remedies for unstable gradients (gradient clipping, orthogonal
initialisation, layer normalisation) are options of both estimators.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy import signal
from sklearn.model_selection import train_test_split

from sklml.neural import RNNClassifier, RNNRegressor

torch.set_num_threads(1)
rng = np.random.default_rng(0)

# -- waveform classification ------------------------------------------------------
n, steps = 600, 40
kind = rng.integers(3, size=n)
t = np.linspace(0, 1, steps)
arg = 2 * np.pi * rng.uniform(1.5, 4.0, (n, 1)) * t + rng.uniform(0, 2 * np.pi, (n, 1))
waves = np.stack([np.sin(arg), signal.square(arg), signal.sawtooth(arg)])[kind, np.arange(n)]
X = waves * rng.uniform(0.5, 1.5, (n, 1)) + rng.normal(scale=0.2, size=(n, steps))
X_train, X_test, y_train, y_test = train_test_split(X, kind, test_size=0.25,
                                                    stratify=kind, random_state=42)
clf = RNNClassifier(cell="gru", hidden_size=64, max_iter=30,
                    random_state=42).fit(X_train, y_train)
pred = clf.predict(X_test)

# -- damped oscillator forecast -------------------------------------------------------
def oscillator(g, w, p, length=150):
    time = np.arange(length) * 0.1
    return np.exp(-g * time) * np.cos(w * time + p)


window = 20
series = [oscillator(*rng.uniform([0.05, 1.0, 0], [0.3, 3.0, 2 * np.pi])) for _ in range(30)]
Xs = np.concatenate([np.lib.stride_tricks.sliding_window_view(s[:-1], window) for s in series])
ys = np.concatenate([s[window:] for s in series])
reg = RNNRegressor(cell="lstm", hidden_size=32, max_iter=20, random_state=0).fit(Xs, ys)

test = oscillator(0.15, 2.2, 0.5)
rolled = list(test[:window])
for _ in range(len(test) - window):
    rolled.append(reg.predict(np.array(rolled[-window:])[None])[0])

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
names = ["sine", "square", "sawtooth"]
for c in range(3):
    axes[0].plot(t, X_test[np.flatnonzero(y_test == c)[0]] + 3 * c, label=names[c])
axes[0].set(title=f"test accuracy {np.mean(pred == y_test):.3f}", xlabel="t", yticks=[])
axes[0].legend(fontsize=8)
axes[1].plot(clf.loss_curve_, label="waves (GRU)")
axes[1].plot(reg.loss_curve_, label="oscillator (LSTM)")
axes[1].set(xlabel="epoch", ylabel="training loss", yscale="log")
axes[1].legend()
axes[2].plot(test, "k", label="true")
axes[2].plot(np.arange(window, len(test)), rolled[window:], "r--",
             label="rolled-out forecast")
axes[2].axvspan(0, window, color="0.9", label="given window")
axes[2].set(xlabel="step", title="damped oscillator")
axes[2].legend(fontsize=8)
fig.tight_layout()
plt.show()
