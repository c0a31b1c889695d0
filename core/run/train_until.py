"""``train_until``: a run trained to its stop condition, with no UI (the CLI, screenshots, tests).

It is ``RunLoop`` (core/run/run_loop.py) with a fixed chunk: the app's run channel trains through the
same loop in time-boxed chunks between commands; this is for everything that only waits for the end.
"""

from __future__ import annotations

from collections.abc import Callable

from nnplay.core.run.run_loop import CHUNK, POINTS_PER_RUN, RunLoop, record_interval
from nnplay.core.run.trainer import StopReason, Trainer

__all__ = ["CHUNK", "POINTS_PER_RUN", "record_interval", "train_until"]


def train_until(
    trainer: Trainer,
    iterations: int | None = None,
    *,
    chunk: int = CHUNK,
    on_progress: Callable[[Trainer], None] | None = None,
) -> tuple[StopReason, float]:
    """Train ``iterations`` more updates (None: the config's), or until the configured epochs,
    target loss or a divergence stop the run. Evaluates (and records) after every ``chunk``
    updates and at each epoch's end when epochs are set; a target loss is checked at least every
    ``TARGET_LOSS_CHECK_STEPS``. Returns why it stopped and the seconds spent stepping."""
    goal = trainer.step_count + (trainer.config.iterations if iterations is None else iterations)
    loop = RunLoop([trainer], chunk=chunk)
    loop.start(goal)
    started = trainer.train_seconds
    reason = loop.run(None if on_progress is None else lambda: on_progress(trainer))
    return reason, trainer.train_seconds - started
