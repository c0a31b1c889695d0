"""Two runs side by side (core.run.compare): same data, same first weights, one setting apart, in step."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.run.compare import Comparison, Side, parse_comparison
from nnplay.core.run.trainer import StopReason
from nnplay.core.settings.config import ConfigError
from nnplay.core.settings.presets import PRESETS

BASE = PRESETS["circle"].config(optimizer="sgd", iterations=300)


def test_parse_comparison() -> None:
    assert parse_comparison("lr=0.03,lr=3") == (Side("lr", 0.03), Side("lr", 3.0))
    assert parse_comparison(" features=x,y , features=x,y,xy") == (
        Side("features", ("x", "y")),
        Side("features", ("x", "y", "xy")),
    )
    assert parse_comparison("backprop=correct,backprop=article-v2")[1].label == "backprop=article-v2"
    assert parse_comparison("lr=0.03,lr=3")[1].label == "lr=3"
    for bad, allowed in (
        ("lr=1", "NAME=A,NAME=B"),
        ("lr=1,l2=2", "NAME=A,NAME=B"),
        ("lr=1,lr=1", "two different values"),
        ("speed=1,speed=2", "a setting from"),
    ):
        with pytest.raises(ConfigError) as info:
            parse_comparison(bad)
        assert allowed in info.value.allowed
    with pytest.raises(ConfigError) as info:
        parse_comparison("lr=fast,lr=3")
    assert info.value.name == "lr"


def test_same_data_same_first_weights_one_setting_apart() -> None:
    comparison = Comparison(BASE, parse_comparison("lr=0.03,lr=3"))
    a, b = comparison.trainers
    assert a.data is b.data
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert a.config.replace(lr=3.0) == b.config
    comparison.step(200)
    assert a.step_count == b.step_count == 200
    assert not np.array_equal(a.net.params, b.net.params)
    comparison.restart()
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert comparison.step_count == 0


def test_both_runs_are_deterministic() -> None:
    runs = []
    for _ in range(2):
        comparison = Comparison(BASE, parse_comparison("batch_size=1,batch_size=25"))
        comparison.step(150)
        comparison.evaluate()
        runs.append([t.net.params.copy() for t in comparison.trainers])
    for first, again in zip(*runs, strict=True):
        np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("layers=4,layers=8", "first weights"),
        ("seed=0,seed=1", "first weights"),
        ("init=xavier,init=he", "first weights"),
        ("noise=0,noise=0.3", "keeps the data"),
        ("train_size=100,train_size=200", "keeps the data"),
    ],
)
def test_a_setting_that_changes_data_or_weights_is_refused(spec: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        Comparison(BASE, parse_comparison(spec))
    assert why in info.value.allowed


def test_a_diverging_side_waits_and_the_other_goes_on() -> None:
    base = BASE.replace(activation="relu", layers=(8,))
    comparison = Comparison(base, parse_comparison("lr=0.03,lr=30"))
    comparison.step(1000)
    slow, fast = comparison.trainers
    assert fast.diverged_at is not None and slow.diverged_at is None
    assert slow.step_count == 1000 and fast.step_count < 1000


def test_each_run_stops_at_its_own_epochs_and_the_comparison_when_both_have() -> None:
    """batch 10 and batch 25 over 250 points: one epoch is 25 and 10 updates. The run that
    reached its epochs waits; the comparison stops once neither goes on."""
    comparison = Comparison(BASE.replace(epochs=1), parse_comparison("batch_size=10,batch_size=25"))
    small, large = comparison.trainers
    while comparison.should_stop() is None:
        assert comparison.step(comparison.chunk_limit(7)) > 0
    assert (small.step_count, small.epoch) == (25, 1) and (large.step_count, large.epoch) == (10, 1)
    assert comparison.should_stop() is StopReason.EPOCHS
    assert comparison.step(5) == 0  # neither trains on


def test_a_target_loss_stops_the_run_that_reaches_it() -> None:
    comparison = Comparison(BASE.replace(target_loss=0.2), parse_comparison("lr=0.3,lr=0.0001"))
    fast, slow = comparison.trainers
    for _ in range(200):
        comparison.step(comparison.chunk_limit(10_000))
        comparison.evaluate()
        if fast.should_stop() is not None:
            break
    assert fast.should_stop() is StopReason.TARGET_LOSS and fast.metrics.train_loss <= 0.2
    assert slow.should_stop() is None and comparison.should_stop() is None
    steps = fast.step_count
    comparison.step(50)
    assert fast.step_count == steps and slow.step_count == steps + 50
