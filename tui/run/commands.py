"""The commands the UI thread sends the run channel (``AppRunChannel``'s queue).

One type per thing the UI may ask of the run. The run channel's worker thread handles each in
``AppRunChannel._handle``; ``what`` names the command in a notice when it fails.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from nnplay.core.run.trainer import Moment, Trainer
from nnplay.core.settings.config import TrainConfig


@dataclass(frozen=True)
class ToggleRun:
    what: ClassVar[str] = "run/pause"


@dataclass(frozen=True)
class Pause:
    what: ClassVar[str] = "pause"


@dataclass(frozen=True)
class Step:
    n: int
    what: ClassVar[str] = "step"


@dataclass(frozen=True)
class RunEpoch:
    what: ClassVar[str] = "epoch"


@dataclass(frozen=True)
class TrainIterations:
    """The article's Train button: ``config.iterations`` updates, then pause."""

    what: ClassVar[str] = "train"


@dataclass(frozen=True)
class Reset:
    """Back to the initial weights; with a config that needs it, a new network and data."""

    config: TrainConfig | None
    what: ClassVar[str] = "reset"


@dataclass(frozen=True)
class ApplySettings:
    """The live settings of ``config`` (the rest wait for a reset)."""

    config: TrainConfig
    what: ClassVar[str] = "settings"


class MakesTrainer(Protocol):
    def trainer(self) -> Trainer: ...


@dataclass(frozen=True)
class Replace:
    """Train ``trainer`` from now on (a loaded session); to a trainer process, the parts its
    child makes the trainer from (``TrainerParts``: a pickled Trainer's views would be copies)."""

    trainer: Trainer | MakesTrainer
    what: ClassVar[str] = "load"


@dataclass(frozen=True)
class Save:
    """Save the session to ``path``; with ``reply``, the outcome goes there (see ``AppRunChannel.save``)."""

    path: str
    reply: Future | int | None = None  # to a trainer process, the token its answer carries back
    what: ClassVar[str] = "save"


@dataclass(frozen=True)
class UseKernel:
    """Train with the compiled kernel (None: numpy), this and every later network."""

    kernel: Any
    what: ClassVar[str] = "kernel"


@dataclass(frozen=True)
class AddPoint:
    x: float
    y: float
    label: float
    what: ClassVar[str] = "add a point"


@dataclass(frozen=True)
class RemoveNearest:
    x: float
    y: float
    what: ClassVar[str] = "remove a point"


@dataclass(frozen=True)
class SetParameter:
    index: int
    value: float
    name: str
    what: ClassVar[str] = "set a parameter"


@dataclass(frozen=True)
class Undo:
    what: ClassVar[str] = "undo"


@dataclass(frozen=True)
class ResumeFrom:
    """Time travel's "go on from here"."""

    moment: Moment
    what: ClassVar[str] = "resume"


Command = (
    ToggleRun
    | Pause
    | Step
    | RunEpoch
    | TrainIterations
    | Reset
    | ApplySettings
    | Replace
    | Save
    | UseKernel
    | AddPoint
    | RemoveNearest
    | SetParameter
    | Undo
    | ResumeFrom
)
