"""``Snapshot``: an immutable copy of a run at one instant, what other threads and processes read.

The parameters, the step and the metrics in one snapshot belong together; readers never see
the trainer's live arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nnplay.core.data.datasets import Dataset
from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.network import Network
from nnplay.core.run.classify import FIRST_ROUND, Classification, classify_points
from nnplay.core.run.evaluation import Evaluation
from nnplay.core.run.path_recorder import RecordedPath
from nnplay.core.run.state import Moment
from nnplay.core.run.stepping import scheduled_rate
from nnplay.core.settings.config import TrainConfig


@dataclass(frozen=True)
class Snapshot:
    """An immutable, self-consistent copy of a run at one step, safe to read from any thread."""

    config: TrainConfig
    data: Dataset
    network: Network  # a private copy with read-only parameters
    step: int
    epoch: int
    metrics: Evaluation
    history: np.ndarray  # rows of HISTORY_FIELDS, oldest first
    steps_per_second: float
    diverged_at: int | None
    message: str
    version: int  # increases with every snapshot of a run; widgets redraw only when it changes
    run_id: int = 0  # the run's own number, new at every restart: whose snapshot this is
    engine: str = "numpy"  # "numba" when the compiled kernel trains
    timeline: tuple[Moment, ...] = ()  # the run so far, for time travel and weight evolution
    # The parameters step by step (a small network's; core.run.path_recorder), ending at these.
    path: RecordedPath | None = None
    # The network's outputs for data.X_train at these parameters, from the evaluation that made the
    # metrics (None when there was none): drawing the points needs no second pass over them.
    train_outputs: np.ndarray | None = None

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """Network outputs for raw (x, y) points, through the configured input features."""
        return self.layer_outputs(X_raw)[-1]

    def classify(self, n: int, round: int = FIRST_ROUND) -> Classification:
        """Round ``round`` of the article's Classify Points with this snapshot's network."""
        return classify_points(self.network, self.config, self.data, n, round)

    @property
    def learning_rate(self) -> float:
        """The scheduled rate of the next update."""
        return scheduled_rate(self.config, self.step)

    @cached_property
    def display_network(self) -> Network:
        return self.network.as_float32()

    def drawing_layers(self, X_raw: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations (inputs included) in float32, for drawing only."""
        with np.errstate(all="ignore"):
            inputs = feature_matrix(X_raw, self.config.features).astype(np.float32)
            return self.display_network.forward_pass(inputs)[1]

    def layer_outputs(self, X_raw: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer after the input for raw (x, y) points."""
        with np.errstate(all="ignore"):
            return self.network.forward_pass(feature_matrix(X_raw, self.config.features))[1][1:]


def frozen_copy(net: Network) -> Network:
    """A copy of ``net`` whose parameters cannot be written."""
    out = net.copy()
    out.params.flags.writeable = False
    out.weights, out.biases = out._views(out.params)  # views made before the flag stay writeable
    return out


class TrainOutputs:
    """The last evaluation's outputs for the training points, kept while the points and the
    parameters are the ones evaluated (a data or weight edit since makes them stale)."""

    def __init__(self) -> None:
        self._kept: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (X_train, params, outputs)

    def keep(self, X_train: np.ndarray, params: np.ndarray, outputs: np.ndarray) -> None:
        self._kept = (X_train, params.copy(), outputs)

    def current(self, X_train: np.ndarray, params: np.ndarray) -> np.ndarray | None:
        kept = self._kept
        if kept is None or kept[0] is not X_train or not np.array_equal(kept[1], params):
            return None
        outputs = kept[2]
        outputs.flags.writeable = False
        return outputs
