"""SGD, momentum and Adam on a flat parameter vector, with PyTorch's update conventions.

- sgd:      w -= lr * g
- momentum: v = mu * v + g;  w -= lr * v                (torch.optim.SGD(momentum=mu))
- adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
            w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)   (torch.optim.Adam)

L2 adds ``l2 * w`` and L1 adds ``l1 * sign(w)`` to the gradient of the weights only (the
first ``n_weights`` entries); biases are not regularised. Hyper-parameters are plain
attributes, so the learning rate can change between steps without touching the state.
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    def __init__(
        self,
        kind: str,
        n_params: int,
        n_weights: int,
        lr: float = 0.01,
        momentum: float = 0.9,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        l1: float = 0.0,
        l2: float = 0.0,
    ) -> None:
        if kind not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {kind!r}; allowed: {', '.join(OPTIMIZERS)}")
        self.kind = kind
        self.n_weights = n_weights
        self.lr, self.momentum = lr, momentum
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.l1, self.l2 = l1, l2
        # Row 0: momentum velocity or Adam's first moment; row 1: Adam's second moment.
        self.state = np.zeros((2, n_params), dtype=np.float64)
        self.t = 0
        self._scratch = np.empty(n_params, dtype=np.float64)

    def regularise(self, params: np.ndarray, grad: np.ndarray) -> None:
        w, g = params[: self.n_weights], grad[: self.n_weights]
        if self.l2:
            g += self.l2 * w
        if self.l1:
            g += self.l1 * np.sign(w)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Update ``params`` in place from ``grad`` (which may be modified)."""
        self.regularise(params, grad)
        self.t += 1
        if self.kind == "sgd":
            grad *= self.lr
            params -= grad
        elif self.kind == "momentum":
            v = self.state[0]
            if self.t == 1:
                # PyTorch starts the buffer at the first gradient, not at mu * 0 + g.
                np.copyto(v, grad)
            else:
                v *= self.momentum
                v += grad
            np.multiply(v, self.lr, out=self._scratch)
            params -= self._scratch
        else:
            m, v, s = self.state[0], self.state[1], self._scratch
            b1, b2 = self.beta1, self.beta2
            m *= b1
            m += (1.0 - b1) * grad
            v *= b2
            np.multiply(grad, grad, out=grad)
            grad *= 1.0 - b2
            v += grad
            bias1 = 1.0 - b1**self.t
            bias2 = 1.0 - b2**self.t
            np.sqrt(v, out=s)
            s *= 1.0 / math.sqrt(bias2)
            s += self.eps
            np.divide(m, s, out=s)
            s *= self.lr / bias1
            params -= s

    def reset(self) -> None:
        self.state[...] = 0.0
        self.t = 0
