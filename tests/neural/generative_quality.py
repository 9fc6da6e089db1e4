"""How good generated digits are: sklml.metrics.SampleQuality on load_digits()/16, split as the
issue's table (1,257 training rows, 540 held out), baselines computed in the same run."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklml.metrics import SampleQuality

N_SAMPLES = 1000
# every digit between 4% and 18% of the samples (issue #20)
MIN_SHARE, MAX_SHARE = 0.04, 0.18


def digits_split():
    """(X_train, X_test, y_train, y_test) of load_digits()/16, 30% held out."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.3, random_state=0)


def fitted_quality(random_state=0):
    X_train, X_test, y_train, _ = digits_split()
    return SampleQuality(random_state=random_state).fit(X_train, y_train, X_test)
