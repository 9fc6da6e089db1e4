"""
Optimizers on an ill-conditioned quadratic
==========================================

The lectures' "faster optimizers": plain gradient descent (GD) zig-zags along
the steep direction of an elongated valley and crawls along the flat one;
momentum and Nesterov build up speed along the valley, AdaGrad, RMSProp, Adam
and Nadam rescale each direction.

The problem is least squares with two features whose scales differ tenfold, so
the loss surface is a quadratic with condition number about 100.  Each model
is a :class:`~sklml.linear_model.GDRegressor` with full-batch gradient descent
(``batch_size=None``), so one epoch is one step; ``partial_fit`` runs one epoch
at a time, which lets us record the path of the coefficients.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from sklml.linear_model import GDRegressor

rng = np.random.RandomState(0)
n = 300
X = rng.normal(size=(n, 2)) * np.array([1.0, 10.0])
y = X @ np.array([1.0, 0.5]) + rng.normal(scale=0.1, size=n)
best = LinearRegression(fit_intercept=False).fit(X, y)
loss_min = 0.5 * np.mean((best.predict(X) - y) ** 2)
lr_gd = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()  # the largest safe GD step

settings = {
    "sgd (plain GD)": dict(optimizer="sgd", eta0=lr_gd),
    "momentum": dict(optimizer="momentum", eta0=lr_gd),
    "nesterov": dict(optimizer="nesterov", eta0=lr_gd),
    "adagrad": dict(optimizer="adagrad", eta0=0.5),
    "rmsprop": dict(optimizer="rmsprop", eta0=0.05),
    "adam": dict(optimizer="adam", eta0=0.1),
    "nadam": dict(optimizer="nadam", eta0=0.1),
}
epochs = 150
fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(12, 5))

# contours of the loss in the (w1, w2) plane
w1, w2 = np.meshgrid(np.linspace(-0.2, 1.6, 200), np.linspace(-0.2, 0.9, 200))
W = np.stack([w1.ravel(), w2.ravel()])
Z = 0.5 * np.mean((X @ W - y[:, None]) ** 2, axis=0).reshape(w1.shape)
ax_path.contour(w1, w2, np.log(Z - loss_min + 1e-6), levels=20, colors="0.8")
ax_path.plot(*best.coef_, "k*", markersize=12)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for label, params in settings.items():
        model = GDRegressor(batch_size=None, penalty=None, fit_intercept=False,
                            learning_rate="constant", **params)
        path = [np.zeros(2)]
        for _ in range(epochs):
            model.partial_fit(X, y)
            path.append(model.coef_.copy())
        path = np.array(path)
        excess = np.array(model.loss_curve_) - loss_min
        ax_loss.semilogy(np.arange(1, epochs + 1), np.maximum(excess, 1e-12), label=label)
        ax_path.plot(path[:40, 0], path[:40, 1], ".-", label=label, markersize=3)

ax_loss.set(xlabel="epoch (= step, full batch)", ylabel="loss - minimum",
            title="Convergence on an ill-conditioned quadratic")
ax_loss.legend()
ax_path.set(xlabel="$w_1$ (feature scale 1)", ylabel="$w_2$ (feature scale 10)",
            title="First 40 steps in parameter space")
fig.tight_layout()
plt.show()
