"""Per-epoch time of sklml's GDRegressor / GDClassifier against scikit-learn's SGD.

Both sides run the same number of epochs on the same data (1,000,000 x 50 by
default; ``--quick`` uses 100,000 rows) with the convergence test off, and the
time per epoch is compared.  The like-for-like row is plain per-sample SGD
(``optimizer="sgd", batch_size=1``, what SGDRegressor/SGDClassifier do); the
other rows show the cost of the other optimizers and batch sizes.  The first
(compiling) fit is timed separately.

``--defaults`` instead checks that the default models converge: 5-fold
cross-validated score of ``GDRegressor()`` / ``GDClassifier()`` behind a
StandardScaler (three seeds, None the default) beside Ridge / LogisticRegression
with the same objective and scikit-learn's SGD, with the ConvergenceWarnings
counted, on diabetes, make_regression(2000, 20, noise=10), breast_cancer, digits.

``--sparse`` times sparse input: a 50,000 x 1,000 CSR matrix at 1% density
(``--quick``: 20,000 rows), SGDRegressor against GDRegressor on the CSR matrix
(rows densified one at a time in the kernel) and on its dense copy.

Every timed model, ours and scikit-learn's, gets one untimed warm-up fit on 1,000
rows, then the median of ``--repeats`` fits (3) is taken, wall-clock and CPU
(``time.process_time``) side by side, with the ratios sklml / scikit-learn of both.
No issue sets a speed target for these models: the ratios are printed for the record
(the like-for-like row is ``sgd, batch 1``), with the load average.

    python benchmarks/bench_linear.py [--quick] [--epochs 5] [--rows N] [--defaults] [--sparse]
"""

import argparse
import time
import warnings

from _timing import header, load_average, median_time

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor


def _time(make, X, y, repeats):
    """Median wall-clock and CPU time of ``repeats`` fits of ``make()``, after one untimed
    warm-up fit on the first 1,000 rows (compile or cache load for us, first calls for
    scikit-learn: every side warmed the same way).  Both sides are single-threaded; CPU
    time is the steadier figure on a machine shared with other jobs."""
    make().fit(X[:1000], y[:1000])
    t = median_time(lambda: make().fit(X, y), repeats)
    return t.wall, t.cpu, t.result


def defaults_check():
    """Cross-validated scores of the default models against the anchors (see the doc)."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, make_regression
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklml.linear_model import GDClassifier, GDRegressor

    def score(model, X, y, cv):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            tic = time.process_time()
            scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)
            cpu = time.process_time() - tic
        warned = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        return scores.mean(), warned, cpu

    problems = [
        ("diabetes", *load_diabetes(return_X_y=True), GDRegressor, KFold,
         lambda n: [("Ridge", Ridge(alpha=n * 1e-4)), ("SGDRegressor", SGDRegressor())]),
        ("make_regression", *make_regression(2000, 20, noise=10, random_state=0), GDRegressor,
         KFold, lambda n: [("Ridge", Ridge(alpha=n * 1e-4)), ("SGDRegressor", SGDRegressor())]),
        ("breast_cancer", *load_breast_cancer(return_X_y=True), GDClassifier, StratifiedKFold,
         lambda n: [("LogisticRegression", LogisticRegression(C=1 / (n * 1e-4), max_iter=10_000)),
                    ("SGDClassifier", SGDClassifier(loss="log_loss"))]),
        ("digits", *load_digits(return_X_y=True), GDClassifier, StratifiedKFold,
         lambda n: [("LogisticRegression", LogisticRegression(C=1 / (n * 1e-4), max_iter=10_000)),
                    ("SGDClassifier", SGDClassifier(loss="log_loss"))]),
    ]
    print("5-fold CV score (R2 or accuracy) of the defaults on scaled inputs; anchors with the "
          f"same objective (alpha=1e-4); load average {load_average()}")
    for name, X, y, Est, Fold, anchors in problems:
        cv = Fold(5, shuffle=True, random_state=0)
        for seed in (None, 1, 2):
            mean, warned, cpu = score(Est(random_state=seed), X, y, cv)
            print(f"  {name:16s} {Est.__name__}(random_state={seed}) {mean:.4f}  "
                  f"ConvergenceWarnings {warned}/5  cpu {cpu:.2f} s")
        for anchor_name, anchor in anchors(int(0.8 * len(y))):
            mean, warned, cpu = score(anchor, X, y, cv)
            print(f"  {name:16s} {anchor_name:28s} {mean:.4f}  ConvergenceWarnings {warned}/5")


def sparse_check(n, epochs, repeats):
    """Per-epoch time on sparse X (see the doc): the sparse path against SGDRegressor's and
    against our own dense path on the same data."""
    import scipy.sparse as sp

    from sklml.linear_model import GDRegressor

    d = 1000
    rng = np.random.default_rng(0)
    X = sp.random(n, d, density=0.01, format="csr", random_state=0, dtype=np.float64)
    y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
    warnings.simplefilter("ignore", ConvergenceWarning)
    GDRegressor(max_iter=1).fit(X[:100], y[:100])  # compile (or load) the kernels first
    common = dict(max_iter=epochs, tol=None, random_state=0)
    header(f"\nsparse X: {n:,} x {d} CSR at 1% density, {epochs} epochs per fit; ms per epoch "
           "(ratio = sklml / SGDRegressor, < 1 is faster)", repeats,
           "one untimed 1,000-row fit per model first")
    t_ref, c_ref, ref = _time(lambda: SGDRegressor(**common), X, y, repeats)
    print(f"  SGDRegressor (sparse)           wall {t_ref / epochs * 1e3:8.1f}  cpu "
          f"{c_ref / epochs * 1e3:8.1f}  (R2 {ref.score(X, y):.4f})")
    cases = [
        ("sgd, batch 1 (sparse)", X, lambda: GDRegressor(optimizer="sgd", batch_size=1,
                                                        learning_rate="invscaling", **common)),
        ("adam, batch 32 (sparse)", X, lambda: GDRegressor(**common)),
        ("adam, batch 32 (dense copy)", X.toarray(), lambda: GDRegressor(**common)),
    ]
    for name, data, make in cases:
        t, c, model = _time(make, data, y, repeats)
        print(f"  sklml {name:26s} wall {t / epochs * 1e3:8.1f}  cpu {c / epochs * 1e3:8.1f}  "
              f"ratio wall {t / t_ref:5.2f}  cpu {c / c_ref:5.2f}  (R2 {model.score(X, y):.4f})")
    print(f"  no issue target: ratios for the record  [load {load_average()}]")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per model")
    parser.add_argument("--defaults", action="store_true",
                        help="check that the default models converge (scores, warnings)")
    parser.add_argument("--sparse", action="store_true",
                        help="time sparse X (CSR) against SGDRegressor and our dense path")
    args = parser.parse_args(argv)
    if args.defaults:
        return defaults_check()
    if args.sparse:
        return sparse_check(args.rows or (20_000 if args.quick else 50_000), args.epochs,
                            args.repeats)
    n = args.rows or (100_000 if args.quick else 1_000_000)
    d, epochs = args.features, args.epochs

    tic = time.perf_counter()
    from sklml.linear_model import GDClassifier, GDRegressor
    from sklml.linear_model import _kernels

    print(f"import sklml.linear_model: {time.perf_counter() - tic:.2f} s")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) / np.sqrt(d)
    y_reg = X @ w + 0.1 * rng.normal(size=n)
    y_clf = (X @ w + 0.5 * rng.normal(size=n) > 0).astype(int)
    warnings.simplefilter("ignore", ConvergenceWarning)

    small = X[:1000], y_reg[:1000]
    tic = time.perf_counter()
    GDRegressor(max_iter=1, tol=None).fit(*small)
    first = time.perf_counter() - tic
    cached = "from numba's on-disk cache" if _kernels.run_epoch.stats.cache_hits else "compiling"
    print(f"first fit (1,000 rows, {cached}): {first:.2f} s")

    header(f"\n{n:,} x {d}, {epochs} epochs per fit; time per epoch in ms, wall-clock and CPU "
           "(ratio = sklml / sklearn, < 1 is faster)", args.repeats,
           "one untimed 1,000-row fit per model first")
    common = dict(max_iter=epochs, tol=None, alpha=1e-4, random_state=0)
    cases = [
        ("regression", y_reg,
         lambda: SGDRegressor(learning_rate="constant", eta0=0.001, **common),
         [("sgd, batch 1", lambda: GDRegressor(optimizer="sgd", batch_size=1,
                                               learning_rate="constant", eta0=0.001, **common)),
          ("adam, batch 1", lambda: GDRegressor(optimizer="adam", batch_size=1,
                                                learning_rate="constant", eta0=0.0001, **common)),
          ("adam, batch 32 (default)", lambda: GDRegressor(**common)),
          ("sgd, full batch", lambda: GDRegressor(optimizer="sgd", batch_size=None,
                                                  learning_rate="constant", eta0=0.1, **common))]),
        ("binary classification", y_clf,
         lambda: SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.001, **common),
         [("sgd, batch 1", lambda: GDClassifier(optimizer="sgd", batch_size=1,
                                                learning_rate="constant", eta0=0.001, **common)),
          ("adam, batch 32 (default)", lambda: GDClassifier(**common))]),
    ]
    for title, y, make_ref, ours in cases:
        t_ref, c_ref, ref = _time(make_ref, X, y, args.repeats)
        ref_score = ref.score(X, y)
        print(f"\n{title}: sklearn {type(ref).__name__:13s} wall {1e3 * t_ref / epochs:7.1f}  "
              f"cpu {1e3 * c_ref / epochs:7.1f} ms/epoch  (score {ref_score:.4f})")
        for label, make in ours:
            t, c, model = _time(make, X, y, args.repeats)
            print(f"  sklml {label:26s} wall {1e3 * t / epochs:7.1f}  cpu {1e3 * c / epochs:7.1f}"
                  f" ms/epoch  ratio wall {t / t_ref:5.2f}  cpu {c / c_ref:5.2f}"
                  f"  (score {model.score(X, y):.4f})")
    print(f"\nno issue target: ratios for the record (like-for-like row: sgd, batch 1)  "
          f"[load {load_average()}]")


if __name__ == "__main__":
    main()
