"""
Stochastic, mini-batch and batch gradient descent
=================================================

How the training set is used per update (lectures): stochastic GD updates after
every sample (fast, noisy), mini-batch GD after each batch, batch GD after the
whole training set (smooth but one step per epoch).  The curves show the loss
per epoch of a :class:`~sklml.linear_model.GDClassifier` (cross-entropy) on a
signal/background-like problem for several ``batch_size`` values, with plain
SGD and with Adam.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklml.linear_model import GDClassifier

X, y = make_classification(n_samples=5000, n_features=20, n_informative=8,
                           class_sep=0.8, random_state=0)
X = StandardScaler().fit_transform(X)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for ax, optimizer, rate in [(axes[0], "sgd", 0.05), (axes[1], "adam", 0.01)]:
        for batch_size in [1, 32, 256, None]:
            model = GDClassifier(optimizer=optimizer, learning_rate="constant", eta0=rate,
                                 batch_size=batch_size, max_iter=60, tol=None,
                                 random_state=0).fit(X, y)
            label = "full batch" if batch_size is None else f"batch_size={batch_size}"
            ax.plot(range(1, len(model.loss_curve_) + 1), model.loss_curve_,
                    label=f"{label} ({model.t_} updates)")
        ax.set(xlabel="epoch", title=f"optimizer={optimizer!r}, eta0={rate}")
        ax.legend()
axes[0].set_ylabel("cross-entropy + penalty")
fig.tight_layout()
plt.show()
