"""A one-line prompt: a question, an answer typed on one line (paths, a comparison, a weight)."""

from __future__ import annotations

from typing import Generic, TypeVar

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
        if isinstance(self.screen, Prompt):
            self.screen.choose(self.value)


AnswerT = TypeVar("AnswerT")


class Prompt(ModalScreen[AnswerT | None], Generic[AnswerT]):
    """Asks ``title``; dismisses with ``answer`` of the stripped line typed, or None (escape, or nothing typed)."""

    DEFAULT_CSS = """
    Prompt { align: center middle; }
    Prompt > Vertical { width: 70; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#answer"  # the app's AUTO_FOCUS ("#diagram") finds nothing here: typing would go nowhere

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield PromptInput(self.text, id="answer")
            yield Label("enter to confirm, escape to cancel", classes="hint")

    def choose(self, text: str) -> None:
        if self.is_current:  # a second enter, queued before the first closed the prompt, would pop the app's screen
            self.dismiss(self.answer(text.strip()) if text.strip() else None)

    def answer(self, text: str) -> AnswerT | None:
        """What the typed ``text`` (stripped, not empty) answers; None refuses it (the prompt says why)."""
        raise NotImplementedError

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(Prompt[str]):
    """Asks ``title``; dismisses with the stripped answer, or None (escape, or nothing typed)."""

    def answer(self, text: str) -> str:
        return text
