"""The app's first trainer process, forked by ``nnplay`` before Textual is imported.

``nnplay`` (tui/cli/open_app.py) forks its first trainer child as soon as numpy, the engine and
the child's own modules are imported, before it imports Textual. The child builds the run's
``Trainer`` from the flags and sends its first snapshot while the app's process imports and
starts Textual; the app's process never holds that ``Trainer`` (it waits for the first snapshot
once Textual's imports are done, by which time the child has long sent it: building the default
run and its snapshot takes ~3 ms, the imports ~0.2-0.7 s, so the first frame always has it).

Why a fork, and why only this once:
- Memory: the child shares the app's numpy, engine and interpreter pages copy-on-write (the
  collector's objects are frozen before the fork, so its passes do not copy them), where a
  fresh interpreter had its own ~38 MB. PSS (shared pages split between the processes) falls;
  RSS counts a shared page in each process, so it falls only by what the child never touches.
- Start-up: a fresh interpreter spent ~0.5 s of CPU importing numpy and the engine on one of
  the two cores while the app started; the forked child starts with them imported.
- Safe only while the process has one thread: a fork copies only the forking thread, and every
  lock another thread held stays held in the child. So it is done only when
  ``threading.active_count() == 1`` (the ``nnplay`` command before Textual; a test process
  with threads falls back to a fresh interpreter). OpenBLAS's worker threads (numpy's, native,
  not counted by ``threading``) are shut down by OpenBLAS's own ``pthread_atfork`` handler
  before the fork and started again by the next matrix product, in each process.
- Measured (docs/performance.md, spiral, numpy, against the app in one process): PSS 1.29x
  where the fresh interpreter's was 1.39-1.42x; RSS 1.45x (was 1.56x): RSS counts every shared
  page in both processes, so no fork brings it under 1.3x. The child still writes to a good part
  of what it shares (a reference count is a write): 9 MB stay shared, 19 MB become its own.
- Every later child (a restart after a death, the compare screen's two) is a fresh interpreter
  (tui/run/trainer_process.py): by then Textual's threads and the receiver's are alive.

The child keeps what a fresh one has: a session of its own (``os.setsid``, so the terminal's
signals reach only the app, and a scheduling group of its own), the parent-death signal and the
socket's end (no orphan survives SIGKILL, SIGTERM or SIGHUP of the app), stdin from /dev/null,
and the same channel and snapshot wire (``serve``).
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

from nnplay.core.run.trainer import Trainer
from nnplay.tui.run.trainer_process import ChildRunChannel, TrainerProcess, die_with_parent, how_it_ended, serve

WAIT_POLL = 0.005  # seconds between looks at a child that is ending


class RunRefused(Exception):
    """The child could not build the run from the flags (one line: the reason)."""


class ForkedChild:
    """A forked child's end, as ``subprocess.Popen`` has it: ``poll``, ``wait``, ``kill``,
    the exit code negative for a signal. Reaped once, whichever thread asks first."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        with self._lock:
            if self.returncode is None:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"trainer process {self.pid}", timeout or 0.0)
            time.sleep(WAIT_POLL)
        return code

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass


class ForkedTrainer:
    """The app's side of the forked child until the app takes it as its run (``process``)."""

    def __init__(self, child: ForkedChild, conn: Connection, fps: float) -> None:
        self.child, self.conn, self.fps = child, conn, fps

    def process(self) -> TrainerProcess:
        """The run, once the child has built it and sent its first snapshot (waits for that);
        ``RunRefused`` if the flags could not make a run."""
        try:
            verdict = self.conn.recv()
            first = self.conn.recv() if verdict is None else None
        except (EOFError, OSError):
            verdict = ("crashed", f"the trainer process {self._ended()} before its first snapshot")
        if verdict is not None or first is None:
            self.close()
            kind, text = verdict
            raise RunRefused(text) if kind == "refused" else RuntimeError(text)
        return TrainerProcess(fps=self.fps, started=(self.child, self.conn, first))

    def _ended(self) -> str:
        return how_it_ended(self.child.wait(5.0))

    def close(self) -> None:
        """End the child (the app did not open after all)."""
        self.conn.close()  # the child's end of the socket: it exits
        try:
            self.child.wait(5.0)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()


def can_fork() -> bool:
    """Whether this process may fork a trainer: it has one thread (see the module's docstring).
    Linux only: elsewhere a system library (macOS's Accelerate, numpy's BLAS there) may not
    survive a fork without an exec, and the parent-death signal is Linux's."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def fork_trainer(build: Callable[[], Trainer], fps: float, refused: type[Exception]) -> ForkedTrainer:
    """Fork the child that builds the run (``build``; an error of type ``refused`` is the flags'
    fault, said in one line) and trains it. Only when ``can_fork()``."""
    assert can_fork(), "a fork with other threads alive would copy their locks held"
    ours, theirs = socket.socketpair()
    parent = os.getpid()
    # The collector's objects so far (the imports') stay out of its passes in both processes:
    # a pass writes to every object's header, copying the page it is on.
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            _child(Connection(theirs.detach()), build, fps, refused, parent)
        finally:
            os._exit(0)  # never back into the app's code, whatever happened
    theirs.close()
    return ForkedTrainer(ForkedChild(pid), Connection(ours.detach()), fps)


def _child(conn: Connection, build: Callable[[], Trainer], fps: float, refused: type[Exception], parent: int) -> None:
    os.setsid()  # a session of its own: see tui/run/trainer_process.py (_start)
    die_with_parent(parent)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the terminal's input is the app's alone
    os.close(devnull)
    gc.enable()  # the app's process turned it off while it starts; the child's run needs it
    try:
        trainer = build()
    except refused as exc:
        conn.send(("refused", str(exc)))
        return
    except Exception:
        conn.send(("crashed", traceback.format_exc()))
        return
    conn.send(None)
    channel = ChildRunChannel(trainer, fps, conn)
    del trainer  # the channel's loop holds the run
    serve(channel, conn)
