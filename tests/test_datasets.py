import numpy as np
import pandas as pd
import pytest

from sklml.datasets import (
    SIGNAL_BACKGROUND_FEATURES,
    DatasetError,
    load_dataset,
    make_signal_background,
)

FEATURES = list(SIGNAL_BACKGROUND_FEATURES)


def col(X, name):
    return X[:, FEATURES.index(name)]


def test_shape_balance_and_reproducibility():
    X, y = make_signal_background(2000, signal_fraction=0.3, random_state=1)
    assert X.shape == (2000, 10) and X.dtype == np.float64
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert y.sum() == 600
    X2, y2 = make_signal_background(2000, signal_fraction=0.3, random_state=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_signal_background(2000, signal_fraction=0.3, random_state=2)
    assert not np.allclose(X, X3)
    assert np.isfinite(X).all()


def test_as_frame():
    df, y = make_signal_background(300, random_state=0, as_frame=True)
    assert list(df.columns) == FEATURES
    assert y.name == "signal" and len(y) == 300
    assert df["n_jets"].dtype == np.int64


def test_acceptance_and_kinematics_are_consistent():
    X, y = make_signal_background(5000, random_state=0)
    pt1, pt2 = col(X, "lep1_pt"), col(X, "lep2_pt")
    eta1, eta2 = col(X, "lep1_eta"), col(X, "lep2_eta")
    dphi = col(X, "delta_phi_ll")
    assert (pt1 >= pt2).all() and (pt1 > 25).all() and (pt2 > 15).all()
    assert (np.abs(eta1) < 2.5).all() and (np.abs(eta2) < 2.5).all()
    assert (dphi >= 0).all() and (dphi <= np.pi).all()
    # invariant mass of two massless leptons from their pT, eta and phi
    m_ll = np.sqrt(2 * pt1 * pt2 * (np.cosh(eta1 - eta2) - np.cos(dphi)))
    np.testing.assert_allclose(col(X, "m_ll"), m_ll, rtol=1e-9)
    # the pair's pT cannot exceed the sum of the leptons' pT
    assert (col(X, "pt_ll") <= pt1 + pt2 + 1e-9).all()
    n_jets = col(X, "n_jets")
    assert np.array_equal(n_jets, np.round(n_jets)) and (n_jets >= 0).all()
    assert (col(X, "ht")[n_jets == 0] == 0).all()
    assert (col(X, "ht")[n_jets > 0] >= 30 * n_jets[n_jets > 0]).all()
    assert (col(X, "met") >= 0).all()


@pytest.mark.parametrize("mass", [125.0, 300.0])
def test_signal_peaks_at_the_resonance_mass_background_falls(mass):
    X, y = make_signal_background(4000, mass=mass, random_state=0)
    m_sig = col(X, "m_ll")[y == 1]
    assert abs(np.median(m_sig) - mass) < 0.02 * mass
    assert np.mean(np.abs(m_sig - mass) < 0.05 * mass) > 0.6
    m_bkg = col(X, "m_ll")[y == 0]
    counts, _ = np.histogram(m_bkg, bins=[90, 130, 170, 210, 250])
    assert (np.diff(counts) < 0).all(), counts


def test_top_pairs_have_jets_and_missing_energy():
    X, y = make_signal_background(3000, ttbar_fraction=1.0, random_state=0)
    bkg, sig = X[y == 0], X[y == 1]
    assert (col(bkg, "n_jets") >= 2).all()
    assert np.mean(col(bkg, "met")) > 2 * np.mean(col(sig, "met"))


def test_separable_but_not_trivially():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_signal_background(3000, random_state=0)
    forest = RandomForestClassifier(n_estimators=40, min_samples_leaf=5, random_state=0)
    full = cross_val_score(forest, X, y, cv=3).mean()
    mass_only = cross_val_score(forest, X[:, [FEATURES.index("m_ll")]], y, cv=3).mean()
    linear = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=3).mean()
    assert 0.85 < full < 0.97
    assert 0.8 < mass_only < full
    assert linear < full - 0.05  # the mass window is not linear in the features


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"signal_fraction": 1.0}, "signal_fraction"),
        ({"ttbar_fraction": -0.1}, "ttbar_fraction"),
        ({"mass": 10.0}, "mass"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_signal_background(**{"n_samples": 100, **kwargs})


@pytest.mark.parametrize(
    "name, shape, task, n_classes",
    [
        ("signal_background", (5000, 10), "classification", 2),
        ("iris", (150, 4), "classification", 3),
        ("digits", (1797, 64), "classification", 10),
        ("breast_cancer", (569, 30), "classification", 2),
        ("wine", (178, 13), "classification", 3),
        ("diabetes", (442, 10), "regression", 0),
    ],
)
def test_builtin_datasets(name, shape, task, n_classes):
    data = load_dataset(name)
    assert data.X.shape == shape and data.task == task
    assert len(data.feature_names) == shape[1]
    assert len(data.target_names) == n_classes
    if n_classes:
        assert len(np.unique(data.y)) == n_classes
    assert data.description


def test_csv_classification_and_regression(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.integers(0, 5, 60),
                          "kind": rng.choice(["muon", "electron"], 60),
                          "energy": rng.normal(100, 10, 60)})
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    data = load_dataset(path, target="kind")
    assert data.task == "classification"
    assert data.target_names == ["electron", "muon"]
    assert data.feature_names == ["a", "b", "energy"]
    np.testing.assert_array_equal(np.array(data.target_names)[data.y], frame["kind"])
    frame.drop(columns="kind").to_csv(path, index=False)
    data = load_dataset(str(path), target="energy")
    assert data.task == "regression" and data.X.shape == (60, 2)
    np.testing.assert_allclose(data.y, frame["energy"])
    assert load_dataset(path, target="b").task == "classification"
    assert load_dataset(path, target="b", task="regression").task == "regression"


def _csv(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "frame, target, match",
    [
        (pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]}), None, "--target"),
        (pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]}), "z", "no column 'z'"),
        (pd.DataFrame({"x": ["a", "b"], "y": [0, 1]}), "y", "non-numeric feature"),
        (pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1, 1, 1]}), "y", "only one class"),
        (pd.DataFrame({"x": [1.0, None], "y": [0, 1]}), "y", "missing feature values"),
        (pd.DataFrame({"x": [1.0, 2.0], "y": [0, None]}), "y", "missing value"),
        (pd.DataFrame({"y": [0, 1]}), "y", "no feature column"),
    ],
)
def test_file_errors(tmp_path, frame, target, match):
    with pytest.raises(DatasetError, match=match):
        load_dataset(_csv(tmp_path, frame), target=target)


def test_path_errors(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "missing.csv", target="y")
    with pytest.raises(DatasetError, match="unknown dataset"):
        load_dataset("mnist")
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError):
        load_dataset(tmp_path / "bad.csv", target="y")
    with pytest.raises(DatasetError, match="regression dataset"):
        load_dataset("diabetes", task="classification")


def test_parquet(tmp_path):
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]})
    path = tmp_path / "data.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1")
        with pytest.raises(DatasetError, match="pyarrow"):
            load_dataset(path, target="y")
        return
    frame.to_parquet(path)
    data = load_dataset(path, target="y")
    assert data.X.shape == (4, 1) and data.task == "classification"
