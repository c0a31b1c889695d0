"""The network's passes for a frame: every layer on the plot's cell grid, and the points' outputs.

numpy only. The grid pass is made once per frame and read by the plot (regions) and the
diagram (neuron thumbnails) alike.
"""

from __future__ import annotations

import weakref
from functools import lru_cache

import numpy as np

from nnplay.core.activations import HIDDEN, softmax
from nnplay.core.features import feature_matrix
from nnplay.core.memory_budget import EVAL_CHUNK
from nnplay.core.trainer import Snapshot
from nnplay.tui.braille import cell_centres

# Row reductions over an (n, k) array's short axis are an order of magnitude
# slower in numpy than the same work done column by column.  Below this many
# columns numpy also adds a row's values left to right, so column-by-column
# sums (and softmax outputs) are bit for bit what numpy's own would be;
# test_plot_render checks that, so a numpy change cannot alter a frame silently.
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


def softmax_few(z: np.ndarray) -> np.ndarray:
    """nnplay.core.activations.softmax in place, column by column (the same numbers for few columns)."""
    if z.shape[1] >= FEW_COLUMNS or len(z) == 0:
        return softmax(z, z)
    np.subtract(z, row_max(z)[:, np.newaxis], out=z)
    np.exp(z, out=z)
    z /= row_sum(z)[:, np.newaxis]
    return z


def display_layers(snap: Snapshot, inputs: np.ndarray) -> list[np.ndarray]:
    """``snap.drawing_layers`` for float32 input features: the same arrays, faster.

    The pass is the network's own (``Network.forward_pass``) except that a
    softmax output over few classes goes through :func:`softmax_few`.
    """
    net = snap.display_network
    with np.errstate(all="ignore"):
        if net.output != "softmax" or net.sizes[-1] >= FEW_COLUMNS:
            return net.forward_pass(inputs)[1]
        functions = [HIDDEN[name][0] for name in net.activations] + [softmax_few]
        acts = [inputs]
        a = inputs
        for w, b, f in zip(net.weights, net.biases, functions, strict=True):
            z = a @ w.T
            z += b
            a = f(z)
            acts.append(a)
        return acts


def display_outputs(snap: Snapshot, inputs: np.ndarray) -> np.ndarray:
    """The output layer of :func:`display_layers`, ``EVAL_CHUNK`` points at a time: memory stays
    bounded by the chunk, not the data set (``core.memory_budget``)."""
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
