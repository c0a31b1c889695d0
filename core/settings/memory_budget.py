"""How many bytes a configuration needs, and the budget it must fit in.

Every array that grows with a setting is counted: the data (points, features, targets,
the batch order), the training batch's activations, the chunked evaluation and drawing
passes, the parameters with their copies (optimiser, checkpoint, snapshots), the
time-travel timeline and the history. Passes over whole data sets run in chunks of
``EVAL_CHUNK`` rows (the trainer and the plot), so their memory does not grow with the
data; the training batch is one pass, so it is what a big batch costs.

The estimate is an upper bound for the numpy engine (the compiled kernel needs less),
excluding the program itself (~150 MB with the app).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from nnplay.core.data.datasets import MAX_CSV_ROWS, REGRESSION

DEFAULT_MEMORY_LIMIT = 2 * 1024**3
MIN_MEMORY_LIMIT = 64 * 1024**2

HISTORY_CAPACITY = 2048
TIMELINE_MOMENTS = 240
TIMELINE_BYTES = 24 * 1024 * 1024
EVAL_CHUNK = 4096  # rows per forward pass when measuring or drawing a whole data set
GRID_CELLS = 20_000  # decision-region cells of a large terminal's plot (250 x 80)
MAX_CSV_CLASSES = 16

_limit = DEFAULT_MEMORY_LIMIT


def memory_limit() -> int:
    """The budget every configuration is checked against, in bytes."""
    return _limit


def set_memory_limit(n_bytes: int) -> None:
    """Change the budget (``--memory-limit``); at least ``MIN_MEMORY_LIMIT``."""
    global _limit
    if n_bytes < MIN_MEMORY_LIMIT:
        raise ValueError(f"a memory limit of {format_bytes(n_bytes)} is below the minimum of 64 MB")
    _limit = int(n_bytes)


def parse_bytes(text: str) -> int:
    """``"2G"``, ``"512MB"``, ``"1.5g"`` or a plain number of bytes; ValueError otherwise."""
    s = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = 1
    for suffix, factor in (("K", 1024), ("M", 1024**2), ("G", 1024**3), ("T", 1024**4)):
        if s.endswith(suffix):
            s, scale = s[:-1], factor
            break
    if not s or len(s) > 20:
        raise ValueError(text)
    value = float(s)
    if not math.isfinite(value) or value <= 0 or value * scale > 2**62:
        raise ValueError(text)
    return int(value * scale)


def format_bytes(n: float) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def n_test_points(train_size: int, test_ratio: float) -> int:
    """Test points that go with ``train_size`` training points at ``test_ratio`` of all points."""
    return round(train_size * test_ratio / (1.0 - test_ratio))


@dataclass(frozen=True)
class MemoryEstimate:
    parts: dict[str, int]  # what the bytes are for -> bytes

    @property
    def total(self) -> int:
        return sum(self.parts.values())

    @property
    def largest(self) -> str:
        return max(self.parts, key=self.parts.__getitem__)

    def describe(self) -> str:
        biggest = sorted(self.parts.items(), key=lambda kv: -kv[1])[:3]
        return f"about {format_bytes(self.total)} (" + ", ".join(f"{k} {format_bytes(v)}" for k, v in biggest) + ")"


def estimate(
    layers: tuple[int, ...],
    n_features: int,
    n_outputs: int,
    n_train: int,
    n_test: int,
    batch_size: int,
    dropout: float = 0.0,
) -> MemoryEstimate:
    """Bytes a run of this shape needs at its peak (see the module's note)."""
    sizes = [n_features, *layers, n_outputs]
    units = sum(sizes)
    widest = max(sizes)
    n_params = sum(a * b + b for a, b in pairwise(sizes))
    points = n_train + n_test
    batch = min(batch_size, n_train)
    # float64 zs and acts of every layer, the output delta and the back-propagated deltas
    train_pass = batch * (units * 8 * 2 + widest * 8 * 3 + (n_features + n_outputs) * 8)
    if dropout:
        train_pass += batch * sum(layers) * 8 * 3  # the masks and the masked activations
    per_moment = 24 * max(n_params, 1)
    moments = max(16, min(TIMELINE_MOMENTS, TIMELINE_BYTES // per_moment))
    return MemoryEstimate(
        {
            # raw points, their features (float64 + the plot's float32), targets, labels; the order
            "data": points * (8 * (2 + n_features + n_outputs + 1) + 4 * n_features) + n_train * 8 * 2,
            "training batch": train_pass,
            "evaluation": min(EVAL_CHUNK, max(points, 1)) * (units * 8 * 2 + widest * 8),
            "drawing": (GRID_CELLS + EVAL_CHUNK) * (units * 4 + widest * 4),
            # params, initial, gradient, optimiser (2), checkpoint (3), snapshots in flight (~6)
            "parameters": n_params * 8 * 14,
            "timeline": moments * per_moment,
            "history": HISTORY_CAPACITY * 6 * 8 * 4,
        }
    )


def config_estimate(config: Any, n_train: int | None = None, n_test: int | None = None) -> MemoryEstimate:
    """The estimate for a TrainConfig: its own sizes, or the given ones (a loaded or edited data set)."""
    if config.dataset == "csv":
        n_outputs = MAX_CSV_CLASSES  # the file decides; count the most it may hold
        default_train, default_test = MAX_CSV_ROWS, 0  # the file's rows, split either way
    else:
        n_outputs = 1 if config.dataset in REGRESSION else 4 if config.dataset.startswith("quadrants") else 2
        default_train = 4 if config.dataset == "quadrants-centres" else config.train_size
        default_test = n_test_points(config.train_size, config.test_ratio)
    return estimate(
        tuple(config.layers),
        len(config.features),
        n_outputs,
        default_train if n_train is None else n_train,
        default_test if n_test is None else n_test,
        config.batch_size,
        config.dropout,
    )


def budget_error(est: MemoryEstimate) -> str | None:
    """Why ``est`` does not fit the budget, or None."""
    if est.total <= _limit:
        return None
    return (
        f"settings that need at most {format_bytes(_limit)} of memory; these need {est.describe()} "
        "(fewer or smaller layers, a smaller batch or less data; or raise the memory limit)"
    )
