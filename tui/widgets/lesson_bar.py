"""Two lines under the views while a lesson is followed: its progress and the task at hand."""

from __future__ import annotations

from rich.text import Text
from textual.app import App
from textual.css.query import NoMatches
from textual.widgets import Static

from nnplay.core.run.trainer import Snapshot
from nnplay.core.teaching.lessons import LESSONS
from nnplay.tui.model.lesson_tracker import LessonTracker


class LessonBar(Static):
    DEFAULT_CSS = """
    LessonBar { height: 2; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    Screen.-too-small LessonBar { display: none; }
    """


def bar_text(tracker: LessonTracker) -> Text:
    """Line 1: the task at hand (or "all done"); line 2: where the lesson is and the measured numbers."""
    lesson = tracker.lesson
    n_tasks = len(lesson.tasks)
    where = f"lesson {tracker.number}/{len(LESSONS)} (L: hints)  "
    task = tracker.next_task()
    if task is None:
        following = LESSONS[tracker.number] if tracker.number < len(LESSONS) else None
        then = f"L, then lesson {tracker.number + 1}: {following.title}" if following else "L: the lessons"
        return Text.assemble(
            (f"✓ {lesson.title}: {'all ' + str(n_tasks) + ' tasks' if n_tasks > 1 else 'its task'} done", "bold green"),
            f"\nlesson {tracker.number}: {then}",
        )
    index = lesson.tasks.index(task) + 1
    check = tracker.checks.get(task.key)
    return Text.assemble(
        (f"▸ {index}/{n_tasks} ", "bold"),
        task.text,
        "\n",
        where,
        (check.detail if check else "waiting for the lesson's setup", "italic"),
    )


def show_lesson_bar(app: App, tracker: LessonTracker | None) -> None:
    """Show (mounting it on the main screen the first time) or remove the lesson bar."""
    main = app.screen_stack[0]
    try:
        bar = main.query_one(LessonBar)
    except NoMatches:
        bar = None
    if tracker is None:
        if bar is not None:
            bar.remove()
        return
    text = bar_text(tracker)
    if bar is None:
        main.mount(LessonBar(text, id="lesson-bar"), after="#body")  # under the panes, above the footer
    elif bar.content != text:
        bar.update(text)


def follow_lesson(app: App, tracker: LessonTracker, snap: Snapshot) -> None:
    """The tracker's ``observe`` for the app: announce what was met and refresh the lesson bar."""
    for task in tracker.observe(snap):
        app.notify(f"✓ done: {task.text}", title=f"lesson {tracker.number}")
    show_lesson_bar(app, tracker)
