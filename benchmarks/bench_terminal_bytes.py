"""Bytes written to the terminal: the app in a real terminal (tmux), training and paused.

    python benchmarks/bench_terminal_bytes.py [--seconds 10] [--size 120x40] [--ssh] [--smoke]

tmux's ``pipe-pane`` copies everything the app writes to its terminal into a file;
the file's growth over a fixed time is the load a slow SSH link would carry. With
``--ssh`` the app sees ``SSH_CONNECTION`` set and picks its SSH frame rate.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from app_folder import app_folder
from smoke_mode import parse_args

_runs = itertools.count()


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=True).stdout


def measure(
    seconds: float,
    size: str,
    ssh: bool,
    preset: str | None,
    flags: Sequence[str] = (),
    paused: bool = True,
    training_shows: str = "steps/s",
) -> tuple[float, float | None]:
    """Bytes a second written while training and (with ``paused``, else None) while paused, by
    ``nnplay`` with ``--preset preset`` (None: none) and ``flags``; a warning if the screen does
    not show ``training_shows`` after training (the status line's "steps/s (numba)", say)."""
    width, height = size.split("x")
    socket = f"nnplay-bytes-{os.getpid()}-{next(_runs)}"  # a server of its own: the last one may still be exiting
    log = Path(tempfile.mkdtemp()) / "out.bin"
    env = "SSH_CONNECTION='10.0.0.1 1 10.0.0.2 22' " if ssh else ""
    words = ([] if preset is None else ["--preset", preset]) + list(flags)
    command = f"cd {app_folder()} && TERM=xterm-256color {env}{sys.executable} -m nnplay.tui.cli {shlex.join(words)}"
    try:
        tmux(socket, "new-session", "-d", "-x", width, "-y", height, command)
        time.sleep(3.0)  # startup, first frames, kernel compile in the background
        tmux(socket, "pipe-pane", "-o", f"cat >> {log}")
        time.sleep(0.5)
        quiet = None
        if paused:
            start = log.stat().st_size if log.exists() else 0
            time.sleep(seconds)
            quiet = (log.stat().st_size - start) / seconds
        tmux(socket, "send-keys", "Space")
        time.sleep(1.0)
        start = log.stat().st_size if log.exists() else 0
        time.sleep(seconds)
        training = (log.stat().st_size - start) / seconds
        screen = tmux(socket, "capture-pane", "-p")
        if training_shows not in screen:
            print(f"warning: the status line does not show {training_shows!r}", file=sys.stderr)
        return training, quiet
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        shutil.rmtree(log.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--preset", default="seed-v2")
    parser.add_argument("--ssh", action="store_true", help="run as if over SSH (lower frame rate)")
    args = parse_args(parser, seconds=0.5)
    training, paused = measure(args.seconds, args.size, args.ssh, args.preset)
    mode = "SSH (8 fps)" if args.ssh else "local (15 fps)"
    print(f"{args.size}, {args.preset}, {mode}, {args.seconds:g} s each")
    print(f"training: {training / 1024:8.1f} KB/s")
    print(f"paused:   {paused / 1024:8.2f} KB/s")


if __name__ == "__main__":
    main()
