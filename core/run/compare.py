"""Two runs side by side: the same data and the same first weights, one setting apart, in step.

``parse_comparison("lr=0.03,lr=3")`` reads the two values of one setting; ``Comparison``
builds both trainers from a base config (sharing one ``Dataset``), refuses a setting that
would change the data or the first weights (then the runs would differ in more than that
setting), and steps the two in lockstep so their snapshots always belong to the same step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core.run.trainer import TARGET_LOSS_CHECK_STEPS, Snapshot, StopReason, Trainer, make_data
from nnplay.core.settings.config import FIELDS, ConfigError, TrainConfig, parse_value, unused_reason

SPEC = re.compile(r"\s*(\w+)\s*=(.*?),\s*\1\s*=(.*)")
ALLOWED = "NAME=A,NAME=B with one setting twice, e.g. lr=0.03,lr=3 or backprop=correct,backprop=article-v2"


@dataclass(frozen=True)
class Side:
    name: str
    value: Any

    @property
    def label(self) -> str:
        if isinstance(self.value, tuple):
            value = ",".join(map(str, self.value)) or "none"
        else:
            value = f"{self.value:g}" if isinstance(self.value, float) else str(self.value)
        return f"{self.name}={value}"


def parse_comparison(text: str) -> tuple[Side, Side]:
    """``NAME=A,NAME=B`` as two checked values of one setting; ConfigError says what is wrong."""
    match = SPEC.fullmatch(text)
    if not match:
        raise ConfigError("compare", text, ALLOWED)
    name, a, b = match.group(1), match.group(2), match.group(3)
    if name not in FIELDS:
        raise ConfigError("compare", text, "a setting from " + ", ".join(FIELDS))
    if FIELDS[name].kind == "path":
        raise ConfigError("compare", text, f"a setting, not a file path ({name}: both runs share one data set)")
    left, right = parse_value(name, a), parse_value(name, b)
    if left == right:
        raise ConfigError("compare", text, "two different values of the setting")
    return Side(name, left), Side(name, right)


class Comparison:
    def __init__(self, base: TrainConfig, sides: tuple[Side, Side]) -> None:
        self.sides = sides
        configs = [base.replace(**{side.name: side.value}) for side in sides]
        unused = unused_reason(configs[0], sides[0].name)
        if unused:
            raise ConfigError("compare", sides[0].name, f"a setting the runs use (not this one: {unused})")
        data = make_data(configs[0])
        if not _same_data(data, make_data(configs[1])):
            raise ConfigError("compare", sides[0].name, "a setting that keeps the data (the runs share it)")
        self.trainers = [Trainer(config, data) for config in configs]
        a, b = (t.net.params for t in self.trainers)
        if a.shape != b.shape or not np.array_equal(a, b):
            raise ConfigError("compare", sides[0].name, "a setting that keeps the first weights (not layers, init...)")

    def step(self, n: int, goal: int | None = None) -> int:
        """``n`` updates of each run that goes on: one that diverged stays at its last good step, one
        that reached step ``goal``, its epochs or its target loss waits (``Trainer.should_stop``),
        and the other goes on. The most updates either took."""
        return max([t.step(n) if t.should_stop(goal) is None else 0 for t in self.trainers])

    def should_stop(self, goal: int | None = None) -> StopReason | None:
        """Why the comparison stops now: neither run goes on (the first run's reason), or None."""
        reasons = [t.should_stop(goal) for t in self.trainers]
        return None if None in reasons else reasons[0]

    def chunk_limit(self, n: int) -> int:
        """``n`` cut so no run that goes on steps past its epoch's end (where its epochs are set) or
        goes longer unmeasured than a target loss allows."""
        going = [t for t in self.trainers if t.should_stop() is None]
        limits = [t.steps_to_epoch_end() for t in going if t.config.epochs]
        limits += [TARGET_LOSS_CHECK_STEPS for t in going if t.config.target_loss]
        return max(1, min([n, *limits]))

    def evaluate(self) -> None:
        for trainer in self.trainers:
            trainer.evaluate()

    def restart(self) -> None:
        for trainer in self.trainers:
            trainer.restart()

    def snapshots(self) -> tuple[Snapshot, Snapshot]:
        first, second = (t.snapshot() for t in self.trainers)
        return first, second

    @property
    def step_count(self) -> int:
        return max(t.step_count for t in self.trainers)


def _same_data(a, b) -> bool:
    return all(
        np.array_equal(getattr(a, name), getattr(b, name)) for name in ("X_train", "y_train", "X_test", "y_test")
    )
