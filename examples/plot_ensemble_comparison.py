"""
Single tree, random forest and AdaBoost
=======================================

The lectures' summary of ensemble learning: "In general Boosting > Random
Forests > Bagging > Single Tree."  On a noisy problem (10% of the labels
flipped) with an additive decision boundary, a single deep tree overfits the
noise, a random forest averages it away, and AdaBoost with stumps, which adds
one feature's contribution at a time, fits the additive boundary best.

The staged test accuracy shows boosting improve round after round; the
out-of-bag score of the forest estimates its test accuracy without a test set.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sklml.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklml.tree import DecisionTreeClassifier

rng = np.random.RandomState(0)
X = rng.randn(4000, 10)
y = (X.sum(axis=1) > 0).astype(int)
flip = rng.rand(4000) < 0.1
y[flip] = 1 - y[flip]
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0)

tree = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr)
forest = RandomForestClassifier(n_estimators=100, oob_score=True, n_jobs=2,
                                random_state=0).fit(Xtr, ytr)
boost = AdaBoostClassifier(n_estimators=200, learning_rate=0.5,
                           random_state=0).fit(Xtr, ytr)
scores = {"single tree": tree.score(Xte, yte),
          "random forest": forest.score(Xte, yte),
          "AdaBoost (stumps)": boost.score(Xte, yte)}
for name, s in scores.items():
    print(f"{name:<18} test accuracy {s:.3f}")
print(f"forest out-of-bag score {forest.oob_score_:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
staged = list(boost.staged_score(Xte, yte))
axes[0].plot(np.arange(1, len(staged) + 1), staged, label="AdaBoost, staged")
axes[0].axhline(scores["random forest"], color="g", ls="--", label="random forest")
axes[0].axhline(forest.oob_score_, color="g", ls=":", label="forest OOB estimate")
axes[0].axhline(scores["single tree"], color="r", ls="--", label="single tree")
axes[0].set_xlabel("boosting rounds")
axes[0].set_ylabel("test accuracy")
axes[0].legend(loc="lower right")

width = 0.4
idx = np.arange(X.shape[1])
axes[1].bar(idx - width / 2, forest.feature_importances_, width, label="random forest")
axes[1].bar(idx + width / 2, boost.feature_importances_, width, label="AdaBoost")
axes[1].set_xlabel("feature")
axes[1].set_ylabel("importance")
axes[1].set_title("every feature counts equally in the true boundary")
axes[1].legend()
fig.tight_layout()
plt.show()
