"""Keypress latency while training runs flat out.

    python benchmarks/bench_keypress.py [--presses 30] [--engine numpy|numba]
                                        [--network 8x64 --points 5000] [--smoke]

Runs the app headless (Textual's test driver, the same event loop and worker thread
as in a terminal), starts training with space, then presses `d` again and again and
measures the time from the key being posted to the app until its action has run and the
frame it asks for is drawn, while the trainer thread competes for the interpreter. Reports
median and worst. ``--network`` (hidden layers as in bench_frames.py: "8x64" is eight of 64)
and ``--points`` train that network on the spiral instead of the preset.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402


async def measure(presses: int, engine: str, preset: str, network: str | None, points: int) -> list[float]:
    from benchmarks.app_as_run import app_as_run

    app = app_as_run(preset, engine)
    trainer = None
    if network is not None:
        from benchmarks.bench_frames import config_for, hidden_layers
        from nnplay.core.trainer import Trainer

        trainer = Trainer(config_for(hidden_layers(network), points))
        app.session.replace(trainer)
    handled: list[float] = []
    original = app.action_view

    def timed(key: str, first: int | None = None, second: int | None = None) -> None:
        original(key, first, second)  # the view changes and its frame is drawn
        handled.append(time.perf_counter())

    app.action_view = timed  # type: ignore[method-assign]
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        if engine == "numba":
            from nnplay.core.kernel import load_kernel

            app.session.set_kernel(load_kernel())
        await pilot.press("space")
        # Training starts once the commands before it are done (a big run's first evaluation takes seconds).
        waited = time.perf_counter()
        while not app.session.running and time.perf_counter() - waited < 60:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert app.session.running
        for _ in range(presses):
            before = len(handled)
            started = time.perf_counter()
            app.post_message(_key("d"))
            while len(handled) == before:
                await asyncio.sleep(0.001)
            latencies.append(handled[-1] - started)
            await asyncio.sleep(0.2)
        # The trainer's own count where the benchmark made it: a big run's snapshots come seconds apart.
        steps = app.session.latest.step if trainer is None else trainer.step_count
        engine_used = app.session.latest.engine if trainer is None else trainer.engine
    print(f"trained {steps:,} steps meanwhile ({engine_used})")
    return latencies


def _key(key: str):
    from textual import events

    return events.Key(key, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--engine", default="numpy", choices=("numpy", "numba"))
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--network", default=None)
    parser.add_argument("--points", type=int, default=5000)
    args = parse_args(parser, presses=2)
    latencies = sorted(asyncio.run(measure(args.presses, args.engine, args.preset, args.network, args.points)))
    what = args.preset if args.network is None else f"{args.network}, {args.points:,} points"
    print(
        f"{args.presses} presses while training ({what}, {args.engine}): "
        f"median {statistics.median(latencies) * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
