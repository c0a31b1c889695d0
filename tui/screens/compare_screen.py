"""Compare two runs side by side (``nnplay --compare lr=0.03,lr=3``, or the palette).

Each side has its plot and its loss curves and status; both runs train in step on a worker
thread of this screen (numpy), which publishes a pair of snapshots at most ``fps`` times a
second; a frame timer draws the newest pair. Keys (the session's typed commands): space
run/pause, n one step, t train the configured iterations, r reset both to the shared first
weights, escape closes. A run waits at its stop epoch or stop loss, as in the app; the
comparison stops once neither run goes on.
"""

from __future__ import annotations

import queue
import time

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from nnplay.core.data.datasets import DatasetError
from nnplay.core.io.outside_text import printable
from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.run.train_until import record_interval
from nnplay.core.run.trainer import Snapshot
from nnplay.core.settings.config import ConfigError
from nnplay.tui.model.frame import FrameSizes, build_frame
from nnplay.tui.model.status_text import rate_text
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.render.palette import colour_count
from nnplay.tui.run.channel import next_chunk
from nnplay.tui.run.commands import Reset, Step, ToggleRun, TrainIterations
from nnplay.tui.screens.command_palette import open_command_palette
from nnplay.tui.widgets.metrics import Metrics
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

    def __init__(self, comparison: Comparison, colors: int = 256, fps: float = 15.0, start_worker: bool = True) -> None:
        super().__init__()
        self.comparison = comparison
        self.color_count = colors
        self.fps = fps
        self.start_worker = start_worker
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self.running = False
        self._goal: int | None = None
        comparison.evaluate()
        self.latest: tuple[Snapshot, Snapshot] = comparison.snapshots()
        self._drawn: tuple | None = None  # (the pair of snapshots, running, the plots' sizes) on screen

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
        if self.start_worker:
            self.run_worker(self._train_loop, thread=True, exclusive=True, group="compare")
        self.set_interval(1.0 / self.fps, self.draw_frame)
        self.call_after_refresh(self.draw_frame)

    # -- drawing (UI thread) -------------------------------------------------------------

    def draw_frame(self) -> None:
        """Both runs' newest snapshots, each in its plot; nothing when neither they nor the sizes changed."""
        pair, running = self.latest, self.running
        plots = [self.query_one(f"#plot-{i}", ScatterPlot) for i in range(len(pair))]
        sizes = tuple(FrameSizes((p.size.width, p.size.height), p.half_rows) for p in plots)
        drawn = self._drawn
        if drawn is not None and drawn[0] is pair and drawn[1:] == (running, sizes):
            return
        self._drawn = (pair, running, sizes)
        for i, (snap, plot, size) in enumerate(zip(pair, plots, sizes, strict=True)):
            plot.show(build_frame(snap, PLOT_ONLY, size, running))
            self.query_one(f"#metrics-{i}", Metrics).show(snap, running, rate_text(snap))

    # -- commands (UI thread -> worker) ------------------------------------------------

    def action_toggle_run(self) -> None:
        self._commands.put(ToggleRun())

    def action_step(self) -> None:
        self._commands.put(Step(1))

    def action_train(self) -> None:
        self._commands.put(TrainIterations())

    def action_reset(self) -> None:
        self._commands.put(Reset(None))

    def action_close(self) -> None:
        self.running = False
        self.workers.cancel_group(self, "compare")
        self.dismiss()

    # -- the worker thread ---------------------------------------------------------------

    def handle(self, command: ToggleRun | Step | TrainIterations | Reset) -> None:
        """One command on the thread that owns the comparison (the worker, or a test)."""
        comparison = self.comparison
        match command:
            case ToggleRun():
                self.running, self._goal = not self.running, None
            case Step(n):
                self.running, self._goal = False, None
                comparison.step(n)
            case TrainIterations():
                iterations = comparison.trainers[0].config.iterations
                self._goal, self._record_every = comparison.step_count + iterations, record_interval(iterations)
                self.running = True
            case Reset():
                self.running, self._goal = False, None
                comparison.restart()
        if self.running and comparison.should_stop(self._goal) is not None:
            self.running, self._goal = False, None  # both runs are done: space or t would do nothing
        self.publish()

    def publish(self, measured: bool = False) -> None:
        """Both runs' snapshots for the frame timer, measured now unless ``measured`` already."""
        if not measured:
            self.comparison.evaluate()
        self.latest = self.comparison.snapshots()

    def _train_loop(self) -> None:
        worker = get_current_worker()
        chunk, last_publish = 1, 0.0
        while not worker.is_cancelled:
            try:
                command = self._commands.get(timeout=0.05) if not self.running else self._commands.get_nowait()
                self.handle(command)
                continue
            except queue.Empty:
                pass
            if not self.running:
                continue
            comparison, n = self.comparison, chunk
            if self._goal is not None:
                n = min(n, self._goal - comparison.step_count, self._record_every)
            started = time.perf_counter()
            done = comparison.step(comparison.chunk_limit(n), self._goal)
            elapsed = time.perf_counter() - started
            if done and elapsed > 0:
                chunk = next_chunk(done, elapsed)
            # The stop check reads the loss where a target loss is set; a bounded run records a
            # point on the loss curves after every chunk. Publishing measures them itself.
            measured = any(t.config.target_loss for t in comparison.trainers)
            if measured:
                comparison.evaluate()
            stopped = not done or comparison.should_stop(self._goal) is not None
            if stopped:
                self.running, self._goal = False, None
            now = time.perf_counter()
            if stopped or now - last_publish >= 1.0 / self.fps:
                self.publish(measured)
                last_publish = now
            elif self._goal is not None and not measured:
                comparison.evaluate()


def comparison_or_error(base, spec: str) -> Comparison:
    """``Comparison(base, parse_comparison(spec))``; a bad spec raises ValueError with one line."""
    try:
        return Comparison(base, parse_comparison(spec))
    except ConfigError as exc:
        where = "" if exc.name == "compare" else f"{exc.name} "
        raise ValueError(f"{where}{exc.value!r} is not allowed; allowed: {exc.allowed}") from None
    except DatasetError as exc:
        raise ValueError(str(exc)) from None


def open_compare_prompt(app: App) -> None:
    """The palette's *Compare two runs*: ask for NAME=A,NAME=B, then compare on the panel's setup."""
    from nnplay.tui.screens.text_prompt import TextPrompt
    from nnplay.tui.widgets.params_panel import ParamsPanel

    base = app.query_one(ParamsPanel).config

    def chosen(spec: str | None) -> None:
        if not spec:
            return
        try:
            comparison = comparison_or_error(base, spec)
        except ValueError as exc:
            app.notify(f"not compared: {exc}", severity="error", timeout=12)
            return
        app.session.pause()  # the two runs get the CPU
        app.push_screen(CompareScreen(comparison, colors=getattr(app, "color_count", 256), fps=app.fps))

    app.push_screen(TextPrompt("Compare two runs, one setting apart (NAME=A,NAME=B)", "lr=0.03,lr=3"), chosen)


class CompareApp(App[None]):
    """``nnplay --compare``: the comparison alone; closing it quits."""

    TITLE = "nnplay compare"

    def __init__(self, comparison: Comparison, fps: float = 15.0) -> None:
        super().__init__()
        self.comparison = comparison
        self.fps = fps

    def action_command_palette(self) -> None:
        open_command_palette(self)

    def on_mount(self) -> None:
        colors = colour_count(self.console.color_system, self.no_color)  # as NNPlayApp picks its palette
        self.push_screen(CompareScreen(self.comparison, colors=colors, fps=self.fps), lambda _: self.exit())
