"""Datasets for examples, tests and ``sklml compare``; nothing is downloaded.

- :func:`make_signal_background`: a synthetic collider sample, a dilepton
  resonance (signal) over Drell-Yan and top-pair backgrounds, with documented
  kinematic features.
- :func:`load_dataset`: a built-in dataset by name, or a ``.csv`` /
  ``.parquet`` file with a target column, as numeric arrays; a ROOT tree
  (``FILE.root:TREE``, read with uproot) or an HDF5 table (``FILE.h5:KEY``) too.
- :func:`load_events`: signal and background samples from several files, with
  event weights, a selection and the provenance of every file read.
"""

from sklml.datasets._loaders import (
    BUILTIN_DATASETS,
    Dataset,
    DatasetError,
    load_dataset,
    load_events,
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
    "load_events",
    "make_signal_background",
]
