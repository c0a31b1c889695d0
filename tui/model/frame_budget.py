"""``FrameBudget``: how often a frame may be made so that making frames never starves training.

Frames come at most ``fps`` times a second; when one costs more than ``share`` of that
interval, they come further apart, so their cost stays ``share`` of the time whatever the
network's size. The app's frames and the trainer's snapshots each keep one.
"""

from __future__ import annotations

import math
import time

SHARE = 0.10  # of the wall time a frame (or a snapshot) may take; training keeps the rest
SMOOTHING = 0.5  # weight of the newest cost in the running estimate


class FrameBudget:
    def __init__(self, fps: float, share: float = SHARE, max_interval: float = math.inf) -> None:
        self.min_interval = 1.0 / fps
        self.max_interval = max(max_interval, self.min_interval)
        self.share = share
        self.cost = 0.0  # seconds one frame takes, smoothed
        self.last = -math.inf  # when the last frame began

    @property
    def interval(self) -> float:
        """Seconds from one frame's start to the next's."""
        return min(max(self.min_interval, self.cost / self.share), self.max_interval)

    def due(self, now: float, slack: float = 0.0) -> bool:
        """May a frame begin at ``now`` (or ``slack`` seconds before its time)?"""
        return now - self.last >= self.interval - slack

    def spent(self, started: float, seconds: float) -> None:
        """A frame began at ``started``; the last one cost ``seconds``."""
        self.last = started
        self.cost = seconds if self.cost == 0 else SMOOTHING * seconds + (1 - SMOOTHING) * self.cost


class CpuShareBudget(FrameBudget):
    """A trainer's publish budget, kept on the CPU clock of the thread that trains and publishes
    (``spent`` is charged with that thread's CPU time): publishing waits until the thread has had
    ``cost / share`` of CPU time since the last one began, as well as ``1 / fps`` of wall time.
    On a machine whose other jobs leave the trainer a fifth of a core, a wall-clock interval let
    publishing take half the trainer's time at a tenth of the CPU time; a publish held up without
    working (the OS or the UI holding the CPU or the GIL) does not space the next ones out."""

    def __init__(self, fps: float, share: float = SHARE) -> None:
        super().__init__(fps, share)
        self.last_cpu = -math.inf  # the thread's CPU clock when the last publish began

    def due(self, now: float, slack: float = 0.0) -> bool:
        if now - self.last < self.min_interval - slack:
            return False
        return time.thread_time() - self.last_cpu >= self.cost / self.share - slack

    def spent(self, started: float, seconds: float) -> None:
        super().spent(started, seconds)
        self.last_cpu = time.thread_time() - seconds
