"""A one-line prompt for a file path (save and load)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from nnplay.tui.widgets.ordered_input import OrderedInput


class PromptInput(OrderedInput):
    """The prompt's line: enter answers at once, so the keys typed after it reach the app, not this line."""

    BINDINGS = [Binding("enter", "choose", "confirm", show=False)]

    def action_choose(self) -> None:
        self.screen.choose(self.value)


class PathPrompt(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PathPrompt { align: center middle; }
    PathPrompt > Vertical { width: 70; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#path"  # the app's AUTO_FOCUS ("#diagram") finds nothing here: typing would go nowhere

    def __init__(self, title: str, path: str) -> None:
        super().__init__()
        self.title_text = title
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield PromptInput(self.path, id="path")
            yield Label("enter to confirm, escape to cancel", classes="hint")

    def choose(self, text: str) -> None:
        if self.is_current:  # a second enter, queued before the first closed the prompt, would pop the app's screen
            self.dismiss(text.strip() or None)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
