"""``sklml apply``: evaluate a saved model on every event of a file, chunk by chunk.

The model is read with :func:`sklml.io.load` (trusted types only); its input columns are the
names it was fitted with (``feature_names_in_``, which ``sklml compare
--save-best`` records). A ROOT tree is read with uproot ``step_size`` entries at
a time and written, with every original branch plus the score, to a tree of
the same name; a CSV or Parquet file likewise. Memory does not grow with the
file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["ApplyError", "ApplySummary", "apply_model", "load_model", "model_scores"]


class ApplyError(ValueError):
    """A request ``sklml apply`` cannot run (missing file or branch, untrusted model)."""


@dataclass
class ApplySummary:
    """What :func:`apply_model` wrote."""

    entries: int
    chunks: int
    features: list
    out: str
    tree: str


def load_model(path):
    """Load a model written by ``sklml compare --save-best`` with :func:`sklml.io.load`
    (skops format, trusted types only).

    Raises
    ------
    ApplyError
        When the file is missing, is not a skops file (a pickle included), or
        holds a type sklml does not trust.
    """
    from sklml.io import load

    try:
        return load(path)
    except FileNotFoundError:
        raise ApplyError(f"no such model file: {path}") from None
    except (ValueError, TypeError) as exc:  # not a skops archive, a pickle, untrusted types
        raise ApplyError(f"{path} is not a model saved by sklml that can be trusted: "
                         f"{' '.join(str(exc).split())[:300]}") from None


def model_scores(model, X):
    """The number written per event: the signal probability of a two-class
    classifier, its decision function when it has no probabilities, else ``predict``."""
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) == 2:
        if hasattr(model, "predict_proba"):
            return np.asarray(model.predict_proba(X), dtype=np.float64)[:, 1]
        if hasattr(model, "decision_function"):
            return np.asarray(model.decision_function(X), dtype=np.float64).ravel()
    return np.asarray(model.predict(X))


def _features_of(model, features):
    if features:
        return list(features)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise ApplyError("the model does not record the names of its input columns: "
                         "give them with --features a,b,c")
    return [str(n) for n in names]


def _frame(columns, features):
    import pandas as pd

    return pd.DataFrame({f: np.asarray(columns[f], dtype=np.float64) for f in features},
                        columns=features)


def _check_columns(available, features, where):
    missing = [f for f in features if f not in available]
    if missing:
        raise ApplyError(f"no branch {missing[0]!r} in {where}, which the model needs "
                         f"(it reads {', '.join(features)})")


def _apply_root(model, path, tree, out, branch, features, step_size):
    import awkward as ak
    import uproot

    from sklml.datasets import DatasetError
    from sklml.datasets._sources import flat_numeric_names, open_tree

    try:
        ttree, tree = open_tree(path, tree)
    except DatasetError as exc:
        raise ApplyError(str(exc)) from None
    where = f"{path}:{tree}"
    keys = list(ttree.keys())
    _check_columns(keys, features, where)
    flat = flat_numeric_names(ttree)
    not_flat = [f for f in features if f not in flat]
    if not_flat:
        raise ApplyError(f"branch {not_flat[0]!r} of {where} is not a flat number per event")
    if branch in keys:
        raise ApplyError(f"{where} already has a branch {branch!r}: choose another --branch")
    entries = chunks = 0
    with uproot.recreate(out) as output:
        for chunk in ttree.iterate(step_size=step_size):
            columns = {name: chunk[name] for name in chunk.fields}
            X = _frame({f: ak.to_numpy(columns[f]) for f in features}, features)
            columns[branch] = model_scores(model, X)
            if chunks == 0:
                output.mktree(tree, {k: v.type if isinstance(v, ak.Array) else v.dtype
                                     for k, v in columns.items()})
            output[tree].extend(columns)
            entries += len(chunk)
            chunks += 1
        if chunks == 0:  # an empty tree: write an empty one with the same branches
            types = {name: ttree[name].interpretation.numpy_dtype for name in flat}
            output.mktree(tree, {**types, branch: np.float64})
    return ApplySummary(entries, chunks, features, str(out), tree)


def _apply_csv(model, path, out, branch, features, step_size):
    import pandas as pd

    entries = chunks = 0
    try:
        reader = pd.read_csv(path, chunksize=step_size)
        for chunk in reader:
            chunk.columns = [str(c) for c in chunk.columns]
            if chunks == 0:
                _check_columns(chunk.columns, features, path)
                if branch in chunk.columns:
                    raise ApplyError(f"{path} already has a column {branch!r}: choose another "
                                     "--branch")
            chunk[branch] = model_scores(model, _frame(chunk, features))
            chunk.to_csv(out, mode="w" if chunks == 0 else "a", header=chunks == 0,
                         index=False)
            entries += len(chunk)
            chunks += 1
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ApplyError(f"cannot read {path} as CSV: {' '.join(str(exc).split())[:150]}"
                         ) from None
    return ApplySummary(entries, chunks, features, str(out), "")


def _apply_parquet(model, path, out, branch, features, step_size):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ApplyError("Parquet files need pyarrow (pip install pyarrow)") from None
    source = pq.ParquetFile(path)
    names = source.schema_arrow.names
    _check_columns(names, features, path)
    if branch in names:
        raise ApplyError(f"{path} already has a column {branch!r}: choose another --branch")
    entries = chunks = 0
    writer = None
    try:
        for batch in source.iter_batches(batch_size=step_size):
            frame = batch.to_pandas()
            scores = model_scores(model, _frame(frame, features))
            table = pa.Table.from_batches([batch]).append_column(branch, pa.array(scores))
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table)
            entries += len(frame)
            chunks += 1
    finally:
        if writer is not None:
            writer.close()
    return ApplySummary(entries, chunks, features, str(out), "")


def apply_model(model, data, out, branch, *, features=None, step_size=100_000):
    """Write the model's score of every event of ``data`` to ``out``, chunk by chunk.

    Parameters
    ----------
    model : estimator or path
        A fitted estimator, or the path of one saved by ``sklml compare --save-best``.
    data : str
        ``FILE.root:TREE`` (the tree may be left out when the file holds one),
        ``FILE.csv`` or ``FILE.parquet``.
    out : str or path
        The file written: the same kind as ``data``; a ROOT file gets a tree of
        the same name with every original branch plus ``branch``.
    branch : str
        Name of the new branch (column).
    features : list of str, default=None
        The model's input branches, in order; by default ``model.feature_names_in_``.
    step_size : int, default=100_000
        Events read, scored and written at a time.

    Returns
    -------
    ApplySummary

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklml.compare import apply_model
    >>> folder = tempfile.mkdtemp()
    >>> frame = pd.DataFrame({"x": np.linspace(-1, 1, 50), "run": 1})
    >>> frame.to_csv(os.path.join(folder, "events.csv"), index=False)
    >>> model = LogisticRegression().fit(frame[["x"]], frame["x"] > 0)
    >>> summary = apply_model(model, os.path.join(folder, "events.csv"),
    ...                       os.path.join(folder, "scored.csv"), "bdt", step_size=20)
    >>> summary.entries, summary.chunks
    (50, 3)
    >>> list(pd.read_csv(os.path.join(folder, "scored.csv")).columns)
    ['x', 'run', 'bdt']
    """
    from sklml.datasets._sources import expand_sources

    if isinstance(model, (str, Path)):
        model = load_model(model)
    if not branch or not str(branch).isidentifier():
        raise ApplyError(f"--branch must be a name of letters, digits and _, got {branch!r}")
    if not isinstance(step_size, (int, np.integer)) or step_size < 1:
        raise ApplyError(f"the chunk size must be a positive integer, got {step_size!r}")
    pairs = expand_sources([data])
    if len(pairs) != 1:
        raise ApplyError(f"{data} matches {len(pairs)} files: apply one file at a time")
    path, tree = pairs[0]
    if not Path(path).exists():
        raise ApplyError(f"no such file: {path}")
    out = Path(out)
    if out.resolve() == Path(path).resolve():
        raise ApplyError("--out must not be the input file")
    features = _features_of(model, features)
    kind, out_kind = Path(path).suffix.lower(), out.suffix.lower()
    if kind != out_kind:
        raise ApplyError(f"--out must be a {kind} file like the input, got {out.name}")
    if kind == ".root":
        return _apply_root(model, path, tree, out, branch, features, step_size)
    if kind == ".csv":
        return _apply_csv(model, path, out, branch, features, step_size)
    if kind == ".parquet":
        return _apply_parquet(model, path, out, branch, features, step_size)
    raise ApplyError(f"sklml apply reads .root, .csv and .parquet files, not {Path(path).name}")
