"""Which types ``sklml.io.load`` trusts without being told.

skops lists every type a file needs (``get_untrusted_types``); a type on that
list is accepted here when it is one that loading cannot turn into code
execution: skops builds it with ``__new__`` and its ``__setstate__`` (or
attribute update), and the type's own code then only computes with the data.

- sklml's estimator families (``sklml.tree``, ``.ensemble``, ``.linear_model``,
  ``.neural``, ``.boosting``, ``.rl``) and their shared ``sklml._training``:
  every class and function.  Not
  ``sklml.cli``, ``sklml.compare``, ``sklml.io`` or ``sklml.datasets``, which
  read and write files.
- scikit-learn: every class (scorers, splitters, ...) but the two skops
  flags as unsafe (trees whose raw node ids scikit-learn does not check);
  its functions only as skops trusts them.  numpy, scipy: skops' defaults,
  plus ``numpy.dtype``.
- the wrapped libraries' data types: torch modules (``torch.nn.modules``),
  optimizers and schedulers (``torch.optim``), ``torch.device``; skorch's nets,
  history, datasets, helper functions and callbacks (not the checkpoint ones,
  which read and write files); xgboost's ``Booster`` and scikit-learn
  wrappers (restored from xgboost's own binary model format); CatBoost's
  model classes (restored from CatBoost's binary model format); gymnasium's
  spaces.  ``functools.partial`` too: the function it wraps is checked on its
  own.
- whatever installed plugins register (:func:`sklml.registry.trusted_types`).

Anything else (``os.system``, ``builtins.eval``, ``subprocess.*``, a class of
an unknown package) stays untrusted: ``load`` refuses the file and names it.
"""

from __future__ import annotations

import importlib

SKLML_FAMILIES = ("tree", "ensemble", "linear_model", "neural", "boosting", "rl")

#: module prefixes whose every class and function is trusted
TRUSTED_MODULE_PREFIXES = tuple(f"sklml.{family}." for family in SKLML_FAMILIES) + (
    "sklml._training.",  # the training contract shared by the iterative families
    "torch.nn.modules.",
    "torch.optim.",
    "gymnasium.spaces.",
)

#: trusted by exact name
TRUSTED_NAMES = frozenset({
    "numpy.dtype",
    "functools.partial",
    "builtins.print",  # a callback's default sink
    "torch.utils.data.dataloader.DataLoader",
    "torch.device",
    "torch.Tensor",
    "torch.nn.parameter.Parameter",
    "skorch.history.History",
    # skorch's callbacks, but not those that read or write files (checkpoints)
    "skorch.callbacks.logging.EpochTimer",
    "skorch.callbacks.logging.PrintLog",
    "skorch.callbacks.scoring.EpochScoring",
    "skorch.callbacks.scoring.BatchScoring",
    "skorch.callbacks.scoring.PassthroughScoring",
    "skorch.callbacks.training.EarlyStopping",
    "skorch.callbacks.regularization.GradientNormClipping",
    "skorch.callbacks.lr_scheduler.LRScheduler",
    "skorch.net.NeuralNet",
    "skorch.classifier.NeuralNetClassifier",
    "skorch.classifier.NeuralNetBinaryClassifier",
    "skorch.regressor.NeuralNetRegressor",
    "skorch.dataset.Dataset",
    "skorch.dataset.ValidSplit",
    "skorch.setter.optimizer_setter",
    "skorch.utils.to_numpy",
    "skorch.utils.to_tensor",
    "skorch.utils._indexing_other",
    "skorch.utils._indexing_dict",
    "skorch.utils._indexing_list_tuple_of_data",
    "skorch.utils._indexing_ndframe",
    "skorch.utils.noop",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBModel",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
    "xgboost.sklearn.XGBRanker",
    "xgboost.sklearn.XGBRFClassifier",
    "xgboost.sklearn.XGBRFRegressor",
    "catboost.core.CatBoost",
    "catboost.core.CatBoostClassifier",
    "catboost.core.CatBoostRegressor",
    "catboost.core.CatBoostRanker",
})


def _is_sklearn_class(name):
    from skops.io.exceptions import UNTRUSTED_TYPE_REASONS

    if not name.startswith("sklearn.") or name in UNTRUSTED_TYPE_REASONS:
        return False
    module_name, _, attr = name.rpartition(".")
    try:  # importing one of scikit-learn's own modules runs no foreign code
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError):
        return False
    return isinstance(obj, type)


def is_trusted_by_default(name, plugin_types=frozenset()):
    """Whether ``load`` trusts the type (or function) called ``name``."""
    if name in TRUSTED_NAMES or name in plugin_types:
        return True
    return name.startswith(TRUSTED_MODULE_PREFIXES) or _is_sklearn_class(name)
