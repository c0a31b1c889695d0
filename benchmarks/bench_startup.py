"""Time from typing ``nnplay`` to the plot on screen, in a real terminal (tmux).

    python benchmarks/bench_startup.py [--runs 5]

Polls ``capture-pane`` every 10 ms until braille dots (the plot) are visible, and
then until the parameter panel's fields are (the app composes them after the first
frame); reports medians over runs, with Python's own bare start-up for scale.

Python writes bytecode caches as it does by default (PYTHONDONTWRITEBYTECODE, set on
some build machines, is removed for the app) and a first launch, not timed, writes
them: every launch a user makes after the first one starts like this.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def plot_visible(screen: str) -> bool:
    return "decision regions" in screen and any(0x2801 <= ord(ch) <= 0x28FF for ch in screen)


def panel_visible(screen: str) -> bool:
    return "learn rate" in screen


def one_run(index: int) -> tuple[float, float]:
    """Seconds until the plot is on screen, and until the panel's fields are too."""
    socket = f"nnplay-start-{os.getpid()}-{index}"
    command = f"cd {ROOT} && env -u PYTHONDONTWRITEBYTECODE TERM=xterm-256color {sys.executable} -m nnplay.tui.cli"
    started = time.perf_counter()
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
    plot = None
    try:
        while time.perf_counter() - started < 15:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            now = time.perf_counter() - started
            if plot is None and plot_visible(screen):
                plot = now
            if plot is not None and panel_visible(screen):
                return plot, now
            time.sleep(0.01)
        raise RuntimeError("the plot and the panel did not appear within 15 s")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    one_run(-1)  # writes the bytecode caches, as a user's first launch does
    runs = [one_run(i) for i in range(args.runs)]
    plots, panels = [r[0] for r in runs], [r[1] for r in runs]
    print(
        f"plot on screen after {statistics.median(plots):.2f} s (median of {args.runs}; "
        f"min {min(plots):.2f}, max {max(plots):.2f}); whole panel after {statistics.median(panels):.2f} s; "
        f"bare python starts in {bare_python():.2f} s"
    )


if __name__ == "__main__":
    main()
