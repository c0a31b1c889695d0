"""numba's on-disk cache of the training kernel, filled once before the suite's tests run.

Compiling the kernel takes about 26 s of CPU, after which numba caches it beside its source
(``core/engine/__pycache__``). In a fresh clone every process that loads the kernel before the
cache exists compiles it again: the workers, the CLI runs, the apps in tmux, the benchmarks'
smoke runs. That was 140 s of CPU more than the same suite with the cache filled (7 min 24 s
against about 6 min on 2 cores). So the process that starts the workers compiles it in a child
of its own while the workers start and collect, and each worker waits for that child before its
first test. With the cache already filled the child only loads it (about 1 s).

The child holds an exclusive ``flock`` on a file the whole time it runs (the lock is its parent's,
handed over with the open file); a worker waits for a shared lock on the same file. A child that
fails (numba broken) ends all the same, and the tests then meet what a user would.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

# Where the controller tells its workers (who inherit its environment) which file to wait on.
LOCK_VARIABLE = "NNPLAY_TESTS_KERNEL_LOCK"
# A worker goes on without the cache after this long (the compile takes 10-60 s on 2 cores).
WAIT_AT_MOST = 600.0
COMPILE = "from nnplay.core.engine.kernel import load_kernel; load_kernel()"


def start_filling(lock_file: Path, cwd: Path, code: str = COMPILE) -> subprocess.Popen[bytes] | None:
    """Start a child that loads the kernel (compiling and caching it if need be), holding the lock
    on ``lock_file`` until it ends; None where numba is not installed. (``code``: what the child runs.)"""
    if importlib.util.find_spec("numba") is None:
        return None
    descriptor = os.open(lock_file, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        child = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=cwd,
            pass_fds=(descriptor,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(descriptor)  # the child's copy keeps the lock
    os.environ[LOCK_VARIABLE] = str(lock_file)
    return child


def wait_until_filled(timeout: float = WAIT_AT_MOST) -> None:
    """Return once the child started by ``start_filling`` has ended (at once if there is none)."""
    lock_file = os.environ.get(LOCK_VARIABLE)
    if not lock_file or not Path(lock_file).exists():
        return
    descriptor = os.open(lock_file, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.1)
    finally:
        os.close(descriptor)
