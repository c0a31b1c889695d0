"""One training step for one sample, number by number: the backprop the article got wrong.

``explain_step`` returns every intermediate value of a forward and backward pass for a
single sample; ``Network.gradients`` computes the same thing in bulk, and the tests
check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.engine.activations import HIDDEN
from nnplay.core.engine.losses import mean_loss, output_delta
from nnplay.core.engine.network import Network

DERIVATIVE_TEXT = {
    "sigmoid": "a(1 - a)",
    "tanh": "1 - a²",
    "relu": "1 if z > 0 else 0",
    "leaky_relu": "1 if z > 0 else 0.01",
    "linear": "1",
}


@dataclass(frozen=True, eq=False)
class StepExplanation:
    inputs: np.ndarray  # the feature vector a_0
    target: np.ndarray
    zs: list[np.ndarray]  # pre-activations of layers 1..L
    activations: list[np.ndarray]  # a_0..a_L
    loss: float
    error: np.ndarray  # a_L - t
    deltas: list[np.ndarray]  # dL/dz for layers 1..L
    weight_grads: list[np.ndarray]  # outer(delta_k, a_{k-1})
    bias_grads: list[np.ndarray]

    def output_rule(self, net: Network) -> str:
        """The formula that turns the output error into the output delta, for this output and loss."""
        if net.loss_name == "cross_entropy":
            return "δ_L = a_L − t   (softmax or sigmoid with cross-entropy: the slopes cancel)"
        if net.output == "softmax":
            return "δ_L = a ⊙ ((a − t) − ⟨a, a − t⟩)   (softmax Jacobian times the error)"
        rule = DERIVATIVE_TEXT[net.output]
        return f"δ_L = (a_L − t) ⊙ f'(z_L),  f'(z) = {rule}   ← the factor the article's version 2 dropped"

    def hidden_rule(self, net: Network, layer: int) -> str:
        rule = DERIVATIVE_TEXT[net.activations[layer - 1]]
        return f"δ_{layer} = (W_{layer + 1}ᵀ δ_{layer + 1}) ⊙ f'(z_{layer}),  f'(z) = {rule}"


def explain_step(net: Network, inputs: np.ndarray, target: np.ndarray) -> StepExplanation:
    """Forward and backward pass of one sample (``inputs`` already through the feature transform)."""
    X = np.asarray(inputs, dtype=np.float64).reshape(1, -1)
    Y = np.asarray(target, dtype=np.float64).reshape(1, -1)
    zs, acts = net.forward_pass(X)
    loss = mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y)
    delta = output_delta(net.output, net.loss_name, zs[-1], acts[-1], Y)
    deltas = [delta[0]]
    for k in range(len(net.weights) - 1, 0, -1):
        delta = (delta @ net.weights[k]) * HIDDEN[net.activations[k - 1]][1](zs[k - 1], acts[k])
        deltas.insert(0, delta[0])
    weight_grads = [np.outer(d, a[0]) for d, a in zip(deltas, acts[:-1], strict=True)]
    return StepExplanation(
        inputs=X[0],
        target=Y[0],
        zs=[z[0] for z in zs],
        activations=[a[0] for a in acts],
        loss=loss,
        error=acts[-1][0] - Y[0],
        deltas=deltas,
        weight_grads=weight_grads,
        bias_grads=list(deltas),
    )
