"""``RunLoop``: the one loop that trains runs (one trainer, or several in step) to a goal or a stop.

The app's run channel, the compare screen's two runs, the lesson player and the headless
``train_until`` all train through it. It trains a chunk at a time: time-boxed
(``CHUNK_SECONDS``) between the commands of an interactive run, or a fixed count in a headless
one. A chunk ends where something must be measured: a record point of a bounded run, the stop
epoch, a target loss's check. A run that stops (the goal, its epochs, its target loss, a
divergence) waits while another goes on; once none goes on the loop stops, says why
(``stopped``) and publishes, so whoever reads ``running`` as False has the final snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from nnplay.core.run.trainer import TARGET_LOSS_CHECK_STEPS, StopReason, Trainer

CHUNK_SECONDS = 0.008  # an interactive chunk's CPU time between command checks: a key is answered within 100 ms
CHUNK = 2000  # a headless run's updates between evaluations (each a point on the loss curve and the timeline)
# A bounded run (the app's t and e, a lesson's move, a comparison's t) records the loss at least this
# many times along the way: with the compiled kernel the article's 60,000 iterations take ~30 ms,
# under one frame, which left a 1-2 point curve.
POINTS_PER_RUN = 60


def record_interval(steps: int) -> int:
    """Updates between loss records in a bounded run of ``steps`` updates."""
    return max(1, steps // POINTS_PER_RUN)


def next_chunk(done: int, elapsed: float) -> int:
    """The updates of the next interactive chunk, from the last one's ``done`` in ``elapsed``
    seconds: aimed at CHUNK_SECONDS, so commands and cancellation are seen promptly."""
    return max(1, min(100_000, int(done / elapsed * CHUNK_SECONDS)))


class PublishBudget(Protocol):
    """When a snapshot may be published (``tui.model.frame_budget.FrameBudget``)."""

    def due(self, now: float) -> bool: ...

    def spent(self, started: float, seconds: float) -> None: ...


def _never(_: StopReason) -> None:
    pass


class RunLoop:
    """Trains ``trainers`` in step. ``chunk``: a headless loop's fixed updates between evaluations
    (each chunk's end is measured and recorded, and each epoch's end where epochs are set); None:
    time-boxed chunks, measured when ``budget`` lets ``publish`` run and at a bounded run's record
    points. ``stepped(done)`` hears of every chunk trained, ``stopped(reason)`` of the stop before
    its final ``publish``."""

    def __init__(
        self,
        trainers: Sequence[Trainer],
        *,
        chunk: int | None = None,
        budget: PublishBudget | None = None,
        publish: Callable[[], None] | None = None,
        stepped: Callable[[int], None] | None = None,
        stopped: Callable[[StopReason], None] = _never,
    ) -> None:
        self.trainers = list(trainers)
        self.fixed_chunk = chunk
        self.budget = budget
        self.publish = publish or self.evaluate
        self.stepped = stepped
        self.stopped = stopped
        self.running = False
        self.goal: int | None = None  # the step at which a bounded run stops
        self.goal_kind = "iterations"  # what the goal counts: "iterations" (t) or "epoch" (e)
        self._record_every = 0  # a bounded run's steps between loss records
        self._next_record = 0
        self._chunk = 1
        self.trained = False  # whether the last ``advance`` trained a chunk

    @property
    def step_count(self) -> int:
        return max(t.step_count for t in self.trainers)

    def should_stop(self) -> StopReason | None:
        """Why the loop stops now: no run goes on (the first run's reason), or None."""
        reasons = [t.should_stop(self.goal) for t in self.trainers]
        return None if None in reasons else reasons[0]

    def start(self, goal: int | None = None, kind: str = "iterations") -> None:
        """Train until step ``goal`` (None: until a run's own stop condition), from a small first
        chunk that measures the speed."""
        self.goal, self.goal_kind = goal, kind
        if goal is not None:
            self._record_every = record_interval(goal - self.step_count)
            self._next_record = min(goal, self.step_count + self._record_every)
        self.running = True
        self._chunk = 1

    def halt(self) -> None:
        self.running, self.goal = False, None

    def evaluate(self) -> None:
        for trainer in self.trainers:
            trainer.evaluate()

    def run(self, on_progress: Callable[[], None] | None = None) -> StopReason:
        """Chunks until the runs stop (the headless loop); ``on_progress`` after each chunk trained."""
        while True:
            reason = self.advance()
            if self.trained and on_progress is not None:
                on_progress()
            if reason is not None:
                return reason

    def advance(self) -> StopReason | None:
        """One chunk of each run that goes on; the reason when the runs have stopped (``running``
        is then False and the final snapshot published)."""
        going = [t for t in self.trainers if t.should_stop(self.goal) is None]
        n = self._chunk_size(going) if going else 0
        self.trained = False
        if n <= 0:  # already there (a limit lowered below where the run is): stop without a step
            return self._stop_if_done()
        # Chunks are sized by this thread's CPU time: by the wall clock, a trainer that other jobs
        # left a fifth of a core trained a fifth as much a chunk, and paid each chunk's fixed
        # costs (a kernel call's ~25 µs, the command check) five times as often.
        started = time.thread_time()
        done = max(t.step(n) for t in going)
        elapsed = time.thread_time() - started
        self.trained = True
        if self.stepped is not None:
            self.stepped(done)
        if self.fixed_chunk is not None:
            for trainer in going:
                trainer.evaluate()
        elif not all(t.diverged_at is not None for t in self.trainers):
            # A divergence's snapshot goes out with the stop, after ``stopped`` has said why.
            if done and elapsed > 0:
                self._chunk = next_chunk(done, elapsed)
            self._measure(going)
        return self._stop_if_done()

    def _chunk_size(self, going: list[Trainer]) -> int:
        fixed = self.fixed_chunk is not None
        n = self.fixed_chunk if self.fixed_chunk is not None else self._chunk
        if self.goal is not None:
            goal = self.goal
            n = min(n, *(goal - t.step_count for t in going))
            if not fixed:
                n = min(n, max(1, self._next_record - self.step_count))
        for t in going:
            if t.config.epochs:  # a headless run records each epoch's end; an interactive one stops on its last
                n = min(n, t.steps_to_epoch_end() if fixed else t.steps_to_epoch(t.config.epochs))
            if t.config.target_loss:
                n = min(n, TARGET_LOSS_CHECK_STEPS)
        return n

    def _measure(self, going: list[Trainer]) -> None:
        now = time.perf_counter()
        recording = self.goal is not None and self.step_count >= self._next_record
        if self.budget is not None and self.budget.due(now):
            # Charged with this thread's CPU time: on a loaded machine the wall clock also counts
            # the GIL handed to the UI and the OS running other work.
            cpu = time.thread_time()
            self.publish()
            self.budget.spent(now, time.thread_time() - cpu)
        elif recording:
            for trainer in going:
                trainer.evaluate()  # a point on the loss curve between snapshots
        else:
            for trainer in going:
                if trainer.config.target_loss:
                    trainer.evaluate(record=False)  # the loss the stop condition reads
        if recording and self.goal is not None:
            self._next_record = min(self.goal, self.step_count + self._record_every)

    def _stop_if_done(self) -> StopReason | None:
        reason = self.should_stop()
        if reason is None:
            return None
        self.stopped(reason)
        if self.fixed_chunk is None:
            self.publish()  # first: a reader that sees running == False has the final snapshot
        self.halt()
        return reason
