"""Every tree, forest and AdaBoost class cross-validates behind a one-hot
``ColumnTransformer`` whose output is a sparse matrix (issue #14)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklml.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklml.tree import DecisionTreeClassifier, DecisionTreeRegressor

CATS = ["detector", "trigger"]


def _engine_takes_sparse():
    X = sp.csr_matrix(np.eye(4, dtype=np.float32))
    try:
        DecisionTreeRegressor().fit(X, np.arange(4.0))
    except TypeError:
        return False
    return True


def _engine_has_random_splitter():
    return "splitter" in DecisionTreeClassifier().get_params()


SPARSE = _engine_takes_sparse()
RANDOM = _engine_has_random_splitter()
CLASSIFIERS = [DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier,
               AdaBoostClassifier]
REGRESSORS = [DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor,
              AdaBoostRegressor]


def _events(seed, n=400):
    """Two categorical columns that carry the signal, two numeric ones."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "detector": rng.choice(["barrel", "endcap", "forward"], n),
        "trigger": rng.choice(["mu", "e", "jet", "met"], n),
        "pt": rng.exponential(30.0, n),
        "eta": rng.uniform(-2.5, 2.5, n),
    })
    score = ((frame["detector"] == "barrel") * 1.5 + (frame["trigger"] == "mu") * 1.0
             + 0.02 * frame["pt"] + 0.3 * rng.randn(n))
    return frame, score.to_numpy()


def _xfail_reason(est_class):
    missing = []
    if not SPARSE:
        missing.append("sparse X (tree engine)")
    if est_class in (ExtraTreesClassifier, ExtraTreesRegressor) and not RANDOM:
        missing.append("splitter='random' (tree engine)")
    return ", ".join(missing)


def _case(est_class):
    reason = _xfail_reason(est_class)
    marks = [pytest.mark.xfail(reason=f"not yet: {reason}", strict=True)] if reason else []
    return pytest.param(est_class, marks=marks, id=est_class.__name__)


def _model_seed(seed):
    """Data seed 0 runs the estimator's default random_state (None); 1 and 2 are fixed."""
    return None if seed == 0 else seed


def _pipeline(est):
    encode = make_column_transformer((OneHotEncoder(), CATS), remainder="passthrough",
                                     sparse_threshold=1.0)
    return make_pipeline(encode, est)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("est_class", [_case(c) for c in CLASSIFIERS])
def test_classifier_cross_validates_on_one_hot_sparse(est_class, seed):
    X, score = _events(seed)
    y = (score > np.median(score)).astype(int)
    assert sp.issparse(_pipeline(DummyClassifier()).fit(X, y)[0].transform(X))
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    ours = cross_val_score(_pipeline(est_class(random_state=_model_seed(seed))), X, y, cv=cv,
                           error_score="raise")
    baseline = cross_val_score(_pipeline(DummyClassifier()), X, y, cv=cv)
    assert ours.mean() > baseline.mean() + 0.15


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("est_class", [_case(c) for c in REGRESSORS])
def test_regressor_cross_validates_on_one_hot_sparse(est_class, seed):
    X, y = _events(seed)
    cv = KFold(3, shuffle=True, random_state=seed)
    ours = cross_val_score(_pipeline(est_class(random_state=_model_seed(seed))), X, y, cv=cv,
                           error_score="raise")
    baseline = cross_val_score(_pipeline(DummyRegressor()), X, y, cv=cv)
    assert ours.mean() > baseline.mean() + 0.3
