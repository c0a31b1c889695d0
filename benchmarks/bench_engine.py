"""nnplay's engine vs PyTorch on the CPU: same network, batch, data and number of SGD steps.

    python benchmarks/bench_engine.py [--steps 5000] [--repeats 5]

Ours is timed by ``nnplay train --json`` (its ``seconds``: the training loop only);
PyTorch by the same loop written the usual way (index a batch, forward, loss,
backward, step). Runs alternate ours/theirs so both see the same machine load;
the table shows medians and the ratio torch_seconds / nnplay_seconds (>1 = we are faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from nnplay.core.datasets import make_dataset

NETWORK = [
    "--dataset",
    "circle",
    "--train-size",
    "1000",
    "--layers",
    "8,8",
    "--activation",
    "tanh",
    "--output",
    "softmax",
    "--loss",
    "cross_entropy",
    "--optimizer",
    "sgd",
    "--lr",
    "0.03",
]


def ours(batch: int, steps: int, env_note: dict, engine: str = "numpy") -> float:
    cmd = [
        sys.executable,
        "-m",
        "nnplay.tui.cli",
        "train",
        *NETWORK,
        "--batch-size",
        str(batch),
        "--iterations",
        str(steps),
        "--json",
        "--engine",
        engine,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    env_note["engine"] = result["engine"]
    return result["seconds"]


def theirs(batch: int, steps: int) -> float:
    import torch

    data = make_dataset("circle", 1000, 1000, 0.0, 0)
    X = torch.tensor(data.X_train)
    y = torch.tensor(data.y_train)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)
    ).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(X)
    order = torch.randperm(n)
    at = 0
    started = time.perf_counter()
    for _ in range(steps):
        if batch >= n:
            idx = order
        else:
            idx = order[at : at + batch]
            at += batch
            if at >= n:
                at = 0
                order = torch.randperm(n)
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="PyTorch intra-op threads (default 1: on 2 noisy cores its thread pool only adds jitter "
        "for networks this small; nnplay uses one thread)",
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.torch_threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); numpy {np.__version__}")
    print(
        f"network 2-8-8-2 tanh, softmax + cross-entropy, SGD, float64, {args.steps:,} steps, median of {args.repeats}"
    )
    print(f"{'batch':>6} {'engine':>7} {'nnplay s':>10} {'torch s':>10} {'torch/nnplay':>13}")
    engines = ["numpy"]
    from nnplay.core.kernel import load_kernel

    if load_kernel() is not None:
        engines.append("numba")
    for batch in (1, 32, 1000):
        mine: dict[str, list[float]] = {e: [] for e in engines}
        torch_times, note = [], {}
        for _ in range(args.repeats):
            for engine in engines:
                mine[engine].append(ours(batch, args.steps, note, engine))
            torch_times.append(theirs(batch, args.steps))
        b = statistics.median(torch_times)
        for engine in engines:
            a = statistics.median(mine[engine])
            print(f"{batch:>6} {engine:>7} {a:>10.4f} {b:>10.4f} {b / a:>12.1f}x")


if __name__ == "__main__":
    main()
