"""The folder a benchmark starts the app in (in tmux): a temporary one, removed when the benchmark ends.

Ended by its terminal (``tmux kill-server``) with its run unsaved, the app saves a recovery file
into its current folder (tui/terminal/signals.py): never the folder the benchmark was started
from, which is the checkout when CI runs it (tests/test_benchmarks_smoke.py). The app may still
be saving as the benchmark ends, so the folder goes once no process works in it any more.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import tempfile
import time

EXIT_WAIT = 60.0  # seconds for the apps started in the folder to finish their exit (their save)


def app_folder() -> str:
    """A new empty folder, removed at exit, quoted for a shell command (``cd {app_folder()}``)."""
    folder = os.path.realpath(tempfile.mkdtemp(prefix="nnplay-bench-"))  # as /proc/PID/cwd names it
    atexit.register(_remove_when_unused, folder)
    return shlex.quote(folder)


def _remove_when_unused(folder: str) -> None:
    deadline = time.monotonic() + EXIT_WAIT
    while _in_use(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: str) -> bool:
    """Does a process (of this user, seen in /proc) have ``folder`` as its current folder?"""
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:  # no /proc (macOS): nothing to wait for
        return False
    for pid in pids:
        try:
            if os.readlink(f"/proc/{pid}/cwd") == folder:
                return True
        except OSError:  # gone meanwhile, or another user's
            continue
    return False
