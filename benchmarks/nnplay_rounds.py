"""Time nnplay's training loop in rounds, by the wall clock and by CPU time, in a fresh process.

    python benchmarks/nnplay_rounds.py --engine numba --steps 2000000 --rounds 5 -- TRAIN FLAGS...

The network, data and settings are the ones ``nnplay train TRAIN FLAGS`` would train. A
warm-up round comes first (numba's kernel loaded, caches warm) and is not reported; then
each round of ``--steps`` updates is timed by ``time.perf_counter`` and by
``time.process_time`` (what a loaded machine's other processes do not inflate). Prints
``{"wall": [updates/s...], "cpu": [updates/s...], "engine": ...}``. ``measure()`` runs it
from another benchmark.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from smoke_mode import parse_args


def measure(train_flags: list[str], steps: int, rounds: int, engine: str = "numba") -> dict:
    """Updates per second of each timed round, from a fresh process."""
    cmd = [sys.executable, __file__, "--engine", engine, "--steps", str(steps), "--rounds", str(rounds), "--"]
    return json.loads(subprocess.run([*cmd, *train_flags], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("numba", "numpy"), default="numba")
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("train_flags", nargs=argparse.REMAINDER)
    args = parse_args(parser, steps=1000, rounds=1)
    from nnplay.core.engine.kernel import load_kernel
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.cli.arguments import config_from_args
    from nnplay.tui.cli.parser import build_parser

    flags = [f for f in args.train_flags if f != "--"]
    total = args.steps * (args.rounds + 1)
    trainer = Trainer(config_from_args(build_parser().parse_args(["train", *flags, "--iterations", str(total)])))
    if args.engine == "numba":
        trainer.use_kernel(load_kernel())
    wall, cpu = [], []
    for r in range(args.rounds + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        if trainer.step(args.steps) != args.steps or trainer.engine != args.engine:
            raise SystemExit(f"{args.engine} did not train {args.steps:,} steps: {trainer.message}")
        if r:  # round 0 is the warm-up
            wall.append(args.steps / (time.perf_counter() - started))
            cpu.append(args.steps / (time.process_time() - cpu_started))
    print(json.dumps({"wall": wall, "cpu": cpu, "engine": trainer.engine}))


if __name__ == "__main__":
    main()
