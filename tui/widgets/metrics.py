"""Loss sparklines (train and test) and the status line with the measured numbers."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Sparkline, Static

from nnplay.core.run.trainer import HISTORY_FIELDS, Snapshot
from nnplay.tui.model.number_text import short_number
from nnplay.tui.model.status_text import column_means, confusion_text, status_text

TRAIN_LOSS = HISTORY_FIELDS.index("train_loss")
TEST_LOSS = HISTORY_FIELDS.index("test_loss")


CURVE_LABEL_WIDTH = 17  # "train 4.25e5" and room to breathe, left of each loss curve


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


class Metrics(Horizontal):
    DEFAULT_CSS = """
    Metrics { height: auto; min-height: 5; max-height: 6; }
    Metrics #curves { height: auto; width: 1fr; }
    Metrics Horizontal { height: 1; }
    Metrics Label { width: CURVE_LABEL_WIDTH; color: $text-muted; }
    Metrics Sparkline { width: 1fr; height: 1; }
    Metrics Label.scale { width: 20; text-align: right; }
    Metrics #train-loss > .sparkline--max-color { color: $warning; }
    Metrics #status { height: 3; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    Metrics #status.-diverged { color: $error; text-style: bold; }
    Metrics #confusion { width: auto; height: auto; padding: 0 0 0 2; color: $text-muted; }
    """.replace("CURVE_LABEL_WIDTH", str(CURVE_LABEL_WIDTH))

    class Scrub(Message):
        """A click on the loss curve: show the run as it was at ``step``."""

        def __init__(self, step: float) -> None:
            super().__init__()
            self.step = step

    def compose(self) -> ComposeResult:
        with Vertical(id="curves"):
            with Horizontal():
                yield Label("train loss", id="train-label")
                yield Sparkline([], id="train-loss")
                yield Label("", id="train-scale", classes="scale")
            with Horizontal():
                yield Label("test loss", id="test-label")
                yield Sparkline([], id="test-loss")
                yield Label("", id="test-scale", classes="scale")
            yield Static("", id="status")
        yield Static("", id="confusion")

    def show(self, snap: Snapshot, running: bool, note: str | tuple[str, str]) -> None:
        """Draw ``snap``; ``note`` is the status's third row, or its whole and short forms."""
        width = max(1, self.query_one("#curves").size.width - CURVE_LABEL_WIDTH)
        history = snap.history
        # The whole recorded run, each column the mean of its share of the rows: the newest
        # `width` rows alone were the last ~3 s at 15 records a second, noise without the descent.
        starts = np.linspace(0, len(history), min(width, len(history)) + 1).astype(int)
        self._shown_steps = history[starts[1:] - 1, 0] if len(history) else np.zeros(0)
        for column, name, label in ((TRAIN_LOSS, "train-loss", "train"), (TEST_LOSS, "test-loss", "test")):
            data = column_means(history[:, column], starts[:-1]) if len(history) else []
            sparkline = self.query_one(f"#{name}", Sparkline)
            if sparkline.data != data:
                sparkline.data = data
            values = history[:, column][np.isfinite(history[:, column])] if len(history) else np.zeros(0)
            latest = short_number(values[-1]) if len(values) else "-"
            update_if_changed(self.query_one(f"#{label}-label", Label), f"{label} {latest}")
            update_if_changed(self.query_one(f"#{label}-scale", Label), curve_scale(data))
        status = self.query_one("#status", Static)
        confusion = self.query_one("#confusion", Static)
        table = confusion_text(snap)
        text, beside = self.status_beside(snap, running, (note,) if isinstance(note, str) else note, table)
        status.set_class(snap.diverged_at is not None, "-diverged")
        update_if_changed(status, text)
        update_if_changed(confusion, table)
        if confusion.display != beside:
            confusion.display = beside

    def status_beside(self, snap: Snapshot, running: bool, notes: tuple[str, ...], table: str) -> tuple[str, bool]:
        """The status text and whether the confusion matrix is shown beside it: the matrix is shown
        wherever the status keeps every character in its whole form or, failing that, its short form
        (no engine name, the flawed rule unnamed); where neither fits, the status alone, whole."""
        whole = status_text(snap, running, notes[0])
        if not table:
            return whole, False
        for short, note in enumerate((notes[0], notes[-1])):
            text = status_text(snap, running, note, short=bool(short))
            if widest(table) + 2 + max(widest(text), CURVE_LABEL_WIDTH + 8) <= self.size.width:
                return text, True
        return whole, False

    def on_click(self, event: events.Click) -> None:
        steps = getattr(self, "_shown_steps", None)
        for sparkline in self.query(Sparkline):
            region = sparkline.region
            if steps is not None and len(steps) and region.contains(event.screen_x, event.screen_y):
                at = (event.screen_x - region.x) / max(region.width, 1)
                self.post_message(self.Scrub(float(steps[min(int(at * len(steps)), len(steps) - 1)])))


def curve_scale(log_columns: list[float]) -> str:
    """The loss curve's range, bottom to top: the curve spans its lowest to its highest column,
    on a log scale (``column_means``), and without this nothing said which losses those are."""
    if not log_columns:
        return ""
    return f"{short_number(10 ** min(log_columns))}–{short_number(10 ** max(log_columns))} log"


def update_if_changed(widget: Static, text: str) -> None:
    """Static.update repaints even for the same text; skip that, it is bytes on the wire. A text
    of the same shape as the one shown (each line as wide, none wrapped) is repainted without a
    layout pass: a layout of the whole screen for each new step count cost the UI 30-50 ms of CPU
    on every frame and every key."""
    shown = widget.content
    if shown == text:
        return
    same_shape = isinstance(shown, str) and line_widths(shown) == line_widths(text)
    widget.update(text, layout=not (same_shape and widest(text) <= widget.content_size.width))


def line_widths(text: str) -> list[int]:
    return [cell_len(line) for line in text.split("\n")]
