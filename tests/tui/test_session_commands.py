"""The session's typed commands, run on the test thread as the worker would run them."""

from __future__ import annotations

import numpy as np

from nnplay.core.config import TrainConfig
from nnplay.core.trainer import Trainer
from nnplay.tui.session import TrainingSession

CONFIG = TrainConfig(dataset="xor", train_size=60, layers=(4,), batch_size=6, seed=2)


def handled(session: TrainingSession) -> TrainingSession:
    while not session._commands.empty():
        session._handle_commands(block=False)
    return session


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
