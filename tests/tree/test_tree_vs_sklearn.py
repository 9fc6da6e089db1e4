"""sklml trees against scikit-learn's on data where the best split is unambiguous."""

import pickle

import numpy as np
import pytest
from sklearn import tree as sktree
from sklearn.datasets import load_iris, make_classification
from sklearn.model_selection import train_test_split

from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor

ARRAYS = ["children_left", "children_right", "feature", "n_node_samples"]
FLOATS = ["threshold", "impurity", "value", "weighted_n_node_samples"]


def assert_same_tree(ours, theirs, rtol=1e-7):
    a, b = ours.tree_, theirs.tree_
    assert a.node_count == b.node_count
    assert a.max_depth == b.max_depth
    assert a.n_leaves == b.n_leaves
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in FLOATS:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol,
                                   atol=1e-12, err_msg=name)
    inner = b.children_left != -1
    np.testing.assert_array_equal(a.missing_go_to_left[inner], b.missing_go_to_left[inner])


@pytest.fixture(scope="module")
def int_data():
    rng = np.random.RandomState(0)
    n = 3000
    X = rng.randint(0, 60, size=(n, 6)).astype(float)
    y = (X[:, 0] + 2 * X[:, 1] - X[:, 2] + rng.randn(n) * 20 > 50).astype(int)
    y += X[:, 3] > 40  # three classes
    yr = X[:, 0] * 0.3 + np.sin(X[:, 1]) + rng.randn(n)
    return X, y, yr


@pytest.mark.parametrize("criterion", ["gini", "entropy", "log_loss"])
@pytest.mark.parametrize("params", [
    {"max_depth": 4},
    {"max_depth": 5, "min_samples_leaf": 7, "min_samples_split": 30},
    {"max_leaf_nodes": 12},
    {"max_depth": 5, "min_impurity_decrease": 0.002},
    {"max_depth": 4, "min_weight_fraction_leaf": 0.02},
])
def test_classifier_identical_to_sklearn(int_data, criterion, params):
    X, y, _ = int_data
    ours = DecisionTreeClassifier(criterion=criterion, **params).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(criterion=criterion, random_state=0,
                                           **params).fit(X, y)
    assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    np.testing.assert_array_equal(ours.apply(X), theirs.apply(X))
    np.testing.assert_array_equal(ours.decision_path(X).toarray(),
                                  theirs.decision_path(X).toarray())
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_)


@pytest.mark.parametrize("params", [
    {"max_depth": 6}, {"max_leaf_nodes": 20}, {"max_depth": 6, "min_samples_leaf": 5},
])
def test_regressor_identical_to_sklearn(int_data, params):
    X, _, yr = int_data
    ours = DecisionTreeRegressor(**params).fit(X, yr)
    theirs = sktree.DecisionTreeRegressor(random_state=0, **params).fit(X, yr)
    assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_)


def test_multioutput_regressor_identical_to_sklearn(int_data):
    X, y, yr = int_data
    Y = np.c_[yr, y * 0.5]
    ours = DecisionTreeRegressor(max_depth=5).fit(X, Y)
    theirs = sktree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, Y)
    assert_same_tree(ours, theirs)
    assert ours.predict(X).shape == (X.shape[0], 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_depth_generalises_like_sklearn(int_data, seed, record_property):
    # deep nodes hold a few samples and ties between features are broken differently, so
    # the full trees differ in a few leaves: compare held-out accuracy, not the trees
    X, y, _ = int_data
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=y)
    ours = DecisionTreeClassifier(random_state=seed).fit(X_train, y_train)
    theirs = sktree.DecisionTreeClassifier(random_state=seed).fit(X_train, y_train)
    accuracy, anchor = ours.score(X_test, y_test), theirs.score(X_test, y_test)
    majority = np.mean(y_test == np.bincount(y_train).argmax())
    record_property("figures", dict(accuracy=accuracy, sklearn=anchor, majority=majority))
    # 0.02: about 1.5 standard errors of an accuracy on 900 held-out rows
    assert abs(accuracy - anchor) <= 0.02
    assert accuracy >= majority + 0.2
    assert abs(ours.tree_.node_count - theirs.tree_.node_count) < 0.05 * theirs.tree_.node_count


def test_missing_values_identical_to_sklearn(int_data):
    X, y, yr = int_data
    rng = np.random.RandomState(1)
    X = X.copy()
    X[rng.rand(*X.shape) < 0.1] = np.nan
    X[:, 5] = np.where(rng.rand(X.shape[0]) < 0.5, np.nan, 1.0)  # missing vs not
    for d in (2, 4):
        ours = DecisionTreeClassifier(max_depth=d).fit(X, y)
        theirs = sktree.DecisionTreeClassifier(max_depth=d, random_state=0).fit(X, y)
        assert_same_tree(ours, theirs)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    ours = DecisionTreeRegressor(max_depth=5).fit(X, yr)
    theirs = sktree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, yr)
    assert_same_tree(ours, theirs)
    # NaN at predict time where training saw none goes to the larger child
    Xc = np.nan_to_num(X, nan=0.0)
    ours = DecisionTreeRegressor(max_depth=3).fit(Xc, yr)
    theirs = sktree.DecisionTreeRegressor(max_depth=3, random_state=0).fit(Xc, yr)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X))


def test_nan_only_split_uses_infinite_threshold():
    X = np.array([[1.0], [2.0], [np.nan], [np.nan]])
    y = np.array([0, 0, 1, 1])
    clf = DecisionTreeClassifier().fit(X, y)
    assert clf.tree_.threshold[0] == np.inf
    assert clf.predict([[np.nan], [5.0]]).tolist() == [1, 0]


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 0.5}])
def test_class_weight_identical_to_sklearn(int_data, class_weight):
    X, y, _ = int_data
    ours = DecisionTreeClassifier(max_depth=4, class_weight=class_weight).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(max_depth=4, class_weight=class_weight,
                                           random_state=0).fit(X, y)
    assert_same_tree(ours, theirs)


def test_integer_sample_weight_equals_repeated_rows(int_data):
    X, y, yr = int_data
    rng = np.random.RandomState(3)
    sw = rng.randint(0, 4, size=X.shape[0])  # zeros remove rows
    Xr, yrr, ycr = np.repeat(X, sw, axis=0), np.repeat(yr, sw), np.repeat(y, sw)
    for cls, target, target_r in ((DecisionTreeClassifier, y, ycr),
                                  (DecisionTreeRegressor, yr, yrr)):
        a = cls(max_depth=6).fit(X, target, sample_weight=sw)
        b = cls(max_depth=6).fit(Xr, target_r)
        for name in ["children_left", "feature", "threshold", "value"]:
            np.testing.assert_allclose(getattr(a.tree_, name), getattr(b.tree_, name))
        np.testing.assert_allclose(a.tree_.weighted_n_node_samples,
                                   b.tree_.n_node_samples)
        np.testing.assert_allclose(a.predict(X), b.predict(X))


def test_zero_weight_equals_removed_rows_with_fractional_weights(int_data):
    X, y, _ = int_data
    rng = np.random.RandomState(4)
    sw = rng.uniform(0.5, 2.0, size=X.shape[0])
    sw[::3] = 0.0
    keep = sw > 0
    a = DecisionTreeClassifier(max_depth=5).fit(X, y, sample_weight=sw)
    b = DecisionTreeClassifier(max_depth=5).fit(X[keep], y[keep], sample_weight=sw[keep])
    c = sktree.DecisionTreeClassifier(max_depth=5, random_state=0).fit(
        X, y, sample_weight=sw)
    assert_same_tree(a, b)
    assert_same_tree(a, c)


def test_ccp_alpha_pruning_matches_sklearn(int_data):
    X, y, yr = int_data
    Xs, ys, yrs = X[:600], y[:600], yr[:600]
    ours = DecisionTreeClassifier(max_depth=8, random_state=0)
    theirs = sktree.DecisionTreeClassifier(max_depth=8, random_state=0)
    p_ours = ours.cost_complexity_pruning_path(Xs, ys)
    p_theirs = theirs.cost_complexity_pruning_path(Xs, ys)
    np.testing.assert_allclose(p_ours.ccp_alphas, p_theirs.ccp_alphas, atol=1e-12)
    np.testing.assert_allclose(p_ours.impurities, p_theirs.impurities, atol=1e-12)
    alphas = p_theirs.ccp_alphas
    for alpha in (alphas[len(alphas) // 2], alphas[-3], (alphas[-4] + alphas[-3]) / 2):
        a = DecisionTreeClassifier(max_depth=8, ccp_alpha=alpha).fit(Xs, ys)
        b = sktree.DecisionTreeClassifier(max_depth=8, ccp_alpha=alpha,
                                          random_state=0).fit(Xs, ys)
        assert_same_tree(a, b)
    a = DecisionTreeRegressor(max_depth=6, ccp_alpha=0.01).fit(Xs, yrs)
    b = sktree.DecisionTreeRegressor(max_depth=6, ccp_alpha=0.01, random_state=0).fit(
        Xs, yrs)
    assert_same_tree(a, b)
    assert a.get_n_leaves() < DecisionTreeRegressor(max_depth=6).fit(Xs, yrs).get_n_leaves()


def test_max_leaf_nodes_best_first_with_pruning(int_data):
    X, _, yr = int_data
    a = DecisionTreeRegressor(max_leaf_nodes=30, ccp_alpha=0.002).fit(X, yr)
    b = sktree.DecisionTreeRegressor(max_leaf_nodes=30, ccp_alpha=0.002,
                                     random_state=0).fit(X, yr)
    assert_same_tree(a, b)


def test_iris_depth2_tree_of_the_lectures():
    iris = load_iris()
    X = iris.data[:, 2:]  # petal length and width
    clf = DecisionTreeClassifier(max_depth=2, random_state=42).fit(X, iris.target)
    t = clf.tree_
    assert t.node_count == 5 and t.max_depth == 2 and t.n_leaves == 3
    assert t.feature[0] == 0 and t.feature[2] == 1
    np.testing.assert_allclose(t.threshold[[0, 2]], [2.45, 1.75], atol=1e-6)
    np.testing.assert_allclose(t.impurity[[0, 1, 2]], [2 / 3, 0.0, 0.5])
    np.testing.assert_allclose(t.value[1, 0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(t.n_node_samples, [150, 50, 100, 54, 46])
    assert clf.score(X, iris.target) == pytest.approx(0.96)
    np.testing.assert_allclose(clf.predict_proba([[5.0, 1.5]]), [[0.0, 49 / 54, 5 / 54]])
    sk = sktree.DecisionTreeClassifier(max_depth=2, random_state=42).fit(X, iris.target)
    assert_same_tree(clf, sk)


def test_sklearn_export_tools_read_our_trees(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    iris = load_iris()
    X, y = iris.data[:, 2:], iris.target
    names = ["petal length (cm)", "petal width (cm)"]
    ours = DecisionTreeClassifier(max_depth=2, random_state=42).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(max_depth=2, random_state=42).fit(X, y)

    text = sktree.export_text(ours, feature_names=names)
    assert text == sktree.export_text(theirs, feature_names=names)
    assert "petal length (cm) <= 2.45" in text and "class: 0" in text
    assert sktree.export_text(ours, show_weights=True) == sktree.export_text(
        theirs, show_weights=True)

    dot = sktree.export_graphviz(ours, feature_names=names,
                                 class_names=iris.target_names, filled=True)
    assert dot == sktree.export_graphviz(theirs, feature_names=names,
                                         class_names=iris.target_names, filled=True)
    assert "gini = 0.667" in dot

    fig, ax = plt.subplots()
    anns = sktree.plot_tree(ours, feature_names=names, class_names=iris.target_names,
                            filled=True, ax=ax)
    ref = sktree.plot_tree(theirs, feature_names=names,
                           class_names=iris.target_names, filled=True, ax=ax)
    assert [a.get_text() for a in anns] == [a.get_text() for a in ref]
    fig.savefig(tmp_path / "iris_tree.png")
    plt.close(fig)

    rng = np.random.RandomState(0)
    Xr = rng.randint(0, 9, size=(200, 3)).astype(float)
    yr = Xr[:, 0] * 2.0 + rng.randn(200)
    reg = DecisionTreeRegressor(max_depth=2).fit(Xr, yr)
    sreg = sktree.DecisionTreeRegressor(max_depth=2, random_state=0).fit(Xr, yr)
    assert sktree.export_text(reg) == sktree.export_text(sreg)
    assert sktree.export_graphviz(reg) == sktree.export_graphviz(sreg)
    fig, ax = plt.subplots()
    texts = [a.get_text() for a in sktree.plot_tree(reg, ax=ax)]
    assert texts == [a.get_text() for a in sktree.plot_tree(sreg, ax=ax)]
    plt.close(fig)


def test_misclassification_criterion():
    X, y = load_iris(return_X_y=True)
    clf = DecisionTreeClassifier(criterion="misclassification", max_depth=3).fit(X, y)
    t = clf.tree_
    frac = t.value[:, 0, :]
    np.testing.assert_allclose(t.impurity, 1.0 - frac.max(axis=1))
    assert t.impurity[0] == pytest.approx(2 / 3)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_continuous_data_accuracy_close_to_sklearn(seed, record_property):
    X, y = make_classification(n_samples=6000, n_features=12, n_informative=8,
                               random_state=0)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=seed)
    majority = np.mean(yte == np.bincount(ytr).argmax())
    figures = {}
    for depth in (6, None):
        ours = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(Xtr, ytr)
        theirs = sktree.DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(
            Xtr, ytr)
        figures[depth] = (ours.score(Xte, yte), theirs.score(Xte, yte))
        assert abs(figures[depth][0] - figures[depth][1]) < 0.02, figures
    # 16 bins per feature instead of 255 on continuous data: still scikit-learn's accuracy
    coarse = DecisionTreeClassifier(max_depth=6, max_bins=16, random_state=seed).fit(Xtr, ytr)
    figures["16 bins"] = coarse.score(Xte, yte)
    record_property("figures", dict(figures, majority=majority))
    assert abs(figures["16 bins"] - figures[6][1]) < 0.02, figures
    assert figures["16 bins"] >= majority + 0.3, figures


def test_max_features_and_random_state():
    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    a = DecisionTreeClassifier(max_features="sqrt", random_state=1).fit(X, y)
    b = DecisionTreeClassifier(max_features="sqrt", random_state=1).fit(X, y)
    c = DecisionTreeClassifier(max_features="sqrt", random_state=2).fit(X, y)
    np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
    assert a.tree_.node_count != c.tree_.node_count or not np.array_equal(
        a.tree_.feature, c.tree_.feature)
    assert a.max_features_ == 4
    assert DecisionTreeClassifier(max_features=0.5).fit(X, y).max_features_ == 10
    assert DecisionTreeClassifier(max_features="log2").fit(X, y).max_features_ == 4
    # a tree that sees one feature per split still fits the training data
    assert DecisionTreeClassifier(max_features=1, random_state=0).fit(X, y).score(X, y) == 1.0


def test_pickle_roundtrip_and_api(int_data):
    X, y, _ = int_data
    clf = DecisionTreeClassifier(max_depth=5).fit(X, y)
    clf2 = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict_proba(X), clf2.predict_proba(X))
    assert clf.get_depth() == 5
    assert clf.get_n_leaves() == clf.tree_.n_leaves
    lp = clf.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(lp), clf.predict_proba(X))
    assert clf.feature_importances_.sum() == pytest.approx(1.0)
    assert clf.decision_path(X[:3]).shape == (3, clf.tree_.node_count)


def test_partial_dependence_recursion_matches_sklearn(int_data):
    from sklearn.inspection import partial_dependence

    X, _, yr = int_data
    ours = DecisionTreeRegressor(max_depth=5).fit(X, yr)
    theirs = sktree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, yr)
    for features in ([0], [0, 1]):
        a = partial_dependence(ours, X, features, method="recursion")
        b = partial_dependence(theirs, X, features, method="recursion")
        np.testing.assert_allclose(a["average"], b["average"])
    brute = partial_dependence(ours, X, [1], method="brute")
    rec = partial_dependence(ours, X, [1], method="auto")
    np.testing.assert_allclose(brute["average"], rec["average"])


@pytest.mark.parametrize("params", [{"max_depth": 6}, {"max_leaf_nodes": 60}])
def test_large_nodes_identical_to_sklearn(params):
    # enough rows that many nodes are large: the builder's two pooled
    # histograms are taken from open nodes, whose children are then both
    # histogrammed directly instead of by subtraction
    rng = np.random.RandomState(1)
    n = 30_000
    X = np.column_stack([rng.randint(0, k, size=n) for k in (50, 70, 90, 110, 130, 150)])
    X = X.astype(float)
    y = (X[:, 0] / 50 + X[:, 1] / 70 - X[:, 2] / 90 + rng.randn(n) * 0.4 > 0.5).astype(int)
    y += X[:, 3] / 110 + X[:, 4] / 130 > 1.2
    ours = DecisionTreeClassifier(**params).fit(X, y)
    theirs = sktree.DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_predict_exact_at_thresholds_between_adjacent_float32():
    # the threshold is the float64 midpoint of two adjacent float32 values; the
    # walk compares float32 thresholds rounded down, which must give the same side
    rng = np.random.RandomState(0)
    base = rng.uniform(-1e3, 1e3, size=100).astype(np.float32)  # 200 values: exact bins
    X = np.concatenate([base, np.nextafter(base, np.float32(np.inf))])[:, None]
    y = np.r_[np.zeros(100, int), np.ones(100, int)]
    order = np.argsort(X[:, 0], kind="stable")
    y = y[order].cumsum() % 2  # alternating labels along the sorted values
    X = X[order]
    ours = DecisionTreeClassifier().fit(X, y)
    theirs = sktree.DecisionTreeClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(ours.tree_.threshold, theirs.tree_.threshold)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_array_equal(ours.apply(X), theirs.apply(X))
    assert ours.score(X, y) == 1.0


def test_tree_apply_wants_float32_like_sklearn():
    X, y, _ = np.ones((4, 2)), np.array([0, 1, 0, 1]), None
    t = DecisionTreeClassifier().fit(X, y).tree_
    with pytest.raises(ValueError, match="float32"):
        t.apply(X)
    assert t.apply(X.astype(np.float32)).shape == (4,)
