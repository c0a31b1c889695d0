"""Braille scatter plot of the points over the network's decision regions: draws a ``Frame``."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.frame import Frame, FrameSizes, build_frame
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.render.plot import PlotStyle, default_plot_style
from nnplay.tui.render.scatter import LEVELS, scatter_lines
from nnplay.tui.widgets.changed_lines import refresh_changed_lines

TITLES = {False: ("data & decision regions", "data & regions"), True: ("hidden space (h back, H next)", "hidden (h)")}


class ScatterPlot(Widget):
    """Each cell's background is the predicted class, shaded by confidence; dots are the points."""

    DEFAULT_CSS = """
    ScatterPlot { height: 1fr; min-height: 5; }
    """

    def __init__(self, colors: int = 256, **kwargs) -> None:
        super().__init__(**kwargs)
        self.color_count = colors
        self.frame: Frame | None = None
        self._lines: list[Strip] = []
        self._style_cache: dict[int, PlotStyle] = {}
        self.frames_drawn = 0
        self.painted: Frame | None = None  # the frame whose lines the screen last asked for
        self._after_paint: list[Callable[[], object]] = []

    class Clicked(Message):
        """A click on the plot, in data coordinates."""

        def __init__(self, x: float, y: float) -> None:
            super().__init__()
            self.x, self.y = x, y

    class Resized(Message):
        """The pane has a new size: a frame is built for a size, so the one shown no longer fits it."""

    def on_resize(self) -> None:
        self.post_message(self.Resized())

    @property
    def half_rows(self) -> bool:
        """Does this pane's palette draw regions at two rows per cell (what the grid pass is sized to)?"""
        return self.plot_style(2).half_blocks

    def plot_style(self, n_classes: int) -> PlotStyle:
        if n_classes not in self._style_cache:
            self._style_cache[n_classes] = default_plot_style(max(n_classes, 2), LEVELS, self.color_count)
        return self._style_cache[n_classes]

    def on_click(self, event: events.Click) -> None:
        frame = self.frame
        if frame is None or frame.hidden is not None or frame.box is None:
            return
        point = frame.box.point_at(event.x, event.y, frame.snapshot.data.extent)
        if point is not None:
            self.post_message(self.Clicked(*point))

    def show(self, frame: Frame) -> None:
        """Draw ``frame`` (the lines that changed are refreshed)."""
        if frame is self.frame:
            return
        self.frame = frame
        self._set_title(frame.hidden is not None)
        data = frame.snapshot.data
        style = self.plot_style(0 if data.is_regression else data.n_classes)
        width = frame.sizes.plot[0]
        # Cells the palette leaves without a background (16 colours, NO_COLOR) take the pane's,
        # not the terminal's own, which may be light under light points.
        base = Style(bgcolor=self.background_colors[1].rich_color)
        old, self._lines = self._lines, [Strip(line, width).apply_style(base) for line in scatter_lines(frame, style)]
        self.frames_drawn += 1
        refresh_changed_lines(self, old, self._lines)

    def _set_title(self, hidden: bool) -> None:
        # Shortened by rule where the pane is narrow, never cut with an ellipsis.
        long, short = TITLES[hidden]
        title = long if len(long) + 4 <= self.size.width or not self.size.width else short
        if self.border_title != title:
            self.border_title = title

    def call_after_paint(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the frame shown now has been painted, that is handed to the terminal.

        ``call_after_refresh`` alone can run before it: the screen learns that this pane changed from
        the pane's own message queue, and may go idle (and run the callback) first. Work scheduled
        here waits until the screen has drawn these lines, and the screen writes them in the same pass.
        """
        if self.frame is not None and self.painted is self.frame:
            self.call_after_refresh(callback)
        else:
            self._after_paint.append(callback)

    def render_line(self, y: int) -> Strip:
        if self.painted is not self.frame:
            self.painted = self.frame
            callbacks, self._after_paint = self._after_paint, []
            for callback in callbacks:
                self.call_after_refresh(callback)
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)


def render_scatter(
    snap: Snapshot, width: int, height: int, view: ViewState, style: PlotStyle
) -> tuple[list[Strip], Frame]:
    """The plot pane of ``snap`` at ``width`` x ``height`` as ``view`` says, and the frame drawn:
    the whole work of one plot frame (the benchmarks time it, the tests read it)."""
    frame = build_frame(snap, view, FrameSizes((width, height), style.half_blocks))
    return [Strip(line, width) for line in scatter_lines(frame, style)], frame
