"""The learning-rate schedules, written once.

``scheduled_lr`` is plain arithmetic on numbers, so the numpy trainer calls it as it is
and the compiled kernel (``core.engine.kernel_numba``) compiles the very same function.
A schedule spans ``total`` updates and then stays where it ended (cosine: 0, step: lr/8).
"""

from __future__ import annotations

import math

SCHEDULES = ("constant", "step", "cosine")
# The kernel takes a schedule as an integer code (numba compares integers, not strings).
CONSTANT, STEP, COSINE = range(3)
SCHEDULE_CODES = {"constant": CONSTANT, "step": STEP, "cosine": COSINE}


def scheduled_lr(lr: float, code: int, step: int, total: int) -> float:
    """The rate of the update after ``step`` updates of a schedule (``SCHEDULE_CODES``) over ``total``."""
    if code == CONSTANT:
        return lr
    progress = min(step / total, 1.0)
    if code == STEP:
        return lr * 0.5 ** min(math.floor(progress * 4), 3)
    return lr * 0.5 * (1.0 + math.cos(math.pi * progress))
