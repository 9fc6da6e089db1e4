"""The two lists of scikit-learn's anchor-suite cases that do not simply pass.

A key names one case, ``"suite::test_name[params]"``, or every case of a test,
``"suite::test_name"``; ``*`` in a key matches any text (``[`` and ``]`` are
literal).  ``suite`` is ``tree``, ``forest`` or ``weight_boosting``.

``PRIVATE``: cases that reach into scikit-learn's private internals (Cython
criterion, splitter and tree objects, private helpers and methods): they test
scikit-learn's implementation, not the public behaviour sklml reproduces.  They
are deselected and listed in the documentation.  Nothing else is deselected.

``NOT_YET``: public-behaviour cases that still fail, each with the missing
feature.  They run as ``xfail(strict=True)``: a change that makes one pass
fails the run until its entry is removed or narrowed here.  Never move an entry
from ``NOT_YET`` to ``PRIVATE``.
"""

PRIVATE = {
    "tree::test_realloc":
        "calls sklearn.tree._utils._realloc_test (Cython memory helper)",
    "tree::test_criterion_copy":
        "copies scikit-learn's Cython Criterion objects (CRITERIA_CLF/CRITERIA_REG)",
    "tree::test_splitter_serializable":
        "pickles scikit-learn's Cython Splitter objects (DENSE_SPLITTERS, SPARSE_SPLITTERS)",
    "tree::test_check_n_classes":
        "calls the private Cython helper sklearn.tree._tree._check_n_classes",
    "tree::test_check_value_ndarray":
        "calls the private Cython helper sklearn.tree._tree._check_value_ndarray",
    "tree::test_check_node_ndarray":
        "calls the private Cython helper _check_node_ndarray on NODE_DTYPE arrays",
    "tree::test_different_bitness_pickle":
        "rebuilds scikit-learn's Cython Tree (CythonTree) from a 32/64-bit pickle",
    "tree::test_different_bitness_joblib_pickle":
        "rebuilds scikit-learn's Cython Tree (CythonTree) from a 32/64-bit joblib pickle",
    "tree::test_build_pruned_tree_py":
        "calls the private sklearn.tree._tree._build_pruned_tree_py on a Cython Tree",
    "tree::test_build_pruned_tree_infinite_loop":
        "calls the private sklearn.tree._tree._build_pruned_tree_py on a Cython Tree",
    "tree::test_absolute_errors_precomputation_function":
        "tests the private Cython helper _py_precompute_absolute_errors",
    "forest::test_mse_criterion_object_segfault_smoke_test":
        "passes scikit-learn's Cython MSE criterion object as criterion",
    "forest::test_validate_y_class_weight":
        "calls the private method BaseForest._validate_y_class_weight",
    "forest::test_random_trees_embedding_raise_error_oob":
        "calls the private method RandomTreesEmbedding._set_oob_score_and_attributes",
}

# reasons of NOT_YET (they wait for the tree engine)
NOT_YET = {
    "forest::test_importances_asymptotic":
        "max_features draws skip features that are constant in the node, as "
        "scikit-learn's do (totally random trees on binary features)",
    "forest::test_forest_classifier_oob[True-X1-y1-0.65-*-ExtraTreesClassifier]":
        "oob_score_ 0.648 at random_state=0 against the bound 0.65 since the random "
        "splitter draws its threshold in value as scikit-learn's (seeds 0-5: ours "
        "0.644-0.682, mean 0.663; scikit-learn's 0.650-0.686, mean 0.667)",
    "forest::test_distribution":
        "one of the four 1/6-probability trees at 0.206 > 0.20 with random_state=42 "
        "(500 trees; the bound is 2.0 standard deviations). The draw itself follows "
        "scikit-learn's: 6,000 trees give 0.156/0.166/0.170/0.171 and 0.338 for the "
        "1/3 tree; random_state 0 and 1 pass (max 0.172, 0.178)",
    "tree::test_huge_allocations":
        "MemoryError for an absurd max_leaf_nodes (scikit-learn pre-allocates its nodes; "
        "the engine grows its node store as needed)",
}
