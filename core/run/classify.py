"""The article's Classify Points: fresh points of the data set and what a network predicts for them.

One rule for the app's ``c`` and the CLI's ``classify_accuracy``: round ``k`` of a run draws its
points from ``default_rng([data_seed, k])``, so the app's first press classifies exactly the
points the CLI scores. A CSV file has no generator: its test points stand in for fresh ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnplay.core.data.datasets import Dataset, sample_points
from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.network import Network
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.memory_budget import EVAL_CHUNK

FIRST_ROUND = 1  # the app's first press of c; the CLI scores this round


@dataclass(frozen=True, eq=False)
class Classification:
    """Points, their true classes (targets for regression) and the network's predictions."""

    X: np.ndarray
    y: np.ndarray
    predicted: np.ndarray  # classes, or the output for regression
    accuracy: float  # nan for regression or no points
    fresh: bool  # False: a CSV file's test points


def classify_points(net: Network, config: TrainConfig, data: Dataset, n: int, round: int) -> Classification:
    """Round ``round`` of Classify Points: ``n`` fresh points (a CSV file: its test points)."""
    if data.name == "csv":
        X, y, fresh = data.X_test, data.y_test, False
    else:
        X, y = sample_points(data.name, n, config.noise, np.random.default_rng([config.data_seed, round]))
        fresh = True
    with np.errstate(all="ignore"):
        out = outputs_in_chunks(net, feature_matrix(X, config.features))
    if data.is_regression:
        return Classification(X, y, out[:, 0], math.nan, fresh)
    predicted = out.argmax(axis=1)
    accuracy = float((predicted == y).mean()) if len(y) else math.nan
    return Classification(X, y, predicted, accuracy, fresh)


def outputs_in_chunks(net: Network, X: np.ndarray) -> np.ndarray:
    """The output layer for ``X``, computed ``EVAL_CHUNK`` rows at a time so memory stays bounded."""
    if len(X) <= EVAL_CHUNK:
        return net.forward_pass(X)[1][-1]
    return np.concatenate([net.forward_pass(X[i : i + EVAL_CHUNK])[1][-1] for i in range(0, len(X), EVAL_CHUNK)])
