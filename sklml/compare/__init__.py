"""``sklml compare``: cross-validate every registered model on a dataset and rank them.

>>> from sklml.compare import compare
>>> from sklml.datasets import load_dataset
>>> result = compare(load_dataset("iris"), estimators=[])  # doctest: +SKIP
>>> print(result.to_text())                                  # doctest: +SKIP
>>> result.write("sklml_report")                             # doctest: +SKIP

``sklml apply`` (:func:`apply_model`) writes a saved model's score of every event
back to a ROOT tree, CSV or Parquet file, chunk by chunk.
"""

from sklml.compare._apply import ApplyError, ApplySummary, apply_model, load_model
from sklml.compare._run import (
    CLASSIFICATION_METRICS,
    PHYSICS_METRICS,
    REGRESSION_METRICS,
    YIELD_METRICS,
    CompareError,
    CompareResult,
    build_estimator,
    compare,
    fit_final,
    select_estimators,
    training_weights,
)

__all__ = [
    "ApplyError",
    "ApplySummary",
    "apply_model",
    "load_model",
    "CLASSIFICATION_METRICS",
    "PHYSICS_METRICS",
    "REGRESSION_METRICS",
    "YIELD_METRICS",
    "CompareError",
    "CompareResult",
    "build_estimator",
    "compare",
    "fit_final",
    "select_estimators",
    "training_weights",
]
