"""Dropout on hidden layers and a different activation per hidden layer."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import ConfigError, TrainConfig

BASE = TrainConfig(dataset="circle", train_size=40, layers=(5, 4), activation="tanh", output="softmax",
                   loss="cross_entropy", batch_size=8, lr=0.05)  # fmt: skip


def masked_loss(t: Trainer, X: np.ndarray, Y: np.ndarray, masks: list[np.ndarray]) -> float:
    from nnplay.core.engine.losses import mean_loss

    net, a, zs = t.net, X, []
    for k, (w, b, f) in enumerate(net._plan):
        z = a @ w.T + b
        a = f(z)
        zs.append(z)
        if k < len(masks):
            a = a * masks[k]
    return mean_loss(net.output, net.loss_name, zs[-1], a, Y)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_dropout_gradient_matches_finite_differences_of_the_thinned_network(activation: str) -> None:
    t = Trainer(BASE.replace(activation=activation, dropout=0.5))
    X, Y = t.X_train[:8], t.Y_train[:8]
    rng = np.random.default_rng(1)
    # Nonzero biases: a row whose inputs are all dropped would otherwise sit exactly on relu's kink.
    for b in t.net.biases:
        b[...] = rng.uniform(0.05, 0.3, b.shape) * rng.choice([-1, 1], b.shape)
    masks = [(rng.random((8, n)) >= 0.5) / 0.5 for n in t.net.sizes[1:-1]]
    grad = np.empty_like(t.net.params)
    zs, acts = t.net.forward_pass(X, masks)
    t.net.backward(zs, acts, Y, grad, masks=masks)
    eps = 1e-6
    numeric = np.empty_like(grad)
    for i in range(len(grad)):
        old = t.net.params[i]
        t.net.params[i] = old + eps
        up = masked_loss(t, X, Y, masks)
        t.net.params[i] = old - eps
        down = masked_loss(t, X, Y, masks)
        t.net.params[i] = old
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_dropout_trains_and_changes_the_trajectory_and_is_deterministic() -> None:
    fast = BASE.replace(optimizer="adam", lr=0.02, train_size=200)
    plain, dropped, again = Trainer(fast), Trainer(fast.replace(dropout=0.2)), Trainer(fast.replace(dropout=0.2))
    for t in (plain, dropped, again):
        t.step(1500)
    assert not np.allclose(plain.net.params, dropped.net.params)
    np.testing.assert_array_equal(dropped.net.params, again.net.params)
    assert dropped.evaluate().test_accuracy > 0.8


def test_dropout_is_a_live_setting_and_the_kernel_steps_aside() -> None:
    t = Trainer(BASE)
    t.apply_live_settings(BASE.replace(dropout=0.2))
    assert t.config.dropout == 0.2
    t.kernel = object()  # any kernel: with dropout the numpy path must be used
    assert t.engine == "numpy"
    assert t.step(5) == 5


@pytest.mark.parametrize("bad", [-0.1, 0.95, float("nan"), "x"])
def test_dropout_out_of_range_is_refused(bad) -> None:
    with pytest.raises(ConfigError, match="dropout"):
        BASE.replace(dropout=bad)


def test_per_layer_activations_reach_the_network() -> None:
    t = Trainer(BASE.replace(layer_activations=("relu", "sigmoid")))
    assert t.net.activations == ["relu", "sigmoid"]
    assert Trainer(BASE).net.activations == ["tanh", "tanh"]
    assert TrainConfig(layers=(3, 3), layer_activations="relu, tanh").layer_activations == ("relu", "tanh")


@pytest.mark.parametrize("bad", [("relu",), ("relu", "tanh", "relu"), ("relu", "softplus"), "relu,,bogus"])
def test_per_layer_activations_must_fit_the_layers(bad) -> None:
    with pytest.raises(ConfigError, match="layer_activations"):
        BASE.replace(layer_activations=bad)
