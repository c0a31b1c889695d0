"""Compare two runs side by side (``nnplay --compare lr=0.03,lr=3``, or the palette).

Each side has its plot and its loss curves and status. The screen only draws: each run trains
in a child process of its own (``ComparisonProcesses``, tui/run/comparison_process.py: both cores
train), as the ``nnplay`` command runs them; or, when the app trains in this process (tests, the
screenshots), both in step through the one run loop on a worker of the app (``ComparisonChannel``).
Each publishes snapshots at most ``fps`` times a second; a frame timer draws the newest pair, and
says the runs' notices (a child that died, a divergence) in a line each. Keys (the run channel's
typed commands): space run/pause, n one step, t train the configured iterations, r reset both to
the shared first weights (a child that died: start it again from its last snapshot), escape
closes. A run waits at its stop epoch or stop loss, as in the app; the comparison stops once
neither run goes on.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from nnplay.core.data.datasets import DatasetError
from nnplay.core.io.outside_text import printable
from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.settings.config import ConfigError, TrainConfig
from nnplay.tui.model.frame import FrameSizes, build_frame
from nnplay.tui.model.status_text import rate_text
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.render.palette import colour_count
from nnplay.tui.run.channel import ComparisonChannel
from nnplay.tui.run.comparison_process import ComparisonProcesses
from nnplay.tui.screens.command_palette import open_command_palette
from nnplay.tui.screens.run_worker import start_run_worker
from nnplay.tui.screens.text_prompt import Prompt
from nnplay.tui.widgets.metrics import Metrics
from nnplay.tui.widgets.pointer_on_removed import DropsPointerOnRemovedWidgets
from nnplay.tui.widgets.scatter_plot import ScatterPlot

PLOT_ONLY = ViewState(diagram=False)  # no diagram beside the plots: no thumbnails to compute


class CompareScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CompareScreen { background: $background; }
    CompareScreen #compare-title { height: 1; padding: 0 1; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    CompareScreen .side { width: 1fr; }
    CompareScreen .side-label { height: 1; padding: 0 1; text-style: bold; }
    CompareScreen ScatterPlot { height: 1fr; border: round $primary-darken-1; }
    CompareScreen Metrics { padding: 0 1; }
    CompareScreen #confusion { display: none; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("space", "toggle_run", "Run/Pause"),
        Binding("n", "step", "Step"),
        Binding("t", "train", "Train"),
        Binding("r", "reset", "Reset"),
    ]

    def __init__(self, channel: ComparisonChannel | ComparisonProcesses, colors: int = 256, fps: float = 15.0) -> None:
        super().__init__()
        self.channel = channel  # the two runs: commands in, pairs of snapshots out
        self.color_count = colors
        self.fps = fps
        self._drawn: tuple | None = None  # (the pair of snapshots, running, the plots' sizes) on screen

    @property
    def comparison(self) -> Comparison:
        return self.channel.comparison

    @property
    def running(self) -> bool:
        return self.channel.running

    def compose(self) -> ComposeResult:
        a, b = self.comparison.sides
        # A label quotes the value compared (a CSV path, as typed): shown as text, never as markup.
        yield Static(
            f"compare {printable(a.label)} | {printable(b.label)}: same data, same first weights, trained in step  "
            "(space run  n step  t train  r reset  esc close)",
            id="compare-title",
            markup=False,
        )
        with Horizontal():
            for i, side in enumerate((a, b)):
                with Vertical(classes="side"):
                    flawed = self.comparison.trainers[i].config.backprop != "correct"
                    yield Static(
                        printable(side.label) + ("  FLAWED backprop (article v2)" if flawed else ""),
                        classes="side-label",
                        markup=False,
                    )
                    yield ScatterPlot(colors=self.color_count, id=f"plot-{i}")
                    yield Metrics(id=f"metrics-{i}")

    def on_mount(self) -> None:
        self.set_interval(1.0 / self.fps, self.draw_frame)
        self.call_after_refresh(self.draw_frame)

    def on_unmount(self) -> None:
        self.channel.close()  # closed, or the app quits: no trainer process outlives the screen

    # -- drawing (UI thread) -------------------------------------------------------------

    def draw_frame(self) -> None:
        """Both runs' newest snapshots, each in its plot; nothing when neither they nor the sizes changed."""
        for notice in self.channel.drain_notices():
            self.app.notify(notice.text, severity=notice.severity, timeout=notice.seconds, markup=False)
        pair, running = self.channel.latest, self.channel.running
        plots = [self.query_one(f"#plot-{i}", ScatterPlot) for i in range(len(pair))]
        sizes = tuple(FrameSizes((p.size.width, p.size.height), p.half_rows) for p in plots)
        drawn = self._drawn
        if drawn is not None and drawn[0] is pair and drawn[1:] == (running, sizes):
            return
        self._drawn = (pair, running, sizes)
        for i, (snap, plot, size) in enumerate(zip(pair, plots, sizes, strict=True)):
            plot.show(build_frame(snap, PLOT_ONLY, size, running))
            self.query_one(f"#metrics-{i}", Metrics).show(snap, running, (rate_text(snap), rate_text(snap, short=True)))

    # -- commands (UI thread -> the runs' worker) ---------------------------------------

    def action_toggle_run(self) -> None:
        self.channel.toggle_run()

    def action_step(self) -> None:
        self.channel.step(1)

    def action_train(self) -> None:
        self.channel.train_iterations()

    def action_reset(self) -> None:
        self.channel.reset()

    def action_close(self) -> None:
        self.dismiss()


def show_comparison(
    app: App, comparison: Comparison, colors: int, fps: float, processes: bool = False, closed=None
) -> None:
    """The compare screen over ``app``, its two runs trained in two child processes (``processes``:
    as the app's own run trains) or on a worker of the app; either ends when the screen closes
    (then ``closed()``)."""
    channel: ComparisonChannel | ComparisonProcesses
    if processes:
        channel, worker = ComparisonProcesses(comparison, fps), None
    else:
        channel = ComparisonChannel(comparison, fps)
        worker = start_run_worker(app, channel, "compare")

    def close(_: None) -> None:
        if worker is not None:
            worker.cancel()
        if closed is not None:
            closed()

    app.push_screen(CompareScreen(channel, colors=colors, fps=fps), close)


def comparison_or_error(base: TrainConfig, spec: str) -> Comparison:
    """``Comparison(base, parse_comparison(spec))``; a bad spec raises ValueError with one line."""
    try:
        return Comparison(base, parse_comparison(spec))
    except ConfigError as exc:
        where = "" if exc.name == "compare" else f"{exc.name} "
        raise ValueError(f"{where}{exc.value!r} is not allowed; allowed: {exc.allowed}") from None
    except DatasetError as exc:
        raise ValueError(str(exc)) from None


class ComparePrompt(Prompt[Comparison]):
    """The palette's *Compare two runs*: asks for NAME=A,NAME=B; dismisses with the comparison on
    ``base`` (the panel's setup), or None: escape, or a spec refused in the notice line."""

    def __init__(self, base: TrainConfig) -> None:
        super().__init__("Compare two runs, one setting apart (NAME=A,NAME=B)", "lr=0.03,lr=3")
        self.base = base

    def answer(self, text: str) -> Comparison | None:
        try:
            return comparison_or_error(self.base, text)
        except ValueError as exc:
            self.app.notify(f"not compared: {exc}", severity="error", timeout=12)
            return None


class CompareApp(DropsPointerOnRemovedWidgets):
    """``nnplay --compare``: the comparison alone; closing it quits. ``trainer_process``: each run
    in a process of its own (the ``nnplay`` command), else both on a worker of this one."""

    TITLE = "nnplay compare"

    def __init__(self, comparison: Comparison, fps: float = 15.0, trainer_process: bool = False) -> None:
        super().__init__()
        self.comparison = comparison
        self.fps = fps
        self.trainer_process = trainer_process

    def action_command_palette(self) -> None:
        open_command_palette(self)

    def on_mount(self) -> None:
        self.show_runs()

    def show_runs(self) -> None:
        """The compare screen, training (a still picture overrides this to show its own)."""
        colors = colour_count(self.console.color_system, self.no_color)  # as NNPlayApp picks its palette
        show_comparison(self, self.comparison, colors, self.fps, closed=self.exit, processes=self.trainer_process)
