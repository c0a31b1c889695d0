"""An Input that applies a burst of keys in the order they were typed."""

from __future__ import annotations

from textual.widgets import Input

from nnplay.tui.widgets.keys_in_order import KeysInOrder


class OrderedInput(KeysInOrder, Input):
    """An Input whose editing keys (backspace, arrows, tab, ...) run where it inserts characters,
    so a burst edits it in the order typed (tui/widgets/keys_in_order.py)."""
