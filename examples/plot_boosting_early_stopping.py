"""
Gradient boosting with early stopping (XGBoost)
===============================================

The lectures' demo of gradient boosting with early stopping, done with
XGBoost through :class:`~sklml.boosting.XGBRegressor`. A noisy quadratic is
fitted by boosted trees with a large learning rate: the validation error falls,
reaches a minimum and rises again as the trees start to fit the noise.

With ``early_stopping_rounds`` the estimator holds out ``validation_fraction``
of the training data itself, stops when the validation error has not improved
for that many rounds and predicts with the best number of trees
(``n_iter_``); no manual split is needed.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from sklml.boosting import XGBRegressor

rng = np.random.RandomState(42)
X = rng.rand(400, 1) - 0.5
y = 3 * X[:, 0] ** 2 + 0.05 * rng.randn(400)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=49)

# many trees, no early stopping: the validation error along the way
full = XGBRegressor(n_estimators=300, max_depth=2, learning_rate=0.3, random_state=0,
                    n_jobs=1, device="cpu").fit(X_train, y_train)
errors = [
    mean_squared_error(y_val, full.booster_.inplace_predict(X_val, iteration_range=(0, k)))
    for k in range(1, full.n_estimators + 1)
]
best = int(np.argmin(errors)) + 1

# the same model stopping by itself on an internal validation split
stopped = XGBRegressor(n_estimators=300, max_depth=2, learning_rate=0.3, random_state=0,
                       n_jobs=1, early_stopping_rounds=10, validation_fraction=0.25,
                       device="cpu").fit(X_train, y_train)
print(f"best number of trees on the validation set: {best}")
print(f"early stopping kept {stopped.n_iter_} trees "
      f"(validation MSE {mean_squared_error(y_val, stopped.predict(X_val)):.5f}, "
      f"all 300 trees: {errors[-1]:.5f})")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(np.arange(1, len(errors) + 1), errors, "b-", label="validation error")
ax1.plot(best, errors[best - 1], "ko", label=f"minimum ({best} trees)")
ax1.axvline(stopped.n_iter_, color="r", ls="--",
            label=f"early stopping ({stopped.n_iter_} trees)")
ax1.set_xlabel("number of trees")
ax1.set_ylabel("mean squared error")
ax1.set_title("Validation error")
ax1.legend()

grid = np.linspace(-0.5, 0.5, 500)[:, None]
ax2.plot(X_train[:, 0], y_train, "b.", label="training set")
ax2.plot(grid[:, 0], full.predict(grid), "g-", alpha=0.6, label="300 trees (overfit)")
ax2.plot(grid[:, 0], stopped.predict(grid), "r-", lw=2,
         label=f"early stopped ({stopped.n_iter_} trees)")
ax2.set_xlabel("$x_1$")
ax2.set_ylabel("$y$")
ax2.set_title("Predictions")
ax2.legend()
fig.tight_layout()
plt.show()
