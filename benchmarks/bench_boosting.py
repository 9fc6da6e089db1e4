"""sklml.boosting against the raw libraries, and the ensembles side by side.

    python benchmarks/bench_boosting.py            # the issue's figures (~2-4 minutes)
    python benchmarks/bench_boosting.py --quick    # smaller data, a smoke run

Part 1, adapter overhead: fit time of sklml's XGBClassifier / CatBoostClassifier
against the raw library call on the same data and parameters
(``xgboost.train`` on a ``QuantileDMatrix``, built inside the timing, and
``catboost.CatBoostClassifier.fit``), one thread each (OpenMP threads suffer
most from a busy machine). The runs alternate, adapter and raw, and the best of
``--repeat`` runs of each is compared (the median is printed too). Because a
busy machine makes both noisy, the adapter's own work in ``fit`` (input
checks, label encoding, parameter probe) is also timed alone and given as a
share of the raw fit. Target: overhead <= 5%.

Part 2, the trade-off a user sees: fit time and held-out ROC AUC of XGBoost,
CatBoost and, when ``sklml.ensemble`` exists, sklml's AdaBoost and random
forest, on the shared benchmark data (make_classification(100_000, 28,
n_informative=20, random_state=0), float32, 80/20 split). Ratios are to XGBoost.

Wall-clock times on a shared machine: other processes add noise, so compare
figures taken in one run.
"""

import argparse
import os
import time

import numpy as np

# one thread by default: OpenMP threads spin and collapse when other processes
# load the cores (XGBoost ran 25x slower with 2 threads on a 2-core machine at
# load 12); SKLML_BENCH_JOBS=2 on a quiet machine
N_JOBS = int(os.environ.get("SKLML_BENCH_JOBS", "1"))


def data(n_samples):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=n_samples, n_features=28, n_informative=20,
                               random_state=0)
    X = X.astype(np.float32)
    return train_test_split(X, y, test_size=0.2, random_state=0)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def adapter_work(model, Xtr, ytr):
    """Seconds of the adapter's own work in fit, outside the library: input
    checks, label encoding, weights and (XGBoost) the parameter probe."""
    t0 = time.perf_counter()
    extra = model._extra_params()
    X, y = model._validate_fit_data(Xtr, ytr)
    y = model._encode_target(y)
    model._fit_weights(None, X, y)
    if hasattr(model, "_check_unused"):
        model.device_ = "cpu"
        model._check_unused(model._booster_params(extra, 0), X.shape[1])
    return time.perf_counter() - t0


def overhead(Xtr, ytr, Xte, n_trees, repeat, threads=1):
    import catboost
    import xgboost

    from sklml.boosting import CatBoostClassifier, XGBClassifier

    xgb_params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
                  "nthread": threads, "seed": 0}

    def raw_xgb():
        dtrain = xgboost.QuantileDMatrix(Xtr, label=ytr, nthread=threads)
        return xgboost.train(xgb_params, dtrain, num_boost_round=n_trees)

    def ours_xgb():
        return XGBClassifier(n_estimators=n_trees, max_depth=6, learning_rate=0.1,
                             n_jobs=threads, random_state=0, device="cpu").fit(Xtr, ytr)

    def raw_cb():
        return catboost.CatBoostClassifier(
            iterations=n_trees, depth=6, learning_rate=0.1, thread_count=threads,
            random_seed=0, allow_writing_files=False, verbose=False,
        ).fit(Xtr, ytr)

    def ours_cb():
        return CatBoostClassifier(n_estimators=n_trees, max_depth=6, learning_rate=0.1,
                                  n_jobs=threads, random_state=0, device="cpu").fit(Xtr, ytr)

    print(f"\n== adapter overhead: fit of {n_trees} trees, depth 6, {len(ytr)} rows, "
          f"{threads} thread, best of {repeat} alternating runs ==")
    print(f"{'library':<10}{'raw fit (s)':>13}{'sklml fit (s)':>15}{'overhead':>10}"
          f"{'(medians)':>11}{'adapter work':>14}{'same predictions':>18}")
    for name, raw, ours in [("XGBoost", raw_xgb, ours_xgb), ("CatBoost", raw_cb, ours_cb)]:
        raw(), ours()  # warm-up: imports, thread pools, first-call allocations
        t_raw, t_ours = [], []
        for _ in range(repeat):
            t, raw_model = timed(raw)
            t_raw.append(t)
            t, model = timed(ours)
            t_ours.append(t)
        if name == "XGBoost":
            same = np.array_equal(raw_model.inplace_predict(Xte), model.predict_proba(Xte)[:, 1])
        else:
            same = np.allclose(raw_model.predict_proba(Xte), model.predict_proba(Xte),
                               rtol=0, atol=1e-12)
        r, o = min(t_raw), min(t_ours)
        median = (np.median(t_ours) / np.median(t_raw) - 1) * 100
        work = min(adapter_work(type(model)(**model.get_params()), Xtr, ytr)
                   for _ in range(repeat))
        print(f"{name:<10}{r:>13.3f}{o:>15.3f}{(o / r - 1) * 100:>9.1f}%{median:>10.1f}%"
              f"{work * 1e3:>8.1f} ms ={work / r * 100:>4.1f}%{str(same):>12}")


def _build(cls, **wanted):
    accepted = cls().get_params()
    return cls(**{k: v for k, v in wanted.items() if k in accepted})


def tradeoff(Xtr, ytr, Xte, yte, n_trees):
    from sklearn.metrics import roc_auc_score

    from sklml.boosting import CatBoostClassifier, XGBClassifier

    models = [
        ("XGBoost (sklml adapter)",
         XGBClassifier(n_estimators=n_trees, max_depth=6, learning_rate=0.1,
                       n_jobs=N_JOBS, random_state=0, device="cpu")),
        ("CatBoost (sklml adapter)",
         CatBoostClassifier(n_estimators=n_trees, max_depth=6, learning_rate=0.1,
                            n_jobs=N_JOBS, random_state=0, device="cpu")),
    ]
    try:
        from sklml.ensemble import AdaBoostClassifier, RandomForestClassifier
    except ImportError as exc:
        print(f"\n(sklml.ensemble AdaBoost / random forest not yet available: {exc})")
    else:
        models += [
            ("sklml AdaBoost", _build(AdaBoostClassifier, n_estimators=n_trees,
                                      random_state=0)),
            ("sklml RandomForest", _build(RandomForestClassifier, n_estimators=n_trees,
                                          n_jobs=N_JOBS, random_state=0)),
        ]
    print(f"\n== fit time and held-out ROC AUC: {n_trees} estimators, {len(ytr)} train / "
          f"{len(yte)} test rows ==")
    print(f"{'model':<26}{'fit (s)':>9}{'AUC':>8}{'fit / XGBoost':>15}")
    reference = None
    for name, model in models:
        fit_time, _ = timed(lambda: model.fit(Xtr, ytr))
        auc = roc_auc_score(yte, model.predict_proba(Xte)[:, 1])
        reference = reference or fit_time
        print(f"{name:<26}{fit_time:>9.2f}{auc:>8.4f}{fit_time / reference:>14.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 50 trees")
    parser.add_argument("--repeat", type=int, default=None, help="timed pairs (default 5)")
    args = parser.parse_args()
    n_samples, n_trees = (20_000, 50) if args.quick else (100_000, 200)
    repeat = args.repeat or (3 if args.quick else 5)
    Xtr, Xte, ytr, yte = data(n_samples)
    overhead(Xtr, ytr, Xte, n_trees if args.quick else 100, repeat)
    tradeoff(Xtr, ytr, Xte, yte, n_trees)


if __name__ == "__main__":
    main()
