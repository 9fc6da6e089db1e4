"""sklml.io and sklml.onnx against pickle (and skops on scikit-learn's forest), one run.

    python benchmarks/bench_io.py            # 50-tree forests on 20,000 rows
    python benchmarks/bench_io.py --quick    # smaller, a smoke run

For a 50-tree random forest (full depth, the default) it prints the file size of
``sklml.io.dump`` against ``pickle`` of the same fitted forest (the issue's bound:
at most pickle x 1.2), the median wall and CPU time of dump and load over
``--repeat`` runs, the same for scikit-learn's forest through ``skops.io``, and the
ONNX export: model size, export time and ONNX Runtime's prediction time against
sklml's ``predict_proba`` on the held-out rows.

Each compared pair (sklml.io against pickle, skops against pickle for scikit-learn's
forest, ONNX Runtime against ``predict_proba``) gets one untimed call per side, then
``--repeat`` timed calls alternating, and the medians are compared: wall and CPU time
(``time.process_time``, every thread: ONNX Runtime's intra-op threads included) with
both ratios.  The one target (issue: file size <= pickle x 1.2) is printed as a TARGET
line; the time ratios have no issue target and are printed for the record.  The load
average is printed.
"""

import argparse
import os
import pickle
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _timing import load_average, median_pair, median_time, target_line  # noqa: E402


def row(name, t, ref=None):
    """One line: median wall and CPU of ``t``; with ``ref``, both ratios t / ref."""
    ratio = (f"  ratio wall x{t.wall / ref.wall:6.2f}  CPU x{t.cpu / max(ref.cpu, 1e-9):6.2f}"
             if ref else "")
    print(f"  {name:<38} wall {t.wall * 1e3:9.1f} ms  cpu {t.cpu * 1e3:9.1f} ms{ratio}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n_rows = 2_000 if args.quick else 20_000

    import onnxruntime as ort
    import skops.io
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier as SkForest

    import sklml.io
    from sklml.ensemble import RandomForestClassifier
    from sklml.onnx import to_onnx

    X, y = make_classification(n_rows + 2_000, 28, n_informative=20, random_state=0)
    X = X.astype(np.float32)
    X_train, y_train, X_test = X[:n_rows], y[:n_rows], X[n_rows:]
    ours = RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1).fit(X_train, y_train)
    anchor = SkForest(n_estimators=50, random_state=0, n_jobs=1).fit(X_train, y_train)
    n_nodes = sum(t.tree_.node_count for t in ours.estimators_)
    print(f"50-tree forests on {n_rows:,} rows x 28 features ({n_nodes:,} nodes in sklml's); "
          f"median of {args.repeat} alternating runs per side after one untimed call each; "
          f"load average {load_average()} on {os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "forest.skops")
        pickled = pickle.dumps(ours, protocol=pickle.HIGHEST_PROTOCOL)
        t_d, t_pd = median_pair(lambda: sklml.io.dump(ours, path),
                                lambda: pickle.dumps(ours, protocol=pickle.HIGHEST_PROTOCOL),
                                args.repeat)
        size = os.path.getsize(path)
        t_l, t_pl = median_pair(lambda: sklml.io.load(path), lambda: pickle.loads(pickled),
                                args.repeat)
        assert np.array_equal(t_l.result.predict_proba(X_test), ours.predict_proba(X_test))

        sk_path = os.path.join(tmp, "sk.skops")
        sk_pickled = pickle.dumps(anchor, protocol=pickle.HIGHEST_PROTOCOL)
        skops.io.dump(anchor, sk_path)
        sk_trusted = skops.io.get_untrusted_types(file=sk_path)
        t_skl, t_skpl = median_pair(lambda: skops.io.load(sk_path, trusted=sk_trusted),
                                    lambda: pickle.loads(sk_pickled), args.repeat)
        sk_size = os.path.getsize(sk_path)

    print("file size")
    print(f"  pickle (sklml forest)              {len(pickled):>12,} bytes")
    print(f"  sklml.io.dump (deflated zip)       {size:>12,} bytes  x{size / len(pickled):.2f} "
          "of pickle")
    print(f"  pickle (scikit-learn forest)       {len(sk_pickled):>12,} bytes")
    print(f"  skops.io.dump (scikit-learn)       {sk_size:>12,} bytes")
    target_line("sklml.io.dump file size <= pickle x 1.2 (issue)", size / len(pickled), 1.2,
                "size ratio to pickle")
    print("dump (no issue target: ratios for the record)")
    row("pickle.dumps", t_pd)
    row("sklml.io.dump", t_d, t_pd)
    print("load (no issue target: ratios for the record)")
    row("pickle.loads", t_pl)
    row("sklml.io.load", t_l, t_pl)
    row("pickle.loads (scikit-learn forest)", t_skpl)
    row("skops.io.load (scikit-learn forest)", t_skl, t_skpl)

    t_x = median_time(lambda: to_onnx(ours, X_test[:1]), max(1, args.repeat // 2), warmup=1)
    data = t_x.result.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    t_ort, t_ours = median_pair(lambda: session.run(None, {"X": X_test}),
                                lambda: ours.predict_proba(X_test), args.repeat)
    label, proba = t_ort.result
    expected = t_ours.result
    assert np.abs(proba - expected).max() < 1e-5
    assert np.array_equal(label, ours.predict(X_test))
    print(f"onnx ({len(data):,} bytes; labels identical, max |dp| "
          f"{np.abs(proba - expected).max():.1e})")
    row(f"to_onnx (median of {t_x.repeat} after one untimed)", t_x)
    row(f"sklml predict_proba ({len(X_test):,} rows)", t_ours)
    row("onnxruntime run", t_ort, t_ours)
    print(f"no issue target on the times  [load {load_average()}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
