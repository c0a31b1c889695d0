"""nnplay's engines vs PyTorch on the CPU: same network, first weights, data, rate and steps.

    python benchmarks/bench_engine.py [--steps 5000] [--repeats 5] [--smoke]
    python benchmarks/bench_engine.py --scan [--smoke]   # numpy vs the kernel: writes core/engine/engine_table.py

Ours is timed by ``nnplay train --json`` (its ``seconds``: the training loop only), with
each engine; PyTorch by the same loop written the usual way (index a batch, forward, loss,
backward, step), starting from nnplay's first weights on nnplay's training set, at the
same constant rate. Runs alternate ours/theirs so both see the same machine load; the
table shows medians and the ratio torch_seconds / nnplay_seconds (>1 = we are faster),
and which engine ``--engine auto`` picks for the batch (``core.engine.kernel.kernel_is_faster``).
Without PyTorch installed its column is left out and nnplay's seconds are shown alone.

``--large`` rows (more points than ``nnplay train`` takes) are timed in this process by CPU
time, every engine and PyTorch interleaved.

``--scan`` times both engines in this process by CPU time (robust to a loaded machine)
over batch sizes and hidden widths, and writes the table ``--engine auto`` chooses by
(``core/engine/engine_table.py``; ``core.engine.kernel.kernel_is_faster`` takes the nearest row's winner).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# isort: off
import nnplay.tui  # noqa: F401  (before numpy: its BLAS on one thread, as in the app and the CLI)
import numpy as np
from smoke_mode import parse_args

# isort: on

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
    "--schedule",
    "constant",  # as torch's SGD (without --preset the default is seed-v2's cosine)
]


TABLE = Path(__file__).resolve().parents[1] / "core" / "engine" / "engine_table.py"
SCAN_WIDTHS = ("4", "8,8", "32,32", "64,64")  # hidden layers: 16, 96, 1,152 and 4,352 weights
SCAN_BATCHES = (1, 8, 32, 64, 128, 256, 512, 1024, 4096, 16384)


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


def trainer_for(flags: list[str]):
    """The Trainer ``nnplay train FLAGS`` starts from: its data and first weights."""
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.cli.arguments import config_from_args
    from nnplay.tui.cli.parser import build_parser

    return Trainer(config_from_args(build_parser().parse_args(["train", *flags])))


def theirs(start, steps: int, clock=time.perf_counter) -> float:
    """Seconds by ``clock`` of ``steps`` PyTorch steps from ``start`` (a Trainer): its data, first
    weights, rate and batch size."""
    import torch

    batch = start.config.batch_size
    X = torch.tensor(start.X_train)
    y = torch.tensor(start.data.y_train)
    layers = []
    for k, (w, b) in enumerate(zip(start.net.weights, start.net.biases, strict=True)):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear] if k == len(start.net.weights) - 1 else [linear, torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=start.config.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(X)
    order = torch.randperm(n)
    at = 0
    started = clock()
    for _ in range(steps):
        if batch >= n:  # the whole set: no batch to index
            inputs, labels = X, y
        else:
            idx = order[at : at + batch]
            inputs, labels = X[idx], y[idx]
            at += batch
            if at >= n:
                at = 0
                order = torch.randperm(n)
        opt.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        opt.step()
    return clock() - started


def big_trainer(points: int, batch: int):
    """The benchmark's network on ``points`` circle points (more than ``nnplay train`` takes)."""
    from dataclasses import replace

    from nnplay.core.data.datasets import make_dataset
    from nnplay.core.run.trainer import Trainer

    config = trainer_for([*NETWORK, "--batch-size", str(batch)]).config
    return Trainer(replace(config, batch_size=batch), make_dataset("circle", points, 100, 0.0, config.seed))


def big_rows(rows: tuple[tuple[int, int], ...], repeats: int, has_torch: bool) -> None:
    """Large data in this process, every engine and PyTorch interleaved, by CPU time per step."""
    from nnplay.core.engine.kernel import load_kernel

    kernel = load_kernel()
    print(f"large data, CPU ms per step, median of {repeats}")
    print(f"{'points':>8} {'batch':>7} {'engine':>7} {'nnplay ms':>10} {'torch ms':>10} {'torch/nnplay':>13}")
    for points, batch in rows:
        steps = max(3, 2_000_000 // batch)
        mine: dict[str, list[float]] = {"numpy": [], "numba": []} if kernel is not None else {"numpy": []}
        torch_times: list[float] = []
        for _ in range(repeats):
            for engine in mine:
                trainer = big_trainer(points, batch)
                trainer.use_kernel(kernel if engine == "numba" else None)
                trainer.step(1)  # warm: the buffers made, the kernel's first call
                started = time.process_time()
                trainer.step(steps)
                mine[engine].append((time.process_time() - started) / steps)
            if has_torch:
                torch_times.append(theirs(big_trainer(points, batch), steps, time.process_time) / steps)
        b = statistics.median(torch_times) if torch_times else None
        for engine, times in mine.items():
            a = statistics.median(times)
            ratio = f"{'-':>10} {'-':>13}" if b is None else f"{b * 1e3:>10.2f} {b / a:>12.2f}x"
            print(f"{points:>8,} {batch:>7,} {engine:>7} {a * 1e3:>10.2f} {ratio}", flush=True)


def scan(smoke: bool, table: Path | None) -> None:
    """Both engines by CPU time per step, over batch sizes and widths, interleaved; writes ``table``
    (core/engine/engine_table.py: the rows ``--engine auto`` chooses by) unless it is None."""
    from nnplay.core.engine.kernel import engine_table_source, kernel_unavailable_reason, load_kernel

    kernel = load_kernel()
    if kernel is None:
        raise SystemExit(
            f"the scan compares numpy with the compiled kernel, which cannot load: {kernel_unavailable_reason()}"
        )
    widths, batches, work = (("4",), (1, 128), 2_000) if smoke else (SCAN_WIDTHS, SCAN_BATCHES, 20_000)
    print(f"load average {os.getloadavg()[0]:.1f} at the start; CPU time per step, medians of 3")
    print(f"{'layers':>8} {'weights':>8} {'batch':>6} {'numpy us':>10} {'numba us':>10} {'numba/numpy':>12}")
    rows = []
    for layers in widths:
        for batch in batches:
            flags = [*NETWORK, "--layers", layers, "--batch-size", str(batch), "--train-size", str(max(1000, batch))]
            times: dict[str, list[float]] = {"numpy": [], "numba": []}
            for _ in range(3):
                for engine, engine_times in times.items():
                    trainer = trainer_for(flags)
                    trainer.use_kernel(kernel if engine == "numba" else None)
                    trainer.step(3)  # warm: the buffers made, the kernel's first call
                    n = max(5, work // batch)
                    started = time.process_time()
                    trainer.step(n)
                    engine_times.append((time.process_time() - started) / n)
            numpy_us, numba_us = (statistics.median(t) * 1e6 for t in times.values())
            rows.append((trainer.net.n_weights, batch, numpy_us, numba_us))
            print(f"{layers:>8} {trainer.net.n_weights:>8} {batch:>6} {numpy_us:>10.1f} {numba_us:>10.1f} "
                  f"{numpy_us / numba_us:>11.2f}x", flush=True)  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if table is not None:
        import numba

        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        measured = f"{when}; numpy {np.__version__}, numba {numba.__version__}; load average {os.getloadavg()[0]:.1f}"
        table.write_text(engine_table_source(rows, measured))
        print(f"wrote {table}: --engine auto follows it")


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
    parser.add_argument(
        "--scan", action="store_true", help="numpy vs the kernel over batch sizes and widths; writes --table"
    )
    parser.add_argument(
        "--table", type=Path, default=TABLE, help="where --scan writes its table (default: core/engine/engine_table.py)"
    )
    parser.add_argument("--no-table", dest="table", action="store_const", const=None, help="--scan writes nothing")
    parser.add_argument(
        "--batches", nargs="*", type=int, default=[1, 32, 128, 1000], help="rows timed as `nnplay train` runs them"
    )
    parser.add_argument(
        "--large",
        nargs="*",
        default=["50000:50000", "500000:100000"],
        metavar="POINTS:BATCH",
        help="rows on large data, timed in this process (none: leave them out)",
    )
    # A smoke run's numbers measure nothing: its scan writes no table.
    args = parse_args(parser, steps=20, repeats=1, batches=[32], large=["2000:2000", "5000:1000"], table=None)
    if args.scan:
        scan(args.smoke, args.table)
        return
    try:
        import torch
    except ImportError:
        torch = None
        print(f"PyTorch is not installed: its column is left out; numpy {np.__version__}")
    else:
        torch.set_num_threads(args.torch_threads)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); numpy {np.__version__}")
    print(
        f"network 2-8-8-2 tanh, softmax + cross-entropy, SGD, float64, {args.steps:,} steps, median of {args.repeats}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'batch':>6} {'engine':>7} {'nnplay s':>10} {'torch s':>10} {'torch/nnplay':>13}")
    engines = ["numpy"]
    from nnplay.core.engine.kernel import load_kernel

    if load_kernel() is not None:
        engines.append("numba")
    for batch in args.batches:
        mine: dict[str, list[float]] = {e: [] for e in engines}
        torch_times, note = [], {}
        for _ in range(args.repeats):
            for engine in engines:
                mine[engine].append(ours(batch, args.steps, note, engine))
            if torch is not None:
                torch_times.append(theirs(trainer_for([*NETWORK, "--batch-size", str(batch)]), args.steps))
        b = statistics.median(torch_times) if torch_times else None
        auto = "numba" if trainer_for([*NETWORK, "--batch-size", str(batch)]).kernel_is_faster() else "numpy"
        for engine in engines:
            a = statistics.median(mine[engine])
            picked = "  <- auto" if engine == auto and len(engines) > 1 else ""
            theirs_text = f"{'-':>10} {'-':>13}" if b is None else f"{b:>10.4f} {b / a:>12.1f}x"
            print(f"{batch:>6} {engine:>7} {a:>10.4f} {theirs_text}{picked}")
    if args.large:
        rows = tuple(tuple(int(v) for v in row.split(":")) for row in args.large)
        big_rows(rows, args.repeats, torch is not None)  # type: ignore[arg-type]
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
