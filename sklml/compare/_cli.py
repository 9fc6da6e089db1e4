"""``sklml compare`` behind the command line: arguments in, leaderboard and report out."""

from __future__ import annotations

import contextlib
import sys

import numpy as np


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
    from sklml.datasets import DatasetError, load_dataset

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
    try:
        data = load_dataset(args.data, target=args.target, task=args.task,
                            random_state=args.random_state)
    except DatasetError as exc:
        raise usage_error(str(exc)) from None
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
            )
        except CompareError as exc:
            raise usage_error(str(exc)) from None
    print(result.to_text())
    print(f"({result.wall_time:.1f} s; mean ± std over {args.cv} folds, times in seconds per fold)")
    if not args.no_report:
        paths = result.write(args.out)
        report = [p for p in paths if p.name == "report.html"][0]
        print(f"report: {report}  (with leaderboard.csv and {len(paths) - 2} plot(s) in {args.out})")
    return 0 if result.best is not None else 1
