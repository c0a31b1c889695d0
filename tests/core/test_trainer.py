"""``core.run.trainer``: batching, epochs, determinism, history, snapshots, live settings,
schedules, divergence, stop conditions, regression metrics and the presets' goals.

Updates are checked against ``Network.gradients`` (verified independently in
test_gradients.py) and plain formulas, not against the trainer's own code paths.
"""

from __future__ import annotations

import functools
import math
import tracemalloc
import warnings

import numpy as np
import pytest

from nnplay.core.data.datasets import Dataset
from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.network import Network
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import HISTORY_CAPACITY, HISTORY_FIELDS, RingBuffer, Trainer, targets_for
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS

SMALL = TrainConfig(dataset="quadrants", train_size=100, layers=(5,), lr=0.3, batch_size=10, seed=3)


def flat_grad(net: Network, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The gradient laid out like ``params``: every weight matrix row-major, then every bias."""
    dW, db = net.gradients(X, Y)
    return np.concatenate([w.ravel() for w in dW] + [b.ravel() for b in db])


def spy_batches(trainer: Trainer) -> list[np.ndarray]:
    """Record the input rows of every forward pass (only steps, as long as nobody evaluates)."""
    batches: list[np.ndarray] = []
    forward = trainer.net.forward_pass

    def spy(X: np.ndarray, *args, **kwargs):
        batches.append(np.array(X, copy=True))
        return forward(X, *args, **kwargs)

    trainer.net.forward_pass = spy  # type: ignore[method-assign]
    return batches


def clone(net: Network) -> Network:
    """A copy of the network as it is now, without any spy installed on the original."""
    other = net.copy()
    other.__dict__.pop("forward_pass", None)
    return other


def row_indices(trainer: Trainer, batch: np.ndarray) -> list[int]:
    """Which training rows a batch holds (the generated points are all distinct)."""
    where = {tuple(row): i for i, row in enumerate(trainer.X_train)}
    assert len(where) == len(trainer.X_train)
    return [where[tuple(row)] for row in batch]


# --------------------------------------------------------------------------- step and batches


def test_step_performs_exactly_n_updates():
    t = Trainer(SMALL)
    batches = spy_batches(t)
    assert t.step(7) == 7
    assert t.step_count == 7 and t.optimizer.t == 7 and len(batches) == 7
    assert t.step(0) == 0 and t.step_count == 7
    assert t.step() == 1 and t.step_count == 8 and len(batches) == 8


def test_batch_size_one_is_one_sample_per_update():
    t = Trainer(SMALL.replace(batch_size=1, train_size=20, optimizer="sgd", lr=0.5))
    batches = spy_batches(t)
    before = clone(t.net)
    t.step(1)
    assert batches[0].shape == (1, 2)
    (i,) = row_indices(t, batches[0])
    expected = before.params - 0.5 * flat_grad(before, t.X_train[i : i + 1], t.Y_train[i : i + 1])
    np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)
    # ...and it is not the full-batch update
    full = before.params - 0.5 * flat_grad(before, t.X_train, t.Y_train)
    assert not np.allclose(t.net.params, full)
    # 20 per-sample updates visit each of the 20 training points once.
    t.step(19)
    assert all(b.shape == (1, 2) for b in batches)
    assert sorted(i for b in batches for i in row_indices(t, b)) == list(range(20))
    assert t.epoch == 1


def test_minibatch_update_is_the_mean_gradient_of_its_rows():
    t = Trainer(SMALL.replace(optimizer="sgd", lr=0.7))
    batches = spy_batches(t)
    t.step(3)
    before = clone(t.net)
    t.step(1)
    idx = row_indices(t, batches[-1])
    assert len(idx) == 10
    expected = before.params - 0.7 * flat_grad(before, t.X_train[idx], t.Y_train[idx])
    np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)


def test_epochs_100_points_batch_10_is_10_updates_per_epoch():
    t = Trainer(SMALL)
    assert len(t.X_train) == 100
    batches = spy_batches(t)
    assert t.steps_to_epoch_end() == 10
    t.step(3)
    assert t.steps_to_epoch_end() == 7
    t.step(6)
    assert t.epoch == 0
    t.step(1)
    assert t.epoch == 1
    t.step(15)
    assert t.epoch == 2 and t.step_count == 25
    t.step(5)
    assert t.epoch == 3
    epochs = [batches[k : k + 10] for k in (0, 10, 20)]
    orders = []
    for epoch in epochs:
        assert all(len(b) == 10 for b in epoch)
        order = [i for b in epoch for i in row_indices(t, b)]
        assert sorted(order) == list(range(100))  # every point exactly once per epoch
        orders.append(order)
    assert orders[0] != orders[1] != orders[2]  # reshuffled every epoch


def test_uneven_epoch_ends_with_a_short_batch():
    t = Trainer(SMALL.replace(batch_size=30))
    batches = spy_batches(t)
    assert t.steps_to_epoch_end() == 4
    t.step(3)
    assert t.epoch == 0
    t.step(1)
    assert t.epoch == 1
    assert [len(b) for b in batches] == [30, 30, 30, 10]
    assert sorted(i for b in batches for i in row_indices(t, b)) == list(range(100))


def test_batch_larger_than_the_set_is_full_batch_every_step():
    t = Trainer(SMALL.replace(train_size=30, batch_size=1000, optimizer="sgd", lr=0.4))
    batches = spy_batches(t)
    assert t.steps_to_epoch_end() == 1
    for k in range(1, 4):
        before = clone(t.net)
        t.step(1)
        assert sorted(row_indices(t, batches[-1])) == list(range(30))
        assert t.epoch == k
        expected = before.params - 0.4 * flat_grad(before, t.X_train, t.Y_train)
        np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- determinism


DET = TrainConfig(
    dataset="circle",
    train_size=60,
    layers=(5, 4),
    activation="tanh",
    optimizer="adam",
    lr=0.05,
    batch_size=7,
    noise=0.2,
    seed=11,
)


def test_same_config_gives_identical_params():
    a, b = Trainer(DET), Trainer(DET)
    np.testing.assert_array_equal(a.net.params, b.net.params)
    a.step(200)
    b.step(150)
    b.step(50)
    np.testing.assert_array_equal(a.net.params, b.net.params)
    ma, mb = a.evaluate(), b.evaluate()
    assert (ma.train_loss, ma.test_loss, ma.test_accuracy) == (mb.train_loss, mb.test_loss, mb.test_accuracy)
    c = Trainer(DET.replace(seed=12))
    c.step(200)
    assert not np.array_equal(a.net.params, c.net.params)


def test_restart_replays_the_identical_trajectory():
    t = Trainer(DET)
    initial = t.net.params.copy()
    first = []
    for k in range(30):
        t.step(1)
        if k % 7 == 0:
            t.evaluate()
        first.append(t.net.params.copy())
    assert not np.array_equal(first[-1], initial)
    t.restart()
    np.testing.assert_array_equal(t.net.params, initial)
    np.testing.assert_array_equal(t.net.params, Trainer(DET).net.params)
    assert (t.step_count, t.epoch, t.optimizer.t) == (0, 0, 0)
    assert np.all(t.optimizer.state == 0.0)
    assert len(t.history.rows()) == 0
    for k in range(30):
        t.step(1)
        np.testing.assert_array_equal(t.net.params, first[k])


def test_restart_with_given_params():
    t = Trainer(DET)
    t.step(20)
    mid = t.net.params.copy()
    t.restart(mid)
    np.testing.assert_array_equal(t.net.params, mid)
    assert t.step_count == 0
    t.restart()
    np.testing.assert_array_equal(t.net.params, t.initial_params)


# --------------------------------------------------------------------------- history


def test_ring_buffer_keeps_the_newest_rows_oldest_first():
    ring = RingBuffer(5, 2)
    data = ring.data
    for k in range(3):
        ring.append((k, 10 * k))
    np.testing.assert_array_equal(ring.rows(), [[0, 0], [1, 10], [2, 20]])
    for k in range(3, 12):
        ring.append((k, 10 * k))
    np.testing.assert_array_equal(ring.rows(), [[k, 10 * k] for k in range(7, 12)])
    assert ring.data is data and data.shape == (5, 2)
    ring.append((12, 120))  # exactly a multiple of the capacity afterwards, too
    ring.append((13, 130))
    ring.append((14, 140))
    np.testing.assert_array_equal(ring.rows()[:, 0], [10, 11, 12, 13, 14])
    rows = ring.rows()
    rows[...] = -1  # a copy: editing it leaves the buffer alone
    np.testing.assert_array_equal(ring.rows()[:, 0], [10, 11, 12, 13, 14])
    ring.clear()
    assert ring.rows().shape == (0, 2)


def test_ring_buffer_memory_does_not_grow():
    ring = RingBuffer(64, 6)
    for k in range(200):
        ring.append((k,) * 6)
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        for k in range(20_000):
            ring.append((k,) * 6)
        now, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert now - base < 4096
    assert ring.data.shape == (64, 6) and ring.count == 20_200


def test_trainer_history_is_bounded():
    t = Trainer(SMALL.replace(layers=(), train_size=20, batch_size=20))
    data = t.history.data
    extra = 37
    train_until(t, HISTORY_CAPACITY + extra, chunk=1)
    rows = t.history.rows()
    assert rows.shape == (HISTORY_CAPACITY, len(HISTORY_FIELDS))
    np.testing.assert_array_equal(rows[:, 0], np.arange(extra + 1, HISTORY_CAPACITY + extra + 1))
    assert t.history.data is data and data.shape == (HISTORY_CAPACITY, len(HISTORY_FIELDS))
    last = t.metrics
    assert tuple(rows[-1]) == (
        last.step,
        last.epoch,
        last.train_loss,
        last.test_loss,
        last.train_accuracy,
        last.test_accuracy,
    )


# --------------------------------------------------------------------------- snapshots


def fresh_scores(net: Network, t: Trainer) -> dict[str, float]:
    """Loss and accuracy of ``net`` on both splits, computed directly from the data."""
    out = {}
    c = t.config
    for split, X_raw, y in (("train", t.data.X_train, t.data.y_train), ("test", t.data.X_test, t.data.y_test)):
        X = feature_matrix(X_raw, c.features)
        Y = targets_for(y, net.sizes[-1], c.output, t.regression)
        out[f"{split}_loss"] = net.loss(X, Y)
        out[f"{split}_accuracy"] = float((net.forward(X).argmax(axis=1) == y).mean())
    return out


def test_snapshot_params_are_read_only():
    t = Trainer(SMALL)
    t.step(5)
    snap = t.snapshot()
    saved = snap.network.params.copy()
    with pytest.raises(ValueError):
        snap.network.params[0] = 42.0
    with pytest.raises(ValueError):
        snap.network.weights[0][0, 0] = 42.0  # through a layer view
    with pytest.raises(ValueError):
        snap.network.biases[-1][...] = 42.0
    with pytest.raises(ValueError):
        snap.network.weights[0] = np.zeros_like(saved[: snap.network.weights[0].size]).reshape(
            snap.network.weights[0].shape
        )
    np.testing.assert_array_equal(snap.network.params, saved)
    assert t.net.params.flags.writeable  # the trainer's own network still trains


def test_later_steps_do_not_change_an_earlier_snapshot():
    t = Trainer(SMALL)
    t.step(10)
    t.evaluate()
    snap = t.snapshot()
    params, metrics, history = snap.network.params.copy(), snap.metrics, snap.history.copy()
    out = snap.predict(t.data.X_test[:5]).copy()
    t.step(50)
    t.evaluate()
    assert not np.array_equal(t.net.params, params)
    np.testing.assert_array_equal(snap.network.params, params)
    np.testing.assert_array_equal(snap.predict(t.data.X_test[:5]), out)
    assert snap.metrics is metrics and snap.step == 10
    np.testing.assert_array_equal(snap.history, history)
    later = t.snapshot()
    assert later.version == snap.version + 1 and later.step == 60


def test_snapshot_step_metrics_and_params_belong_together():
    t = Trainer(SMALL)
    for n in (0, 13, 40):
        t.step(n)
        t.evaluate()
        snap = t.snapshot()
        assert snap.metrics.step == snap.step == t.step_count
        assert snap.metrics.epoch == snap.epoch
        fresh = fresh_scores(snap.network, t)
        for name, value in fresh.items():
            assert getattr(snap.metrics, name) == pytest.approx(value, rel=1e-12), name
    assert snap.history[-1, 0] == snap.step


def test_snapshot_without_evaluate_is_still_self_consistent():
    t = Trainer(SMALL)
    t.step(25)
    snap = t.snapshot()
    assert snap.metrics.step == snap.step == 25
    assert snap.metrics.train_loss == pytest.approx(fresh_scores(snap.network, t)["train_loss"], rel=1e-12)


# --------------------------------------------------------------------------- live settings


def test_live_settings_apply_without_resetting_params():
    t = Trainer(SMALL.replace(optimizer="momentum", lr=0.1))
    t.step(20)
    params = t.net.params.copy()
    state, opt_t = t.optimizer.state.copy(), t.optimizer.t

    # A rate change keeps the optimiser's state.
    t.apply_live_settings(t.config.replace(lr=0.02))
    np.testing.assert_array_equal(t.net.params, params)
    np.testing.assert_array_equal(t.optimizer.state, state)
    assert (t.optimizer.t, t.optimizer.lr, t.step_count) == (opt_t, 0.02, 20)

    # sgd, a new rate, L1, L2 and a new batch size, all at once; the weights stay.
    new = t.config.replace(optimizer="sgd", lr=0.5, l1=0.01, l2=0.03, batch_size=4)
    t.apply_live_settings(new)
    np.testing.assert_array_equal(t.net.params, params)
    assert t.config == new and t.step_count == 20
    opt = t.optimizer
    assert (opt.kind, opt.lr, opt.l1, opt.l2, opt.t) == ("sgd", 0.5, 0.01, 0.03, 0)
    assert np.all(opt.state == 0.0)

    batches = spy_batches(t)
    before = clone(t.net)
    t.step(1)
    idx = row_indices(t, batches[-1])
    assert len(idx) == 4
    g = flat_grad(before, t.X_train[idx], t.Y_train[idx])
    nw = before.n_weights
    w = before.params[:nw]
    g[:nw] += 0.03 * w + 0.01 * np.sign(w)
    np.testing.assert_allclose(t.net.params, before.params - 0.5 * g, rtol=1e-12, atol=1e-15)


def test_live_switch_to_adam_uses_momentum_as_beta1():
    t = Trainer(SMALL)
    t.step(5)
    params = t.net.params.copy()
    t.apply_live_settings(t.config.replace(optimizer="adam", momentum=0.8, lr=0.01))
    np.testing.assert_array_equal(t.net.params, params)
    assert (t.optimizer.kind, t.optimizer.beta1, t.optimizer.t) == ("adam", 0.8, 0)
    t.step(1)
    # The first Adam step moves every parameter with a non-zero gradient by ~lr.
    moved = np.abs(t.net.params - params)
    assert moved.max() == pytest.approx(0.01, rel=1e-3)


@pytest.mark.parametrize(
    "change", [{"layers": (4,)}, {"seed": 9}, {"dataset": "xor"}, {"activation": "tanh"}, {"features": ("x", "x2")}]
)
def test_settings_that_need_a_reset_raise(change: dict):
    t = Trainer(SMALL)
    t.step(5)
    params, config = t.net.params.copy(), t.config
    name = next(iter(change))
    with pytest.raises(ValueError, match=name):
        t.apply_live_settings(config.replace(lr=0.9, **change))
    np.testing.assert_array_equal(t.net.params, params)
    assert t.config is config and t.optimizer.lr == config.lr  # nothing half-applied


# --------------------------------------------------------------------------- schedules


def scheduled_rates(schedule: str, steps: list[int], lr: float = 0.8, iterations: int = 100) -> list[float]:
    t = Trainer(SMALL.replace(layers=(), train_size=20, batch_size=20, lr=lr, schedule=schedule, iterations=iterations))
    rates = []
    for s in steps:
        t.step(s - t.step_count)
        assert t.step_count == s
        rates.append(t.learning_rate())
    return rates


def test_constant_schedule():
    assert scheduled_rates("constant", [0, 50, 99, 100, 500]) == [0.8] * 5


def test_step_schedule_halves_at_quarters():
    steps = [0, 24, 25, 49, 50, 74, 75, 99, 100, 300]
    expected = [0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1]
    assert scheduled_rates("step", steps) == pytest.approx(expected, rel=1e-15)


def test_cosine_schedule():
    rates = scheduled_rates("cosine", [0, 25, 50, 100, 150])
    # lr * (1 + cos(pi * progress)) / 2 at progress 0, 1/4, 1/2, 1 and past the end
    expected = [0.8, 0.8 * (1 + math.sqrt(0.5)) / 2, 0.4, 0.0, 0.0]
    assert rates == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_the_scheduled_rate_is_the_one_used_by_the_update():
    t = Trainer(SMALL.replace(optimizer="sgd", lr=0.8, schedule="step", iterations=100))
    t.step(60)  # progress 0.6 -> lr 0.8 / 4
    assert t.learning_rate() == pytest.approx(0.2)
    batches = spy_batches(t)
    before = clone(t.net)
    t.step(1)
    idx = row_indices(t, batches[-1])
    expected = before.params - 0.2 * flat_grad(before, t.X_train[idx], t.Y_train[idx])
    np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- divergence


HUGE = TrainConfig(dataset="reg-plane", layers=(), output="linear", loss="mse", lr=50, batch_size=10)


def test_huge_lr_diverges_and_goes_back_to_the_checkpoint():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = Trainer(HUGE)
        assert t.step(1) == 1
        m = t.evaluate()
        assert math.isfinite(m.train_loss)  # huge, but a finite loss: a checkpoint
        checkpoint = t.net.params.copy()
        done = t.step(1000)
        assert 0 < done < 1000
        assert t.diverged_at == 1 + done + 1  # the update after the last good one failed
        assert np.isfinite(t.net.params).all()
        np.testing.assert_array_equal(t.net.params, checkpoint)
        assert t.step_count == 1 and t.metrics.step == 1
        assert t.metrics.train_loss == m.train_loss
        assert "diverged" in t.message and f"{t.diverged_at:,}" in t.message
        assert t.should_stop() == "diverged"
        assert t.step(10) == 0 and t.step_count == 1
        snap = t.snapshot()
        assert snap.diverged_at == t.diverged_at and "diverged" in snap.message
        np.testing.assert_array_equal(snap.network.params, checkpoint)

        # Lower the rate and restart: trains fine.
        t.apply_live_settings(HUGE.replace(lr=0.01))
        t.restart()
        assert t.diverged_at is None and t.message == "" and t.should_stop() is None
        assert t.step(2000) == 2000
        assert t.evaluate().r2_test > 0.99


def test_divergence_before_any_evaluate_goes_back_to_step_0():
    t = Trainer(HUGE)
    done = t.step(1000)
    assert done < 1000
    np.testing.assert_array_equal(t.net.params, t.initial_params)
    assert t.step_count == 0 and t.diverged_at == done + 1
    fresh = Trainer(HUGE.replace(lr=0.01))
    assert fresh.step(500) == 500 and fresh.evaluate().r2_test > 0.9


def test_new_trainer_with_lower_lr_trains_fine_after_divergence():
    assert Trainer(HUGE).step(1000) < 1000
    t = Trainer(HUGE.replace(lr=0.01))
    assert t.step(2000) == 2000
    assert t.diverged_at is None and t.evaluate().r2_test > 0.99


def run_wild(config: TrainConfig) -> Trainer:
    """Train in bursts like the app does and touch every reader; must never warn or raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn"):
            t = Trainer(config)
            for _ in range(8):
                t.step(40)
                t.evaluate()
                t.should_stop(100_000)
                snap = t.snapshot()
                snap.predict(t.data.X_test[:5])
                snap.layer_outputs(t.data.X_test[:5])
                t.classify(50, 0)
    assert np.isfinite(t.net.params).all()
    if t.diverged_at is not None:
        assert "diverged" in t.message and t.step(5) == 0
        assert math.isfinite(t.metrics.train_loss)
    return t


WILD_DATASETS = ("spiral", "circle", "quadrants", "xor", "reg-gauss")


@pytest.mark.parametrize("dataset", WILD_DATASETS)
def test_relu_blow_up_diverges_cleanly(dataset: str):
    t = run_wild(
        TrainConfig(
            dataset=dataset,
            train_size=100,
            layers=(8, 8),
            activation="relu",
            init="he",
            output="linear",
            loss="mse",
            lr=100,
            batch_size=1,
        )
    )
    assert t.diverged_at is not None


@pytest.mark.parametrize("dataset", WILD_DATASETS)
@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "adam", "lr": 100, "momentum": 0.999, "l1": 10, "l2": 10, "activation": "tanh"},
        {"optimizer": "adam", "lr": 100, "momentum": 0.0, "activation": "relu", "init": "he", "batch_size": 1},
        {"optimizer": "momentum", "lr": 5, "momentum": 0.999, "activation": "relu", "init": "he"},
        {"optimizer": "sgd", "lr": 100, "activation": "sigmoid", "init": "uniform11", "l2": 10},
    ],
    ids=["adam-l1-l2", "adam-relu-b1", "momentum-relu", "sgd-sigmoid-l2"],
)
def test_extreme_settings_never_raise_warn_or_leave_nan(dataset: str, settings: dict):
    reg = dataset.startswith("reg")
    head = {"output": "linear", "loss": "mse"} if reg else {"output": "softmax", "loss": "cross_entropy"}
    run_wild(TrainConfig(dataset=dataset, train_size=100, layers=(8, 8), **head, **settings))


# --------------------------------------------------------------------------- stop conditions


def test_should_stop_on_iterations():
    t = Trainer(SMALL)
    t.step(49)
    assert t.should_stop(50) is None
    t.step(1)
    assert t.should_stop(50) == "iterations"
    assert t.should_stop() is None  # no iteration goal, no epochs, no target


def test_should_stop_on_epochs():
    t = Trainer(SMALL.replace(epochs=3))  # 100 points, batch 10
    t.step(29)
    assert t.epoch == 2 and t.should_stop() is None
    t.step(1)
    assert t.should_stop() == "epochs"
    assert t.should_stop(10) == "iterations"  # the iteration goal is checked first


def test_should_stop_on_target_loss():
    t = Trainer(PRESETS["reg-plane"].config(target_loss=0.01))
    assert t.metrics.train_loss > 0.01 and t.should_stop() is None
    reason = None
    while reason is None and t.step_count < 5000:
        t.step(10)
        t.evaluate()
        reason = t.should_stop()
    assert reason == "target_loss"
    assert t.metrics.train_loss <= 0.01
    assert 0 < t.step_count < 5000
    # one burst earlier the target was not yet reached
    assert t.history.rows()[-2, 2] > 0.01


# --------------------------------------------------------------------------- regression metrics


def handmade_regression_trainer() -> Trainer:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    data = Dataset(
        "reg-plane",
        X,
        np.array([1.0, 2.0, 3.0, 0.0]),
        X.copy(),
        np.array([2.0, 2.0, 3.0, 1.0]),
        n_classes=0,
        extent=6.0,
        class_names=(),
    )
    config = TrainConfig(dataset="reg-plane", layers=(), output="linear", loss="mse")
    t = Trainer(config, data=data)
    t.net.weights[0] = [[1.0, 1.0]]
    t.net.biases[0] = [0.0]
    return t


def test_r2_by_hand():
    t = handmade_regression_trainer()
    m = t.evaluate()
    # predictions x + y = [1, 1, 2, 0]
    # train targets [1, 2, 3, 0]: mean 1.5, total 0.25 + 0.25 + 2.25 + 2.25 = 5, residual 0 + 1 + 1 + 0 = 2
    assert m.r2_train == pytest.approx(1 - 2 / 5, rel=1e-14)
    assert m.train_loss == pytest.approx(0.5 * 2 / 4, rel=1e-14)
    # test targets [2, 2, 3, 1]: mean 2, total 0 + 0 + 1 + 1 = 2, residual 1 + 1 + 1 + 1 = 4
    assert m.r2_test == pytest.approx(1 - 4 / 2, rel=1e-14)
    assert m.test_loss == pytest.approx(0.5 * 4 / 4, rel=1e-14)
    assert math.isnan(m.train_accuracy) and math.isnan(m.test_accuracy)


def test_r2_matches_the_formula_on_a_trained_network():
    t = Trainer(PRESETS["reg-gauss"].config())
    t.step(300)
    m = t.evaluate()
    for split, X, y in (("train", t.data.X_train, t.data.y_train), ("test", t.data.X_test, t.data.y_test)):
        pred = t.net.forward(feature_matrix(X, t.config.features))[:, 0]
        r2 = 1.0 - np.sum((y - pred) ** 2) / np.sum((y - np.mean(y)) ** 2)
        assert getattr(m, f"r2_{split}") == pytest.approx(r2, rel=1e-12)
    assert 0.0 < m.r2_test < 1.0


def test_classification_has_no_r2_and_accuracy_matches_argmax():
    t = Trainer(SMALL)
    t.step(30)
    m = t.evaluate()
    assert math.isnan(m.r2_train) and math.isnan(m.r2_test)
    pred = t.net.forward(t.X_test).argmax(axis=1)
    assert m.test_accuracy == float(np.mean(pred == t.data.y_test))


# --------------------------------------------------------------------------- presets


@functools.cache
def trained(name: str) -> Trainer:
    config = PRESETS[name].config()
    t = Trainer(config)
    assert t.step(config.iterations) == config.iterations
    t.evaluate()
    return t


CLASSIFY_GOAL = {"spiral": 0.9}
FRESH_SEEDS = range(20)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_trains_to_its_goal(name: str):
    t = trained(name)
    assert t.diverged_at is None and t.step_count == t.config.iterations
    m = t.metrics
    if t.regression:
        assert m.r2_test >= 0.8, m
    else:
        assert m.test_accuracy >= CLASSIFY_GOAL.get(name, 0.95), m


@pytest.mark.slow
@pytest.mark.parametrize("name", ["seed-v1", "seed-v2"])
def test_article_networks_classify_fresh_points(name: str):
    t = trained(name)
    for seed in FRESH_SEEDS:
        c = t.classify(500, seed)
        assert c.X.shape == (500, 2) and c.predicted.shape == c.y.shape == (500,)
        assert c.accuracy == float(np.mean(c.predicted == c.y))
        assert c.accuracy >= 0.97, (name, seed, c.accuracy)


def mean_fresh_accuracy(t: Trainer, seeds: range = FRESH_SEEDS) -> float:
    return float(np.mean([t.classify(500, s).accuracy for s in seeds]))


@pytest.mark.slow
def test_seed_v2_classifies_fresh_points_at_least_as_well_as_v1():
    assert mean_fresh_accuracy(trained("seed-v2")) >= mean_fresh_accuracy(trained("seed-v1")) - 0.01


def test_classify_is_repeatable_and_leaves_the_run_alone():
    t = Trainer(SMALL)
    t.step(20)
    params = t.net.params.copy()
    a, b = t.classify(100, 5), t.classify(100, 5)
    for name in ("X", "y", "predicted"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert t.classify(100, 6).X.tolist() != a.X.tolist()
    # The app classifies with its snapshot: the same points and predictions, round for round.
    np.testing.assert_array_equal(t.snapshot().classify(100, 5).predicted, a.predicted)
    np.testing.assert_array_equal(t.net.params, params)
    assert t.step_count == 20


def test_measuring_again_at_the_same_step_keeps_one_row_and_one_moment() -> None:
    """Pausing, changing a setting or editing a weight measures again without a step: no duplicates."""
    trainer = Trainer(PRESETS["seed-v2"].config(train_size=100))
    trainer.step(10)
    trainer.evaluate()
    rows, moments = len(trainer.history.rows()), len(trainer.timeline.moments)
    trainer.net.params[0] += 1.0  # an edit at the same step
    trainer.evaluate()
    trainer.evaluate()
    assert len(trainer.history.rows()) == rows
    assert [m.step for m in trainer.timeline.moments].count(10) == 1
    assert len(trainer.timeline.moments) == moments
    assert trainer.timeline.moments[-1].params[0] == trainer.net.params[0]  # the newest measurement
    trainer.step(1)
    trainer.evaluate()
    assert len(trainer.history.rows()) == rows + 1
    assert trainer.history.rows()[-1][0] == 11


@pytest.mark.parametrize("batch_size", [1, 7, 10, 500])
def test_steps_to_epoch_lands_exactly_on_the_epoch(batch_size: int) -> None:
    trainer = Trainer(PRESETS["seed-v2"].config(train_size=100, batch_size=batch_size))
    trainer.step(3)
    for target in (trainer.epoch + 1, trainer.epoch + 3):
        n = trainer.steps_to_epoch(target)
        trainer.step(n - 1)
        assert trainer.epoch == target - 1
        trainer.step(1)
        assert trainer.epoch == target
    assert trainer.steps_to_epoch(trainer.epoch) == 0
    assert trainer.steps_to_epoch(1) == 0


def test_undo_takes_back_data_and_weight_edits_newest_first():
    from nnplay.core.run.trainer import UNDO_LEVELS

    trainer = Trainer(PRESETS["seed-v2"].config(train_size=50))
    X0 = trainer.data.X_train.copy()
    index = trainer.net.param_index(1, 0, 0)
    w0 = float(trainer.net.params[index])
    trainer.add_point(0.5, 0.5, 1)
    trainer.set_parameter(index, 3.0, "w")
    trainer.remove_nearest(0.5, 0.5)
    assert len(trainer.data.X_train) == len(X0)
    assert "undone: removed the point" in trainer.undo()
    assert len(trainer.data.X_train) == len(X0) + 1
    assert "undone: set the w" in trainer.undo()
    assert trainer.net.params[index] == w0
    assert "undone: added a point" in trainer.undo()
    np.testing.assert_array_equal(trainer.data.X_train, X0)
    assert trainer.undo().startswith("nothing to undo")
    for k in range(UNDO_LEVELS + 5):
        trainer.add_point(0.01 * k, 0.0, 0)
    assert len(trainer.edits) == UNDO_LEVELS >= 20


def test_restart_keeps_data_edits_undoable_and_drops_weight_edits():
    trainer = Trainer(PRESETS["seed-v2"].config(train_size=50))
    n = len(trainer.data.X_train)
    trainer.add_point(0.5, 0.5, 1)
    trainer.set_parameter(trainer.net.param_index(1, 0, 0), 3.0, "w")
    trainer.restart()
    assert [e.data is not None for e in trainer.edits] == [True]
    trainer.undo()
    assert len(trainer.data.X_train) == n
    with pytest.raises(ValueError, match="finite"):
        trainer.set_parameter(0, float("nan"), "w")
    # A weight a run would call diverged is refused too: nothing the app holds fails to load.
    before = trainer.net.params.copy()
    with pytest.raises(ValueError, match=r"within ±1e\+30"):
        trainer.set_parameter(0, 1e200, "w")
    assert np.array_equal(trainer.net.params, before)
