"""``sklml compare`` at the issue's scale: ROOT files in, tree models, 3 folds, TMVA's evaluation.

The target (issue 17): 1,000,000 events x 10 features, DecisionTree, RandomForest,
AdaBoost, XGBoost and CatBoost, 3 folds, under 10 minutes on 2 cores and under
4 GiB. This script writes signal and background trees with uproot (weights, 5 %
negative), runs the ``sklml compare`` command on them in a subprocess (wall
time, CPU time of the whole process tree, peak resident memory of the tree
sampled every 0.2 s), then runs the anchor in the same session on the same
events: scikit-learn's ``cross_validate`` of the same five pipelines, the same
folds and cores, scoring ROC AUC only. The ratio is what the ROOT reading, the
weighted evaluation, the overtraining scores and the report cost on top.

Usage::

    python benchmarks/bench_compare.py            # 1,000,000 events
    python benchmarks/bench_compare.py --quick    # 100,000 events
    python benchmarks/bench_compare.py --events 300000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

TREE_MODELS = ["DecisionTreeClassifier", "RandomForestClassifier", "AdaBoostClassifier",
               "XGBClassifier", "CatBoostClassifier"]


def write_trees(folder, n_events, seed=0):
    import uproot

    from sklml.datasets import SIGNAL_BACKGROUND_FEATURES, make_signal_background

    X, y = make_signal_background(n_events, random_state=seed)
    rng = np.random.default_rng(seed)
    names = list(SIGNAL_BACKGROUND_FEATURES)
    for label, cls in (("signal", 1), ("background", 0)):
        mine = X[y == cls]
        weight = rng.uniform(0.5, 1.5, len(mine))
        weight[rng.random(len(mine)) < 0.05] *= -1
        with uproot.recreate(Path(folder) / f"{label}.root") as file:
            file.mktree("Events", {**{n: "f8" for n in names}, "weight": "f8"})
            for start in range(0, len(mine), 100_000):  # baskets as ROOT writes them
                stop = start + 100_000
                file["Events"].extend({**{n: mine[start:stop, i] for i, n in enumerate(names)},
                                       "weight": weight[start:stop]})
    return X, y


class TreeMonitor:
    """Samples a process and its descendants every 0.2 s: peak total RSS and CPU seconds.

    CPU time is summed per process from its last sample (loky workers outlive
    the calls they serve, so ``os.times`` of finished children would miss them).
    """

    def __init__(self, pid):
        import psutil

        self.root = psutil.Process(pid)
        self.cpu, self.peak = {}, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        import psutil

        try:
            procs = [self.root] + self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        rss = 0
        for proc in procs:
            try:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                pass
        self.peak = max(self.peak, rss)

    def _run(self):
        while not self.done.is_set():
            self._sample()
            self.done.wait(0.2)

    def __enter__(self):
        self._sample()
        self.start_cpu = dict(self.cpu)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._sample()
        self.done.set()
        self.thread.join()

    @property
    def cpu_seconds(self):
        return sum(t - self.start_cpu.get(pid, 0.0) for pid, t in self.cpu.items())


def run_command(cmd):
    """Run ``cmd``; return wall seconds, CPU seconds of the tree, peak RSS bytes, output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with TreeMonitor(proc.pid) as monitor:
        output, _ = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"sklml compare failed ({proc.returncode}):\n{output[-3000:]}")
    return wall, monitor.cpu_seconds, monitor.peak, output


def run_anchor(X, y, models, cv, n_jobs):
    """scikit-learn's cross_validate of the same pipelines: fit + ROC AUC, nothing else."""
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from sklml.compare import build_estimator
    from sklml.registry import get_estimator

    folds = StratifiedKFold(cv, shuffle=True, random_state=0)
    start = time.perf_counter()
    with TreeMonitor(os.getpid()) as monitor:
        for name in models:
            cross_validate(build_estimator(get_estimator(name)), X, y, cv=folds,
                           n_jobs=n_jobs, scoring="roc_auc")
    return time.perf_counter() - start, monitor.cpu_seconds, monitor.peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (median reported)")
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--no-anchor", action="store_true")
    parser.add_argument("--estimators", default=",".join(TREE_MODELS),
                        help="models to compare (default: the five tree models)")
    args = parser.parse_args(argv)
    n_events = args.events or (100_000 if args.quick else 1_000_000)
    models = [m.strip() for m in args.estimators.split(",") if m.strip()]
    load = os.getloadavg()[0]
    print(f"bench_compare: {n_events} events x 10 features, {len(models)} model(s), "
          f"{args.cv} folds, n_jobs={args.n_jobs}, {os.cpu_count()} cores, "
          f"load average {load:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        X, y = write_trees(folder, n_events)
        print(f"wrote the ROOT trees in {time.perf_counter() - start:.1f} s", flush=True)
        cmd = [sys.executable, "-m", "sklml", "compare", "--quiet",
               "--signal", f"{folder}/signal.root:Events",
               "--background", f"{folder}/background.root:Events", "--weight", "weight",
               "--estimators", ",".join(models), "--cv", str(args.cv),
               "--n-jobs", str(args.n_jobs), "--yields", "100,10000",
               "--out", f"{folder}/report"]
        runs = [run_command(cmd) for _ in range(args.repeat)]
        wall, cpu, peak = (float(np.median([r[i] for r in runs])) for i in range(3))
        print(runs[-1][3].strip()[-2500:])
        print(f"sklml compare: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS "
              f"{peak / 2**30:.2f} GiB (median of {args.repeat})")
        if n_events < 1_000_000:
            scale = 1_000_000 / n_events * np.log(1_000_000) / np.log(n_events)  # n log n
            cores = min(os.cpu_count() or 1, 2)
            print(f"  extrapolated to 1,000,000 events (n log n): ~{wall * scale / 60:.1f} min "
                  f"at this load; ~{cpu * scale / cores / 60:.1f} min on {cores} idle cores "
                  f"(CPU time / cores)")
        if not args.no_anchor:
            anchor = [run_anchor(X, y, models, args.cv, args.n_jobs) for _ in range(args.repeat)]
            a_wall, a_cpu, a_peak = (float(np.median([r[i] for r in anchor])) for i in range(3))
            print(f"anchor cross_validate (fit + ROC AUC): wall {a_wall:.1f} s, CPU {a_cpu:.1f} s,"
                  f" peak RSS {a_peak / 2**30:.2f} GiB (this process holds the data too)")
            print(f"ratio sklml compare / cross_validate: wall {wall / a_wall:.2f}x, "
                  f"CPU {cpu / max(a_cpu, 1e-9):.2f}x")


if __name__ == "__main__":
    main()
