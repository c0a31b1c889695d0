"""A run's record: the metrics of its evaluations (``RingBuffer``, the loss curves) and its
``Timeline`` of moments (time travel, weight evolution), both of bounded size."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnplay.core.run.evaluation import Evaluation
from nnplay.core.run.state import Moment
from nnplay.core.settings.memory_budget import HISTORY_CAPACITY, TIMELINE_BYTES, TIMELINE_MOMENTS

HISTORY_FIELDS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


class RingBuffer:
    """The newest ``capacity`` rows of a table of floats; memory never grows past it."""

    def __init__(self, capacity: int, width: int) -> None:
        self.data = np.full((capacity, width), np.nan)
        self.count = 0

    def append(self, row: tuple[float, ...]) -> None:
        self.data[self.count % len(self.data)] = row
        self.count += 1

    def append_or_replace(self, row: tuple[float, ...]) -> None:
        """Append, or overwrite the newest row when it has the same first column (the step)."""
        if self.count and self.data[(self.count - 1) % len(self.data), 0] == row[0]:
            self.data[(self.count - 1) % len(self.data)] = row
        else:
            self.append(row)

    def rows(self) -> np.ndarray:
        """Oldest first, as a new array."""
        cap = len(self.data)
        if self.count <= cap:
            return self.data[: self.count].copy()
        at = self.count % cap
        return np.concatenate([self.data[at:], self.data[:at]])

    def clear(self) -> None:
        self.data[...] = np.nan
        self.count = 0

    def load(self, rows: np.ndarray) -> None:
        self.clear()
        for row in rows[-len(self.data) :]:
            self.append(tuple(row))


class Timeline:
    """A bounded record of the whole run: when full, every other moment is dropped and the
    spacing doubles, so it always spans step 0 to now in at most ``capacity`` moments."""

    def __init__(self, n_params: int, budget_bytes: int = TIMELINE_BYTES) -> None:
        per_moment = 24 * max(n_params, 1)  # params + two optimiser rows, float64
        self.capacity = max(16, min(TIMELINE_MOMENTS, budget_bytes // per_moment))
        self.moments: list[Moment] = []
        self.stride = 1
        self._calls = 0

    def record(self, make: Callable[[], Moment], step: int | None = None) -> None:
        if step is not None and self.moments and self.moments[-1].step == step:
            # Measured again at the same step (a pause, a settings change, an edit): the newest
            # moment is replaced, so time travel never shows two moments for one step.
            self.moments[-1] = make()
            return
        self._calls += 1
        if (self._calls - 1) % self.stride:
            return
        self.moments.append(make())
        if len(self.moments) > self.capacity:
            self.moments = self.moments[::2]
            self.stride *= 2

    def clear(self) -> None:
        self.moments.clear()
        self.stride = 1
        self._calls = 0

    def cut_after(self, step: int) -> None:
        self.moments = [m for m in self.moments if m.step <= step]


class RunHistory:
    """The metrics of every recorded evaluation (the newest ``HISTORY_CAPACITY``) and the timeline."""

    def __init__(self, n_params: int) -> None:
        self.metrics = RingBuffer(HISTORY_CAPACITY, len(HISTORY_FIELDS))
        self.timeline = Timeline(n_params)

    def record(self, m: Evaluation, moment: Callable[[], Moment]) -> None:
        self.metrics.append_or_replace((m.step, m.epoch, m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy))
        self.timeline.record(moment, m.step)

    def clear(self) -> None:
        self.metrics.clear()
        self.timeline.clear()

    def cut_after(self, step: int) -> None:
        """Forget what came after ``step`` (the run goes on from there)."""
        rows = self.metrics.rows()
        self.metrics.load(rows[rows[:, 0] <= step])
        self.timeline.cut_after(step)
