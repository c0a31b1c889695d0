"""``RunLoop`` (core/run/run_loop.py): the one loop that trains one run or several in step, to a
goal or each run's own stop condition, for the app's run channel, the comparison and ``train_until``."""

from __future__ import annotations

import time

from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.run.run_loop import POINTS_PER_RUN, RunLoop
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import StopReason, Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS

BASE = PRESETS["circle"].config(optimizer="sgd", iterations=300)


def until_stopped(loop: RunLoop, limit: int = 100_000) -> StopReason:
    for _ in range(limit):
        if (reason := loop.advance()) is not None:
            return reason
    raise AssertionError(f"the loop did not stop in {limit} chunks")


def test_each_run_stops_at_its_own_epochs_and_the_loop_when_both_have() -> None:
    """batch 10 and batch 25 over 250 points: one epoch is 25 and 10 updates. The run that
    reached its epochs waits; the loop stops once neither goes on."""
    comparison = Comparison(BASE.replace(epochs=1), parse_comparison("batch_size=10,batch_size=25"))
    small, large = comparison.trainers
    loop = RunLoop(comparison.trainers)
    loop.start()
    assert until_stopped(loop) is StopReason.EPOCHS and not loop.running
    assert (small.step_count, small.epoch) == (25, 1) and (large.step_count, large.epoch) == (10, 1)
    loop.start()
    assert loop.advance() is StopReason.EPOCHS and not loop.trained  # neither trains on
    assert (small.step_count, large.step_count) == (25, 10)


def test_a_target_loss_stops_the_run_that_reaches_it_and_the_other_goes_on() -> None:
    comparison = Comparison(BASE.replace(target_loss=0.2), parse_comparison("lr=0.3,lr=0.0001"))
    fast, slow = comparison.trainers
    loop = RunLoop(comparison.trainers)
    loop.start()
    for _ in range(100_000):
        assert loop.advance() is None
        if fast.should_stop() is not None:
            break
    assert fast.should_stop() is StopReason.TARGET_LOSS and fast.metrics.train_loss <= 0.2
    assert slow.should_stop() is None and loop.should_stop() is None and loop.running
    steps = fast.step_count
    for _ in range(5):
        loop.advance()
    assert fast.step_count == steps and slow.step_count > steps


def test_a_bounded_run_records_its_points_and_publishes_its_last_snapshot_before_it_stops() -> None:
    trainer = Trainer(BASE.replace(iterations=6000))
    events: list[str] = []

    def publish() -> None:
        trainer.evaluate()
        events.append(f"publish {trainer.step_count} running={loop.running}")

    loop = RunLoop([trainer], publish=publish, stopped=lambda reason: events.append(f"stopped {reason}"))
    loop.start(6000)
    assert until_stopped(loop) is StopReason.ITERATIONS
    assert trainer.step_count == 6000
    assert len(trainer.history.rows()) >= POINTS_PER_RUN
    assert events == ["stopped iterations", "publish 6000 running=True"]  # said, published, then stopped


def test_a_divergence_stops_the_run_and_is_said_before_its_snapshot() -> None:
    config = TrainConfig(dataset="reg-plane", train_size=200, layers=(), output="linear", loss="mse", lr=50.0)
    trainer = Trainer(config)
    events: list[str] = []
    loop = RunLoop(
        [trainer],
        publish=lambda: events.append(f"publish diverged={trainer.diverged_at is not None}"),
        stopped=lambda reason: events.append(f"stopped {reason}"),
    )
    loop.start()
    assert until_stopped(loop) is StopReason.DIVERGED
    assert events == ["stopped diverged", "publish diverged=True"]


def test_train_until_is_the_loop_with_a_fixed_chunk() -> None:
    """The headless loop records after every chunk and at each epoch's end, as it always has."""
    headless = Trainer(BASE.replace(epochs=3, iterations=10**6, batch_size=100))
    progress: list[int] = []
    reason, _ = train_until(headless, chunk=4, on_progress=lambda t: progress.append(t.step_count))
    # 250 points in batches of 100: epochs end after 3, 6 and 9 updates; chunks of 4 stop at each end.
    assert reason is StopReason.EPOCHS and progress == [3, 6, 9]
    assert [int(row[0]) for row in headless.history.rows()] == [3, 6, 9]


def test_a_chunk_held_up_without_running_does_not_shrink_the_next_one() -> None:
    # Sized by the wall clock, a trainer that other jobs left a fifth of a core trained a fifth
    # as much a chunk and paid each chunk's fixed costs five times as often.
    trainer = Trainer(BASE.replace(iterations=100_000_000))
    step = trainer.step

    def step_then_wait(n: int = 1) -> int:
        done = step(n)
        time.sleep(0.02)  # the OS runs other jobs meanwhile: wall time passes, not this thread's CPU
        return done

    trainer.step = step_then_wait  # type: ignore[method-assign]
    loop = RunLoop([trainer])
    loop.start()
    for _ in range(4):
        loop.advance()
    # By the wall clock, 20 ms a chunk would keep the next one under 8/20 of the last.
    assert loop._chunk > 50, loop._chunk
