"""Sample quality of generative models: a feature-space Fréchet distance (an FID for
small tabular or image data), class coverage, a memorisation check and the baselines a
model must beat, all computed on arrays.

The Fréchet distance compares two feature distributions by their means and
covariances. The features come from a classifier of the real data (by default an
MLP trained on it: its last hidden layer), so they respond to what tells the
classes apart, not to pixel noise. A score means little alone; it is reported beside
three references computed the same way: real held-out rows (the floor), a Gaussian in
the first principal components (a linear generative model a non-linear one must beat)
and per-pixel noise (each feature drawn independently from its marginal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = [
    "SampleQuality",
    "SampleScores",
    "class_coverage",
    "frechet_distance",
    "memorisation_ratio",
    "mlp_hidden_features",
    "pca_gaussian_samples",
    "pixel_noise_samples",
]

_ACTIVATIONS = {
    "relu": lambda a: np.maximum(a, 0.0),
    "tanh": np.tanh,
    "logistic": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "identity": lambda a: a,
}


def frechet_distance(A, B):
    """Fréchet distance between Gaussians fitted to two sets of feature rows.

    ``|mean_A - mean_B|^2 + Tr(C_A + C_B - 2 (C_A C_B)^(1/2))``: the FID when
    the rows are a network's features. Zero for identical means and covariances.

    Parameters
    ----------
    A : array-like of shape (n_a, n_features)
    B : array-like of shape (n_b, n_features)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.metrics import frechet_distance
    >>> rng = np.random.RandomState(0)
    >>> A, B = rng.normal(size=(2000, 3)), rng.normal(size=(2000, 3))
    >>> frechet_distance(A, B) < 0.02
    True
    >>> round(frechet_distance(A, B + 1.0), 1)  # a shift of 1 in 3 features
    3.0
    """
    A = check_array(A, ensure_min_samples=2)
    B = check_array(B, ensure_min_samples=2)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A has {A.shape[1]} features and B has {B.shape[1]}; they must match")
    mu_a, mu_b = A.mean(0), B.mean(0)
    cov_a = np.atleast_2d(np.cov(A, rowvar=False))
    cov_b = np.atleast_2d(np.cov(B, rowvar=False))
    # Tr (C_A C_B)^(1/2) = Tr (S C_B S)^(1/2) with S = C_A^(1/2): symmetric matrices only,
    # so eigh is exact where sqrtm warns on the singular covariances of dead ReLU units
    w, V = linalg.eigh(cov_a)
    S = (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T
    trace_covmean = np.sqrt(np.clip(linalg.eigvalsh(S @ cov_b @ S), 0.0, None)).sum()
    diff = mu_a - mu_b
    return float(max(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_covmean,
                     0.0))


def mlp_hidden_features(classifier, X):
    """The last hidden layer of a fitted multi-layer perceptron, for the rows of ``X``.

    Parameters
    ----------
    classifier : fitted MLPClassifier
        scikit-learn's or sklml's (anything with ``coefs_``, ``intercepts_``
        and an ``activation`` name among relu, tanh, logistic, identity).
    X : array-like of shape (n_samples, n_features_in_)

    Returns
    -------
    ndarray of shape (n_samples, n_hidden)

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklml.metrics import mlp_hidden_features
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier((32,), max_iter=50, random_state=0).fit(X / 16, y)  # doctest: +SKIP
    >>> mlp_hidden_features(clf, X[:5] / 16).shape  # doctest: +SKIP
    (5, 32)
    """
    check_is_fitted(classifier, "coefs_")
    if classifier.activation not in _ACTIVATIONS:
        raise ValueError(
            f"activation={classifier.activation!r} is not one of {sorted(_ACTIVATIONS)}"
        )
    if len(classifier.coefs_) < 2:
        raise ValueError("the classifier has no hidden layer to take features from")
    act = _ACTIVATIONS[classifier.activation]
    h = check_array(X, dtype=np.float64)
    for W, b in zip(classifier.coefs_[:-1], classifier.intercepts_[:-1]):
        h = act(h @ W + b)
    return h


def class_coverage(samples, classifier):
    """Share of the samples a classifier puts in each class.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_features)
    classifier : fitted classifier with ``classes_`` and ``predict``

    Returns
    -------
    ndarray of shape (n_classes,)
        Shares in the order of ``classifier.classes_``; they sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklml.metrics import class_coverage
    >>> clf = KNeighborsClassifier(1).fit([[0.0], [1.0]], [0, 1])
    >>> class_coverage(np.array([[0.1], [0.2], [0.9], [0.0]]), clf)
    array([0.75, 0.25])
    """
    predicted = classifier.predict(samples)
    return np.mean(predicted[:, None] == np.asarray(classifier.classes_)[None, :], axis=0)


def memorisation_ratio(samples, X_train, X_test):
    """Median distance of generated rows to the training set, over that of test rows.

    A model that copies its training rows puts its samples closer to them than
    fresh real rows are: a ratio below 1 flags memorisation, a copy gives 0.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_features)
    X_train : array-like of shape (n_train, n_features)
        The rows the model was trained on.
    X_test : array-like of shape (n_test, n_features)
        Real rows the model never saw.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.metrics import memorisation_ratio
    >>> rng = np.random.RandomState(0)
    >>> X_train, X_test = rng.normal(size=(500, 4)), rng.normal(size=(200, 4))
    >>> memorisation_ratio(X_train[:100] + 1e-3, X_train, X_test) < 0.01
    True
    """
    nn = NearestNeighbors(n_neighbors=1).fit(check_array(X_train))
    generated = nn.kneighbors(check_array(samples))[0][:, 0]
    test = nn.kneighbors(check_array(X_test))[0][:, 0]
    return float(np.median(generated) / np.median(test))


def pca_gaussian_samples(X, n_samples, n_components=20, random_state=None):
    """Draws of a linear generative model: a Gaussian in the first principal components.

    Scores are drawn with the variance of each component, mapped back to the
    feature space and clipped to each feature's range in ``X``.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)
    n_samples : int
    n_components : int, default=20
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklml.metrics import pca_gaussian_samples
    >>> X = load_digits().data / 16
    >>> pca_gaussian_samples(X, 3, random_state=0).shape
    (3, 64)
    """
    X = check_array(X)
    rng = check_random_state(random_state)
    pca = PCA(min(n_components, *X.shape), random_state=0).fit(X)
    scores = rng.standard_normal((n_samples, pca.n_components_)) * np.sqrt(pca.explained_variance_)
    return np.clip(pca.inverse_transform(scores), X.min(0), X.max(0))


def pixel_noise_samples(X, n_samples, random_state=None):
    """Rows whose features are drawn independently from their marginals in ``X``.

    Every pixel has its real distribution, but the pixels of a row are unrelated:
    noise with the right per-pixel statistics, the baseline a measure must reject.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)
    n_samples : int
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.metrics import pixel_noise_samples
    >>> X = np.array([[0.0, 1.0], [0.0, 3.0]])
    >>> pixel_noise_samples(X, 2, random_state=0)[:, 0]
    array([0., 0.])
    """
    X = check_array(X)
    rng = check_random_state(random_state)
    rows = rng.randint(X.shape[0], size=(n_samples, X.shape[1]))
    return X[rows, np.arange(X.shape[1])]


@dataclass(frozen=True)
class SampleScores:
    """Scores of one set of samples (see :class:`SampleQuality`).

    Attributes
    ----------
    fid : float
        Feature-space Fréchet distance to the held-out real rows (lower is better).
    class_shares : ndarray of shape (n_classes,)
        Share of the samples the classifier puts in each class.
    memorisation_ratio : float
        Median sample-to-training-row distance over the test rows' one
        (below 1: closer to the training rows than fresh data is).
    """

    fid: float
    class_shares: np.ndarray
    memorisation_ratio: float

    @property
    def smallest_class_share(self):
        """Share of the least generated class."""
        return float(self.class_shares.min())

    @property
    def largest_class_share(self):
        """Share of the most generated class."""
        return float(self.class_shares.max())


class SampleQuality(BaseEstimator):
    """Judge generated rows against real ones, beside the baselines a model must beat.

    ``fit`` takes the training rows (with their labels) and held-out real rows;
    ``score`` gives a :class:`SampleScores` for any set of samples, and
    ``baselines`` the same scores for real training rows, a PCA-Gaussian and
    per-pixel noise, so that a model's figure is read against them.

    Parameters
    ----------
    classifier : fitted MLPClassifier or None, default=None
        Its last hidden layer gives the features, its predictions the class
        shares. None: an ``MLPClassifier((64,))`` is trained on the training rows.
    n_components : int, default=20
        Principal components of the PCA-Gaussian baseline.
    random_state : int, RandomState instance or None, default=0
        Seeds the default classifier.

    Attributes
    ----------
    classifier_ : MLPClassifier
    X_train_, X_test_ : ndarray
        The real rows.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklml.metrics import SampleQuality
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, _ = train_test_split(X / 16, y, test_size=0.3,
    ...                                                random_state=0)
    >>> quality = SampleQuality().fit(X_train, y_train, X_test)  # doctest: +SKIP
    >>> base = quality.baselines(1000, random_state=0)  # doctest: +SKIP
    >>> base["real"].fid < base["pca_gaussian"].fid < base["pixel_noise"].fid  # doctest: +SKIP
    True
    """

    def __init__(self, classifier=None, *, n_components=20, random_state=0):
        self.classifier = classifier
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X_train, y_train, X_test):
        """Store the real rows and the features of the held-out ones.

        Parameters
        ----------
        X_train : array-like of shape (n_train, n_features)
            The rows the generative model was trained on.
        y_train : array-like of shape (n_train,) or None
            Their classes; needed only when ``classifier`` is None.
        X_test : array-like of shape (n_test, n_features)
            Real rows the model never saw: the reference of the distance.

        Returns
        -------
        self
        """
        self.X_train_ = check_array(X_train, dtype=np.float64)
        self.X_test_ = check_array(X_test, dtype=np.float64)
        if self.classifier is None:
            if y_train is None:
                raise ValueError("y_train is needed to train the default classifier")
            self.classifier_ = MLPClassifier((64,), max_iter=500, random_state=self.random_state)
            self.classifier_.fit(self.X_train_, y_train)
        else:
            self.classifier_ = self.classifier
        self._test_features = mlp_hidden_features(self.classifier_, self.X_test_)
        return self

    def score(self, samples):
        """Scores of ``samples`` against the held-out real rows.

        Parameters
        ----------
        samples : array-like of shape (n_samples, n_features)

        Returns
        -------
        SampleScores
        """
        check_is_fitted(self, "classifier_")
        samples = check_array(samples, dtype=np.float64)
        if samples.shape[1] != self.X_test_.shape[1]:
            raise ValueError(f"samples have {samples.shape[1]} features, the real rows "
                             f"{self.X_test_.shape[1]}")
        return SampleScores(
            fid=frechet_distance(mlp_hidden_features(self.classifier_, samples),
                                 self._test_features),
            class_shares=class_coverage(samples, self.classifier_),
            memorisation_ratio=memorisation_ratio(samples, self.X_train_, self.X_test_),
        )

    def baseline_samples(self, n_samples=1000, random_state=None):
        """Samples of the three baselines.

        Parameters
        ----------
        n_samples : int, default=1000
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        dict
            ``"real"`` (training rows, without replacement when there are
            enough), ``"pca_gaussian"`` and ``"pixel_noise"``: arrays of
            shape (n_samples, n_features).
        """
        check_is_fitted(self, "classifier_")
        rng = check_random_state(random_state)
        n_train = self.X_train_.shape[0]
        real = self.X_train_[rng.choice(n_train, n_samples, replace=n_samples > n_train)]
        return {
            "real": real,
            "pca_gaussian": pca_gaussian_samples(self.X_train_, n_samples, self.n_components, rng),
            "pixel_noise": pixel_noise_samples(self.X_train_, n_samples, rng),
        }

    def baselines(self, n_samples=1000, random_state=None):
        """Scores of the baselines (see :meth:`baseline_samples`).

        Parameters
        ----------
        n_samples : int, default=1000
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        dict of str to SampleScores
        """
        return {name: self.score(S)
                for name, S in self.baseline_samples(n_samples, random_state).items()}
