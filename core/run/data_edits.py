"""The edits ctrl+z can take back: points added to or removed from the training data, and
weights typed in. Each function checks the edit and says what it did; the trainer applies it."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from nnplay.core.data.datasets import Dataset
from nnplay.core.engine.network import MAX_PARAMETER

MAX_TRAIN_POINTS = 100_000  # the train-size limit; the data editor stops there too
UNDO_LEVELS = 50  # edits ctrl+z can take back: data edits and typed weights alike


@dataclass(frozen=True)
class Edit:
    """One edit that ``Trainer.undo`` can take back: the training data before it, or a parameter's old value."""

    what: str  # said when it is undone: "added a point at (+0.10, -0.20)"
    data: tuple[np.ndarray, np.ndarray] | None = None  # (X_train, y_train) before a data edit (read-only arrays)
    param: tuple[int, float] | None = None  # (index into the flat parameters, value before)


def new_edits() -> deque[Edit]:
    return deque(maxlen=UNDO_LEVELS)


def forget_weight_edits(edits: deque[Edit]) -> None:
    """The weights were replaced wholesale: their old single values mean nothing now."""
    kept = [e for e in edits if e.data is not None]
    edits.clear()
    edits.extend(kept)


def point_added(d: Dataset, x: float, y: float, label: float, regression: bool) -> tuple[np.ndarray, np.ndarray, Edit]:
    """The training data with the point (x, y) of ``label`` added, and the edit that undoes it."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError("the point must have finite coordinates")
    if len(d.X_train) >= MAX_TRAIN_POINTS:
        raise ValueError(f"{MAX_TRAIN_POINTS:,} training points is the limit")
    if regression:
        value = np.array([max(-1.0, min(1.0, float(label)))])
    else:
        if not 0 <= int(label) < d.n_classes:
            raise ValueError(f"class {int(label) + 1} does not exist; allowed 1..{d.n_classes}")
        value = np.array([int(label)], dtype=d.y_train.dtype)
    edit = Edit(f"added a point at ({x:+.2f}, {y:+.2f})", data=(d.X_train, d.y_train))
    return np.vstack([d.X_train, [[x, y]]]), np.concatenate([d.y_train, value]), edit


def nearest_removed(d: Dataset, x: float, y: float) -> tuple[np.ndarray, np.ndarray, Edit]:
    """The training data without the point nearest (x, y), and the edit that undoes it."""
    if len(d.X_train) <= 1:
        raise ValueError("the last training point cannot be removed")
    i = int(np.argmin(((d.X_train - [x, y]) ** 2).sum(axis=1)))
    px, py = d.X_train[i]
    keep = np.arange(len(d.X_train)) != i
    edit = Edit(f"removed the point at ({px:+.2f}, {py:+.2f})", data=(d.X_train, d.y_train))
    return d.X_train[keep], d.y_train[keep], edit


def check_parameter(index: int, value: float, size: int, name: str) -> None:
    """Raise ValueError unless ``value`` may go into parameter ``index`` of ``size``."""
    if not abs(value) < MAX_PARAMETER:
        raise ValueError(f"{name} must be a finite number within ±{MAX_PARAMETER:g}")
    if not 0 <= index < size:
        raise ValueError(f"{name}: no parameter {index} in a network of {size}")
