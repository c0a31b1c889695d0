"""Do frames starve training? Steps/s with every pane shown against the app idle.

    python benchmarks/bench_frames.py [--seconds 3] [--repeats 3] [--engine numpy|numba]
                                      [--networks 4 8,8,8 8x64 8x256] [--points 500 50000] [--process]
                                      [--smoke]

For each network (hidden layers: "4", "8,8,8", "8x64" = eight layers of 64) and data size,
the app runs headless at 120x40 (Textual's test driver: the same event loop, frame timer and
trainer thread as in a terminal) and trains flat out. Each repeat measures the trainer's
steps/s for ``--seconds`` with every pane shown (plot, diagram, metrics), then with the
app idle (the same app, its frames not drawn), alternately, so both see the same machine
load. ``--process``: the trainer in a process of its own (tui/run/trainer_process.py), as
the ``nnplay`` command runs it; steps are then counted from its snapshots, and "idle" stops the
frames only (the child still publishes). Reports the medians, their ratio (issue 15's target:
>= 70%), the frames drawn per second, the mean cost of one frame, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402

import nnplay.tui  # noqa: E402, F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads


def hidden_layers(text: str) -> tuple[int, ...]:
    if "x" in text:
        count, width = text.split("x")
        return (int(width),) * int(count)
    return tuple(int(part) for part in text.split(","))


def config_for(layers: tuple[int, ...], points: int):
    from nnplay.core.settings.config import TrainConfig

    return TrainConfig(
        dataset="spiral",
        train_size=points,
        test_ratio=0.1,
        layers=layers,
        activation="tanh",
        output="softmax",
        loss="cross_entropy",
        optimizer="adam",
        lr=0.003,
        batch_size=10,
        iterations=100_000_000,
    )


def idle(app, quiet: bool) -> None:
    """The app idle (no frames drawn, no snapshots published) or back to normal."""
    if quiet:
        app.frame_timer.pause()
    else:
        app.frame_timer.resume()
    if hasattr(app.channel, "publish_budget"):  # a trainer in this process
        app.channel.publish_budget.min_interval = math.inf if quiet else 1.0 / app.fps


async def rates(
    layers: tuple[int, ...], points: int, seconds: float, repeats: int, engine: str, process: bool = False
) -> dict:
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.app.app import NNPlayApp

    trainer = Trainer(config_for(layers, points))
    app = NNPlayApp(trainer=trainer, environ={}, colors=256, use_kernel=False, trainer_process=process)

    def steps() -> int:
        return app.channel.latest.step if process else trainer.step_count

    shown, quiet, frames, cost = [], [], [], []
    async with app.run_test(size=(120, 40)) as pilot:
        if engine == "numba":
            from nnplay.core.engine.kernel import load_kernel

            app.channel.load_kernel() if process else app.channel.set_kernel(load_kernel())
        await pilot.pause(0.5)
        await pilot.press("space")
        await asyncio.sleep(1.0)  # past the first frames (styles and caches built)
        for _ in range(repeats):
            for drawing in (True, False):
                idle(app, not drawing)
                await asyncio.sleep(0.3)  # a frame or snapshot begun before the switch has ended
                step0, frames0, cost0 = steps(), app.frames.clock.frames, app.frames.clock.seconds
                started = time.perf_counter()
                await asyncio.sleep(seconds)
                elapsed = time.perf_counter() - started
                rate = (steps() - step0) / elapsed
                if drawing:
                    shown.append(rate)
                    drawn = app.frames.clock.frames - frames0
                    frames.append(drawn / elapsed)
                    cost.append((app.frames.clock.seconds - cost0) / max(drawn, 1))
                else:
                    quiet.append(rate)
        idle(app, False)
        engine_used = app.channel.latest.engine
    if process:
        app.channel.close()
    return {
        "shown": statistics.median(shown),
        "idle": statistics.median(quiet),
        "fps": statistics.median(frames),
        "frame_ms": statistics.median(cost) * 1000,
        "engine": engine_used,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engine", default="numpy", choices=("numpy", "numba"))
    parser.add_argument("--networks", nargs="+", default=["4", "8,8,8", "8x64", "8x256"])
    parser.add_argument("--points", nargs="+", type=int, default=[500, 50_000])
    parser.add_argument("--process", action="store_true", help="the trainer in a process of its own")
    args = parse_args(parser, seconds=0.3, repeats=1, networks=["4"], points=[500])
    print(f"load average {os.getloadavg()[0]:.2f}; {args.repeats} x {args.seconds:g} s each way, medians")
    print(f"{'network':>8} {'points':>7} {'shown/s':>9} {'idle/s':>9} {'ratio':>6} {'fps':>5} {'frame ms':>8}  engine")
    for net in args.networks:
        for points in args.points:
            r = asyncio.run(rates(hidden_layers(net), points, args.seconds, args.repeats, args.engine, args.process))
            ratio = r["shown"] / max(r["idle"], 1e-9)
            print(
                f"{net:>8} {points:>7,} {r['shown']:>9,.0f} {r['idle']:>9,.0f} {ratio:>6.0%} "
                f"{r['fps']:>5.1f} {r['frame_ms']:>8.1f}  {r['engine']}",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
