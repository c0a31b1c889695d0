"""Does the app train as fast as headless? Steps/s in the app with every pane shown against ``nnplay train``.

    python benchmarks/bench_frames.py [--seconds 4] [--repeats 3] [--engines numpy numba]
                                      [--networks 4 8,8,8 64,64,64 8x256] [--points 500 50000]
                                      [--smoke]

For each engine, network (hidden layers: "4", "8,8,8", "8x256" = eight layers of 256) and data
size, the app runs as the ``nnplay`` command builds it (the trainer in its own process,
tui/run/trainer_process.py; ``--engine numba`` loads the kernel in the child as the app does)
under Textual's headless driver at 120x40 with every pane shown (plot, diagram, metrics), and
trains flat out. Each repeat measures, alternately so both see the same machine load:

- *app/s*: the steps between the first and the last snapshot the UI received in a window of
  ``--seconds`` (at least two snapshots: a big run publishes seconds apart), over the time between
  their arrivals, so every cost of the child (evaluating, encoding, sending) is counted;
- *headless/s*: ``nnplay train --json`` on the same run at the same step, with the engine the
  app trained with: the app's run is saved as it stands (the app paused) and ``--load``-ed, then
  trained for about as many steps; its own ``steps_per_second``. The same step, not a fresh run
  of the same configuration: a step's cost changes as a run trains (8x256 on 500 points: 2.4%
  slower per step at step 34,000 than from step 0, paired 3 s windows in one process), so a
  fresh headless run against an app thousands of steps in measured that, not the app.

Prints the medians, their ratio (issue 23's target: >= 0.95), the snapshots the UI received and
the frames it drew per second, the CPU share (of one core) that the UI's and the trainer's
processes had in the app's windows and that the headless process had over its run, imports
included (on a busy machine, a trainer given less of a core than headless had explains a low
ratio that no cost in the app does), and the load average before and after each
row: a compact table to paste into docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402

import nnplay.tui  # noqa: E402, F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads

SIZE = (120, 40)
WINDOW_LIMIT = 300.0  # seconds an app window may wait for its second snapshot


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


def headless_command(session: Path, steps: int, engine: str) -> list[str]:
    """``nnplay train --json`` for ``steps`` more updates of the saved ``session`` with ``engine``."""
    return [
        sys.executable, "-m", "nnplay.tui.cli", "train", "--load", str(session),
        "--iterations", str(max(1, steps)), "--json", "--engine", engine,
    ]  # fmt: skip


async def headless_rate(session: Path, steps: int, engine: str) -> tuple[float, float]:
    """``nnplay train``'s steps/s going on from ``session``, and the CPU share (of one core) its
    process had while it ran."""
    command = headless_command(session, steps, engine)
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {process.returncode}: {err.decode()}")
    after, elapsed = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - started
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return float(json.loads(out)["steps_per_second"]), cpu / elapsed


async def save_run(channel, path: Path) -> None:
    """The app's run saved as it stands (the child writes it; waits for its reply)."""
    reply: Future = Future()
    channel.save(str(path), reply)
    await asyncio.wrap_future(reply)


class Arrivals:
    """(arrival time, step) of every snapshot the UI's side of the trainer process takes in."""

    def __init__(self, channel) -> None:
        self.seen: list[tuple[float, int]] = []
        take = channel._take

        def timed(message: tuple) -> None:
            take(message)
            if message[0] is not None:  # a snapshot, not only notices or state
                self.seen.append((time.perf_counter(), channel.latest.step))

        channel._take = timed

    def rate_since(self, index: int) -> float | None:
        got = self.seen[index:]
        if len(got) < 2 or got[-1][0] <= got[0][0]:
            return None
        return (got[-1][1] - got[0][1]) / (got[-1][0] - got[0][0])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether ``condition`` came to hold within ``seconds``."""
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def training_app(config, engine: str):
    """The app as ``nnplay`` builds it (its trainer in a process of its own) on ``config``."""
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.app.app import NNPlayApp

    return NNPlayApp(
        trainer=Trainer(config),
        environ={},
        colors=256,
        use_kernel=engine == "numba",
        standalone=True,
        trainer_process=True,
    )


async def start_training(app, pilot, engine: str) -> None:
    """Once the app is up (and, for numba, its kernel loaded where the app trains), press space."""
    await until(lambda: app._panes_ready and not app.key_hold.holding, 60)
    if engine == "numba":  # the app loads the kernel once it is up; it trains where it is faster
        await until(lambda: app.channel.latest.engine == "numba", 30)
    await pilot.press("space")
    await until(lambda: app.channel.running, 60)


async def measure(net: str, points: int, engine: str, seconds: float, repeats: int) -> dict:
    config = config_for(hidden_layers(net), points)
    app = training_app(config, engine)
    channel = app.channel
    arrivals = Arrivals(channel)
    session = Path(tempfile.gettempdir()) / f"nnplay-bench-frames-{os.getpid()}.npz"
    app_rates, headless, snaps, fps, ui_cpu, child_cpu, headless_cpu = [], [], [], [], [], [], []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await start_training(app, pilot, engine)
            await asyncio.sleep(1.0)  # past the first frames (styles and caches built)
            engine_used = channel.latest.engine
            for _ in range(repeats):
                first, frames0 = len(arrivals.seen), app.frames.clock.frames
                started, cpu0, child0 = time.perf_counter(), time.process_time(), cpu_seconds(channel.child.pid)
                await asyncio.sleep(seconds)
                await until(lambda f=first: len(arrivals.seen) - f >= 2, WINDOW_LIMIT)
                elapsed = time.perf_counter() - started
                rate = arrivals.rate_since(first)
                if rate is None:  # a run whose evaluation is dear publishes minutes apart on a busy machine
                    break
                app_rates.append(rate)
                snaps.append((len(arrivals.seen) - first) / elapsed)
                fps.append((app.frames.clock.frames - frames0) / elapsed)
                ui_cpu.append((time.process_time() - cpu0) / elapsed)
                child_cpu.append((cpu_seconds(channel.child.pid) - child0) / elapsed)
                channel.pause()
                await until(lambda: not channel.running, 60)
                await save_run(channel, session)
                rate_there, cpu_there = await headless_rate(session, int(rate * seconds), engine_used)
                headless.append(rate_there)
                headless_cpu.append(cpu_there)
                channel.toggle_run()
                await until(lambda: channel.running, 60)
                await asyncio.sleep(0.5)  # the first chunks measure the speed
    finally:
        channel.close()
        session.unlink(missing_ok=True)
    if not app_rates:
        return {"engine": engine_used, "waited": WINDOW_LIMIT}
    return {
        "app": statistics.median(app_rates),
        "headless": statistics.median(headless),
        "snaps": statistics.median(snaps),
        "fps": statistics.median(fps),
        "ui_cpu": statistics.median(ui_cpu),
        "child_cpu": statistics.median(child_cpu),
        "headless_cpu": statistics.median(headless_cpu),
        "engine": engine_used,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["numpy", "numba"], choices=("numpy", "numba"))
    parser.add_argument("--networks", nargs="+", default=["4", "8,8,8", "64,64,64", "8x256"])
    parser.add_argument("--points", nargs="+", type=int, default=[500, 50_000])
    args = parse_args(parser, seconds=0.5, repeats=1, engines=["numpy"], networks=["4"], points=[500])
    print(
        f"app ({SIZE[0]}x{SIZE[1]}, every pane, trainer process) / `nnplay train --json` going on from the same step; "
        f"{args.repeats} rounds of {args.seconds:g} s, interleaved, medians; load = 1-min load average before-after"
    )
    print(
        f"| engine | network | points | app steps/s | headless steps/s | app/headless "
        f"| snapshots/s | fps | UI CPU | trainer CPU | headless CPU | load |\n|{'---|' * 12}"
    )
    for engine in args.engines:
        for net in args.networks:
            for points in args.points:
                load0 = os.getloadavg()[0]
                r = asyncio.run(measure(net, points, engine, args.seconds, args.repeats))
                used = engine if r["engine"] == engine else f"{engine} ({r['engine']})"
                if "waited" in r:
                    print(f"| {used} | {net} | {points:,} | fewer than 2 snapshots in {r['waited']:g} s |", flush=True)
                    continue
                print(
                    f"| {used} | {net} | {points:,} | {r['app']:,.0f} | {r['headless']:,.0f} "
                    f"| {r['app'] / r['headless']:.2f} | {r['snaps']:.1f} | {r['fps']:.1f} "
                    f"| {r['ui_cpu']:.0%} | {r['child_cpu']:.0%} | {r['headless_cpu']:.0%} "
                    f"| {load0:.1f}-{os.getloadavg()[0]:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
