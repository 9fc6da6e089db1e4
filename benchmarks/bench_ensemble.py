"""sklml.ensemble against sklearn.ensemble on the issue's data, ratios in one run.

    python benchmarks/bench_ensemble.py            # the issue's figures (a few minutes)
    python benchmarks/bench_ensemble.py --quick    # 20,000 rows, a smoke run

Wall-clock times of one fit each (compile time excluded: a small fit runs
first), CPU time beside them, held-out accuracy, and the pickled size of the
fitted forests.
"""

import argparse
import os
import pickle
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from sklearn import ensemble as skens
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    from sklml.ensemble import (
        AdaBoostClassifier,
        ExtraTreesClassifier,
        RandomForestClassifier,
    )

    n = 20_000 if args.quick else 100_000
    X, y = make_classification(n_samples=n, n_features=28, n_informative=20,
                               random_state=0)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    print(f"sklml.ensemble vs sklearn.ensemble: make_classification({n}, 28, "
          f"n_informative=20), float32, 80/20 split, {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    AdaBoostClassifier(n_estimators=2).fit(Xtr[:500], ytr[:500])
    RandomForestClassifier(n_estimators=2, n_jobs=2).fit(Xtr[:500], ytr[:500])
    ExtraTreesClassifier(n_estimators=2, n_jobs=2).fit(Xtr[:500], ytr[:500])
    print(f"compile or cache load: {time.perf_counter() - t0:.2f} s")

    def timed(make):
        t, c = time.perf_counter(), time.process_time()
        model = make().fit(Xtr, ytr)
        return model, time.perf_counter() - t, time.process_time() - c

    cases = [
        ("AdaBoost 100 stumps", 30,
         lambda: AdaBoostClassifier(n_estimators=100, random_state=0),
         lambda: skens.AdaBoostClassifier(n_estimators=100, random_state=0)),
        ("RandomForest 50, n_jobs=2", 3,
         lambda: RandomForestClassifier(n_estimators=50, n_jobs=2, random_state=0),
         lambda: skens.RandomForestClassifier(n_estimators=50, n_jobs=2,
                                              random_state=0)),
        ("ExtraTrees 50, n_jobs=2", 1,
         lambda: ExtraTreesClassifier(n_estimators=50, n_jobs=2, random_state=0),
         lambda: skens.ExtraTreesClassifier(n_estimators=50, n_jobs=2,
                                            random_state=0)),
    ]
    for name, target, ours_f, sk_f in cases:
        ours, t_o, c_o = timed(ours_f)
        theirs, t_s, c_s = timed(sk_f)
        a_o, a_s = ours.score(Xte, yte), theirs.score(Xte, yte)
        print(f"{name:<26} ours {t_o:7.2f} s  sklearn {t_s:7.2f} s  speed-up "
              f"{t_s / t_o:5.1f}x (want >= {target}x; CPU {c_o:.2f} vs {c_s:.2f} s: "
              f"{c_s / c_o:.1f}x)  accuracy ours {a_o:.4f} sklearn {a_s:.4f} "
              f"(diff {100 * (a_o - a_s):+.2f} points)", flush=True)
        if "Forest" in name or "Extra" in name:
            s_o, s_s = len(pickle.dumps(ours)), len(pickle.dumps(theirs))
            print(f"{'  pickled forest':<26} ours {s_o / 2**20:7.1f} MiB  sklearn "
                  f"{s_s / 2**20:7.1f} MiB  ratio {s_o / s_s:.2f} (want <= 1)")


if __name__ == "__main__":
    main()
