"""
Huber loss against least squares with outliers
==============================================

The lectures recommend the Huber loss "in case of outliers": quadratic for
small residuals, linear for large ones, so a few gross outliers pull the fit
far less than they pull least squares.  Here 10% of the points of a line are
replaced by large values; :class:`~sklml.linear_model.GDRegressor` with
``loss="huber"`` recovers the line, ``loss="squared_error"`` does not.

The threshold ``epsilon`` is in the units of ``y`` by default (as
SGDRegressor's); scikit-learn's :class:`~sklearn.linear_model.HuberRegressor`
fits a scale of the residuals and puts the threshold at ``epsilon * scale_``.
``huber_scale="fitted"`` minimises HuberRegressor's objective and lands on its
line and scale.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import HuberRegressor

from sklml.linear_model import GDRegressor

rng = np.random.RandomState(0)
n = 400
x = rng.uniform(0, 10, size=n)
y = 2 * x + 1 + rng.normal(scale=1.0, size=n)
outliers = rng.choice(n, n // 10, replace=False)
y[outliers] = rng.uniform(30, 60, size=len(outliers))
X = x[:, None]

common = dict(penalty=None, batch_size=None, learning_rate="constant", eta0=0.05, max_iter=2000,
              tol=None)
squared = GDRegressor(loss="squared_error", **common).fit(X, y)
huber = GDRegressor(loss="huber", epsilon=1.35, **common).fit(X, y)
scaled = GDRegressor(loss="huber", huber_scale="fitted", epsilon=1.35, **common).fit(X, y)
reference = HuberRegressor(epsilon=1.35, alpha=0.0).fit(X, y)
print(f"fitted scale: GDRegressor {scaled.scale_:.4f}, HuberRegressor {reference.scale_:.4f}")

grid = np.linspace(0, 10, 2)[:, None]
fig, ax = plt.subplots(figsize=(7, 5))
ax.scatter(x, y, s=8, c=np.isin(np.arange(n), outliers), cmap="coolwarm", label="data")
ax.plot(grid, 2 * grid + 1, "k--", label="true line y = 2x + 1")
for model, label in [(squared, "GDRegressor, squared error"), (huber, "GDRegressor, Huber"),
                     (scaled, "GDRegressor, Huber, fitted scale"),
                     (reference, "sklearn HuberRegressor")]:
    ax.plot(grid, model.predict(grid),
            label=f"{label}: y = {model.coef_[0]:.2f}x + {model.intercept_:.2f}")
ax.set(xlabel="x", ylabel="y", title="10% gross outliers")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()
