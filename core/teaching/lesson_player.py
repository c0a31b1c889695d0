"""Play a lesson's reference solution headless and check its tasks as the app does.

The moves act as the app's keys do: settings change (live ones at once), ``reset`` is r
(the same first weights; a new network when a change needs one), ``train`` is t (the loss
recorded at least ``train_until.POINTS_PER_RUN`` times along the way). After every record each task is
checked on a fresh snapshot; a task met once stays done, as in the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from nnplay.core.run.train_until import record_interval, train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.teaching.lessons import Check, Lesson


@dataclass(frozen=True)
class PlayResult:
    lesson: Lesson
    met: dict[str, int]  # task key -> step at which it was first met
    last: dict[str, Check]  # task key -> its check on the final snapshot
    seconds: float

    @property
    def passed(self) -> bool:
        return all(task.key in self.met for task in self.lesson.tasks)


def play(lesson: Lesson, on_met: Callable[[str, int], None] | None = None) -> PlayResult:
    """Run ``lesson.solution`` from ``lesson.config()``; which tasks were met, and when."""
    started = time.perf_counter()
    trainer = Trainer(lesson.config())
    met: dict[str, int] = {}
    last: dict[str, Check] = {}

    def check() -> None:
        snap = trainer.snapshot()
        for task in lesson.tasks:
            result = task.goal(snap)
            last[task.key] = result
            if result.met and task.key not in met:
                met[task.key] = snap.step
                if on_met:
                    on_met(task.key, snap.step)

    trainer.evaluate()  # the app records the loss at step 0 when a run is (re)started
    check()
    for move in lesson.solution:
        config = trainer.config.replace(**move.changes)
        if move.reset:
            trainer = Trainer(config) if config.needs_reset(trainer.config) else _restarted(trainer, config)
            trainer.evaluate()
        else:
            trainer.apply_live_settings(config)  # refuses a change that needs a reset
        check()
        train_until(trainer, move.train, chunk=record_interval(move.train), on_progress=lambda _: check())
    return PlayResult(lesson, met, last, time.perf_counter() - started)


def _restarted(trainer: Trainer, config) -> Trainer:
    trainer.apply_live_settings(config)
    trainer.restart()
    return trainer
