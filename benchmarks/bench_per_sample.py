"""Per-sample training (batch 1, the article's way) vs plain Python loops over neurons.

    python benchmarks/bench_per_sample.py [--steps 20000] [--repeats 5]

The baseline is the article's version-2 training loop written in plain Python
(lists, a loop per neuron and per weight), widened to 2-8-8-4 and given correct
backprop. nnplay trains the same network on the same kind of data through
``nnplay train --json`` with each engine. Runs alternate; medians and ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import subprocess
import sys
import time

SIZES = [2, 8, 8, 4]


def python_loops(steps: int) -> float:
    """The article's style: nested lists and explicit loops; sigmoid everywhere, MSE, SGD."""
    rnd = random.Random(0)
    weights = [
        [[rnd.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)] for n_in, n_out in itertools.pairwise(SIZES)
    ]
    biases = [[0.0] * n_out for n_out in SIZES[1:]]
    data = []
    for _ in range(500):
        x, y = rnd.uniform(-1, 1), rnd.uniform(-1, 1)
        label = (0 if y > 0 else 2) + (0 if x > 0 else 1)
        data.append(([x, y], [1.0 if k == label else 0.0 for k in range(4)]))
    lr = 0.5

    def sigmoid(v: float) -> float:
        return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))

    started = time.perf_counter()
    for _ in range(steps):
        inputs, target = data[rnd.randrange(len(data))]
        acts = [inputs]
        for W, b in zip(weights, biases, strict=True):
            prev = acts[-1]
            out = []
            for i in range(len(W)):
                total = b[i]
                for j in range(len(prev)):
                    total += W[i][j] * prev[j]
                out.append(sigmoid(total))
            acts.append(out)
        out = acts[-1]
        deltas = [(out[i] - target[i]) * out[i] * (1 - out[i]) for i in range(len(out))]
        for k in range(len(weights) - 1, -1, -1):
            W, b, prev = weights[k], biases[k], acts[k]
            if k:
                new = []
                for j in range(len(prev)):
                    total = 0.0
                    for i in range(len(W)):
                        total += W[i][j] * deltas[i]
                    new.append(total * prev[j] * (1 - prev[j]))
            for i in range(len(W)):
                for j in range(len(prev)):
                    W[i][j] -= lr * deltas[i] * prev[j]
                b[i] -= lr * deltas[i]
            if k:
                deltas = new
    return time.perf_counter() - started


def ours(steps: int, engine: str) -> float:
    cmd = [
        sys.executable,
        "-m",
        "nnplay.tui.cli",
        "train",
        "--dataset",
        "quadrants",
        "--train-size",
        "500",
        "--layers",
        "8,8",
        "--activation",
        "sigmoid",
        "--output",
        "sigmoid",
        "--loss",
        "mse",
        "--init",
        "uniform11",
        "--optimizer",
        "sgd",
        "--lr",
        "0.5",
        "--batch-size",
        "1",
        "--iterations",
        str(steps),
        "--engine",
        engine,
        "--json",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    py, np_times, nb_times = [], [], []
    for _ in range(args.repeats):
        py.append(python_loops(args.steps))
        np_times.append(ours(args.steps, "numpy"))
        nb_times.append(ours(args.steps * 50, "numba") / 50)  # more steps so the timer resolves them
    base = statistics.median(py)
    print(f"2-8-8-4 sigmoid, MSE, SGD, batch 1; {args.steps:,} steps; median of {args.repeats}")
    print(f"{'trainer':<22} {'steps/s':>12} {'vs python':>10}")
    for name, times in (("python loops", py), ("nnplay numpy", np_times), ("nnplay numba", nb_times)):
        t = statistics.median(times)
        print(f"{name:<22} {args.steps / t:>12,.0f} {base / t:>9.1f}x")


if __name__ == "__main__":
    main()
