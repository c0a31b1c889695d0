"""Measuring a network on the training and the test set: ``Evaluation`` and the scores behind it."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nnplay.core.engine.losses import mean_loss
from nnplay.core.engine.network import Network
from nnplay.core.engine.row_reductions import row_max_argmax
from nnplay.core.settings.memory_budget import EVAL_CHUNK


@dataclass(frozen=True)
class Evaluation:
    """The losses and accuracies of the network at one step, on the training and the test set."""

    step: int
    epoch: int
    train_loss: float
    test_loss: float
    train_accuracy: float  # nan for regression
    test_accuracy: float
    r2_train: float = math.nan  # regression only
    r2_test: float = math.nan
    # confusion[true, predicted] counts on the test set (classification only)
    confusion_test: np.ndarray | None = field(default=None, compare=False, repr=False)

    def per_class_accuracy(self) -> np.ndarray | None:
        """Test recall of each class (nan for a class with no test points)."""
        c = self.confusion_test
        if c is None:
            return None
        with np.errstate(all="ignore"):
            return np.diag(c) / c.sum(axis=1)


def targets_for(labels: np.ndarray, n_out: int, output: str, regression: bool) -> np.ndarray:
    """Target rows for the output layer: one-hot codes, or the regression value."""
    if regression:
        return labels.astype(np.float64).reshape(-1, 1)
    low = -1.0 if output == "tanh" else 0.0
    t = np.full((len(labels), n_out), low)
    t[np.arange(len(labels)), labels] = 1.0
    return t


@dataclass(frozen=True)
class Split:
    """One side of the data as the network sees it: feature rows, target rows and the labels."""

    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray


def evaluate(
    net: Network, train: Split, test: Split, step: int, epoch: int, regression: bool
) -> tuple[Evaluation, np.ndarray]:
    """The evaluation at ``step`` and the network's outputs for the training rows."""
    with np.errstate(all="ignore"):
        tr = scores(net, train.X, train.Y, train.labels, regression)
        te = scores(net, test.X, test.Y, test.labels, regression)
    return Evaluation(step, epoch, tr[0], te[0], tr[1], te[1], tr[2], te[2], te[3]), tr[4]


def scores(
    net: Network, X: np.ndarray, Y: np.ndarray, labels: np.ndarray, regression: bool
) -> tuple[float, float, float, np.ndarray | None, np.ndarray]:
    """(loss, accuracy, r2, confusion, outputs) on one split; nan/None where it does not apply or the split is empty."""
    k = net.sizes[-1]
    if len(X) == 0:
        confusion = None if regression else np.zeros((k, k), dtype=np.int64)
        return math.nan, math.nan, math.nan, confusion, np.zeros((0, k))
    if len(X) <= EVAL_CHUNK:
        zs, acts = net.forward_pass(X)
        loss = mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y)
        out = acts[-1]
    else:  # in chunks, so a large data set never holds every layer of every point at once
        total_loss, parts = 0.0, []
        for i in range(0, len(X), EVAL_CHUNK):
            zs, acts = net.forward_pass(X[i : i + EVAL_CHUNK])
            total_loss += mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y[i : i + EVAL_CHUNK]) * len(zs[-1])
            parts.append(acts[-1])
        loss, out = total_loss / len(X), np.concatenate(parts)
    if regression:
        resid = ((out[:, 0] - Y[:, 0]) ** 2).sum()
        total = ((Y[:, 0] - Y[:, 0].mean()) ** 2).sum()
        r2 = 1.0 - resid / total if total > 0 else math.nan
        return loss, math.nan, float(r2), None, out
    predicted = row_max_argmax(out)[1]
    confusion = np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    return loss, float((predicted == labels).mean()), math.nan, confusion, out


class StepRate:
    """Updates a second between one recorded evaluation and the next."""

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self._mark = (time.perf_counter(), 0)
        self.per_second = 0.0

    def measure(self, step: int) -> None:
        now = time.perf_counter()
        then, step_then = self._mark
        if now > then:
            self.per_second = (step - step_then) / (now - then)
        self._mark = (now, step)
