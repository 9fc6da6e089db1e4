"""Bad input gets scikit-learn's kind of error, never a numba one."""

import numpy as np
import pytest

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor

X = np.arange(40, dtype=float).reshape(20, 2)
Y_CLS = np.r_[np.zeros(10), np.ones(10)]


@pytest.mark.parametrize("Est", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_bad_input(Est):
    est = Est()
    y_nan = Y_CLS.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X, y_nan)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.fit(X_inf, Y_CLS)
    with pytest.raises(ValueError, match="could not convert"):
        est.fit(np.array([["a", "b"]] * 20), Y_CLS)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(np.empty((0, 2)), np.empty(0))
    with pytest.raises(ValueError, match="0 feature"):
        est.fit(np.empty((20, 0)), Y_CLS)
    est.fit(X, Y_CLS)
    with pytest.raises(ValueError, match="features"):
        est.predict(np.ones((3, 5)))
    with pytest.raises(ValueError, match="infinity"):
        est.predict(X_inf)
    with pytest.raises(ValueError, match="[Nn]egative"):
        est.fit(X, Y_CLS, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="zero"):
        est.fit(X, Y_CLS, sample_weight=np.zeros(20))
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, Y_CLS, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="max_depth"):
        Est(max_depth=0).fit(X, Y_CLS)
    for bins in (1, 256):
        with pytest.raises(ValueError, match="max_bins"):
            Est(max_bins=bins).fit(X, Y_CLS)
    with pytest.raises(ValueError, match="criterion"):
        Est(criterion="nope").fit(X, Y_CLS)
    with pytest.raises(ValueError, match="max_features"):
        Est(max_features=5).fit(X, Y_CLS)
    with pytest.raises(ValueError, match="min_samples_leaf"):
        Est(min_samples_leaf=0).fit(X, Y_CLS)


def test_classifier_rejects_continuous_target():
    with pytest.raises(ValueError, match="Unknown label type"):
        DecisionTreeClassifier().fit(X, np.linspace(0, 1, 20))


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DecisionTreeClassifier().predict(X)
    with pytest.raises(NotFittedError):
        DecisionTreeRegressor().apply(X)


def test_all_missing_feature_and_single_class():
    Xm = X.copy()
    Xm[:, 1] = np.nan
    clf = DecisionTreeClassifier().fit(Xm, Y_CLS)
    assert clf.score(Xm, Y_CLS) == 1.0
    assert clf.tree_.feature[0] == 0
    one = DecisionTreeClassifier().fit(X, np.zeros(20))
    assert one.tree_.node_count == 1 and one.predict(X[:2]).tolist() == [0.0, 0.0]


def test_too_many_classes_is_a_clear_error():
    y = np.arange(70_000)
    Xc = np.zeros((70_000, 1))
    with pytest.raises(ValueError, match="at most 65536 classes"):
        DecisionTreeClassifier().fit(Xc, y)
