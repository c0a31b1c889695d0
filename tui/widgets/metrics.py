"""Loss sparklines (train and test) and the status line with the measured numbers."""

from __future__ import annotations

import math

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

from core.trainer import HISTORY_FIELDS, Snapshot

TRAIN_LOSS = HISTORY_FIELDS.index("train_loss")
TEST_LOSS = HISTORY_FIELDS.index("test_loss")


def _num(x: float, fmt: str = ".4f") -> str:
    return "-" if x is None or not math.isfinite(x) else format(x, fmt)


def status_text(snap: Snapshot, running: bool, fps_note: str) -> str:
    m = snap.metrics
    parts = [f"step {snap.step:,}", f"epoch {snap.epoch:,}", f"loss {_num(m.train_loss)} / {_num(m.test_loss)}"]
    if snap.data.is_regression:
        parts.append(f"R² {_num(m.r2_train, '.3f')} / {_num(m.r2_test, '.3f')}")
    else:
        parts.append(f"acc {_num(m.train_accuracy * 100, '.1f')}% / {_num(m.test_accuracy * 100, '.1f')}%")
    parts.append(f"{snap.steps_per_second:,.0f} steps/s ({snap.engine})" if running else "paused")
    parts.append(fps_note)
    return "  ".join(parts)


class Metrics(Vertical):
    DEFAULT_CSS = """
    Metrics { height: 4; }
    Metrics Horizontal { height: 1; }
    Metrics Label { width: 17; color: $text-muted; }
    Metrics Sparkline { width: 1fr; height: 1; }
    Metrics #train-loss > .sparkline--max-color { color: $warning; }
    Metrics #status { height: 2; color: $text; }
    Metrics #status.-diverged { color: $error; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("train loss", id="train-label")
            yield Sparkline([], id="train-loss")
        with Horizontal():
            yield Label("test loss", id="test-label")
            yield Sparkline([], id="test-loss")
        yield Static("", id="status")

    def show(self, snap: Snapshot, running: bool, fps_note: str) -> None:
        width = max(1, self.size.width - 17)
        history = snap.history
        for column, name, label in ((TRAIN_LOSS, "train-loss", "train"), (TEST_LOSS, "test-loss", "test")):
            values = history[-width:, column] if len(history) else np.zeros(0)
            values = values[np.isfinite(values)]
            # Log scale: losses fall by orders of magnitude, and a linear line goes flat at once.
            self.query_one(f"#{name}", Sparkline).data = np.log10(np.maximum(values, 1e-12)).tolist()
            latest = _num(values[-1], ".3g") if len(values) else "-"
            self.query_one(f"#{label}-label", Label).update(f"{label} {latest}")
        status = self.query_one("#status", Static)
        text = status_text(snap, running, fps_note)
        if snap.diverged_at is not None:
            text += "\n" + snap.message
        status.set_class(snap.diverged_at is not None, "-diverged")
        status.update(text)
