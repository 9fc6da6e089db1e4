"""sklml.ensemble against scikit-learn (and XGBoost) on the issue's data, in one run.

    python benchmarks/bench_ensemble.py            # the issues' figures (~4 minutes)
    python benchmarks/bench_ensemble.py --quick    # 20,000 rows, a smoke run

Data: ``make_classification(100,000, 28, n_informative=20)`` (or
``make_regression`` for the regressors), float32, 75% train.  Every side of a
comparison is timed the same way: one warm-up fit on 500 rows (compile or
cache load for us, import warm-up for the others), then the median of
``--repeat`` fits (3), wall-clock and CPU time (``time.process_time``: every
thread of this process).  Each line prints the wall ratio and the CPU ratio;
the targets of issues #22 and #14 are judged on the wall ratio on a quiet
machine (on a loaded one the CPU ratio is the fairer figure, and the lines
say which target they carry).  The load average is printed with the figures.
Under each forest: its pickled size, its CPU time per tree (binning
included) and, for the random forest, what ``oob_score=True`` adds to our fit.
"""

import argparse
import os
import pickle
import time

import numpy as np


def median_fit(make, X, y, repeat):
    """Median wall and CPU seconds of ``repeat`` fits, and the last model."""
    walls, cpus = [], []
    model = None
    for _ in range(repeat):
        model = make()
        t, c = time.perf_counter(), time.process_time()
        model.fit(X, y)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return float(np.median(walls)), float(np.median(cpus)), model


def oob_cost(make, X, y, t_plain, c_plain, repeat):
    """What ``oob_score=True`` adds to our forest's fit (a figure, no target)."""
    load = os.getloadavg()[0]
    t, c, model = median_fit(lambda: make().set_params(oob_score=True), X, y, repeat)
    print(f"{'  + oob_score=True':<34} ours {t:7.2f} s  (+{t - t_plain:.2f} s wall, "
          f"+{c - c_plain:.2f} s CPU over the plain fit)  oob_score_ "
          f"{model.oob_score_:.4f}  load {load:.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import xgboost
    from sklearn import ensemble as skens
    from sklearn.datasets import make_classification, make_regression
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split

    from sklml.ensemble import (
        AdaBoostClassifier,
        AdaBoostRegressor,
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        RandomForestClassifier,
    )

    n = 20_000 if args.quick else 100_000
    n_r2 = 20_000 if args.quick else 30_000
    repeat = 1 if args.quick else args.repeat
    X, y = make_classification(n_samples=n, n_features=28, n_informative=20,
                               random_state=0)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
    Xr, yr = make_regression(n_samples=n, n_features=28, noise=10.0, random_state=0)
    Xr = Xr.astype(np.float32)
    Rtr, Rte, rtr, rte = train_test_split(Xr, yr, test_size=0.25, random_state=0)
    print(f"sklml.ensemble vs sklearn.ensemble / XGBoost: make_classification({n}, 28, "
          f"n_informative=20) and make_regression({n}, 28), float32, 75% train, "
          f"{os.cpu_count()} CPUs, median of {repeat} fits per side; "
          f"load average {os.getloadavg()[0]:.2f}")

    acc = lambda m: m.score(Xte, yte)  # noqa: E731
    r2 = lambda m: r2_score(rte, m.predict(Rte))  # noqa: E731
    # name, target, its minimum wall speed-up (None: an accuracy target), ours,
    # anchor, data, score, anchor's name
    cases = [
        ("AdaBoost SAMME 100 stumps", "#22: accuracy within 0.005 of sklearn", None,
         lambda: AdaBoostClassifier(n_estimators=100, random_state=0),
         lambda: skens.AdaBoostClassifier(n_estimators=100, random_state=0),
         (Xtr, ytr), acc, "sklearn"),
        ("AdaBoost SAMME 100 stumps", "#22: >= 1x XGBoost hist, 100 depth-1 rounds", 1,
         lambda: AdaBoostClassifier(n_estimators=100, random_state=0),
         lambda: xgboost.XGBClassifier(n_estimators=100, max_depth=1, tree_method="hist",
                                       n_jobs=2, random_state=0),
         (Xtr, ytr), acc, "XGBoost"),
        (f"AdaBoost.R2 ({n_r2} rows)", "#22: >= 40x sklearn", 40,
         lambda: AdaBoostRegressor(random_state=0),
         lambda: skens.AdaBoostRegressor(random_state=0),
         (Rtr[:n_r2], rtr[:n_r2]), r2, "sklearn"),
        ("RandomForest 50, n_jobs=2", "#22: >= 8x sklearn", 8,
         lambda: RandomForestClassifier(n_estimators=50, n_jobs=2, random_state=0),
         lambda: skens.RandomForestClassifier(n_estimators=50, n_jobs=2, random_state=0),
         (Xtr, ytr), acc, "sklearn"),
        ("ExtraTreesClassifier 50, n_jobs=2", "#14: >= 1x sklearn", 1,
         lambda: ExtraTreesClassifier(n_estimators=50, n_jobs=2, random_state=0),
         lambda: skens.ExtraTreesClassifier(n_estimators=50, n_jobs=2, random_state=0),
         (Xtr, ytr), acc, "sklearn"),
        ("ExtraTreesRegressor 20, n_jobs=2", "#14: >= 1x sklearn", 1,
         lambda: ExtraTreesRegressor(n_estimators=20, n_jobs=2, random_state=0),
         lambda: skens.ExtraTreesRegressor(n_estimators=20, n_jobs=2, random_state=0),
         (Rtr, rtr), r2, "sklearn"),
    ]
    warm = set()
    for name, target, want, ours_f, other_f, (Xf, yf), score, other in cases:
        for make in (ours_f, other_f):  # every side warmed the same way
            key = type(make()).__module__ + type(make()).__name__
            if key not in warm:
                make().fit(Xf[:500], yf[:500])
                warm.add(key)
        load = os.getloadavg()[0]
        t_o, c_o, ours = median_fit(ours_f, Xf, yf, repeat)
        t_s, c_s, theirs = median_fit(other_f, Xf, yf, repeat)
        a_o, a_s = score(ours), score(theirs)
        if want is None:  # an accuracy target
            ok = "accuracy: " + ("MET" if abs(a_o - a_s) <= 0.005 else "not met")
        else:
            ok = "wall ratio: " + ("MET" if t_s / t_o >= want else "not met")
        print(f"{name:<34} ours {t_o:7.2f} s  {other} {t_s:7.2f} s  wall {t_s / t_o:5.1f}x"
              f"  CPU {c_o:.2f} vs {c_s:.2f} s: {c_s / c_o:5.1f}x  | target {target} "
              f"({ok})  score ours {a_o:.4f} {other} {a_s:.4f} "
              f"(diff {a_o - a_s:+.4f})  load {load:.2f}", flush=True)
        if "Forest" in name or "Extra" in name:
            s_o, s_s = len(pickle.dumps(ours)), len(pickle.dumps(theirs))
            print(f"{'  pickled forest':<34} ours {s_o / 2**20:7.1f} MiB  {other} "
                  f"{s_s / 2**20:7.1f} MiB  ratio {s_o / s_s:.2f} (want <= 1)")
            k = len(ours.estimators_)
            print(f"{'  CPU per tree':<34} ours {c_o / k * 1e3:7.1f} ms  {other} "
                  f"{c_s / k * 1e3:7.1f} ms  (binning included)")
        if name.startswith("RandomForest"):
            oob_cost(ours_f, Xf, yf, t_o, c_o, repeat)


if __name__ == "__main__":
    main()
