"""The arrays one training step of the numpy engine writes into, made once per batch size.

A step allocated every batch's rows, pre-activations, activations and deltas afresh; on large
batches making and first touching those pages cost more than the arithmetic in them. Here they
are made once and reused: ``Network.forward_pass`` and ``Network.backward`` write into them when
given ``BatchBuffers``. A shorter batch (an epoch's last) uses the first rows of each (``rows``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np


class BatchBuffers:
    """Per layer ``k``: ``z[k]`` and ``a[k]`` (pre-activations, activations of layer k + 1),
    ``delta[k]`` (the delta sent back into hidden layer k + 1); the batch's gathered inputs ``X``
    and targets ``Y``; ``ones`` for column sums. ``rows_sum_to_one``: the targets are one-hot."""

    def __init__(self, sizes: Sequence[int], rows: int, rows_sum_to_one: bool) -> None:
        self.sizes, self.rows_sum_to_one = tuple(sizes), rows_sum_to_one
        # Two deltas are alive at a time (the one sent back and the one it is made from): hidden
        # layers take turns in two arrays of the widest one's size, as the memory budget counts.
        widest = max(sizes[1:-1], default=0)
        self._turns = (np.empty(rows * widest), np.empty(rows * widest))
        self._full = (np.empty((rows, sizes[0])), np.empty((rows, sizes[-1])), np.ones(rows))
        self._layers = ([np.empty((rows, s)) for s in sizes[1:]], [np.empty((rows, s)) for s in sizes[1:]])
        self._first: dict[int, BatchBuffers] = {}
        self._take_first(rows)

    def _take_first(self, n: int) -> None:
        """Point ``X``, ``Y``, ``ones``, ``z``, ``a`` and ``delta`` at the first ``n`` rows."""
        self.capacity = n
        self.X, self.Y, self.ones = (array[:n] for array in self._full)
        self.z, self.a = ([array[:n] for array in arrays] for arrays in self._layers)
        self.delta = [self._turns[k % 2][: n * s].reshape(n, s) for k, s in enumerate(self.sizes[1:-1])]
        self._first[n] = self

    def rows(self, n: int) -> BatchBuffers:
        """The buffers of a batch of ``n`` rows, at most as many as the buffers were made for:
        the first ``n`` rows of each (views, contiguous)."""
        if n not in self._first:
            full = max(self._first)
            if not 0 < n <= full:
                raise ValueError(f"a batch of {n} rows does not fit buffers of {full}")
            view = copy.copy(self)
            view._take_first(n)
            self._first[n] = view
        return self._first[n]

    def gather(self, X: np.ndarray, Y: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows ``idx`` (``capacity`` of them) of ``X`` and ``Y``, copied into ``self.X`` and ``self.Y``."""
        np.take(X, idx, axis=0, out=self.X)
        np.take(Y, idx, axis=0, out=self.Y)
        return self.X, self.Y
