"""scikit-learn's ``sklearn/ensemble/tests/test_forest.py`` run on sklml's forests
(see ``anchor_rewire``; deselections and expected failures in ``anchor_cases``)."""

from anchor_rewire import load_suite

load_suite("sklearn.ensemble.tests.test_forest", globals())
