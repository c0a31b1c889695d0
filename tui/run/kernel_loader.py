"""The compiled kernel, loaded after the app's first frames: numpy trains until it is ready."""

from __future__ import annotations

import threading
from collections.abc import Callable

from nnplay.tui.run.channel import AppRunCommands
from nnplay.tui.run.trainer_process import TrainerProcess


def load_kernel_in_background(
    channel: AppRunCommands, still_wanted: Callable[[], bool], warn: Callable[[str], None]
) -> threading.Thread | None:
    """Compile (or load from numba's cache) the kernel on a daemon thread, not a worker:
    compiling cannot be interrupted, and quitting must not wait for it. ``warn`` says, in one
    line, why numpy goes on training when the kernel cannot load. A trainer process loads it
    itself (and says so the same way)."""
    if isinstance(channel, TrainerProcess):
        channel.load_kernel()
        return None

    def load() -> None:
        from nnplay.core.engine.kernel import fallback_message, load_kernel

        kernel = load_kernel()
        if not still_wanted():
            return
        if kernel is None:
            warn(fallback_message())
        else:
            channel.set_kernel(kernel)

    thread = threading.Thread(target=load, name="nnplay-kernel", daemon=True)
    thread.start()
    return thread
