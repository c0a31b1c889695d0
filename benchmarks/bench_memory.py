"""Resident memory of the app while it trains: the UI and its trainer process together against the
app in one process, in a real terminal (tmux), sampled from /proc.

    python benchmarks/bench_memory.py [--seconds 20] [--repeats 2] [--preset spiral]
                                      [--engine auto|numpy|numba] [--points N] [--layers SIZES]
    python benchmarks/bench_memory.py --minutes 30 [--every 30]     # the trainer process over time
    python benchmarks/bench_memory.py --smoke

Side by side (the default): the app as ``nnplay`` runs it (the trainer in a child process) and
the same app with the trainer on a thread of the UI's process (how the app ran before issue 23),
alternately, each trains for ``--seconds`` after space; the figure is the peak, over samples
every half second, of the RSS summed over the app's process and every process under it (what
``top`` would add up; shared libraries count once per process), of the PSS likewise (shared
pages split between the processes that share them, also with processes outside the app), and of
the distinct physical pages resident in any of them, each once (from ``/proc/PID/pagemap``: the
memory the app's processes hold together; root only, as the kernel shows the frames only to
root). Prints the medians and their ratios (issue 23's target: at most 1.3x) with the load
average.

``--minutes``: the ``nnplay`` app alone, its summed RSS every ``--every`` seconds: the histories
are ring buffers, so after the first minutes the number must stay flat.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from app_folder import app_folder
from smoke_mode import parse_args

# The app with its trainer on a thread of the UI's process: NNPlayApp's trainer_process=False,
# otherwise as ``nnplay`` builds it (tui/cli/open_app.py).
ONE_PROCESS = """
import sys
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.cli.arguments import build_trainer
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.terminal.signals import run_standalone
args = build_parser().parse_args(sys.argv[1:])
app = NNPlayApp(trainer=build_trainer(args), use_kernel=args.engine != "numpy", standalone=True)
sys.exit(run_standalone(app, app.channel))
"""


def tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            out += tree(int(child))
    return out


PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT = 1 << 63  # /proc/PID/pagemap: the page is in memory (not swapped, not unmapped)
FRAME = (1 << 55) - 1  # its bits 0-54: the physical frame (zero unless root reads it)


def distinct_mb(pids: list[int]) -> float | None:
    """MB of the physical pages resident in any of ``pids``, each page once
    (a page two processes share counts once, as in neither RSS, which counts it in each, nor
    PSS, which splits it, also with processes outside the app); None where the frames are
    hidden (not root)."""
    frames: set[int] = set()
    for p in pids:
        try:
            maps = Path(f"/proc/{p}/maps").read_text().splitlines()
            with open(f"/proc/{p}/pagemap", "rb") as pagemap:
                for line in maps:
                    if line.endswith("[vsyscall]"):
                        continue  # above the user address space: pagemap does not cover it
                    start, end = (int(x, 16) for x in line.split()[0].split("-"))
                    pagemap.seek(start // PAGE * 8)
                    entries = np.frombuffer(pagemap.read((end - start) // PAGE * 8), dtype=np.uint64)
                    frames.update((entries[(entries & PRESENT) != 0] & FRAME).tolist())
        except (FileNotFoundError, ProcessLookupError):
            pass  # ended meanwhile
    if frames <= {0}:
        return None
    return len(frames) * PAGE / 2**20


def resident_mb(pids: list[int]) -> tuple[float, float]:
    """(RSS, PSS) in MB summed over ``pids``."""
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass  # ended meanwhile
    return rss / 1024, pss / 1024


class TmuxApp:
    """An app command in a detached tmux session at 120x40, ended with the session."""

    def __init__(self, command: list[str]) -> None:
        self.socket = f"nnplay-mem-{os.getpid()}-{time.monotonic_ns()}"
        shell = f"cd {app_folder()} && TERM=xterm-256color exec {shlex.join(command)}"
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", shell)
        self.pid = int(self.tmux("list-panes", "-F", "#{pane_pid}").split()[0])

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.screen():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{text!r} did not appear within {seconds:g} s; the screen:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def app_flags(args: argparse.Namespace) -> list[str]:
    flags = ["--preset", args.preset, "--engine", args.engine]
    if args.points:
        flags += ["--train-size", str(args.points)]
    if args.layers:
        flags += ["--layers", args.layers]
    return flags


def peak_while_training(command: list[str], seconds: float) -> tuple[float, float, float | None, int]:
    """The peaks over ``seconds`` of training of the summed RSS and PSS and of the distinct
    pages, in MB, and how many processes."""
    app = TmuxApp(command)
    try:
        app.wait_for("learn rate")
        app.tmux("send-keys", "Space")
        app.wait_for("steps/s")
        started, rss, pss, distinct, pids = time.monotonic(), 0.0, 0.0, None, [app.pid]
        while time.monotonic() - started < seconds:
            time.sleep(0.5)
            pids = tree(app.pid)  # the app's process and every process under it, this sample's
            now = resident_mb(pids)
            rss, pss = max(rss, now[0]), max(pss, now[1])
            pages = distinct_mb(pids)
            distinct = None if pages is None else max(distinct or 0.0, pages)
        return rss, pss, distinct, len(pids)
    finally:
        app.close()


def side_by_side(args: argparse.Namespace) -> None:
    flags = app_flags(args)
    runs = {
        "trainer process": [sys.executable, "-m", "nnplay.tui.cli", *flags],
        "one process": [sys.executable, "-c", ONE_PROCESS, *flags],
    }
    got: dict[str, list[tuple[float, float, float | None, int]]] = {name: [] for name in runs}
    load0 = os.getloadavg()[0]
    for _ in range(args.repeats):
        for name, command in runs.items():
            got[name].append(peak_while_training(command, args.seconds))
    print(
        f"peak resident memory while training, {' '.join(flags)}, 120x40 in tmux; {args.repeats} x "
        f"{args.seconds:g} s each, alternately, medians; load {load0:.1f}-{os.getloadavg()[0]:.1f}"
    )
    print("| app | processes | RSS MB | PSS MB | distinct pages MB |\n|---|---|---|---|---|")
    medians = {}
    for name, samples in got.items():
        rss, pss = statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
        distinct = None if None in (pages := [s[2] for s in samples]) else statistics.median(pages)
        medians[name] = (rss, pss, distinct)
        shown = "n/a (needs root)" if distinct is None else f"{distinct:.1f}"
        print(f"| {name} | {samples[0][3]} | {rss:.1f} | {pss:.1f} | {shown} |")
    ratio = [
        None if medians["one process"][i] is None else medians["trainer process"][i] / medians["one process"][i]
        for i in (0, 1, 2)
    ]
    print(f"| ratio (target <= 1.3) | | {' | '.join('n/a' if r is None else f'{r:.2f}' for r in ratio)} |")


def over_time(args: argparse.Namespace) -> None:
    app = TmuxApp([sys.executable, "-m", "nnplay.tui.cli", *app_flags(args)])
    try:
        app.wait_for("learn rate")
        app.tmux("send-keys", "Space")
        started, peak = time.monotonic(), 0.0
        print("minutes  rss_MB  pss_MB  step")
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(args.every)
            screen = app.screen()
            step = next(
                (w for line in screen.splitlines() if "step " in line for w in [line.split("step ")[1].split()[0]]), "?"
            )
            rss, pss = resident_mb(tree(app.pid))
            peak = max(peak, rss)
            print(f"{(time.monotonic() - started) / 60:7.1f} {rss:7.1f} {pss:7.1f}  {step}", flush=True)
        print(f"peak RSS {peak:.1f} MB over {args.minutes:g} minutes (UI and trainer process together)")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=None, help="the trainer-process app over time instead")
    parser.add_argument("--every", type=float, default=30)
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--engine", default="auto", choices=("auto", "numpy", "numba"))
    parser.add_argument("--points", type=int, default=None, help="training points (the preset's otherwise)")
    parser.add_argument("--layers", default=None, help="hidden layers, as --layers takes them")
    args = parse_args(parser, seconds=1.0, repeats=1)
    over_time(args) if args.minutes else side_by_side(args)


if __name__ == "__main__":
    main()
