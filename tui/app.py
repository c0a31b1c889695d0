"""``NNPlayApp``: the panel, the plot, the diagram and the metrics around one training session.

Data flows one way: the panel's config goes to the session (a queue), the worker thread
trains and publishes immutable snapshots, and a frame timer capped at ``fps`` draws the
newest one as the view says (``build_frame``). A key changes the view, the session, or opens
a screen; the rules behind each live in tui/model, the session and the screens.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future

from textual import events, on
from textual.actions import parse as parse_action
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from nnplay.core.config import FIELDS, TrainConfig
from nnplay.core.presets import PRESETS
from nnplay.core.trainer import Trainer
from nnplay.tui.kernel_loader import load_kernel_in_background
from nnplay.tui.keys import EDIT_ACTIONS, TYPING_ACTION, bindings, palette_entries
from nnplay.tui.main_screen import MainScreen, size_classes
from nnplay.tui.model.data_edit import edit_notice, point_label
from nnplay.tui.model.frame import Frame, build_frame, shown_snapshot
from nnplay.tui.model.frame_clock import FrameClock
from nnplay.tui.model.plot_geometry import CELL_ASPECT
from nnplay.tui.model.status_text import status_note
from nnplay.tui.model.view_keys import VIEW_KEYS, Refusal
from nnplay.tui.model.view_state import ClassifiedPoints, ViewState
from nnplay.tui.render.palette import TRUECOLOR
from nnplay.tui.screens.parameter_prompt import ask_for_parameter
from nnplay.tui.session import TrainingSession, fps_for_environment
from nnplay.tui.session_files import ask_to_load, ask_to_save, load_in_background
from nnplay.tui.widgets.metrics import Metrics
from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import WeightDiagram

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
        self._panes_ready = False
        self._quit_after_startup = False  # q came while the panel's fields were being composed
        self.exiting = False
        environ = os.environ if environ is None else environ
        self.fps, self.fps_note = fps_for_environment(fps, dict(environ))
        self.session = TrainingSession(trainer or Trainer(PRESETS["seed-v2"].config()), self.fps)
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
        self.clock = FrameClock(self.fps)
        self._classify_round = 0
        self.session_path = DEFAULT_SESSION
        self.lesson_tracker = None  # the lesson being followed (tui.lesson_tracker.LessonTracker)

    def get_default_screen(self) -> MainScreen:
        config = self.session.latest.config
        return MainScreen(config, self.color_count, deferred=self.standalone, on_change=self._config_changed)

    class Noticed(Message):
        """A notice for the notice line (posted, so ``notify`` stays callable from any thread)."""

        def __init__(self, message: str, title: str, severity: str, timeout: float) -> None:
            super().__init__()
            self.message, self.title, self.severity, self.timeout = message, title, severity, timeout

    def notify(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None, **kw
    ) -> None:
        """A notice: on the main screen in the notice line under the panes, over a modal screen a toast."""
        super().notify(message, title=title, severity=severity, timeout=timeout, **kw)
        timeout = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self.post_message(self.Noticed(message, title, severity, timeout))

    @on(Noticed)
    def _show_notice(self, event: Noticed) -> None:
        try:
            self.query_one(NoticeLine).post(event.message, event.severity, event.timeout, event.title)
        except NoMatches:  # shutting down
            pass

    def on_mount(self) -> None:
        # The numpy trainer holds the GIL between its many small numpy calls; a shorter switch
        # interval hands it to the UI thread sooner, so keys are answered while training runs.
        sys.setswitchinterval(0.001)
        if self.start_worker:
            self.run_worker(self._train_loop, thread=True, exclusive=True, name="trainer", group="trainer")
            if self.use_kernel:
                self.set_timer(1.5, self.load_kernel)  # after the first frames: importing numba holds the GIL
        self.frame_timer = self.set_interval(1.0 / self.fps, self._frame_tick, name="frame")
        self._check_size()

    @on(MainScreen.Composed)
    def _panes_composed(self) -> None:
        self._panes_ready = True
        self.call_after_refresh(self.draw_frame)

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)
        self.call_after_refresh(self.draw_frame)  # once the panes have their new sizes

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        width = self.size.width if width is None else width
        height = self.size.height if height is None else height
        # Every screen in the stack: a resize while help or a prompt is open must reach the main screen too.
        for screen in self.screen_stack:
            size_classes(screen, width, height)

    def load_kernel(self) -> threading.Thread:
        """Load the compiled kernel on a thread of its own; numpy trains until it is ready."""

        def warn(text: str) -> None:
            self.notify(text, severity="warning")

        return load_kernel_in_background(self.session, lambda: self.is_running, warn)

    def _train_loop(self) -> None:
        worker = get_current_worker()
        self.session.run(lambda: worker.is_cancelled)

    # -- drawing ---------------------------------------------------------------------

    def set_view(self, **changes) -> None:
        """Change the view (``discretize=True``...) and draw it at once."""
        self.show_view(self.view.but(**changes))

    def show_view(self, view: ViewState) -> None:
        """Look at the run as ``view`` says, drawn at once. Training pauses while you look at the past."""
        if view.travel is not None and self.view.travel is None:
            self.session.pause()
        self.view = view
        self.draw_frame()

    def _frame_tick(self) -> None:
        """The frame timer: a new snapshot is drawn when the budget allows. While paused there is
        no training to starve, and a change of view or of run state is drawn now."""
        running = self.session.running and self.view.travel is None
        shown = self.frame
        changed = shown is not None and (shown.running, shown.view) != (running, self.view)
        if changed or not running or self.clock.due(time.perf_counter()):
            self.draw_frame()

    def draw_frame(self) -> None:
        """Draw the newest snapshot as the view says, unless that is what is on screen."""
        if not (self.is_running and self._panes_ready):
            return  # starting up, or shutting down: the frame timer can fire while there are no panes
        started, cpu = time.perf_counter(), time.thread_time()
        self.clock.charge(started, cpu, self._draw_frame())

    def _draw_frame(self) -> bool:
        for notice in self.session.drain_notices():
            self.notify(notice.text, severity=notice.severity, timeout=6 if notice.severity != "error" else 12)
        snap = shown_snapshot(self.session.latest, self.view)
        if snap is None:  # the moment travelled to no longer fits the network, rebuilt meanwhile
            self.view, snap = self.view.live(), self.session.latest
        if self.frame is not None:
            self.view = self.view.for_network(self.frame.snapshot.network.sizes, snap.network.sizes)
        # The worker publishes its last snapshot and then clears ``running``: either can be seen
        # first, so a change in either redraws (a status left at "running" would never be corrected).
        running = self.session.running and self.view.travel is None
        screen = self.default_screen
        if not self.clock.is_new(snap, (running, self.view, sizes := screen.frame_sizes(self.cell_aspect))):
            return False
        frame = self.frame = build_frame(snap, self.view, sizes, running)
        screen.show(frame, status_note(snap, self.view, self.fps_note))
        if self.lesson_tracker is not None and self.view.travel is None:
            self.lesson_tracker.observe_frame(self, snap)
        if self.standalone and not self._started and frame.box is not None:
            self._started = True
            # The panel is built once this frame, with the plane, is on screen.
            screen.query_one(ScatterPlot).call_after_paint(self._finish_startup)
        return True

    async def _finish_startup(self) -> None:
        if self.exiting:
            return
        await self.query_one(ParamsPanel).build()
        self.call_after_refresh(freeze_startup_objects)
        if self._quit_after_startup:
            self.call_later(self.run_action, "quit")

    # -- keys: which work where --------------------------------------------------------

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
        if self.view.travel is not None:
            step = self.view.moments[self.view.travel].step
            self.notify(f"in the past (step {step:,}): g goes on from here, l back to live")
        return self.view.travel is not None

    # -- keys: the run -----------------------------------------------------------------

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
        panel = self.query_one(ParamsPanel)
        if panel.after_csv(self.action_reset):
            return  # a CSV file typed just before is still being read: reset once it is applied
        self.set_view(travel=None, moments=(), classified=None)
        self.session.reset(panel.config)

    def action_reseed(self) -> None:
        config = self.query_one(ParamsPanel).config.replace(seed=(self.session.latest.config.seed + 1) % (2**32))
        self.apply_config(config)

    def apply_preset(self, name: str) -> None:
        self.apply_config(PRESETS[name].config())
        self.notify(f"preset {name}: {PRESETS[name].description}")

    def apply_config(self, config: TrainConfig) -> None:
        """A new run of ``config``: the panel shows it, the session starts it, the view is live."""
        self.query_one(ParamsPanel).load_config(config)
        self.set_view(travel=None, moments=(), classified=None)
        self.session.reset(config)

    def action_classify(self) -> None:
        """The article's Classify Points: fresh points, drawn in the class the network gives them."""
        snap = self.session.latest
        self._classify_round += 1
        result = snap.classify(self.query_one(ParamsPanel).config.points_to_classify, self._classify_round)
        which = "fresh points" if result.fresh else "test points (a CSV file has no fresh ones)"
        if not len(result.X):
            self.notify(
                "nothing to classify: this CSV data has no test points (raise the test ratio)", severity="warning"
            )
            return
        self.set_view(classified=ClassifiedPoints(result.X, result.y))
        correct = "" if snap.data.is_regression else f": {result.accuracy:.1%} correct"
        self.notify(f"{'showing' if snap.data.is_regression else 'classified'} {len(result.X):,} {which}{correct}")

    # -- keys: the view ----------------------------------------------------------------

    def action_view(self, key: str, first: int | None = None, second: int | None = None) -> None:
        """A view key (tui/model/view_keys.py) with its numbers: the view it gives is drawn, or its
        refusal said. (Textual passes an action as
        many parameters as its signature names, so they are named.)"""
        numbers = [n for n in (first, second) if n is not None]
        view = VIEW_KEYS[key](self.view, self.session.latest, *numbers)
        if isinstance(view, Refusal):
            self.notify(view, severity="warning")
            return
        self.show_view(view)

    @on(WeightDiagram.SelectionChanged)
    def _selection_clicked(self, event: WeightDiagram.SelectionChanged) -> None:
        self.set_view(selection=event.selection)

    @on(WeightDiagram.EditRequested)
    def _edit_parameter(self, event: WeightDiagram.EditRequested) -> None:
        ask_for_parameter(self, event.selection)

    # -- keys: editing the data --------------------------------------------------------

    def action_edit_data(self) -> None:
        """A cursor on the plot: digits add a point of that class there, backspace removes the nearest."""
        self.set_view(cursor=None if self.view.editing else (0.0, 0.0))
        if self.view.editing:
            self.notify(edit_notice(self.session.latest.data))
        self.refresh_bindings()

    def action_cursor(self, dx: int, dy: int) -> None:
        box = self.frame.box if self.frame is not None else None
        cells = (box.width, box.height) if box is not None else (1, 1)  # one cell per press
        self.show_view(self.view.cursor_moved(dx, dy, self.session.latest.data.extent, cells))

    def action_add_point(self, k: int) -> None:
        label = point_label(self.session.latest.data, k)
        if label is None:
            self.notify("regression data: 1 adds a point with target -1, 2 one with +1", severity="warning")
        else:
            self.session.add_point(*(self.view.cursor or (0.0, 0.0)), label)

    def action_remove_point(self) -> None:
        self.session.remove_nearest(*(self.view.cursor or (0.0, 0.0)))

    def action_undo(self) -> None:
        """Take back the last data or weight edit (ctrl+z), whatever has focus."""
        self.session.undo()

    @on(ScatterPlot.Clicked)
    def _plot_clicked(self, event: ScatterPlot.Clicked) -> None:
        if self.view.editing:
            self.set_view(cursor=(event.x, event.y))

    # -- time travel -------------------------------------------------------------------

    @on(Metrics.Scrub)
    def _scrub(self, event: Metrics.Scrub) -> None:
        """A click on the loss curve: the recorded moment nearest its step."""
        self.show_view(self.view.at_step(self.session.latest.timeline, event.step))

    def action_resume_here(self) -> None:
        if self.view.travel is not None:
            self.session.resume_from(self.view.moments[self.view.travel])
            self.view = self.view.live()

    # -- keys: screens and files -------------------------------------------------------

    def action_explain(self) -> None:
        """One sample's forward pass, errors, deltas and updates for the selected neuron, with formulas."""
        from nnplay.tui.screens.explain_screen import ExplainScreen

        self.session.pause()
        self.push_screen(ExplainScreen(self.frame.snapshot if self.frame else self.session.latest, self.view.selection))

    def action_share(self) -> None:
        """The exact command line of the current setup: shown, and copied where the terminal allows (OSC 52)."""
        from nnplay.tui.share import command_line

        line = command_line(self.query_one(ParamsPanel).config)
        self.copy_to_clipboard(line)
        self.notify(
            line, title="reproduce this setup with (copied to the clipboard if your terminal allows)", timeout=20
        )

    def action_lessons(self) -> None:
        from nnplay.tui.screens.lessons_screen import open_lessons

        open_lessons(self)

    def action_compare(self) -> None:
        from nnplay.tui.screens.compare_screen import open_compare_prompt

        open_compare_prompt(self)

    def action_help(self) -> None:
        from nnplay.tui.screens.help_screen import HelpScreen  # Markdown is slow to import; not needed at start

        self.push_screen(HelpScreen())

    def action_save(self, saved: Callable[[str, Future], None] | None = None) -> None:
        ask_to_save(self, saved)

    async def action_quit(self) -> None:
        """q: quit at once, or with unsaved work, after asking (tui/screens/quit_prompt.py). While the
        panel's fields are being composed, once they are: a widget torn down as it mounts fails."""
        from nnplay.tui.screens.quit_prompt import quit_or_ask

        if self.query_one(ParamsPanel).composing:
            self._quit_after_startup = True
        else:
            quit_or_ask(self)

    def exit(self, *args, **kwargs) -> None:
        self.exiting = True  # start-up work still to come is not begun
        super().exit(*args, **kwargs)

    def action_load(self) -> None:
        ask_to_load(self)

    def load_path(self, path: str) -> None:
        """Load the session in ``path`` (read off the UI thread; nothing changes unless all of it is good)."""
        load_in_background(self, path)

    # -- the panel and the command palette ---------------------------------------------

    def _config_changed(self, config: TrainConfig, field: str) -> None:
        """A panel value was applied: a live setting goes to the trainer now, the rest waits for r."""
        if FIELDS[field].live:
            self.session.apply_settings(self.session.latest.config.with_live_settings_of(config))
        else:
            self.query_one(ParamsPanel).show_pending(config.needs_reset(self.session.latest.config))

    @on(ParamsPanel.RegenerateData)
    def _regenerate(self) -> None:
        self.action_reset()

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
