"""
Boosted decision trees for signal and background (XGBoost and CatBoost)
=======================================================================

The lectures' hands-on BDT tutorial: separate a dilepton resonance (signal)
from Drell-Yan and top-pair backgrounds with boosted decision trees. Both
:class:`~sklml.boosting.XGBClassifier` and
:class:`~sklml.boosting.CatBoostClassifier` are trained on the same events
from :func:`~sklml.datasets.make_signal_background`; the figure shows the
classifier output for signal and background on held-out events, the ROC
curves and the feature importances.

The number of jets is passed to CatBoost as a categorical feature simply by
giving it the pandas ``category`` dtype.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

from sklml.boosting import CatBoostClassifier, XGBClassifier
from sklml.datasets import make_signal_background

X, y = make_signal_background(20_000, random_state=0, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

xgb = XGBClassifier(n_estimators=200, max_depth=4, learning_rate=0.1, random_state=0,
                    n_jobs=1, device="cpu").fit(X_train, y_train)
X_cat_train = X_train.astype({"n_jets": "category"})
X_cat_test = X_test.astype({"n_jets": "category"})
cat = CatBoostClassifier(n_estimators=200, max_depth=6, learning_rate=0.1, random_state=0,
                         n_jobs=1, device="cpu").fit(X_cat_train, y_train)
print("CatBoost categorical features:", list(X.columns[cat.categorical_features_]))

scores = {
    "XGBoost": xgb.predict_proba(X_test)[:, 1],
    "CatBoost": cat.predict_proba(X_cat_test)[:, 1],
}
for name, s in scores.items():
    print(f"{name}: held-out ROC AUC = {roc_auc_score(y_test, s):.4f}")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
bins = np.linspace(0, 1, 41)
s = scores["XGBoost"]
axes[0].hist(s[y_test == 1], bins=bins, alpha=0.6, density=True, label="signal")
axes[0].hist(s[y_test == 0], bins=bins, alpha=0.6, density=True, label="background")
axes[0].set_yscale("log")
axes[0].set_xlabel("XGBoost output")
axes[0].set_title("Classifier output (held-out events)")
axes[0].legend()

for name, s in scores.items():
    fpr, tpr, _ = roc_curve(y_test, s)
    axes[1].plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y_test, s):.3f})")
axes[1].plot([0, 1], [0, 1], "k:", lw=1)
axes[1].set_xlabel("background efficiency")
axes[1].set_ylabel("signal efficiency")
axes[1].set_title("ROC curve")
axes[1].legend(loc="lower right")

order = np.argsort(xgb.feature_importances_)
positions = np.arange(len(order))
axes[2].barh(positions - 0.2, xgb.feature_importances_[order], height=0.4,
             label="XGBoost (gain)")
axes[2].barh(positions + 0.2, cat.feature_importances_[order], height=0.4,
             label="CatBoost (prediction change)")
axes[2].set_yticks(positions, X.columns[order])
axes[2].set_title("Feature importances")
axes[2].legend(loc="lower right")
fig.tight_layout()
plt.show()
