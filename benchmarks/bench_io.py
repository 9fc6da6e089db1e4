"""sklml.io and sklml.onnx against pickle (and skops on scikit-learn's forest), one run.

    python benchmarks/bench_io.py            # 50-tree forests on 20,000 rows
    python benchmarks/bench_io.py --quick    # smaller, a smoke run

For a 50-tree random forest (full depth, the default) it prints the file size of
``sklml.io.dump`` against ``pickle`` of the same fitted forest (the issue's bound:
at most pickle x 1.2), the median wall and CPU time of dump and load over
``--repeat`` runs, the same for scikit-learn's forest through ``skops.io``, and the
ONNX export: model size, export time and ONNX Runtime's prediction time against
sklml's ``predict_proba`` on the held-out rows.
"""

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(fn, repeat):
    """Median wall time, median CPU time, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def row(name, wall, cpu, ref_wall=None):
    ratio = f"  x{wall / ref_wall:6.2f}" if ref_wall else ""
    print(f"  {name:<34} wall {wall * 1e3:9.1f} ms  cpu {cpu * 1e3:9.1f} ms{ratio}")


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
          f"median of {args.repeat} runs; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "forest.skops")
        pickled = pickle.dumps(ours, protocol=pickle.HIGHEST_PROTOCOL)
        w_pd, c_pd, _ = timed(lambda: pickle.dumps(ours, protocol=pickle.HIGHEST_PROTOCOL),
                              args.repeat)
        w_d, c_d, _ = timed(lambda: sklml.io.dump(ours, path), args.repeat)
        size = os.path.getsize(path)
        w_pl, c_pl, _ = timed(lambda: pickle.loads(pickled), args.repeat)
        w_l, c_l, loaded = timed(lambda: sklml.io.load(path), args.repeat)
        assert np.array_equal(loaded.predict_proba(X_test), ours.predict_proba(X_test))

        sk_path = os.path.join(tmp, "sk.skops")
        sk_pickled = pickle.dumps(anchor, protocol=pickle.HIGHEST_PROTOCOL)
        skops.io.dump(anchor, sk_path)
        sk_trusted = skops.io.get_untrusted_types(file=sk_path)
        w_skl, c_skl, _ = timed(lambda: skops.io.load(sk_path, trusted=sk_trusted), args.repeat)
        sk_size = os.path.getsize(sk_path)

    print("file size")
    print(f"  pickle (sklml forest)              {len(pickled):>12,} bytes")
    print(f"  sklml.io.dump (deflated zip)       {size:>12,} bytes  x{size / len(pickled):.2f} "
          f"of pickle (bound x1.20: {'ok' if size <= 1.2 * len(pickled) else 'EXCEEDED'})")
    print(f"  pickle (scikit-learn forest)       {len(sk_pickled):>12,} bytes")
    print(f"  skops.io.dump (scikit-learn)       {sk_size:>12,} bytes")
    print("dump")
    row("pickle.dumps", w_pd, c_pd)
    row("sklml.io.dump", w_d, c_d, w_pd)
    print("load")
    row("pickle.loads", w_pl, c_pl)
    row("sklml.io.load", w_l, c_l, w_pl)
    row("skops.io.load (scikit-learn)", w_skl, c_skl, w_pl)

    w_x, c_x, onx = timed(lambda: to_onnx(ours, X_test[:1]), max(1, args.repeat // 2))
    data = onx.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    w_ort, c_ort, (label, proba) = timed(lambda: session.run(None, {"X": X_test}), args.repeat)
    w_ours, c_ours, expected = timed(lambda: ours.predict_proba(X_test), args.repeat)
    assert np.abs(proba - expected).max() < 1e-5
    assert np.array_equal(label, ours.predict(X_test))
    print(f"onnx ({len(data):,} bytes; labels identical, max |dp| "
          f"{np.abs(proba - expected).max():.1e})")
    row("to_onnx", w_x, c_x)
    row(f"sklml predict_proba ({len(X_test):,} rows)", w_ours, c_ours)
    row("onnxruntime run", w_ort, c_ort, w_ours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
