"""Keypress latency while training runs flat out: in a real terminal, and headless.

    python benchmarks/bench_keypress.py [--presses 30] [--engine numpy|numba] [--only tmux|headless]
                                        [--network 8x64 --points 5000] [--smoke]
    python benchmarks/bench_keypress.py --help-screen [--layers 64,64,64] [--presses 20] [--smoke]

In a terminal (tmux), as a user sees it: the app (``nnplay --preset PRESET --engine ENGINE``)
trains, `p` is sent with ``send-keys`` again and again, and the screen is read back
(``capture-pane``, every few ms) until the plot's legend says the other colouring; the time is
from sending the key to the changed screen, so it counts Textual's painting and the terminal too.
``--network`` and ``--points`` apply to the headless measure only.

Headless, it runs the app (Textual's test driver, the same event loop and worker thread
as in a terminal), starts training with space, then presses `d` again and again and
measures the time from the key being posted to the app until its action has run and the
frame it asks for is drawn, while the trainer thread competes for the interpreter. Reports
median and worst. ``--network`` (hidden layers as in bench_frames.py: "8x64" is eight of 64)
and ``--points`` train that network on the spiral instead of the preset.

With ``--help-screen``, in a terminal: while the spiral trains with ``--layers`` hidden layers
(64,64,64 unless told), `?` is sent and the screen read back until the help's title is on it;
then escape closes it, and again. Reports the first press (the help is not built before the app is
up) and the median and worst of the rest, from the key to the help on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app_folder import app_folder  # noqa: E402
from bench_terminal_bytes import tmux  # noqa: E402
from smoke_mode import parse_args  # noqa: E402

LEGEND = ("points: true class (p)", "points: predicted (p)")  # what `p` switches between
HELP_TITLE = "nnplay help"  # the help screen's first line


def wait_for_screen(socket: str, seen: Callable[[str], bool], what: str, seconds: float = 60.0) -> str:
    """The screen once ``seen(screen)``; RuntimeError naming ``what`` (and showing the screen) after ``seconds``."""
    deadline = time.perf_counter() + seconds
    while True:
        screen = tmux(socket, "capture-pane", "-p")
        if seen(screen):
            return screen
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{what} did not appear within {seconds:g} s; the screen:\n{screen}")
        time.sleep(0.002)


def terminal_presses(presses: int, engine: str, preset: str) -> list[float]:
    """Seconds from sending `p` to tmux until the screen shows the other legend, while training."""

    def press(socket: str) -> float:
        shown = next(i for i, text in enumerate(LEGEND) if text in tmux(socket, "capture-pane", "-p"))
        started = time.perf_counter()
        tmux(socket, "send-keys", "p")
        wait_for_screen(socket, lambda s, want=LEGEND[1 - shown]: want in s, "the other legend", 30.0)
        return time.perf_counter() - started

    return while_training(presses, ["--preset", preset, "--engine", engine], press)


def help_presses(presses: int, engine: str, layers: str) -> list[float]:
    """Seconds from sending `?` to tmux until the help is on screen, while the spiral trains on ``layers``."""

    def press(socket: str) -> float:
        started = time.perf_counter()
        tmux(socket, "send-keys", "?")
        wait_for_screen(socket, lambda s: HELP_TITLE in s, "the help", 30.0)
        seconds = time.perf_counter() - started
        tmux(socket, "send-keys", "Escape")
        wait_for_screen(socket, lambda s: HELP_TITLE not in s and "steps/s" in s, "the app again, training", 30.0)
        return seconds

    return while_training(presses, ["--preset", "spiral", "--layers", layers, "--engine", engine], press)


def while_training(presses: int, flags: list[str], press: Callable[[str], float]) -> list[float]:
    """``press(socket)``'s seconds, ``presses`` times, in tmux while the app (with ``flags``) trains."""
    socket = f"nnplay-keys-{os.getpid()}"
    app = [sys.executable, "-m", "nnplay.tui.cli", *flags]
    command = f"cd {app_folder()} && env -u COLUMNS -u LINES TERM=xterm-256color {shlex.join(app)}"
    latencies = []
    tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", command)
    try:
        wait_for_screen(socket, lambda s: "learn rate" in s and LEGEND[0] in s, "the app with its panel")
        tmux(socket, "send-keys", "Space")
        wait_for_screen(socket, lambda s: "steps/s" in s, "training (steps/s on the status line)")
        time.sleep(1.0)  # past the first training frames
        for _ in range(presses):
            latencies.append(press(socket))
            time.sleep(0.2)
        screen = tmux(socket, "capture-pane", "-p")
        if "steps/s" not in screen:
            raise RuntimeError(f"training stopped while the keys were pressed; the screen:\n{screen}")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    return latencies


async def measure(presses: int, engine: str, preset: str, network: str | None, points: int) -> list[float]:
    from benchmarks.app_as_run import app_as_run

    app = app_as_run(preset, engine)
    trainer = None
    if network is not None:
        from benchmarks.bench_frames import config_for, hidden_layers
        from nnplay.core.run.trainer import Trainer

        trainer = Trainer(config_for(hidden_layers(network), points))
        app.channel.replace(trainer)
    handled: list[float] = []
    original = app.action_view

    def timed(key: str, first: int | None = None, second: int | None = None) -> None:
        original(key, first, second)  # the view changes and its frame is drawn
        handled.append(time.perf_counter())

    app.action_view = timed  # type: ignore[method-assign]
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        if engine == "numba":
            from nnplay.core.engine.kernel import load_kernel

            app.channel.set_kernel(load_kernel())
        await pilot.press("space")
        # Training starts once the commands before it are done (a big run's first evaluation takes seconds).
        waited = time.perf_counter()
        while not app.channel.running and time.perf_counter() - waited < 60:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert app.channel.running
        for _ in range(presses):
            before = len(handled)
            started = time.perf_counter()
            app.post_message(_key("d"))
            while len(handled) == before:
                await asyncio.sleep(0.001)
            latencies.append(handled[-1] - started)
            await asyncio.sleep(0.2)
        # The trainer's own count where the benchmark made it: a big run's snapshots come seconds apart.
        steps = app.channel.latest.step if trainer is None else trainer.step_count
        engine_used = app.channel.latest.engine if trainer is None else trainer.engine
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
    parser.add_argument("--only", choices=("tmux", "headless"), default=None, help="one of the two measures")
    parser.add_argument("--help-screen", action="store_true", help="time ? to the help on screen (tmux) instead")
    parser.add_argument("--layers", default="64,64,64", help="the spiral's hidden layers for --help-screen")
    args = parse_args(parser, presses=3, layers="8")
    print(f"load average {os.getloadavg()[0]:.2f}")
    if args.help_screen:
        first, *latencies = help_presses(args.presses, args.engine, args.layers)
        print(
            f"{args.presses} presses of ? while spiral {args.layers} trains in tmux ({args.engine}), ? to help on "
            f"screen: first {first * 1000:.1f} ms, then median {statistics.median(latencies) * 1000:.1f} ms, "
            f"worst {max(latencies) * 1000:.1f} ms"
        )
    elif args.only != "headless":
        latencies = sorted(terminal_presses(args.presses, args.engine, args.preset))
        print(
            f"{args.presses} presses of p while training in tmux ({args.preset}, {args.engine}), key to screen: "
            f"median {statistics.median(latencies) * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms",
            flush=True,
        )
    if args.only != "tmux" and not args.help_screen:
        latencies = sorted(asyncio.run(measure(args.presses, args.engine, args.preset, args.network, args.points)))
        what = args.preset if args.network is None else f"{args.network}, {args.points:,} points"
        print(
            f"{args.presses} presses of d while training headless ({what}, {args.engine}), key to frame drawn: "
            f"median {statistics.median(latencies) * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
