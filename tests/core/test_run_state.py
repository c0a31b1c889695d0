"""``RunState``: one record of where a run is, for checkpoints, time travel and saved sessions;
and ``train_until``, the one loop that trains a run to its stop condition without a UI."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import StopReason, Trainer
from nnplay.core.settings.config import TrainConfig

CONFIG = TrainConfig(dataset="circle", train_size=60, layers=(5,), optimizer="adam", lr=0.05, batch_size=7, seed=4)


def test_a_run_loaded_from_its_state_goes_on_exactly_as_it_would_have() -> None:
    straight, other = Trainer(CONFIG), Trainer(CONFIG.replace(seed=5))  # the same network, other weights
    straight.step(23)  # mid-epoch: the batch order and the position in it matter
    state = straight.state_dict()
    other.load_state_dict(state)
    straight.step(40)
    other.step(40)
    np.testing.assert_array_equal(other.net.params, straight.net.params)
    assert (other.step_count, other.epoch) == (straight.step_count, straight.epoch)
    # The state is a copy: the run it came from has moved on, the state has not.
    assert state.step == 23 and not np.array_equal(state.params, straight.net.params)
    assert not state.params.flags.writeable


def test_a_state_without_its_batch_order_starts_a_fresh_shuffle() -> None:
    t = Trainer(CONFIG)
    t.step(23)
    state = t.state_dict(with_order=False)
    assert state.order is None
    t.step(5)
    t.load_state_dict(state)
    assert (t.step_count, t.batches.at) == (23, 0)


def test_a_state_of_another_network_is_refused_and_changes_nothing() -> None:
    t, wider = Trainer(CONFIG), Trainer(CONFIG.replace(layers=(6,)))
    t.step(10)
    before = t.state_dict()
    with pytest.raises(ValueError, match="different network"):
        t.load_state_dict(wider.state_dict())
    np.testing.assert_array_equal(t.net.params, before.params)
    assert t.step_count == 10


def test_a_moment_holds_the_state_time_travel_resumes_from() -> None:
    t = Trainer(CONFIG)
    train_until(t, 30, chunk=10)
    moment = t.timeline.moments[1]
    assert (moment.step, moment.state.order) == (10, None)  # no batch order: the timeline stays small
    assert t.resume_from(moment) == "rewound the run to step 10"
    np.testing.assert_array_equal(t.net.params, moment.params)
    assert [m.step for m in t.timeline.moments] == [0, 10]


@pytest.mark.parametrize(
    "settings, reason, step, epoch",
    [
        ({}, StopReason.ITERATIONS, 50, None),
        ({"epochs": 2}, StopReason.EPOCHS, 18, 2),  # 60 points in batches of 7: 9 updates an epoch
        (
            {"dataset": "reg-plane", "layers": (), "output": "linear", "lr": 50.0, "optimizer": "sgd"},
            StopReason.DIVERGED,
            None,
            None,
        ),
    ],
)
def test_train_until_stops_where_the_settings_say(settings: dict, reason: StopReason, step, epoch) -> None:
    t = Trainer(CONFIG.replace(iterations=50, **settings))
    stopped, seconds = train_until(t, chunk=20)
    assert stopped is reason and seconds >= 0
    if step is not None:
        assert t.step_count == step
    if epoch is not None:
        assert t.epoch == epoch
    assert train_until(t, 0)[0] is (StopReason.DIVERGED if reason is StopReason.DIVERGED else StopReason.ITERATIONS)
