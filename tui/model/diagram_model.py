"""What the diagram draws: the snapshot's parameters and each layer's output on the grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnplay.core.trainer import Snapshot

if TYPE_CHECKING:
    from nnplay.tui.model.frame import GridPass


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
