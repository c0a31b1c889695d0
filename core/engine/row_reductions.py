"""Reductions along the rows of a 2-D array (``a.max(axis=1)`` and the like), fast for few columns,
and down its columns (``column_sums``).

The network's outputs are (points, classes) arrays with a handful of classes, and numpy reduces
such a short axis an order of magnitude slower than it works down a column: the softmax, the
loss and the predicted class of 50,000 points took ~8 ms a snapshot that way. Below
``FEW_COLUMNS`` columns these go column by column and give numpy's own values bit for bit
(numpy adds so few values left to right, as these do); tests/tui/test_plot_render.py checks that,
so a numpy change cannot alter a result silently.
"""

from __future__ import annotations

import numpy as np

FEW_COLUMNS = 8


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0:
        return a.max(axis=1)
    top = a[:, 0].copy()
    for j in range(1, k):
        np.maximum(top, a[:, j], out=top)
    return top


def row_max_argmax(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a.max(axis=1)`` and ``a.argmax(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0 or len(a) == 0:
        return a.max(axis=1), a.argmax(axis=1)
    top = a[:, 0].copy()
    arg = np.zeros(len(a), dtype=np.intp) if k == 1 else np.greater(a[:, 1], top).astype(np.intp)
    for j in range(1, k):
        col = a[:, j]
        if j > 1:
            np.putmask(arg, col > top, j)  # strictly greater: ties stay with the lowest column, as in argmax
        np.maximum(top, col, out=top)
    if np.isnan(top).any():  # numpy's argmax picks a row's first NaN; rare, leave it to numpy
        arg = a.argmax(axis=1)
    return top, arg


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0:
        return a.sum(axis=1)
    total = a[:, 0].copy()
    total += 0  # numpy's sum starts from +0, so a row of -0.0 sums to +0.0
    for j in range(1, k):
        total += a[:, j]
    return total


def column_sums(a: np.ndarray, out: np.ndarray, ones: np.ndarray | None = None) -> np.ndarray:
    """``a.sum(axis=0)`` of a 2-D array into ``out``, as one BLAS product with a vector of ones.

    numpy reduces a tall array of few columns row by row, ~15x slower than the product (2.1 ms
    against 0.14 ms of CPU time for 100,000 x 8); the sums differ from numpy's only in the order
    of the additions (a few units in the last place). ``ones`` (at least ``len(a)`` of them) saves
    making the vector each call."""
    n = len(a)
    ones = np.ones(n) if ones is None else ones[:n]
    return np.matmul(ones, a, out=out)
