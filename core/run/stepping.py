"""Optimiser updates with numpy: the gradient of each batch (plain, with dropout, or the
article's rule) and the update, until ``n`` are made or the parameters diverge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.engine.backprop import article_v2_gradient
from nnplay.core.engine.batch_buffers import BatchBuffers
from nnplay.core.engine.network import Network, parameters_diverged
from nnplay.core.engine.optim import Optimizer
from nnplay.core.engine.row_reductions import row_sum
from nnplay.core.engine.schedule import SCHEDULE_CODES, scheduled_lr
from nnplay.core.run.batch_order import BatchOrder
from nnplay.core.settings.config import TrainConfig


def scheduled_rate(c: TrainConfig, step: int) -> float:
    """The learning rate of the update after ``step`` updates of ``c``'s schedule (``core.engine.schedule``)."""
    return scheduled_lr(c.lr, SCHEDULE_CODES[c.schedule], step, c.iterations)


@dataclass(frozen=True)
class Progress:
    """What a call of ``step`` did: updates made, epochs completed, and whether the last update
    (not counted in ``done``) made the parameters diverge."""

    done: int
    epochs: int
    diverged: bool


class NumpySteps:
    """The gradient's arrays of one network, kept from step to step, and the dropout masks' generator."""

    def __init__(self, net: Network, seed: int) -> None:
        self.grad = np.empty_like(net.params)
        self.grad_views = net.views(self.grad)
        self.buffers: BatchBuffers | None = None  # made for the data at the first step
        self.restart(seed)

    def restart(self, seed: int) -> None:
        self.dropout_rng = np.random.default_rng([seed, 2])

    def batch_buffers(self, net: Network, Y: np.ndarray, rows: int, regression: bool) -> BatchBuffers:
        """The step's arrays for batches of ``rows`` (made again when the size or the data change)."""
        if self.buffers is None or self.buffers.capacity != rows:
            one_hot = not regression and bool(np.all(row_sum(Y) == 1.0))
            self.buffers = BatchBuffers(net.sizes, rows, one_hot)
        return self.buffers

    def step(
        self,
        n: int,
        net: Network,
        opt: Optimizer,
        X: np.ndarray,
        Y: np.ndarray,
        c: TrainConfig,
        regression: bool,
        batches: BatchOrder,
        step: int,
    ) -> Progress:
        """Up to ``n`` updates of ``net`` from update number ``step``, in ``batches``' order."""
        grad, params = self.grad, net.params
        scheduled = c.schedule != "constant"
        article = c.backprop == "article-v2"
        done = epochs = 0
        with np.errstate(all="ignore"):  # divergence is detected below, not warned about
            for _ in range(n):
                idx, epoch_done = batches.next_batch(c.batch_size)
                epochs += epoch_done
                if c.dropout:
                    self._dropout_gradient(net, X[idx], Y[idx], c)
                elif article:
                    article_v2_gradient(net, X[idx], Y[idx], grad)
                else:
                    rows = self.batch_buffers(net, Y, min(c.batch_size, len(X)), regression).rows(len(idx))
                    # The whole set in one batch: its gradient is the same sum in any order, so
                    # the rows are used where they are, not gathered into the batch's order.
                    Xb, Yb = (X, Y) if len(idx) == len(X) else rows.gather(X, Y, idx)
                    zs, acts = net.forward_pass(Xb, buffers=rows)
                    net.backward(zs, acts, Yb, grad, self.grad_views, buffers=rows)
                if scheduled:
                    opt.lr = scheduled_rate(c, step + done)
                opt.step(params, grad)
                if parameters_diverged(params):
                    return Progress(done, epochs, True)
                done += 1
        return Progress(done, epochs, False)

    def _dropout_gradient(self, net: Network, X: np.ndarray, Y: np.ndarray, c: TrainConfig) -> None:
        """Gradient with inverted dropout on the hidden layers: each hidden unit is zeroed with
        probability ``rate`` and the survivors scaled by 1/(1 - rate), so evaluation needs no change."""
        rate = c.dropout
        masks = [(self.dropout_rng.random((len(X), size)) >= rate) / (1.0 - rate) for size in net.sizes[1:-1]]
        if c.backprop == "article-v2":
            article_v2_gradient(net, X, Y, self.grad, masks)
        else:
            zs, acts = net.forward_pass(X, masks)
            net.backward(zs, acts, Y, self.grad, self.grad_views, masks)
