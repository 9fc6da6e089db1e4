"""Estimator registry over the entry-point group ``sklml.estimators``.

Every estimator, sklml's own included, is registered as an entry point whose
name is the class name::

    [project.entry-points."sklml.estimators"]
    DecisionTreeClassifier = "sklml.tree:DecisionTreeClassifier"

Discovery reads the installed distributions' metadata only; a class is imported
the first time it is asked for and then cached.  A plugin that fails to import,
or that does not point at an estimator class, is skipped and reported by
:func:`load_errors`; it never breaks the others.  A name registered by two
distributions is reported as a conflict: sklml's own registration wins if it is
one of them, otherwise the name stays unresolved and each registration is
reachable under its qualified name ``"distribution:Name"``.

This module imports nothing heavy at import time (no scikit-learn, numba or
torch), so ``import sklml`` stays cheap.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import inspect
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "GROUP",
    "KINDS",
    "Registration",
    "LoadError",
    "registrations",
    "all_estimators",
    "get_estimator",
    "load_errors",
    "estimator_kind",
    "clear_cache",
    "trusted_types",
]

GROUP = "sklml.estimators"
KINDS = ("classifier", "regressor", "transformer", "agent")
OWN_DISTRIBUTION = "sklml"


class LoadError(NamedTuple):
    """One registration that could not be used."""

    name: str
    distribution: str
    error: str


@dataclass(frozen=True)
class Registration:
    """One entry point of the group, read from metadata without importing it."""

    name: str
    value: str
    distribution: str
    version: str

    @property
    def qualified_name(self):
        return f"{self.distribution}:{self.name}"


_cache = {
    "registrations": None,  # name -> list[Registration]
    "classes": {},  # qualified name -> class
    "errors": {},  # qualified name -> LoadError
}


def clear_cache():
    """Forget discovered entry points and imported classes.

    Call it after installing a plugin (or changing ``sys.path``) in a running
    process.
    """
    importlib.invalidate_caches()
    _cache["registrations"] = None
    _cache["classes"].clear()
    _cache["errors"].clear()


def _distribution_of(ep):
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "unknown", ""
    return dist.metadata["Name"] or "unknown", dist.version or ""


def registrations():
    """Map each registered name to its registrations, reading metadata only.

    Returns
    -------
    dict of str to list of Registration
        Usually one registration per name; more than one is a conflict.
    """
    if _cache["registrations"] is None:
        found = {}
        seen = set()
        for ep in importlib.metadata.entry_points(group=GROUP):
            dist, version = _distribution_of(ep)
            key = (ep.name, dist.lower().replace("_", "-"))
            if key in seen:  # the same distribution seen twice on sys.path
                continue
            seen.add(key)
            found.setdefault(ep.name, []).append(
                Registration(ep.name, ep.value, dist, version)
            )
        _cache["registrations"] = {
            name: sorted(regs, key=lambda r: r.distribution.lower())
            for name, regs in sorted(found.items())
        }
    return _cache["registrations"]


def _resolve(name):
    """The registration that ``name`` stands for, or None with the reason."""
    regs = registrations()
    if ":" in name:
        dist, _, short = name.partition(":")
        for reg in regs.get(short, []):
            if reg.distribution.lower() == dist.lower():
                return reg, None
        return None, None
    candidates = regs.get(name, [])
    if len(candidates) == 1:
        return candidates[0], None
    if len(candidates) > 1:
        own = [r for r in candidates if r.distribution.lower() == OWN_DISTRIBUTION]
        if own:
            return own[0], None
        dists = ", ".join(r.distribution for r in candidates)
        return None, (
            f"{name!r} is registered by more than one distribution ({dists}); "
            f"ask for one of {[r.qualified_name for r in candidates]}"
        )
    return None, None


def _load(reg):
    """Import the class behind a registration; None (and a LoadError) on failure."""
    key = reg.qualified_name
    if key in _cache["classes"]:
        return _cache["classes"][key]
    if key in _cache["errors"]:
        return None
    try:
        module_name, _, attr = reg.value.partition(":")
        obj = importlib.import_module(module_name.strip())
        for part in attr.strip().split(".") if attr.strip() else []:
            obj = getattr(obj, part)
        problem = _not_an_estimator_class(obj)
    except Exception as exc:  # a broken plugin must never break the others
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        _cache["errors"][key] = LoadError(reg.name, reg.distribution, problem)
        return None
    _cache["classes"][key] = obj
    return obj


def _not_an_estimator_class(obj):
    if not inspect.isclass(obj):
        return f"{obj!r} is not a class (a {type(obj).__name__})"
    if not (hasattr(obj, "fit") and hasattr(obj, "get_params")):
        return f"{obj.__module__}.{obj.__qualname__} is not an estimator (no fit/get_params)"
    return None


def estimator_kind(cls):
    """The kinds of an estimator class, a subset of :data:`KINDS`.

    Decided from scikit-learn's mixins, the ``estimator_type`` tag and, for
    reinforcement-learning agents, an ``act`` method.
    """
    from sklearn.base import ClassifierMixin, RegressorMixin, TransformerMixin

    kinds = []
    if issubclass(cls, ClassifierMixin):
        kinds.append("classifier")
    if issubclass(cls, RegressorMixin):
        kinds.append("regressor")
    if issubclass(cls, TransformerMixin) or hasattr(cls, "transform"):
        kinds.append("transformer")
    if callable(getattr(cls, "act", None)):
        kinds.append("agent")
    if not kinds:
        try:
            from sklearn.utils import get_tags

            est_type = get_tags(cls()).estimator_type
        except Exception:
            est_type = None
        if est_type in ("classifier", "regressor"):
            kinds.append(est_type)
    return kinds


def _check_type_filter(type_filter):
    if type_filter is None:
        return None
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = [f for f in filters if f not in KINDS]
    if unknown:
        raise ValueError(
            f"type_filter must be None or one of {list(KINDS)} (or a list of "
            f"them); got {type_filter!r}"
        )
    return filters


def all_estimators(type_filter=None):
    """All registered estimators, sklml's and third parties', sorted by name.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "agent"} or list of them, default=None
        Keep only estimators of these kinds (any of them, as in
        :func:`sklearn.utils.discovery.all_estimators`).

    Returns
    -------
    list of (str, type)
        Name and class. Registrations that fail to load are left out and
        reported by :func:`load_errors`.

    Examples
    --------
    >>> from sklml import all_estimators
    >>> isinstance(all_estimators(), list)
    True
    """
    filters = _check_type_filter(type_filter)
    result = []
    for name in registrations():
        reg, _ = _resolve(name)
        if reg is None:
            continue
        cls = _load(reg)
        if cls is None:
            continue
        if filters is not None and not set(estimator_kind(cls)) & set(filters):
            continue
        result.append((name, cls))
    return result


def get_estimator(name):
    """The estimator class registered under ``name``.

    Parameters
    ----------
    name : str
        The entry-point name (the class name), or ``"distribution:Name"`` to pick
        one of several distributions registering the same name.

    Returns
    -------
    type

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    KeyError
        If nothing usable is registered under ``name``; the message lists close
        matches, or the load error.
    """
    if not isinstance(name, str):
        raise TypeError(f"estimator name must be a str, got {type(name).__name__}: {name!r}")
    reg, conflict = _resolve(name)
    if conflict:
        raise KeyError(conflict)
    if reg is None:
        close = difflib.get_close_matches(name, list(registrations()), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no estimator registered as {name!r}{hint}")
    cls = _load(reg)
    if cls is None:
        err = _cache["errors"][reg.qualified_name]
        raise KeyError(f"estimator {name!r} from {err.distribution} failed to load: {err.error}")
    return cls


def load_errors():
    """Registrations that could not be used, after trying to load all of them.

    Returns
    -------
    list of LoadError
        ``(name, distribution, error)`` for each plugin that failed to import,
        does not point at an estimator class, or conflicts with another
        distribution's registration of the same name.
    """
    errors = []
    for name, regs in registrations().items():
        for reg in regs:
            _load(reg)
        _, conflict = _resolve(name)
        if len(regs) > 1:
            winner = "" if conflict else f"; using {_resolve(name)[0].qualified_name}"
            errors.append(
                LoadError(
                    name,
                    ", ".join(r.distribution for r in regs),
                    f"registered by {len(regs)} distributions{winner}",
                )
            )
    errors.extend(_cache["errors"].values())
    return sorted(errors)


TRUSTED_TYPES_GROUP = "sklml.trusted_types"


def trusted_types():
    """Type names that ``sklml.io.load`` trusts on behalf of installed plugins.

    A plugin's registered estimator classes are trusted; other types its
    fitted estimators hold (a node class, a helper function) are declared in
    the entry-point group ``sklml.trusted_types``, each entry pointing at a
    list of fully qualified names (or of the types themselves)::

        [project.entry-points."sklml.trusted_types"]
        my_package = "my_package:TRUSTED_TYPES"

    An entry that fails to load is reported by :func:`load_errors` and
    trusts nothing.

    Returns
    -------
    list of str
    """
    names = set()
    for name, regs in registrations().items():
        for reg in regs:
            if reg.distribution.lower() == OWN_DISTRIBUTION:
                continue
            cls = _load(reg)
            if cls is not None:
                names.add(f"{cls.__module__}.{cls.__qualname__}")
    for ep in importlib.metadata.entry_points(group=TRUSTED_TYPES_GROUP):
        dist, _ = _distribution_of(ep)
        key = f"{dist}:{ep.name}"
        if key in _cache["errors"]:
            continue
        try:
            declared = ep.load()
            if callable(declared) and not isinstance(declared, type):
                declared = declared()
            for item in declared:
                names.add(item if isinstance(item, str)
                          else f"{item.__module__}.{item.__qualname__}")
        except Exception as exc:  # a broken plugin must never break loading
            _cache["errors"][key] = LoadError(ep.name, dist, f"{TRUSTED_TYPES_GROUP}: "
                                              f"{type(exc).__name__}: {exc}")
    return sorted(names)
