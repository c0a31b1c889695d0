"""Per-sample training (batch 1, the article's way) vs plain Python loops over neurons.

    python benchmarks/bench_per_sample.py [--steps 20000] [--repeats 5] [--smoke]

The baseline is the article's version-2 training loop written in plain Python
(lists, a loop per neuron and per weight), widened to 2-8-8-4 and given correct
backprop. nnplay trains the same network on the same kind of data, as ``nnplay train``
with these flags would, with each engine (``benchmarks/nnplay_rounds.py``: a fresh process,
warmed up). Each is timed by the wall clock and by CPU time (which the other processes of a
loaded machine do not inflate). Runs alternate; medians and ratios.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import statistics
import time

from nnplay_rounds import measure
from smoke_mode import parse_args

SIZES = [2, 8, 8, 4]


def python_loops(steps: int) -> tuple[float, float]:
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

    started, cpu_started = time.perf_counter(), time.process_time()
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
    return steps / (time.perf_counter() - started), steps / (time.process_time() - cpu_started)


FLAGS = [
    "--dataset", "quadrants", "--train-size", "500", "--layers", "8,8", "--activation", "sigmoid",
    "--output", "sigmoid", "--loss", "mse", "--init", "uniform11", "--optimizer", "sgd", "--lr", "0.5",
    "--batch-size", "1",
    "--schedule", "constant",  # the loops' rate is constant too (without --preset the default is seed-v2's cosine)
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parse_args(parser, steps=500, repeats=1)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    rates: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": []} for name in ("python loops", "nnplay numpy", "nnplay numba")
    }
    for _ in range(args.repeats):
        wall, cpu = python_loops(args.steps)
        rates["python loops"]["wall"].append(wall)
        rates["python loops"]["cpu"].append(cpu)
        # numba: more steps, so each timed round lasts long enough for the clock
        for name, engine, steps in (("nnplay numpy", "numpy", args.steps), ("nnplay numba", "numba", args.steps * 50)):
            result = measure(FLAGS, steps, 1, engine)
            rates[name]["wall"] += result["wall"]
            rates[name]["cpu"] += result["cpu"]
    print(f"2-8-8-4 sigmoid, MSE, SGD, batch 1; {args.steps:,} steps (numba x50), median of {args.repeats}")
    print(f"{'trainer':<14} {'wall steps/s':>13} {'vs python':>10} {'cpu steps/s':>13} {'vs python':>10}")
    base = {clock: statistics.median(rates["python loops"][clock]) for clock in ("wall", "cpu")}
    for name, by_clock in rates.items():
        wall, cpu = statistics.median(by_clock["wall"]), statistics.median(by_clock["cpu"])
        print(f"{name:<14} {wall:>13,.0f} {wall / base['wall']:>9.1f}x {cpu:>13,.0f} {cpu / base['cpu']:>9.1f}x")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
