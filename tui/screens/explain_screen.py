"""Explain one step: a training sample's forward pass, errors, deltas and weight updates."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.explanation import explanation_markdown
from nnplay.tui.model.view_state import Selection


class ExplainScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ExplainScreen { align: center middle; }
    ExplainScreen > VerticalScroll {
        width: 95%; max-width: 130; height: 95%; border: thick $primary; background: $surface;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close"),
        Binding("x", "another", "Another sample"),
    ]

    def __init__(self, snap: Snapshot, selection: Selection, index: int | None = None) -> None:
        """The step for training sample ``index``; by default one drawn from the run's step, so
        asking again at the same step explains the same sample."""
        super().__init__()
        if index is None:
            index = int(np.random.default_rng(snap.step).integers(len(snap.data.X_train)))
        self.snap, self.selection, self.index = snap, selection, index

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(explanation_markdown(self.snap, self.index, self.selection))

    def action_another(self) -> None:
        self.index = (self.index + 1) % len(self.snap.data.X_train)
        self.query_one(Markdown).update(explanation_markdown(self.snap, self.index, self.selection))
