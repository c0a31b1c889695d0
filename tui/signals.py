"""SIGTERM and SIGHUP end the standalone app the way ``q`` does, and SIGTERM keeps the run.

The rule: the default action of both signals kills the process on the spot, which leaves the
terminal raw (no echo, no line editing), in the alternate screen, reporting the mouse and with
the cursor hidden. So the standalone ``nnplay`` process (and only it: tests run many apps in one
process) handles them:

- the first one schedules ``app.exit()`` on the app's loop, Textual's normal exit path, which restores the terminal;
  repeats are ignored until the exit (and the recovery save) is done; an exit that has not
  finished within ``EXIT_GRACE`` seconds (when the terminal has gone away, Textual's last writes
  can block for good) ends the process at once, after the recovery save if the trainer's thread
  has stopped;
- after SIGTERM (something other than the user ended the app: a shutdown, ``kill``, a
  supervisor), a run with unsaved work (steps or edits since the last save, load or reset) is
  saved with the atomic save to ``nnplay-recovery-<time>-<pid>.npz`` in the current folder, or in
  ``$XDG_STATE_HOME/nnplay`` (``~/.local/state/nnplay``) when that folder cannot be written; one
  line on stderr, printed after the terminal is restored, says where;
- SIGHUP (the terminal went away, as when its window closes) is ``q``: nothing is saved.

The process then exits 128 + the signal's number, as a shell reports a command the signal ended.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from textual.app import App

from nnplay.tui.session import TrainingSession

HANDLED = (signal.SIGTERM, signal.SIGHUP)
SAVES_RUN = frozenset({signal.SIGTERM})
# An exit still running after this long has hung (writes to a terminal that is gone can block
# Textual's shutdown for good); q takes well under a second, 2 s on a loaded machine.
EXIT_GRACE = 5.0


def run_app(app: App, session: TrainingSession, signals: tuple[int, ...] = HANDLED) -> int | None:
    """``app.run()`` with ``signals`` ending it through ``app.exit()``; returns the signal that did, or None.

    When this returns, the app's worker threads have finished (the loop's executor is shut down
    before the loop ends), so whatever they owned may be used by the caller.
    """
    received: list[int] = []
    exited = threading.Event()

    async def main() -> None:
        loop = asyncio.get_running_loop()

        # A Python-level handler, not loop.add_signal_handler: it runs even while the loop is
        # blocked (a put into the writer queue of a terminal that is gone), so the watchdog starts.
        def on_signal(signum: int, frame: object) -> None:
            if received:
                return  # already exiting
            received.append(signum)
            threading.Thread(target=_watchdog, args=(session, signum, exited), daemon=True).start()
            loop.call_soon_threadsafe(app.exit)

        previous = {signum: signal.signal(signum, on_signal) for signum in signals}
        try:
            await app.run_async()
            await loop.shutdown_default_executor()  # the trainer's thread, cancelled by the exit
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    try:
        asyncio.run(main())
    finally:
        exited.set()
    return received[0] if received else None


def _watchdog(session: TrainingSession, signum: int, exited: threading.Event) -> None:
    """End the process if the app's exit has not finished within EXIT_GRACE seconds."""
    if exited.wait(EXIT_GRACE):
        return
    name = signal.Signals(signum).name
    line = f"nnplay: ended by {name}: the exit hung (the terminal is gone?), so it was cut short"
    if signum in SAVES_RUN and session.unsaved and session.stopped:
        line += "; " + save_recovery(session)
    elif signum in SAVES_RUN and session.unsaved:
        line += "; the run could not be saved (its thread was still running)"
    try:
        os.write(2, (line + "\n").encode())
    except OSError:
        pass
    os._exit(128 + signum)


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


def save_recovery(session: TrainingSession, folders: list[Path] | None = None) -> str:
    """Save the stopped session to the first folder that takes it; the one line that says what happened."""
    steps = session.unsaved_steps
    what = f"{steps:,} unsaved step{'s' if steps != 1 else ''}" if steps else "unsaved edits"
    name = recovery_name()
    reasons = []
    for folder in folders or recovery_folders():
        path = folder / name
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            step = session.save_after_stop(str(path))
        except Exception as exc:  # whatever the save raises, the next folder may still take it
            reasons.append(f"{folder}: {getattr(exc, 'strerror', None) or exc}")
            continue
        return f"saved the run ({what}, at step {step:,}) to {path}; resume with: nnplay --load {path}"
    return f"could not save the run ({what}): " + "; ".join(reasons)


def exit_after_signal(session: TrainingSession, signum: int) -> int:
    """Report the signal on stderr (and save the run after SIGTERM); the exit status, 128 + signal."""
    name = signal.Signals(signum).name
    if signum in SAVES_RUN and session.unsaved:
        line = f"nnplay: ended by {name}: {save_recovery(session)}"
    elif signum in SAVES_RUN:
        line = f"nnplay: ended by {name}; the run had nothing unsaved"
    else:
        line = f"nnplay: ended by {name} (as q: nothing saved)"
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:  # the terminal is gone (a hang-up): nobody to tell
        pass
    return 128 + signum


def run_standalone(app: App, session: TrainingSession) -> int:
    """Run the ``nnplay`` command's app; its exit status."""
    with ignored(HANDLED):
        signum = run_app(app, session)
        return 0 if signum is None else exit_after_signal(session, signum)
