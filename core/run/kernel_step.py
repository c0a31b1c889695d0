"""Optimiser updates with the compiled kernel (``core.engine.kernel``): the flat arrays it reads,
made once per network and data, and one call that makes ``n`` updates."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnplay.core.engine.kernel import kernel_is_faster
from nnplay.core.engine.kernel_codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from nnplay.core.engine.network import Network
from nnplay.core.engine.optim import Optimizer
from nnplay.core.engine.schedule import SCHEDULE_CODES
from nnplay.core.run.batch_order import BatchOrder
from nnplay.core.run.stepping import Progress
from nnplay.core.settings.config import TrainConfig


class KernelSteps:
    """The compiled step of one network on one training set; with ``when_faster``, it steps only
    while the batch size makes it the faster engine (``--engine auto``)."""

    def __init__(self, kernel: Callable, when_faster: bool, net: Network, X: np.ndarray, Y: np.ndarray) -> None:
        self.kernel = kernel
        self.when_faster = when_faster
        sizes = net.sizes
        width = max(sizes)
        self.sizes = np.array(sizes, dtype=np.int64)
        w_off, b_off = net.views(np.arange(net.params.size))
        self.w_off = np.array([w.flat[0] for w in w_off], dtype=np.int64)
        self.b_off = np.array([b[0] for b in b_off], dtype=np.int64)
        codes = [ACTIVATION_CODES[name] for name in (*net.activations, net.output)]
        self.codes = np.array(codes, dtype=np.int64)
        self.buffers = tuple(np.zeros((len(sizes), width)) for _ in range(3))
        self.X = np.ascontiguousarray(X)
        self.Y = np.ascontiguousarray(Y)

    @staticmethod
    def is_faster(c: TrainConfig, n_train: int, n_weights: int) -> bool:
        """Whether the kernel trains this network's batches faster than numpy (``core.engine.kernel``)."""
        return kernel_is_faster(min(c.batch_size, n_train), n_weights)

    def can_step(self, c: TrainConfig, n_weights: int) -> bool:
        # The kernel has neither dropout nor the article's flawed rule: with either on, numpy trains.
        if c.dropout or c.backprop != "correct":
            return False
        return not self.when_faster or self.is_faster(c, len(self.X), n_weights)

    def step(
        self, n: int, net: Network, grad: np.ndarray, opt: Optimizer, c: TrainConfig, batches: BatchOrder, step: int
    ) -> Progress:
        """``n`` updates in one call of the kernel, which reshuffles ``batches.order`` in place at
        each epoch's end from ``batches.rng`` (the numpy path's ``rng.permutation``: the same stream)."""
        z, a, d = self.buffers
        done, at, epochs, t, diverged, last_lr = self.kernel(
            net.params, grad, opt.state, self.sizes, self.w_off, self.b_off, net.n_weights,
            self.codes, LOSS_CODES[net.loss_name], self.X, self.Y, batches.order, batches.rng, batches.at,
            c.batch_size, n, OPTIMIZER_CODES[opt.kind], c.lr, opt.momentum, opt.beta1, opt.beta2, opt.eps, opt.l1,
            opt.l2, opt.t, SCHEDULE_CODES[c.schedule], c.iterations, step, z, a, d,
        )  # fmt: skip
        batches.at, opt.t = at, t
        if c.schedule != "constant":
            opt.lr = last_lr
        return Progress(done, epochs, bool(diverged))
