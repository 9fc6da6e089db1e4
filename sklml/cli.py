"""The ``sklml`` command: ``list``, ``check``, ``compare`` (the main job), ``apply`` and ``bench``.

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


def _add_compare(sub):
    p = sub.add_parser(
        "compare",
        help="cross-validate every registered model on a dataset and rank them",
        description=(
            "Cross-validate every registered classifier (or regressor) on a dataset, print a "
            "leaderboard and write leaderboard.csv, PNG plots and report.html to --out. "
            "With no argument: 5,000 simulated collider events (signal_background)."
        ),
    )
    p.add_argument("--data", default=None, metavar="NAME|PATH",
                   help="signal_background (default), iris, digits, breast_cancer, wine, "
                   "diabetes, or a file: .csv, .parquet, FILE.root:TREE, FILE.h5:KEY")
    p.add_argument("--target", metavar="COLUMN", help="target column (branch) of a data file")
    p.add_argument("--signal", action="append", metavar="FILE[:TREE]",
                   help="signal events (ROOT tree, CSV, Parquet, HDF5); repeat it or use globs")
    p.add_argument("--background", action="append", metavar="FILE[:TREE]",
                   help="background events, as --signal")
    p.add_argument("--features", metavar="A,B,...",
                   help="feature branches (default: every flat numeric one but target and weight)")
    p.add_argument("--selection", metavar="EXPR",
                   help='cut applied before training, e.g. "n_jets >= 1 and met > 20"')
    p.add_argument("--weight", metavar="BRANCH", help="event-weight branch (column)")
    p.add_argument("--negative-weights", choices=("ignore", "abs", "keep"), default="ignore",
                   help="events of negative weight in training: left out (ignore, default, as "
                   "TMVA), |w| (abs) or kept (keep); always kept in the evaluation")
    p.add_argument("--no-balance", action="store_true",
                   help="train with the signal and background yields as they are (default: "
                   "reweighted to equal total weight)")
    p.add_argument("--yields", metavar="S,B",
                   help="expected signal and background events after the selection: adds the "
                   "best cut and its Asimov significance")
    p.add_argument("--save-best", metavar="PATH",
                   help="refit the best model on all events and save it (skops format) for "
                   "`sklml apply`")
    p.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="for data files: guess from the target (default) or force")
    p.add_argument("--estimators", metavar="NAME,...",
                   help="registered names to compare (default: all that fit the task)")
    p.add_argument("--cv", type=int, default=5, metavar="K", help="number of folds (default 5)")
    p.add_argument("--n-jobs", type=int, default=None, metavar="N",
                   help="folds fitted in parallel (default -1: all cores, or all Dask workers)")
    p.add_argument("--backend", choices=("local", "dask"), default="local",
                   help="dask: run the folds on a Dask cluster (needs --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://10.0.0.1:8786 (implies --backend dask)")
    p.add_argument("--out", default="sklml_report", metavar="DIR",
                   help="folder for leaderboard.csv, the plots and report.html (default sklml_report)")
    p.add_argument("--no-report", action="store_true", help="print the leaderboard only")
    p.add_argument("--sort", metavar="METRIC",
                   help="sort by this metric (default roc_auc for two classes, accuracy for "
                   "more, r2 for regression)")
    p.add_argument("--max-samples", type=int, metavar="N",
                   help="use a stratified random subset of N rows (quicker on big files)")
    p.add_argument("--no-scale", action="store_true",
                   help="do not standardise the features before each model")
    p.add_argument("--random-state", type=int, default=0, metavar="SEED", help="seed of folds and models")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args):
    from sklml.compare._cli import run_compare

    return run_compare(args, UsageError)


def _add_bench(sub):
    p = sub.add_parser(
        "bench",
        help="run the benchmarks of a source checkout (benchmarks/bench_*.py)",
        description="Run benchmarks/bench_FAMILY.py scripts of a source checkout; each prints "
        "the speed of sklml's code against its anchor as a ratio.",
    )
    p.add_argument("families", nargs="*", metavar="FAMILY",
                   help="families to benchmark (default: all that have a script)")
    p.add_argument("--quick", action="store_true", help="pass --quick to each script")
    p.set_defaults(func=_cmd_bench)


def _cmd_bench(args):
    import subprocess
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    scripts = {p.stem[len("bench_"):]: p for p in sorted(folder.glob("bench_*.py"))}
    if not scripts:
        raise UsageError(f"no benchmarks/bench_*.py next to the sklml package ({folder}): "
                         "the benchmarks ship with the source checkout, not the wheel")
    unknown = [f for f in args.families if f not in scripts]
    if unknown:
        raise UsageError(f"no benchmark for {', '.join(unknown)}; have: {', '.join(scripts)}")
    status = 0
    for family in args.families or list(scripts):
        print(f"== {family}: {scripts[family].name}", flush=True)
        cmd = [sys.executable, str(scripts[family])] + (["--quick"] if args.quick else [])
        status = max(status, subprocess.run(cmd, cwd=folder.parent).returncode)
    return 1 if status else 0


# Later subcommands append a function taking the subparsers.
_EXTRA_COMMANDS = [_add_compare, _add_bench]


def _add_export(sub):
    from sklml.onnx._cli import add_export

    add_export(sub).set_defaults(func=_cmd_export)


def _cmd_export(args):
    from sklml.onnx._cli import run_export

    return run_export(args, UsageError)


_EXTRA_COMMANDS.append(_add_export)


def _add_apply(sub):
    p = sub.add_parser(
        "apply",
        help="write a saved model's score of every event into a copy of a ROOT tree or table",
        description="Evaluate a model saved by `sklml compare --save-best` on every entry of "
        "a ROOT tree (or CSV/Parquet file), in chunks, and write the original branches plus "
        "the score to --out.",
    )
    p.add_argument("model", metavar="MODEL", help="model file written by --save-best")
    p.add_argument("--data", required=True, metavar="FILE[:TREE]",
                   help="FILE.root:TREE, FILE.csv or FILE.parquet")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write (same kind)")
    p.add_argument("--branch", required=True, metavar="NAME", help="name of the score branch")
    p.add_argument("--features", metavar="A,B,...",
                   help="the model's input branches (default: the names it was fitted with)")
    p.add_argument("--step-size", type=int, default=100_000, metavar="N",
                   help="events per chunk (default 100000)")
    p.set_defaults(func=_cmd_apply)


def _cmd_apply(args):
    from sklml.compare._apply import ApplyError, apply_model

    features = [f.strip() for f in args.features.split(",") if f.strip()] if args.features \
        else None
    try:
        summary = apply_model(args.model, args.data, args.out, args.branch, features=features,
                              step_size=args.step_size)
    except ApplyError as exc:
        raise UsageError(str(exc)) from None
    where = f"{summary.out}:{summary.tree}" if summary.tree else summary.out
    print(f"sklml apply: {summary.entries} events in {summary.chunks} chunk(s) -> {where} "
          f"(branch {args.branch!r} from {', '.join(summary.features)})")
    return 0


_EXTRA_COMMANDS.append(_add_apply)


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
