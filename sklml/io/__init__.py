"""Safe persistence of fitted estimators on skops: loading never runs code.

``pickle`` (and ``joblib``) files run whatever code they carry when loaded.
:func:`dump` writes a `skops <https://skops.readthedocs.io>`_ archive instead
(numpy arrays plus a JSON description of the objects), and :func:`load`
builds the estimator back only from types it trusts: sklml's, scikit-learn's,
numpy's and the safe types of the libraries sklml wraps (see
:mod:`sklml.io._trust`), plus what installed plugins register through
:func:`sklml.registry.trusted_types`.  Anything else is refused, with the list
of the types that would have to be trusted.

Torch models are written as tensors (numpy arrays) plus their modules'
attributes, never as a pickle; they load on a CPU-only machine.  The archive
records the sklml version that wrote it; a file from a newer major version
loads with a :class:`FormatVersionWarning`.

Examples
--------
>>> import os, tempfile
>>> from sklearn.datasets import load_iris
>>> from sklml.tree import DecisionTreeClassifier
>>> import sklml.io
>>> X, y = load_iris(return_X_y=True)
>>> clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
>>> path = os.path.join(tempfile.mkdtemp(), "tree.skops")
>>> sklml.io.dump(clf, path)
>>> bool((sklml.io.load(path).predict(X) == clf.predict(X)).all())
True
"""

from __future__ import annotations

import io as _io
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import skops
import skops.io as _skops_io
from skops.io.exceptions import UntrustedTypesFoundException

from . import _nodes
from ._trust import is_trusted_by_default

__all__ = [
    "dump",
    "dumps",
    "load",
    "loads",
    "convert_pickle",
    "get_untrusted_types",
    "FORMAT_VERSION",
    "FormatVersionWarning",
    "PickleFileError",
    "UntrustedTypesError",
]

#: version of sklml's layer on top of skops' format (the ``sklml.json`` member)
FORMAT_VERSION = 1
META_NAME = "sklml.json"
_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck", ".p")


class FormatVersionWarning(UserWarning):
    """The file was written by a newer major version of sklml."""


class UntrustedTypesError(UntrustedTypesFoundException):
    """The file needs types that are not trusted (a ``TypeError``, and skops'
    ``UntrustedTypesFoundException``); ``untrusted`` lists them."""

    def __init__(self, untrusted, path):
        self.untrusted = sorted(untrusted)
        TypeError.__init__(
            self,
            f"{str(path)!r} needs types that sklml does not trust: {self.untrusted}. "
            "Loading them could run code. Check where the file comes from; if you trust "
            f"it, pass trusted={self.untrusted!r} to sklml.io.load.")


class PickleFileError(ValueError):
    """:func:`load` was given a pickle (or joblib) file, which it never opens."""


def _sklml_version():
    import sklml

    return sklml.__version__


def _check_fitted(estimator):
    from sklearn.utils.validation import check_is_fitted

    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise TypeError(
            f"sklml.io.dump saves fitted estimators, got a {type(estimator).__name__}")
    check_is_fitted(estimator)  # NotFittedError names the estimator


def dumps(estimator):
    """The archive :func:`dump` writes, as bytes.

    Parameters
    ----------
    estimator : fitted estimator
        An sklml, scikit-learn or plugin estimator, a pipeline or a search around them.

    Returns
    -------
    bytes
    """
    _check_fitted(estimator)
    _nodes.register_save_hooks()
    data = _skops_io.dumps(estimator, compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    unnamed = _unnamed_callables(data)
    if unnamed:  # functions are stored by name: these could never be loaded
        raise TypeError(
            f"{type(estimator).__name__} holds {unnamed}: lambdas and functions defined "
            "inside other functions cannot be saved (a file stores a function by its "
            "import path); use a function defined at module level")
    buffer = _io.BytesIO(data)
    meta = {
        "format_version": FORMAT_VERSION,
        "sklml_version": _sklml_version(),
        "skops_version": skops.__version__,
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
    }
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(META_NAME, json.dumps(meta, indent=2))
    return buffer.getvalue()


def _unnamed_callables(data):
    """Types and functions in the archive that have no import path."""
    with zipfile.ZipFile(_io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    found, stack = set(), [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            name = node.get("__class__")
            if isinstance(name, str) and "<" in name:
                found.add(f"{node.get('__module__')}.{name}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(found)


def dump(estimator, path):
    """Write a fitted estimator to a skops archive at ``path``.

    Parameters
    ----------
    estimator : fitted estimator
        An sklml, scikit-learn or plugin estimator, or a ``Pipeline`` or
        ``GridSearchCV`` around them.  Torch models are written as tensors,
        boosters in XGBoost's and CatBoost's own binary formats.
    path : str or path-like
        The file to write (by convention ``.skops``).  It is written whole or
        not at all.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted (nothing is written).
    TypeError
        If ``estimator`` is not an estimator, or holds an object skops cannot
        save (for example a lambda).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklml.linear_model import GDRegressor
    >>> import sklml.io
    >>> reg = GDRegressor(random_state=0).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    >>> sklml.io.dump(reg, os.path.join(tempfile.mkdtemp(), "reg.skops"))
    """
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: no folder {str(path.parent)!r}")
    data = dumps(estimator)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _looks_like_pickle(head, path):
    # protocol 2+ starts with PROTO (0x80); joblib's compressed files with zlib
    # or other compressor magic; older protocols are recognised by the name only
    return head[:1] == b"\x80" or head[:2] in (b"\x78\x9c", b"\x78\x01", b"\x78\xda") or (
        str(path).lower().endswith(_PICKLE_SUFFIXES))


def _read_archive(path):
    """The bytes of a skops archive at ``path`` and its sklml metadata (or None)."""
    if isinstance(path, (bytes, bytearray)):
        raise TypeError("sklml.io.load takes a path; for bytes use sklml.io.loads")
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a directory, not a skops file")
    data = path.read_bytes()
    return _read_bytes(data, path)


def _read_bytes(data, path="<bytes>"):
    if data[:4] != _ZIP_MAGIC:
        if _looks_like_pickle(data[:4], path):
            raise PickleFileError(
                f"{str(path)!r} is a pickle (or joblib) file. sklml.io.load does not open "
                "pickles: loading one runs whatever code it contains, so a file from "
                "someone else can take over your account. If you made this file "
                "yourself or fully trust where it comes from, convert it once with "
                "sklml.io.convert_pickle(src, dst) and load the converted file.")
        raise ValueError(f"{str(path)!r} is not a skops archive (not a zip file)")
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "schema.json" not in names:
                raise ValueError(
                    f"{str(path)!r} is a zip file but not a skops archive (no schema.json)")
            meta = json.loads(archive.read(META_NAME)) if META_NAME in names else None
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{str(path)!r} is not a valid skops archive: {exc}") from None
    if meta is not None and not isinstance(meta, dict):
        raise ValueError(f"{str(path)!r} has a malformed {META_NAME}")
    _warn_if_newer(meta, path)
    return data, meta


def _major(version):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return None


def _warn_if_newer(meta, path):
    if not meta:
        return
    theirs, ours = meta.get("sklml_version"), _sklml_version()
    if _major(theirs) is not None and _major(theirs) > _major(ours):
        warnings.warn(
            f"{str(path)!r} was written by sklml {theirs}, a newer major version than "
            f"this sklml {ours}; it may not load or predict correctly. Upgrade sklml.",
            FormatVersionWarning, stacklevel=3)


def _plugin_trusted_types():
    from sklml.registry import trusted_types

    return frozenset(trusted_types())


def _split_untrusted(data, trusted):
    """The types the file needs, split into (accepted, refused)."""
    from skops.io._utils import get_type_paths

    needed = _skops_io.get_untrusted_types(data=data)
    given = set(get_type_paths(trusted)) if trusted else set()
    plugins = _plugin_trusted_types()
    refused = [t for t in needed if t not in given and not is_trusted_by_default(t, plugins)]
    return needed, refused


def get_untrusted_types(path, trusted=None):
    """The types in the file at ``path`` that :func:`load` would refuse.

    Parameters
    ----------
    path : str or path-like
    trusted : list of str or type, default=None
        Types to accept besides the default trusted ones.

    Returns
    -------
    list of str
        Fully qualified names, empty when the file loads as it is.
    """
    data, _ = _read_archive(path)
    return _split_untrusted(data, trusted)[1]


def loads(data, trusted=None):
    """:func:`load` from the bytes of an archive (see :func:`dumps`)."""
    data, _ = _read_bytes(bytes(data))
    return _load_checked(data, trusted, "<bytes>")


def load(path, trusted=None):
    """Load an estimator written by :func:`dump` (or any skops archive).

    Parameters
    ----------
    path : str or path-like
    trusted : list of str or type, default=None
        Types to accept besides those sklml trusts by default (sklml's,
        scikit-learn's, numpy's, the wrapped libraries' safe types and the
        plugins' registered ones), as for ``skops.io.load``.  Only add types
        from a source you trust.

    Returns
    -------
    estimator

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    PickleFileError
        If the file is a pickle or joblib file (a ``ValueError``); the message
        explains :func:`convert_pickle`.
    ValueError
        If the file is not a skops archive.
    UntrustedTypesError
        If the file needs types that are not trusted (a ``TypeError``, and a
        subclass of skops' ``UntrustedTypesFoundException``); the message lists them.

    Warns
    -----
    FormatVersionWarning
        If a newer major version of sklml wrote the file.
    """
    data, _ = _read_archive(path)
    return _load_checked(data, trusted, path)


def _load_checked(data, trusted, path):
    """skops' ``loads`` (read the tree, audit it, build it) with sklml's audit,
    in one pass over the archive."""
    from skops.io._audit import get_tree
    from skops.io._utils import get_type_paths, read_schema

    given = set(get_type_paths(trusted)) if trusted else set()
    plugins = None
    with zipfile.ZipFile(_io.BytesIO(data)) as archive:
        schema, context = read_schema(archive)
        tree = get_tree(schema, context, trusted=None)
        refused = []
        for name in sorted(tree.get_unsafe_set() - given):
            if plugins is None and not is_trusted_by_default(name):
                plugins = _plugin_trusted_types()  # reads installed metadata: only if needed
            if not is_trusted_by_default(name, plugins or frozenset()):
                refused.append(name)
        if refused:
            raise UntrustedTypesError(refused, path)
        return tree.construct()


def convert_pickle(src, dst):
    """Convert a pickle or joblib file that you trust into a skops archive.

    Loading the pickle runs any code it contains: use this only on a file you
    made yourself or whose source you trust completely.  The result is then
    safe to share and to open with :func:`load`.

    Parameters
    ----------
    src : str or path-like
        The pickle (``pickle.dump``) or joblib (``joblib.dump``) file.
    dst : str or path-like
        The skops archive to write.

    Returns
    -------
    estimator
        The estimator read from ``src``.
    """
    import joblib

    src = Path(os.fspath(src))
    if not src.exists():
        raise FileNotFoundError(f"no such file: {str(src)!r}")
    estimator = joblib.load(src)
    dump(estimator, dst)
    return estimator
