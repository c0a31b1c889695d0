"""Lesson 6 walked in the app as a learner would: the keys of its hints, the landscape's path and
the tasks met live."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.teaching.lesson_progress import Progress
from nnplay.core.teaching.lessons import LESSONS
from nnplay.tui.model.landscape_view import LandscapePicture
from nnplay.tui.model.lesson_tracker import LessonTracker
from tests.tui.waiting import wait_until

LESSON = next(lesson for lesson in LESSONS if lesson.key == "learning-rate")


@pytest.fixture(autouse=True)
def private_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


def drawn_path(app) -> np.ndarray | None:
    app.draw_frame()
    picture = app.frames.frame.landscape
    return np.asarray(picture.path) if isinstance(picture, LandscapePicture) else None


async def test_lesson_6_too_high_then_momentum_in_the_app(make_app):
    app = make_app(LESSON.config(), start_worker=True)
    app.lesson_tracker = LessonTracker(LESSON, Progress())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: app.lesson_tracker.started, what="the lesson's setup")
        app.apply_config(LESSON.config().replace(lr=2.5))  # "set learn rate 2.5"
        await pilot.press("m")
        for _ in range(4):  # "then n a few times"
            await pilot.press("n")
        await wait_until(lambda: app.channel.latest.step == 4, what="four steps")
        await wait_until(
            lambda: (path := drawn_path(app)) is not None and len(path) == 5, what="the landscape with the path"
        )
        jumps = np.diff(drawn_path(app)[:, 1])
        assert (np.sign(jumps[1:]) != np.sign(jumps[:-1])).all()  # across the valley each step
        assert (np.abs(jumps[1:]) > np.abs(jumps[:-1])).all()  # and further out
        await pilot.press("t")
        await wait_until(lambda: "diverge" in app.lesson_tracker.done, what="the run to diverge")
        app.apply_config(LESSON.config().replace(lr=0.03, optimizer="momentum"))
        await pilot.press("t")
        await wait_until(lambda: "momentum" in app.lesson_tracker.done, what="momentum at the bottom")
        assert app.channel.latest.step <= 200
