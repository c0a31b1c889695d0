"""The lesson being followed in the app: its tasks checked on every snapshot the app draws.

``NNPlayApp.draw_frame`` hands each new snapshot of the live run to ``observe`` (through
``widgets.lesson_bar.follow_lesson``); a task met for the first time is recorded in the
progress file, announced, and the lesson bar under the views follows. Snapshots of the run
from before the lesson's setup was applied are skipped, so the previous run's accuracy never
counts for the new lesson: the app names that run (``follow_after``), and the lesson's run is
the first of its setup with another ``run_id``, whatever step the first snapshot drawn of it is
at (a lesson chosen and ``t`` pressed in one burst trains past step 0 before a frame). A tracker
given no run to follow after starts on a snapshot of its setup at step 0.
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
        self._run_before: int | None = None  # the run in place when the lesson was chosen

    def follow_after(self, run_id: int) -> None:
        """Start on the first snapshot of the lesson's setup from a run other than ``run_id``."""
        self._run_before = run_id

    @property
    def done(self) -> frozenset[str]:
        return self.progress.done(self.lesson.key)

    def observe(self, snap: Snapshot) -> list[Task]:
        """Check every task on ``snap``; the tasks met for the first time."""
        if not self.started:
            from_before = snap.step != 0 if self._run_before is None else snap.run_id == self._run_before
            if from_before or snap.config != self.setup:
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
