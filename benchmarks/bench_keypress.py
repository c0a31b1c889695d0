"""Keypress latency while training runs flat out.

    python benchmarks/bench_keypress.py [--presses 30] [--engine numpy|numba]

Runs the app headless (Textual's test driver, the same event loop and worker thread
as in a terminal), starts training with space, then presses `d` again and again and
measures the time from the key being posted to the app until its action has run,
while the trainer thread competes for the interpreter. Reports median and worst.
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


async def measure(presses: int, engine: str, preset: str) -> list[float]:
    from benchmarks.app_as_run import app_as_run

    app = app_as_run(preset, engine)
    handled: list[float] = []
    original = app.action_discretize

    def timed() -> None:
        handled.append(time.perf_counter())
        original()

    app.action_discretize = timed  # type: ignore[method-assign]
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        if engine == "numba":
            from nnplay.core.kernel import load_kernel

            app.session.set_kernel(load_kernel())
        await pilot.press("space")
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
        steps = app.session.latest.step
    print(f"trained {steps:,} steps meanwhile ({app.session.latest.engine})")
    return latencies


def _key(key: str):
    from textual import events

    return events.Key(key, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--engine", default="numpy", choices=("numpy", "numba"))
    parser.add_argument("--preset", default="spiral")
    args = parser.parse_args()
    latencies = sorted(asyncio.run(measure(args.presses, args.engine, args.preset)))
    print(
        f"{args.presses} presses while training ({args.preset}, {args.engine}): "
        f"median {statistics.median(latencies) * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
