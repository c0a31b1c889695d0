"""The compiled training step (numba: the ``fast`` extra, which the README's Quickstart installs).

The numpy path in ``Trainer.step`` is the reference. This kernel runs the same
updates -- same batch order, random stream, formulas and optimiser conventions -- for
every activation, output, loss, optimiser, regulariser and schedule the engine has, but
with no Python per step or per epoch, so per-sample training (batch 1, the article's
way) runs at millions of steps a second. It releases the GIL, so the app's UI thread
keeps running while it trains. Tests check that both paths give the same trajectories.
Without numba (or with a broken one) ``load_kernel`` gives None and numpy trains.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable

import numpy as np

from nnplay.core.engine.engine_table import ROWS
from nnplay.core.engine.resident_memory import page_out_mappings

EngineRow = tuple[int, int, float, float]  # weights, batch size, numpy and numba µs per step

_lock = threading.Lock()
_kernel = None
_failed: str | None = None


def load_kernel():
    """The compiled kernel, or None when numba is missing or fails; compiles once per process."""
    global _kernel, _failed
    with _lock:
        if _kernel is not None or _failed is not None:
            return _kernel
        try:
            from nnplay.core.engine.kernel_numba import train_steps as kernel

            _warm_up(kernel)
        except Exception as exc:  # ImportError, or a numba/llvmlite problem: fall back to numpy
            _failed = f"{type(exc).__name__}: {exc}"
            return None
        _kernel = kernel
        # The compiler is not needed again (the kernel's one signature is compiled): hand its
        # ~70 MB of code pages back to the OS, so numba costs about what numpy alone does.
        page_out_mappings("libllvmlite")
        return _kernel


def kernel_unavailable_reason() -> str | None:
    return _failed


def fallback_message() -> str:
    """The one line the CLI and the app show when the kernel cannot load."""
    return f"the compiled kernel could not load ({_failed}); training with numpy"


def kernel_is_faster(batch: int, n_weights: int, rows: Iterable[EngineRow] = ROWS) -> bool:
    """Whether the kernel trains a step of ``batch`` samples (at most the training set) faster than numpy.

    The kernel steps through a batch one sample at a time, numpy a whole batch per operation with
    a fixed cost per operation; where one overtakes the other is measured, not modelled: the
    engine that won the measured row (``core/engine/engine_table.py``) nearest to this batch size and
    number of weights, both on log scales."""
    batch, n_weights = max(batch, 1), max(n_weights, 1)

    def distance(row: EngineRow) -> float:
        return math.log(row[0] / n_weights) ** 2 + math.log(row[1] / batch) ** 2

    _, _, numpy_us, numba_us = min(rows, key=distance)
    return numba_us < numpy_us


def engine_table_source(rows: Iterable[EngineRow], measured: str) -> str:
    """The text of ``core/engine/engine_table.py`` for ``rows``, as ``bench_engine.py --scan`` writes it."""
    lines = "".join(f"    ({w}, {b}, {numpy_us:.2f}, {numba_us:.2f}),\n" for w, b, numpy_us, numba_us in rows)
    return f'''"""Microseconds of CPU time per training step of each engine, as ``python benchmarks/bench_engine.py
--scan`` measured them; it writes this file (regenerate it, do not edit it).

``--engine auto`` trains a batch with the engine that won the row nearest to it
(``core.engine.kernel.kernel_is_faster``). Each row is (weights, batch size, numpy µs, numba µs), medians
of 3, for a 2-H-2 tanh network, softmax + cross-entropy, SGD, float64, on the circle data.
"""

MEASURED = {json.dumps(measured)}

ROWS = (
{lines})
'''


def _warm_up(kernel) -> None:
    """Compile (or load from numba's cache) with the argument types the trainer uses."""
    sizes = np.array([2, 2], dtype=np.int64)
    params = np.zeros(6)
    kernel(
        params, np.zeros(6), np.zeros((2, 6)), sizes, np.array([0], dtype=np.int64), np.array([4], dtype=np.int64),
        4, np.array([0], dtype=np.int64), 0, np.zeros((1, 2)), np.zeros((1, 2)), np.zeros(1, dtype=np.int64),
        np.random.default_rng(0), 0, 1, 1, 0, 0.1, 0.9, 0.9, 0.999, 1e-8, 0.0, 0.0, 0, 0, 1, 0, np.zeros((2, 2)),
        np.zeros((2, 2)), np.zeros((2, 2)),
    )  # fmt: skip
