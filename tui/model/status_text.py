"""The status box's texts, built from a snapshot and the view: progress, loss and score, the
rate in force or how to time-travel, the confusion matrix, the data-edit banner, the loss
curves' columns. Text only (no Textual, no Rich): the metrics pane shows what these say.
"""

from __future__ import annotations

import math

import numpy as np

from nnplay.core.run.classify import Classification
from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.number_text import score_text, short_number
from nnplay.tui.model.view_state import ViewState


def number_text(x: float, fmt: str = ".4f") -> str:
    return "-" if x is None or not math.isfinite(x) else format(x, fmt)


def speed_text(per_second: float) -> str:
    """Steps per second in at most 5 characters: "2,001,795" pushed the engine's name out of the box."""
    if per_second >= 1e6:
        return f"{per_second / 1e6:.1f}M"
    if per_second >= 1e4:
        return f"{per_second / 1e3:.0f}k"
    return f"{per_second:,.0f}"


def status_text(snap: Snapshot, running: bool, fps_note: str) -> str:
    """Three short lines (progress, loss and accuracy, a note) that fit the status box unwrapped:
    wrapped at any width, "acc 19.2% / 20.0%" broke in two and a divergence fell out of sight."""
    m = snap.metrics
    state = f"{speed_text(snap.steps_per_second)} steps/s ({snap.engine})" if running else "paused"
    progress = f"step {snap.step:,}  epoch {snap.epoch:,}  {state}"
    if snap.data.is_regression:
        score = f"R² {score_text(m.r2_train)} / {score_text(m.r2_test)}"
    else:
        score = f"acc {number_text(m.train_accuracy * 100, '.1f')}% / {number_text(m.test_accuracy * 100, '.1f')}%"
    quality = f"loss {short_number(m.train_loss)} / {short_number(m.test_loss)}  {score}"
    if snap.diverged_at is not None:  # the notification has the whole message
        fps_note = f"diverged at step {snap.diverged_at:,}: lower the rate, press r"
    return "\n".join((progress, quality, fps_note))


def rate_text(snap: Snapshot) -> str:
    """The learning rate in force, not the one typed: a schedule lowers it (cosine ends at 0)."""
    c = snap.config
    text = f"lr {snap.learning_rate:.3g}" + ("" if c.schedule == "constant" else f" ({c.schedule})")
    if c.backprop != "correct":  # first after the rate: a narrow status box cuts the end of the line
        text += "  FLAWED backprop (article v2)"
    return text


def confusion_text(snap: Snapshot) -> str:
    """The test set's confusion matrix and per-class accuracy (R² for regression)."""
    m = snap.metrics
    if snap.data.is_regression:
        return f"R² train {score_text(m.r2_train)}\nR² test  {score_text(m.r2_test)}"
    c = m.confusion_test
    if c is None or not c.sum():
        return ""
    recall = m.per_class_accuracy()
    k = len(c)
    if k > 5:
        return "per-class test acc\n" + " ".join(number_text(r * 100, ".0f") for r in recall)
    width = max(3, len(str(int(c.max()))))
    head = "test  pred " + " ".join(f"{j + 1:>{width}}" for j in range(k)) + "   acc"
    rows = [
        f"true {i + 1:<5} " + " ".join(f"{int(v):>{width}}" for v in c[i]) + f" {number_text(recall[i] * 100, '5.1f')}%"
        for i in range(k)
    ]
    return "\n".join([head, *rows])


def status_note(snap: Snapshot, view: ViewState, fps_note: str) -> str:
    """The status line's third row: the rate in force and the frame rate, or how to travel."""
    if view.travel is not None:
        # Short: at 120 columns beside the confusion matrix "... g go on from here  l live" lost "live".
        return f"TIME TRAVEL {view.travel + 1}/{len(view.moments)}: , . move  g go on  l live"
    return f"{rate_text(snap)}  {fps_note}"


def column_means(losses: np.ndarray, starts: np.ndarray) -> list[float]:
    """log10 of ``losses``, averaged over the runs of rows that begin at ``starts``; runs with no
    finite loss are left out. Log scale: losses fall by orders of magnitude, and a linear line
    goes flat at once."""
    logs = np.log10(np.maximum(losses, 1e-12))
    finite = np.isfinite(logs)
    sums = np.add.reduceat(np.where(finite, logs, 0.0), starts)
    counts = np.add.reduceat(finite.astype(np.int64), starts)
    return (sums[counts > 0] / counts[counts > 0]).tolist()


def classified_notice(result: Classification, regression: bool) -> str:
    """What Classify Points says: how many points, which, and how many the network got right."""
    if not len(result.X):
        return "nothing to classify: this CSV data has no test points (raise the test ratio)"
    which = "fresh points" if result.fresh else "test points (a CSV file has no fresh ones)"
    correct = "" if regression else f": {result.accuracy:.1%} correct"
    return f"{'showing' if regression else 'classified'} {len(result.X):,} {which}{correct}"
