"""sklml's MLPClassifier against scikit-learn's on digits, defaults, one thread.

Run: ``python benchmarks/bench_neural.py [--quick] [--seeds N]``.

Both estimators get the same standardised digits split (75 % train,
stratified) and their default parameters, with one ``random_state`` per run;
runs alternate between the two so load from other processes hits both. For
each side the script prints the median over runs of fit wall time, fit CPU
time (``time.process_time``), epochs run (``n_iter_``) and test accuracy, and
the ratios sklml / scikit-learn. BLAS (threadpoolctl) and torch are held to
one thread. Both sides are warmed alike: one untimed fit each (``random_state=0``)
before the timed runs. The issue's acceptance, printed as TARGET lines: accuracy
within 1 point, stopping on ``tol`` before ``max_iter``, fit time at most 1.2x,
judged on the CPU-time ratio (one thread each, so CPU time is the figure a
loaded machine disturbs least; the wall ratio is printed beside it).

With CUDA available, sklml's fit on ``device="cuda"`` is timed as well.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from _timing import header, load_average, target_line, time_once
from sklml.neural import MLPClassifier


def digits_split():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def timed_fit(make, data):
    X_train, X_test, y_train, y_test = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        wall, cpu, est = time_once(lambda: make().fit(X_train, y_train))
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return dict(wall=wall, cpu=cpu, n_iter=est.n_iter_, accuracy=est.score(X_test, y_test),
                warned=warned)


def summary(runs):
    keys = ("wall", "cpu", "n_iter", "accuracy")
    return {k: float(np.median([r[k] for r in runs])) for k in keys}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed instead of three")
    parser.add_argument("--seeds", type=int, default=3, help="runs per side (default 3)")
    args = parser.parse_args(argv)
    seeds = range(1 if args.quick else args.seeds)
    data = digits_split()
    torch.set_num_threads(1)
    header(f"MLPClassifier vs scikit-learn: torch {torch.__version__}, 1 thread; digits "
           f"{data[0].shape} train, {len(data[1])} test, one seed per run", len(seeds),
           "one untimed fit each first, runs alternating")
    ours, theirs = [], []
    with threadpool_limits(1):
        timed_fit(lambda: MLPClassifier(random_state=0, device="cpu"), data)  # warm-up
        timed_fit(lambda: SklearnMLP(random_state=0), data)
        for seed in seeds:
            theirs.append(timed_fit(lambda: SklearnMLP(random_state=seed), data))
            ours.append(timed_fit(lambda: MLPClassifier(random_state=seed, device="cpu"), data))
    s, o = summary(theirs), summary(ours)
    print(f"{'':14s} {'wall s':>8s} {'CPU s':>8s} {'epochs':>7s} {'accuracy':>9s} "
          f"{'hit max_iter':>13s}")
    for name, m, runs in (("scikit-learn", s, theirs), ("sklml", o, ours)):
        hit = sum(r["warned"] for r in runs)
        print(f"{name:14s} {m['wall']:8.3f} {m['cpu']:8.3f} {m['n_iter']:7.0f} "
              f"{m['accuracy']:9.4f} {hit:>10d}/{len(runs)}")
    print(f"ratio sklml/scikit-learn: wall {o['wall'] / s['wall']:.2f}, "
          f"CPU {o['cpu'] / s['cpu']:.2f}; accuracy difference "
          f"{100 * (o['accuracy'] - s['accuracy']):+.2f} points  [load {load_average()}]")
    target_line("fit time <= 1.2x scikit-learn (issue #15)", o["cpu"] / s["cpu"], 1.2,
                "CPU ratio")
    print(f"  (wall ratio {o['wall'] / s['wall']:.2f}x beside it)")
    target_line("accuracy within 1 point of scikit-learn", 100 * (o["accuracy"] - s["accuracy"]),
                -1.0, "accuracy difference", at_most=False, unit=" points")
    target_line("stops on tol before max_iter (runs hitting max_iter)",
                sum(r["warned"] for r in ours), 0, "count", unit="")
    if torch.cuda.is_available():
        timed_fit(lambda: MLPClassifier(random_state=0, device="cuda"), data)  # warm-up
        gpu = [timed_fit(lambda: MLPClassifier(random_state=seed, device="cuda"), data)
               for seed in seeds]
        g = summary(gpu)
        print(f"sklml on CUDA: wall {g['wall']:.3f} s, accuracy {g['accuracy']:.4f} "
              f"(wall ratio to its CPU fit {g['wall'] / o['wall']:.2f})")
    else:
        print("CUDA not available: GPU timing skipped")


if __name__ == "__main__":
    main()
