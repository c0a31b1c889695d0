"""The one channel between the UI thread and the worker thread that trains.

A channel (``RunChannel``) is a queue of typed commands (tui/run/commands.py) into a worker that
runs ``run``: it handles the commands and trains through the one run loop
(core/run/run_loop.py), publishing immutable snapshots into ``latest`` at most ``fps`` times a
second. The UI's frame timer reads ``latest`` and ``drain_notices()``; it never sees the live
arrays. ``AppRunChannel`` is the app's run; ``ComparisonChannel`` the compare screen's two.
"""

from __future__ import annotations

import math
import queue
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal

from nnplay.core.files.session_file import save_session
from nnplay.core.run.compare import Comparison
from nnplay.core.run.run_loop import RunLoop
from nnplay.core.run.trainer import Moment, Snapshot, StopReason, Trainer, same_data
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.model.frame_budget import CpuShareBudget
from nnplay.tui.run.commands import (
    AddPoint,
    ApplySettings,
    Command,
    Pause,
    RemoveNearest,
    Replace,
    Reset,
    ResumeFrom,
    RunEpoch,
    Save,
    SetParameter,
    Step,
    ToggleRun,
    TrainIterations,
    Undo,
    UseKernel,
)

Severity = Literal["information", "warning", "error"]  # a notice's, as Textual's notify takes it
IDLE_POLL = 0.05
# The kinds of unsaved edit the run channel counts (``unsaved_edits``).
DATA_EDIT, WEIGHT_EDIT, REWIND = "data", "weight", "rewind"


@dataclass(frozen=True)
class Notice:
    text: str
    severity: Severity = "information"

    @property
    def seconds(self) -> float:
        """How long the notice line shows it: an error twice as long, to be read."""
        return 12 if self.severity == "error" else 6


class RunCommands:
    """The UI's side of a run channel: each method sends one typed command (tui/run/commands.py) and
    returns at once; the notices and what a save would keep come back. (A ``RunChannel`` in this
    process, or ``TrainerProcess``'s child.)"""

    _notices: deque[Notice]
    unsaved_steps = 0
    unsaved_edits: dict[str, int] = {}

    _send: Callable[[Command], None]  # the channel's own
    running: bool

    def save_after_stop(self, path: str) -> int:
        """Save now, once no worker trains (the recovery save as the app ends): the step saved."""
        raise NotImplementedError

    def close(self) -> None:
        """End what trains the run; in this process its worker ends with the app, so nothing to do."""

    def toggle_run(self) -> None:
        self._send(ToggleRun())

    def pause(self) -> None:
        self._send(Pause())

    def step(self, n: int = 1) -> None:
        self._send(Step(n))

    def run_epoch(self) -> None:
        self._send(RunEpoch())

    def train_iterations(self) -> None:
        """The article's Train button: ``config.iterations`` updates, then pause."""
        self._send(TrainIterations())

    def reset(self, config: TrainConfig | None = None) -> None:
        """Back to the initial weights; with a config that needs it, a new network and data."""
        self._send(Reset(config))

    def apply_settings(self, config: TrainConfig) -> None:
        self._send(ApplySettings(config))

    def replace(self, trainer: Trainer) -> None:
        self._send(Replace(trainer))

    def save(self, path: str, reply: Future[int] | None = None) -> None:
        """Save on the worker thread. The outcome is a notice; or, with ``reply``, ``reply``'s
        result (the step saved) or exception (the OSError), for the caller to report."""
        self._send(Save(path, reply))

    def set_kernel(self, kernel) -> None:
        """Train with the compiled kernel from now on (this and every later network)."""
        self._send(UseKernel(kernel))

    def add_point(self, x: float, y: float, label: float) -> None:
        self._send(AddPoint(x, y, label))

    def remove_nearest(self, x: float, y: float) -> None:
        self._send(RemoveNearest(x, y))

    def set_parameter(self, index: int, value: float, name: str) -> None:
        self._send(SetParameter(index, value, name))

    def undo(self) -> None:
        self._send(Undo())

    def resume_from(self, moment: Moment) -> None:
        """Time travel's "go on from here": the run continues from ``moment``."""
        self._send(ResumeFrom(moment))

    @property
    def unsaved(self) -> bool:
        """Whether the run has steps or edits that no save (nor the file it was loaded from) holds."""
        return self.unsaved_steps > 0 or bool(self.unsaved_edits)

    def drain_notices(self) -> list[Notice]:
        out = []
        while self._notices:
            out.append(self._notices.popleft())
        return out


class AppRunCommands(RunCommands):
    """The app's one run, whichever side trains it (``AppRunChannel``'s worker in this process,
    or ``TrainerProcess``'s child): its newest snapshot, and whether no worker trains it now."""

    latest: Snapshot
    stopped: bool


class RunChannel:
    """Commands in, snapshots and notices out, around one ``RunLoop`` that the worker (``run``)
    owns exclusively. Subclasses say what each command does (``_handle``) and what is published."""

    def __init__(self, trainers: list[Trainer], fps: float) -> None:
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._notices: deque[Notice] = deque(maxlen=32)
        # Snapshots come at most fps times a second, and further apart when measuring one (the
        # loss and accuracy over every point) would take more than the budget's share of training.
        self.loop = RunLoop(
            trainers, budget=CpuShareBudget(fps), publish=self._publish, stepped=self._stepped, stopped=self._stopped
        )
        self.commands_handled = 0
        self.stopped = False  # set once the worker's run has returned

    @property
    def running(self) -> bool:
        return self.loop.running

    @running.setter
    def running(self, value: bool) -> None:
        self.loop.running = value

    @property
    def publish_budget(self):
        return self.loop.budget

    @publish_budget.setter
    def publish_budget(self, budget) -> None:
        self.loop.budget = budget

    def _send(self, command: Command) -> None:
        self._commands.put(command)

    # -- the worker thread -------------------------------------------------------------

    def run(self, is_cancelled: Callable[[], bool]) -> None:
        try:
            while not is_cancelled():
                self._handle_commands(block=not self.loop.running, is_cancelled=is_cancelled)
                if self.loop.running and not self._holds():
                    self.loop.advance()
                self._round_done()
        finally:
            self.stopped = True  # the trainer is free for save_after_stop

    def _handle_commands(self, block: bool, is_cancelled: Callable[[], bool] = lambda: False) -> None:
        try:
            command = self._commands.get(timeout=IDLE_POLL) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            try:
                self._handle(command)
            except Exception as exc:  # a command must never kill the worker
                self._notices.append(Notice(f"{command.what} failed: {exc}", "error"))
            self.commands_handled += 1
            if is_cancelled():
                return  # quitting: a backlog of commands must not hold the worker up
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return

    def _round_done(self) -> None:
        """A round of the worker's loop (the commands waiting, a chunk) is done."""

    def _holds(self) -> bool:
        """Whether the runs wait this round instead of training (a comparison's run in step with its partner's)."""
        return False

    def _handle(self, command: Command) -> None:
        raise NotImplementedError

    def _publish(self) -> None:
        raise NotImplementedError

    def _stepped(self, done: int) -> None:
        """A chunk of ``done`` updates was trained."""

    def _stopped(self, reason: StopReason) -> None:
        """The runs stopped, for ``reason``; their final snapshot is published next."""


class AppRunChannel(AppRunCommands, RunChannel):
    """The app's run: one trainer, its edits, saves and loads, and what a save would keep."""

    def __init__(self, trainer: Trainer, fps: float = 15.0) -> None:
        super().__init__([trainer], fps)
        self.kernel = None  # core.engine.kernel's compiled step, once it has compiled in the background
        self.latest: Snapshot = trainer.snapshot()
        # Work a save would keep: steps trained and edits made since the last save, load or reset.
        # The edits are counted by kind (DATA_EDIT, WEIGHT_EDIT, REWIND); the worker replaces the
        # dict rather than changing it, so the UI thread always reads a whole one.
        self.unsaved_steps = 0
        self.unsaved_edits: dict[str, int] = {}

    @property
    def _trainer(self) -> Trainer:
        return self.loop.trainers[0]

    @_trainer.setter
    def _trainer(self, trainer: Trainer) -> None:
        self.loop.trainers = [trainer]

    def save_after_stop(self, path: str) -> int:
        """Save on the calling thread; returns the step saved. Only once the worker has stopped
        (``stopped``, or it never ran): while it runs, the trainer is the worker's alone (the
        app's save is ``save``)."""
        save_session(self._trainer, path)
        self._mark_saved()
        return self._trainer.step_count

    def _mark_saved(self) -> None:
        self.unsaved_steps = 0
        self.unsaved_edits = {}

    # -- the worker thread -------------------------------------------------------------

    def _stepped(self, done: int) -> None:
        self.unsaved_steps += done
        trainer, loop = self._trainer, self.loop
        c, before = trainer.config, trainer.step_count - done
        going_on = loop.goal is None or trainer.step_count < loop.goal  # t ends there anyway
        if c.schedule != "constant" and before < c.iterations <= trainer.step_count and going_on:
            self._notices.append(
                Notice(
                    f"the {c.schedule} schedule ended at step {c.iterations:,}: the learning rate stays "
                    f"at {trainer.learning_rate():g} from here",
                    "warning",
                )
            )

    def _stopped(self, reason: StopReason) -> None:
        # Said before the final snapshot is published: the screen never says "diverged" without saying why.
        trainer = self._trainer
        if reason is StopReason.DIVERGED:
            self._notices.append(Notice(trainer.message, "error"))
        elif reason is StopReason.ITERATIONS and self.loop.goal_kind == "epoch":
            self._notices.append(Notice(f"trained one epoch; paused at step {trainer.step_count:,}"))
        elif reason is StopReason.ITERATIONS:
            self._notices.append(
                Notice(f"trained {trainer.config.iterations:,} iterations; paused at step {trainer.step_count:,}")
            )
        elif reason is StopReason.EPOCHS:
            self._notices.append(Notice(f"reached {trainer.config.epochs:,} epochs; paused"))
        elif reason is StopReason.TARGET_LOSS:
            self._notices.append(Notice(f"training loss reached the target {trainer.config.target_loss:g}; paused"))

    def _publish(self) -> None:
        self._trainer.evaluate()
        self.latest = self._trainer.snapshot()

    def _handle(self, command: Command) -> None:
        match command:
            case ToggleRun():
                self._toggle()
            case Pause():
                self._pause()
            case Step(n):
                self._step(n)
            case RunEpoch():
                self._start(self._trainer.step_count + self._trainer.steps_to_epoch_end(), "epoch")
            case TrainIterations():
                self._start(self._trainer.step_count + self._trainer.config.iterations)
            case Reset(config):
                self._reset(config)
            case ApplySettings(config):
                self._apply_settings(config)
            case Replace(Trainer() as trainer):  # a trainer process's child gets parts, and makes one
                self._replace(trainer)
            case Save(path, None | Future() as reply):  # a child's save carries a token instead
                self._save(path, reply)
            case UseKernel(kernel):
                self._use_kernel(kernel)
            case AddPoint(x, y, label):
                self._edit(lambda trainer: trainer.add_point(x, y, label), DATA_EDIT)
            case RemoveNearest(x, y):
                self._edit(lambda trainer: trainer.remove_nearest(x, y), DATA_EDIT)
            case SetParameter(index, value, name):
                self._edit(lambda trainer: trainer.set_parameter(index, value, name), WEIGHT_EDIT)
            case Undo():
                self._undo()
            case ResumeFrom(moment):
                self._edit(lambda trainer: trainer.resume_from(moment) + ": space trains on from here", REWIND)
            case _:
                raise TypeError(f"not a run-channel command: {command!r}")

    def _start(self, goal: int | None, kind: str = "iterations") -> None:
        trainer = self._trainer
        if trainer.diverged_at is not None:
            self._notices.append(
                Notice(f"diverged at step {trainer.diverged_at:,}: lower the rate, then press r to reset", "error")
            )
            return
        if trainer.learning_rate() == 0.0:
            c = trainer.config
            self._notices.append(
                Notice(
                    f"the {c.schedule} schedule has brought the learning rate to 0 (it spans the "
                    f"{c.iterations:,} iterations): nothing will change; set schedule constant or press r",
                    "warning",
                )
            )
        self.loop.start(goal, kind)

    def _toggle(self) -> None:
        if self.running:
            self._pause()
        else:
            self._start(None)

    def _pause(self) -> None:
        # Publish first: a UI that sees running == False then already has the final snapshot.
        self._publish()
        self.loop.halt()

    def _step(self, n: int) -> None:
        self.loop.halt()
        self.unsaved_steps += self._trainer.step(n)
        if self._trainer.diverged_at is not None:
            self._notices.append(Notice(self._trainer.message, "error"))
        self._publish()

    def _reset(self, config: TrainConfig | None) -> None:
        self.loop.halt()
        trainer = self._trainer
        edits = len(trainer.edits)
        if config is not None and config.needs_reset(trainer.config):
            if same_data(config, trainer.config):
                # A new network on the same data keeps the data as edited, and its edits undoable.
                self._trainer = Trainer(config, data=trainer.data)
                self._trainer.adopt_data_edits(trainer)
            else:
                self._trainer = Trainer(config)
            self._trainer.use_kernel(self.kernel, when_faster=True)
        else:
            if config is not None:
                trainer.apply_live_settings(config)
            trainer.restart()
        self._say_edits_lost(edits - len(self._trainer.edits))
        # Back to step 0: no step and no weight edit is left that a save would keep, but edited
        # data that the new run keeps is still only here.
        kept = self.unsaved_edits.get(DATA_EDIT, 0) if self._trainer.data is trainer.data else 0
        self._mark_saved()
        if kept:
            self.unsaved_edits = {DATA_EDIT: kept}
        self._publish()

    def _say_edits_lost(self, lost: int) -> None:
        if lost > 0:
            what = "edit" if lost == 1 else "edits"
            self._notices.append(Notice(f"reset: the {lost} {what} before it can no longer be undone", "warning"))

    def _apply_settings(self, config: TrainConfig) -> None:
        # Only the live settings, onto the trainer's own config: ``config`` may come from a snapshot
        # older than a reset or load still in this queue (a new data set or network), which would refuse it.
        trainer = self._trainer
        trainer.apply_live_settings(trainer.config.with_live_settings_of(config))
        self._publish()

    def _replace(self, trainer: Trainer) -> None:
        self.loop.halt()
        self._say_edits_lost(len(self._trainer.edits))
        self._trainer = trainer
        trainer.use_kernel(self.kernel, when_faster=True)
        self._mark_saved()  # a loaded session: its file holds it
        self._publish()

    def _save(self, path: str, reply: Future | None) -> None:
        try:
            save_session(self._trainer, path)
        except Exception as exc:  # whatever the failure, a caller waiting on ``reply`` hears of it
            if reply is not None:
                reply.set_exception(exc)
            elif isinstance(exc, OSError):
                self._notices.append(Notice(f"could not save {path}: {exc.strerror or exc}", "error"))
            else:
                raise  # said as "save failed: ..." by the command loop
            return
        self._mark_saved()
        if reply is not None:
            reply.set_result(self._trainer.step_count)
        else:
            self._notices.append(Notice(f"saved step {self._trainer.step_count:,} to {path}"))

    def _use_kernel(self, kernel) -> None:
        self.kernel = kernel
        self._trainer.use_kernel(kernel, when_faster=True)
        self._publish()

    def _undo(self) -> None:
        """An undo is an edit of what it takes back; with nothing to take back it changes nothing."""
        edits = self._trainer.edits
        if not edits:
            self._notices.append(Notice(self._trainer.undo()))
            return
        self._edit(lambda trainer: trainer.undo(), DATA_EDIT if edits[-1].data is not None else WEIGHT_EDIT)

    def _edit(self, fn: Callable[[Trainer], str], kind: str) -> None:
        """A change to the run of ``kind`` (an edit of the data or a weight, a rewind): its message
        becomes a notice; a refusal (ValueError) is said plainly and changes nothing."""
        try:
            text = fn(self._trainer)
        except ValueError as exc:  # a refused edit (no such class, the last point): say why, plainly
            self._notices.append(Notice(str(exc), "error"))
            return
        self.unsaved_edits = {**self.unsaved_edits, kind: self.unsaved_edits.get(kind, 0) + 1}
        if text:
            self._notices.append(Notice(text))
        self._publish()


class ComparisonChannel(RunCommands, RunChannel):
    """The compare screen's two runs (core/run/compare.py), trained in step through the same loop."""

    def __init__(self, comparison: Comparison, fps: float = 15.0) -> None:
        super().__init__(comparison.trainers, fps)
        self.comparison = comparison
        comparison.evaluate()
        self.latest: tuple[Snapshot, Snapshot] = comparison.snapshots()

    def _handle(self, command: Command) -> None:
        comparison, loop = self.comparison, self.loop
        match command:
            case ToggleRun():
                loop.halt() if loop.running else loop.start()
            case Step(n):
                loop.halt()
                comparison.step(n)
            case TrainIterations():
                loop.start(comparison.step_count + comparison.trainers[0].config.iterations)
            case Reset():
                loop.halt()
                comparison.restart()
            case _:
                raise TypeError(f"not a comparison command: {command!r}")
        if loop.running and loop.should_stop() is not None:
            loop.halt()  # both runs are done: space or t would do nothing
        self._publish()

    def _publish(self) -> None:
        self.comparison.evaluate()
        self.latest = self.comparison.snapshots()


def fps_for_environment(requested: float | None, environ: dict[str, str]) -> tuple[float, str]:
    """The frame-rate cap and why: lower over SSH so a slow link is not flooded."""
    if requested is not None and math.isfinite(requested):
        return requested, f"{requested:g} fps (--fps)"
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return 8.0, "8 fps (SSH detected)"
    return 15.0, "15 fps"
