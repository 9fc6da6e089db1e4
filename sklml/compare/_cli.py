"""``sklml compare`` behind the command line: arguments in, leaderboard and report out."""

from __future__ import annotations

import contextlib
import sys

import numpy as np


def _names(text, option, usage_error):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise usage_error(f"{option} needs at least one name")
    return names


def _yields(text, usage_error):
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 2 or not all(np.isfinite(v) and v > 0 for v in values):
        raise usage_error(f"--yields takes two positive numbers S,B (expected signal and "
                          f"background events), got {text!r}")
    return values


def _load(args, usage_error):
    from sklml.datasets import DatasetError, load_dataset, load_events

    features = _names(args.features, "--features", usage_error)
    try:
        if args.signal or args.background:
            if not (args.signal and args.background):
                raise usage_error("give both --signal and --background")
            if args.data is not None or args.target is not None:
                raise usage_error("--signal/--background replace --data and --target")
            return load_events(args.signal, args.background, features=features,
                               selection=args.selection, weight=args.weight)
        data = args.data or "signal_background"
        from sklml.datasets import BUILTIN_DATASETS

        if data in BUILTIN_DATASETS and (features or args.selection or args.weight):
            raise usage_error("--features, --selection and --weight apply to data files")
        return load_dataset(data, target=args.target, task=args.task,
                            random_state=args.random_state, features=features,
                            selection=args.selection, weight=args.weight)
    except DatasetError as exc:
        raise usage_error(str(exc)) from None


def _save_best(result, data, args, usage_error):
    from sklml.compare._run import fit_final
    from sklml.io import dump

    name = result.best
    print(f"refitting {name} on all {data.n_samples} events for --save-best ...", flush=True)
    try:
        model = fit_final(data, name, random_state=args.random_state, scale=not args.no_scale,
                          negative_weights=args.negative_weights, balance=not args.no_balance)
    except Exception as exc:  # it fitted in every fold, so this is rare: report, do not crash
        print(f"sklml compare: --save-best: refitting {name} failed: "
              f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}", file=sys.stderr)
        return False
    try:
        dump(model, args.save_best)
    except OSError as exc:
        raise usage_error(f"cannot write {args.save_best}: {exc.strerror or exc}") from None
    print(f"best model {name} saved to {args.save_best} "
          f"(sklml apply {args.save_best} --data FILE.root:TREE --out OUT.root --branch NAME)")
    return True


def _subsample(data, max_samples, random_state, usage_error):
    if max_samples is None or max_samples >= data.n_samples:
        return data
    if max_samples < 2:
        raise usage_error(f"--max-samples must be at least 2, got {max_samples}")
    from sklearn.model_selection import train_test_split

    stratify = data.y if data.task == "classification" else None
    try:
        keep, _ = train_test_split(np.arange(data.n_samples), train_size=max_samples,
                                   stratify=stratify, random_state=random_state)
    except ValueError as exc:
        raise usage_error(f"--max-samples {max_samples}: {exc}") from None
    keep = np.sort(keep)
    data.description += f" (random subset of {max_samples} of {data.n_samples} rows)"
    data.X, data.y = data.X[keep], data.y[keep]
    if data.sample_weight is not None:
        data.sample_weight = data.sample_weight[keep]
    return data


@contextlib.contextmanager
def _dask_client(address, usage_error):
    try:
        from distributed import Client
    except ImportError:
        raise usage_error(
            "--backend dask needs the distributed package: pip install 'dask[distributed]'"
        ) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        first = " ".join(str(exc).split())[:200]
        raise usage_error(f"cannot connect to the Dask scheduler at {address}: {first}") from None
    try:
        yield client
    finally:
        client.close()


def run_compare(args, usage_error):
    """Run ``sklml compare`` for parsed arguments; user mistakes raise ``usage_error``."""
    from sklml.compare._run import CompareError, _check_cv, compare, select_estimators

    backend = "dask" if args.scheduler or args.backend == "dask" else "local"
    if backend == "dask" and not args.scheduler:
        raise usage_error("--backend dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    n_jobs = -1 if args.n_jobs is None else args.n_jobs
    if n_jobs == 0:
        raise usage_error("--n-jobs must not be 0")
    names = None
    if args.estimators is not None:
        names = [n.strip() for n in args.estimators.split(",") if n.strip()]
        if not names:
            raise usage_error("--estimators needs at least one registered name (see `sklml list`)")
    yields = _yields(args.yields, usage_error)
    if args.save_best:
        from pathlib import Path

        folder = Path(args.save_best).resolve().parent
        if not folder.is_dir():
            raise usage_error(f"--save-best {args.save_best}: no folder {folder}")
    data = _load(args, usage_error)
    data = _subsample(data, args.max_samples, args.random_state, usage_error)
    try:
        _check_cv(data, args.cv)
        chosen = select_estimators(data.task, names)
    except CompareError as exc:
        raise usage_error(str(exc)) from None
    if not chosen:
        kind = "classifier" if data.task == "classification" else "regressor"
        print(f"sklml compare: no {kind} is registered (see `sklml list`)", file=sys.stderr)
        return 1

    client = _dask_client(args.scheduler, usage_error) if backend == "dask" else contextlib.nullcontext()
    with client:
        print(
            f"sklml compare: {data.name}, {data.n_samples} samples x {data.n_features} features, "
            f"{data.task}; {len(chosen)} model(s), {args.cv}-fold CV"
            + (f" on Dask at {args.scheduler}" if backend == "dask" else ""),
            flush=True,
        )
        try:
            result = compare(
                data,
                estimators=[name for name, _ in chosen],
                cv=args.cv,
                n_jobs=n_jobs,
                random_state=args.random_state,
                scale=not args.no_scale,
                sort_by=args.sort,
                progress=not args.quiet,
                backend=backend,
                negative_weights=args.negative_weights,
                balance=not args.no_balance,
                yields=yields,
            )
        except CompareError as exc:
            raise usage_error(str(exc)) from None
    from sklml.compare._report import provenance_lines

    for line in provenance_lines(result):
        print(f"  {line}")
    print(result.to_text())
    print(f"({result.wall_time:.1f} s; mean ± std over {args.cv} folds, times in seconds per fold)")
    if args.save_best and result.best is not None and not _save_best(result, data, args,
                                                                     usage_error):
        return 1
    if not args.no_report:
        paths = result.write(args.out)
        report = [p for p in paths if p.name == "report.html"][0]
        print(f"report: {report}  (with leaderboard.csv and {len(paths) - 2} plot(s) in {args.out})")
    return 0 if result.best is not None else 1
