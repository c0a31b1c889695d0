"""``FrameClock``: when the app draws its next frame, and what its frames cost.

A frame is charged with the UI thread's CPU time since the last frame ended: Textual putting
that one on the screen, and the keys meanwhile, count too. After a long pause (idle, or
start-up work) a frame is charged with its own time alone. The budget (``FrameBudget``) then
spaces the frames so that they never take more than their share of the time.
"""

from __future__ import annotations

import time
from collections.abc import Hashable

from nnplay.tui.model.frame_budget import FrameBudget

# A running picture is never older than this: one dear stretch of the UI thread (a panel being
# composed, a collection) charged to a frame at the 10% share pushed the next one a second or more away.
MAX_FRAME_GAP = 0.5


class FrameClock:
    def __init__(self, fps: float) -> None:
        self.budget = FrameBudget(fps, max_interval=MAX_FRAME_GAP)
        self.drawn: tuple[object, Hashable] | None = None  # (snapshot, view) of the frame on screen
        self.frames = 0  # frames drawn
        self.seconds = 0.0  # wall time spent building and handing out frames, summed
        self._end: tuple[float, float] | None = None  # (wall, UI thread CPU) when the last frame ended

    def due(self, now: float) -> bool:
        """May a new snapshot be drawn at ``now``? (A tick a little early still counts.)"""
        return self.budget.due(now, slack=self.budget.min_interval / 2)

    def is_new(self, snapshot: object, view: Hashable) -> bool:
        """Is a frame of ``snapshot`` (compared by identity) as ``view`` says (by equality) other
        than the one on screen? If so, it is the one on screen from now on."""
        drawn = self.drawn
        if drawn is not None and drawn[0] is snapshot and drawn[1] == view:
            return False
        self.drawn = (snapshot, view)
        self.frames += 1
        return True

    def charge(self, started: float, cpu_at_start: float, drew: bool) -> None:
        """A frame attempt that began at ``started`` (wall) and ``cpu_at_start`` (UI thread CPU) ended."""
        now, cpu = time.perf_counter(), time.thread_time()
        self.seconds += now - started
        if not drew:
            return
        since, self._end = self._end, (now, cpu)
        if since is None or now - since[0] > 2 * self.budget.interval:
            self.budget.spent(started, cpu - cpu_at_start)
        else:
            self.budget.spent(started, cpu - since[1])
