"""The trainer in a process of its own: the UI's side holds no ``Trainer``, only its snapshots.

``TrainerProcess`` is the UI's side of the run channel (the same commands and reads as
``AppRunChannel``: ``latest``, ``running``, ``drain_notices``, what a save would keep). It
starts a child, a fresh interpreter that runs this module (``python -m``), not a fork: the
app's process has threads (Textual's, the receiver's) by the time a child is restarted, and a
fork copies their locks in whatever state they are; a fresh interpreter imports only the engine,
never the app's main module (as multiprocessing's spawn would). The one exception is the
``nnplay`` command's first child, forked before Textual is imported and taken over here
(``started``; tui/run/forked_trainer.py). The two talk over a socket
pair (``multiprocessing.connection``): typed commands one way, state messages the other (a
snapshot pickled whole: for 50,000 points that measured as fast as shared memory,
benchmarks/bench_snapshot_transfer.py; the data set and each moment cross once,
tui/run/snapshot_wire.py). A receiver thread on the UI's side takes them in, so the UI never waits
on the child, except for a save it asked for (``save_after_stop``).

Faults: if the child dies the UI keeps its last snapshot, says so in one line and ``reset``
starts a new child from that snapshot. The child dies with the app: the kernel's parent-death
signal (``PR_SET_PDEATHSIG``, Linux) and the end of its socket (every other system, and a
parent gone before the signal was set) both end it. It runs in a session of its own (see
``_start``), so the terminal's signals reach only the app, which ends it so.

Speed: the child publishes at most ``PUBLISH_SHARE`` of its CPU time (evaluating, snapshotting,
encoding and sending, all charged), so the app trains at the speed ``nnplay train`` reports
(benchmarks/bench_frames.py); the UI's side only unpickles what arrives and keeps the newest.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import NoReturn, Protocol

import numpy as np

from nnplay.core.data.datasets import Dataset
from nnplay.core.run.trainer import Moment, RunState, Snapshot, Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.model.frame_budget import CpuShareBudget
from nnplay.tui.run.channel import AppRunChannel, AppRunCommands, Notice
from nnplay.tui.run.commands import (
    Command,
    Replace,
    Reset,
    Save,
    UseKernel,
)
from nnplay.tui.run.pace import Pace
from nnplay.tui.run.snapshot_wire import SnapshotReceiver, SnapshotSender

LOAD_KERNEL = "load"  # UseKernel's value that asks the child to load the compiled kernel itself
REPLY_WAIT = 60.0  # seconds a save the user asked for may take before it is given up
# The share of the child's time that publishing (evaluating every point, the snapshot, encoding
# and sending it) may take: what is left is the child's time to train, less the loop's other
# costs (about 1%), so the app trains at most ~97% as fast as ``nnplay train`` reports
# (docs/performance.md has what it measures). A run whose snapshot costs more publishes less
# often instead: 2-4 on 50,000 points ~5 a second, 8x256 on 500 points ~1.5 a second,
# 64,64,64 on 50,000 points one every ~3 s.
PUBLISH_SHARE = 0.02


@dataclass(frozen=True)
class TrainerParts:
    """A run as it crosses to the child: what makes its ``Trainer`` again there. (A pickled
    ``Trainer`` would not do: its views into the parameters would arrive as copies.)"""

    config: TrainConfig
    data: Dataset
    initial_params: np.ndarray
    state: RunState
    history: np.ndarray
    timeline: tuple[Moment, ...]
    diverged_at: int | None
    message: str
    path: tuple[np.ndarray, np.ndarray, int]  # the weights' path (PathRecorder.saved): the landscape draws it

    @classmethod
    def of(cls, trainer: Trainer) -> TrainerParts:
        return cls(
            trainer.config,
            trainer.data,
            trainer.initial_params.copy(),
            trainer.state_dict(),
            trainer.history.rows(),
            tuple(trainer.timeline.moments),
            trainer.diverged_at,
            trainer.message,
            trainer.path.saved(),
        )

    def trainer(self) -> Trainer:
        trainer = Trainer(self.config, self.data)
        trainer.initial_params = self.initial_params
        trainer.restart(self.state.params)
        trainer.load_state_dict(self.state)
        trainer.history.load(self.history)
        trainer.timeline.moments = list(self.timeline)
        trainer.diverged_at, trainer.message = self.diverged_at, self.message
        trainer.path.load(*self.path, trainer.step_count)
        trainer.evaluate(record=False)
        return trainer


class ChildProcess(Protocol):
    """What the UI's side asks of its child: ``subprocess.Popen``'s, or a forked child's
    (tui/run/forked_trainer.py ``ForkedChild``)."""

    pid: int

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def kill(self) -> None: ...


def trainer_from_snapshot(snap: Snapshot) -> Trainer:
    """A run to go on from ``snap``: its data (as edited), its history, and its newest recorded
    moment (parameters, optimiser state, step), or its first weights when none was recorded."""
    trainer = Trainer(snap.config, data=snap.data)
    if snap.timeline:
        trainer.history.load(snap.history)
        trainer.timeline.moments = list(snap.timeline)
        trainer.resume_from(snap.timeline[-1])
    return trainer


def how_it_ended(code: int | None) -> str:
    if code is None:
        return "ended"
    if code < 0:
        try:
            return f"was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed (signal {-code})"
    return f"ended (exit status {code})"


class TrainerProcess(AppRunCommands):
    """The UI's side of a trainer in a child process; see the module's docstring."""

    def __init__(
        self,
        trainer: Trainer | None = None,
        fps: float = 15.0,
        pace: tuple[int, int] | None = None,
        started: tuple[ChildProcess, Connection, tuple] | None = None,
    ) -> None:
        """A child started here from ``trainer``, or one ``started`` already: (the child, its
        socket, the first state message it sent, its first snapshot in it; tui/run/forked_trainer.py)."""
        self.fps = fps
        self.pace = pace  # (a pace block's file descriptor, this run's row): in step with a partner (tui/run/pace.py)
        self.running = False
        self.stopped = True  # no worker here trains the run: the child does; a save asks it (save_after_stop)
        self.unsaved_steps = 0
        self.unsaved_edits: dict[str, int] = {}
        self.commands_handled = 0
        self.dead: str | None = None  # why the child ended, once it has
        self._notices: deque[Notice] = deque(maxlen=32)
        self._replies: dict[int, Future] = {}
        self._next_token = 0
        self._lock = threading.Lock()  # sends come from the UI thread and from the kernel's loader
        if started is None:
            assert trainer is not None, "a trainer to start a child from, or a child started"
            self.latest: Snapshot = trainer.snapshot()
            self._start(trainer)
        else:
            self._listen(*started)

    # -- the child --------------------------------------------------------------------

    def _start(self, trainer: Trainer) -> None:
        ours, theirs = socket.socketpair()
        child = subprocess.Popen(
            [sys.executable, "-m", "nnplay.tui.run.trainer_process", str(theirs.fileno()), str(os.getpid())],
            pass_fds=(theirs.fileno(),) if self.pace is None else (theirs.fileno(), self.pace[0]),
            stdin=subprocess.DEVNULL,
            close_fds=True,
            # A session of its own, so a scheduling group of its own: with autogroup (Linux's
            # default) the processes of one session share one share of the CPU, and on a busy
            # machine every frame the UI drew was taken from the trainer's share.
            start_new_session=True,
        )
        theirs.close()  # only the child's copy: its death is then the end of ours
        conn = Connection(ours.detach())
        conn.send((TrainerParts.of(trainer), self.fps, self.unsaved_steps, self.unsaved_edits, self.pace))
        self._listen(child, conn)

    def _listen(self, child: ChildProcess, conn: Connection, first: tuple | None = None) -> None:
        """Take in what ``child`` sends from now on (``first``, already received, before the rest)."""
        self.child, self._conn, self._wire, self.dead = child, conn, SnapshotReceiver(), None
        if first is not None:
            self._take(first)
        self._receiver = threading.Thread(target=self._receive, args=(conn,), name="nnplay-trainer-rx", daemon=True)
        self._receiver.start()

    def _receive(self, conn: Connection) -> None:
        try:
            while True:
                self._take(conn.recv())
        except (EOFError, OSError):
            pass
        if conn is not self._conn:
            return  # an earlier child's end, after a restart
        code = self.child.wait()
        self.running = False
        if not self._closing:
            self.dead = how_it_ended(code)
            step = self.latest.timeline[-1].step if self.latest.timeline else 0
            self._notices.append(
                Notice(
                    f"the trainer process {self.dead}; its last snapshot stays on screen: "
                    f"press r to start again from step {step:,}",
                    "error",
                )
            )
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(OSError(f"the trainer process {self.dead or 'ended'}"))
        self._replies.clear()

    _closing = False

    def _take(self, message: tuple) -> None:
        fields, notices, running, unsaved_steps, unsaved_edits, handled, replies = message
        self._notices.extend(notices)  # first: a notice is on screen with the snapshot that follows it
        if fields is not None:
            self.latest = self._wire.decode(fields)
        self.unsaved_steps, self.unsaved_edits, self.commands_handled = unsaved_steps, unsaved_edits, handled
        self.running = running  # last: a UI that sees running == False already has the final snapshot
        for token, ok, value in replies:
            reply = self._replies.pop(token, None)
            if reply is not None:
                reply.set_result(value) if ok else reply.set_exception(value)

    def restart(self) -> None:
        """A new child, going on from the last snapshot (after the first one died)."""
        trainer = trainer_from_snapshot(self.latest)
        self._start(trainer)
        self._notices.append(Notice(f"a new trainer process goes on from step {trainer.step_count:,}"))

    def close(self, timeout: float = 5.0) -> None:
        """End the child: asked first, then killed if it does not go."""
        self._closing = True
        try:
            with self._lock:
                self._conn.send(None)
        except OSError:
            pass
        try:
            self.child.wait(timeout)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        # The pipe is closed only once nothing reads it: closed under a read, the receiver's
        # recv fails inside multiprocessing and its traceback is printed to the terminal. The
        # receiver ends at the child's end of the pipe, after what the child sent last.
        self._receiver.join(timeout)
        self._conn.close()

    # -- commands (any thread) ---------------------------------------------------------

    def _send(self, command: Command) -> None:
        if self.dead is not None:
            self._notices.append(Notice(f"the trainer process {self.dead}: press r to start it again", "error"))
            return
        try:
            with self._lock:
                self._conn.send(command)
        except OSError:
            pass  # the child just died: the receiver says so

    def reset(self, config: TrainConfig | None = None) -> None:
        """Back to the initial weights; once the child has died, a new child from the last snapshot."""
        self.restart() if self.dead is not None else self._send(Reset(config))

    def replace(self, trainer: Trainer) -> None:
        self._send(Replace(TrainerParts.of(trainer)))  # the child makes it a Trainer again

    def save(self, path: str, reply: Future | None = None) -> None:
        if reply is None:
            self._send(Save(path))
            return
        self._next_token += 1
        self._replies[self._next_token] = reply
        self._send(Save(path, self._next_token))
        if self.dead is not None:
            self._replies.pop(self._next_token)
            reply.set_exception(OSError(f"the trainer process {self.dead}"))

    def save_after_stop(self, path: str) -> int:
        """Save now and wait for it (the recovery save as the app ends): the step saved."""
        reply: Future = Future()
        self.save(path, reply)
        return reply.result(REPLY_WAIT)

    def load_kernel(self) -> None:
        """The child loads the compiled kernel itself (numpy trains until it is ready)."""
        self._send(UseKernel(LOAD_KERNEL))


# -- the child's side ----------------------------------------------------------------


class ChildRunChannel(AppRunChannel):
    """The run channel in the child: commands from the socket, its state back after every round."""

    def __init__(self, trainer: Trainer, fps: float, conn: Connection, pace: Pace | None = None) -> None:
        self._conn = conn
        self._pace = pace
        self._wire = SnapshotSender()
        self._sent: tuple | None = None
        self._replies: list[tuple[int, bool, object]] = []
        self._shown: Snapshot | None = None
        super().__init__(trainer, fps)
        self.publish_budget = CpuShareBudget(fps, share=PUBLISH_SHARE)

    def _handle(self, command: Command) -> None:
        match command:
            case Save(path, int() as token):
                reply: Future = Future()
                self._save(path, reply)
                error = reply.exception()
                self._replies.append((token, error is None, reply.result() if error is None else error))
            case Replace(TrainerParts() as parts):
                super()._handle(Replace(parts.trainer()))
            case UseKernel(kernel) if kernel == LOAD_KERNEL:
                threading.Thread(target=self._load_kernel, name="nnplay-kernel", daemon=True).start()
            case _:
                super()._handle(command)

    def _load_kernel(self) -> None:
        from nnplay.core.engine.kernel import fallback_message, load_kernel

        kernel = load_kernel()
        if kernel is None:
            self._notices.append(Notice(fallback_message(), "warning"))
        else:
            self._commands.put(UseKernel(kernel))

    def _publish(self) -> None:
        # Sent at once, so the run loop's publish budget is charged with the encoding and the
        # send too: they are the child's time as much as the evaluation is.
        super()._publish()
        self._round_done()

    def _round_done(self) -> None:
        snap = self.latest
        fields = None if snap is self._shown else self._wire.encode(snap)
        self._shown = snap
        notices = self.drain_notices()
        state = (self.running, self.unsaved_edits, self.commands_handled)
        if fields is None and not notices and not self._replies and state == self._sent:
            return
        self._sent = state
        replies, self._replies = self._replies, []
        self._conn.send(
            (fields, notices, self.running, self.unsaved_steps, self.unsaved_edits, self.commands_handled, replies)
        )

    def _holds(self) -> bool:
        if self._pace is None:
            return False
        self._pace.mark(self.loop.step_count)  # a run that trains says where it is before each chunk
        return self._pace.holds()


def die_with_parent(parent: int) -> None:
    """Killed by the kernel when the process that started this one ends (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the signal was set
        os._exit(0)


def child_main(fd: int, parent: int) -> NoReturn:
    die_with_parent(parent)
    conn = Connection(fd)
    parts, fps, unsaved_steps, unsaved_edits, pace = conn.recv()
    channel = ChildRunChannel(parts.trainer(), fps, conn, None if pace is None else Pace(*pace))
    channel.unsaved_steps, channel.unsaved_edits = unsaved_steps, unsaved_edits  # a restart keeps what was unsaved
    serve(channel, conn)


def serve(channel: ChildRunChannel, conn: Connection) -> NoReturn:
    """The child's life: its first snapshot at once, then commands from ``conn`` into
    ``channel`` until the app is gone, then exit."""
    ended = threading.Event()

    def receive() -> None:
        try:
            while (command := conn.recv()) is not None:
                channel._commands.put(command)
        except (EOFError, OSError):
            pass  # the app is gone
        ended.set()

    threading.Thread(target=receive, name="nnplay-commands", daemon=True).start()
    try:
        channel._round_done()
        channel.run(ended.is_set)
    except (EOFError, OSError):
        pass  # the app is gone mid-send
    os._exit(0)  # without waiting for the kernel's loader or the interpreter's teardown


if __name__ == "__main__":
    child_main(int(sys.argv[1]), int(sys.argv[2]))
