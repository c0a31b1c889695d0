"""The standalone app's start-up: the panel's fields after the first frame, then the collector's freeze.

The ``nnplay`` command's app is the whole process. It composes the panel's fields (most of the
widgets) once the first frame's plot has been painted, so the plane is on screen ~0.4 s sooner,
and once everything is up it freezes the start-up objects out of the garbage collector's full
passes. Tests run many apps in one process and do neither.

Keys typed before the fields exist are held, in order, and handed on once they do
(``tui/keys/pacing.py``): a tab into the panel and "0.25" must reach the noise field.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

from textual.app import App

from nnplay.tui.keys.pacing import KeyPacer
from nnplay.tui.model.frame import Frame
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot

AFTER_FIRST_FRAMES = 1.5  # seconds from the mount of an app that is not the whole process


class Startup:
    """Where the app's start-up is: fields still to compose, a quit waiting for them, exiting."""

    def __init__(self, app: App, standalone: bool) -> None:
        self.app = app
        self.standalone = standalone  # the app is the whole process (the `nnplay` command)
        self._begun = False
        self._quit_when_up = False  # q came while the panel's fields were being composed
        self.exiting = False  # start-up work still to come is not begun
        self.keys = KeyPacer(app, closed=standalone)  # keys typed before the fields exist wait
        self._when_up: list[Callable[[], object]] = []

    def frame_shown(self, frame: Frame) -> None:
        """The first frame: the panel is built once its plane is on screen (at once if the
        terminal is too small for a plane: the keys held meanwhile must not wait for a resize)."""
        if self.standalone and not self._begun:
            self._begun = True
            if frame.box is None:
                self.app.call_later(self._finish_apart)
            else:
                self.app.query_one(ScatterPlot).call_after_paint(self._finish_apart)

    def _finish_apart(self) -> None:
        # A task of its own, not the screen's callback: the screen paints between the panel's
        # sections (a run started by an early space shows its steps) only if it is not awaiting them.
        self.app.run_worker(self._finish(), name="start-up", group="start-up")

    async def _finish(self) -> None:
        if self.exiting:
            return
        await self.app.query_one(ParamsPanel).build(between=self._painted)
        self.keys.open(then=self._up)
        self.app.call_after_refresh(freeze_startup_objects)
        if self._quit_when_up:
            self.app.call_later(self.app.run_action, "quit")

    def when_up(self, work: Callable[[], object]) -> None:
        """Do ``work`` (that would slow start-up down) once the app is up: for the standalone app,
        once the panel is built and the keys typed meanwhile are handled; else after its first frames."""
        if self.standalone:
            self._when_up.append(work)
        else:
            self.app.set_timer(AFTER_FIRST_FRAMES, work)

    def _up(self) -> None:
        work, self._when_up = self._when_up, []
        for one in work:
            one()

    async def _painted(self) -> None:
        """Wait until the screen has painted what changed so far."""
        painted = asyncio.Event()
        self.app.call_after_refresh(painted.set)
        await painted.wait()

    def can_quit(self) -> bool:
        """Whether q can quit now. Not while the panel's fields are being composed (a widget torn
        down as it mounts fails): then q quits once they are."""
        if self.app.query_one(ParamsPanel).composing:
            self._quit_when_up = True
            return False
        return True


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, widgets, styles: ~120k) out of the collector's reach.

    A full collection walks all of them, ~100 ms on these machines, holding the GIL: a key
    pressed then waited for it (the worst keypress while training was 130-150 ms). Frozen,
    full passes walk only what was made since. One collection first, so no start-up garbage
    is frozen with them; then the collector is on again (the ``nnplay`` command turns it off
    while the app starts: tui/cli/open_app.py).
    """
    gc.collect()
    gc.freeze()
    gc.enable()
