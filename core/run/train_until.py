"""``train_until``: a run trained to its stop condition, with no UI (the CLI, screenshots, tests).

The app's session trains the same way in small, time-boxed chunks between commands; this
is the loop for everything that only waits for the end.
"""

from __future__ import annotations

from collections.abc import Callable

from nnplay.core.run.trainer import TARGET_LOSS_CHECK_STEPS, StopReason, Trainer

CHUNK = 2000  # updates between evaluations: each adds a point to the loss curve and the timeline
# A bounded run (the app's t and e, a lesson's move, a comparison's t) records the loss at least this
# many times along the way: with the compiled kernel the article's 60,000 iterations take ~30 ms,
# under one frame, which left a 1-2 point curve.
POINTS_PER_RUN = 60


def record_interval(steps: int) -> int:
    """Updates between loss records in a bounded run of ``steps`` updates."""
    return max(1, steps // POINTS_PER_RUN)


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
    config = trainer.config
    goal = trainer.step_count + (config.iterations if iterations is None else iterations)
    if config.target_loss:
        chunk = min(chunk, TARGET_LOSS_CHECK_STEPS)
    started = trainer.train_seconds
    while (reason := trainer.should_stop(goal)) is None:
        n = min(chunk, goal - trainer.step_count)
        if config.epochs:
            n = min(n, trainer.steps_to_epoch_end())
        trainer.step(n)
        trainer.evaluate()
        if on_progress is not None:
            on_progress(trainer)
    return reason, trainer.train_seconds - started
