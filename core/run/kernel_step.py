"""Optimiser updates with the compiled kernel (``core.engine.kernel``): the flat arrays it reads,
made once per network and data, and one call that makes ``n`` updates."""

from __future__ import annotations

import numpy as np

from nnplay.core.engine.kernel import BLOCK_ROWS, Kernel, kernel_is_faster
from nnplay.core.engine.kernel_codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from nnplay.core.engine.network import Network
from nnplay.core.engine.optim import Optimizer
from nnplay.core.engine.schedule import SCHEDULE_CODES
from nnplay.core.run.batch_order import BatchOrder
from nnplay.core.run.path_recorder import PathRecorder
from nnplay.core.run.stepping import Progress
from nnplay.core.settings.config import TrainConfig

PATH_BUFFER_BYTES = 1024 * 1024  # the weights after each update of a call that reaches a recorded step


class KernelSteps:
    """The compiled step of one network on one training set; with ``when_faster``, it steps only
    while the batch size makes it the faster engine (``--engine auto``)."""

    def __init__(self, kernel: Kernel, when_faster: bool, net: Network, X: np.ndarray, Y: np.ndarray) -> None:
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
        self.block_rows = BLOCK_ROWS  # rows per block of a batch of more than one sample (0: row by row)
        self.path_rows = np.zeros((max(2, min(4096, PATH_BUFFER_BYTES // (8 * net.params.size))), net.params.size))

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
        self,
        n: int,
        net: Network,
        grad: np.ndarray,
        opt: Optimizer,
        c: TrainConfig,
        batches: BatchOrder,
        step: int,
        path: PathRecorder,
    ) -> Progress:
        """``n`` updates by the kernel, the weights after each one ``path`` asks for recorded in it.
        A call that reaches a recorded step has the kernel write every update's weights into
        ``path_rows``: a call a buffer of steps, not a call a step (a call costs ~100 µs, a small
        network's update ~1 µs)."""
        rows = self.path_rows
        done = epochs = 0
        while done < n:
            if path.due - (step + done) > n - done:  # no recorded step in this call (nor ever, for a big network)
                part = self._call(n - done, net, grad, opt, c, batches, step + done, rows[:0])
            else:
                part = self._call(min(n - done, len(rows)), net, grad, opt, c, batches, step + done, rows)
                if part.diverged:  # the run goes back to its checkpoint: nothing of this call is kept
                    return Progress(done + part.done, epochs + part.epochs, True)
                start = step + done
                while start < path.due <= start + part.done:
                    path.record(path.due, rows[path.due - start - 1])
            done, epochs = done + part.done, epochs + part.epochs
            if part.diverged or not part.done:
                return Progress(done, epochs, part.diverged)
        return Progress(done, epochs, False)

    def _call(
        self,
        n: int,
        net: Network,
        grad: np.ndarray,
        opt: Optimizer,
        c: TrainConfig,
        batches: BatchOrder,
        step: int,
        path_rows: np.ndarray,
    ) -> Progress:
        """``n`` updates in one call of the kernel, which reshuffles ``batches.order`` in place at
        each epoch's end from ``batches.rng`` (the numpy path's ``rng.permutation``: the same stream)."""
        z, a, d = self.buffers
        done, at, epochs, t, diverged, last_lr = self.kernel(
            net.params, grad, opt.state, self.sizes, self.w_off, self.b_off, net.n_weights,
            self.codes, LOSS_CODES[net.loss_name], self.X, self.Y, batches.order, batches.rng, batches.at,
            c.batch_size, n, OPTIMIZER_CODES[opt.kind], c.lr, opt.momentum, opt.beta1, opt.beta2, opt.eps, opt.l1,
            opt.l2, opt.t, SCHEDULE_CODES[c.schedule], c.iterations, step, z, a, d, self.block_rows, path_rows,
        )  # fmt: skip
        batches.at, opt.t = at, t
        if c.schedule != "constant":
            opt.lr = last_lr
        return Progress(done, epochs, bool(diverged))
