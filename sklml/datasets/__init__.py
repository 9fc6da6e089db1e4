"""Datasets for examples, tests and ``sklml compare``; nothing is downloaded.

- :func:`make_signal_background`: a synthetic collider sample, a dilepton
  resonance (signal) over Drell-Yan and top-pair backgrounds, with documented
  kinematic features.
- :func:`load_dataset`: a built-in dataset by name, or a ``.csv`` /
  ``.parquet`` file with a target column, as numeric arrays.
"""

from sklml.datasets._loaders import (
    BUILTIN_DATASETS,
    Dataset,
    DatasetError,
    load_dataset,
)
from sklml.datasets._signal_background import (
    SIGNAL_BACKGROUND_FEATURES,
    make_signal_background,
)

__all__ = [
    "BUILTIN_DATASETS",
    "Dataset",
    "DatasetError",
    "SIGNAL_BACKGROUND_FEATURES",
    "load_dataset",
    "make_signal_background",
]
