"""Every way the standalone app can be ended from outside restores the terminal first and keeps the run.

The rule: the default action of these signals kills the process on the spot, which leaves the
terminal raw (no echo, no line editing), in the alternate screen, reporting the mouse and with
the cursor hidden. So the standalone ``nnplay`` process (and only it: tests run many apps in one
process) handles every signal whose default action ends a process and that a handler can
survive (``ENDING``), and watches its input for the end:

- the first ending schedules ``app.exit()`` on the app's loop, Textual's normal exit path, which
  restores the terminal; repeats are ignored until the exit (and the recovery save) is done; an
  exit that has stalled (the app's loop has answered no call for ``EXIT_STALL`` seconds: when the
  terminal has gone away, Textual's last writes can block its loop for good) or is still going
  after ``EXIT_LIMIT`` seconds ends the process at once, after the recovery save if the trainer's
  thread has stopped;
- the end of input (the terminal hung up, a pty's other side closed, the pipe a served app reads
  from closed because its server died) is an ending too: Textual's input thread would read
  nothing, at a full core, for ever;
- something other than the user in the app ended it, so a run with unsaved work (steps or edits
  since the last save, load or reset) is saved with the atomic save to
  ``nnplay-recovery-<time>-<pid>.npz`` in the current folder, or in ``$XDG_STATE_HOME/nnplay``
  (``~/.local/state/nnplay``) when that folder cannot be written; one line on stderr, printed
  after the terminal is restored, says where.

The process then exits 128 + the signal's number, as a shell reports a command the signal ended
(``EXIT_INPUT_ENDED`` after the end of input).

SIGINT is among them: Textual reads ctrl+c as a key, so one comes from ``kill``, not the user.
Not handled: SIGPIPE and SIGXFSZ (Python ignores them: the write fails instead), the faults
(SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS: the code that raised them cannot go
on) and SIGKILL and SIGSTOP (they cannot be caught). SIGCONT is the terminal driver's
(tui/terminal/driver.py).
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from nnplay.core.io.outside_text import printable
from nnplay.tui.run.channel import AppRunCommands
from nnplay.tui.terminal.driver import TerminalDriver

_NAMES = ("SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGXCPU",
          "SIGIO", "SIGPWR", "SIGSTKFLT")  # fmt: skip
ENDING = tuple(getattr(signal, name) for name in _NAMES if hasattr(signal, name))
END_OF_INPUT = 0  # the ending that is no signal (no signal has the number 0)
EXIT_INPUT_ENDED = 1
# An exit is cut short when it has stalled, not when it is slow: a write to a terminal that is gone
# blocks Textual's loop for good (it waits on its writer thread), while a slow exit on a loaded
# machine keeps answering. The loop answers a call in milliseconds, well under a second at load 10
# on 2 cores; EXIT_STALL seconds without an answer is a loop that will not come back.
EXIT_STALL = 5.0
# The last resort, for an exit whose loop answers but that never ends: q takes well under a
# second, 2 s on a loaded machine; a minute is past any slow exit (and past anyone's patience).
EXIT_LIMIT = 60.0
# How often the watchdog asks the loop (an answer within this is the normal case).
EXIT_PROBE_INTERVAL = 0.1


def run_app(app: App, channel: AppRunCommands | None, signals: tuple[int, ...] = ENDING) -> int | None:
    """``app.run()`` with ``signals`` and the end of input ending it through ``app.exit()``; returns
    what ended it (a signal's number, or ``END_OF_INPUT``), or None.

    The app draws with ``TerminalDriver`` unless something else was chosen (textual-serve's
    ``TEXTUAL_DRIVER``). When this returns, the app's worker threads have finished (the loop's
    executor is shut down before the loop ends), so whatever they owned may be used by the caller.
    """
    if app.driver_class is LinuxDriver:
        app.driver_class = TerminalDriver
    received: list[int] = []
    first = threading.Lock()  # taken once, without waiting, by the first ending: never a deadlock
    exited = threading.Event()

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def end(reason: int) -> None:
            if not first.acquire(blocking=False):
                return  # already exiting
            received.append(reason)
            threading.Thread(target=_watchdog, args=(channel, reason, exited, loop), daemon=True).start()
            loop.call_soon_threadsafe(app.exit)

        # A Python-level handler, not loop.add_signal_handler: it runs even while the loop is
        # blocked (a put into the writer queue of a terminal that is gone), so the watchdog starts.
        previous = {signum: signal.signal(signum, lambda signum, frame: end(signum)) for signum in signals}
        stdin_fd = 0 if sys.__stdin__ is None else sys.__stdin__.fileno()
        watch = InputEndWatch(stdin_fd, lambda: end(END_OF_INPUT))
        try:
            await app.run_async()
            await loop.shutdown_default_executor()  # the trainer's thread, cancelled by the exit
        finally:
            watch.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    try:
        asyncio.run(main())
    finally:
        exited.set()
    return received[0] if received else None


class InputEndWatch:
    """Calls ``on_end`` (from its own thread) when ``fd`` hangs up: a terminal closed, a pipe's writer gone.

    It polls for the hang-up alone (``poll`` always reports POLLHUP, POLLERR and POLLNVAL, asked or
    not), so it never reads a byte of the input Textual's driver reads. This is the one hook on
    the end of input the installed Textual allows without copying its input loop: its drivers see
    ``read() == b""`` inside ``run_input_thread`` and post no event (the terminal driver reads
    again at once, the web driver's thread returns), and replacing that method would copy 50 lines
    of Textual's parser plumbing.
    """

    def __init__(self, fd: int, on_end: Callable[[], None]) -> None:
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._watch, args=(fd, on_end), name="nnplay-input-end", daemon=True)
        self._thread.start()

    def _watch(self, fd: int, on_end: Callable[[], None]) -> None:
        poller = select.poll()
        poller.register(fd, 0)
        poller.register(self._wake_read, select.POLLIN)
        while True:
            for ready, _ in poller.poll():
                if ready == self._wake_read:
                    return
                on_end()
                return

    def stop(self) -> None:
        os.write(self._wake_write, b"x")
        self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)


def ending_name(reason: int) -> str:
    return "the end of input (the terminal is gone)" if reason == END_OF_INPUT else signal.Signals(reason).name


def exit_status(reason: int) -> int:
    return EXIT_INPUT_ENDED if reason == END_OF_INPUT else 128 + reason


def exit_finishes(
    exited: threading.Event, loop: asyncio.AbstractEventLoop, stall: float | None = None, limit: float | None = None
) -> bool:
    """Whether the exit finishes (``exited`` is set) before it stalls, ``loop`` answering no call for
    ``stall`` seconds (``EXIT_STALL``), or has taken ``limit`` seconds (``EXIT_LIMIT``)."""
    stall = EXIT_STALL if stall is None else stall
    deadline = time.monotonic() + (EXIT_LIMIT if limit is None else limit)
    while time.monotonic() < deadline:
        answered = threading.Event()
        try:
            loop.call_soon_threadsafe(answered.set)
        except RuntimeError:  # the loop has closed: all that is left is asyncio.run's return
            return exited.wait(stall)
        asked = time.monotonic()
        while not answered.is_set():
            if time.monotonic() - asked >= stall:
                return exited.is_set()
            if exited.wait(EXIT_PROBE_INTERVAL):
                return True
        if exited.wait(EXIT_PROBE_INTERVAL):
            return True
    return exited.is_set()


def _watchdog(
    channel: AppRunCommands | None, reason: int, exited: threading.Event, loop: asyncio.AbstractEventLoop
) -> None:
    """End the process if the app's exit stalls or outlasts its limit (``exit_finishes``)."""
    if exit_finishes(exited, loop):
        return
    line = f"nnplay: ended by {ending_name(reason)}: the exit hung (the terminal is gone?), so it was cut short"
    if channel is not None and channel.unsaved and channel.stopped:
        line += "; " + save_recovery(channel)
    elif channel is not None and channel.unsaved:
        line += "; the run could not be saved (its thread was still running)"
    try:
        os.write(2, (printable(line) + "\n").encode())
    except OSError:
        pass
    os._exit(exit_status(reason))


@contextmanager
def ignored(signals: tuple[int, ...]) -> Iterator[None]:
    """The signals ignored inside the block, except while ``run_app``'s loop takes them itself."""
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def recovery_folders(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Path]:
    """Where a recovery file goes, in order: the current folder, then the XDG state folder."""
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME", "")
    # The XDG spec: a relative value is invalid and is ignored.
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return [cwd or Path.cwd(), base / "nnplay"]


def recovery_name(now: float | None = None, pid: int | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    return f"nnplay-recovery-{stamp}-{os.getpid() if pid is None else pid}.npz"


def save_recovery(channel: AppRunCommands, folders: list[Path] | None = None) -> str:
    """Save the stopped session to the first folder that takes it; the one line that says what happened."""
    steps = channel.unsaved_steps
    what = f"{steps:,} unsaved step{'s' if steps != 1 else ''}" if steps else "unsaved edits"
    name = recovery_name()
    reasons = []
    for folder in folders or recovery_folders():
        path = folder / name
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            step = channel.save_after_stop(str(path))
        except Exception as exc:  # whatever the save raises, the next folder may still take it
            reasons.append(f"{folder}: {getattr(exc, 'strerror', None) or exc}")
            continue
        return f"saved the run ({what}, at step {step:,}) to {path}; resume with: nnplay --load {path}"
    return f"could not save the run ({what}): " + "; ".join(reasons)


def exit_after_signal(channel: AppRunCommands | None, reason: int) -> int:
    """Report the ending on stderr (and save the run); the exit status."""
    name = ending_name(reason)
    if channel is not None and channel.unsaved:
        line = f"nnplay: ended by {name}: {save_recovery(channel)}"
    else:
        line = f"nnplay: ended by {name}; the run had nothing unsaved"
    try:
        print(printable(line), file=sys.stderr, flush=True)
    except OSError:  # the terminal is gone (a hang-up): nobody to tell
        pass
    return exit_status(reason)


def run_standalone(app: App, channel: AppRunCommands | None) -> int:
    """Run one of the ``nnplay`` command's apps; its exit status."""
    with ignored(ENDING):
        reason = run_app(app, channel)
        return 0 if reason is None else exit_after_signal(channel, reason)
