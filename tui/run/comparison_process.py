"""The compare screen's two runs, each trained by a child process of its own, so both cores train.

``ComparisonProcesses`` is the UI's side: a ``TrainerProcess`` (tui/run/trainer_process.py) per
run, the same child, commands and snapshot wire as the app's run, and the same reads as the
in-process ``ComparisonChannel`` (``latest``: the pair of newest snapshots, ``running``,
``drain_notices``). The UI holds no trainer that trains: the comparison's own trainers only
seeded the children. Each command goes to both children, and the two keep in step through a
shared block (tui/run/pace.py): the one that leads waits, so the pair's snapshots show the two
at nearly one step, as the one-thread comparison did, while both cores train. A child that dies leaves its last
snapshot on screen with a line that says so; ``reset`` then starts it again from that snapshot
(the other run goes on untouched), and otherwise resets both to the shared first weights.
"""

from __future__ import annotations

from collections import deque

from nnplay.core.run.compare import Comparison
from nnplay.core.run.trainer import Snapshot
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.channel import Notice, RunCommands
from nnplay.tui.run.commands import Command
from nnplay.tui.run.pace import shared_block
from nnplay.tui.run.trainer_process import TrainerProcess

SAID = ("warning", "error")  # the children's notices the screen says; "trained 300 iterations" twice is noise


class ComparisonProcesses(RunCommands):
    """The two runs of ``comparison`` in two trainer processes; see the module's docstring."""

    def __init__(self, comparison: Comparison, fps: float = 15.0) -> None:
        self.comparison = comparison
        self._notices: deque[Notice] = deque(maxlen=32)
        comparison.evaluate()
        self._pace = shared_block()  # the two keep in step through it (tui/run/pace.py)
        fd = self._pace.fileno()
        self.sides = [TrainerProcess(trainer, fps, (fd, row)) for row, trainer in enumerate(comparison.trainers)]
        self._pair = self._newest()

    def _newest(self) -> tuple[Snapshot, Snapshot]:
        first, second = (side.latest for side in self.sides)
        return first, second

    @property
    def latest(self) -> tuple[Snapshot, Snapshot]:
        """The newest pair: the same tuple until either side has a new snapshot (a frame is drawn
        when the pair on screen is not this one)."""
        pair = self._newest()
        if any(new is not old for new, old in zip(pair, self._pair, strict=True)):
            self._pair = pair
        return self._pair

    @property
    def running(self) -> bool:  # type: ignore[override]  # read only: the children say whether they train
        return any(side.running for side in self.sides)

    def _send(self, command: Command) -> None:
        for side in self.sides:
            side._send(command)

    def toggle_run(self) -> None:
        """Pause both if either trains, else start both: the two stay of one mind."""
        if self.running:
            self.pause()
        else:
            super().toggle_run()

    def reset(self, config: TrainConfig | None = None) -> None:
        dead = [side for side in self.sides if side.dead is not None]
        for side in dead:
            side.restart()
            self._take(side, (*SAID, "information"))  # "a new trainer process goes on from step N"
        if not dead:
            super().reset(config)

    def _take(self, side: TrainerProcess, said: tuple[str, ...] = SAID) -> None:
        """``side``'s notices of a severity in ``said``, each led by its run's label."""
        label = self.comparison.sides[self.sides.index(side)].label
        said_here = [n for n in side.drain_notices() if n.severity in said]
        self._notices.extend(Notice(f"{label}: {n.text}", n.severity) for n in said_here)

    def drain_notices(self) -> list[Notice]:
        for side in self.sides:
            self._take(side)
        return super().drain_notices()

    def close(self) -> None:
        """End both children (asked, then killed if they do not go)."""
        for side in self.sides:
            side.close()
        self._pace.close()
