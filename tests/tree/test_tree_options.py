"""Criteria, splitters, multi-output classification and monotonic constraints,
against scikit-learn's trees where they are exact (integer data)."""

import warnings

import numpy as np
import pytest
from sklearn import tree as sktree
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import train_test_split

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor

from test_tree_vs_sklearn import assert_same_tree

SEEDS = [None, 0, 1, 2]


@pytest.fixture(scope="module")
def int_data():
    rng = np.random.RandomState(0)
    n = 2000
    X = rng.randint(0, 40, size=(n, 5)).astype(float)
    y = (X[:, 0] + 2 * X[:, 1] - X[:, 2] + rng.randn(n) * 15 > 40).astype(int)
    y2 = (X[:, 3] > 20).astype(int) + (X[:, 4] > 30)  # a second, 3-class output
    counts = rng.poisson(np.exp(X[:, 0] / 20 - X[:, 1] / 40))
    yr = X[:, 0] * 0.3 + np.sin(X[:, 1]) + rng.randn(n)
    return X, y, y2, counts.astype(float), yr


# -- criteria ----------------------------------------------------------------

@pytest.mark.parametrize("params", [{"max_depth": 4}, {"max_leaf_nodes": 15},
                                    {"max_depth": 5, "min_samples_leaf": 10}])
def test_poisson_identical_to_sklearn(int_data, params):
    X, _, _, counts, _ = int_data
    ours = DecisionTreeRegressor(criterion="poisson", **params).fit(X, counts)
    theirs = sktree.DecisionTreeRegressor(criterion="poisson", random_state=0,
                                          **params).fit(X, counts)
    assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X))


def test_poisson_beats_squared_error_on_counts_in_deviance(int_data):
    from sklearn.metrics import mean_poisson_deviance

    X, _, _, counts, _ = int_data
    Xtr, Xte, ytr, yte = train_test_split(X, counts, random_state=0)
    for seed in SEEDS:
        pois = DecisionTreeRegressor(criterion="poisson", max_depth=4,
                                     random_state=seed).fit(Xtr, ytr)
        # a Poisson tree never predicts 0 (splits leaving a zero-sum child are refused)
        assert np.all(pois.predict(Xte) > 0)
        base = mean_poisson_deviance(yte, np.full(yte.shape, ytr.mean()))
        assert mean_poisson_deviance(yte, pois.predict(Xte)) < 0.95 * base


def test_poisson_rejects_bad_targets_like_sklearn():
    X = np.arange(20.0).reshape(10, 2)
    for y, msg in ((np.r_[-1.0, np.ones(9)], "negative"), (np.zeros(10), "not positive")):
        with pytest.raises(ValueError, match=msg):
            DecisionTreeRegressor(criterion="poisson").fit(X, y)
        with pytest.raises(ValueError, match=msg):
            sktree.DecisionTreeRegressor(criterion="poisson").fit(X, y)


def test_friedman_mse_is_deprecated_alias_of_squared_error(int_data):
    X, _, _, _, yr = int_data
    # as scikit-learn 1.9: warned and mapped at construction
    with pytest.warns(FutureWarning, match="friedman_mse"):
        ours = DecisionTreeRegressor(criterion="friedman_mse", max_depth=5)
    assert ours.criterion == "squared_error"
    ours.fit(X, yr)
    with pytest.warns(FutureWarning, match="friedman_mse"):  # set later: at fit
        DecisionTreeRegressor().set_params(criterion="friedman_mse").fit(X, yr)
    ref = DecisionTreeRegressor(max_depth=5).fit(X, yr)
    assert_same_tree(ours, ref, rtol=0)


def test_log_loss_is_entropy(int_data):
    X, y, _, _, _ = int_data
    a = DecisionTreeClassifier(criterion="log_loss", max_depth=5).fit(X, y)
    b = DecisionTreeClassifier(criterion="entropy", max_depth=5).fit(X, y)
    assert_same_tree(a, b, rtol=0)


# -- splitter ----------------------------------------------------------------

@pytest.mark.parametrize("Est", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_random_splitter_seeded_and_different_from_best(int_data, Est):
    X, y, _, _, yr = int_data
    target = y if Est is DecisionTreeClassifier else yr
    a = Est(splitter="random", max_depth=6, random_state=3).fit(X, target)
    b = Est(splitter="random", max_depth=6, random_state=3).fit(X, target)
    c = Est(splitter="random", max_depth=6, random_state=4).fit(X, target)
    best = Est(max_depth=6, random_state=3).fit(X, target)
    assert_same_tree(a, b, rtol=0)
    assert not np.array_equal(a.tree_.threshold, c.tree_.threshold)
    assert not np.array_equal(a.tree_.threshold, best.tree_.threshold)
    # every threshold lies between two training values of its feature
    inner = a.tree_.children_left != -1
    for f, t in zip(a.tree_.feature[inner], a.tree_.threshold[inner]):
        assert X[:, f].min() <= t < X[:, f].max()


def test_random_splitter_learns(int_data):
    X, y, _, _, _ = int_data
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    base = DummyClassifier().fit(Xtr, ytr).score(Xte, yte)
    for seed in SEEDS:
        for max_features in (None, "sqrt"):
            et = DecisionTreeClassifier(splitter="random", max_depth=8,
                                        max_features=max_features,
                                        random_state=seed).fit(Xtr, ytr)
            assert et.score(Xte, yte) > base + 0.1
        full = DecisionTreeClassifier(splitter="random", random_state=seed).fit(Xtr, ytr)
        sk = sktree.DecisionTreeClassifier().fit(Xtr, ytr)
        assert full.score(Xtr, ytr) == sk.score(Xtr, ytr)  # grown until pure


def test_random_splitter_with_missing_values(int_data):
    X, y, _, _, _ = int_data
    X = X.copy()
    X[np.random.RandomState(0).rand(*X.shape) < 0.2] = np.nan
    ref = sktree.DecisionTreeClassifier(random_state=0).fit(X, y).score(X, y)
    for seed in SEEDS:
        clf = DecisionTreeClassifier(splitter="random", random_state=seed).fit(X, y)
        # as scikit-learn's random splitter, a node whose features all draw the
        # missing side that empties a child stays a leaf: a few rows may remain
        assert clf.score(X, y) >= ref - 0.002
        assert np.isfinite(clf.predict_proba(X)).all()


def test_bad_splitter_is_rejected():
    X, y = np.arange(8.0).reshape(4, 2), [0, 1, 0, 1]
    with pytest.raises(ValueError, match="splitter"):
        DecisionTreeClassifier(splitter="nope").fit(X, y)


def test_check_input_false(int_data):
    X, y, _, _, yr = int_data
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    a = DecisionTreeClassifier(max_depth=4).fit(X32, y, check_input=False)
    b = DecisionTreeClassifier(max_depth=4).fit(X, y)
    assert_same_tree(a, b, rtol=0)
    np.testing.assert_array_equal(a.predict(X32, check_input=False), b.predict(X))
    np.testing.assert_array_equal(a.apply(X32, check_input=False), b.apply(X))
    np.testing.assert_allclose(a.predict_proba(X32, check_input=False),
                               b.predict_proba(X))
    assert (a.decision_path(X32, check_input=False) != b.decision_path(X)).nnz == 0
    r = DecisionTreeRegressor(max_depth=3).fit(X32, yr, check_input=False)
    np.testing.assert_allclose(r.predict(X32, check_input=False), r.predict(X))
    # as scikit-learn: the tree wants float32 when nothing is checked
    with pytest.raises(ValueError, match="float32"):
        a.predict(X, check_input=False)
    with pytest.raises(ValueError, match="features"):
        a.predict(X32[:, :3], check_input=False)


# -- multi-output classification ---------------------------------------------

def test_multioutput_classifier_identical_to_sklearn(int_data):
    X, y, y2, _, _ = int_data
    labels = np.array(["a", "b", "c"])[y2]
    Y = np.column_stack([y, y2])
    for criterion in ("gini", "entropy"):
        ours = DecisionTreeClassifier(criterion=criterion, max_depth=4).fit(X, Y)
        theirs = sktree.DecisionTreeClassifier(criterion=criterion, max_depth=4,
                                               random_state=0).fit(X, Y)
        assert_same_tree(ours, theirs)
        assert ours.n_outputs_ == 2
        np.testing.assert_array_equal(ours.n_classes_, theirs.n_classes_)
        for a, b in zip(ours.classes_, theirs.classes_):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        pa, pb = ours.predict_proba(X), theirs.predict_proba(X)
        assert isinstance(pa, list) and [p.shape for p in pa] == [p.shape for p in pb]
        for a, b in zip(pa, pb):
            np.testing.assert_allclose(a, b)
        for a, b in zip(ours.predict_log_proba(X), theirs.predict_log_proba(X)):
            np.testing.assert_allclose(a, b)
    # string labels per output, predictions of their dtype
    Ys = np.column_stack([y.astype(str), labels])
    ours = DecisionTreeClassifier(max_depth=4).fit(X, Ys)
    theirs = sktree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, Ys)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("class_weight", ["balanced", [{0: 1, 1: 3}, {0: 1, 1: 2, 2: 5}]])
def test_multioutput_class_weight_identical_to_sklearn(int_data, class_weight):
    X, y, y2, _, _ = int_data
    Y = np.column_stack([y, y2])
    ours = DecisionTreeClassifier(max_depth=4, class_weight=class_weight).fit(X, Y)
    theirs = sktree.DecisionTreeClassifier(max_depth=4, class_weight=class_weight,
                                           random_state=0).fit(X, Y)
    assert_same_tree(ours, theirs)


def test_multioutput_column_vector_is_single_output(int_data):
    X, y, _, _, _ = int_data
    clf = DecisionTreeClassifier(max_depth=3).fit(X, y[:, None])
    assert clf.n_outputs_ == 1 and clf.predict(X).shape == (X.shape[0],)
    assert clf.predict_proba(X).shape == (X.shape[0], 2)


# -- monotonic constraints ----------------------------------------------------

def _is_monotone(est, X, feature, sign, proba):
    grid = np.repeat(X[:200], 41, axis=0)
    grid[:, feature] = np.tile(np.arange(41.0), 200)
    pred = est.predict_proba(grid)[:, 1] if proba else est.predict(grid)
    steps = np.diff(pred.reshape(200, 41), axis=1) * sign
    return np.all(steps >= -1e-12)


@pytest.mark.parametrize("params", [{"max_depth": 6}, {"max_leaf_nodes": 25}])
def test_monotonic_regressor_identical_to_sklearn(int_data, params):
    X, _, _, _, yr = int_data
    cst = [1, -1, 0, 0, 0]
    ours = DecisionTreeRegressor(monotonic_cst=cst, **params).fit(X, yr)
    theirs = sktree.DecisionTreeRegressor(monotonic_cst=cst, random_state=0,
                                          **params).fit(X, yr)
    assert_same_tree(ours, theirs)
    assert _is_monotone(ours, X, 0, 1, False) and _is_monotone(ours, X, 1, -1, False)
    free = DecisionTreeRegressor(**params).fit(X, yr)
    assert not _is_monotone(free, X, 1, -1, False)  # the constraint does something


def test_monotonic_classifier_identical_to_sklearn(int_data):
    X, y, _, _, _ = int_data
    cst = [1, 1, -1, 0, 0]
    ours = DecisionTreeClassifier(monotonic_cst=cst, max_depth=5).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(monotonic_cst=cst, max_depth=5,
                                           random_state=0).fit(X, y)
    assert_same_tree(ours, theirs)
    for f, sign in ((0, 1), (1, 1), (2, -1)):
        assert _is_monotone(ours, X, f, sign, True)


def test_monotonic_random_splitter_and_poisson_stay_monotone(int_data):
    X, _, _, counts, yr = int_data
    for seed in SEEDS:
        et = DecisionTreeRegressor(splitter="random", monotonic_cst=[1, 0, 0, 0, 0],
                                   random_state=seed).fit(X, yr)
        assert _is_monotone(et, X, 0, 1, False)
        pois = DecisionTreeRegressor(criterion="poisson", monotonic_cst=[0, -1, 0, 0, 0],
                                     max_depth=6, random_state=seed).fit(X, counts)
        assert _is_monotone(pois, X, 1, -1, False)


def test_monotonic_errors_like_sklearn(int_data):
    X, y, y2, _, yr = int_data
    cases = [
        (DecisionTreeClassifier(monotonic_cst=[1, 0, 0, 0, 0]), X, y2, "multiclass"),
        (DecisionTreeClassifier(monotonic_cst=[1, 0, 0, 0, 0]), X,
         np.column_stack([y, y]), "multiple outputs"),
        (DecisionTreeRegressor(monotonic_cst=[1, 0, 0, 0, 0]), X,
         np.column_stack([yr, yr]), "multiple outputs"),
        (DecisionTreeRegressor(monotonic_cst=[1, 0]), X, yr, "has shape 2"),
        (DecisionTreeRegressor(monotonic_cst=[2, 0, 0, 0, 0]), X, yr, "-1, 0 or 1"),
    ]
    for est, Xc, yc, msg in cases:
        with pytest.raises(ValueError, match=msg):
            est.fit(Xc, yc)
        sk = getattr(sktree, type(est).__name__)(monotonic_cst=est.monotonic_cst)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ValueError, match=msg):
                sk.fit(Xc, yc)


# -- absolute error -------------------------------------------------------------

@pytest.mark.parametrize("params", [{"max_depth": 4}, {"max_leaf_nodes": 12},
                                    {"max_depth": 4, "min_samples_leaf": 20}])
def test_absolute_error_identical_to_sklearn(int_data, params):
    X, _, _, counts, _ = int_data
    rng = np.random.RandomState(5)
    # integer targets tie between features (scikit-learn breaks those at random)
    y = counts + rng.randint(0, 3, size=counts.shape) + rng.uniform(0, 0.1, counts.shape)
    ours = DecisionTreeRegressor(criterion="absolute_error", **params).fit(X, y)
    theirs = sktree.DecisionTreeRegressor(criterion="absolute_error", random_state=0,
                                          **params).fit(X, y)
    assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X))


def test_absolute_error_weighted_multioutput_and_missing_like_sklearn(int_data):
    X, _, _, counts, _ = int_data
    X = X[:600].copy()
    y = counts[:600] + np.random.RandomState(1).uniform(0, 0.1, 600)
    Y = np.column_stack([y, (X[:, 2] // 7) + np.random.RandomState(4).uniform(0, 0.1, 600)])
    sw = np.random.RandomState(2).randint(1, 4, size=600).astype(float)
    for target, weight in ((y, sw), (Y, None)):
        ours = DecisionTreeRegressor(criterion="absolute_error", max_depth=3).fit(
            X, target, sample_weight=weight)
        theirs = sktree.DecisionTreeRegressor(criterion="absolute_error", max_depth=3,
                                              random_state=0).fit(
            X, target, sample_weight=weight)
        assert_same_tree(ours, theirs)
    X[np.random.RandomState(3).rand(*X.shape) < 0.1] = np.nan
    ours = DecisionTreeRegressor(criterion="absolute_error", max_depth=3).fit(X, y)
    theirs = sktree.DecisionTreeRegressor(criterion="absolute_error", max_depth=3,
                                          random_state=0).fit(X, y)
    assert_same_tree(ours, theirs)


def test_absolute_error_leaves_are_weighted_medians():
    # even counts: scikit-learn's midpoint of the two middle values
    X = np.r_[np.zeros(4), np.ones(3)][:, None]
    y = np.array([1.0, 2.0, 10.0, 11.0, 5.0, 6.0, 100.0])
    reg = DecisionTreeRegressor(criterion="absolute_error", max_depth=1).fit(X, y)
    assert reg.predict([[0.0], [1.0]]).tolist() == [6.0, 6.0]
    sk = sktree.DecisionTreeRegressor(criterion="absolute_error", max_depth=1).fit(X, y)
    np.testing.assert_array_equal(reg.tree_.value, sk.tree_.value)
    np.testing.assert_allclose(reg.tree_.impurity, sk.tree_.impurity)


def test_sklearn_edge_rules():
    # sparse y is a TypeError, as scikit-learn
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(TypeError):
        DecisionTreeClassifier().fit(X, __import__("scipy.sparse").sparse.csr_matrix(
            np.eye(10, 2, dtype=int)))
    # a feature spanning less than 1e-7 is constant (scikit-learn's FEATURE_THRESHOLD)
    rng = np.random.RandomState(0)
    Xc = rng.rand(10, 2)
    Xc[:, 0] *= 1e-7
    yc = rng.randint(0, 2, 10)
    for Est in (DecisionTreeClassifier, DecisionTreeRegressor):
        est = Est(random_state=0).fit(Xc, yc)
        assert est.feature_importances_[0] == 0 and est.feature_importances_[1] > 0
    # Poisson never predicts 0, also when a child's sum is a rounding residue
    from sklearn.datasets import make_regression

    for seed in SEEDS:
        Xp, yp = make_regression(1000, 10, effective_rank=6, tail_strength=0.6,
                                 n_informative=6, random_state=seed or 0)
        yp[(-1 < yp) & (yp < 0)] = 0
        yp = np.abs(yp)
        reg = DecisionTreeRegressor(criterion="poisson", random_state=seed).fit(Xp, yp)
        assert np.all(reg.predict(Xp) > 0)
    # the random splitter splits non-missing from missing when that is all there is
    Xm = np.array([[np.nan], [1.0], [np.nan]])
    for seed in SEEDS:
        et = DecisionTreeRegressor(splitter="random", max_depth=1,
                                   random_state=seed).fit(Xm, [0.0, 1.0, 0.0])
        assert et.tree_.children_left[0] != -1
