"""Explain-one-step must show exactly the gradients the engine uses."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnplay.core import Network
from nnplay.core.teaching.explain import explain_step

COMBOS = [("sigmoid", "mse"), ("softmax", "mse"), ("tanh", "mse"), ("linear", "mse"),
          ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy")]  # fmt: skip


@pytest.mark.parametrize(("activation", "combo"), itertools.product(("sigmoid", "tanh", "relu", "linear"), COMBOS))
def test_explained_gradients_equal_the_engines(activation: str, combo: tuple[str, str]) -> None:
    output, loss = combo
    net = Network([3, 5, 4, 3], activation=activation, output=output, loss=loss, seed=3)
    x = np.array([0.4, -0.7, 0.2])
    t = np.array([0.0, 1.0, 0.0])
    ex = explain_step(net, x, t)
    dW, db = net.gradients(x.reshape(1, -1), t.reshape(1, -1))
    for k in range(3):
        np.testing.assert_allclose(ex.weight_grads[k], dW[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ex.bias_grads[k], db[k], rtol=1e-12, atol=1e-15)
    assert ex.loss == pytest.approx(net.loss(x.reshape(1, -1), t.reshape(1, -1)))
    np.testing.assert_allclose(ex.activations[-1], net.forward(x.reshape(1, -1))[0])
    np.testing.assert_allclose(ex.error, ex.activations[-1] - t)


def test_the_output_rule_names_the_derivative_the_article_dropped() -> None:
    net = Network([2, 4, 4], activation="sigmoid", output="sigmoid", loss="mse", seed=0)
    ex = explain_step(net, np.array([0.5, 0.5]), np.array([1.0, 0, 0, 0]))
    assert "a(1 - a)" in ex.output_rule(net) and "version 2" in ex.output_rule(net)
    # The article's v2 used (t - a) without the slope: a different, wrong delta.
    a = ex.activations[-1]
    wrong = a - ex.target
    assert not np.allclose(ex.deltas[-1], wrong)
    np.testing.assert_allclose(ex.deltas[-1], wrong * a * (1 - a))
