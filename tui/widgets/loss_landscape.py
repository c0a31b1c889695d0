"""The loss landscape pane, shown instead of the diagram with `m`: it draws the frame's picture.

It takes the diagram's selection keys (arrows, `[` `]`) while it has focus, so the weights plane
can be moved from weight to weight without going back to the diagram.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from nnplay.tui.keys.key_table import DIAGRAM_KEYS, widget_bindings
from nnplay.tui.model.frame import Frame
from nnplay.tui.model.landscape_view import MEASURING
from nnplay.tui.render.landscape import render_landscape


class LossLandscape(Static, can_focus=True):
    """Redrawn when the frame's picture or the pane's size changes."""

    DEFAULT_CSS = """
    LossLandscape { height: 1fr; }
    """
    BINDINGS = widget_bindings(tuple(k for k in DIAGRAM_KEYS if k.action.startswith("app.view")))

    def __init__(self, colors: int, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.color_count = colors
        self._key: tuple | None = None

    def show(self, frame: Frame) -> None:
        picture = frame.landscape
        key = (id(picture), self.size)
        if key == self._key:
            return
        self._key = key
        if picture is None:  # the pane was not laid out yet: its surface is asked for on the next frame
            self.update(Text(MEASURING, Style(dim=True)))
        elif isinstance(picture, str):  # a refusal, or what it is doing
            self.update(Text(str(picture), Style(dim=True)))
        else:
            self.update(render_landscape(picture, self.size.width, self.size.height, self.color_count))
