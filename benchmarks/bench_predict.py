"""Forest prediction: sklml against scikit-learn, latency and throughput (issue #22).

    python benchmarks/bench_predict.py            # the issue's figures (~3 minutes)
    python benchmarks/bench_predict.py --quick    # smaller forests, a smoke run

Targets (issue #22, "Prediction"):

* small batches take a serial path: one-row ``predict_proba`` of a 100-tree
  RandomForestClassifier under 2 ms, also while two busy-loop processes load
  the CPU ("hog" rows below);
* large batches: ``predict_proba`` of 100,000 x 28 rows with a 50-tree
  full-depth forest at least 2x scikit-learn's, both on 2 threads.

Latencies are medians of many calls, throughputs medians of 3; CPU time
(``time.process_time``, all threads) stands beside wall time.  The load
average is printed with every block: figures from a loaded machine are
upper bounds.
"""

import argparse
import subprocess
import sys
import time

import numpy as np

HOG = "while 1: pass"


def load():
    with open("/proc/loadavg") as f:
        return "loadavg " + " ".join(f.read().split()[:3])


def timed(call, repeat):
    """Median wall and CPU seconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        call()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return float(np.median(walls)), float(np.median(cpus))


class Hogs:
    """Two busy-loop processes for the "under load" figures."""

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.kill()
            proc.wait()


def latency(ours, theirs, X, repeat):
    print(f"\nLatency of predict_proba, {len(ours)} trees ({load()})")
    print(f"{'case':24s} {'sklml ms':>10s} {'cpu':>7s} {'sklearn ms':>11s} {'cpu':>7s} "
          f"{'ratio':>6s}")
    results = {}
    for label, hog in (("no hog", False), ("2 CPU hogs", True)):
        for rows in (1, 100):
            x = X[:rows]
            ours.predict_proba(x), theirs.predict_proba(x)
            reps = repeat if rows == 1 else max(20, repeat // 10)
            if hog:
                with Hogs():
                    a = timed(lambda: ours.predict_proba(x), reps)
                    b = timed(lambda: theirs.predict_proba(x), max(10, reps // 10))
            else:
                a = timed(lambda: ours.predict_proba(x), reps)
                b = timed(lambda: theirs.predict_proba(x), max(10, reps // 10))
            results[label, rows] = a
            print(f"{f'{rows} row(s), {label}':24s} {a[0] * 1e3:10.3f} {a[1] * 1e3:7.3f} "
                  f"{b[0] * 1e3:11.3f} {b[1] * 1e3:7.3f} {b[0] / a[0]:6.1f}x")
    worst = max(results["no hog", 1][0], results["2 CPU hogs", 1][0]) * 1e3
    print(f"TARGET one-row predict_proba < 2 ms, with and without CPU hogs: worst {worst:.3f} ms "
          f"-> {'MET' if worst < 2.0 else 'NOT MET'}")


def throughput(ours, theirs, X):
    print(f"\nThroughput of predict_proba, {len(ours)} full-depth trees, {X.shape[0]:,} x "
          f"{X.shape[1]} rows, both on 2 threads ({load()})")
    ours.predict_proba(X[:5000])
    a = timed(lambda: ours.predict_proba(X), 3)
    b = timed(lambda: theirs.predict_proba(X), 3)
    print(f"sklml   {a[0]:.3f} s wall, {a[1]:.3f} s cpu")
    print(f"sklearn {b[0]:.3f} s wall, {b[1]:.3f} s cpu")
    np.testing.assert_allclose(ours.predict_proba(X[:2000]).sum(1), 1.0)
    print(f"ratio sklearn/sklml: wall {b[0] / a[0]:.2f}x, cpu {b[1] / a[1]:.2f}x")
    print(f"TARGET large batch >= 2x scikit-learn's (wall): {b[0] / a[0]:.2f}x -> "
          f"{'MET' if b[0] / a[0] >= 2.0 else 'NOT MET'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from sklearn import ensemble as skens
    from sklearn.datasets import make_classification

    from sklml.ensemble import RandomForestClassifier

    n = 20_000 if args.quick else 100_000
    X, y = make_classification(n_samples=n, n_features=28, n_informative=20,
                               random_state=0)
    X = X.astype(np.float32)
    n_train = 3 * n // 4
    print(f"make_classification({n}, 28), float32, trees grown on {n_train:,} rows")

    small = 10_000 if args.quick else 20_000
    n_small_trees = 20 if args.quick else 100
    ours = RandomForestClassifier(n_estimators=n_small_trees, n_jobs=2,
                                  random_state=0).fit(X[:small], y[:small])
    theirs = skens.RandomForestClassifier(n_estimators=n_small_trees, n_jobs=2,
                                          random_state=0).fit(X[:small], y[:small])
    latency(ours, theirs, X[n_train:], 100 if args.quick else 500)

    n_trees = 10 if args.quick else 50
    ours = RandomForestClassifier(n_estimators=n_trees, n_jobs=2,
                                  random_state=0).fit(X[:n_train], y[:n_train])
    theirs = skens.RandomForestClassifier(n_estimators=n_trees, n_jobs=2,
                                          random_state=0).fit(X[:n_train], y[:n_train])
    throughput(ours, theirs, X)


if __name__ == "__main__":
    main()
