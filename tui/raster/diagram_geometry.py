"""Geometry and rasterisation of the neuron/weight diagram, pure numpy (no Textual).

Every connection is a braille line between two neurons. A cell shows the strongest
connection passing through it: hue = sign, intensity = |weight| quantised into
``LEVELS`` steps, so the picture is exact about which weight dominates where.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from nnplay.tui.raster.braille import DOT_BITS

LEVELS = 5


@dataclass(frozen=True)
class Layout:
    """Where each neuron sits, in cells; ``node_w`` x ``node_h`` cells per neuron."""

    width: int
    height: int
    columns: tuple[int, ...]  # left cell column of each layer's nodes
    rows: tuple[np.ndarray, ...]  # top cell row of each neuron, per layer
    node_w: int
    node_h: int

    def node_at(self, x: int, y: int) -> tuple[int, int] | None:
        """(layer, neuron) whose node covers cell (x, y), or the nearest one in that column band."""
        best, best_d = None, 1e9
        for k, (col, rows) in enumerate(zip(self.columns, self.rows, strict=True)):
            if not col - 1 <= x <= col + self.node_w:
                continue
            for i, r in enumerate(rows):
                d = abs(y - (r + self.node_h / 2 - 0.5))
                if d < best_d:
                    best, best_d = (k, i), d
        return best


def layout(sizes: list[int], width: int, height: int, label_w: int = 0) -> Layout:
    """Spread the layers across ``width`` and each layer's neurons down ``height`` cells."""
    biggest = max(sizes)
    n = len(sizes)
    gap = (width - 2 * label_w) / max(n, 1)
    # A thumbnail needs room: 4x2 cells per node where rows and columns allow it.
    if height // biggest >= 3 and gap >= 9:
        node_w, node_h = 4, 2
    elif height // biggest >= 1 and gap >= 5:
        # A 2x1-cell thumbnail (2x2 pixels) still tells a neuron's output apart from a plain dot.
        node_w, node_h = 2, 1
    else:
        node_w, node_h = 1, 1
    columns = tuple(int(label_w + gap * k + (gap - node_w) / 2) for k in range(n))
    rows = []
    for m in sizes:
        pitch = height / m
        rows.append(np.array([int(pitch * i + (pitch - node_h) / 2) for i in range(m)], dtype=np.int32))
    return Layout(width, height, columns, tuple(rows), node_w, node_h)


@dataclass(frozen=True, eq=False)
class LineGeometry:
    """Where every connection's dots fall; depends on the layout only, so it is cached."""

    bits: np.ndarray  # (h, w) uint8: all lines drawn
    conn: np.ndarray  # connection of each (cell, connection) pair, pairs grouped by cell
    cell: np.ndarray  # cell of each pair
    pair_bits: np.ndarray  # uint8 braille bits of each pair: that connection's dots in that cell
    dashed_gap: np.ndarray  # bool per pair: a dashed (negative) line leaves this cell out
    group_starts: np.ndarray  # first pair of each distinct cell
    cells: np.ndarray  # the distinct cells with a line


def line_geometry(lay: Layout, sizes: tuple[int, ...]) -> LineGeometry:
    key = (lay.width, lay.height, lay.columns, tuple(map(tuple, lay.rows)), lay.node_w, lay.node_h, sizes)
    geometry = _GEOMETRY_CACHE.get(key)
    if geometry is None:
        if len(_GEOMETRY_CACHE) > 16:
            _GEOMETRY_CACHE.clear()
        geometry = _GEOMETRY_CACHE[key] = _line_geometry(lay, sizes)
    return geometry


_GEOMETRY_CACHE: dict[tuple, LineGeometry] = {}


def _line_geometry(lay: Layout, sizes: tuple[int, ...]) -> LineGeometry:
    h, w = lay.height, lay.width
    x0s, y0s, x1s, y1s = [], [], [], []
    for k in range(len(sizes) - 1):
        n_in, n_out = sizes[k], sizes[k + 1]
        # In dot coordinates: from the right edge of the sender to the left edge of the receiver.
        ya = (lay.rows[k] + lay.node_h / 2) * 4 - 0.5
        yb = (lay.rows[k + 1] + lay.node_h / 2) * 4 - 0.5
        x0s.append(np.full(n_out * n_in, (lay.columns[k] + lay.node_w) * 2, dtype=np.float64))
        x1s.append(np.full(n_out * n_in, lay.columns[k + 1] * 2 - 1, dtype=np.float64))
        y0s.append(np.tile(ya, n_out))
        y1s.append(np.repeat(yb, n_in))
    x0, y0, x1, y1 = (np.concatenate(a) for a in (x0s, y0s, x1s, y1s))
    lengths = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0)).astype(np.int64) + 1
    conn = np.repeat(np.arange(len(x0)), lengths)
    # Position of each sample along its own line, 0..1, without a Python loop.
    starts = np.cumsum(lengths) - lengths
    t = (np.arange(lengths.sum()) - np.repeat(starts, lengths)) / np.maximum(np.repeat(lengths, lengths) - 1, 1)
    dx = np.rint(x0[conn] + (x1 - x0)[conn] * t).astype(np.int64)
    dy = np.rint(y0[conn] + (y1 - y0)[conn] * t).astype(np.int64)
    keep = (dx >= 0) & (dx < w * 2) & (dy >= 0) & (dy < h * 4)
    dx, dy, conn = dx[keep], dy[keep], conn[keep]
    cell = (dy // 4) * w + dx // 2
    # OR of the dot bits per cell = sum over the distinct (cell, bit) pairs.
    dot_key = np.unique(cell * 256 + DOT_BITS[dy % 4, dx % 2])
    bits = np.bincount(dot_key // 256, weights=dot_key % 256, minlength=h * w).astype(np.uint8)
    pair_key = cell * len(x0) + conn
    pairs, pair_of_sample = np.unique(pair_key, return_inverse=True)
    pair_cell, pair_conn = pairs // len(x0), pairs % len(x0)
    pair_bits = np.zeros(len(pairs), dtype=np.uint8)
    np.bitwise_or.at(pair_bits, pair_of_sample, DOT_BITS[dy % 4, dx % 2])
    # Dashes: every other cell along a line (by its column, or its row where the line is steep).
    steep = (np.abs(y1 - y0) / 4 > np.abs(x1 - x0) / 2)[pair_conn]
    along = np.where(steep, pair_cell // w, pair_cell % w)
    dashed_gap = along % 2 == 1
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pair_cell[1:] != pair_cell[:-1]
    group_starts = np.flatnonzero(first)
    return LineGeometry(
        bits.reshape(h, w), pair_conn, pair_cell, pair_bits, dashed_gap, group_starts, pair_cell[group_starts]
    )


def rasterise_connections(
    lay: Layout,
    weights: list[np.ndarray],
    scale: float,
    visible: np.ndarray | None = None,
    dash_negative: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Braille lines for every connection (or those ``visible``, a bool per flat connection).

    Negative weights are dashed so their sign shows without colour (NO_COLOR, 16 colours).
    Returns ``bits`` (h, w) uint8, ``level`` (h, w) int8 intensity 0..LEVELS-1 of the
    strongest connection drawn in each cell, ``positive`` (h, w) bool its sign, and ``owner``
    (h, w) int32 the flat index of that connection (-1 where none), for mouse picking.
    """
    h, w = lay.height, lay.width
    owner = np.full(h * w, -1, dtype=np.int32)
    level = np.zeros(h * w, dtype=np.int8)
    positive = np.zeros(h * w, dtype=bool)
    bits = np.zeros(h * w, dtype=np.uint8)
    if not weights:
        return bits.reshape(h, w), level.reshape(h, w), positive.reshape(h, w), owner.reshape(h, w)
    geo = line_geometry(lay, (*tuple(W.shape[1] for W in weights), weights[-1].shape[0]))
    v = np.concatenate([W.ravel() for W in weights])
    if len(geo.conn):
        drawn = np.ones(len(geo.conn), dtype=bool) if visible is None else visible[geo.conn]
        if dash_negative:
            drawn &= ~(geo.dashed_gap & (v[geo.conn] < 0))
        # The strongest connection drawn through a cell owns it (the last of equals, as drawn last).
        mag = np.where(drawn, np.abs(v)[geo.conn], -1.0)
        best = np.maximum.reduceat(mag, geo.group_starts)
        is_best = mag == np.repeat(best, np.diff(np.append(geo.group_starts, len(mag))))
        winner_pos = np.maximum.reduceat(np.where(is_best, np.arange(len(mag)), -1), geo.group_starts)
        winners = geo.conn[winner_pos]
        shown = best >= 0
        cells = geo.cells[shown]
        owner[cells] = winners[shown]
        level[cells] = np.minimum(LEVELS - 1, (best[shown] / max(scale, 1e-12) * LEVELS).astype(np.int64))
        positive[cells] = v[winners[shown]] > 0
        bits[geo.cells] = np.bitwise_or.reduceat(np.where(drawn, geo.pair_bits, 0), geo.group_starts)
    return bits.reshape(h, w), level.reshape(h, w), positive.reshape(h, w), owner.reshape(h, w)


def strongest(weights: list[np.ndarray], keep: int) -> np.ndarray:
    """Per flat connection: is it among its receiving neuron's ``keep`` strongest incoming?"""
    out = []
    for W in weights:
        k = min(keep, W.shape[1])
        rank = np.argsort(-np.abs(W), axis=1, kind="stable")
        mask = np.zeros(W.shape, dtype=bool)
        np.put_along_axis(mask, rank[:, :k], True, axis=1)
        out.append(mask.ravel())
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


# A mesh this dense between two layers reads as a solid block: thin it to the strongest links.
SOLID_MESH = 32
STRONGEST = 2  # links kept per receiving neuron when thinned


def would_be_solid(sizes: list[int]) -> bool:
    return any(a * b > SOLID_MESH for a, b in pairwise(sizes))


def connection_of(flat_index: int, sizes: list[int]) -> tuple[int, int, int]:
    """(layer k, receiving neuron i, sending neuron j) of a flat connection index."""
    for k in range(len(sizes) - 1):
        n = sizes[k + 1] * sizes[k]
        if flat_index < n:
            i, j = divmod(flat_index, sizes[k])
            return k, i, j
        flat_index -= n
    raise IndexError(flat_index)


def thumbnails(layer_grid: np.ndarray, grid_h: int, grid_w: int, th: int, tw: int) -> np.ndarray:
    """Average each neuron's output on the plot's grid down to ``th`` x ``tw`` pixels.

    ``layer_grid`` is (grid_h * grid_w, n_neurons) from the plot's own forward pass, so
    thumbnails cost no extra evaluation of the network.
    """
    mean = averaging_matrix(grid_h, grid_w, th, tw, layer_grid.dtype.str)
    return (mean @ layer_grid).reshape(th, tw, layer_grid.shape[1])


@lru_cache(maxsize=8)
def averaging_matrix(grid_h: int, grid_w: int, th: int, tw: int, dtype: str) -> np.ndarray:
    """Row p averages the grid cells of thumbnail pixel p; the same for every frame of one size."""
    rows = np.minimum((np.arange(grid_h) * th) // max(grid_h, 1), th - 1)
    cols = np.minimum((np.arange(grid_w) * tw) // max(grid_w, 1), tw - 1)
    pixel = (rows[:, None] * tw + cols[None, :]).ravel()
    # One matrix product averages every neuron at once.
    mean = np.zeros((th * tw, grid_h * grid_w), dtype=dtype)
    mean[pixel, np.arange(grid_h * grid_w)] = 1.0
    mean /= np.maximum(mean.sum(axis=1, keepdims=True), 1.0)
    mean.flags.writeable = False
    return mean
