"""The lessons pane (``L``): pick a lesson, read it, start it; see its tasks and their hints.

Starting a lesson applies its setup (panel and session, as a preset does) and hands the app a
``LessonTracker``, which checks the tasks on every frame the app draws. The pane shows each
task as done or not, with the numbers measured on the latest snapshot, and its hint on ``h``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnplay.core.settings.config import TrainConfig
from nnplay.core.teaching.lesson_progress import Progress
from nnplay.core.teaching.lessons import LESSONS, Lesson
from nnplay.tui.model.lesson_tracker import LessonTracker


def lesson_mark(lesson: Lesson, progress: Progress) -> str:
    done = len(progress.done(lesson.key) & {t.key for t in lesson.tasks})
    return "✓" if done == len(lesson.tasks) else "◐" if done else "·"


def lesson_text(lesson: Lesson, progress: Progress, tracker: LessonTracker | None, hints: bool) -> Text:
    """The lesson's title, its lines, and each task: done or not, measured numbers, hint."""
    number = LESSONS.index(lesson) + 1
    out = Text(f"{number}. {lesson.title}\n", style="bold")
    out.append(" ".join(lesson.text) + "\n")
    following = tracker is not None and tracker.lesson is lesson and tracker.started
    done = progress.done(lesson.key)
    for i, task in enumerate(lesson.tasks, 1):
        out.append("\n")
        out.append("✓ done " if task.key in done else "○ to do", style="bold green" if task.key in done else "")
        out.append(f"  {i}. {task.text}\n")
        if following and task.key in tracker.checks:
            out.append(f"     now: {tracker.checks[task.key].detail}\n", style="italic")
        if hints:
            out.append(f"     hint: {task.hint}\n", style="yellow")
    return out


class LessonsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LessonsScreen { align: center middle; }
    LessonsScreen #lessons-box {
        width: 100%; max-width: 110; height: 100%; max-height: 32; border: thick $primary; background: $surface;
    }
    LessonsScreen #lesson-list { width: 30; height: 1fr; border: none; }
    LessonsScreen #lesson-detail { width: 1fr; height: 1fr; padding: 0 1; }
    LessonsScreen #lesson-keys { dock: bottom; height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("L", "dismiss", "Close", show=False),
        Binding("h", "toggle_hints", "Hints"),
        Binding("x", "leave", "Leave the lesson"),
    ]
    AUTO_FOCUS = "#lesson-list"

    def __init__(self, tracker: LessonTracker | None, progress: Progress) -> None:
        super().__init__()
        self.tracker = tracker
        self.progress = progress
        self.hints = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lessons-box") as box:
            box.border_title = "lessons (checked live)"
            with Horizontal():
                yield OptionList(*self._options(), id="lesson-list")
                with VerticalScroll(id="lesson-detail"):
                    yield Static(id="lesson-text")
            yield Static("↑↓ choose  enter start  h hints  x leave the lesson  esc back", id="lesson-keys")

    def _options(self) -> list[Option]:
        return [
            Option(f"{lesson_mark(lesson, self.progress)} {i}. {lesson.title}", id=lesson.key)
            for i, lesson in enumerate(LESSONS, 1)
        ]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # On the lesson under way; once all its tasks are done, on the next one (the bar says "L, then lesson N").
        at = LESSONS.index(self.tracker.lesson) if self.tracker else 0
        if self.tracker is not None and self.tracker.next_task() is None:
            at = min(at + 1, len(LESSONS) - 1)
        options.highlighted = at
        self._show()
        self.set_interval(0.5, self._show)  # the measured numbers follow the training behind

    @property
    def highlighted(self) -> Lesson:
        index = self.query_one(OptionList).highlighted
        return LESSONS[index or 0]

    def _show(self) -> None:
        text = lesson_text(self.highlighted, self.progress, self.tracker, self.hints)
        widget = self.query_one("#lesson-text", Static)
        if widget.content != text:
            widget.update(text)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        start_lesson(self.app, LESSONS[event.option_index], self.progress)
        self.dismiss()

    def action_leave(self) -> None:
        """Stop following the lesson (the run goes on as it is)."""
        if self.tracker is None:
            return
        self.tracker = None
        leave_lesson(self.app, "left the lesson; L starts one again")
        self._show()

    def action_toggle_hints(self) -> None:
        self.hints = not self.hints
        self._show()


def leave_lesson(app: App, why: str) -> None:
    """Stop following the lesson: its bar goes, and ``why`` is said."""
    from nnplay.tui.widgets.lesson_bar import show_lesson_bar

    app.lesson_tracker = None
    show_lesson_bar(app, None)
    app.notify(why)


def leave_lesson_for(app: App, config: TrainConfig) -> None:
    """A preset is a setup of its own: applying one other than the lesson's setup leaves the lesson
    (its bar, "done" included, spoke of a run that is gone)."""
    tracker = getattr(app, "lesson_tracker", None)
    if tracker is not None and config != tracker.setup:
        leave_lesson(app, f"left lesson {tracker.number}: the preset is another setup; L starts one again")


def open_lessons(app: App) -> None:
    """The ``L`` key: the lessons pane, on the lesson being followed if there is one."""
    tracker = getattr(app, "lesson_tracker", None)
    progress = tracker.progress if tracker is not None else Progress()
    if progress.problem:
        app.notify(progress.problem, severity="warning", timeout=8)
    app.push_screen(LessonsScreen(tracker, progress))


def start_lesson(app: App, lesson: Lesson, progress: Progress) -> LessonTracker:
    """Apply the lesson's setup as a preset is applied, and follow its tasks from now on."""
    from nnplay.tui.widgets.lesson_bar import show_lesson_bar

    app.apply_config(lesson.config())
    tracker = LessonTracker(lesson, progress)
    app.lesson_tracker = tracker
    show_lesson_bar(app, tracker)
    app.notify(f"lesson {tracker.number}: {lesson.title}. {lesson.tasks[0].text}", timeout=8)
    return tracker
