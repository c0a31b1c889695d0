"""Where a run is: ``RunState`` (what a checkpoint, a moment of time travel and a saved session
hold), taken by ``capture`` and put back by ``restore``, and ``Moment`` (a state with its
evaluation, one point of the timeline)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.engine.optim import Optimizer
from nnplay.core.run.batch_order import BatchOrder
from nnplay.core.run.evaluation import Evaluation


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
    rng_state: dict
    order: np.ndarray | None = None
    order_at: int = 0
    dropout_rng_state: dict | None = None


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


def read_only_copy(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    out.flags.writeable = False
    return out


def capture(
    step: int,
    epoch: int,
    params: np.ndarray,
    optimizer: Optimizer,
    batches: BatchOrder,
    dropout_rng: np.random.Generator,
    with_order: bool,
) -> RunState:
    """A read-only copy of where a run is; ``with_order=False`` leaves out the batch order."""
    return RunState(
        step=step,
        epoch=epoch,
        params=read_only_copy(params),
        optimizer_state=read_only_copy(optimizer.state),
        optimizer_t=optimizer.t,
        rng_state=batches.rng.bit_generator.state,
        order=read_only_copy(batches.order) if with_order else None,
        order_at=batches.at if with_order else 0,
        dropout_rng_state=dropout_rng.bit_generator.state,
    )


def restore(
    state: RunState, params: np.ndarray, optimizer: Optimizer, batches: BatchOrder, dropout_rng: np.random.Generator
) -> None:
    """Put ``state`` back into a run's parameters, optimiser and random state (a fresh shuffle
    when it holds no batch order); a state of another network or training set raises
    ValueError and changes nothing. The caller sets the step and the epoch."""
    if state.params.shape != params.shape or state.optimizer_state.shape != optimizer.state.shape:
        raise ValueError("that state belongs to a different network")
    n = len(batches.order)
    if state.order is not None and (state.order.shape != (n,) or not 0 <= state.order_at < max(n, 1)):
        raise ValueError("that state's batch order belongs to a different training set")
    np.copyto(params, state.params)
    np.copyto(optimizer.state, state.optimizer_state)
    optimizer.t = state.optimizer_t
    batches.rng.bit_generator.state = state.rng_state
    if state.dropout_rng_state is not None:
        dropout_rng.bit_generator.state = state.dropout_rng_state
    if state.order is None:
        batches.reshuffle(n)
    else:
        batches.order, batches.at = state.order.astype(np.int64), state.order_at  # a writable copy
