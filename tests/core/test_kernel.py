"""The numba kernel must follow the numpy reference step for step."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS

kernel_module = pytest.importorskip("nnplay.core.engine.kernel")


def kernel():
    """The compiled kernel (loaded once per process)."""
    return kernel_module.load_kernel()


@pytest.fixture(autouse=True)
def kernel_loads() -> None:
    """Each test skips where the kernel cannot load. Loaded at the first test, not on import: the
    suite fills numba's cache while its workers collect (tests/kernel_cache.py)."""
    if kernel() is None:
        pytest.skip(f"numba kernel unavailable: {kernel_module.kernel_unavailable_reason()}")


def pair(config: TrainConfig) -> tuple[Trainer, Trainer]:
    reference = Trainer(config)
    fast = Trainer(config)
    fast.use_kernel(kernel())
    return reference, fast


def assert_same(reference: Trainer, fast: Trainer, rtol: float = 1e-9) -> None:
    assert (fast.step_count, fast.epoch, fast.batches.at) == (
        reference.step_count,
        reference.epoch,
        reference.batches.at,
    )
    np.testing.assert_array_equal(fast.batches.order, reference.batches.order)
    np.testing.assert_allclose(fast.net.params, reference.net.params, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(fast.optimizer.state, reference.optimizer.state, rtol=rtol, atol=1e-12)
    assert fast.optimizer.t == reference.optimizer.t
    assert fast.rng.bit_generator.state == reference.rng.bit_generator.state  # the same random stream


BASE = TrainConfig(dataset="circle", train_size=60, test_ratio=0.5, layers=(5, 4), lr=0.05, batch_size=7)


@pytest.mark.parametrize(
    ("activation", "output", "loss"),
    [
        (act, out, loss)
        for act, (out, loss) in itertools.product(
            ("sigmoid", "tanh", "relu", "leaky_relu", "linear"),
            (("sigmoid", "mse"), ("softmax", "mse"), ("tanh", "mse"), ("linear", "mse"),
             ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy")),
        )
    ],
)  # fmt: skip
def test_every_activation_output_and_loss_follows_numpy(activation: str, output: str, loss: str) -> None:
    reference, fast = pair(BASE.replace(activation=activation, output=output, loss=loss, lr=0.01))
    for n in (1, 5, 40):  # several calls: epoch boundaries fall inside and between them
        assert reference.step(n) == fast.step(n)
        assert_same(reference, fast)


@pytest.mark.parametrize(
    "changes",
    [
        {"optimizer": "sgd"},
        {"optimizer": "momentum", "momentum": 0.8},
        {"optimizer": "adam", "lr": 0.01},
        {"l1": 0.01, "l2": 0.05},
        {"optimizer": "adam", "l2": 0.01, "schedule": "cosine"},
        {"schedule": "step", "iterations": 40},
        {"batch_size": 1},
        {"batch_size": 1000},  # larger than the set: full batch every step, no reshuffle
        {"layers": ()},
        {"layers": (3, 3, 3, 3)},
    ],
)
def test_optimisers_regularisers_schedules_and_batches_follow_numpy(changes: dict) -> None:
    reference, fast = pair(BASE.replace(**changes))
    assert reference.step(123) == fast.step(123) == 123
    assert_same(reference, fast)


@pytest.mark.slow
def test_article_presets_follow_numpy_to_the_end() -> None:
    for name in ("seed-v1", "seed-v2"):
        config = PRESETS[name].config()
        reference, fast = pair(config)
        reference.step(config.iterations)
        fast.step(config.iterations)
        assert_same(reference, fast, rtol=1e-7)
        assert fast.evaluate().test_accuracy == reference.evaluate().test_accuracy


def test_divergence_is_detected_at_the_same_step() -> None:
    config = TrainConfig(dataset="reg-plane", layers=(), output="linear", loss="mse", lr=50, batch_size=10)
    reference, fast = pair(config)
    assert reference.step(500) == fast.step(500) < 500
    assert fast.diverged_at == reference.diverged_at is not None
    assert np.isfinite(fast.net.params).all()
    assert "diverged" in fast.message
    assert fast.step(10) == 0


def test_live_learning_rate_change_reaches_the_kernel() -> None:
    reference, fast = pair(BASE)
    reference.step(10)
    fast.step(10)
    new = BASE.replace(lr=0.3, optimizer="momentum")
    reference.apply_live_settings(new)
    fast.apply_live_settings(new)
    reference.step(25)
    fast.step(25)
    assert_same(reference, fast)


# Batch 1, plain SGD, no regulariser goes through the kernel's per-sample fast path.
PER_SAMPLE = BASE.replace(batch_size=1, optimizer="sgd", l1=0.0, l2=0.0)


@pytest.mark.parametrize(
    ("activation", "output", "loss"),
    [
        (act, out, loss)
        for act, (out, loss) in itertools.product(
            ("sigmoid", "tanh", "relu", "leaky_relu", "linear"),
            (("sigmoid", "mse"), ("softmax", "mse"), ("tanh", "mse"), ("linear", "mse"),
             ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy")),
        )
    ],
)  # fmt: skip
def test_per_sample_fast_path_follows_numpy(activation: str, output: str, loss: str) -> None:
    reference, fast = pair(PER_SAMPLE.replace(activation=activation, output=output, loss=loss, lr=0.05))
    for n in (1, 5, 40, 70):  # 30 training points: epoch ends inside and between calls
        assert reference.step(n) == fast.step(n) == n
        assert_same(reference, fast)


@pytest.mark.parametrize("changes", [{"schedule": "cosine", "iterations": 90}, {"schedule": "step", "iterations": 90},
                                     {"layers": ()}, {"layers": (9, 3, 5)}])  # fmt: skip
def test_per_sample_fast_path_schedules_and_shapes_follow_numpy(changes: dict) -> None:
    reference, fast = pair(PER_SAMPLE.replace(**changes))
    assert reference.step(123) == fast.step(123) == 123
    assert_same(reference, fast)


def test_per_sample_divergence_is_detected_at_the_same_step() -> None:
    config = TrainConfig(dataset="reg-plane", layers=(), output="linear", loss="mse", lr=50, batch_size=1)
    reference, fast = pair(config)
    assert reference.step(500) == fast.step(500) < 500
    assert fast.diverged_at == reference.diverged_at is not None
    assert np.isfinite(fast.net.params).all()
    np.testing.assert_array_equal(fast.net.params, reference.net.params)  # both back at the checkpoint
    assert fast.step(10) == 0


ARTICLE_V1_DATA = {"dataset": "quadrants-centres", "train_size": 4, "layers": ()}


def test_per_sample_kernel_trains_on_with_a_huge_weight_short_of_divergence() -> None:
    """A weight of 9e29 leaves the parameters' norm under 1e30: no divergence, in both engines,
    though the kernel then has to check the exact norm after every update."""
    reference, fast = pair(PER_SAMPLE.replace(lr=0.001))
    for trainer in (reference, fast):
        trainer.set_parameter(0, 9e29)
    assert reference.step(50) == fast.step(50) == 50
    assert fast.diverged_at is None is reference.diverged_at
    assert_same(reference, fast)


@pytest.mark.parametrize("changes", [{"batch_size": 1}, {"batch_size": 7}, {"batch_size": 1, **ARTICLE_V1_DATA}])
def test_many_epochs_train_in_one_call_of_the_kernel(changes: dict) -> None:
    """The kernel reshuffles at each epoch's end itself, as numpy's generator would: it does not
    return to Python per epoch (on the article's 4 points that was once every 4 updates)."""
    calls = []

    def counting_kernel(*args):
        calls.append(args)
        return kernel()(*args)

    reference, fast = pair(BASE.replace(**changes))
    fast.use_kernel(counting_kernel)
    assert reference.step(500) == fast.step(500) == 500
    assert len(calls) == 1
    assert fast.epoch == reference.epoch >= 8
    assert_same(reference, fast)


def test_the_kernel_compiles_the_trainers_schedule() -> None:
    from nnplay.core.engine.kernel_numba import scheduled_lr_compiled
    from nnplay.core.engine.schedule import SCHEDULE_CODES, scheduled_lr

    for code in SCHEDULE_CODES.values():
        for step in (0, 1, 249, 250, 251, 999, 1000, 5000):
            assert scheduled_lr_compiled(0.7, code, step, 1000) == scheduled_lr(0.7, code, step, 1000)


def test_sigmoid_exp_is_within_an_ulp_of_libm() -> None:
    from nnplay.core.engine.kernel_numba import exp_neg

    rng = np.random.default_rng(0)
    xs = -np.concatenate([rng.uniform(0, 1, 2000), rng.uniform(0, 40, 2000), rng.uniform(0, 708, 2000), [0.0, 5e-324]])
    got = np.array([exp_neg(x) for x in xs])
    want = np.exp(xs)
    assert (np.abs(got - want) <= np.spacing(want)).all()
    assert exp_neg(-1000.0) == pytest.approx(math.exp(-708.0))


def test_tanh_is_within_a_few_ulp_of_numpy_and_keeps_nan() -> None:
    from nnplay.core.engine.kernel_numba import tanh

    rng = np.random.default_rng(1)
    xs = np.concatenate([rng.normal(0, 2, 4000), np.logspace(-320, 3, 2000), -np.logspace(-20, 3, 500),
                         [0.0, -0.0, 5e-324, 0.35, 0.55, 19.0, 30.0, 800.0, -800.0, np.inf, -np.inf]])  # fmt: skip
    got = np.array([tanh(x) for x in xs])
    want = np.tanh(xs)
    assert (np.abs(got - want) <= 4 * np.spacing(np.abs(want))).all()
    assert math.copysign(1.0, tanh(-0.0)) == -1.0
    assert math.isnan(tanh(math.nan))


# The blocked path (a batch of more than one sample, ``blocked_gradient``): its sums go block by
# block, so they follow numpy to rounding, at every block boundary and in a last, shorter block.
BLOCKED = BASE.replace(train_size=60, layers=(6, 5))


@pytest.mark.parametrize(("block", "batch"), [(4, 8), (4, 7), (5, 60), (7, 60), (16, 60), (64, 60), (1, 9), (60, 60)])
def test_blocked_path_follows_numpy_at_block_boundaries(block: int, batch: int) -> None:
    reference, fast = pair(BLOCKED.replace(batch_size=batch))
    fast.kernel_steps.block_rows = block
    for n in (1, 4, 17):  # epoch ends inside and between calls; 60 = the whole set
        assert reference.step(n) == fast.step(n) == n
        assert_same(reference, fast)


@pytest.mark.parametrize(
    ("activation", "output", "loss"),
    [("sigmoid", "softmax", "mse"), ("relu", "sigmoid", "cross_entropy"), ("leaky_relu", "tanh", "mse"),
     ("linear", "linear", "mse"), ("tanh", "softmax", "cross_entropy"), ("tanh", "sigmoid", "mse")],
)  # fmt: skip
def test_blocked_path_follows_numpy_for_every_layer_kind(activation: str, output: str, loss: str) -> None:
    reference, fast = pair(BLOCKED.replace(batch_size=23, activation=activation, output=output, loss=loss))
    fast.kernel_steps.block_rows = 8
    assert reference.step(30) == fast.step(30) == 30
    assert_same(reference, fast)


@pytest.mark.parametrize("layers", [(), (9,), (4, 13, 3), (17, 17)])
@pytest.mark.parametrize("block", [3, 32, 128])
def test_blocked_gradient_equals_numpys_on_the_whole_set(layers: tuple[int, ...], block: int) -> None:
    """One gradient over every training row (whole set, 53 rows: no block size divides it),
    summed block by block, against numpy's gradient of the mean loss, to rounding."""
    from nnplay.core.engine.kernel_codes import LOSS_CODES
    from nnplay.core.engine.kernel_numba import blocked_gradient

    trainer = Trainer(BLOCKED.replace(train_size=53, layers=layers, batch_size=1000))
    trainer.use_kernel(kernel())
    net, k = trainer.net, trainer.kernel_steps
    rows = np.random.default_rng(3).permutation(len(trainer.X_train))
    assert len(rows) == 53
    grad = np.zeros_like(net.params)
    width, depth = max(net.sizes), len(net.sizes)
    blocked_gradient(
        net.params, grad, k.sizes, k.w_off, k.b_off, k.codes, LOSS_CODES[net.loss_name], k.X, k.Y, rows,
        np.empty((depth, width, block)), np.empty((depth, width, block)), np.empty((2, width, block)),
        np.empty((2, block)),
    )  # fmt: skip
    want = np.empty_like(net.params)
    zs, acts = net.forward_pass(trainer.X_train)
    net.backward(zs, acts, trainer.Y_train, want)
    np.testing.assert_allclose(grad / len(rows), want, rtol=1e-12, atol=1e-14)
