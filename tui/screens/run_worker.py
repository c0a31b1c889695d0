"""A run channel's worker (tui/run/channel.py) on a thread worker of the app, not of a screen:
a screen only draws, and the app ends its workers when it quits."""

from __future__ import annotations

from textual.app import App
from textual.worker import Worker, get_current_worker

from nnplay.tui.run.channel import RunChannel


def start_run_worker(app: App, channel: RunChannel, name: str) -> Worker:
    """``channel.run`` on a thread of ``app``, until the worker is cancelled (``worker.cancel()``,
    or the app quitting). A second start under the same ``name`` cancels the first."""

    def run() -> None:
        worker = get_current_worker()
        channel.run(lambda: worker.is_cancelled)

    return app.run_worker(run, thread=True, exclusive=True, name=name, group=name)
