"""Driving an ``AppRunChannel`` from a test without an app: its queued commands handled on the
test thread, or its worker run on a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from nnplay.tui.run.channel import AppRunChannel


def handled(channel: AppRunChannel) -> AppRunChannel:
    """``channel`` once every command sent to it is handled, here, as its worker would."""
    while not channel._commands.empty():
        channel._handle_commands(block=False)
    return channel


@contextmanager
def worker_running(channel: AppRunChannel) -> Iterator[AppRunChannel]:
    """``channel``'s worker on a thread while the block runs; stopped and joined after it."""
    cancelled = threading.Event()
    worker = threading.Thread(target=channel.run, args=(cancelled.is_set,), daemon=True)
    worker.start()
    try:
        yield channel
    finally:
        cancelled.set()
        worker.join(10)
