"""Losses computed from the output layer's pre-activations (logits), so logs never see 0.

Per-sample losses (the network averages them over the batch):
- ``mse``: ``0.5 * sum_k (out_k - t_k)^2``
- ``cross_entropy``: softmax output: ``-sum_k t_k log p_k``; sigmoid output: binary
  cross-entropy summed over the outputs.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.engine.activations import OUTPUT_DERIVATIVES
from nnplay.core.engine.row_reductions import row_max, row_sum

LOSSES = ("mse", "cross_entropy")
# Cross-entropy needs outputs that are probabilities.
CROSS_ENTROPY_OUTPUTS = ("sigmoid", "softmax")


def check_pair(output: str, loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; allowed: {', '.join(LOSSES)}")
    if loss == "cross_entropy" and output not in CROSS_ENTROPY_OUTPUTS:
        raise ValueError(
            f"loss 'cross_entropy' needs a sigmoid or softmax output, not {output!r}; "
            "use loss 'mse' for tanh or linear outputs"
        )


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - row_max(z)[:, np.newaxis]
    return shifted - np.log(row_sum(np.exp(shifted)))[:, np.newaxis]


def mean_loss(output: str, loss: str, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> float:
    """Mean over samples of the per-sample loss; ``z`` logits, ``a`` activations, ``t`` targets."""
    n = z.shape[0]
    if loss == "mse":
        diff = a - t
        return float(0.5 * np.einsum("ij,ij->", diff, diff) / n)
    if output == "softmax":
        return float(-np.einsum("ij,ij->", t, _log_softmax(z)) / n)
    # log(sigmoid(z)) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z), both stable.
    total = t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)
    return float(total.sum() / n)


def mean_losses(output: str, loss: str, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``mean_loss`` of many networks at once: ``z`` and ``a`` are (networks, samples, outputs), ``t``
    the targets (samples, outputs) they share; returns (networks,). The same per-sample losses as
    ``mean_loss``, summed in another order (equal to it within rounding)."""
    g, n, k = z.shape
    if loss == "mse":
        diff = a - t
        per = 0.5 * np.einsum("gij,gij->g", diff, diff)
    elif output == "softmax":
        per = -np.einsum("ij,gij->g", t, _log_softmax(z.reshape(g * n, k)).reshape(g, n, k))
    else:
        per = (t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)).sum(axis=(1, 2))
    return per / n


def output_delta(
    output: str,
    loss: str,
    z: np.ndarray,
    a: np.ndarray,
    t: np.ndarray,
    out: np.ndarray | None = None,
    rows_sum_to_one: bool = False,
) -> np.ndarray:
    """Per-sample dL/dz at the output layer (not yet divided by the batch size).

    ``out`` (which may be ``a``) receives the cross-entropy deltas, the ones a training step
    computes in place; ``rows_sum_to_one`` says every row of ``t`` sums to exactly 1 (one-hot
    targets), so that softmax + cross-entropy is one subtraction."""
    if loss == "cross_entropy":
        if output == "softmax" and not rows_sum_to_one:
            # -sum_k t_k log p_k differentiates to p * sum(t) - t, i.e. p - t for one-hot rows.
            return a * t.sum(axis=1, keepdims=True) - t
        # Sigmoid + binary cross-entropy collapses to p - t for any targets in [0, 1]; softmax
        # to p * 1 - t, the same value, for targets whose rows sum to 1.
        return np.subtract(a, t, out=out)
    v = a - t
    if output == "softmax":
        # Jacobian-vector product of softmax: a * (v - <a, v>).
        return a * (v - np.einsum("ij,ij->i", a, v)[:, None])
    return v * OUTPUT_DERIVATIVES[output](z, a)
