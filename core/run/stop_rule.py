"""When a run stops: ``StopReason`` and the rule that gives it, and what divergence says."""

from __future__ import annotations

from enum import StrEnum

from nnplay.core.engine.network import MAX_PARAMETER
from nnplay.core.settings.config import TrainConfig

# A run with a target loss measures the training loss after at most this many updates, so it
# stops close to the target (the CLI and the app alike).
TARGET_LOSS_CHECK_STEPS = 100


class StopReason(StrEnum):
    """Why a run stopped (the CLI's JSON ``stop_reason`` is the value)."""

    DIVERGED = "diverged"
    ITERATIONS = "iterations"
    EPOCHS = "epochs"
    TARGET_LOSS = "target_loss"


def stop_reason(
    c: TrainConfig, step: int, epoch: int, train_loss: float, diverged: bool, iterations: int | None
) -> StopReason | None:
    """Why a run should stop now (reaching step ``iterations``, the epochs, the target loss,
    divergence), or None."""
    if diverged:
        return StopReason.DIVERGED
    if iterations is not None and step >= iterations:
        return StopReason.ITERATIONS
    if c.epochs and epoch >= c.epochs:
        return StopReason.EPOCHS
    if c.target_loss and train_loss <= c.target_loss:
        return StopReason.TARGET_LOSS
    return None


def diverged_message(diverged_at: int, good_step: int) -> str:
    """What happened, short enough for two lines of a pane at 80x24; what to do depends on where
    it is read (the CLI's flags, the app's keys), so the caller adds it."""
    limit = f"{MAX_PARAMETER:.0e}".replace("+", "")
    return (
        f"diverged at step {diverged_at:,}: weights past ±{limit} or NaN; "
        f"back to step {good_step:,}, the last with a finite loss"
    )
