"""Load a named dataset or a table file as numeric ``X``, ``y`` for ``sklml compare``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Dataset", "DatasetError", "load_dataset", "BUILTIN_DATASETS"]

#: Names :func:`load_dataset` accepts besides a file path, with their task.
BUILTIN_DATASETS = {
    "signal_background": "classification",
    "iris": "classification",
    "digits": "classification",
    "breast_cancer": "classification",
    "wine": "classification",
    "diabetes": "regression",
}

#: Events generated for ``"signal_background"`` (keeps ``sklml compare`` quick).
DEFAULT_SIGNAL_BACKGROUND_SAMPLES = 5_000

_DESCRIPTIONS = {
    "iris": "iris flowers: 150 samples, 4 measurements, 3 species",
    "digits": "handwritten digits: 1,797 images of 8x8 pixels, 10 classes",
    "breast_cancer": "breast cancer (Wisconsin): 569 samples, 30 features, 2 classes",
    "wine": "wine recognition: 178 samples, 13 chemical features, 3 cultivars",
    "diabetes": "diabetes progression: 442 patients, 10 features, regression",
}

# An integer or text target with at most this many distinct values is a class label.
_MAX_CLASSES = 50


class DatasetError(ValueError):
    """The data cannot be used as it is: a message meant for the user."""


@dataclass
class Dataset:
    """Numeric features and target, ready for cross-validation."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list
    task: str  # "classification" or "regression"
    target_names: list = field(default_factory=list)  # class labels, for classification
    description: str = ""

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]


def _builtin(name, random_state):
    if name == "signal_background":
        from sklml.datasets._signal_background import (
            SIGNAL_BACKGROUND_FEATURES,
            make_signal_background,
        )

        X, y = make_signal_background(
            DEFAULT_SIGNAL_BACKGROUND_SAMPLES, random_state=random_state
        )
        return Dataset(
            name,
            X,
            y,
            list(SIGNAL_BACKGROUND_FEATURES),
            "classification",
            ["background", "signal"],
            f"{len(y)} simulated dilepton events, resonance at 125 GeV vs Drell-Yan and top "
            "pairs (sklml.datasets.make_signal_background)",
        )
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    task = BUILTIN_DATASETS[name]
    feature_names = [str(f) for f in bunch.feature_names]
    target_names = [str(t) for t in bunch.get("target_names", [])] if task == "classification" else []
    return Dataset(name, np.asarray(bunch.data, dtype=np.float64), bunch.target, feature_names,
                   task, target_names, f"scikit-learn's {_DESCRIPTIONS[name]}")


def _read_table(path):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise DatasetError(
                f"reading {path.name} needs pyarrow (pip install pyarrow), or save it as .csv"
            ) from None
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"cannot read {path} as CSV: {first}") from None


def _infer_task(target):
    import pandas as pd

    if pd.api.types.is_float_dtype(target):
        values = target.to_numpy()
        if np.all(values == np.round(values)) and target.nunique() <= _MAX_CLASSES:
            return "classification"
        return "regression"
    if pd.api.types.is_bool_dtype(target) or not pd.api.types.is_numeric_dtype(target):
        return "classification"
    return "classification" if target.nunique() <= _MAX_CLASSES else "regression"


def _from_table(path, target, task):
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"no such file: {path}")
    if path.is_dir():
        raise DatasetError(f"{path} is a directory, not a data file")
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise DatasetError(f"{path.name}: expected a .csv or .parquet file")
    frame = _read_table(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target is None:
        raise DatasetError(
            f"choose the target column with --target (columns: {', '.join(columns[:20])})"
        )
    if target not in columns:
        raise DatasetError(
            f"no column {target!r} in {path.name} (columns: {', '.join(columns[:20])})"
        )
    if len(frame) == 0:
        raise DatasetError(f"{path.name} has no rows")
    y_series = frame[target]
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise DatasetError(f"{path.name} has no feature column besides {target!r}")
    non_numeric = [c for c in features.columns if not _is_numeric(features[c])]
    if non_numeric:
        raise DatasetError(
            f"non-numeric feature column(s) {', '.join(non_numeric[:5])}: encode them as "
            "numbers or drop them"
        )
    if y_series.isna().any():
        raise DatasetError(f"target column {target!r} has {int(y_series.isna().sum())} missing value(s)")
    X = features.to_numpy(dtype=np.float64)
    n_missing = int(np.isnan(X).any(axis=1).sum())
    if n_missing:
        raise DatasetError(
            f"{n_missing} row(s) have missing feature values: impute or drop them first"
        )
    if not np.isfinite(X).all():
        raise DatasetError("features contain infinite values")
    task = _infer_task(y_series) if task in (None, "auto") else task
    if task == "regression":
        if not _is_numeric(y_series):
            raise DatasetError(f"target column {target!r} is not numeric: it cannot be regressed")
        y = y_series.to_numpy(dtype=np.float64)
        target_names = []
    else:
        labels = y_series.to_numpy()
        classes, y = np.unique(labels.astype(str) if labels.dtype == object else labels,
                               return_inverse=True)
        target_names = [str(c) for c in classes]
    return Dataset(path.stem, X, y, list(features.columns), task, target_names,
                   f"{path.name}: {len(frame)} rows, target {target!r}")


def _is_numeric(series):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_complex_dtype(series)


def load_dataset(name_or_path, *, target=None, task="auto", random_state=0):
    """Load a built-in dataset or a ``.csv`` / ``.parquet`` file as numeric arrays.

    Parameters
    ----------
    name_or_path : str or path-like
        One of ``"signal_background"`` (5,000 events of
        :func:`make_signal_background`), ``"iris"``, ``"digits"``,
        ``"breast_cancer"``, ``"wine"``, ``"diabetes"`` (scikit-learn's bundled
        datasets, no download), or the path of a CSV file (or a Parquet file
        when ``pyarrow`` is installed).
    target : str, default=None
        The target column of a file (required for files, ignored otherwise).
    task : {"auto", "classification", "regression"}, default="auto"
        For files: "auto" treats a text, boolean or integer target with at most
        50 distinct values as class labels, anything else as a regression target.
    random_state : int, default=0
        Seed of the generated ``"signal_background"`` sample.

    Returns
    -------
    Dataset
        ``X`` (float64), ``y`` (class indices or floats), ``feature_names``,
        ``task``, ``target_names`` and a one-line ``description``.

    Raises
    ------
    DatasetError
        A ``ValueError`` with a message for the user: missing file, unknown
        column, non-numeric features, missing values, a single class.

    Examples
    --------
    >>> from sklml.datasets import load_dataset
    >>> data = load_dataset("iris")
    >>> data.X.shape, data.task, data.target_names[0]
    ((150, 4), 'classification', 'setosa')
    """
    if task not in ("auto", "classification", "regression"):
        raise DatasetError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    name = str(name_or_path)
    if name in BUILTIN_DATASETS:
        data = _builtin(name, random_state)
        if task != "auto" and task != data.task:
            raise DatasetError(f"{name} is a {data.task} dataset, not {task}")
    elif Path(name).suffix.lower() in (".csv", ".parquet") or Path(name).exists():
        data = _from_table(name, target, task)
    else:
        raise DatasetError(
            f"unknown dataset {name!r}: use one of {', '.join(BUILTIN_DATASETS)} or a .csv "
            "/ .parquet file"
        )
    if data.task == "classification" and len(np.unique(data.y)) < 2:
        raise DatasetError(
            f"the target has only one class ({data.target_names[0] if data.target_names else data.y[0]}): "
            "classification needs at least two"
        )
    if data.n_samples < 2:
        raise DatasetError("the data has fewer than two rows")
    return data
