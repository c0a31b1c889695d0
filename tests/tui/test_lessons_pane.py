"""The lessons pane (L) and the lesson bar: open, apply a lesson, meet a task live, see "done"."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.core.teaching.lesson_progress import Progress
from nnplay.core.teaching.lessons import LESSONS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.model.lesson_tracker import LessonTracker
from nnplay.tui.screens.lessons_screen import LessonsScreen
from nnplay.tui.widgets.lesson_bar import LessonBar, show_lesson_bar
from nnplay.tui.widgets.params_panel import ParamsPanel
from tests.tui.app_thread import settle
from tests.tui.waiting import wait_until

SMALL = (80, 24)
CONFIG = PRESETS["seed-v2"].config(train_size=200)


@pytest.fixture(autouse=True)
def private_progress(tmp_path, monkeypatch):
    """Each test keeps its lesson progress in its own XDG data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path / "nnplay" / "lessons.json"


def bar(app: NNPlayApp) -> str:
    return str(app.screen_stack[0].query_one(LessonBar).content)


def pane_text(app: NNPlayApp) -> str:
    return str(app.screen.query_one("#lesson-text", Static).content)


def lessons_up(app: NNPlayApp) -> bool:
    """The lessons screen on top, composed, its list focused and on a lesson (so keys move it)."""
    lists = app.screen.query(OptionList) if isinstance(app.screen, LessonsScreen) else []
    return bool(lists) and app.focused is lists[0] and lists[0].highlighted is not None


async def open_lessons(pilot) -> None:
    """L, then wait for the screen it opens to take keys (it is pushed, composed and focused over several turns)."""
    await pilot.press("L")
    await wait_until(lambda: lessons_up(pilot.app), what="the lessons screen, its list focused", between=pilot.pause)


async def choose_lesson(pilot) -> None:
    """enter on the highlighted lesson: wait until the app follows it, its screen closed, then run
    the reset to its setup here and draw it."""
    app = pilot.app
    await pilot.press("enter")
    await wait_until(lambda: app.lesson_tracker is not None and not isinstance(app.screen, LessonsScreen),
                     what="the lesson chosen, its screen closed", between=pilot.pause)  # fmt: skip
    await settle(pilot)


async def test_L_opens_the_pane_and_escape_closes_it(make_app):
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        await open_lessons(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(LESSONS) >= 8
        assert "The article's version 1" in pane_text(app)
        await pilot.press("down")
        await wait_until(lambda: "Version 2 and its bug" in pane_text(app), what="lesson 2's text", between=pilot.pause)
        assert "hint:" not in pane_text(app)
        await pilot.press("h")
        await wait_until(lambda: "hint:" in pane_text(app), what="the hints", between=pilot.pause)
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, LessonsScreen), what="escape to close", between=pilot.pause)
        assert app.lesson_tracker is None  # looking is not starting


async def test_the_palette_has_the_lessons(make_app):
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Lessons")
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)


async def test_a_typed_L_stays_in_a_text_field(make_app):
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        field = app.query_one("#field-csv_path", Input)
        field.focus()
        await pilot.pause()  # focus() takes effect on the next turn of the loop
        await pilot.press("L")
        await pilot.pause()
        assert not isinstance(app.screen, LessonsScreen)
        assert field.value == "L"


async def test_choosing_a_lesson_applies_its_setup_and_shows_the_bar(make_app):
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        await open_lessons(pilot)
        for _ in range(2):
            await pilot.press("down")
        await choose_lesson(pilot)
        lesson = LESSONS[2]
        assert not isinstance(app.screen, LessonsScreen)
        assert app.channel.latest.config == lesson.config()
        assert app.query_one(ParamsPanel).config == lesson.config()
        assert app.channel.latest.step == 0
        assert app.lesson_tracker.lesson is lesson and app.lesson_tracker.started
        text = bar(app)
        assert f"▸ 1/{len(lesson.tasks)} {lesson.tasks[0].text}" in text
        assert "test acc" in text  # the measured numbers of the task at hand
        await open_lessons(pilot)
        assert "now: " in pane_text(app)  # the lesson followed shows its live numbers
        await pilot.press("x")
        # The bar is removed over a few turns of the loop after the lesson is left.
        await wait_until(lambda: app.lesson_tracker is None and not app.screen_stack[0].query(LessonBar),
                         what="x to leave the lesson and remove its bar", between=pilot.pause)  # fmt: skip
        assert app.lesson_tracker is None and not app.screen_stack[0].query(LessonBar)
        assert "now: " not in pane_text(app)


async def test_pressing_t_meets_the_task_and_shows_done(make_app, private_progress):
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SMALL) as pilot:
        await open_lessons(pilot)
        await pilot.press("enter")  # lesson 1: the article's version 1

        def following() -> bool:
            # t goes to the lessons screen while it is still on top, and the tracker starts on a
            # drawn frame of the setup at step 0: trained past it first, it would never start.
            shown = not isinstance(app.screen, LessonsScreen) and bool(app.screen_stack[0].query(LessonBar))
            return shown and app.lesson_tracker is not None and app.lesson_tracker.started

        await wait_until(following, what="the lesson followed from its setup, its screen closed", between=pilot.pause)
        assert app.channel.latest.config == LESSONS[0].config()
        assert "done" not in bar(app)
        await pilot.press("t")
        await wait_until(lambda: "train" in app.lesson_tracker.done, what="the task to be met")
        await pilot.pause()
        app.draw_frame()
        assert "The article's version 1: its task done" in bar(app)
        assert any("✓ done: Train it" in n.message for n in app._notifications)
        await open_lessons(pilot)
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(0).prompt.startswith("✓")
        assert options.highlighted == 1  # the bar said "L, then lesson 2": the list is on lesson 2
        await pilot.press("up")
        await wait_until(lambda: "✓ done" in pane_text(app), what="lesson 1's text, done", between=pilot.pause)
    assert Progress(private_progress).done("article-v1") == {"train"}


@pytest.mark.parametrize("finished", [False, True])
async def test_a_preset_other_than_the_lesson_s_setup_leaves_the_lesson(make_app, finished):
    """The bar ("✓ ... done" included) spoke of the lesson's run: after another preset it goes."""
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        await open_lessons(pilot)
        await choose_lesson(pilot)  # lesson 1
        if finished:
            for task in LESSONS[0].tasks:
                app.lesson_tracker.progress.mark(LESSONS[0].key, task.key)
            show_lesson_bar(app, app.lesson_tracker)
            await pilot.pause()
            assert "done" in bar(app)
        assert LESSONS[0].config() == PRESETS["seed-v1"].config()
        app.apply_preset("seed-v1")  # lesson 1's setup is this preset as it is: still the lesson
        await settle(pilot)
        assert app.lesson_tracker is not None and app.screen_stack[0].query(LessonBar)
        app.apply_preset("spiral")
        await settle(pilot)
        assert app.lesson_tracker is None
        assert not app.screen_stack[0].query(LessonBar)
        assert any("left lesson 1" in n.message for n in app._notifications)


def test_the_run_from_before_the_setup_never_counts():
    lesson = LESSONS[0]
    tracker = LessonTracker(lesson, Progress("/nonexistent/dir/lessons.json"))
    solved = Trainer(lesson.config().replace(iterations=5))
    solved.step(10_000)
    assert lesson.tasks[0].goal(solved.snapshot()).met
    assert tracker.observe(solved.snapshot()) == [] and not tracker.started
    other = Trainer(lesson.config().replace(seed=3))  # any other run at step 0: not the setup either
    assert tracker.observe(other.snapshot()) == [] and not tracker.started
    assert tracker.observe(Trainer(lesson.config()).snapshot()) == []
    assert tracker.started


def test_the_lessons_run_counts_from_whatever_step_its_first_frame_is_at():
    """Named the run in place when the lesson was chosen, the tracker follows the next run of the
    setup from the first snapshot drawn of it, step 0 or not; the run before never counts, even
    one of the lesson's own setup."""
    lesson = LESSONS[0]
    before = Trainer(lesson.config())
    before.step(10_000)
    assert lesson.tasks[0].goal(before.snapshot()).met
    tracker = LessonTracker(lesson, Progress("/nonexistent/dir/lessons.json"))
    tracker.follow_after(before.snapshot().run_id)
    assert tracker.observe(before.snapshot()) == [] and not tracker.started
    run_id = before.snapshot().run_id
    before.restart()  # a restart is a run of its own
    assert before.snapshot().run_id != run_id
    lessons_run = Trainer(lesson.config())
    lessons_run.step(3)  # trained past step 0 before a frame of it was drawn
    tracker.observe(lessons_run.snapshot())
    assert tracker.started and set(tracker.checks) == {task.key for task in lesson.tasks}


async def test_a_lesson_chosen_and_a_step_in_the_same_burst_is_followed(make_app):
    """enter on a lesson and n before a frame (a paste, a held key): the reset to the setup and the
    step are both done when the first frame of the lesson's run is drawn, at step 1. The tracker
    started only on a drawn frame at step 0, so it never started and no task could be met."""
    app = make_app(CONFIG)
    async with app.run_test(size=SMALL) as pilot:
        await open_lessons(pilot)
        await pilot.press("enter")  # lesson 1; the reset to its setup is queued for the run channel
        await wait_until(lambda: app.lesson_tracker is not None and not isinstance(app.screen, LessonsScreen),
                         what="the lesson chosen, its screen closed", between=pilot.pause)  # fmt: skip
        await pilot.press("n")
        app.channel._handle_commands(block=False)  # the trainer's work: the reset, then the step
        app.draw_frame()
        assert app.channel.latest.step == 1 and app.channel.latest.config == LESSONS[0].config()
        assert app.lesson_tracker.started
        assert set(app.lesson_tracker.checks) == {task.key for task in LESSONS[0].tasks}


async def test_nnplay_lesson_N_opens_the_app_on_it(make_app):
    lesson = LESSONS[5]
    app = make_app(lesson.config())
    app.lesson_tracker = LessonTracker(lesson, Progress())
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert f"▸ 1/3 {lesson.tasks[0].text}" in bar(app)
        assert f"lesson 6/{len(LESSONS)}" in bar(app)


# -- snapshots ----------------------------------------------------------------------------


async def _open_pane(pilot) -> None:
    await open_lessons(pilot)
    assert not pilot.app._notifications


def test_lessons_pane_80x24(make_app, snap_compare):
    assert snap_compare(make_app(CONFIG), terminal_size=SMALL, run_before=_open_pane)


def test_lessons_pane_120x40(make_app, snap_compare):
    assert snap_compare(make_app(CONFIG), terminal_size=(120, 40), run_before=_open_pane)


def test_lesson_bar_80x24(make_app, snap_compare):
    async def start(pilot) -> None:
        await open_lessons(pilot)
        for _ in range(3):
            await pilot.press("down")
        await choose_lesson(pilot)  # lesson 4: circle
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(CONFIG), terminal_size=SMALL, run_before=start)
