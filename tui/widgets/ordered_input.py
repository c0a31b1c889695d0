"""An Input that applies a burst of keys in the order they were typed, and draws its value as text
(a path from the command line or a session may hold control characters)."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input

from nnplay.core.io.outside_text import printable
from nnplay.tui.widgets.keys_in_order import KeysInOrder


class OrderedInput(KeysInOrder, Input):
    """An Input whose editing keys (backspace, arrows, tab, ...) run where it inserts characters,
    so a burst edits it in the order typed (tui/widgets/keys_in_order.py)."""

    TAKES_TEXT = True

    @property
    def _value(self) -> Text:
        """The value as drawn: a path from the command line or a session may hold control characters,
        which are shown (one cell each, so the cursor stays on its character), never sent raw."""
        if self.password:
            return super()._value
        return Text(printable(self.value), no_wrap=True, overflow="ignore", end="")

    def _watch_value(self, value: str) -> None:
        """Input's own watcher sets its scroll range (the virtual size, a layout reactive) as the
        text changes, which lays the whole screen out on every key: ~25 ms of the UI's CPU a key at
        80x24. A field of fixed size changes only its scroll range, so that is set first without a
        layout, and Input's own assignment then finds it unchanged."""
        if not self.styles.auto_dimensions:
            self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
