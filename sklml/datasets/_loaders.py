"""Load a named dataset or a table file as numeric ``X``, ``y`` for ``sklml compare``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Dataset", "DatasetError", "load_dataset", "load_events", "BUILTIN_DATASETS"]

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
    #: Event weights (``--weight``; ones for a signal/background sample without one), or None.
    sample_weight: np.ndarray = None
    #: :class:`~sklml.datasets._sources.SourceRecord` per file read (empty for built-in data).
    provenance: list = field(default_factory=list)
    selection: str = ""  # the cut applied before training, if any

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


def _from_table(path, target, task, *, features=None, selection=None, weight=None):
    from sklml.datasets._sources import expand_sources, read_source

    pairs = expand_sources([path])
    if len(pairs) != 1:
        raise DatasetError(f"--data {path} matches {len(pairs)} files: use --signal and "
                           "--background for several files")
    file, tree = pairs[0]
    if target is None:
        columns = list(read_source(file, tree, None)[0].columns)
        raise DatasetError(
            f"choose the target column with --target (columns: {', '.join(columns[:20])})"
        )
    columns = None
    if features is not None:
        columns = list(dict.fromkeys(list(features) + [target] + ([weight] if weight else [])))
    frame, record = read_source(file, tree, columns, selection=selection, weight=weight)
    name = Path(file).stem
    where = f"{Path(file).name}:{record.tree}" if record.tree else Path(file).name
    return _from_frame(frame, name, where, target, task, weight=weight, features=features,
                       provenance=[record], selection=selection or "")


def _weights_from(frame, weight, where):
    if weight is None:
        return None
    if weight not in frame.columns:
        raise DatasetError(f"no weight column {weight!r} in {where} "
                           f"(columns: {', '.join(list(frame.columns)[:20])})")
    if not _is_numeric(frame[weight]):
        raise DatasetError(f"weight column {weight!r} is not numeric")
    w = frame[weight].to_numpy(dtype=np.float64)
    if not np.isfinite(w).all():
        raise DatasetError(f"weight column {weight!r} has missing or infinite values")
    return w


def _feature_matrix(frame, where):
    non_numeric = [c for c in frame.columns if not _is_numeric(frame[c])]
    if non_numeric:
        raise DatasetError(
            f"non-numeric feature column(s) {', '.join(non_numeric[:5])}: encode them as "
            "numbers or drop them"
        )
    X = frame.to_numpy(dtype=np.float64)
    n_missing = int(np.isnan(X).any(axis=1).sum())
    if n_missing:
        raise DatasetError(
            f"{n_missing} row(s) have missing feature values: impute or drop them first"
        )
    if not np.isfinite(X).all():
        raise DatasetError("features contain infinite values")
    return X


def _from_frame(frame, name, where, target, task, *, weight=None, features=None,
                provenance=(), selection=""):
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target not in columns:
        raise DatasetError(
            f"no column {target!r} in {where} (columns: {', '.join(columns[:20])})"
        )
    if weight is not None and weight == target:
        raise DatasetError("--weight and --target name the same column")
    if len(frame) == 0:
        raise DatasetError(f"{where} has no rows" + (" passing the selection" if selection else ""))
    y_series = frame[target]
    sample_weight = _weights_from(frame, weight, where)
    feature_frame = frame[list(features)] if features is not None else \
        frame.drop(columns=[target] + ([weight] if weight else []))
    if target in feature_frame.columns or (weight and weight in feature_frame.columns):
        raise DatasetError("--features must not list the target or the weight column")
    if feature_frame.shape[1] == 0:
        raise DatasetError(f"{where} has no feature column besides {target!r}")
    X = _feature_matrix(feature_frame, where)
    if y_series.isna().any():
        raise DatasetError(f"target column {target!r} has {int(y_series.isna().sum())} missing value(s)")
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
    description = f"{where}: {len(frame)} rows, target {target!r}"
    if selection:
        description += f", selection {selection!r}"
    return Dataset(name, X, y, list(feature_frame.columns), task, target_names, description,
                   sample_weight=sample_weight, provenance=list(provenance), selection=selection)


def load_events(signal, background, *, features=None, selection=None, weight=None):
    """Signal and background events from files, labelled 1 and 0, with their weights.

    Parameters
    ----------
    signal, background : list of str
        Sources ``FILE[:TREE]``: ROOT files and a tree in each (read with uproot),
        CSV or Parquet files, HDF5 files and a pandas key. ``FILE`` may be a glob.
    features : list of str, default=None
        The branches (columns) used as features; by default every flat numeric
        branch common to all sources, except ``weight``.
    selection : str, default=None
        A cut applied to every source before training, as a pandas expression
        (``"n_jobs >= 1 and met > 20"``; ``&``, ``|`` and ``abs()`` work too).
    weight : str, default=None
        The event-weight branch (may be negative); ones without it.

    Returns
    -------
    Dataset
        ``y`` is 1 for signal, 0 for background; ``sample_weight`` holds the event
        weights and ``provenance`` a record per file read.

    Raises
    ------
    DatasetError
        One clear line for a missing file, tree or branch, or a bad selection.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sklml.datasets import load_events
    >>> rng = np.random.default_rng(0)
    >>> folder = tempfile.mkdtemp()
    >>> for name, shift in [("sig", 1.0), ("bkg", 0.0)]:
    ...     pd.DataFrame({"x": rng.normal(shift, 1, 50), "w": 1.0}).to_csv(
    ...         os.path.join(folder, name + ".csv"), index=False)
    >>> data = load_events([os.path.join(folder, "sig.csv")], [os.path.join(folder, "bkg.csv")],
    ...                    weight="w", selection="x > -1")
    >>> data.feature_names, int(data.y.sum()) == data.provenance[0].selected
    (['x'], True)
    """
    import pandas as pd

    from sklml.datasets._sources import expand_sources, numeric_columns, read_source

    signal_pairs, background_pairs = expand_sources(signal), expand_sources(background)
    if not signal_pairs or not background_pairs:
        raise DatasetError("give at least one --signal and one --background source")
    labelled = [("signal", p) for p in signal_pairs] + [("background", p) for p in background_pairs]
    if features is None:
        common = None
        for _, (path, tree) in labelled:
            names = numeric_columns(path, tree)
            common = names if common is None else [n for n in common if n in names]
        features = [n for n in common if n != weight]
        if not features:
            raise DatasetError("the sources have no flat numeric branch in common to use as a "
                               "feature: name them with --features")
    features = list(features)
    if weight is not None and weight in features:
        raise DatasetError("--features must not list the weight branch")
    columns = features + ([weight] if weight else [])
    frames, records = {"signal": [], "background": []}, []
    for label, (path, tree) in labelled:
        frame, record = read_source(path, tree, columns, selection=selection, label=label,
                                    weight=weight)
        frames[label].append(frame)
        records.append(record)
    parts = {}
    for label in ("signal", "background"):
        parts[label] = pd.concat(frames[label], ignore_index=True)
        if len(parts[label]) == 0:
            raise DatasetError(f"no {label} event" + (" passes the selection" if selection else ""))
    parts = [parts["background"], parts["signal"]]
    y = np.concatenate([np.zeros(len(parts[0]), dtype=np.int64),
                        np.ones(len(parts[1]), dtype=np.int64)])
    frame = pd.concat(parts, ignore_index=True)
    where = "the signal and background samples"
    X = _feature_matrix(frame[features], where)
    sample_weight = _weights_from(frame, weight, where)
    if sample_weight is None:
        sample_weight = np.ones(len(y))
    n_sig, n_bkg = int(y.sum()), int(len(y) - y.sum())
    description = (f"{n_sig} signal and {n_bkg} background events from "
                   f"{len(signal_pairs) + len(background_pairs)} file(s)")
    if selection:
        description += f", selection {selection!r}"
    name = f"{Path(signal_pairs[0][0]).stem} vs {Path(background_pairs[0][0]).stem}"
    return Dataset(name, X, y, features, "classification", ["background", "signal"],
                   description, sample_weight=sample_weight, provenance=records,
                   selection=selection or "")


def _is_numeric(series):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_complex_dtype(series)


def _is_source(name):
    from sklml.datasets._sources import TABLE_SUFFIXES, split_spec

    path, _ = split_spec(name)
    return Path(path).suffix.lower() in TABLE_SUFFIXES or Path(path).exists()


def load_dataset(name_or_path, *, target=None, task="auto", random_state=0, features=None,
                 selection=None, weight=None):
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
    features : list of str, default=None
        For files: the feature columns (branches); by default all but the
        target and the weight.
    selection : str, default=None
        For files: a cut on the rows, as a pandas expression.
    weight : str, default=None
        For files: the event-weight column, returned as ``sample_weight``.

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
    elif _is_source(name):
        data = _from_table(name, target, task, features=features, selection=selection,
                           weight=weight)
    else:
        raise DatasetError(
            f"unknown dataset {name!r}: use one of {', '.join(BUILTIN_DATASETS)} or a "
            ".csv / .parquet / .root:TREE / .h5:KEY file"
        )
    if data.task == "classification" and len(np.unique(data.y)) < 2:
        raise DatasetError(
            f"the target has only one class ({data.target_names[0] if data.target_names else data.y[0]}): "
            "classification needs at least two"
        )
    if data.n_samples < 2:
        raise DatasetError("the data has fewer than two rows")
    return data
