"""Event samples from ROOT trees (uproot), CSV, Parquet and HDF5, read through one path.

A *source* is ``FILE[:TREE]``: a ROOT file and a tree in it (``events.root:Events``,
``dir/tree`` for a tree in a folder), an HDF5 file and a pandas key
(``events.h5:table``), or a CSV / Parquet file. ``FILE`` may be a glob
(``mc/ttbar_*.root:Events``). Each source is read into a pandas frame with only the
columns needed, the ``--selection`` cut is applied (a pandas expression such as
``"n_jobs >= 1 and met > 20"``), and what was read is recorded as provenance.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SourceRecord", "expand_sources", "read_source", "numeric_columns", "TABLE_SUFFIXES",
           "ROOT_SUFFIXES", "HDF5_SUFFIXES"]

ROOT_SUFFIXES = (".root",)
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")
TABLE_SUFFIXES = (".csv", ".parquet") + HDF5_SUFFIXES + ROOT_SUFFIXES


@dataclass
class SourceRecord:
    """Provenance of one file read: what went into the sample of one class."""

    label: str  # "signal", "background" or "data"
    path: str
    tree: str  # ROOT tree or HDF5 key; "" for CSV / Parquet
    entries: int  # rows in the file
    selected: int  # rows that passed the selection
    sum_weights: float  # summed event weights of the selected rows (their number without --weight)

    def describe(self):
        where = f"{self.path}:{self.tree}" if self.tree else self.path
        return (f"{self.label}: {where}, {self.entries} entries, {self.selected} selected, "
                f"sum of weights {self.sum_weights:.6g}")


def _error(message):
    from sklml.datasets._loaders import DatasetError

    return DatasetError(message)


def split_spec(spec):
    """``"a.root:tree"`` -> ``("a.root", "tree")``; ``"a.csv"`` -> ``("a.csv", "")``.

    The split is at the first ``:`` that follows a known file suffix, so that a tree
    in a folder (``a.root:dir/tree``) and a path with colons elsewhere both work.
    """
    spec = str(spec)
    lowered = spec.lower()
    for suffix in TABLE_SUFFIXES:
        at = lowered.find(suffix + ":")
        if at >= 0:
            cut = at + len(suffix)
            return spec[:cut], spec[cut + 1:]
    return spec, ""


def expand_sources(specs):
    """Expand globs in ``FILE[:TREE]`` specs into ``(path, tree)`` pairs, in a stable order."""
    pairs = []
    for spec in specs:
        path, tree = split_spec(spec)
        if glob.has_magic(path):
            matches = sorted(glob.glob(path))
            if not matches:
                raise _error(f"no file matches {path}")
            pairs.extend((m, tree) for m in matches)
        else:
            pairs.append((path, tree))
    return pairs


def _kind(path):
    suffix = Path(path).suffix.lower()
    if suffix in ROOT_SUFFIXES:
        return "root"
    if suffix in HDF5_SUFFIXES:
        return "hdf5"
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise _error(f"{Path(path).name}: expected a .root, .csv, .parquet or .h5 file")


def _check_file(path):
    p = Path(path)
    if not p.exists():
        raise _error(f"no such file: {path}")
    if p.is_dir():
        raise _error(f"{path} is a directory, not a data file")


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text[:200] if text else type(exc).__name__


def open_tree(path, tree):
    """The uproot TTree ``tree`` of ``path``; the only tree when ``tree`` is empty."""
    import uproot

    _check_file(path)
    try:
        file = uproot.open(path)
    except Exception as exc:  # uproot raises many kinds on a file that is not ROOT
        raise _error(f"cannot open {path} as a ROOT file: {_one_line(exc)}") from None
    trees = [k.split(";")[0] for k, c in file.classnames().items()
             if c.startswith("TTree") or c == "ROOT::RNTuple"]
    trees = list(dict.fromkeys(trees))
    if not tree:
        if len(trees) != 1:
            raise _error(f"{path} holds {len(trees)} trees ({', '.join(trees) or 'none'}): "
                         f"name one as {path}:TREE")
        tree = trees[0]
    if tree not in trees:
        raise _error(f"no tree {tree!r} in {path} (trees: {', '.join(trees) or 'none'})")
    return file[tree], tree


def _flat_numeric(branch):
    from uproot.interpretation.numerical import AsDtype

    interp = branch.interpretation
    return (isinstance(interp, AsDtype) and interp.inner_shape == ()
            and interp.to_dtype.kind in "biuf")


def flat_numeric_names(ttree):
    """Names of the branches (TTree) or fields (RNTuple) holding one number per entry."""
    if hasattr(ttree, "branches"):  # a TTree
        return [name for name, b in ttree.items(recursive=False) if _flat_numeric(b)]
    import awkward as ak

    first = ttree.arrays(entry_stop=1)  # an RNTuple: its awkward types tell
    return [name for name in ak.fields(first)
            if isinstance(first[name].type.content, ak.types.NumpyType)
            and np.dtype(ak.types.numpytype.primitive_to_dtype(
                first[name].type.content.primitive)).kind in "biuf"]


def numeric_columns(path, tree=""):
    """Names of the flat numeric branches (ROOT) or numeric columns of a source."""
    kind = _kind(path)
    if kind == "root":
        ttree, _ = open_tree(path, tree)
        return flat_numeric_names(ttree)
    frame = _read_frame(path, tree, None)
    return [c for c in frame.columns if _is_numeric(frame[c])]


def _is_numeric(series):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_complex_dtype(series)


def _read_frame(path, key, columns):
    """A CSV, Parquet or HDF5 source as a pandas frame (only ``columns`` when given)."""
    import pandas as pd

    from sklml.datasets._loaders import DatasetError

    _check_file(path)
    kind = _kind(path)
    try:
        if kind == "csv":
            frame = pd.read_csv(path)
        elif kind == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise _error(f"reading {Path(path).name} needs pyarrow (pip install pyarrow)"
                             ) from None
            frame = pd.read_parquet(path)
        else:
            frame = _read_hdf(path, key)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _error(f"cannot read {path} as CSV: {_one_line(exc)}") from None
    except DatasetError:
        raise
    except Exception as exc:  # pyarrow and PyTables raise their own kinds on a damaged file
        raise _error(f"cannot read {path}: {_one_line(exc)}") from None
    frame.columns = [str(c) for c in frame.columns]
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise _error(f"no column {missing[0]!r} in {path} "
                         f"(columns: {', '.join(list(frame.columns)[:20])})")
        frame = frame[list(columns)]
    return frame


def _read_hdf(path, key):
    import pandas as pd

    try:
        import tables  # noqa: F401
    except ImportError:
        raise _error(f"reading {Path(path).name} needs PyTables (pip install tables)") from None
    with pd.HDFStore(path, mode="r") as store:
        keys = [k.lstrip("/") for k in store.keys()]
        if not key:
            if len(keys) != 1:
                raise _error(f"{path} holds {len(keys)} tables ({', '.join(keys) or 'none'}): "
                             f"name one as {path}:KEY")
            key = keys[0]
        if key.lstrip("/") not in keys:
            raise _error(f"no key {key!r} in {path} (keys: {', '.join(keys) or 'none'})")
        return store[key]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _names_in(expression, available):
    """Columns an expression mentions (words of it that are column names)."""
    return [w for w in dict.fromkeys(_NAME.findall(expression)) if w in available]


def apply_selection(frame, selection, where):
    """Rows of ``frame`` passing ``selection`` (a pandas expression); a clear error otherwise."""
    if not selection:
        return np.ones(len(frame), dtype=bool)
    try:
        mask = frame.eval(selection)
    except Exception as exc:  # pandas raises many kinds for a bad expression
        raise _error(f"cannot apply --selection {selection!r} to {where}: {_one_line(exc)}"
                     ) from None
    mask = np.asarray(mask)
    if mask.shape != (len(frame),) or mask.dtype != bool:
        raise _error(f"--selection {selection!r} is not a true/false condition on each event")
    return mask


def read_source(path, tree, columns, *, selection=None, label="data", weight=None):
    """Read ``columns`` of one source, apply ``selection``; return (frame, SourceRecord).

    Parameters
    ----------
    path, tree : str
        The file and its tree (ROOT) or key (HDF5); ``tree`` may be empty when the
        file holds only one.
    columns : list of str or None
        Columns to keep; None keeps every flat numeric one (plus anything else for
        tables, which :func:`load_dataset` then checks).
    selection : str, optional
        A pandas expression evaluated on the source's columns.
    label : str
        ``"signal"``, ``"background"`` or ``"data"`` for the provenance.
    weight : str, optional
        The weight column (summed for the provenance).
    """
    kind = _kind(path)
    if kind == "root":
        ttree, tree = open_tree(path, tree)
        available = flat_numeric_names(ttree)
        keys = list(ttree.keys())
        wanted = list(available) if columns is None else list(columns)
        if selection:
            wanted += [n for n in _names_in(selection, keys) if n not in wanted]
        missing = [c for c in wanted if c not in keys]
        if missing:
            raise _error(f"no branch {missing[0]!r} in {path}:{tree} "
                         f"(branches: {', '.join(keys[:20])})")
        not_flat = [c for c in wanted if c not in available]
        if not_flat:
            raise _error(f"branch {not_flat[0]!r} of {path}:{tree} is not a flat number per "
                         "event: pick flat numeric branches")
        import pandas as pd

        try:
            arrays = ttree.arrays(wanted, library="np")
        except Exception as exc:
            raise _error(f"cannot read {path}:{tree}: {_one_line(exc)}") from None
        frame = pd.DataFrame({c: arrays[c] for c in wanted})
    else:
        frame = _read_frame(path, tree, None)
        if columns is not None:
            wanted = list(columns)
            if selection:
                wanted += [n for n in _names_in(selection, frame.columns) if n not in wanted]
            missing = [c for c in wanted if c not in frame.columns]
            if missing:
                raise _error(f"no column {missing[0]!r} in {path} "
                             f"(columns: {', '.join(list(frame.columns)[:20])})")
            frame = frame[wanted]
    where = f"{path}:{tree}" if tree else str(path)
    entries = len(frame)
    mask = apply_selection(frame, selection, where)
    frame = frame[mask].reset_index(drop=True)
    if columns is not None:
        frame = frame[list(columns)]
    if weight is not None and weight in frame.columns:
        sum_weights = float(np.sum(frame[weight].to_numpy(dtype=np.float64)))
    else:
        sum_weights = float(len(frame))
    return frame, SourceRecord(label, str(path), tree, entries, int(mask.sum()), sum_weights)
