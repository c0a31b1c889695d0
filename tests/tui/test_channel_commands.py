"""The run channel's typed commands, run on the test thread as the worker would run them."""

from __future__ import annotations

import time

import numpy as np

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.channel import AppRunChannel
from tests.tui.channel_driving import handled, worker_running

CONFIG = TrainConfig(dataset="xor", train_size=60, layers=(4,), batch_size=6, seed=2)


def test_resume_from_rewinds_the_run_on_the_worker_and_says_so() -> None:
    channel = AppRunChannel(Trainer(CONFIG))
    for _ in range(3):
        channel.step(10)
    moment = handled(channel).latest.timeline[1]
    assert channel.latest.step == 30 and not channel.unsaved_edits
    channel.resume_from(moment)
    snap = handled(channel).latest
    assert snap.step == moment.step == 10
    np.testing.assert_array_equal(snap.network.params, moment.params)
    assert [n.text for n in channel.drain_notices()] == ["rewound the run to step 10: space trains on from here"]
    assert channel.unsaved_edits  # a rewound run is not what any file holds


def test_a_refused_edit_is_one_error_notice_and_changes_nothing() -> None:
    channel = AppRunChannel(Trainer(CONFIG))
    before = channel.latest
    channel.set_parameter(0, float("inf"), "weight x -> layer 1 n1")
    channel.remove_nearest(0.0, 0.0)
    notices = handled(channel).drain_notices()
    assert [n.severity for n in notices] == ["error", "information"]
    assert "weight x -> layer 1 n1 must be a finite number" in notices[0].text
    assert notices[1].text.startswith("removed the point at")
    assert len(channel.latest.data.X_train) == len(before.data.X_train) - 1


class EveryChunk:
    """A publish budget that is always due: the worker publishes after every chunk it trains."""

    def due(self, now: float, slack: float = 0.0) -> bool:
        return True

    def spent(self, started: float, cost: float) -> None:
        pass


class RecordedRunChannel(AppRunChannel):
    """A run channel that notes, at each snapshot it publishes, the notices already queued for the UI."""

    def __init__(self, trainer: Trainer) -> None:
        self.published: list[tuple[int | None, list[str]]] = []
        super().__init__(trainer)
        self.publish_budget = EveryChunk()

    @property
    def latest(self):
        return self._latest

    @latest.setter
    def latest(self, snap) -> None:
        self._latest = snap
        self.published.append((snap.diverged_at, [n.text for n in getattr(self, "_notices", ())]))


def test_a_diverged_snapshot_is_never_published_before_its_notice() -> None:
    # The frame drains the notices and then draws the newest snapshot: a diverged snapshot published
    # before its notice shows "diverged" on the status line with no message saying why or what to do.
    config = TrainConfig(
        dataset="reg-plane", train_size=200, layers=(), output="linear", loss="mse", lr=50.0, batch_size=10
    )
    channel = RecordedRunChannel(Trainer(config))
    with worker_running(channel):
        channel.toggle_run()
        deadline = time.monotonic() + 30
        while (channel.latest.diverged_at is None or channel.running) and time.monotonic() < deadline:
            time.sleep(0.01)
    diverged = [notices for at, notices in channel.published if at is not None]
    assert diverged, "the run never diverged"
    assert all(any(text.startswith("diverged at step") for text in notices) for notices in diverged), diverged


class OneSlowPublish(AppRunChannel):
    """A run channel whose first snapshot waits ``HELD`` seconds without working, as a publish does
    when the OS or the UI holds the CPU or the GIL meanwhile. Notes the publish budget's interval
    as each publish begins: what the ones before were charged."""

    HELD = 0.2

    def __init__(self, trainer: Trainer) -> None:
        self.intervals: list[float] = []
        super().__init__(trainer)

    def _publish(self) -> None:
        budget = self.publish_budget
        self.intervals.append(budget.interval if budget is not None else 0.0)
        if len(self.intervals) == 1:
            time.sleep(self.HELD)
        super()._publish()


def test_a_publish_held_up_by_other_work_does_not_space_the_next_ones_out() -> None:
    channel = OneSlowPublish(Trainer(CONFIG.replace(train_size=200)))
    with worker_running(channel):
        channel.toggle_run()
        deadline = time.monotonic() + 60
        while len(channel.intervals) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(channel.intervals) >= 2, "the running channel published no second snapshot"
    # Charged by the wall clock, the wait made the next snapshot due HELD / share later (2 s at 10%).
    assert channel.intervals[1] < OneSlowPublish.HELD / channel.publish_budget.share, channel.intervals


def test_a_save_that_fails_in_any_way_answers_its_reply(monkeypatch) -> None:
    from concurrent.futures import Future

    import nnplay.tui.run.channel as channel_module

    def broken(trainer, path):
        raise ValueError("not a session path")

    monkeypatch.setattr(channel_module, "save_session", broken)
    channel = AppRunChannel(Trainer(CONFIG))
    reply: Future = Future()
    channel.save("x.npz", reply)
    handled(channel)
    assert isinstance(reply.exception(timeout=1), ValueError)  # the quit-and-save waits on it: never forever
    channel.save("x.npz")
    assert [n.severity for n in handled(channel).drain_notices()] == ["error"]


def test_the_channel_the_comparison_and_train_until_train_through_the_one_run_loop(monkeypatch) -> None:
    """One loop (core/run/run_loop.py) for one run or two: the app's run channel, the compare screen's
    runs and the headless ``train_until`` each train by its ``advance``."""
    from nnplay.core.run.compare import Comparison, parse_comparison
    from nnplay.core.run.run_loop import RunLoop
    from nnplay.core.run.train_until import train_until
    from nnplay.tui.run.channel import ComparisonChannel

    trained: list[tuple[int, ...]] = []  # the ids of the trainers of each chunk
    advance = RunLoop.advance

    def spy(loop: RunLoop):
        trained.append(tuple(id(t) for t in loop.trainers))
        return advance(loop)

    monkeypatch.setattr(RunLoop, "advance", spy)

    channel = AppRunChannel(Trainer(CONFIG))
    with worker_running(channel):
        channel.toggle_run()
        deadline = time.monotonic() + 60
        while channel.latest.step == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert (id(channel._trainer),) in trained

    comparison = Comparison(CONFIG, parse_comparison("lr=0.03,lr=3"))
    pair = ComparisonChannel(comparison)
    with worker_running(pair):
        pair.train_iterations()
        deadline = time.monotonic() + 60
        while comparison.step_count < CONFIG.iterations and time.monotonic() < deadline:
            time.sleep(0.01)
    assert tuple(id(t) for t in comparison.trainers) in trained

    headless = Trainer(CONFIG)
    train_until(headless, 50)
    assert (id(headless),) in trained and headless.step_count == 50
