"""Driving a ``TrainingSession`` from a test without an app: its queued commands handled on the
test thread, or its worker run on a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from nnplay.tui.run.channel import TrainingSession


def handled(session: TrainingSession) -> TrainingSession:
    """``session`` once every command sent to it is handled, here, as its worker would."""
    while not session._commands.empty():
        session._handle_commands(block=False)
    return session


@contextmanager
def worker_running(session: TrainingSession) -> Iterator[TrainingSession]:
    """``session``'s worker on a thread while the block runs; stopped and joined after it."""
    cancelled = threading.Event()
    worker = threading.Thread(target=session.run, args=(cancelled.is_set,), daemon=True)
    worker.start()
    try:
        yield session
    finally:
        cancelled.set()
        worker.join(10)
