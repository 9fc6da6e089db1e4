"""The ``sklml`` command: ``list``, ``check`` (and the main job, ``compare``).

Each subcommand is a small function taking the parsed arguments and returning
an exit code. A user's mistake raises :class:`UsageError`, printed as one line
with exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "UsageError"]


class UsageError(Exception):
    """A mistake of the user's: printed as one line, exit code 2."""


def _cmd_list(args):
    from sklml.registry import estimator_kind, load_errors, registrations, _load, _resolve

    rows = []
    for name in registrations():
        reg, _ = _resolve(name)
        if reg is None:
            continue
        cls = _load(reg)
        if cls is None:
            continue
        kind = ",".join(estimator_kind(cls)) or "-"
        rows.append((name, kind, f"{reg.distribution} {reg.version}".strip()))
    if rows:
        widths = [max(len(r[i]) for r in rows + [("name", "kind", "distribution")]) for i in range(3)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        print(fmt.format("name", "kind", "distribution"))
        for row in rows:
            print(fmt.format(*row))
    else:
        print("no estimators registered")
    errors = load_errors()
    if errors:
        print(f"\n{len(errors)} load error(s):")
        for err in errors:
            print(f"  {err.name} ({err.distribution}): {err.error}")
    return 0


def _cmd_check(args):
    from sklml.registry import get_estimator
    from sklml.testing import check_plugin

    try:
        cls = get_estimator(args.name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    report = check_plugin(cls)
    print(report)
    return 0 if report.ok else 1


def build_parser():
    """The argument parser of the ``sklml`` command."""
    from sklml import __version__

    parser = argparse.ArgumentParser(
        prog="sklml", description="Classic machine learning behind one scikit-learn interface."
    )
    parser.add_argument("--version", action="version", version=f"sklml {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list registered estimators and load errors")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("check", help="run scikit-learn's checks on a registered estimator")
    p.add_argument("name", help="registered name, e.g. DecisionTreeClassifier")
    p.set_defaults(func=_cmd_check)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Later subcommands (compare, bench) append a function taking the subparsers.
_EXTRA_COMMANDS = []


def main(argv=None):
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"sklml: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
