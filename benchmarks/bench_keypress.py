"""Key to screen while the app trains flat out: headless for each network and data size, and in a real terminal.

    python benchmarks/bench_keypress.py [--presses 20] [--rounds 2] [--busy 4] [--engines numpy numba]
                                        [--networks 4 8,8,8 64,64,64 8x256] [--points 500 50000]
                                        [--only tmux|headless] [--smoke]
    python benchmarks/bench_keypress.py --help-screen [--layers 64,64,64] [--presses 20] [--smoke]

Headless: for each engine, network (hidden layers as in bench_frames.py: "8x256" is eight of 256)
and data size on the spiral, the app runs as the ``nnplay`` command builds it (the trainer in its
own process; numba loaded by the child as the app does) under Textual's headless driver at 120x40
with every pane shown. Training flat out, `d` is posted again and again; each latency is from the
key being posted until the screen update after its action has been composed (``App._display``:
everything but the terminal write). Half the presses are made with ``--busy`` processes spinning
beside the app, in alternating blocks, so the quiet and the busy figures see the same run. Prints
median and worst of each, and the load average, as a table to paste into docs/performance.md.

In a terminal (tmux), as a user sees it: the app (``nnplay --preset PRESET --engine ENGINE``)
trains, `p` is sent with ``send-keys`` again and again, and the screen is read back
(``capture-pane``, every few ms) until the plot's legend says the other colouring; the time is
from sending the key to the changed screen, so it counts Textual's painting and the terminal too.

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


class Displays:
    """When the app last handed a screen update out (``App._display``: composed, before the
    terminal write that the headless driver skips), and when a view key's action last ran."""

    def __init__(self, app) -> None:
        self.shown = 0.0
        self.handled = 0.0
        display, view = app._display, app.action_view

        def displayed(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.shown = time.perf_counter()

        def viewed(*args) -> None:
            view(*args)  # the view changes and its frame is built at once
            self.handled = time.perf_counter()

        app._display, app.action_view = displayed, viewed


class BusyProcesses:
    """``count`` programs that spin on a core each, beside the app, while in the ``with``."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> BusyProcesses:
        spin = [sys.executable, "-c", "while True: pass"]
        # Each a session of its own, as programs started elsewhere are: with Linux's autogroup,
        # spinners in the benchmark's session would take the UI's own share of the CPU.
        self.processes = [subprocess.Popen(spin, start_new_session=True) for _ in range(self.count)]
        return self

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


async def presses_while_training(
    net: str, points: int, engine: str, presses: int, busy: int, rounds: int
) -> tuple[list[float], list[float], str]:
    """Seconds from posting `d` to the app until the screen it changes is composed, while the
    run trains in the app's trainer process: ``presses`` on a quiet machine and as many with
    ``busy`` spinning processes beside it, in ``rounds`` alternating blocks."""
    from benchmarks.bench_frames import config_for, hidden_layers, start_training, training_app

    app = training_app(config_for(hidden_layers(net), points), engine)
    channel = app.channel
    marks = Displays(app)
    quiet: list[float] = []
    loaded: list[float] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await start_training(app, pilot, engine)
            await asyncio.sleep(1.0)
            per_block = max(1, presses // rounds)
            for _ in range(rounds):
                for latencies, spinning in ((quiet, 0), (loaded, busy)):
                    with BusyProcesses(spinning):
                        await asyncio.sleep(0.3 if spinning else 0.0)
                        for _ in range(per_block):
                            latencies.append(await one_press(app, marks))
                            await asyncio.sleep(0.2)
            if not channel.running:
                raise RuntimeError("training stopped while the keys were pressed")
            used = channel.latest.engine
    finally:
        channel.close()
    return quiet, loaded, used


async def one_press(app, marks: Displays) -> float:
    handled = marks.handled
    started = time.perf_counter()
    app.post_message(_key("d"))
    while marks.handled == handled or marks.shown < marks.handled:
        await asyncio.sleep(0.0005)
    return marks.shown - started


def _key(key: str):
    from textual import events

    return events.Key(key, key)


def ms(latencies: list[float]) -> str:
    return f"{statistics.median(latencies) * 1000:.1f} | {max(latencies) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20, help="per configuration, quiet and busy each")
    parser.add_argument("--rounds", type=int, default=2, help="alternating blocks of quiet and busy presses")
    parser.add_argument("--busy", type=int, default=4, help="spinning processes beside the app in the busy blocks")
    parser.add_argument("--engines", nargs="+", default=["numpy", "numba"], choices=("numpy", "numba"))
    parser.add_argument("--networks", nargs="+", default=["4", "8,8,8", "64,64,64", "8x256"])
    parser.add_argument("--points", nargs="+", type=int, default=[500, 50_000])
    parser.add_argument("--preset", default="spiral", help="what the tmux measure trains")
    parser.add_argument("--only", choices=("tmux", "headless"), default=None, help="one of the two measures")
    parser.add_argument("--help-screen", action="store_true", help="time ? to the help on screen (tmux) instead")
    parser.add_argument("--layers", default="64,64,64", help="the spiral's hidden layers for --help-screen")
    args = parse_args(parser, presses=2, rounds=1, busy=1, engines=["numpy"], networks=["4"], points=[500], layers="8")
    if args.help_screen:
        print(f"load average {os.getloadavg()[0]:.2f}")
        first, *latencies = help_presses(max(args.presses, 2), args.engines[0], args.layers)
        print(
            f"{args.presses} presses of ? while spiral {args.layers} trains in tmux ({args.engines[0]}), ? to help "
            f"on screen: first {first * 1000:.1f} ms, then median {statistics.median(latencies) * 1000:.1f} ms, "
            f"worst {max(latencies) * 1000:.1f} ms"
        )
        print(f"load average {os.getloadavg()[0]:.2f}")
        return
    if args.only != "tmux":
        print(
            f"key (d) to screen composed while training in the trainer process, 120x40, every pane; "
            f"ms; {args.presses} presses on the machine as it is and {args.presses} beside {args.busy} busy processes, "
            f"in {args.rounds} alternating blocks; load = 1-min load average before-after"
        )
        busy = f"+{args.busy} busy"
        print(f"| engine | network | points | median | worst | {busy}: median | {busy}: worst | load |\n|" + "---|" * 8)
        for engine in args.engines:
            for net in args.networks:
                for points in args.points:
                    load0 = os.getloadavg()[0]
                    quiet, loaded, used = asyncio.run(
                        presses_while_training(net, points, engine, args.presses, args.busy, args.rounds)
                    )
                    shown = engine if used == engine else f"{engine} ({used})"
                    print(
                        f"| {shown} | {net} | {points:,} | {ms(quiet)} | {ms(loaded)} "
                        f"| {load0:.1f}-{os.getloadavg()[0]:.1f} |",
                        flush=True,
                    )
    if args.only != "headless":
        engine = args.engines[0]
        print(f"load average {os.getloadavg()[0]:.2f}")
        latencies = sorted(terminal_presses(args.presses, engine, args.preset))
        print(
            f"{args.presses} presses of p while training in tmux ({args.preset}, {engine}), key to screen: "
            f"median {statistics.median(latencies) * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms",
            flush=True,
        )
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
