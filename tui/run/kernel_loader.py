"""The compiled kernel, loaded after the app's first frames: numpy trains until it is ready."""

from __future__ import annotations

import threading
from collections.abc import Callable

from nnplay.tui.run.channel import TrainingSession


def load_kernel_in_background(
    session: TrainingSession, still_wanted: Callable[[], bool], warn: Callable[[str], None]
) -> threading.Thread:
    """Compile (or load from numba's cache) the kernel on a daemon thread, not a worker:
    compiling cannot be interrupted, and quitting must not wait for it. ``warn`` says, in one
    line, why numpy goes on training when the kernel cannot load."""

    def load() -> None:
        from nnplay.core.engine.kernel import fallback_message, load_kernel

        kernel = load_kernel()
        if not still_wanted():
            return
        if kernel is None:
            warn(fallback_message())
        else:
            session.set_kernel(kernel)

    thread = threading.Thread(target=load, name="nnplay-kernel", daemon=True)
    thread.start()
    return thread
