"""scikit-learn's ``sklearn/tree/tests/test_tree.py`` run on sklml's trees
(see ``anchor_rewire``; deselections and expected failures in ``anchor_cases``)."""

from anchor_rewire import load_suite

load_suite("sklearn.tree.tests.test_tree", globals())
