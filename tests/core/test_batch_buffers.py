"""The numpy engine's step writes into arrays made once (``core.engine.batch_buffers``): the updates are
the ones ``Network.gradients`` gives for the batch's rows, bit for bit, for every activation and
output, with a short last batch; the whole set is used where it lies; and a step on a big batch
makes no arrays the size of the batch."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from nnplay.core.engine.batch_buffers import BatchBuffers
from nnplay.core.engine.network import Network
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig

RUNS = [
    ("tanh", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "cross_entropy"),
    ("relu", "softmax", "mse"),
    ("leaky_relu", "linear", "mse"),
    ("linear", "tanh", "mse"),
]


def flat_grad(net: Network, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    dW, db = net.gradients(X, Y)
    return np.concatenate([w.ravel() for w in dW] + [b.ravel() for b in db])


@pytest.mark.parametrize(("activation", "output", "loss"), RUNS)
def test_each_update_is_the_gradient_of_its_rows_bit_for_bit(activation: str, output: str, loss: str) -> None:
    config = TrainConfig(
        dataset="quadrants", train_size=100, layers=(6, 5), activation=activation, output=output, loss=loss,
        optimizer="sgd", lr=0.1, batch_size=30, seed=4,
    )  # fmt: skip
    t = Trainer(config)
    for _ in range(9):  # over two epochs: batches of 30, 30, 30 and the short one of 10
        idx = t.batches.order[t.batches.at : t.batches.at + 30].copy()
        before = t.net.copy()
        t.step(1)
        expected = before.params - 0.1 * flat_grad(before, t.X_train[idx], t.Y_train[idx])
        np.testing.assert_array_equal(t.net.params, expected)


def test_the_whole_set_is_used_where_it_lies() -> None:
    t = Trainer(
        TrainConfig(
            dataset="circle", train_size=300, layers=(4,), optimizer="sgd", lr=0.5, batch_size=300, schedule="constant"
        )
    )
    before = t.net.copy()  # before the spy: a copy would carry it
    seen: list[np.ndarray] = []
    forward = t.net.forward_pass

    def spy(X: np.ndarray, *args, **kwargs):
        seen.append(X)
        return forward(X, *args, **kwargs)

    t.net.forward_pass = spy  # type: ignore[method-assign]
    t.step(1)
    assert seen[0] is t.X_train  # not a copy in the batch order
    expected = before.params - 0.5 * flat_grad(before, t.X_train, t.Y_train)
    np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("batch", [10_000, 20_000])
def test_a_big_batch_step_makes_no_batch_sized_arrays(batch: int) -> None:
    config = TrainConfig(
        dataset="circle", train_size=20_000, layers=(8, 8), activation="tanh", output="softmax",
        loss="cross_entropy", optimizer="adam", batch_size=batch,
    )  # fmt: skip
    t = Trainer(config)
    t.step(2)  # the buffers are made at the first step
    tracemalloc.start()
    try:
        t.step(3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_layer = batch * 8 * 8  # bytes of one hidden layer's activations
    assert peak < one_layer, f"a step allocated {peak:,} bytes (one layer's activations: {one_layer:,})"


def test_buffers_of_a_shorter_batch_are_views_of_the_first_rows() -> None:
    buffers = BatchBuffers([2, 3, 2], 5, rows_sum_to_one=True)
    short = buffers.rows(2)
    assert short.capacity == 2 and buffers.rows(2) is short
    assert np.shares_memory(short.z[0], buffers.z[0]) and short.z[0].shape == (2, 3)
    with pytest.raises(ValueError, match="a batch of 6 rows does not fit buffers of 5"):
        buffers.rows(6)
