"""The neuron/weight diagram pane: draws a ``Frame``'s diagram; keys and clicks ask for a selection."""

from __future__ import annotations

from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nnplay.tui.keys.key_table import DIAGRAM_KEYS, widget_bindings
from nnplay.tui.model.diagram_data import DiagramData
from nnplay.tui.model.frame import Frame
from nnplay.tui.model.view_state import Selection
from nnplay.tui.render.diagram_painter import EMPTY, DiagramPainter, DiagramPicture
from nnplay.tui.widgets.changed_lines import refresh_changed_lines
from nnplay.tui.widgets.keys_in_order import KeysInOrder


class WeightDiagram(KeysInOrder, Widget, can_focus=True):
    """Hue = sign, intensity = |weight| relative to the largest weight (see the legend row).

    The selection is the view's (``frame.view.selection``): its keys are the app's actions, and a
    click posts ``SelectionChanged``; either way the app draws the view that holds it.
    """

    DEFAULT_CSS = """
    WeightDiagram { height: 1fr; min-height: 6; }
    """
    BINDINGS = widget_bindings(DIAGRAM_KEYS)  # tui/keys/key_table.py: the selection is the view's

    class SelectionChanged(Message):
        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    class EditRequested(Message):
        """The user asked to type a new value for the selected weight or bias."""

        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, colors: int = 256, **kwargs) -> None:
        super().__init__(**kwargs)
        self.painter = DiagramPainter(colors)
        self.frame: Frame | None = None  # the last frame with a diagram
        self.picture: DiagramPicture = EMPTY
        self._lines: list[Strip] = []
        self._drawn_key: tuple | None = None

    @property
    def selection(self) -> Selection:
        return self.frame.view.selection if self.frame is not None else Selection(1, 0)

    @property
    def data(self) -> DiagramData | None:
        """What the diagram draws (None before the first frame with a diagram)."""
        return None if self.frame is None else self.frame.diagram

    @property
    def sizes(self) -> list[int] | None:
        """The layer sizes drawn (None before the first diagram)."""
        return None if self.data is None else self.data.sizes

    def show(self, frame: Frame) -> None:
        """Draw ``frame``'s diagram (its lines that changed are refreshed)."""
        if frame.diagram is not None:
            self.frame = frame
            self._redraw()

    # -- input ---------------------------------------------------------------------

    def action_edit(self) -> None:
        if self.selection.layer > 0:
            self.post_message(self.EditRequested(self.selection))

    def on_click(self, event: events.Click) -> None:
        selection = self.picture.selection_at(event.x, event.y)
        if selection is not None and selection != self.selection:
            self.post_message(self.SelectionChanged(selection))
        self.focus()

    def on_resize(self) -> None:
        self._redraw()

    # -- drawing -------------------------------------------------------------------

    def _redraw(self) -> None:
        frame = self.frame
        if frame is None or frame.diagram is None:
            return
        data = frame.diagram
        thin = frame.view.links_thinned(data.sizes)
        # The arrays drawn, by identity: a new trainer (reset with new layers, a preset, a load)
        # starts its versions again at 1, and a frame that changed only the plot's view hands
        # over the same weights and grid pass, which need no new picture.
        arrays = (*data.weights, *(data.grid_layers or ()))
        settings = (data.version, self.size, frame.view.selection, thin)
        drawn = self._drawn_key
        if drawn is not None and drawn[0] == settings and len(drawn[1]) == len(arrays):
            if all(a is b for a, b in zip(drawn[1], arrays, strict=True)):
                return
        self._drawn_key = (settings, arrays)
        width, height = self.size.width, self.size.height
        self.picture = self.painter.paint(data, width, height, frame.view.selection, thin)
        *mesh, legend = self.picture.lines or [[]]
        lines = [Strip(line, width) for line in mesh] + [Strip(legend).adjust_cell_length(width, Style())]
        old, self._lines = self._lines, lines if self.picture.lines else []
        refresh_changed_lines(self, old, self._lines)

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)
