"""``MainScreen``: the panes around the run, and which part of a frame each one draws.

The panel, the plot, the diagram (or the weights over the run) with its inspector, the
metrics and the notice line. The app decides what to look at and when; ``show(frame)`` hands
each pane its part. The panes hold no state of each other's. A value applied in the panel goes
to the run channel at once if it is live, else waits for r (marked pending).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from nnplay.core.settings.config import FIELDS, TrainConfig
from nnplay.tui.model.data_edit import edit_banner
from nnplay.tui.model.frame import Frame, FrameSizes
from nnplay.tui.model.inspector import inspector_text
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.run.channel import AppRunCommands
from nnplay.tui.widgets.bindings_footer import BindingsFooter
from nnplay.tui.widgets.loss_landscape import LossLandscape
from nnplay.tui.widgets.metrics import Metrics, update_if_changed
from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import WeightDiagram
from nnplay.tui.widgets.weight_evolution import WeightEvolution

MIN_SIZE = (60, 16)
NARROW = 100  # columns below which the panel and the titles take their short forms


class MainScreen(Screen):
    """The app's screen of panes. Its notices go to the notice line, not toasts over the panes."""

    def __init__(self, channel: AppRunCommands, colors: int, deferred: bool) -> None:
        super().__init__(classes="-main")
        self.channel = channel
        self._panel = (channel.latest.config, deferred)  # the panel's first values, and whether it waits to be built
        self.color_count = colors

    def compose(self) -> ComposeResult:
        config, deferred = self._panel
        # A grid (app.tcss): the panel beside the views, the metrics and the notice line; on a
        # narrow terminal the metrics and the notice line take the whole width under both.
        with Container(id="body"):
            yield ParamsPanel(config, deferred=deferred, on_change=self._config_changed, id="panel")
            with Horizontal(id="views"):
                yield ScatterPlot(colors=self.color_count, id="plot")
                with Vertical(id="diagram-box"):
                    yield WeightDiagram(colors=self.color_count, id="diagram")
                    yield WeightEvolution(id="evolution")
                    yield LossLandscape(colors=self.color_count, id="landscape")
                    yield Static("", id="inspector")
            yield Metrics(id="metrics")
            yield NoticeLine(id="notice")
        yield Static(f"terminal too small: nnplay needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}", id="too-small")
        yield BindingsFooter()

    class PanesSized(Message):
        """The panes are mounted, or the plot changed size: a frame is due at their sizes."""

    def on_mount(self) -> None:
        self.post_message(self.PanesSized())

    @on(ScatterPlot.Resized)
    def _plot_resized(self) -> None:
        # A pane can change size while the terminal does not (the notice line takes a row): a frame
        # is built for a size, so the next one comes now, not at the next tick of the frame clock.
        self.post_message(self.PanesSized())

    def on_screen_suspend(self) -> None:
        # A screen goes over this one: the notices said here are in the notice line, and must not
        # come back as toasts over the help or the prompt (its own notices are toasts there).
        self.app.clear_notifications()

    def _config_changed(self, config: TrainConfig, field: str) -> None:
        """A panel value was applied: a live setting goes to the trainer now, the rest waits for r."""
        if FIELDS[field].live:
            self.channel.apply_settings(config)  # the run channel takes the live settings of it
        else:
            self.show_pending(self.channel.latest.config)

    def frame_sizes(self, cell_aspect: float) -> FrameSizes:
        """The sizes a frame is built for: the plot's cells and how its palette fills them."""
        plot, landscape = self.query_one(ScatterPlot), self.query_one(LossLandscape)
        shown = landscape.display and self.query_one("#diagram-box").display
        pane = (landscape.size.width, landscape.size.height) if shown else (0, 0)
        return FrameSizes((plot.size.width, plot.size.height), plot.half_rows, cell_aspect, pane)

    def show(self, frame: Frame, status_note: tuple[str, str]) -> None:
        """Hand each pane its part of ``frame``; ``status_note`` is the status box's third row, whole and short."""
        view, snap = frame.view, frame.snapshot
        self.query_one("#diagram-box").display = view.diagram
        self.set_diagram_title(view)
        evolution, diagram = self.query_one(WeightEvolution), self.query_one(WeightDiagram)
        landscape = self.query_one(LossLandscape)
        evolution.display, landscape.display = view.evolution, view.landscape
        diagram.display = not (view.evolution or view.landscape)
        plot = self.query_one(ScatterPlot)
        plot.show(frame)
        plot.border_subtitle = edit_banner(snap.data, plot.size.width) if view.editing else ""
        if view.diagram and view.evolution:
            evolution.show(snap)
        elif view.diagram and view.landscape:
            landscape.show(frame)
        elif view.diagram:
            diagram.show(frame)
        inspector = self.query_one("#inspector", Static)
        update_if_changed(inspector, inspector_text(snap, view.selection, inspector.size.width or None))
        self.query_one(Metrics).show(snap, frame.running, status_note)
        self.show_pending(snap.config)

    def show_pending(self, in_force: TrainConfig) -> None:
        """Mark the panel's changes that wait for r (a new network or data set) against the run's config."""
        panel = self.query_one(ParamsPanel)
        panel.show_pending(panel.config.needs_reset(in_force))

    def set_diagram_title(self, view: ViewState) -> None:
        """The diagram box's title, shortened by rule on a narrow terminal (never cut with an ellipsis)."""
        narrow = self.app.size.width < NARROW
        captions: tuple[str, ...] = ()  # under the box: what its small pictures mean, the longest that fits
        if view.landscape:
            plane = "w & b" if view.landscape_plane == "weights" else "path"
            title = "loss (m back)" if narrow else f"loss: {plane} plane (M, m back)"
        elif not view.evolution:
            title = "neurons & weights"
            captions = ("boxes: neuron outputs on the plane", "box: neuron output")
        else:
            title = "weights (w back)" if narrow else "weights over the run (w: back)"  # its caption is in it
        box = self.query_one("#diagram-box")
        room = box.size.width - 4  # the corners and a space each side: a caption is never cut with "…"
        caption = next((c for c in captions if len(c) <= room), "")
        if box.border_title != title:  # set on every frame: only a change refreshes the box
            box.border_title = title
        if box.border_subtitle != caption:
            box.border_subtitle = caption


def size_classes(screen: Screen, width: int, height: int) -> None:
    """A screen's classes for the terminal's size: too small for the panes, or narrow."""
    screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
    screen.set_class(width < NARROW, "-narrow")
