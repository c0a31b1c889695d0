"""The network's passes for a frame: every layer on the plot's cell grid, and the points' outputs.

numpy only. The grid pass is made once per frame and read by the plot (regions) and the
diagram (neuron thumbnails) alike.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.row_reductions import row_max_argmax, row_sum
from nnplay.core.run.trainer import Snapshot
from nnplay.core.settings.memory_budget import EVAL_CHUNK
from nnplay.tui.raster.braille import cell_centres


@dataclass(frozen=True, eq=False)
class GridPass:
    """Every layer's output (the input features first) on a grid of ``shape`` (rows, cols) cells."""

    layers: list[np.ndarray]  # (rows * cols, n) per layer
    shape: tuple[int, int]


def display_layers(snap: Snapshot, inputs: np.ndarray) -> list[np.ndarray]:
    """``snap.drawing_layers`` for float32 input features: every layer, the input features first."""
    with np.errstate(all="ignore"):
        return snap.display_network.forward_pass(inputs)[1]


def display_outputs(snap: Snapshot, inputs: np.ndarray) -> np.ndarray:
    """The output layer of :func:`display_layers`, ``EVAL_CHUNK`` points at a time: memory stays
    bounded by the chunk, not the data set (``core.settings.memory_budget``)."""
    if len(inputs) <= EVAL_CHUNK:
        return display_layers(snap, inputs)[-1]
    return np.concatenate(
        [display_layers(snap, inputs[i : i + EVAL_CHUNK])[-1] for i in range(0, len(inputs), EVAL_CHUNK)]
    )


def display_inputs(snap: Snapshot, X_raw: np.ndarray) -> np.ndarray:
    """The float32 input features ``snap.drawing_layers`` feeds the network.

    The points are the same read-only array (the data set's) frame after frame
    while a network trains, so the features of the last one are kept and reused.
    """
    global _last_inputs
    features = tuple(snap.config.features)
    last = _last_inputs
    if last is not None and last[0]() is X_raw and last[1] == features:
        return last[2]
    with np.errstate(all="ignore"):
        inputs = feature_matrix(X_raw, features).astype(np.float32)
    if isinstance(X_raw, np.ndarray) and not X_raw.flags.writeable:
        inputs.flags.writeable = False
        _last_inputs = (weakref.ref(X_raw), features, inputs)
    return inputs


# (weak reference to the points, features, their float32 features) of the last read-only points.
_last_inputs: tuple[weakref.ref, tuple[str, ...], np.ndarray] | None = None


@lru_cache(maxsize=8)
def grid_inputs(extent: float, width: int, height: int, features: tuple[str, ...]) -> np.ndarray:
    """The float32 features of every cell centre; the same for every frame of one size, so built once."""
    with np.errstate(all="ignore"):
        inputs = feature_matrix(cell_centres(extent, width, height), features).astype(np.float32)
    inputs.flags.writeable = False  # shared by every frame (and the diagram's thumbnails)
    return inputs


def class_confidence(out: np.ndarray, output: str) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and a confidence in [0, 1] (0 = all classes equally likely)."""
    k = out.shape[1]
    if output == "tanh":
        scores = (out + 1.0) / 2.0
    elif output == "linear":
        scores = np.clip(out, 0.0, None)
    else:
        scores = out
    top, cls = row_max_argmax(scores)
    total = row_sum(scores)
    with np.errstate(all="ignore"):
        p = np.where(total > 0, top / total, 1.0 / k)
    conf = (p - 1.0 / k) / (1.0 - 1.0 / k)
    return cls, np.nan_to_num(conf, copy=False, nan=0.0)
