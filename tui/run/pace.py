"""Two runs in two processes kept in step: each says where it is in a block both map, and waits while it leads.

A comparison's runs train in two trainer processes (tui/run/comparison_process.py) at whatever
speed each gets; in step, the pair's snapshots show the two at (nearly) the same step, as the
one-thread comparison did. The block is a file both children map (its descriptor passed at the
start); each run's row holds its step and when it last wrote (the monotonic clock, the same for
every process), written before each chunk it trains. A run holds (``holds``) while it is more
than two of its own chunks past a partner heard from within ``FRESH`` seconds (a round of its
loop, a chunk and the commands, takes ~10 ms): a partner paused, stopped at its goal, dead,
measuring its snapshot (every point through the network: on 50,000 points longer than a chunk)
or not scheduled for a while holds nobody up for longer.
"""

from __future__ import annotations

import mmap
import tempfile
import time
from typing import IO

import numpy as np

ROW = 2  # a run's row: its step, when it last wrote
SIZE = 2 * ROW * 8  # two rows of float64
FRESH = 0.1  # seconds: a partner not heard from for longer holds nobody up
HOLD = 0.001  # seconds a run that leads waits before it looks again


def shared_block() -> IO[bytes]:
    """A new block for two runs (an unlinked temporary file: it goes with the last process that has it open)."""
    block = tempfile.TemporaryFile()
    block.truncate(SIZE)
    return block


class Pace:
    """One run's side of the block: row ``slot`` is its own, the other row its partner's."""

    def __init__(self, fd: int, slot: int) -> None:
        self._map = mmap.mmap(fd, SIZE)
        self._rows = np.frombuffer(self._map, dtype=np.float64).reshape(2, ROW)
        self.slot = slot
        self._step = 0
        self._stride = 1  # the steps of its last chunk that trained

    def mark(self, step: int) -> None:
        """Where this run is now (before each chunk it trains)."""
        if step > self._step:
            self._stride = step - self._step
        self._step = step
        self._rows[self.slot] = (step, time.monotonic())

    def holds(self) -> bool:
        """Whether this run waits (it leads its partner by more than two of its chunks); if so, after a short wait."""
        step, heard = self._rows[1 - self.slot]
        if time.monotonic() - heard < FRESH and self._step > step + 2 * self._stride:
            time.sleep(HOLD)
            return True
        return False
