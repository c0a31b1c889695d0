"""The lesson being followed in the app: its tasks checked on every snapshot the app draws.

``NNPlayApp.draw_frame`` hands each new snapshot of the live run to ``observe`` (through
``widgets.lesson_bar.follow_lesson``); a task met for the first time is recorded in the
progress file, announced, and the lesson bar under the views follows. Snapshots of the run
from before the lesson's setup was applied are skipped, so the previous run's accuracy never
counts for the new lesson.
"""

from __future__ import annotations

from nnplay.core.run.trainer import Snapshot
from nnplay.core.teaching.lesson_progress import Progress
from nnplay.core.teaching.lessons import LESSONS, Check, Lesson, Task


class LessonTracker:
    def __init__(self, lesson: Lesson, progress: Progress) -> None:
        self.lesson = lesson
        self.number = LESSONS.index(lesson) + 1
        self.progress = progress
        self.setup = lesson.config()
        self.started = False  # True once a snapshot of the lesson's own setup has been seen
        self.checks: dict[str, Check] = {}

    @property
    def done(self) -> frozenset[str]:
        return self.progress.done(self.lesson.key)

    def observe(self, snap: Snapshot) -> list[Task]:
        """Check every task on ``snap``; the tasks met for the first time."""
        if not self.started:
            if snap.step != 0 or snap.config != self.setup:
                return []  # still the run from before the setup was applied
            self.started = True
        newly = []
        for task in self.lesson.tasks:
            check = task.goal(snap)
            self.checks[task.key] = check
            if check.met and self.progress.mark(self.lesson.key, task.key):
                newly.append(task)
        return newly

    def next_task(self) -> Task | None:
        """The first task not done yet, or None when the lesson is complete."""
        done = self.done
        return next((t for t in self.lesson.tasks if t.key not in done), None)
