"""Textual's command palette, made to do nothing more once it is dismissed.

The rule: a palette that has been dismissed pops no more screens and touches none of its widgets.

Textual's ``CommandPalette`` breaks both under fast typing (``ctrl+p x enter`` or ``ctrl+p a b
escape``, repeated): keys and messages already queued for a palette are still handled after it
was dismissed, until Textual has finished removing it.

- ``Screen.dismiss`` pops whichever screen is on top, not necessarily the palette. A second
  ``enter`` reaching a palette that has already run its command dismisses it again and pops the
  screen under it: the main screen in the end, and the app dies of ``ScreenStackError``.
- Its search runs in a worker that escape cancels only between results, and a queued
  ``Input.Changed`` starts a new search after the dismissal; either then looks for the
  ``CommandList`` its removal has already taken away, and the app dies of ``NoMatches``.

So the first dismissal stops the search and its timers and marks the palette closed; later
dismissals do nothing, a closed palette ignores the messages of its input and list (the handlers
that would run a command or search again), and the methods that reach the list return at once.
tests/tui/test_textual_tripwires.py fails when Textual fixes either (and this can go).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from textual.app import App
from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList

# What the palette's input and list send it: a search, a choice, a command to run.
AFTER_CLOSING = (Input.Changed, Input.Submitted, Button.Pressed, OptionList.OptionSelected,
                 OptionList.OptionHighlighted)  # fmt: skip


def _unless_closed(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method``, doing nothing on a closed palette (the same signature: Textual counts a watcher's parameters)."""

    @wraps(method)
    def guarded(self: ClosingCommandPalette, *args: Any) -> Any:
        return None if self.closed else method(self, *args)

    return guarded


class ClosingCommandPalette(CommandPalette):
    """``CommandPalette`` following the rule above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed = False

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.closed or self.app.screen is not self:
            return AwaitComplete()  # popping now would pop another screen
        self.closed = True
        self._cancel_gather_commands()
        self._stop_busy_countdown()
        self._stop_no_matches_countdown()
        return super().dismiss(result)

    async def _on_message(self, message: Message) -> None:
        if self.closed and isinstance(message, AFTER_CLOSING):
            message.stop()
            return
        await super()._on_message(message)

    # Each of these reaches the command list, which a closed palette may no longer have.
    _gather_commands = _unless_closed(CommandPalette._gather_commands)
    _refresh_command_list = _unless_closed(CommandPalette._refresh_command_list)
    _start_no_matches_countdown = _unless_closed(CommandPalette._start_no_matches_countdown)
    _watch__list_visible = _unless_closed(CommandPalette._watch__list_visible)
    _watch__show_busy = _unless_closed(CommandPalette._watch__show_busy)  # a coroutine function: its caller awaits
    _action_command_list = _unless_closed(CommandPalette._action_command_list)
    _action_cursor_down = _unless_closed(CommandPalette._action_cursor_down)
    _action_escape = _unless_closed(CommandPalette._action_escape)


def open_command_palette(app: App) -> None:
    """``App.action_command_palette`` with the palette above: opened only when none is in the stack,
    and with no id.

    Textual's own check looks at the top screen alone: a chosen command runs once its palette has
    gone, a ``ctrl+p`` handled first opens a new palette, the command's screen lands on top of it,
    and the next ``ctrl+p`` would open a second one (the one in the stack comes back when that
    screen closes). And it gives every palette the same id, which a closed palette keeps until
    Textual has finished removing it: a palette opened in that time killed the app with
    ``DuplicateIds``.
    """
    if app.use_command_palette and not any(isinstance(screen, CommandPalette) for screen in app.screen_stack):
        app.push_screen(ClosingCommandPalette())
