"""RandomTreesEmbedding: a one-hot code of the leaves of totally random trees."""

from numbers import Integral

import numpy as np
from sklearn.base import TransformerMixin, _fit_context
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_feature_names_in, _num_samples, check_is_fitted

from sklml.tree import DecisionTreeRegressor

from ._forest import BaseForest, _tree_constraints

__all__ = ["RandomTreesEmbedding"]


class RandomTreesEmbedding(TransformerMixin, BaseForest):
    """An unsupervised transformation into a high-dimensional sparse code.

    Each tree of a forest of totally random trees (``splitter="random"``,
    one feature drawn per split, fitted to a random target) maps a sample to
    one leaf; the output is the one-hot code of the leaves of all the trees, as
    scikit-learn's ``RandomTreesEmbedding``.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    max_depth : int, default=5
        Depth of each tree.
    min_samples_split, min_samples_leaf, min_weight_fraction_leaf, \
max_leaf_nodes, min_impurity_decrease :
        As for :class:`sklml.tree.DecisionTreeRegressor`.
    sparse_output : bool, default=True
        Return a sparse CSR matrix (else a dense array).
    n_jobs : int, default=None
        Trees grown at once, in threads.
    random_state : int, RandomState instance or None, default=None
        Seeds the random target and the trees.
    verbose : int, default=0
    warm_start : bool, default=False
        Add trees to the fitted forest instead of starting over.

    Attributes
    ----------
    estimator_ : DecisionTreeRegressor
        The unfitted template of the trees.
    estimators_ : list of DecisionTreeRegressor
    one_hot_encoder_ : OneHotEncoder
        The encoder of the trees' leaf indices.
    n_features_in_ : int
    n_outputs_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.ensemble import RandomTreesEmbedding
    >>> X = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]])
    >>> code = RandomTreesEmbedding(n_estimators=5, max_depth=1, random_state=0)
    >>> code.fit_transform(X).shape
    (5, 10)
    """

    _parameter_constraints: dict = {
        "n_estimators": [BaseForest._parameter_constraints["n_estimators"][0]],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        **_tree_constraints(DecisionTreeRegressor),
        "sparse_output": ["boolean"],
    }
    for _param in ("max_features", "ccp_alpha", "monotonic_cst", "criterion", "max_bins"):
        _parameter_constraints.pop(_param, None)

    _tree_class = DecisionTreeRegressor
    _splitter = "random"
    _fixed_tree_params = {"criterion": "squared_error", "max_features": 1}
    # scikit-learn's fixed settings of the embedding's forest
    criterion = "squared_error"
    max_features = 1
    bootstrap = False
    oob_score = False
    max_samples = None

    def __init__(self, n_estimators=100, *, max_depth=5, min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, sparse_output=True, n_jobs=None,
                 random_state=None, verbose=0, warm_start=False):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.sparse_output = sparse_output
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    @staticmethod
    def _is_classifier():
        return False

    def _set_oob_score_and_attributes(self, X, y, scoring_function=None):
        raise NotImplementedError("OOB score not supported by tree embedding")

    def fit(self, X, y=None, sample_weight=None):
        """Grow the random trees on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self.fit_transform(X, y, sample_weight=sample_weight)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, sample_weight=None):
        """Grow the random trees on X and return its leaf code.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        X_transformed : sparse matrix of shape (n_samples, n_leaves_total)
        """
        y = check_random_state(self.random_state).uniform(size=_num_samples(X))
        self._fit(X, y, sample_weight)
        self.one_hot_encoder_ = OneHotEncoder(sparse_output=self.sparse_output)
        output = self.one_hot_encoder_.fit_transform(self.apply(X))
        self._n_features_out = output.shape[1]
        return output

    def transform(self, X):
        """The one-hot code of the leaves X falls in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_transformed : sparse matrix of shape (n_samples, n_leaves_total)
        """
        check_is_fitted(self)
        return self.one_hot_encoder_.transform(self.apply(X))

    def get_feature_names_out(self, input_features=None):
        """Output names ``randomtreesembedding_{tree}_{leaf}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "_n_features_out")
        _check_feature_names_in(self, input_features=input_features,
                                generate_names=False)
        names = [f"randomtreesembedding_{tree}_{leaf}"
                 for tree in range(self.n_estimators)
                 for leaf in self.one_hot_encoder_.categories_[tree]]
        return np.asarray(names, dtype=object)
