"""``NNPlayApp``: the panel, the plot, the diagram and the metrics around one training session.

Data flows one way: the panel's config goes to the session (a queue), the worker
thread trains and publishes immutable snapshots, and a frame timer capped at ``fps``
draws the newest one. Nothing is redrawn when no new snapshot arrived.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future

import numpy as np
from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from nnplay.core.config import FIELDS, TrainConfig
from nnplay.core.persist import SessionFileError, load_session
from nnplay.core.presets import PRESETS
from nnplay.core.trainer import Snapshot, Trainer
from nnplay.tui.keys import EDIT_ACTIONS, TYPING_ACTION, bindings, palette_entries
from nnplay.tui.model.frame import Frame, FrameSizes, build_frame, shown_snapshot
from nnplay.tui.model.frame_budget import FrameBudget
from nnplay.tui.model.inspector import inspector_text, parameter_name
from nnplay.tui.model.plot_geometry import CELL_ASPECT
from nnplay.tui.model.view_state import ClassifiedPoints, ViewState
from nnplay.tui.render.palette import TRUECOLOR
from nnplay.tui.session import TrainingSession, fps_for_environment
from nnplay.tui.widgets.bindings_footer import BindingsFooter
from nnplay.tui.widgets.metrics import Metrics, rate_text, update_if_changed
from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import WeightDiagram
from nnplay.tui.widgets.weight_evolution import WeightEvolution

MIN_SIZE = (60, 16)
DEFAULT_SESSION = "nnplay-session.npz"


class NNPlayApp(App[None]):
    """The playground: one training session drawn by four panes."""

    TITLE = "nnplay"
    AUTO_FOCUS = "#diagram"  # the app's keys work from the start; the diagram takes arrows for neuron selection
    CSS_PATH = "app.tcss"
    BINDINGS = bindings()  # tui/keys.py: one table for the bindings, the palette and the help

    def __init__(
        self,
        trainer: Trainer | None = None,
        fps: float | None = None,
        environ: Mapping[str, str] | None = None,
        start_worker: bool = True,
        colors: int | None = None,
        use_kernel: bool = True,
        standalone: bool = False,
        cell_aspect: float = CELL_ASPECT,
    ) -> None:
        super().__init__()
        self.cell_aspect = cell_aspect
        # Standalone: the app is the whole process (the `nnplay` command). Then it composes the
        # panel's fields after the first frame (they are most of the widgets: the plot is on
        # screen ~0.4 s sooner) and, once everything is up, freezes the start-up objects out of
        # the garbage collector's full passes. Tests run many apps in one process and do neither.
        self.standalone = standalone
        self._started = False
        if trainer is None:
            trainer = Trainer(PRESETS["seed-v2"].config())
        environ = os.environ if environ is None else environ
        self.fps, self.fps_note = fps_for_environment(fps, dict(environ))
        self.session = TrainingSession(trainer, self.fps)
        self.start_worker = start_worker
        self.use_kernel = use_kernel
        # Each colour depth gets its own plot palette (classes apart in every one of them).
        # NO_COLOR makes Textual draw in monochrome: the 16-colour palette adds per-class textures.
        system = self.console.color_system
        self.color_count = colors or (
            16 if self.no_color or system in ("standard", "windows") else TRUECOLOR if system == "truecolor" else 256
        )
        self.view = ViewState()  # how the run is looked at: replaced, never changed in place
        self.frame: Frame | None = None  # the frame on screen
        self._drawn: tuple | None = None  # what it was made of: (snapshot, running, view, sizes)
        self.budget = FrameBudget(self.fps)
        self._frame_end: tuple[float, float] | None = None  # (wall, UI thread CPU) time the last frame ended
        self._classify_round = 0
        self.session_path = DEFAULT_SESSION
        self.frames = 0
        self.frame_seconds = 0.0  # time spent building and handing out frames, summed
        self.lesson_tracker = None  # the lesson being followed (tui.lesson_tracker.LessonTracker)

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield ParamsPanel(
                self.session.latest.config, deferred=self.standalone, on_change=self._config_changed, id="panel"
            )
            with Vertical(id="main"):
                with Horizontal(id="views"):
                    yield ScatterPlot(colors=self.color_count, id="plot")
                    with Vertical(id="diagram-box"):
                        yield WeightDiagram(colors=self.color_count, id="diagram")
                        yield WeightEvolution(id="evolution")
                        yield Static("", id="inspector")
                yield Metrics(id="metrics")
                yield NoticeLine(id="notice")
        yield Static(f"terminal too small: nnplay needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}", id="too-small")
        yield BindingsFooter()

    class Noticed(Message):
        """A notice for the notice line (posted, so ``notify`` stays callable from any thread)."""

        def __init__(self, message: str, title: str, severity: str, timeout: float) -> None:
            super().__init__()
            self.message, self.title, self.severity, self.timeout = message, title, severity, timeout

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice: on the main screen in the notice line under the panes, over a modal screen a toast."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        self.post_message(
            self.Noticed(message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        )

    @on(Noticed)
    def _show_notice(self, event: Noticed) -> None:
        try:
            line = self.query_one(NoticeLine)
        except NoMatches:  # shutting down
            return
        line.post(event.message, event.severity, event.timeout, event.title)

    def on_mount(self) -> None:
        self.screen.add_class("-main")  # its notices go to the notice line, not toasts over the panes
        # The numpy trainer holds the GIL between its many small numpy calls; a shorter switch
        # interval hands it to the UI thread sooner, so keys are answered while training runs.
        sys.setswitchinterval(0.001)
        self._set_diagram_title()
        if self.start_worker:
            self.run_worker(self._train_loop, thread=True, exclusive=True, name="trainer", group="trainer")
            if self.use_kernel:
                # After the first frames: importing numba holds the GIL for a moment. A daemon thread,
                # not a worker: compiling cannot be interrupted, and quitting must not wait for it.
                self.set_timer(1.5, self._start_kernel_loader)
        self.frame_timer = self.set_interval(1.0 / self.fps, self._frame_tick, name="frame")
        self.call_after_refresh(self.draw_frame)
        self._check_size()

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)
        self._set_diagram_title()
        self.call_after_refresh(self.draw_frame)  # once the panes have their new sizes

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        width = self.size.width if width is None else width
        height = self.size.height if height is None else height
        # Every screen in the stack: a resize while help or a prompt is open must reach the main screen too.
        for screen in self.screen_stack:
            screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
            screen.set_class(width < 100, "-narrow")

    def _start_kernel_loader(self) -> None:
        threading.Thread(target=self._compile_kernel, name="nnplay-kernel", daemon=True).start()

    def _compile_kernel(self) -> None:
        """Compile (or load from cache) the numba step off the UI thread; numpy trains meanwhile."""
        from nnplay.core.kernel import fallback_message, load_kernel

        kernel = load_kernel()
        if not self.is_running:
            return
        if kernel is None:
            self.notify(fallback_message(), severity="warning")
        else:
            self.session.set_kernel(kernel)

    def _train_loop(self) -> None:
        worker = get_current_worker()
        self.session.run(lambda: worker.is_cancelled)

    # -- drawing ---------------------------------------------------------------------

    def set_view(self, **changes) -> None:
        """Change the view (``discretize=True``...) and draw it at once."""
        self.view = self.view.but(**changes)
        self.draw_frame()

    def _frame_tick(self) -> None:
        """The frame timer: a new snapshot is drawn when the frame budget allows (a view change
        is drawn at once, by ``set_view``, and so is the run pausing). A tick a little early still counts."""
        drawn = self._drawn
        running = self.session.running and self.view.travel is None
        # The budget keeps frames from starving training: while paused there is none to starve, and
        # a change of view or of run state is drawn now, not when the budget allows.
        changed = drawn is not None and (drawn[2] != self.view or drawn[1] != running)
        if changed or not running or self.budget.due(time.perf_counter(), slack=self.budget.min_interval / 2):
            self.draw_frame()

    def draw_frame(self) -> None:
        """Draw the newest snapshot as the view says, unless that is what is on screen."""
        if not self.is_running:
            return  # shutting down: the frame timer can still fire after the widgets are gone
        started, cpu = time.perf_counter(), time.thread_time()
        if self._draw_frame():
            self.budget.spent(started, self._frame_cost(cpu))
        self.frame_seconds += time.perf_counter() - started

    def _frame_cost(self, cpu_at_start: float) -> float:
        """The UI thread's CPU time for a frame just drawn: since the last frame ended (Textual putting
        that one on the screen, and the keys meanwhile, count too), or, after a long pause (idle, or
        start-up work), this frame's own."""
        now, cpu = time.perf_counter(), time.thread_time()
        since, self._frame_end = self._frame_end, (now, cpu)
        if since is None or now - since[0] > 2 * self.budget.interval:
            return cpu - cpu_at_start
        return cpu - since[1]

    def _draw_frame(self) -> bool:
        for notice in self.session.drain_notices():
            self.notify(notice.text, severity=notice.severity, timeout=6 if notice.severity != "error" else 12)
        snap = shown_snapshot(self.session.latest, self.view)
        if snap is None:  # the moment travelled to no longer fits the network, rebuilt meanwhile
            self.action_live()
            snap = self.session.latest
        # The worker publishes its last snapshot and then clears ``running``: either can be seen
        # first, so a change in either redraws (a status left at "running" would never be corrected).
        running = self.session.running and self.view.travel is None
        plot = self.query_one(ScatterPlot)
        sizes = FrameSizes((plot.size.width, plot.size.height), plot.half_rows, self.cell_aspect)
        drawn = self._drawn
        if drawn is not None and drawn[0] is snap and drawn[1:] == (running, self.view, sizes):
            return False
        self._drawn = (snap, running, self.view, sizes)
        self.frames += 1
        frame = self.frame = build_frame(snap, self.view, sizes, running)
        self.query_one("#diagram-box").display = self.view.diagram
        evolution, diagram = self.query_one(WeightEvolution), self.query_one(WeightDiagram)
        evolution.display, diagram.display = self.view.evolution, not self.view.evolution
        plot.show(frame)
        if self.view.diagram and self.view.evolution:
            evolution.show(snap)
        if self.view.diagram and not self.view.evolution:
            diagram.show(frame)
        self._update_inspector()
        self.query_one(Metrics).show(snap, running, self.status_note(snap))
        panel = self.query_one(ParamsPanel)
        panel.show_pending(panel.config.needs_reset(snap.config))
        if self.lesson_tracker is not None and self.view.travel is None:
            self.lesson_tracker.observe_frame(self, snap)
        if self.standalone and not self._started and frame.box is not None:
            self._started = True
            self.call_after_refresh(self._finish_startup)  # once this frame, with the plane, is on screen
        return True

    def status_note(self, snap: Snapshot) -> str:
        """The status line's third row: the rate in force and the frame rate, or how to travel."""
        if self.view.travel is not None:
            # Short: at 120 columns beside the confusion matrix "... g go on from here  l live" lost "live".
            return f"TIME TRAVEL {self.view.travel + 1}/{len(self.view.moments)}: , . move  g go on  l live"
        return f"{rate_text(snap)}  {self.fps_note}"

    async def _finish_startup(self) -> None:
        await self.query_one(ParamsPanel).build()
        self.call_after_refresh(freeze_startup_objects)

    def _update_inspector(self) -> None:
        if self.frame is None:
            return
        snap = self.frame.snapshot
        try:
            sel = self.query_one(WeightDiagram).selection
            inspector = self.query_one("#inspector", Static)
        except NoMatches:  # a selection message that arrives while the app shuts down
            return
        update_if_changed(inspector, inspector_text(snap, sel, inspector.size.width or None))

    @on(WeightDiagram.EditRequested)
    def _edit_parameter(self, event: WeightDiagram.EditRequested) -> None:
        """Type a new value for a weight or bias; the plot follows at once."""
        from nnplay.tui.widgets.parameter_prompt import ParameterPrompt, parse_parameter

        sel = event.selection
        net = self.session.latest.network
        index = net.param_index(sel.layer, sel.neuron, sel.source)
        what = parameter_name(net.sizes, self.session.latest.config.features, sel)

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                value = parse_parameter(text)
            except ValueError as exc:
                self.notify(f"not changed: {exc}", severity="error")
                return

            self.session.set_parameter(index, value, what)

        self.push_screen(ParameterPrompt(what, float(net.params[index])), chosen)

    @on(Metrics.Scrub)
    def _scrub(self, event: Metrics.Scrub) -> None:
        self.travel_to_step(event.step)

    @on(WeightDiagram.SelectionChanged)
    def _selection_changed(self, event: WeightDiagram.SelectionChanged) -> None:
        self.view = self.view.but(selection=event.selection)
        self._update_inspector()
        if self.view.hidden:
            self.draw_frame()

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        modal = isinstance(self.screen, ModalScreen)
        if action == TYPING_ACTION:
            # The twins of space, ?, q and ctrl+s: shown in the footer and working while a field is typed in.
            return self.typing() and not modal
        if action in EDIT_ACTIONS:
            # Arrows, digits and backspace belong to the fields and the diagram unless editing data.
            return self.view.editing and not modal
        if action in APP_ACTIONS:
            # A prompt or help is open: its keys are text or close it. (In a panel field, Textual hides
            # every printable key from the bindings: the field consumes it, see tui/keys.py.)
            return not modal
        return True

    def typing(self) -> bool:
        """Whether a text field has the keys (so every printable key is text, not an app key)."""
        return isinstance(self.focused, Input)

    async def action_while_typing(self, action: str) -> None:
        await self.run_action(action)

    def _in_the_past(self) -> bool:
        """Training keys while time-travelling would train the live run out of sight: refuse them."""
        if self.view.travel is None:
            return False
        step = self.view.moments[self.view.travel].step
        self.notify(f"in the past (step {step:,}): g goes on from here, l back to live")
        return True

    def action_toggle_run(self) -> None:
        if not self._in_the_past():
            self.session.toggle_run()

    def action_step(self) -> None:
        if not self._in_the_past():
            self.session.step(1)

    def action_epoch(self) -> None:
        if not self._in_the_past():
            self.session.run_epoch()

    def action_train(self) -> None:
        if not self._in_the_past():
            self.session.train_iterations()

    def action_reset(self) -> None:
        if self.query_one(ParamsPanel).after_csv(self.action_reset):
            return  # a CSV file typed just before is still being read: reset once it is applied
        self.action_live()
        self.set_view(classified=None)
        self.session.reset(self.query_one(ParamsPanel).config)

    def action_reseed(self) -> None:
        panel = self.query_one(ParamsPanel)
        panel.set_field("seed", (panel.config.seed + 1) % (2**32))
        # set_field applies through the input's change event; build the config directly too.
        config = panel.config.replace(seed=(self.session.latest.config.seed + 1) % (2**32))
        panel.load_config(config)
        self.set_view(classified=None)
        self.session.reset(config)

    def action_classify(self) -> None:
        snap = self.session.latest
        n = self.query_one(ParamsPanel).config.points_to_classify
        self._classify_round += 1
        result = snap.classify(n, self._classify_round)
        X, y = result.X, result.y
        which = "fresh points" if result.fresh else "test points (a CSV file has no fresh ones)"
        if not len(X):
            self.notify(
                "nothing to classify: this CSV data has no test points (raise the test ratio)", severity="warning"
            )
            return
        self.set_view(classified=ClassifiedPoints(X, y))
        if snap.data.is_regression:
            self.notify(f"showing {len(X):,} {which}")
            return
        # One line at 80x24 (the step is in the status line).
        self.notify(f"classified {len(X):,} {which}: {result.accuracy:.1%} correct")

    def action_toggle_diagram(self) -> None:
        self.set_view(diagram=not self.view.diagram)

    def action_discretize(self) -> None:
        self.set_view(discretize=not self.view.discretize)

    def action_colour_by_prediction(self) -> None:
        """Points in the predicted class's colour (the old look) or in their true class's (the default)."""
        self.set_view(by_prediction=not self.view.by_prediction)

    def action_thin_links(self) -> None:
        """Only each neuron's strongest incoming links in the diagram, or every link."""
        self.set_view(thin=not self.query_one(WeightDiagram).thinned())

    def action_show_test(self) -> None:
        if self.view.classified is not None:
            # Classified points stand in for the data; asking for the test points means the data.
            self.set_view(classified=None, show_test=True)
            return
        self.set_view(show_test=not self.view.show_test)

    # -- other views -----------------------------------------------------------------

    def action_hidden_space(self) -> None:
        """Plot the data in the space of two hidden neurons (ConvNetJS's view), or go back."""
        snap = self.session.latest
        if not self.view.hidden and len(snap.network.sizes) < 3:
            self.notify("no hidden layer: add one in the panel (+layer) and press r", severity="warning")
            return
        self.set_view(hidden=not self.view.hidden)

    def action_hidden_partner(self) -> None:
        if self.view.hidden:
            self.set_view(partner=self.view.partner + 1)

    def action_weight_evolution(self) -> None:
        self.view = self.view.but(evolution=not self.view.evolution)
        self._set_diagram_title()
        self.draw_frame()

    def _set_diagram_title(self) -> None:
        """The diagram box's title, shortened by rule on a narrow terminal (never cut with an ellipsis)."""
        try:
            box = self.query_one("#diagram-box")
        except NoMatches:  # a resize before the panes are composed, or while a modal screen is on top
            return
        if not self.view.evolution:
            title = "neurons & weights"
        else:
            title = "weights (w back)" if self.size.width < 100 else "weights over the run (w: back)"
        box.border_title = title

    # -- editing the data -----------------------------------------------------------

    def action_edit_data(self) -> None:
        """A cursor on the plot: digits add a point of that class there, backspace removes the nearest."""
        plot = self.query_one(ScatterPlot)
        self.set_view(cursor=None if self.view.editing else (0.0, 0.0))
        plot.border_subtitle = self._edit_banner(plot.size.width) if self.view.editing else ""
        if self.view.editing:
            snap = self.session.latest
            keys = "1 adds -1, 2 adds +1" if snap.data.is_regression else f"1..{snap.data.n_classes} add"
            # One line at 80x24: the crosshair and its legend entry show where the cursor is.
            self.notify(f"editing data: {keys}, backspace removes, a ends")
        self.refresh_bindings()

    def _edit_banner(self, width: int) -> str:
        """The plot's bottom border while editing the data: the mode is on screen all the time."""
        snap = self.session.latest
        keys = "1 2" if snap.data.is_regression else f"1..{snap.data.n_classes}"
        banners = (f"EDITING DATA: {keys} add, backspace removes, ctrl+z undo, a ends", f"EDITING: {keys} add, a ends")
        for text in (*banners, "EDITING"):
            if len(text) <= width - 4:
                return text
        return ""

    def action_cursor(self, dx: int, dy: int) -> None:
        extent = self.session.latest.data.extent
        box = self.frame.box if self.frame is not None else None
        width, height = (box.width, box.height) if box is not None else (1, 1)  # one cell per press
        x, y = self.view.cursor or (0.0, 0.0)
        x = min(max(x + dx * 2 * extent / max(width, 1), -extent), extent)
        y = min(max(y + dy * 2 * extent / max(height, 1), -extent), extent)
        self.set_view(cursor=(x, y))

    def action_add_point(self, k: int) -> None:
        x, y = self.view.cursor or (0.0, 0.0)
        if self.session.latest.data.is_regression:
            if k > 2:
                self.notify("regression data: 1 adds a point with target -1, 2 one with +1", severity="warning")
                return
            label = 1.0 if k == 2 else -1.0
        else:
            label = k - 1
        self.session.add_point(x, y, label)

    def action_remove_point(self) -> None:
        x, y = self.view.cursor or (0.0, 0.0)
        self.session.remove_nearest(x, y)

    def action_undo(self) -> None:
        """Take back the last data or weight edit (ctrl+z), whatever has focus."""
        self.session.undo()

    @on(ScatterPlot.Clicked)
    def _plot_clicked(self, event: ScatterPlot.Clicked) -> None:
        if self.view.editing:
            self.set_view(cursor=(event.x, event.y))

    # -- time travel -------------------------------------------------------------------

    def action_travel(self, direction: int) -> None:
        """Step through the run's recorded moments; training pauses while you look."""
        view = self.view
        if view.travel is None:
            moments = self.session.latest.timeline
            if not moments:
                return
            self.session.pause()
            view = view.but(moments=moments, travel=len(moments) - 1)
        self.view = view.but(travel=min(max(view.travel + direction, 0), len(view.moments) - 1))
        self.draw_frame()

    def travel_to_step(self, step: float) -> None:
        """Jump to the recorded moment nearest ``step`` (a click on the loss curve)."""
        moments = self.view.moments if self.view.travel is not None else self.session.latest.timeline
        if not moments:
            return
        index = int(np.argmin([abs(m.step - step) for m in moments]))
        if self.view.travel is None:
            self.session.pause()
        self.set_view(moments=moments, travel=index)

    def action_resume_here(self) -> None:
        if self.view.travel is None:
            return
        moment = self.view.moments[self.view.travel]

        self.session.resume_from(moment)
        self.action_live()

    def action_live(self) -> None:
        self.view = self.view.but(travel=None, moments=())

    def action_explain(self) -> None:
        """One sample's forward pass, errors, deltas and updates for the selected neuron, with formulas."""
        from nnplay.tui.widgets.explain_screen import ExplainScreen

        snap = self.frame.snapshot if self.frame is not None else self.session.latest
        self.session.pause()
        index = int(np.random.default_rng(snap.step).integers(len(snap.data.X_train)))
        self.push_screen(ExplainScreen(snap, self.query_one(WeightDiagram).selection, index))

    def action_share(self) -> None:
        """The exact command line of the current setup: shown, and copied where the terminal allows (OSC 52)."""
        from nnplay.tui.share import command_line

        line = command_line(self.query_one(ParamsPanel).config)
        self.copy_to_clipboard(line)
        self.notify(
            line, title="reproduce this setup with (copied to the clipboard if your terminal allows)", timeout=20
        )

    def action_lessons(self) -> None:
        from nnplay.tui.widgets.lessons_screen import open_lessons

        open_lessons(self)

    def action_compare(self) -> None:
        from nnplay.tui.widgets.compare_screen import open_compare_prompt

        open_compare_prompt(self)

    def action_help(self) -> None:
        from nnplay.tui.widgets.help_screen import HelpScreen  # Markdown is slow to import; not needed at start

        self.push_screen(HelpScreen())

    def action_save(self, saved: Callable[[str, Future], None] | None = None) -> None:
        """Ask for a path and save there; with ``saved``, it gets the path and the save's outcome to report."""
        from nnplay.tui.widgets.path_prompt import PathPrompt

        def chosen(path: str | None) -> None:
            if path:
                self.session_path = path
                reply = None if saved is None else Future()
                self.session.save(path, reply)
                if saved is not None:
                    saved(path, reply)

        self.push_screen(PathPrompt("Save session to", self.session_path), chosen)

    async def action_quit(self) -> None:
        """q: quit at once, or with unsaved work, after asking (tui/widgets/quit_prompt.py)."""
        from nnplay.tui.widgets.quit_prompt import quit_or_ask

        quit_or_ask(self)

    def action_load(self) -> None:
        from nnplay.tui.widgets.path_prompt import PathPrompt

        def chosen(path: str | None) -> None:
            if path:
                self.load_path(path)

        self.push_screen(PathPrompt("Load session from", self.session_path), chosen)

    @work(thread=True, exclusive=True, group="load")
    def load_path(self, path: str) -> None:
        """Read and check the file off the UI thread; the session changes only if all of it is good."""
        try:
            trainer = load_session(path)
        except SessionFileError as exc:
            self.call_from_thread(self.notify, f"not loaded: {exc}", severity="error", timeout=12)
            return
        except Exception as exc:  # load_session says everything in one line; this keeps the app up regardless
            self.call_from_thread(self.notify, f"not loaded: {path}: {type(exc).__name__}", severity="error")
            return
        self.call_from_thread(self._loaded, path, trainer)

    def _loaded(self, path: str, trainer: Trainer) -> None:
        # The panel takes the session's settings first: should that fail, the running run is untouched.
        self.query_one(ParamsPanel).load_config(trainer.config)
        self.session_path = path
        self.set_view(classified=None)
        self.session.replace(trainer)
        self.notify(f"loaded {path} at step {trainer.step_count:,}")

    def apply_preset(self, name: str) -> None:
        config = PRESETS[name].config()
        self.query_one(ParamsPanel).load_config(config)
        self.set_view(classified=None)
        self.session.reset(config)
        self.notify(f"preset {name}: {PRESETS[name].description}")

    # -- panel -----------------------------------------------------------------------

    def _config_changed(self, config: TrainConfig, field: str) -> None:
        """A panel value was applied: a live setting goes to the trainer now, the rest waits for r."""
        if FIELDS[field].live:
            self.session.apply_settings(self.session.latest.config.with_live_settings_of(config))
        else:
            self.query_one(ParamsPanel).show_pending(config.needs_reset(self.session.latest.config))

    @on(ParamsPanel.RegenerateData)
    def _regenerate(self) -> None:
        self.action_reset()

    # -- command palette -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name, preset in PRESETS.items():
            yield SystemCommand(f"Preset: {name}", preset.description, lambda n=name: self.apply_preset(n))
        for title, help_text, action in palette_entries():
            yield SystemCommand(title, help_text, lambda a=action: self.run_key_action(a))

    def run_key_action(self, action: str) -> None:
        """Run one of the key table's actions ("travel(-1)") now, as its key would."""
        _, name, params = parse_action(action)
        getattr(self, f"action_{name}")(*params)


APP_ACTIONS = frozenset(b.action.split("(")[0] for b in NNPlayApp.BINDINGS) - EDIT_ACTIONS - {TYPING_ACTION}


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, widgets, styles: ~120k) out of the collector's reach.

    A full collection walks all of them, ~100 ms on these machines, holding the GIL: a key
    pressed then waited for it (the worst keypress while training was 130-150 ms). Frozen,
    full passes walk only what was made since. One collection first, so no start-up garbage
    is frozen with them.
    """
    gc.collect()
    gc.freeze()
