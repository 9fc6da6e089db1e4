"""
Ensembles on the two moons
==========================

The lectures' picture of ensemble learning: on the noisy two-moons data a single
deep tree carves an axis-aligned, over-fitted boundary; a random forest averages
many such trees (each on a bootstrap sample, a random feature subset per split)
into a smoother boundary; AdaBoost adds shallow trees one at a time, each
focused on the points the previous ones got wrong.  The held-out accuracy is
printed in each panel's title.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklml.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklml.tree import DecisionTreeClassifier

X, y = make_moons(n_samples=500, noise=0.30, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42)

models = {
    "single tree (full depth)": DecisionTreeClassifier(random_state=42),
    "random forest (500 trees)": RandomForestClassifier(
        n_estimators=500, max_leaf_nodes=16, random_state=42
    ),
    "AdaBoost (200 depth-1 trees)": AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=1), n_estimators=200, learning_rate=0.5,
        random_state=42,
    ),
}

fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    model.fit(X_train, y_train)
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", cmap="RdBu", alpha=0.35, ax=ax
    )
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{name}\ntest accuracy {model.score(X_test, y_test):.3f}")
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
fig.tight_layout()
plt.show()

print({name: round(float(np.mean(m.predict(X_test) == y_test)), 3) for name, m in models.items()})
