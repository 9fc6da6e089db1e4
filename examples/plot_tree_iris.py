"""
Decision tree on the iris petals
================================

The lectures' first decision tree: classify iris flowers from the length and
width of their petals with a depth-2 CART tree (Géron, *Hands-on ML*, ch. 6).
The root splits on petal length at 2.45 cm (setosa is pure, Gini 0), the
second node on petal width at 1.75 cm.

The sklml tree exposes ``tree_`` in scikit-learn's layout, so
:func:`sklearn.tree.plot_tree` and :func:`sklearn.tree.export_text` draw it
unchanged.  On the right, the axis-parallel decision regions, and what a
deeper, unpruned tree does with the same data, pruned back by minimal
cost-complexity pruning (``ccp_alpha``).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_iris
from sklearn.tree import export_text, plot_tree

from sklml.tree import DecisionTreeClassifier

iris = load_iris()
X = iris.data[:, 2:]  # petal length, petal width
y = iris.target
names = ["petal length (cm)", "petal width (cm)"]

clf = DecisionTreeClassifier(max_depth=2, random_state=42).fit(X, y)
print(export_text(clf, feature_names=names))
print(f"training accuracy: {clf.score(X, y):.3f}")

fig, axes = plt.subplots(1, 2, figsize=(13, 5))
plot_tree(clf, feature_names=names, class_names=iris.target_names, filled=True,
          rounded=True, ax=axes[0])
axes[0].set_title("depth-2 tree")

xx, yy = np.meshgrid(np.linspace(0, 7.5, 300), np.linspace(0, 3, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
axes[1].contourf(xx, yy, clf.predict(grid).reshape(xx.shape), alpha=0.3,
                 cmap="brg", levels=[-0.5, 0.5, 1.5, 2.5])
for k, marker in enumerate("so^"):
    axes[1].scatter(X[y == k, 0], X[y == k, 1], marker=marker, edgecolor="k",
                    label=iris.target_names[k])
t = clf.tree_
axes[1].axvline(t.threshold[0], color="k", lw=2)
axes[1].plot([t.threshold[0], 7.5], [t.threshold[2]] * 2, "k--", lw=2)
axes[1].set_xlabel(names[0])
axes[1].set_ylabel(names[1])
axes[1].legend(loc="upper left")
axes[1].set_title(f"decision regions, accuracy {clf.score(X, y):.2f}")
fig.tight_layout()

# %%
# Pruning a full tree
# -------------------
# A tree grown to purity overfits; the cost-complexity path gives the
# effective alphas at which subtrees are pruned away.
path = DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(X, y)
alphas = path.ccp_alphas[:-1]
leaves = [DecisionTreeClassifier(ccp_alpha=a, random_state=0).fit(X, y).get_n_leaves()
          for a in alphas]
fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].step(alphas, path.impurities[:-1], where="post")
ax[0].set_xlabel("effective alpha")
ax[0].set_ylabel("total impurity of leaves")
ax[1].step(alphas, leaves, where="post")
ax[1].set_xlabel("effective alpha")
ax[1].set_ylabel("number of leaves")
fig.suptitle("minimal cost-complexity pruning on the iris petals")
fig.tight_layout()
plt.show()
