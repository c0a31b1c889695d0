"""``Trainer`` steps a network on a data set and publishes ``Snapshot``s of it.

The trainer is owned by one thread (the app's worker or the CLI loop). Readers on other
threads only ever see ``Snapshot`` objects (``core.run.snapshot``). It composes its parts:
``BatchOrder`` (the epoch's sample order), ``NumpySteps`` and ``KernelSteps`` (the updates),
``core.run.data_edits`` (edits and undo), ``core.run.evaluation`` (measuring), ``RunHistory`` (the
loss curves and the timeline), ``RunState`` (checkpoints, time travel) and ``core.run.stop_rule``.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import replace

import numpy as np

from nnplay.core.data.datasets import Dataset, DatasetError, make_dataset
from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.kernel import Kernel
from nnplay.core.engine.network import Network
from nnplay.core.engine.optim import Optimizer
from nnplay.core.run.batch_order import BatchOrder
from nnplay.core.run.classify import FIRST_ROUND, Classification, classify_points
from nnplay.core.run.data_edits import (
    MAX_TRAIN_POINTS,
    UNDO_LEVELS,
    Edit,
    check_parameter,
    forget_weight_edits,
    nearest_removed,
    new_edits,
    point_added,
)
from nnplay.core.run.evaluation import Evaluation, Split, StepRate, evaluate, targets_for
from nnplay.core.run.history import HISTORY_FIELDS, RingBuffer, RunHistory, Timeline
from nnplay.core.run.kernel_step import KernelSteps
from nnplay.core.run.path_recorder import PathRecorder
from nnplay.core.run.snapshot import Snapshot, TrainOutputs, frozen_copy
from nnplay.core.run.state import Moment, RunState, capture, restore
from nnplay.core.run.stepping import NumpySteps, Progress, scheduled_rate
from nnplay.core.run.stop_rule import TARGET_LOSS_CHECK_STEPS, StopReason, diverged_message, stop_reason
from nnplay.core.settings.config import TrainConfig, regression_fit_error
from nnplay.core.settings.memory_budget import HISTORY_CAPACITY, n_test_points

# The names the trainer has always offered, wherever they are defined now.
__all__ = [
    "DATA_FIELDS", "HISTORY_CAPACITY", "HISTORY_FIELDS", "MAX_TRAIN_POINTS", "TARGET_LOSS_CHECK_STEPS",
    "UNDO_LEVELS", "Edit", "Evaluation", "Moment", "RingBuffer", "RunState", "Snapshot", "StopReason",
    "Timeline", "Trainer", "diverged_message", "make_data", "same_data", "scheduled_rate", "targets_for",
]  # fmt: skip

# The settings that make the data set: a new network with these unchanged keeps the (edited) data.
DATA_FIELDS = ("dataset", "csv_path", "noise", "train_size", "test_ratio", "data_seed")


class Trainer:
    def __init__(self, config: TrainConfig, data: Dataset | None = None) -> None:
        self.config = config
        # Undo history. Data edits survive restart() (the data stays); weight edits do not (the
        # weights go back to their initial values). A new Trainer starts with none of them.
        self.edits = new_edits()
        self.data = data if data is not None else make_data(config)
        self.regression = self.data.is_regression
        if self.regression and regression_fit_error(config.loss, config.output):
            raise DatasetError(
                "its labels are numbers to fit (regression): use loss mse and a tanh, linear or sigmoid output"
            )
        n_out = 1 if self.regression else self.data.n_classes
        self.net = Network(
            [len(config.features), *config.layers, n_out],
            activation=config.hidden_activations,
            output=config.output,
            loss=config.loss,
            init=config.init,
            seed=config.seed,
        )
        self.initial_params = self.net.params.copy()
        self.numpy_steps = NumpySteps(self.net, config.seed)
        self._prepare_data()
        self.optimizer = Optimizer("sgd", self.net.params.size, self.net.n_weights)
        self.apply_live_settings(config)
        self.record = RunHistory(self.net.params.size)
        self.path = PathRecorder(self.net.params.size)
        self.batches = BatchOrder(len(self.X_train), config.seed)
        self.kernel_steps: KernelSteps | None = None  # the compiled step (core.engine.kernel), when numba is installed
        self.rate = StepRate()
        self.train_outputs = TrainOutputs()
        self.restart()

    def _prepare_data(self) -> None:
        c, n_out = self.config, self.net.sizes[-1]
        self.X_train = feature_matrix(self.data.X_train, c.features)
        self.X_test = feature_matrix(self.data.X_test, c.features)
        self.Y_train = targets_for(self.data.y_train, n_out, c.output, self.regression)
        self.Y_test = targets_for(self.data.y_test, n_out, c.output, self.regression)
        self.numpy_steps.buffers = None  # made for these data at the first step

    # -- the parts' state, under the names it has always had --------------------------------

    history = property(lambda self: self.record.metrics, doc="the metrics of the recorded evaluations")
    timeline = property(lambda self: self.record.timeline)
    rng = property(lambda self: self.batches.rng, doc="the batch order's generator")
    dropout_rng = property(lambda self: self.numpy_steps.dropout_rng)
    steps_per_second = property(lambda self: self.rate.per_second)
    kernel = property(
        lambda self: self.kernel_steps and self.kernel_steps.kernel,
        lambda self, kernel: self.use_kernel(kernel, self.kernel_when_faster),
        doc="the compiled step (core.engine.kernel) when numba is installed, or None",
    )
    kernel_when_faster = property(lambda self: bool(self.kernel_steps and self.kernel_steps.when_faster))

    # -- editing the data and the weights (core.run.data_edits) -----------------------------------

    def add_point(self, x: float, y: float, label: float) -> str:
        """Add a training point (the app's data editor); the network keeps training on the new set."""
        X, y_, edit = point_added(self.data, x, y, label, self.regression)
        self.edits.append(edit)
        self._set_data(X, y_)
        return f"{edit.what}; {len(self.data.X_train):,} training points"

    def remove_nearest(self, x: float, y: float) -> str:
        """Remove the training point nearest (x, y); at least one point always stays."""
        X, y_, edit = nearest_removed(self.data, x, y)
        self.edits.append(edit)
        self._set_data(X, y_)
        return f"{edit.what}; {len(self.data.X_train):,} training points (ctrl+z undoes)"

    def set_parameter(self, index: int, value: float, name: str = "parameter") -> str:
        """Set one weight or bias (the diagram's edit); ``name`` is how the messages call it."""
        check_parameter(index, value, self.net.params.size, name)
        old = float(self.net.params[index])
        self.edits.append(Edit(f"set the {name} to {value:+.6g}", param=(index, old)))
        self.net.params[index] = value
        self.evaluate(record=False)
        return f"{name} set to {value:+.6g} (was {old:+.6g}; ctrl+z undoes)"

    def undo(self) -> str:
        """Take back the newest edit; the message says what was undone and what is left."""
        if not self.edits:
            return "nothing to undo: no data or weight edits since this network was made"
        edit = self.edits.pop()
        if edit.data is not None:
            self._set_data(*edit.data)
        elif edit.param is not None:
            index, value = edit.param
            self.net.params[index] = value
            self.evaluate(record=False)
        left = f"{len(self.edits)} more can be undone" if self.edits else "nothing more to undo"
        return f"undone: {edit.what}; {len(self.data.X_train):,} training points; {left}"

    def adopt_data_edits(self, older: Trainer) -> None:
        """Keep ``older``'s data edits undoable here (a new network on the same, edited, data)."""
        self.edits.extend(e for e in older.edits if e.data is not None)

    def _set_data(self, X_train: np.ndarray, y_train: np.ndarray) -> None:
        X_train.flags.writeable = False
        y_train.flags.writeable = False
        self.data = replace(self.data, X_train=X_train, y_train=y_train)
        self._prepare_data()
        self.batches.reshuffle(len(self.X_train))
        if self.kernel_steps is not None:
            self.use_kernel(self.kernel_steps.kernel, self.kernel_steps.when_faster)
        self.evaluate(record=False)

    # -- settings and the engine ---------------------------------------------------------------

    def apply_live_settings(self, config: TrainConfig) -> None:
        """Take the settings that apply without a reset (rate, optimiser, regularisation...)."""
        if config.needs_reset(self.config):
            raise ValueError("settings changed that need a reset: " + ", ".join(config.needs_reset(self.config)))
        opt = self.optimizer
        if config.optimizer != opt.kind:
            # A different optimiser keeps the weights but starts from fresh state.
            opt.kind = config.optimizer
            opt.reset()
        opt.momentum = config.momentum
        opt.beta1 = config.momentum if config.optimizer == "adam" else 0.9
        opt.l1, opt.l2 = config.l1, config.l2
        opt.lr = config.lr
        self.config = config

    def learning_rate(self) -> float:
        """The scheduled rate for the next update; the schedule spans ``iterations`` updates."""
        return scheduled_rate(self.config, self.step_count)

    def use_kernel(self, kernel: Kernel | None, when_faster: bool = False) -> None:
        """Step with the compiled kernel from ``core.engine.kernel.load_kernel()`` (None: numpy); with
        ``when_faster``, only while the batch size makes it the faster engine (``--engine auto``)."""
        self.kernel_steps = (
            None if kernel is None else KernelSteps(kernel, when_faster, self.net, self.X_train, self.Y_train)
        )

    @property
    def engine(self) -> str:
        k = self.kernel_steps
        return "numba" if k is not None and k.can_step(self.config, self.net.n_weights) else "numpy"

    def kernel_is_faster(self) -> bool:
        """Whether the kernel trains this network's batches faster than numpy (``core.engine.kernel``)."""
        return KernelSteps.is_faster(self.config, len(self.X_train), self.net.n_weights)

    # -- training --------------------------------------------------------------------------------

    def restart(self, params: np.ndarray | None = None) -> None:
        """Back to step 0 with the initial (or the given) parameters and the same batch order."""
        np.copyto(self.net.params, self.initial_params if params is None else params)
        forget_weight_edits(self.edits)
        self.optimizer.reset()
        self.batches.restart(len(self.X_train), self.config.seed)
        self.numpy_steps.restart(self.config.seed)
        self.step_count = 0
        self.epoch = 0
        self.record.clear()
        self.path.clear()
        self.path.record(0, self.net.params)
        self.diverged_at: int | None = None
        self.message = ""
        self.train_seconds = 0.0
        self.rate.restart()
        self.metrics = self.evaluate(record=False)
        self._checkpoint = self.state_dict()
        self.timeline.record(lambda: self._moment(self.metrics))
        self.version = 0
        # Random, not counted: a run in a new trainer or a new trainer process is never taken for
        # the one before it (a lesson follows the run its setup started, tui/model/lesson_tracker.py).
        self.run_id = secrets.randbits(62)

    def step(self, n: int = 1) -> int:
        """Perform up to ``n`` optimiser updates; returns how many were made.

        Stops early when the parameters stop being finite: the run goes back to the last
        checkpoint whose loss was finite (taken by ``evaluate``) and ``diverged_at``
        records the step that failed.
        """
        if self.diverged_at is not None:
            return 0
        started = time.perf_counter()
        net, opt, c, k = self.net, self.optimizer, self.config, self.kernel_steps
        if k is not None and k.can_step(c, net.n_weights):
            done = k.step(n, net, self.numpy_steps.grad, opt, c, self.batches, self.step_count, self.path)
        else:
            X, Y = self.X_train, self.Y_train
            done = self.numpy_steps.step(
                n, net, opt, X, Y, c, self.regression, self.batches, self.step_count, self.path
            )
        self._count(done)
        self.train_seconds += time.perf_counter() - started
        return done.done

    def _count(self, progress: Progress) -> None:
        self.step_count += progress.done
        self.epoch += progress.epochs
        if progress.diverged:
            self.step_count += 1
            self._diverge()

    def steps_to_epoch_end(self) -> int:
        """Updates left until the current epoch is complete (at least 1)."""
        return self.batches.steps_to_epoch_end(self.config.batch_size)

    def steps_to_epoch(self, target: int) -> int:
        """Updates left until ``target`` epochs are complete (0 once they are)."""
        if self.epoch >= target:
            return 0
        per_epoch = self.batches.steps_per_epoch(self.config.batch_size)
        return self.steps_to_epoch_end() + (target - self.epoch - 1) * per_epoch

    def _diverge(self) -> None:
        """Back to the checkpoint: the state of the last evaluation with a finite loss."""
        self.diverged_at = self.step_count
        self.load_state_dict(self._checkpoint)
        self.path.cut_after(self._checkpoint.step)
        self.message = diverged_message(self.diverged_at, self._checkpoint.step)
        self.evaluate(record=False)

    # -- the run's state (core.run.state) --------------------------------------------------------

    def state_dict(self, with_order: bool = True) -> RunState:
        """A read-only copy of where the run is; ``with_order=False`` leaves out the batch order."""
        net, opt, batches = self.net, self.optimizer, self.batches
        return capture(self.step_count, self.epoch, net.params, opt, batches, self.dropout_rng, with_order)

    def load_state_dict(self, state: RunState) -> None:
        """Go on from ``state`` (a fresh shuffle when it holds no batch order); a state of
        another network or training set raises ValueError and changes nothing."""
        restore(state, self.net.params, self.optimizer, self.batches, self.dropout_rng)
        self.step_count, self.epoch = state.step, state.epoch

    def _moment(self, metrics: Evaluation) -> Moment:
        return Moment(self.state_dict(with_order=False), metrics)

    def resume_from(self, moment: Moment) -> str:
        """Continue training from a recorded moment (time travel's "resume from here").

        Parameters, optimiser state, step, epoch and random state come back; the batch
        order starts a fresh shuffle, and the history after that step is dropped.
        """
        try:
            self.load_state_dict(moment.state)
        except ValueError:
            raise ValueError("that moment belongs to a different network") from None
        forget_weight_edits(self.edits)
        self.record.cut_after(moment.step)
        self.path.cut_after(moment.step)
        self.diverged_at = None
        self.message = ""
        self.evaluate(record=False)
        return f"rewound the run to step {moment.step:,}"

    # -- measuring and publishing ----------------------------------------------------------------

    def evaluate(self, record: bool = True) -> Evaluation:
        train = Split(self.X_train, self.Y_train, self.data.y_train)
        test = Split(self.X_test, self.Y_test, self.data.y_test)
        m, outputs = evaluate(self.net, train, test, self.step_count, self.epoch, self.regression)
        self.train_outputs.keep(self.X_train, self.net.params, outputs)
        if record:
            self.rate.measure(self.step_count)
            self.record.record(m, lambda: self._moment(m))
        self.metrics = m
        if math.isfinite(m.train_loss) and self.diverged_at is None:
            self._checkpoint = self.state_dict()
        return m

    def snapshot(self) -> Snapshot:
        if self.metrics.step != self.step_count or self.metrics.epoch != self.epoch:
            self.evaluate(record=False)  # the metrics must belong to the parameters in the snapshot
        self.version += 1
        return Snapshot(
            config=self.config,
            data=self.data,
            network=frozen_copy(self.net),
            step=self.step_count,
            epoch=self.epoch,
            metrics=self.metrics,
            history=self.history.rows(),
            steps_per_second=self.steps_per_second,
            diverged_at=self.diverged_at,
            message=self.message,
            version=self.version,
            run_id=self.run_id,
            engine=self.engine,
            timeline=tuple(self.timeline.moments),
            path=self.path.path(self.step_count, self.net.params) if self.path.enabled else None,
            train_outputs=self.train_outputs.current(self.X_train, self.net.params),
        )

    def classify(self, n: int, round: int = FIRST_ROUND) -> Classification:
        """Round ``round`` of the article's Classify Points (core.run.classify), as the app's c shows it."""
        return classify_points(self.net, self.config, self.data, n, round)

    def should_stop(self, iterations: int | None = None) -> StopReason | None:
        """Why a run should stop now (reaching step ``iterations``, the epochs, the target loss,
        divergence), or None (``core.run.stop_rule``)."""
        diverged = self.diverged_at is not None
        return stop_reason(self.config, self.step_count, self.epoch, self.metrics.train_loss, diverged, iterations)


def same_data(a: TrainConfig, b: TrainConfig) -> bool:
    """Whether ``a`` and ``b`` make the same data set (so edits to it can carry over)."""
    return all(getattr(a, name) == getattr(b, name) for name in DATA_FIELDS)


def make_data(config: TrainConfig) -> Dataset:
    n_test = n_test_points(config.train_size, config.test_ratio)
    return make_dataset(config.dataset, config.train_size, n_test, config.noise, config.data_seed, config.csv_path)
