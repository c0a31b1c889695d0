"""An Input that applies a burst of keys in the order they were typed, and draws its value as text
(a path from the command line or a session may hold control characters)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Input

from nnplay.core.outside_text import printable


class OrderedInput(Input):
    """Runs the bindings of a key (backspace, arrows, tab, ...) where it handles characters.

    Textual's Input inserts a character in its own ``_on_key`` but lets a bound key bubble up to
    the app, which only then runs the binding. When keys arrive together (a fast typist, key
    repeat over SSH, a paste without bracketed-paste mode) the characters behind a backspace
    overtake it: "2000", three backspaces and "300" gave "2000"; and the keys after a tab landed in
    the field being left (Textual#6605, fix pending upstream in PR #6631). Checking the bindings here,
    from this widget up exactly as the app would, keeps the order; priority bindings were already
    checked by the app before the key reached this widget.
    """

    async def _on_key(self, event: events.Key) -> None:
        focused = self.app.focused
        if focused is not self:
            # The app sent this key here before an earlier key of the burst (tab, enter, a click, a
            # prompt opening or closing) moved the focus: it belongs to where the focus is now, and
            # the app's keys apply to it as they would have had it come on its own. This is what
            # App.on_event does with a fresh key (private, like _check_bindings below).
            event.stop()
            event.prevent_default()
            if not await self.app._check_bindings(event.key, priority=True):
                (self.app.focused or self.app.screen)._forward_event(events.Key(event.key, event.character))
            return
        # App._check_bindings is what App._on_key runs once the key has bubbled up; private, so
        # textual is pinned below 9 and the burst tests in tests/tui/test_panel.py watch it.
        if not event.is_printable and await self.app._check_bindings(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    @property
    def _value(self) -> Text:
        """The value as drawn: a path from the command line or a session may hold control characters,
        which are shown (one cell each, so the cursor stays on its character), never sent raw."""
        if self.password:
            return super()._value
        return Text(printable(self.value), no_wrap=True, overflow="ignore", end="")
