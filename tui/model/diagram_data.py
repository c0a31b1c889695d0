"""What the diagram draws: the snapshot's parameters and each layer's output on the grid."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.grid_pass import GridPass


@dataclass(frozen=True)
class DiagramData:
    """What the diagram draws: the snapshot's parameters and per-layer outputs on a grid."""

    sizes: list[int]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    grid_layers: list[np.ndarray] | None  # (gh*gw, n) per layer incl. the input features
    grid_shape: tuple[int, int]
    activations: list[str]  # per non-input layer, for mapping outputs to [-1, 1]
    input_names: list[str]
    version: int


def diagram_data(snap: Snapshot, grid: GridPass | None) -> DiagramData:
    net = snap.network
    return DiagramData(
        sizes=list(net.sizes),
        weights=list(net.weights),
        biases=list(net.biases),
        grid_layers=None if grid is None else grid.layers,
        grid_shape=(1, 1) if grid is None else grid.shape,
        activations=[*net.activations, net.output],
        input_names=list(snap.config.features),
        version=snap.version,
    )


@dataclass(frozen=True)
class Summary:
    """A diagram drawn with each wide layer's neurons in groups: ``data`` is the network as drawn
    (one node per group), ``groups[k]`` the neurons of layer k per node (1: each its own)."""

    data: DiagramData
    groups: tuple[int, ...]

    def node_of(self, layer: int, neuron: int) -> int:
        """The drawn node holding ``neuron`` of ``layer``."""
        return neuron // self.groups[layer]

    def first_neuron(self, layer: int, node: int) -> int:
        """The first neuron of drawn node ``node`` of ``layer``."""
        return node * self.groups[layer]


def summarise(data: DiagramData, rows: int) -> Summary:
    """``data`` as it can be drawn in ``rows`` rows: a layer of more neurons than rows becomes
    groups of consecutive neurons, one node each, so no two neurons share a row.

    A group's link to another is the strongest weight between their neurons (the diagram's rule:
    a cell shows the strongest connection through it), its bias the largest in magnitude, its
    thumbnail the mean of its neurons' outputs (from the same grid pass). Fewer links are drawn
    too: 8 layers of 64 are ~29,000 links, more than the cells of a pane can show apart.
    """
    groups = group_sizes(data.sizes, rows)
    if all(g == 1 for g in groups):
        return Summary(data, groups)
    starts = [np.arange(0, m, g) for m, g in zip(data.sizes, groups, strict=True)]
    counts = [np.diff(np.append(s, m)) for s, m in zip(starts, data.sizes, strict=True)]
    weights = [largest_magnitude(W, starts[k + 1], starts[k]) for k, W in enumerate(data.weights)]
    biases = [
        largest_magnitude(b[:, None], starts[k + 1], np.zeros(1, np.intp))[:, 0] for k, b in enumerate(data.biases)
    ]
    grid_layers = None
    if data.grid_layers is not None:
        grid_layers = [
            np.add.reduceat(layer, starts[k], axis=1) / counts[k] for k, layer in enumerate(data.grid_layers)
        ]
    names = [data.input_names[i] for i in starts[0]]
    drawn = replace(
        data,
        sizes=[len(s) for s in starts],
        weights=weights,
        biases=biases,
        grid_layers=grid_layers,
        input_names=names,
    )
    return Summary(drawn, groups)


# Links a diagram draws at most: 6 layers of 16 (1,344) are drawn neuron by neuron; 8 of 64
# (28,900) in groups of 4, which a pane's cells can still tell apart and draw in a few ms.
MAX_LINKS = 2_000


def group_sizes(sizes: list[int], rows: int) -> tuple[int, ...]:
    """Neurons per drawn node, per layer: no more nodes in a layer than ``rows``, nor more
    links in all than ``MAX_LINKS``; a layer that fits keeps one node per neuron."""
    nodes = max(rows, 1)

    def links(cap: int) -> int:
        shown = [min(m, cap) for m in sizes]
        return sum(a * b for a, b in pairwise(shown))

    while nodes > 1 and links(nodes) > MAX_LINKS:
        nodes -= 1
    return tuple(max(1, math.ceil(m / nodes)) for m in sizes)


def largest_magnitude(a: np.ndarray, row_starts: np.ndarray, col_starts: np.ndarray) -> np.ndarray:
    """Per block of rows x columns (starting at ``row_starts``, ``col_starts``), its value of
    largest magnitude, with its sign."""
    if a.size == 0:
        return np.zeros((len(row_starts), len(col_starts)), a.dtype)
    top = np.maximum.reduceat(np.maximum.reduceat(a, row_starts, axis=0), col_starts, axis=1)
    bottom = np.minimum.reduceat(np.minimum.reduceat(a, row_starts, axis=0), col_starts, axis=1)
    return np.where(np.abs(bottom) > np.abs(top), bottom, top)
