"""scikit-learn's ``sklearn/ensemble/tests/test_weight_boosting.py`` run on sklml's
AdaBoost (see ``anchor_rewire``; deselections and expected failures in ``anchor_cases``)."""

from anchor_rewire import load_suite

load_suite("sklearn.ensemble.tests.test_weight_boosting", globals())
