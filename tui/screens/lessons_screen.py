"""The lessons pane (``L``): pick a lesson, read it, start it; see its tasks and their hints.

Choosing a lesson posts ``LessonChosen`` with a ``LessonTracker`` for it; the app applies its
setup (panel and run channel, as a preset does) and checks the tasks on every frame it draws.
Leaving the lesson (``x``) posts ``LessonChosen`` with none. The pane shows each
task as done or not, with the numbers measured on the latest snapshot, and its hint on ``h``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

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
    following = tracker if tracker is not None and tracker.lesson is lesson and tracker.started else None
    done = progress.done(lesson.key)
    for i, task in enumerate(lesson.tasks, 1):
        out.append("\n")
        out.append("✓ done " if task.key in done else "○ to do", style="bold green" if task.key in done else "")
        out.append(f"  {i}. {task.text}\n")
        if following is not None and task.key in following.checks:
            out.append(f"     now: {following.checks[task.key].detail}\n", style="italic")
        if hints:
            out.append(f"     hint: {task.hint}\n", style="yellow")
    return out


class LessonChosen(Message):
    """The lesson to follow from now on (its setup applied first); None: leave the lesson, the run goes on as it is."""

    def __init__(self, tracker: LessonTracker | None) -> None:
        super().__init__()
        self.tracker = tracker


class LessonsScreen(ModalScreen[None]):
    """The lessons and their tasks, done or not; a lesson chosen or left is posted (``LessonChosen``)."""

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

    def __init__(self, tracker: LessonTracker | None, progress: Progress | None = None) -> None:
        """On ``tracker``'s lesson if one is followed; ``progress`` is the tracker's by default."""
        super().__init__()
        self.tracker = tracker
        self.progress = progress if progress is not None else tracker.progress if tracker is not None else Progress()
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
        if self.progress.problem:  # the progress file could not be read: said, and the lessons start afresh
            self.notify(self.progress.problem, severity="warning", timeout=8)
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
        lesson = LESSONS[event.option_index]
        self.notify(f"lesson {LESSONS.index(lesson) + 1}: {lesson.title}. {lesson.tasks[0].text}", timeout=8)
        self.app.post_message(LessonChosen(LessonTracker(lesson, self.progress)))  # to the app: this screen closes
        self.dismiss()

    def action_leave(self) -> None:
        """Stop following the lesson (the run goes on as it is)."""
        if self.tracker is None:
            return
        self.tracker = None
        self.post_message(LessonChosen(None))
        self.notify("left the lesson; L starts one again")
        self._show()

    def action_toggle_hints(self) -> None:
        self.hints = not self.hints
        self._show()
