"""``Trainer`` steps a network on a data set; ``Snapshot`` is what other threads may read.

The trainer is owned by one thread (the app's worker or the CLI loop). Readers on
other threads only ever see ``Snapshot`` objects: immutable copies taken at one
instant, so the parameters, the step and the metrics in one snapshot belong together.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from nnplay.core.backprop import article_v2_gradient
from nnplay.core.batch_buffers import BatchBuffers
from nnplay.core.classify import FIRST_ROUND, Classification, classify_points
from nnplay.core.config import TrainConfig, regression_fit_error
from nnplay.core.datasets import Dataset, DatasetError, make_dataset
from nnplay.core.features import feature_matrix
from nnplay.core.kernel import Kernel, kernel_is_faster
from nnplay.core.kernel_codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from nnplay.core.losses import mean_loss
from nnplay.core.memory_budget import (
    EVAL_CHUNK,
    HISTORY_CAPACITY,
    TIMELINE_BYTES,
    TIMELINE_MOMENTS,
    n_test_points,
)
from nnplay.core.network import MAX_PARAMETER, Network, parameters_diverged
from nnplay.core.optim import Optimizer
from nnplay.core.row_reductions import row_max_argmax, row_sum
from nnplay.core.schedule import SCHEDULE_CODES, scheduled_lr

MAX_TRAIN_POINTS = 100_000  # the train-size limit; the data editor stops there too
HISTORY_FIELDS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
# The settings that make the data set: a new network with these unchanged keeps the (edited) data.
DATA_FIELDS = ("dataset", "csv_path", "noise", "train_size", "test_ratio", "data_seed")
UNDO_LEVELS = 50  # edits ctrl+z can take back: data edits and typed weights alike


class StopReason(StrEnum):
    """Why a run stopped (the CLI's JSON ``stop_reason`` is the value)."""

    DIVERGED = "diverged"
    ITERATIONS = "iterations"
    EPOCHS = "epochs"
    TARGET_LOSS = "target_loss"


class RingBuffer:
    """The newest ``capacity`` rows of a table of floats; memory never grows past it."""

    def __init__(self, capacity: int, width: int) -> None:
        self.data = np.full((capacity, width), np.nan)
        self.count = 0

    def append(self, row: tuple[float, ...]) -> None:
        self.data[self.count % len(self.data)] = row
        self.count += 1

    def append_or_replace(self, row: tuple[float, ...]) -> None:
        """Append, or overwrite the newest row when it has the same first column (the step)."""
        if self.count and self.data[(self.count - 1) % len(self.data), 0] == row[0]:
            self.data[(self.count - 1) % len(self.data)] = row
        else:
            self.append(row)

    def rows(self) -> np.ndarray:
        """Oldest first, as a new array."""
        cap = len(self.data)
        if self.count <= cap:
            return self.data[: self.count].copy()
        at = self.count % cap
        return np.concatenate([self.data[at:], self.data[:at]])

    def clear(self) -> None:
        self.data[...] = np.nan
        self.count = 0

    def load(self, rows: np.ndarray) -> None:
        self.clear()
        for row in rows[-len(self.data) :]:
            self.append(tuple(row))


@dataclass(frozen=True)
class Evaluation:
    """The losses and accuracies of the network at one step, on the training and the test set."""

    step: int
    epoch: int
    train_loss: float
    test_loss: float
    train_accuracy: float  # nan for regression
    test_accuracy: float
    r2_train: float = math.nan  # regression only
    r2_test: float = math.nan
    # confusion[true, predicted] counts on the test set (classification only)
    confusion_test: np.ndarray | None = field(default=None, compare=False, repr=False)

    def per_class_accuracy(self) -> np.ndarray | None:
        """Test recall of each class (nan for a class with no test points)."""
        c = self.confusion_test
        if c is None:
            return None
        with np.errstate(all="ignore"):
            recall: np.ndarray = np.diag(c) / c.sum(axis=1)
            return recall


@dataclass(frozen=True, eq=False)
class RunState:
    """Where a run is, apart from its data and settings: what a checkpoint, a moment of time
    travel and a saved session hold, and all ``Trainer.load_state_dict`` needs to go on from it.

    ``order`` is the epoch's sample order and ``order_at`` the next sample in it; a moment leaves
    them out (None) to keep the timeline small, and training from it starts a fresh shuffle.
    ``dropout_rng_state`` draws the dropout masks (None: a session saved before it was kept
    goes on with the masks its seed draws first)."""

    step: int
    epoch: int
    params: np.ndarray
    optimizer_state: np.ndarray
    optimizer_t: int
    rng_state: Mapping[str, Any]
    order: np.ndarray | None = None
    order_at: int = 0
    dropout_rng_state: Mapping[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class Moment:
    """One recorded point of a run: its state (enough to resume training from it) and its evaluation."""

    state: RunState
    metrics: Evaluation

    @property
    def step(self) -> int:
        return self.state.step

    @property
    def epoch(self) -> int:
        return self.state.epoch

    @property
    def params(self) -> np.ndarray:
        return self.state.params


class Timeline:
    """A bounded record of the whole run: when full, every other moment is dropped and the
    spacing doubles, so it always spans step 0 to now in at most ``capacity`` moments."""

    def __init__(self, n_params: int, budget_bytes: int = TIMELINE_BYTES) -> None:
        per_moment = 24 * max(n_params, 1)  # params + two optimiser rows, float64
        self.capacity = max(16, min(TIMELINE_MOMENTS, budget_bytes // per_moment))
        self.moments: list[Moment] = []
        self.stride = 1
        self._calls = 0

    def record(self, make: Callable[[], Moment], step: int | None = None) -> None:
        if step is not None and self.moments and self.moments[-1].step == step:
            # Measured again at the same step (a pause, a settings change, an edit): the newest
            # moment is replaced, so time travel never shows two moments for one step.
            self.moments[-1] = make()
            return
        self._calls += 1
        if (self._calls - 1) % self.stride:
            return
        self.moments.append(make())
        if len(self.moments) > self.capacity:
            self.moments = self.moments[::2]
            self.stride *= 2

    def clear(self) -> None:
        self.moments.clear()
        self.stride = 1
        self._calls = 0

    def cut_after(self, step: int) -> None:
        self.moments = [m for m in self.moments if m.step <= step]


@dataclass(frozen=True)
class Snapshot:
    """An immutable, self-consistent copy of a run at one step, safe to read from any thread."""

    config: TrainConfig
    data: Dataset
    network: Network  # a private copy with read-only parameters
    step: int
    epoch: int
    metrics: Evaluation
    history: np.ndarray  # rows of HISTORY_FIELDS, oldest first
    steps_per_second: float
    diverged_at: int | None
    message: str
    version: int  # increases with every snapshot of a run; widgets redraw only when it changes
    engine: str = "numpy"  # "numba" when the compiled kernel trains
    timeline: tuple[Moment, ...] = ()  # the run so far, for time travel and weight evolution
    # The network's outputs for data.X_train at these parameters, from the evaluation that made the
    # metrics (None when there was none): drawing the points needs no second pass over them.
    train_outputs: np.ndarray | None = None

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """Network outputs for raw (x, y) points, through the configured input features."""
        return self.layer_outputs(X_raw)[-1]

    def classify(self, n: int, round: int = FIRST_ROUND) -> Classification:
        """Round ``round`` of the article's Classify Points with this snapshot's network."""
        return classify_points(self.network, self.config, self.data, n, round)

    @property
    def learning_rate(self) -> float:
        """The scheduled rate of the next update."""
        return scheduled_rate(self.config, self.step)

    @cached_property
    def display_network(self) -> Network:
        return self.network.as_float32()

    def drawing_layers(self, X_raw: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations (inputs included) in float32, for drawing only."""
        with np.errstate(all="ignore"):
            inputs = feature_matrix(X_raw, self.config.features).astype(np.float32)
            return self.display_network.forward_pass(inputs)[1]

    def layer_outputs(self, X_raw: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer after the input for raw (x, y) points."""
        with np.errstate(all="ignore"):
            return self.network.forward_pass(feature_matrix(X_raw, self.config.features))[1][1:]


def targets_for(labels: np.ndarray, n_out: int, output: str, regression: bool) -> np.ndarray:
    """Target rows for the output layer: one-hot codes, or the regression value."""
    if regression:
        return labels.astype(np.float64).reshape(-1, 1)
    low = -1.0 if output == "tanh" else 0.0
    t = np.full((len(labels), n_out), low)
    t[np.arange(len(labels)), labels] = 1.0
    return t


@dataclass(frozen=True)
class Edit:
    """One edit that ``Trainer.undo`` can take back: the training data before it, or a parameter's old value."""

    what: str  # said when it is undone: "added a point at (+0.10, -0.20)"
    data: tuple[np.ndarray, np.ndarray] | None = None  # (X_train, y_train) before a data edit (read-only arrays)
    param: tuple[int, float] | None = None  # (index into the flat parameters, value before)


class Trainer:
    def __init__(self, config: TrainConfig, data: Dataset | None = None) -> None:
        self._train_outputs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (X_train, params, outputs)
        self.config = config
        # Undo history. Data edits survive restart() (the data stays); weight edits do not (the
        # weights go back to their initial values). A new Trainer starts with none of them.
        self.edits: deque[Edit] = deque(maxlen=UNDO_LEVELS)
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
        self._prepare_data()
        self.optimizer = Optimizer("sgd", self.net.params.size, self.net.n_weights)
        self.apply_live_settings(config)
        self.history = RingBuffer(HISTORY_CAPACITY, len(HISTORY_FIELDS))
        self.timeline = Timeline(self.net.params.size)
        self.kernel: Kernel | None = None  # the compiled step (core.kernel), when numba is installed
        self.kernel_when_faster = False
        self._grad = np.empty_like(self.net.params)
        self._grad_views = self.net.views(self._grad)
        self.restart()

    def _prepare_data(self) -> None:
        c, n_out = self.config, self.net.sizes[-1]
        self.X_train = feature_matrix(self.data.X_train, c.features)
        self.X_test = feature_matrix(self.data.X_test, c.features)
        self.Y_train = targets_for(self.data.y_train, n_out, c.output, self.regression)
        self.Y_test = targets_for(self.data.y_test, n_out, c.output, self.regression)
        self._buffers: BatchBuffers | None = None  # made for these data at the first step

    def _batch_buffers(self) -> BatchBuffers:
        """The step's arrays for batches of this run's size (made again when the size changes)."""
        rows = min(self.config.batch_size, len(self.X_train))
        if self._buffers is None or self._buffers.capacity != rows:
            one_hot = not self.regression and bool(np.all(row_sum(self.Y_train) == 1.0))
            self._buffers = BatchBuffers(self.net.sizes, rows, one_hot)
        return self._buffers

    # -- editing the data ---------------------------------------------------------------

    def add_point(self, x: float, y: float, label: float) -> str:
        """Add a training point (the app's data editor); the network keeps training on the new set."""
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("the point must have finite coordinates")
        d = self.data
        if len(d.X_train) >= MAX_TRAIN_POINTS:
            raise ValueError(f"{MAX_TRAIN_POINTS:,} training points is the limit")
        if self.regression:
            value = np.array([max(-1.0, min(1.0, float(label)))])
        else:
            if not 0 <= int(label) < d.n_classes:
                raise ValueError(f"class {int(label) + 1} does not exist; allowed 1..{d.n_classes}")
            value = np.array([int(label)], dtype=d.y_train.dtype)
        what = f"added a point at ({x:+.2f}, {y:+.2f})"
        self.edits.append(Edit(what, data=(d.X_train, d.y_train)))
        self._set_data(np.vstack([d.X_train, [[x, y]]]), np.concatenate([d.y_train, value]))
        return f"{what}; {len(self.data.X_train):,} training points"

    def remove_nearest(self, x: float, y: float) -> str:
        """Remove the training point nearest (x, y); at least one point always stays."""
        d = self.data
        if len(d.X_train) <= 1:
            raise ValueError("the last training point cannot be removed")
        i = int(np.argmin(((d.X_train - [x, y]) ** 2).sum(axis=1)))
        px, py = d.X_train[i]
        keep = np.arange(len(d.X_train)) != i
        what = f"removed the point at ({px:+.2f}, {py:+.2f})"
        self.edits.append(Edit(what, data=(d.X_train, d.y_train)))
        self._set_data(d.X_train[keep], d.y_train[keep])
        return f"{what}; {len(self.data.X_train):,} training points (ctrl+z undoes)"

    def set_parameter(self, index: int, value: float, name: str = "parameter") -> str:
        """Set one weight or bias (the diagram's edit); ``name`` is how the messages call it."""
        if not abs(value) < MAX_PARAMETER:
            raise ValueError(f"{name} must be a finite number within ±{MAX_PARAMETER:g}")
        if not 0 <= index < self.net.params.size:
            raise ValueError(f"{name}: no parameter {index} in a network of {self.net.params.size}")
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

    def _forget_weight_edits(self) -> None:
        """The weights were replaced wholesale: their old single values mean nothing now."""
        kept = [e for e in self.edits if e.data is not None]
        self.edits.clear()
        self.edits.extend(kept)

    def adopt_data_edits(self, older: Trainer) -> None:
        """Keep ``older``'s data edits undoable here (a new network on the same, edited, data)."""
        self.edits.extend(e for e in older.edits if e.data is not None)

    def _set_data(self, X_train: np.ndarray, y_train: np.ndarray) -> None:
        X_train.flags.writeable = False
        y_train.flags.writeable = False
        self.data = replace(self.data, X_train=X_train, y_train=y_train)
        self._prepare_data()
        self._order = self.rng.permutation(len(self.X_train))
        self._at = 0
        if self.kernel is not None:
            self.use_kernel(self.kernel, self.kernel_when_faster)
        self.evaluate(record=False)

    # -- settings --------------------------------------------------------------------

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

    # -- training --------------------------------------------------------------------

    def restart(self, params: np.ndarray | None = None) -> None:
        """Back to step 0 with the initial (or the given) parameters and the same batch order."""
        np.copyto(self.net.params, self.initial_params if params is None else params)
        self._forget_weight_edits()
        self.optimizer.reset()
        self.rng = np.random.default_rng([self.config.seed, 1])
        self.dropout_rng = np.random.default_rng([self.config.seed, 2])
        self.step_count = 0
        self.epoch = 0
        self._order = self.rng.permutation(len(self.X_train))
        self._at = 0
        self.history.clear()
        self.timeline.clear()
        self.diverged_at: int | None = None
        self.message = ""
        self.train_seconds = 0.0
        self._rate_mark = (time.perf_counter(), 0)
        self.steps_per_second = 0.0
        self.metrics = self.evaluate(record=False)
        self._checkpoint = self.state_dict()
        self.timeline.record(lambda: self._moment(self.metrics))
        self.version = 0

    def _next_batch(self) -> np.ndarray:
        n, b = len(self._order), self.config.batch_size
        if b >= n:
            self.epoch += 1
            return self._order
        idx = self._order[self._at : self._at + b]
        self._at += b
        if self._at >= n:
            self.epoch += 1
            self._at = 0
            # A new array, not an in-place shuffle: the batch just taken is a view of the old one.
            self._order = self.rng.permutation(self._order)
        return idx

    def steps_to_epoch_end(self) -> int:
        """Updates left until the current epoch is complete (at least 1)."""
        n, b = len(self._order), self.config.batch_size
        if b >= n:
            return 1
        return max(1, math.ceil((n - self._at) / b))

    def steps_to_epoch(self, target: int) -> int:
        """Updates left until ``target`` epochs are complete (0 once they are)."""
        if self.epoch >= target:
            return 0
        n, b = len(self._order), self.config.batch_size
        per_epoch = 1 if b >= n else math.ceil(n / b)
        return self.steps_to_epoch_end() + (target - self.epoch - 1) * per_epoch

    def use_kernel(self, kernel: Kernel | None, when_faster: bool = False) -> None:
        """Step with the compiled kernel from ``core.kernel.load_kernel()`` (None: numpy); with
        ``when_faster``, only while the batch size makes it the faster engine (``--engine auto``)."""
        self.kernel = kernel
        self.kernel_when_faster = when_faster
        if kernel is None:
            return
        sizes = self.net.sizes
        width = max(sizes)
        self._k_sizes = np.array(sizes, dtype=np.int64)
        w_off, b_off = self.net.views(np.arange(self.net.params.size))
        self._k_w_off = np.array([w.flat[0] for w in w_off], dtype=np.int64)
        self._k_b_off = np.array([b[0] for b in b_off], dtype=np.int64)
        codes = [ACTIVATION_CODES[name] for name in (*self.net.activations, self.net.output)]
        self._k_codes = np.array(codes, dtype=np.int64)
        self._k_buffers = tuple(np.zeros((len(sizes), width)) for _ in range(3))
        self._k_X = np.ascontiguousarray(self.X_train)
        self._k_Y = np.ascontiguousarray(self.Y_train)

    @property
    def engine(self) -> str:
        return "numba" if self._kernel_can_step() else "numpy"

    def _kernel_can_step(self) -> bool:
        # The kernel has neither dropout nor the article's flawed rule: with either on, numpy trains.
        c = self.config
        if self.kernel is None or c.dropout or c.backprop != "correct":
            return False
        return not self.kernel_when_faster or self.kernel_is_faster()

    def kernel_is_faster(self) -> bool:
        """Whether the kernel trains this network's batches faster than numpy (``core.kernel``)."""
        return kernel_is_faster(min(self.config.batch_size, len(self._order)), self.net.n_weights)

    def _step_kernel(self, n: int) -> int:
        """``n`` updates in one call of the kernel, which reshuffles ``self._order`` in place at each
        epoch's end from ``self.rng`` (the numpy path's ``rng.permutation``: the same stream)."""
        c, opt, net = self.config, self.optimizer, self.net
        started = time.perf_counter()
        z, a, d = self._k_buffers
        assert self.kernel is not None  # _kernel_can_step chose it
        done, at, epochs, t, diverged, last_lr = self.kernel(
            net.params, self._grad, opt.state, self._k_sizes, self._k_w_off, self._k_b_off, net.n_weights,
            self._k_codes, LOSS_CODES[net.loss_name], self._k_X, self._k_Y, self._order, self.rng, self._at,
            c.batch_size, n, OPTIMIZER_CODES[opt.kind], c.lr, opt.momentum, opt.beta1, opt.beta2, opt.eps, opt.l1,
            opt.l2, opt.t, SCHEDULE_CODES[c.schedule], c.iterations, self.step_count, z, a, d,
        )  # fmt: skip
        self.step_count += done
        self._at, opt.t = at, t
        self.epoch += epochs
        if c.schedule != "constant":
            opt.lr = last_lr
        if diverged:
            self.step_count += 1
            self._diverge()
        self.train_seconds += time.perf_counter() - started
        return done

    def step(self, n: int = 1) -> int:
        """Perform up to ``n`` optimiser updates; returns how many were made.

        Stops early when the parameters stop being finite: the run goes back to the last
        checkpoint whose loss was finite (taken by ``evaluate``) and ``diverged_at``
        records the step that failed.
        """
        if self.diverged_at is not None:
            return 0
        if self._kernel_can_step():
            return self._step_kernel(n)
        net, opt, grad = self.net, self.optimizer, self._grad
        params = net.params
        X, Y = self.X_train, self.Y_train
        scheduled = self.config.schedule != "constant"
        dropout = self.config.dropout
        article = self.config.backprop == "article-v2"
        started = time.perf_counter()
        done = 0
        with np.errstate(all="ignore"):  # divergence is detected below, not warned about
            for _ in range(n):
                idx = self._next_batch()
                if dropout:
                    self._dropout_gradient(X[idx], Y[idx], dropout)
                elif article:
                    article_v2_gradient(net, X[idx], Y[idx], grad)
                else:
                    rows = self._batch_buffers().rows(len(idx))  # made at the first step of this size
                    # The whole set in one batch: its gradient is the same sum in any order, so
                    # the rows are used where they are, not gathered into the batch's order.
                    Xb, Yb = (X, Y) if len(idx) == len(X) else rows.gather(X, Y, idx)
                    zs, acts = net.forward_pass(Xb, buffers=rows)
                    net.backward(zs, acts, Yb, grad, self._grad_views, buffers=rows)
                if scheduled:
                    opt.lr = self.learning_rate()
                opt.step(params, grad)
                self.step_count += 1
                if parameters_diverged(params):
                    self._diverge()
                    break
                done += 1
        self.train_seconds += time.perf_counter() - started
        return done

    def _dropout_gradient(self, X: np.ndarray, Y: np.ndarray, rate: float) -> None:
        """Gradient with inverted dropout on the hidden layers: each hidden unit is zeroed with
        probability ``rate`` and the survivors scaled by 1/(1 - rate), so evaluation needs no change."""
        net = self.net
        masks = [(self.dropout_rng.random((len(X), size)) >= rate) / (1.0 - rate) for size in net.sizes[1:-1]]
        if self.config.backprop == "article-v2":
            article_v2_gradient(net, X, Y, self._grad, masks)
        else:
            zs, acts = net.forward_pass(X, masks)
            net.backward(zs, acts, Y, self._grad, self._grad_views, masks)

    def _diverge(self) -> None:
        """Back to the checkpoint: the state of the last evaluation with a finite loss."""
        self.diverged_at = self.step_count
        self.load_state_dict(self._checkpoint)
        self.message = diverged_message(self.diverged_at, self._checkpoint.step)
        self.evaluate(record=False)

    # -- the run's state -------------------------------------------------------------

    def state_dict(self, with_order: bool = True) -> RunState:
        """A read-only copy of where the run is; ``with_order=False`` leaves out the batch order."""
        return RunState(
            step=self.step_count,
            epoch=self.epoch,
            params=_read_only_copy(self.net.params),
            optimizer_state=_read_only_copy(self.optimizer.state),
            optimizer_t=self.optimizer.t,
            rng_state=self.rng.bit_generator.state,
            order=_read_only_copy(self._order) if with_order else None,
            order_at=self._at if with_order else 0,
            dropout_rng_state=self.dropout_rng.bit_generator.state,
        )

    def load_state_dict(self, state: RunState) -> None:
        """Go on from ``state`` (a fresh shuffle when it holds no batch order); a state of
        another network or training set raises ValueError and changes nothing."""
        if state.params.shape != self.net.params.shape or state.optimizer_state.shape != self.optimizer.state.shape:
            raise ValueError("that state belongs to a different network")
        n = len(self.X_train)
        if state.order is not None and (state.order.shape != (n,) or not 0 <= state.order_at < max(n, 1)):
            raise ValueError("that state's batch order belongs to a different training set")
        np.copyto(self.net.params, state.params)
        np.copyto(self.optimizer.state, state.optimizer_state)
        self.optimizer.t = state.optimizer_t
        self.step_count, self.epoch = state.step, state.epoch
        self.rng.bit_generator.state = state.rng_state
        if state.dropout_rng_state is not None:
            self.dropout_rng.bit_generator.state = state.dropout_rng_state
        if state.order is None:
            self._order, self._at = self.rng.permutation(n), 0
        else:
            self._order, self._at = state.order.astype(np.int64), state.order_at  # a writable copy

    # -- measuring -------------------------------------------------------------------

    def evaluate(self, record: bool = True) -> Evaluation:
        net = self.net
        with np.errstate(all="ignore"):
            train = _scores(net, self.X_train, self.Y_train, self.data.y_train, self.regression)
            self._train_outputs = (self.X_train, net.params.copy(), train[4])
            test = _scores(net, self.X_test, self.Y_test, self.data.y_test, self.regression)
        m = Evaluation(self.step_count, self.epoch, train[0], test[0], train[1], test[1], train[2], test[2], test[3])
        if record:
            now = time.perf_counter()
            then, step_then = self._rate_mark
            if now > then:
                self.steps_per_second = (self.step_count - step_then) / (now - then)
            self._rate_mark = (now, self.step_count)
            self.history.append_or_replace(
                (m.step, m.epoch, m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy)
            )
            self.timeline.record(lambda: self._moment(m), m.step)
        self.metrics = m
        if math.isfinite(m.train_loss) and self.diverged_at is None:
            self._checkpoint = self.state_dict()
        return m

    def snapshot(self) -> Snapshot:
        if self.metrics.step != self.step_count or self.metrics.epoch != self.epoch:
            self.evaluate(record=False)  # the metrics must belong to the parameters in the snapshot
        net = self.net.copy()
        net.params.flags.writeable = False
        net.weights, net.biases = net._views(net.params)  # views made before the flag stay writeable
        self.version += 1
        return Snapshot(
            config=self.config,
            data=self.data,
            network=net,
            step=self.step_count,
            epoch=self.epoch,
            metrics=self.metrics,
            history=self.history.rows(),
            steps_per_second=self.steps_per_second,
            diverged_at=self.diverged_at,
            message=self.message,
            version=self.version,
            engine=self.engine,
            timeline=tuple(self.timeline.moments),
            train_outputs=self._current_train_outputs(),
        )

    def _current_train_outputs(self) -> np.ndarray | None:
        """The last evaluation's outputs for the training points, if they and the parameters are
        still the ones evaluated (a data or weight edit since makes them stale)."""
        kept = self._train_outputs
        if kept is None or kept[0] is not self.X_train or not np.array_equal(kept[1], self.net.params):
            return None
        outputs = kept[2]
        outputs.flags.writeable = False
        return outputs

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
        self._forget_weight_edits()
        rows = self.history.rows()
        self.history.load(rows[rows[:, 0] <= moment.step])
        self.timeline.cut_after(moment.step)
        self.diverged_at = None
        self.message = ""
        self.evaluate(record=False)
        return f"rewound the run to step {moment.step:,}"

    def classify(self, n: int, round: int = FIRST_ROUND) -> Classification:
        """Round ``round`` of the article's Classify Points (core.classify), as the app's c shows it."""
        return classify_points(self.net, self.config, self.data, n, round)

    def should_stop(self, iterations: int | None = None) -> StopReason | None:
        """Why a run should stop now (reaching step ``iterations``, the epochs, the target loss,
        divergence), or None."""
        c = self.config
        if self.diverged_at is not None:
            return StopReason.DIVERGED
        if iterations is not None and self.step_count >= iterations:
            return StopReason.ITERATIONS
        if c.epochs and self.epoch >= c.epochs:
            return StopReason.EPOCHS
        if c.target_loss and self.metrics.train_loss <= c.target_loss:
            return StopReason.TARGET_LOSS
        return None


# A run with a target loss measures the training loss after at most this many updates, so it
# stops close to the target (the CLI and the app alike).
TARGET_LOSS_CHECK_STEPS = 100


def scheduled_rate(c: TrainConfig, step: int) -> float:
    """The learning rate of the update after ``step`` updates of ``c``'s schedule (``core.schedule``)."""
    return scheduled_lr(c.lr, SCHEDULE_CODES[c.schedule], step, c.iterations)


def same_data(a: TrainConfig, b: TrainConfig) -> bool:
    """Whether ``a`` and ``b`` make the same data set (so edits to it can carry over)."""
    return all(getattr(a, name) == getattr(b, name) for name in DATA_FIELDS)


def diverged_message(diverged_at: int, good_step: int) -> str:
    """What happened, short enough for two lines of a pane at 80x24; what to do depends on where
    it is read (the CLI's flags, the app's keys), so the caller adds it."""
    limit = f"{MAX_PARAMETER:.0e}".replace("+", "")
    return (
        f"diverged at step {diverged_at:,}: weights past ±{limit} or NaN; "
        f"back to step {good_step:,}, the last with a finite loss"
    )


def _read_only_copy(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    out.flags.writeable = False
    return out


def make_data(config: TrainConfig) -> Dataset:
    n_test = n_test_points(config.train_size, config.test_ratio)
    return make_dataset(config.dataset, config.train_size, n_test, config.noise, config.data_seed, config.csv_path)


def _scores(
    net: Network, X: np.ndarray, Y: np.ndarray, labels: np.ndarray, regression: bool
) -> tuple[float, float, float, np.ndarray | None, np.ndarray]:
    """(loss, accuracy, r2, confusion, outputs) on one split; nan/None where it does not apply or the split is empty."""
    k = net.sizes[-1]
    if len(X) == 0:
        confusion = None if regression else np.zeros((k, k), dtype=np.int64)
        return math.nan, math.nan, math.nan, confusion, np.zeros((0, k))
    if len(X) <= EVAL_CHUNK:
        zs, acts = net.forward_pass(X)
        loss = mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y)
        out = acts[-1]
    else:  # in chunks, so a large data set never holds every layer of every point at once
        total_loss, parts = 0.0, []
        for i in range(0, len(X), EVAL_CHUNK):
            zs, acts = net.forward_pass(X[i : i + EVAL_CHUNK])
            total_loss += mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y[i : i + EVAL_CHUNK]) * len(zs[-1])
            parts.append(acts[-1])
        loss, out = total_loss / len(X), np.concatenate(parts)
    if regression:
        resid = ((out[:, 0] - Y[:, 0]) ** 2).sum()
        total = ((Y[:, 0] - Y[:, 0].mean()) ** 2).sum()
        r2 = 1.0 - resid / total if total > 0 else math.nan
        return loss, math.nan, float(r2), None, out
    predicted = row_max_argmax(out)[1]
    confusion = np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    return loss, float((predicted == labels).mean()), math.nan, confusion, out
