"""The session's typed commands, run on the test thread as the worker would run them."""

from __future__ import annotations

import time

import numpy as np

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.channel import TrainingSession
from tests.tui.session_driving import handled, worker_running

CONFIG = TrainConfig(dataset="xor", train_size=60, layers=(4,), batch_size=6, seed=2)


def test_resume_from_rewinds_the_run_on_the_worker_and_says_so() -> None:
    session = TrainingSession(Trainer(CONFIG))
    for _ in range(3):
        session.step(10)
    moment = handled(session).latest.timeline[1]
    assert session.latest.step == 30 and not session.unsaved_edits
    session.resume_from(moment)
    snap = handled(session).latest
    assert snap.step == moment.step == 10
    np.testing.assert_array_equal(snap.network.params, moment.params)
    assert [n.text for n in session.drain_notices()] == ["rewound the run to step 10: space trains on from here"]
    assert session.unsaved_edits  # a rewound run is not what any file holds


def test_a_refused_edit_is_one_error_notice_and_changes_nothing() -> None:
    session = TrainingSession(Trainer(CONFIG))
    before = session.latest
    session.set_parameter(0, float("inf"), "weight x -> layer 1 n1")
    session.remove_nearest(0.0, 0.0)
    notices = handled(session).drain_notices()
    assert [n.severity for n in notices] == ["error", "information"]
    assert "weight x -> layer 1 n1 must be a finite number" in notices[0].text
    assert notices[1].text.startswith("removed the point at")
    assert len(session.latest.data.X_train) == len(before.data.X_train) - 1


class EveryChunk:
    """A publish budget that is always due: the worker publishes after every chunk it trains."""

    def due(self, now: float, slack: float = 0.0) -> bool:
        return True

    def spent(self, started: float, cost: float) -> None:
        pass


class RecordedSession(TrainingSession):
    """A session that notes, at each snapshot it publishes, the notices already queued for the UI."""

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
    session = RecordedSession(Trainer(config))
    with worker_running(session):
        session.toggle_run()
        deadline = time.monotonic() + 30
        while (session.latest.diverged_at is None or session.running) and time.monotonic() < deadline:
            time.sleep(0.01)
    diverged = [notices for at, notices in session.published if at is not None]
    assert diverged, "the run never diverged"
    assert all(any(text.startswith("diverged at step") for text in notices) for notices in diverged), diverged


class OneSlowPublish(TrainingSession):
    """A session whose first snapshot waits 0.2 s without working, as a publish does when the OS
    or the UI holds the CPU or the GIL meanwhile."""

    def __init__(self, trainer: Trainer) -> None:
        self.publishes: list[float] = []
        super().__init__(trainer)

    def _publish(self) -> None:
        if not self.publishes:
            time.sleep(0.2)
        super()._publish()
        self.publishes.append(time.monotonic())


def test_a_publish_held_up_by_other_work_does_not_space_the_next_ones_out() -> None:
    session = OneSlowPublish(Trainer(CONFIG.replace(train_size=200)))
    with worker_running(session):
        session.toggle_run()
        time.sleep(1.2)
    # Charged by the wall clock, the 0.2 s wait made the next snapshot due 2 s later (at 10% of the time).
    assert len(session.publishes) >= 4, session.publishes


def test_a_save_that_fails_in_any_way_answers_its_reply(monkeypatch) -> None:
    from concurrent.futures import Future

    import nnplay.tui.run.channel as session_module

    def broken(trainer, path):
        raise ValueError("not a session path")

    monkeypatch.setattr(session_module, "save_session", broken)
    session = TrainingSession(Trainer(CONFIG))
    reply: Future = Future()
    session.save("x.npz", reply)
    handled(session)
    assert isinstance(reply.exception(timeout=1), ValueError)  # the quit-and-save waits on it: never forever
    session.save("x.npz")
    assert [n.severity for n in handled(session).drain_notices()] == ["error"]
