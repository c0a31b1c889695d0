"""The article's flawed version-2 backprop, kept as a teaching option (core.engine.backprop)."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.engine.backprop import article_v2_gradient
from nnplay.core.engine.network import Network
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import ConfigError, TrainConfig
from nnplay.core.settings.presets import PRESETS


def crafted() -> tuple[Network, np.ndarray, np.ndarray]:
    """2 -> 3 sigmoid -> 1 sigmoid, one sample: the missing slopes are plain numbers."""
    net = Network([2, 3, 1], activation="sigmoid", output="sigmoid", loss="mse", init="uniform11", seed=4)
    net.biases[0][...] = [0.2, -0.1, 0.3]
    net.biases[1][...] = [0.5]
    return net, np.array([[0.7, -1.2]]), np.array([[1.0]])


def article_grads(net: Network, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    grad = np.empty_like(net.params)
    article_v2_gradient(net, X, Y, grad)
    return net.views(grad)


def test_hidden_weight_update_lacks_exactly_the_output_slope() -> None:
    net, X, Y = crafted()
    (true_w0, true_w1), (true_b0, true_b1) = net.gradients(X, Y)
    (art_w0, art_w1), (art_b0, art_b1) = article_grads(net, X, Y)
    a = net.forward(X)[0, 0]
    h = net.forward_pass(X)[1][1][0]
    output_slope = a * (1 - a)
    assert 0 < output_slope < 0.25
    # The output layer's weights keep their slope, as the article wrote them.
    np.testing.assert_allclose(art_w1, true_w1, rtol=1e-12)
    # errorsHidden[i] += W[j][i] * errorsOutput[j]: the hidden weights miss a(1 - a), nothing else.
    np.testing.assert_allclose(art_w0 * output_slope, true_w0, rtol=1e-12)
    assert not np.allclose(art_w0, true_w0)
    # The bias updates take the bare errors: the output's misses a(1 - a), the hidden's both slopes.
    np.testing.assert_allclose(art_b1 * output_slope, true_b1, rtol=1e-12)
    np.testing.assert_allclose(art_b0 * output_slope * h * (1 - h), true_b0, rtol=1e-12)


def test_the_article_code_line_for_line() -> None:
    """The JavaScript train() of version 2, transcribed loop for loop, takes the same step (with the
    hidden error from the output weights before this step's update, see core.engine.backprop)."""
    net = Network([2, 4, 4], activation="sigmoid", output="sigmoid", loss="mse", init="uniform11", seed=1)
    inputs, target, lr = [0.4, -0.8], [0.0, 1.0, 0.0, 0.0], 0.3
    W1, b1 = net.weights[0].copy(), net.biases[0].copy()
    W2, b2 = net.weights[1].copy(), net.biases[1].copy()

    def sigmoid(x: float) -> float:
        return 1 / (1 + np.exp(-x))

    hidden = [sigmoid(sum(W1[i][j] * inputs[j] for j in range(2)) + b1[i]) for i in range(4)]
    output = [sigmoid(sum(W2[i][j] * hidden[j] for j in range(4)) + b2[i]) for i in range(4)]
    errors_output = [target[i] - output[i] for i in range(4)]
    W2_before = W2.copy()
    for i in range(4):
        for j in range(4):
            W2[i][j] += lr * errors_output[i] * output[i] * (1 - output[i]) * hidden[j]
        b2[i] += lr * errors_output[i]
    for i in range(4):
        errors_hidden = sum(W2_before[j][i] * errors_output[j] for j in range(4))
        b1[i] += lr * errors_hidden
        for j in range(2):
            W1[i][j] += lr * errors_hidden * hidden[i] * (1 - hidden[i]) * inputs[j]

    grad = np.empty_like(net.params)
    article_v2_gradient(net, np.array([inputs]), np.array([target]), grad)
    stepped = net.params - lr * grad
    expected = np.concatenate([W1.ravel(), W2.ravel(), b1, b2])
    np.testing.assert_allclose(stepped, expected, rtol=1e-12, atol=1e-15)


def test_article_rule_with_dropout_off_masks_equals_no_masks() -> None:
    net, X, Y = crafted()
    plain, masked = np.empty_like(net.params), np.empty_like(net.params)
    article_v2_gradient(net, X, Y, plain)
    article_v2_gradient(net, X, Y, masked, masks=[np.ones((1, 3))])
    np.testing.assert_array_equal(plain, masked)


@pytest.mark.slow
def test_it_trains_worse_on_the_article_setup() -> None:
    """seed-v2 (the article's version 2), same seed, data and first weights: only the rule differs."""
    results = {}
    for rule in ("correct", "article-v2"):
        trainer = Trainer(PRESETS["seed-v2"].config(backprop=rule))
        assert trainer.engine == "numpy"
        trainer.step(20_000)
        results[rule] = trainer.evaluate()
    correct, flawed = results["correct"], results["article-v2"]
    assert flawed.train_loss > 3 * correct.train_loss
    assert flawed.test_accuracy < correct.test_accuracy - 0.05


def test_default_is_correct_and_the_flawed_rule_needs_mse() -> None:
    assert TrainConfig().backprop == "correct"
    for preset in PRESETS.values():
        assert preset.config().backprop == "correct"
    with pytest.raises(ConfigError) as info:
        TrainConfig(loss="cross_entropy", output="softmax", backprop="article-v2")
    assert info.value.name == "backprop"
    with pytest.raises(ConfigError):
        TrainConfig(backprop="article-v3")


def test_the_kernel_leaves_the_flawed_rule_to_numpy() -> None:
    trainer = Trainer(PRESETS["seed-v2"].config(backprop="article-v2", train_size=50))
    reference = Trainer(PRESETS["seed-v2"].config(backprop="article-v2", train_size=50))

    def no_kernel(*args, **kwargs):
        raise AssertionError("the kernel must not train the article's rule")

    trainer.use_kernel(no_kernel)
    assert trainer.engine == "numpy"
    trainer.step(300)
    reference.step(300)
    np.testing.assert_array_equal(trainer.net.params, reference.net.params)
    # Back to the correct rule (a live setting): the kernel may train again.
    trainer.apply_live_settings(trainer.config.replace(backprop="correct"))
    assert trainer.engine == "numba"
