"""The path the weights took, step by step: what the loss landscape draws and its PCA plane fits.

Time travel's moments are taken when the app draws a frame, so a run at a rate high enough to
zig-zag (each step lands on the other side of the valley) is seen at every other step, or every
tenth, on the same side: the record aliases the oscillation away. A small network's parameters
are therefore recorded after every update:

- every step of the first ``DENSE_STEPS`` (the lessons start a task from step 0, and that is
  where a rate overshoots most), always kept;
- after them, steps in pairs: ``s`` and ``s + 1`` for every ``stride``-th ``s``. When the record
  is full the stride doubles and every other pair goes, so the record spans the whole run in at
  most ``capacity`` rows while each kept pair still shows one whole step (a zig-zag stays a
  zig-zag however far it is thinned; one row per even stride would show one side only).

The memory is bounded in parameters x points: ``capacity`` rows of ``n_params`` float64 fit
``PATH_BYTES``, at most ``PATH_POINTS`` (``core.settings.memory_budget``, which counts them). A
network too big for ``PATH_MIN_POINTS`` rows records nothing, and the landscape takes its path
from the time-travel moments.

A ``RecordedPath`` is what a snapshot carries: read-only blocks of rows shared between
snapshots (each publish copies only the rows recorded since the last), and the current
parameters as the last point when they are not the last row (between recorded steps, after an
edit), so the path always ends where the run is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nnplay.core.settings.memory_budget import path_capacity

DENSE_STEPS = 400
NEVER = 2**62  # the next step a disabled recorder wants


@dataclass(frozen=True, eq=False)
class RecordedPath:
    """The steps and parameters of the path, oldest first; safe to read from any thread."""

    blocks: tuple[tuple[np.ndarray, np.ndarray], ...]  # (steps (k,), params (k, P)) read-only
    tail: tuple[int, np.ndarray] | None  # the current step and parameters, when not the last row
    n_params: int

    @cached_property
    def steps(self) -> np.ndarray:
        parts = [s for s, _ in self.blocks] + ([np.array([self.tail[0]])] if self.tail else [])
        steps = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        steps.flags.writeable = False
        return steps

    @cached_property
    def params(self) -> np.ndarray:
        parts = [p for _, p in self.blocks] + ([self.tail[1][np.newaxis]] if self.tail else [])
        rows = np.concatenate(parts) if parts else np.zeros((0, self.n_params))
        rows.flags.writeable = False
        return rows


class PathRecorder:
    """Records the parameters after the steps ``due`` names (see the module's note)."""

    def __init__(self, n_params: int) -> None:
        self.n_params = n_params
        self.capacity = path_capacity(n_params)
        self.dense = min(DENSE_STEPS, self.capacity // 2 - 1)
        self._steps = np.zeros(self.capacity, dtype=np.int64)
        self._rows = np.zeros((self.capacity, n_params))
        self.clear()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self._n = 0
        self.stride = 1
        self.due = 0 if self.enabled else NEVER
        self._forget_blocks()

    def _forget_blocks(self) -> None:
        self._blocks: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
        self._published = 0

    def wanted(self, step: int) -> bool:
        """Whether ``step`` belongs to the record at the current stride."""
        return step <= self.dense or (step - self.dense) % self.stride < 2

    def _next_due(self, step: int) -> int:
        if not self.enabled:
            return NEVER
        s = step + 1
        if self.wanted(s):
            return s
        return s + self.stride - (s - self.dense) % self.stride

    def record(self, step: int, params: np.ndarray) -> None:
        """Keep ``params`` as the path's point at ``step`` (a later step than any kept)."""
        if not self.enabled:
            return
        if self._n and self._steps[self._n - 1] >= step:
            self.cut_after(step - 1)
        self._steps[self._n] = step
        self._rows[self._n] = params
        self._n += 1
        if self._n == self.capacity:
            self._thin()
        self.due = self._next_due(step)

    def _thin(self) -> None:
        """Double the stride until the rows it keeps leave room: every other pair goes."""
        while self._n >= self.capacity:
            self.stride = 4 if self.stride == 1 else 2 * self.stride
            steps = self._steps[: self._n]
            keep = np.flatnonzero((steps <= self.dense) | ((steps - self.dense) % self.stride < 2))
            n = len(keep)
            self._steps[:n] = steps[keep]
            self._rows[:n] = self._rows[keep]
            self._n = n
        self._forget_blocks()

    def cut_after(self, step: int) -> None:
        """Forget the points after ``step`` (the run went back to it)."""
        n = int(np.searchsorted(self._steps[: self._n], step, side="right"))
        if n < self._n:
            self._n = n
            self._forget_blocks()
        self.due = self._next_due(step)

    def load(self, steps: np.ndarray, params: np.ndarray, stride: int, step: int) -> None:
        """Restore a saved record (already checked: ``check_saved``) of a run now at ``step``."""
        self.clear()
        n = len(steps)
        self._steps[:n], self._rows[:n] = steps, params
        self._n, self.stride = n, stride
        self.due = self._next_due(step)

    def saved(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(steps, params, stride): what a session file keeps."""
        return self._steps[: self._n].copy(), self._rows[: self._n].copy(), self.stride

    def path(self, step: int, params: np.ndarray) -> RecordedPath:
        """The path so far, ending at the run's ``step`` and ``params``: only the rows recorded
        since the last call are copied, the older blocks are shared."""
        if self._published < self._n:
            block = (self._steps[self._published : self._n].copy(), self._rows[self._published : self._n].copy())
            for a in block:
                a.flags.writeable = False
            self._blocks += (block,)
            self._published = self._n
        n = self._n
        at_last = n and self._steps[n - 1] == step and np.array_equal(self._rows[n - 1], params)
        tail = None if at_last else (step, _read_only(params))
        return RecordedPath(self._blocks, tail, self.n_params)


def check_saved(steps: np.ndarray, params: np.ndarray, stride: int, n_params: int, step: int) -> str | None:
    """Why a saved path cannot be a record of a ``n_params`` network now at ``step`` (None: it can)."""
    capacity = path_capacity(n_params)
    if len(steps) > capacity:
        return f"path has {len(steps):,} points; a network of {n_params:,} parameters keeps at most {capacity:,}"
    if params.shape != (len(steps), n_params):
        return f"path parameters have shape {params.shape}, not ({len(steps)}, {n_params})"
    if stride != 1 and (stride < 4 or stride & (stride - 1) or stride > NEVER):
        return f"path stride {stride:,} is not 1 or a power of two from 4"
    if len(steps) and (steps[0] < 0 or steps[-1] > step or np.any(np.diff(steps) <= 0)):
        return f"path steps must rise from 0 to at most the session's step {step:,}"
    return None


def _read_only(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out
