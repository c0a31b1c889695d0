"""``FramePipeline``: which frame is on screen, and when the next one is drawn.

The newest snapshot, looked at as the view says, is built once (``build_frame``) and handed to
the main screen, and only when the snapshot, the view or a pane's size changed: nothing resets
a "drawn" marker by hand. A change of view is drawn at once; a new snapshot waits for the frame
clock, so drawing never starves training.
"""

from __future__ import annotations

import time

from nnplay.tui.app.main_screen import MainScreen
from nnplay.tui.model.frame import Frame, build_frame, shown_snapshot
from nnplay.tui.model.frame_clock import FrameClock
from nnplay.tui.model.landscape_view import LandscapeCache
from nnplay.tui.model.status_text import status_note
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.run.channel import AppRunCommands


class FramePipeline:
    """The frames of one run: the one on screen (``frame``) and what they cost (``clock``)."""

    def __init__(self, channel: AppRunCommands, fps: float, fps_note: str, cell_aspect: float) -> None:
        self.channel = channel
        self.clock = FrameClock(fps)
        self.fps_note = fps_note  # the status box's note on the frame rate, when the terminal lowered it
        self.cell_aspect = cell_aspect
        self.frame: Frame | None = None
        self.landscapes = LandscapeCache(in_background=True)  # the UI thread never waits for a surface

    @property
    def plane_cells(self) -> tuple[int, int]:
        """The data plane's width and height in cells on screen (the edit cursor moves one a press)."""
        box = self.frame.box if self.frame is not None else None
        return (box.width, box.height) if box is not None else (1, 1)

    def _running(self, view: ViewState) -> bool:
        return self.channel.running and view.travel is None

    def due(self, view: ViewState) -> bool:
        """The frame timer's question. A new snapshot is drawn when the clock allows; while paused
        there is no training to starve, and a change of view or of run state is drawn now."""
        shown, running = self.frame, self._running(view)
        changed = shown is not None and (shown.running, shown.view) != (running, view)
        return changed or not running or self.clock.due(time.perf_counter())

    def draw(self, view: ViewState, screen: MainScreen) -> tuple[ViewState, Frame | None]:
        """Draw the newest snapshot as ``view`` says, unless that is what is on screen. Gives the
        view drawn (a network rebuilt meanwhile ends what no longer fits it) and the new frame, if any."""
        started, cpu = time.perf_counter(), time.thread_time()
        snap = shown_snapshot(self.channel.latest, view)
        if snap is None:  # the moment travelled to no longer fits the network, rebuilt meanwhile
            view, snap = view.live(), self.channel.latest
        if self.frame is not None:
            view = view.for_network(self.frame.snapshot.network.sizes, snap.network.sizes)
        # The worker publishes its last snapshot and then clears ``running``: either can be seen
        # first, so a change in either redraws (a status left at "running" would never be corrected).
        running = self._running(view)
        sizes = screen.frame_sizes(self.cell_aspect)
        frame = None
        # A surface measured off the UI thread arrives without a new snapshot: it is a new frame too.
        if self.clock.is_new(snap, (running, view, sizes, self.landscapes.arrivals)):
            frame = self.frame = build_frame(snap, view, sizes, running, self.landscapes, self.channel.latest.timeline)
            screen.show(frame, status_note(snap, view, self.fps_note))
        self.clock.charge(started, cpu, frame is not None)
        return view, frame
