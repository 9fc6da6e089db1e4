"""Per-epoch training time of sklml's MLPClassifier (skorch) against a plain
hand-written torch loop with the same network, batch size and data.

Run: ``python benchmarks/bench_neural.py [--quick] [--threads N]``.
Both sides run interleaved on the same data; the median epoch time of each
is compared (skorch's ``history[:, "dur"]`` against ``perf_counter`` around
the plain loop's epoch).
The ratio printed is sklml time / plain-torch time (1.00 = no overhead; the
issue asks for at most 1.15 on the CPU).  With CUDA available the same
benchmark runs on the GPU and reports its speed-up over the CPU.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from sklml.neural import MLPClassifier
from sklml.neural._modules import MLPModule


def make_data(n_samples, n_features, n_classes, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_classes, n_features))
    y = rng.integers(n_classes, size=n_samples)
    X = centers[y] + rng.normal(scale=2.0, size=(n_samples, n_features))
    return X.astype(np.float32), y


def plain_torch_epochs(X, y, hidden, batch_size, lr, alpha, epochs, device):
    """The reference: the loop one writes by hand (same module and optimizer)."""
    torch.manual_seed(0)
    Xt = torch.as_tensor(X, device=device)
    yt = torch.as_tensor(y, device=device)
    model = MLPModule(X.shape[1], int(y.max()) + 1, hidden).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=alpha)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(len(Xt), device=device)
        for i in range(0, len(Xt), batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        loss.item()  # one sync per epoch, as skorch records the loss
        times.append(time.perf_counter() - start)
    return times


def sklml_epochs(X, y, hidden, batch_size, lr, alpha, epochs, device):
    clf = MLPClassifier(hidden_layer_sizes=hidden, batch_size=batch_size,
                        learning_rate=lr, alpha=alpha, max_epochs=epochs, tol=None,
                        random_state=0, device=device).fit(X, y)
    return [float(d) for d in clf.net_.history[:, "dur"]]


def run(config, device, repeats):
    X, y = make_data(config["n_samples"], config["n_features"], config["n_classes"])
    args = (X, y, config["hidden"], config["batch_size"], 1e-3, 1e-4, config["epochs"], device)
    plain, ours = [], []
    for _ in range(repeats):  # interleaved, so load from other processes hits both
        plain += plain_torch_epochs(*args)[1:]  # first epoch warms up
        ours += sklml_epochs(*args)[1:]
    return float(np.median(plain)), float(np.median(ours))


CONFIGS = {
    "digits-size (1797x64, (100,), batch 200)":
        dict(n_samples=1797, n_features=64, n_classes=10, hidden=(100,), batch_size=200, epochs=30),
    "medium (20000x100, (256,256), batch 256)":
        dict(n_samples=20000, n_features=100, n_classes=10, hidden=(256, 256), batch_size=256, epochs=6),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: steady on a shared machine, "
                             "where several threads spin against other processes)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    repeats = 1 if args.quick else 3
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"{'configuration':45s} {'device':6s} {'plain ms':>9s} {'sklml ms':>9s} {'ratio':>6s}")
    cpu_times = {}
    for name, config in CONFIGS.items():
        plain, ours = run(config, "cpu", repeats)
        cpu_times[name] = ours
        print(f"{name:45s} {'cpu':6s} {plain * 1e3:9.2f} {ours * 1e3:9.2f} {ours / plain:6.2f}")
    if torch.cuda.is_available():
        for name, config in CONFIGS.items():
            plain, ours = run(config, "cuda", repeats)
            print(f"{name:45s} {'cuda':6s} {plain * 1e3:9.2f} {ours * 1e3:9.2f} {ours / plain:6.2f}"
                  f"   GPU speed-up over CPU (sklml): {cpu_times[name] / ours:.1f}x")
    else:
        print("CUDA not available: GPU comparison skipped")


if __name__ == "__main__":
    main()
