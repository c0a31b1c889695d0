"""Resident memory of the app while it trains, sampled from /proc in a real terminal (tmux).

    python benchmarks/bench_memory.py [--minutes 30] [--every 30] [--smoke]

Starts the app, presses space, and prints the RSS every ``--every`` seconds; the
histories are ring buffers, so after the first minutes the number must stay flat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from app_folder import app_folder
from smoke_mode import parse_args


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=30)
    parser.add_argument("--preset", default="spiral")
    parser.add_argument("--engine", default="auto", choices=("auto", "numpy", "numba"))
    args = parse_args(parser, minutes=0.02, every=0.5)
    socket = f"nnplay-mem-{os.getpid()}"
    app = f"{sys.executable} -m nnplay.tui.cli --preset {args.preset} --engine {args.engine}"
    command = f"cd {app_folder()} && TERM=xterm-256color exec {app}"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
    try:
        time.sleep(3)
        pid = int(
            subprocess.run(
                ["tmux", "-L", socket, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True, check=True
            ).stdout.split()[0]
        )
        subprocess.run(["tmux", "-L", socket, "send-keys", "Space"], check=True)
        started = time.monotonic()
        peak = 0.0
        print("minutes  rss_MB  step")
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(args.every)
            elapsed = time.monotonic() - started
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            step = next(
                (w for line in screen.splitlines() if "step " in line for w in [line.split("step ")[1].split()[0]]), "?"
            )
            mb = rss_mb(pid)
            peak = max(peak, mb)
            print(f"{elapsed / 60:7.1f} {mb:7.1f}  {step}", flush=True)
        print(f"peak RSS {peak:.1f} MB over {args.minutes:g} minutes")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
