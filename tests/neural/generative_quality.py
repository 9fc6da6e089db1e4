"""How good generated digits are: the measures of the generative-model tests."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score


def sample_quality(S, X, clf):
    """(mean max probability of a digits classifier on S, accuracy of a logistic
    regression telling S from as many real rows, 5-fold CV)."""
    confidence = clf.predict_proba(S).max(1).mean()
    real = X[np.random.RandomState(0).choice(len(X), len(S), replace=False)]
    Z = np.vstack([real, S])
    t = np.r_[np.zeros(len(real)), np.ones(len(S))]
    accuracy = cross_val_score(LogisticRegression(max_iter=1000), Z, t, cv=5).mean()
    return confidence, accuracy
