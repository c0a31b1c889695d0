"""Backprop rules a run can train with: the correct one, and the article's flawed version 2.

The article's version 2 sent the output *error* back to the hidden layer, not the output
*delta*::

    errorsHidden[i] += weightsHiddenToOutput[j][i] * errorsOutput[j]

so the hidden layer's error lacks the output sigmoid's slope ``a(1 - a)``. Its updates
used the slopes only where it wrote them: each weight update multiplies its layer's error
by that layer's own slope, and each bias update takes the error alone
(``biasOutput[i] += lr * errorsOutput[i]``, ``biasHidden[i] += lr * errorsHidden[i]``).
``article_v2_gradient`` is that update, as a gradient-shaped vector (the optimiser
subtracts it): with one hidden layer it is the article's code line for line; with none,
the article's version 1; deeper layers repeat the same pattern. Kept to teach with: a
learner sees it train worse than the correct rule from the same first weights. Never a
default. One order differs from the JavaScript: it computed the hidden error with the output
weights it had just updated; here both layers' updates come from the weights before the step
(as in any backprop), which differs from the article's by a term of order lr².
"""

from __future__ import annotations

import numpy as np

from nnplay.core.engine.activations import HIDDEN
from nnplay.core.engine.losses import output_delta
from nnplay.core.engine.network import Network

BACKPROP = ("correct", "article-v2")
# Shown wherever the flawed rule is in force (status line, panel, help texts).
FLAWED_LABEL = "FLAWED backprop: the article's v2 (output slope dropped)"
# The panel's names for the choices: the flawed one says so.
BACKPROP_LABELS = {"correct": "correct", "article-v2": "v2 FLAWED"}  # fits the narrow panel
BACKPROP_HELP = (
    "backprop rule: correct, or article-v2 = the article's FLAWED version 2 (the hidden error is "
    "the output error without the output sigmoid's slope; bias updates skip the slopes; needs loss mse)"
)


def article_v2_gradient(
    net: Network, X: np.ndarray, Y: np.ndarray, grad: np.ndarray, masks: list[np.ndarray] | None = None
) -> None:
    """Write the article's version-2 update direction for the batch (X, Y) into ``grad``
    (laid out like ``net.params``, averaged over the batch like ``Network.backward``).
    ``masks`` (one per hidden layer) thin the hidden layers as inverted dropout does."""
    zs, acts = net.forward_pass(X, masks)
    g_w, g_b = net.views(grad)
    last = len(net.weights) - 1
    error = acts[-1] - Y  # the article's errorsOutput (with the sign the optimiser subtracts)
    for k in range(last, -1, -1):
        if k == last:
            slope_times_error = output_delta(net.output, net.loss_name, zs[k], acts[k + 1], Y)
        else:
            f, df = HIDDEN[net.activations[k]]
            slope_times_error = error * df(zs[k], f(zs[k]))
        np.matmul(slope_times_error.T, acts[k], out=g_w[k])
        error.sum(axis=0, out=g_b[k])  # the bias update takes the error without its slope
        if k:
            # The flaw: the error goes back through the weights without this layer's slope.
            error = error @ net.weights[k]
            if masks is not None:
                error *= masks[k - 1]
    grad *= 1.0 / len(X)
