"""nnplay's engines vs PyTorch on the CPU: same network, first weights, data, rate and steps.

    python benchmarks/bench_engine.py [--steps 5000] [--repeats 5] [--smoke]
    python benchmarks/bench_engine.py --scan [--smoke]   # numpy vs the kernel: writes core/engine/engine_table.py

Ours is timed by ``nnplay train --json`` (its ``seconds``: the training loop only), with
each engine; PyTorch by the same loop written the usual way (index a batch, forward, loss,
backward, step), starting from nnplay's first weights on nnplay's training set, at the
same constant rate. Runs alternate ours/theirs so both see the same machine load; the
table shows medians and the ratio torch_seconds / nnplay_seconds (>1 = we are faster),
and which engine ``--engine auto`` picks for the batch (``core.engine.kernel.kernel_is_faster``).
scikit-learn's ``MLPClassifier`` (same layers, tanh, plain SGD at the same constant rate, no L2;
for two classes it has one logistic output where nnplay and PyTorch have a softmax over two) is
timed by ``fit`` for as many updates, per update. A peer that is not installed (PyTorch,
scikit-learn) is left out of the table.

``--large`` rows (POINTS:BATCH[:LAYERS], more points than ``nnplay train`` takes, or wider
networks) are timed in this process by CPU time, every engine and the peers interleaved. They
also show the rate the engine reached, in GFLOP/s counted as 6 multiply-adds per weight and sample
(forward 2, backward 4; activations not counted), and that rate as a share of this machine's
single-core dgemm (numpy's matmul of two 1024 x 1024 float64 matrices on one BLAS thread),
measured in the same repeats.

``--scan`` times both engines in this process by CPU time (robust to a loaded machine)
over batch sizes and hidden widths, and writes the table ``--engine auto`` chooses by
(``core/engine/engine_table.py``; ``core.engine.kernel.kernel_is_faster`` takes the nearest row's winner).
"""

from __future__ import annotations

import argparse
import itertools
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
SCAN_WIDTHS = ("4", "8,8", "32,32", "64,64", "128,128", "256,256")  # 16 to 66,560 weights
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


def scikit_learn(start, steps: int, clock=time.perf_counter) -> float:
    """Seconds by ``clock`` of ``steps`` updates of scikit-learn's MLPClassifier on ``start``'s
    training set, same layers, tanh, plain SGD at the same constant rate and batch size, no L2;
    ``fit`` runs whole epochs, so it is timed over enough of them and scaled to ``steps``."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    config, n = start.config, len(start.X_train)
    per_epoch = -(-n // min(config.batch_size, n))
    epochs = max(1, -(-steps // per_epoch))
    model = MLPClassifier(
        hidden_layer_sizes=tuple(config.layers), activation="tanh", solver="sgd", alpha=0.0,
        batch_size=min(config.batch_size, n), learning_rate="constant", learning_rate_init=config.lr,
        momentum=0.0, nesterovs_momentum=False, max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
        shuffle=True, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = clock()
        model.fit(start.X_train, start.data.y_train)
        seconds = clock() - started
    return seconds * steps / (epochs * per_epoch)


def have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def dgemm_gflops(size: int = 1024) -> float:
    """This machine's single-core float64 matrix product rate now: numpy's matmul on one BLAS
    thread (``nnplay.tui`` set it), by CPU time, the best of 3."""
    a, b = np.random.default_rng(0).random((2, size, size))
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    best = min(_cpu_seconds(lambda: np.matmul(a, b, out=out)) for _ in range(3))
    return 2 * size**3 / best / 1e9


def _cpu_seconds(work) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def step_gflop(sizes, batch: int) -> float:
    """GFLOP of one update of ``batch`` samples: 6 per weight and sample (forward 2, backward 4)."""
    return 6 * sum(a * b for a, b in itertools.pairwise(sizes)) * batch / 1e9


def big_trainer(points: int, batch: int, layers: str = "8,8"):
    """The benchmark's network (hidden ``layers``) on ``points`` circle points (more than
    ``nnplay train`` takes)."""
    from dataclasses import replace

    from nnplay.core.data.datasets import make_dataset
    from nnplay.core.run.trainer import Trainer

    config = trainer_for([*NETWORK, "--layers", layers, "--batch-size", str(batch)]).config
    return Trainer(replace(config, batch_size=batch), make_dataset("circle", points, 100, 0.0, config.seed))


def big_rows(rows: list[tuple[int, int, str]], repeats: int, peers: dict[str, bool]) -> None:
    """Large data or wide networks in this process (batches of at most 100,000, the most a
    config takes), every engine and peer interleaved, by CPU
    time per step; the engines' GFLOP/s and their share of single-core dgemm, measured alongside."""
    from nnplay.core.engine.kernel import load_kernel

    kernel = load_kernel()
    print(f"large data and wide networks, CPU ms per step, median of {repeats}; 'dgemm %': the engine's "
          "GFLOP/s as a share of single-core dgemm")  # fmt: skip
    print(f"{'points':>8} {'batch':>7} {'layers':>7} {'engine':>7} {'nnplay ms':>10} {'torch ms':>9} "
          f"{'torch/nnplay':>12} {'sklearn ms':>10} {'sklearn/nnplay':>14} {'GFLOP/s':>8} {'dgemm %':>8}")  # fmt: skip
    for points, batch, layers in rows:
        flop = step_gflop(big_trainer(min(points, 100), 1, layers).net.sizes, min(batch, points))
        steps = max(3, min(20_000, int(2.0 / flop)))  # ~2 GFLOP of work a timing, at most 20,000 steps
        mine: dict[str, list[float]] = {"numpy": [], "numba": []} if kernel is not None else {"numpy": []}
        peer_times: dict[str, list[float]] = {name: [] for name, present in peers.items() if present}
        dgemm: list[float] = []
        for _ in range(repeats):
            for engine in mine:
                trainer = big_trainer(points, batch, layers)
                trainer.use_kernel(kernel if engine == "numba" else None)
                trainer.step(1)  # warm: the buffers made, the kernel's first call
                mine[engine].append(_cpu_seconds(lambda t=trainer, n=steps: t.step(n)) / steps)
            if "torch" in peer_times:
                peer_times["torch"].append(theirs(big_trainer(points, batch, layers), steps, time.process_time) / steps)
            if "sklearn" in peer_times:
                peer_times["sklearn"].append(
                    scikit_learn(big_trainer(points, batch, layers), steps, time.process_time) / steps
                )
            dgemm.append(dgemm_gflops())
        peer = {name: statistics.median(times) for name, times in peer_times.items()}
        machine = statistics.median(dgemm)
        for engine, times in mine.items():
            a = statistics.median(times)
            cells = [f"{peer[name] * 1e3:>{w}.2f} {peer[name] / a:>{r - 1}.2f}x" if name in peer else
                     f"{'-':>{w}} {'-':>{r}}" for name, w, r in (("torch", 9, 12), ("sklearn", 10, 14))]  # fmt: skip
            rate = flop / a
            print(f"{points:>8,} {batch:>7,} {layers:>7} {engine:>7} {a * 1e3:>10.2f} {' '.join(cells)} "
                  f"{rate:>8.2f} {100 * rate / machine:>7.1f}%", flush=True)  # fmt: skip
    print(f"single-core dgemm: {statistics.median(dgemm):.1f} GFLOP/s (median of the last row's repeats)")


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


def large_row(text: str) -> tuple[int, int, str]:
    """POINTS:BATCH[:LAYERS] as (points, batch, hidden layers), the layers 8,8 unless given."""
    points, batch, *layers = text.split(":")
    return int(points), int(batch), layers[0] if layers else "8,8"


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
        default=[
            "500000:32",
            "50000:50000",
            "500000:100000",
            "50000:50000:64,64",
            "50000:50000:128,128",
            "50000:50000:256,256",
        ],
        metavar="POINTS:BATCH[:LAYERS]",
        help="rows on large data or wide networks (hidden LAYERS, default 8,8), timed in this process "
        "(none: leave them out)",
    )
    # A smoke run's numbers measure nothing: its scan writes no table.
    smoke_large = ["2000:2000", "5000:1000", "2000:2000:16,16"]
    args = parse_args(parser, steps=20, repeats=1, batches=[32], large=smoke_large, table=None)
    if args.scan:
        scan(args.smoke, args.table)
        return
    peers = {"torch": have("torch"), "sklearn": have("sklearn")}
    versions = [f"numpy {np.__version__}"]
    if peers["torch"]:
        import torch

        torch.set_num_threads(args.torch_threads)
        versions.append(f"torch {torch.__version__} on {torch.get_num_threads()} thread(s)")
    if peers["sklearn"]:
        import sklearn

        versions.append(f"scikit-learn {sklearn.__version__}")
    missing = [name for name, present in peers.items() if not present]
    print("; ".join(versions) + (f"; not installed, left out: {', '.join(missing)}" if missing else ""))
    print(f"command: {' '.join(sys.argv)}")
    print(
        f"network 2-8-8-2 tanh, softmax + cross-entropy, SGD, float64, {args.steps:,} steps, median of {args.repeats}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'batch':>6} {'engine':>7} {'nnplay s':>10} {'torch s':>9} {'torch/nnplay':>12} "
          f"{'sklearn s':>10} {'sklearn/nnplay':>14}")  # fmt: skip
    engines = ["numpy"]
    from nnplay.core.engine.kernel import load_kernel

    if load_kernel() is not None:
        engines.append("numba")
    for batch in args.batches:
        mine: dict[str, list[float]] = {e: [] for e in engines}
        peer_times: dict[str, list[float]] = {name: [] for name, present in peers.items() if present}
        note: dict = {}
        for _ in range(args.repeats):
            for engine in engines:
                mine[engine].append(ours(batch, args.steps, note, engine))
            if "torch" in peer_times:
                peer_times["torch"].append(theirs(trainer_for([*NETWORK, "--batch-size", str(batch)]), args.steps))
            if "sklearn" in peer_times:
                start = trainer_for([*NETWORK, "--batch-size", str(batch)])
                peer_times["sklearn"].append(scikit_learn(start, args.steps))
        peer = {name: statistics.median(times) for name, times in peer_times.items()}
        auto = "numba" if trainer_for([*NETWORK, "--batch-size", str(batch)]).kernel_is_faster() else "numpy"
        for engine in engines:
            a = statistics.median(mine[engine])
            picked = "  <- auto" if engine == auto and len(engines) > 1 else ""
            cells = [f"{peer[name]:>{w}.4f} {peer[name] / a:>{r - 1}.1f}x" if name in peer else
                     f"{'-':>{w}} {'-':>{r}}" for name, w, r in (("torch", 9, 12), ("sklearn", 10, 14))]  # fmt: skip
            print(f"{batch:>6} {engine:>7} {a:>10.4f} {' '.join(cells)}{picked}")
    if args.large:
        big_rows([large_row(row) for row in args.large], args.repeats, peers)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
