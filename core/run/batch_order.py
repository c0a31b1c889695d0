"""``BatchOrder``: the order in which an epoch visits the training samples, and the next batch."""

from __future__ import annotations

import math

import numpy as np


class BatchOrder:
    """The epoch's shuffled sample order (``order``), the next sample in it (``at``) and the
    generator that shuffles it (``rng``); each epoch is a fresh permutation of the last."""

    def __init__(self, n: int, seed: int) -> None:
        self.restart(n, seed)

    def restart(self, n: int, seed: int) -> None:
        """The first epoch's order of a run with ``seed`` (the same every time)."""
        self.rng = np.random.default_rng([seed, 1])
        self.reshuffle(n)

    def reshuffle(self, n: int) -> None:
        """A fresh order of ``n`` samples, from the start."""
        self.order = self.rng.permutation(n)
        self.at = 0

    def next_batch(self, batch_size: int) -> tuple[np.ndarray, bool]:
        """The indices of the next batch, and whether it completes an epoch."""
        n = len(self.order)
        if batch_size >= n:
            return self.order, True
        idx = self.order[self.at : self.at + batch_size]
        self.at += batch_size
        if self.at < n:
            return idx, False
        self.at = 0
        # A new array, not an in-place shuffle: the batch just taken is a view of the old one.
        self.order = self.rng.permutation(self.order)
        return idx, True

    def steps_to_epoch_end(self, batch_size: int) -> int:
        """Updates left until the current epoch is complete (at least 1)."""
        n = len(self.order)
        if batch_size >= n:
            return 1
        return max(1, math.ceil((n - self.at) / batch_size))

    def steps_per_epoch(self, batch_size: int) -> int:
        n = len(self.order)
        return 1 if batch_size >= n else math.ceil(n / batch_size)
