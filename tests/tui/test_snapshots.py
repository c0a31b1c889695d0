"""Screenshots of the app compared with the accepted SVGs in ``__snapshots__``.

Deterministic by construction: no worker thread (nothing trains in the background), fixed
seeds, a fixed colour count and frame rate, no notification on screen, and the focus on the
diagram or the help text (no blinking text cursor). Update after a deliberate change of the
look with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.app.main_screen import MainScreen
from nnplay.tui.cli.screenshots import SHOTS, Shot, no_lesson_progress, pose, shot_app, spaces_kept
from nnplay.tui.screens.help_screen import HelpScreen
from nnplay.tui.widgets.notice_line import NoticeLine
from tests.tui.legend_check import assert_legends_whole
from tests.tui.waiting import wait_until

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
REGENERATE = "run `nnplay screenshots` from the repository root and commit screenshots/"


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    # NO_COLOR in the environment would make Textual draw in monochrome.
    monkeypatch.delenv("NO_COLOR", raising=False)


async def no_toasts(pilot) -> None:
    """Snapshots must not depend on a toast's timing: there must be none."""
    await pilot.pause()
    assert not pilot.app._notifications, [n.message for n in pilot.app._notifications]


async def open_help(pilot) -> None:
    await pilot.press("question_mark")
    await wait_until(lambda: isinstance(pilot.app.screen, HelpScreen), what="the help", between=pilot.pause)
    await no_toasts(pilot)


def test_main_screen_120x40(make_app, snap_compare):
    assert snap_compare(make_app(PRESETS["seed-v2"].config()), terminal_size=(120, 40), run_before=no_toasts)


def test_main_screen_80x24(make_app, snap_compare):
    assert snap_compare(make_app(PRESETS["seed-v2"].config()), terminal_size=(80, 24), run_before=no_toasts)


def test_help_screen(make_app, snap_compare):
    assert snap_compare(make_app(PRESETS["seed-v2"].config()), terminal_size=(120, 40), run_before=open_help)


def test_trained_spiral(make_app, snap_compare):
    trainer = Trainer(PRESETS["spiral"].config())
    train_until(trainer, 3000, chunk=50)  # as the worker does: train, then record the metrics for the loss curves
    app = make_app(trainer)

    async def check(pilot) -> None:
        await no_toasts(pilot)
        assert pilot.app.channel.latest.step == 3000

    assert snap_compare(app, terminal_size=(120, 40), run_before=check)


def test_help_screen_80x24(make_app, snap_compare):
    assert snap_compare(make_app(PRESETS["seed-v2"].config()), terminal_size=(80, 24), run_before=open_help)


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_every_saved_screenshot_state(snap_compare, shot: Shot):
    """Each state ``nnplay screenshots`` saves (the README's pictures), as it saves it, with its
    legend whole (tests/tui/legend_check.py); and the
    committed ``screenshots/NAME.svg`` is exactly what the command makes now (``screenshots.take``:
    the picture after ``pose``, leading spaces kept), checked on the same app rather than a second one."""
    made: list[str] = []

    async def run_before(pilot) -> None:
        await pose(pilot, shot)
        if shot.compare is None and isinstance(pilot.app.screen, MainScreen):
            assert_legends_whole(pilot.app)  # on the state posed here rather than on another app
        made.append(spaces_kept(pilot.app.export_screenshot()))

    with no_lesson_progress():
        assert snap_compare(shot_app(shot), terminal_size=shot.size, run_before=run_before)
    committed = (SCREENSHOTS / f"{shot.name}.svg").read_text(encoding="utf-8")
    assert committed == made[0], f"screenshots/{shot.name}.svg is not what the app draws now: {REGENERATE}"


@pytest.mark.parametrize("shot", [s for s in SHOTS if s.lesson], ids=[s.name for s in SHOTS if s.lesson])
def test_a_lesson_picture_shows_a_point_of_its_lesson(shot: Shot):
    """A picture of a lesson is a state a learner reaches: the lesson bar says the task at hand
    and its measured numbers, never that it waits for the lesson's setup."""
    from nnplay.tui.widgets.lesson_bar import bar_text

    with no_lesson_progress():
        app = shot_app(shot)
        tracker = app.lesson_tracker
        tracker.observe(app.channel.latest)  # what the first frame does
        text = bar_text(tracker).plain
    task = tracker.next_task()
    assert tracker.started and "waiting for the lesson's setup" not in text
    assert task is not None and task.key not in shot.done and tracker.checks[task.key].detail in text


async def test_a_shots_notice_stays_however_long_its_pose_takes(monkeypatch) -> None:
    """edit-data shows the editing notice: on a busy machine the pose outlasted the notice's time,
    and the picture lost it (the plot taking the row it left)."""
    monkeypatch.setattr(NNPlayApp, "NOTIFICATION_TIMEOUT", 0.5)
    shot = next(s for s in SHOTS if s.name == "edit-data")
    with no_lesson_progress():
        app = shot_app(shot)
        async with app.run_test(size=shot.size) as pilot:
            await pose(pilot, shot)
            assert "editing data" in app.query_one(NoticeLine).text
            await pilot.pause(1.5)  # three times the notice's time: nothing is to change
            assert "editing data" in app.query_one(NoticeLine).text
