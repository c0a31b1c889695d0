"""Time from typing ``nnplay`` to the plot on screen, in a real terminal (tmux).

    python benchmarks/bench_startup.py [--runs 5]

Polls ``capture-pane`` every 10 ms until braille dots (the plot) are visible;
reports the median over runs, together with Python's own bare start-up for scale.
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


def one_run(index: int) -> float:
    socket = f"nnplay-start-{os.getpid()}-{index}"
    command = f"cd {ROOT} && TERM=xterm-256color {sys.executable} -m tui.cli"
    started = time.perf_counter()
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
    try:
        while time.perf_counter() - started < 15:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if plot_visible(screen):
                return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError("the plot did not appear within 15 s")
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
    times = [one_run(i) for i in range(args.runs)]
    print(
        f"plot on screen after {statistics.median(times):.2f} s (median of {args.runs}; "
        f"min {min(times):.2f}, max {max(times):.2f}); bare python starts in {bare_python():.2f} s"
    )


if __name__ == "__main__":
    main()
