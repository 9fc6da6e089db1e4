"""Trees, forests and AdaBoost as ONNX-ML tree ensembles.

Read from the fitted, public state only: each tree's ``tree_`` arrays in
scikit-learn's layout (``children_left``/``right``, ``feature``,
``threshold``, ``missing_go_to_left``, ``value``) and the ensembles'
``estimators_`` / ``estimator_weights_``.  Thresholds are written as float32
rounded *down*, which is what sklml's predictor compares float32 inputs with:
``x <= t32`` exactly when ``x <= threshold``, so ONNX Runtime walks every row
to the same leaf as sklml.  NaN follows ``missing_go_to_left``.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ._graph import INPUT, NotExportableError, float_input, label_nodes, make_model


def float32_down(threshold):
    """The largest float32 <= each float64 threshold."""
    t32 = np.asarray(threshold, dtype=np.float64).astype(np.float32)
    above = t32.astype(np.float64) > threshold
    t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
    return t32


def _tree_of(est):
    tree = getattr(est, "tree_", None)
    if tree is None or not hasattr(tree, "children_left"):
        raise NotExportableError(
            f"{type(est).__name__} has no tree_ arrays in scikit-learn's layout")
    return tree


def _node_attrs(trees, prefix):
    """The ``nodes_*`` attributes of a tree ensemble, and each tree's leaves."""
    attrs = {k: [] for k in ("treeids", "nodeids", "featureids", "modes", "values",
                             "truenodeids", "falsenodeids", "missing_value_tracks_true")}
    leaves = []
    for t, tree in enumerate(trees):
        left = np.asarray(tree.children_left)
        right = np.asarray(tree.children_right)
        is_leaf = left == -1
        n = left.shape[0]
        mgl = np.asarray(getattr(tree, "missing_go_to_left", np.zeros(n)), dtype=np.int64)
        attrs["treeids"] += [t] * n
        attrs["nodeids"] += list(range(n))
        attrs["featureids"] += np.where(is_leaf, 0, tree.feature).astype(np.int64).tolist()
        attrs["modes"] += ["LEAF" if leaf else "BRANCH_LEQ" for leaf in is_leaf]
        attrs["values"] += np.where(is_leaf, 0.0, float32_down(tree.threshold)).tolist()
        attrs["truenodeids"] += np.where(is_leaf, 0, left).astype(np.int64).tolist()
        attrs["falsenodeids"] += np.where(is_leaf, 0, right).astype(np.int64).tolist()
        attrs["missing_value_tracks_true"] += np.where(is_leaf, 0, mgl).tolist()
        leaves.append(np.flatnonzero(is_leaf))
    return {f"nodes_{k}": v for k, v in attrs.items()}, leaves


def _ensemble_node(trees, leaf_values, op, out, prefix):
    """A TreeEnsembleRegressor (``prefix="target"``) or ...Classifier
    (``"class"``) node summing ``leaf_values[t][node, k]`` over the trees."""
    attrs, leaves = _node_attrs(trees, prefix)
    tree_ids, node_ids, ids, weights = [], [], [], []
    for t, (leaf, values) in enumerate(zip(leaves, leaf_values)):
        k = values.shape[1]
        tree_ids += [t] * (len(leaf) * k)
        node_ids += np.repeat(leaf, k).tolist()
        ids += np.tile(np.arange(k), len(leaf)).tolist()
        weights += values[leaf].astype(np.float32).ravel().tolist()
    attrs.update({f"{prefix}_treeids": tree_ids, f"{prefix}_nodeids": node_ids,
                  f"{prefix}_ids": ids, f"{prefix}_weights": weights,
                  "post_transform": "NONE"})
    return helper.make_node(op, [INPUT], out, domain="ai.onnx.ml", **attrs)


def _check_single_output_classifier(est):
    classes = est.classes_
    if (getattr(est, "n_outputs_", 1) != 1 or isinstance(classes, list)
            or np.asarray(classes).ndim != 1):
        raise NotExportableError(
            f"{type(est).__name__} with several outputs cannot be exported: the ONNX-ML "
            "tree ensemble classifier has one label per row")


def _classifier_model(est, trees, leaf_values, n_classes, transform, name):
    """Sum the leaf values over the trees -> scores -> probabilities and labels."""
    _check_single_output_classifier(est)
    node = _ensemble_node(trees, leaf_values, "TreeEnsembleClassifier",
                          ["tree_label", "scores"], "class")
    node.attribute.append(helper.make_attribute("classlabels_int64s",
                                                list(range(n_classes))))
    nodes, inits = [node], []
    if transform == "softmax":
        nodes.append(helper.make_node("Softmax", ["scores"], ["probabilities"], axis=1))
    else:
        nodes.append(helper.make_node("Identity", ["scores"], ["probabilities"]))
    lab_nodes, lab_inits, label_out = label_nodes(est.classes_, probabilities="scores")
    nodes += lab_nodes
    inits += lab_inits
    outputs = [label_out, helper.make_tensor_value_info(
        "probabilities", TensorProto.FLOAT, [None, n_classes])]
    return make_model(nodes, [float_input(est.n_features_in_)], outputs, inits, name,
                      f"sklml {type(est).__name__}", ml=True)


def _regressor_model(est, trees, leaf_values, n_outputs, name):
    node = _ensemble_node(trees, leaf_values, "TreeEnsembleRegressor", ["variable"], "target")
    node.attribute.extend([helper.make_attribute("n_targets", n_outputs),
                           helper.make_attribute("aggregate_function", "SUM")])
    out = helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, n_outputs])
    return make_model([node], [float_input(est.n_features_in_)], [out], [], name,
                      f"sklml {type(est).__name__}", ml=True)


def convert_tree(est):
    """A single decision tree (classifier: leaf class fractions)."""
    tree = _tree_of(est)
    if hasattr(est, "classes_"):
        _check_single_output_classifier(est)
        values = [np.asarray(tree.value)[:, 0, :]]
        return _classifier_model(est, [tree], values, values[0].shape[1], None,
                                 type(est).__name__)
    return _regressor_model(est, [tree], [np.asarray(tree.value)[:, :, 0]],
                            int(est.n_outputs_), type(est).__name__)


def convert_forest(est):
    """A forest (random or extra trees): the mean of its trees."""
    trees = [_tree_of(e) for e in est.estimators_]
    n = len(trees)
    if hasattr(est, "classes_"):
        _check_single_output_classifier(est)
        values = [np.asarray(t.value)[:, 0, :] / n for t in trees]
        return _classifier_model(est, trees, values, int(est.n_classes_), None,
                                 type(est).__name__)
    values = [np.asarray(t.value)[:, :, 0] / n for t in trees]
    return _regressor_model(est, trees, values, int(est.n_outputs_), type(est).__name__)


def _adaboost_trees(est):
    try:
        return [_tree_of(e) for e in est.estimators_]
    except NotExportableError:
        kinds = sorted({type(e).__name__ for e in est.estimators_})
        raise NotExportableError(
            f"{type(est).__name__} over {', '.join(kinds)} cannot be exported: only "
            "AdaBoost over sklml decision trees is") from None


def convert_adaboost_classifier(est):
    """SAMME: each tree votes +w for its class and -w/(K-1) for the others;
    probabilities are the softmax of the normalised votes over K-1."""
    trees = _adaboost_trees(est)
    _check_single_output_classifier(est)
    k = int(est.n_classes_)
    if k < 2:
        raise NotExportableError(f"{type(est).__name__} fitted on a single class "
                                 "cannot be exported")
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)[:len(trees)]
    norm = weights.sum()
    values = []
    for tree, w in zip(trees, weights):
        code = np.argmax(np.asarray(tree.value)[:, 0, :], axis=1)
        vote = np.full((code.shape[0], k), -w / (k - 1))
        vote[np.arange(code.shape[0]), code] = w
        values.append(vote / norm / (k - 1))
    return _classifier_model(est, trees, values, k, "softmax", type(est).__name__)


def convert_adaboost_regressor(est):
    """The weighted median of the trees' predictions (scikit-learn's rule):
    each tree writes its own output column, then sort, cumulate the weights and
    take the first prediction at or above half the total weight."""
    trees = _adaboost_trees(est)
    n = len(trees)
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)[:n]
    values = []
    for t, tree in enumerate(trees):
        v = np.zeros((np.asarray(tree.value).shape[0], n))
        v[:, t] = np.asarray(tree.value)[:, 0, 0]
        values.append(v)
    node = _ensemble_node(trees, values, "TreeEnsembleRegressor", ["per_tree"], "target")
    node.attribute.extend([helper.make_attribute("n_targets", n),
                           helper.make_attribute("aggregate_function", "SUM")])
    inits = [numpy_helper.from_array(weights, "tree_weights"),
             numpy_helper.from_array(np.array([n], dtype=np.int64), "k"),
             numpy_helper.from_array(np.array(0.5), "one_half"),
             numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
             numpy_helper.from_array(np.array([n], dtype=np.int64), "end"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1"),
             numpy_helper.from_array(np.array(1, dtype=np.int64), "axis1")]
    nodes = [
        node,
        helper.make_node("TopK", ["per_tree", "k"], ["sorted", "order"], axis=1,
                         largest=0, sorted=1),
        helper.make_node("Gather", ["tree_weights", "order"], ["sorted_weights"], axis=0),
        helper.make_node("CumSum", ["sorted_weights", "axis1"], ["cdf"]),
        helper.make_node("Slice", ["cdf", "last", "end", "axes1"], ["total"]),
        helper.make_node("Mul", ["total", "one_half"], ["half"]),
        helper.make_node("GreaterOrEqual", ["cdf", "half"], ["above"]),
        helper.make_node("Cast", ["above"], ["above_int"], to=TensorProto.INT32),
        helper.make_node("ArgMax", ["above_int"], ["median_pos"], axis=1, keepdims=1,
                         select_last_index=0),
        helper.make_node("GatherElements", ["sorted", "median_pos"], ["variable"], axis=1),
    ]
    out = helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])
    return make_model(nodes, [float_input(est.n_features_in_)], [out], inits,
                      type(est).__name__, f"sklml {type(est).__name__}", ml=True)
