"""What recording the path every step costs: training steps a second with the recorder on and off.

    python benchmarks/bench_path.py [--repeats 7] [--steps 2000] [--long 50000] [--cpu 0.2] [--smoke]

Small networks record their weights after every update for the first 400 steps, then pairs of
steps thinned by a doubling stride (core.run.path_recorder). With the compiled kernel that means one
kernel call per recorded step: the worst case is the first ~1,000 steps (``--steps``, every step
recorded), the usual one a long run (``--long``, where the stride has grown). Each row times the
same run with the recorder on and off, interleaved, in CPU time, and gives medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from smoke_mode import parse_args

from nnplay.core.engine.kernel import load_kernel
from nnplay.core.run.path_recorder import PathRecorder
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS

RUNS = {
    "v1 bowl, batch 4": PRESETS["seed-v1"].config(output="linear", loss="mse", batch_size=4, lr=1.8),
    "v2, per sample": PRESETS["seed-v2"].config(train_size=200),
    "2-8-2 circle, batch 10": TrainConfig(dataset="circle", layers=(8,), activation="relu", lr=0.03, batch_size=10),
    "2-8-8-2 spiral, batch 10": TrainConfig(dataset="spiral", layers=(8, 8), activation="tanh", batch_size=10),
}
CHUNK = 100  # updates a call, about what the app's worker asks for on a busy machine


def steps_per_second(config: TrainConfig, kernel, steps: int, record: bool, at_least: float = 0.2) -> float:
    """Fresh runs of ``steps`` updates until ``at_least`` CPU seconds are spent: CPU time, not the
    wall clock, which on a loaded machine counts the time other processes ran."""
    total, spent = 0, 0.0
    while spent < at_least:
        trainer = Trainer(config)
        trainer.use_kernel(kernel)
        if not record:
            trainer.path = PathRecorder(10**12)  # too big to record: off
            trainer.restart()
        started = time.process_time()
        while trainer.step_count < steps and trainer.diverged_at is None:
            trainer.step(min(CHUNK, steps - trainer.step_count))
        spent += time.process_time() - started
        total += trainer.step_count
    return total / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--long", type=int, default=50_000)
    parser.add_argument("--cpu", type=float, default=0.2, help="CPU seconds a measurement runs at least")
    args = parse_args(parser, repeats=1, steps=100, long=500, cpu=0.01)
    kernel = load_kernel()
    engines = {"numpy": None} | ({"numba": kernel} if kernel is not None else {})
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeats}, on and off interleaved")
    print(f"{'run':<26}{'engine':<7}{'steps':>7}{'off steps/s':>13}{'on steps/s':>12}{'on/off':>8}")
    for name, config in RUNS.items():
        for engine, k in engines.items():
            for steps in (args.steps, args.long):
                on, off = [], []
                for _ in range(args.repeats):
                    off.append(steps_per_second(config, k, steps, False, args.cpu))
                    on.append(steps_per_second(config, k, steps, True, args.cpu))
                a, b = statistics.median(off), statistics.median(on)
                print(f"{name:<26}{engine:<7}{steps:>7}{a:>13,.0f}{b:>12,.0f}{b / a:>8.2f}")


if __name__ == "__main__":
    main()
