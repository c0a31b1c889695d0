"""``NNPlayApp``: the panel, the plot, the diagram and the metrics around one run.

Data flows one way: the panel's config goes to the run channel (a queue), the worker thread
trains and publishes immutable snapshots, and a frame timer draws the newest one as the view
says (tui/app/frame_pipeline.py). A key changes the view, the run channel, or opens a screen; the rules
behind each live in tui/keys/key_table.py, tui/model, the run channel and the screens.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from typing import cast

from textual import events, on
from textual.app import SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from nnplay.core.run.compare import Comparison
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.frame_pipeline import FramePipeline
from nnplay.tui.app.main_screen import MainScreen, size_classes
from nnplay.tui.app.session_files import ask_to_load, ask_to_save, load_in_background
from nnplay.tui.app.startup import Startup
from nnplay.tui.flags.share_line import command_line
from nnplay.tui.keys.key_table import bindings, key_works, palette_entries
from nnplay.tui.model.data_edit import edit_notice, point_label
from nnplay.tui.model.lesson_tracker import LessonTracker
from nnplay.tui.model.plot_geometry import CELL_ASPECT
from nnplay.tui.model.status_text import classified_notice
from nnplay.tui.model.view_keys import VIEW_KEYS, training_refusal
from nnplay.tui.model.view_state import ClassifiedPoints, Refusal, ViewState
from nnplay.tui.render.palette import colour_count
from nnplay.tui.run.channel import AppRunChannel, AppRunCommands, fps_for_environment
from nnplay.tui.run.kernel_loader import load_kernel_in_background
from nnplay.tui.run.trainer_process import TrainerProcess
from nnplay.tui.screens.command_palette import open_command_palette
from nnplay.tui.screens.compare_screen import ComparePrompt, show_comparison
from nnplay.tui.screens.help_screen import prepare_help, show_help
from nnplay.tui.screens.lessons_screen import LessonChosen, LessonsScreen
from nnplay.tui.screens.parameter_prompt import ParameterPrompt
from nnplay.tui.screens.quit_prompt import QuitPrompt, quit_once_saved
from nnplay.tui.screens.run_worker import start_run_worker
from nnplay.tui.screens.share_screen import SHARE_FILE, ShareScreen, copy_command
from nnplay.tui.widgets.keys_in_order import RoutesKeysInOrder
from nnplay.tui.widgets.lesson_bar import follow_lesson, show_lesson_bar
from nnplay.tui.widgets.metrics import Metrics
from nnplay.tui.widgets.notice_line import SaysNoticesInLine
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.pointer_on_removed import DropsPointerOnRemovedWidgets
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import WeightDiagram

DEFAULT_SESSION = "nnplay-session.npz"


def open_run(trainer: Trainer | None, fps: float, trainer_process: bool) -> AppRunCommands:
    """The app's run of ``trainer`` (seed-v2's when none): in a child process or on a thread worker here."""
    run = TrainerProcess if trainer_process else AppRunChannel
    return run(trainer or Trainer(PRESETS["seed-v2"].config()), fps)


class NNPlayApp(RoutesKeysInOrder, DropsPointerOnRemovedWidgets, SaysNoticesInLine):
    """The playground: one run drawn by four panes."""

    TITLE = "nnplay"
    AUTO_FOCUS = "#diagram"  # the app's keys work from the start; the diagram takes arrows for neuron selection
    CSS_PATH = "app.tcss"
    BINDINGS = bindings()  # tui/keys/key_table.py: one table for the bindings, the palette and the help

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
        trainer_process: bool = False,
        channel: AppRunCommands | None = None,  # the run, started already (the `nnplay` command's forked child)
    ) -> None:
        super().__init__()
        # Standalone: the app is the whole process (the `nnplay` command); see tui/app/startup.py.
        self.startup = Startup(self, standalone)
        self.key_hold = self.startup.keys  # a key typed before the panel's fields exist waits for them
        self._panes_ready = False
        self.fps, fps_note = fps_for_environment(fps, dict(os.environ if environ is None else environ))
        # The run: in a child process (tui/run/trainer_process.py) or on a thread worker of this one.
        self.channel: AppRunCommands = channel or open_run(trainer, self.fps, trainer_process)
        self.frames = FramePipeline(self.channel, self.fps, fps_note, cell_aspect)
        self.start_worker, self.use_kernel = start_worker, use_kernel
        # Each colour depth gets its own plot palette; NO_COLOR draws in monochrome with textures.
        self.color_count = colors or colour_count(self.console.color_system, self.no_color)
        self.view = ViewState()  # how the run is looked at: replaced, never changed in place
        self._classify_round = 0
        self.session_path = DEFAULT_SESSION
        self.share_path = SHARE_FILE  # where s writes the command line too
        self.lesson_tracker: LessonTracker | None = None  # the lesson being followed

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.channel, self.color_count, deferred=self.startup.standalone)

    def on_mount(self) -> None:
        # The numpy trainer holds the GIL between its many small numpy calls; a shorter switch
        # interval hands it to the UI thread sooner, so keys are answered while training runs.
        sys.setswitchinterval(0.001)
        if self.start_worker:
            if isinstance(self.channel, AppRunChannel):
                start_run_worker(self, self.channel, "trainer")
            if self.use_kernel:
                self.startup.when_up(self.load_kernel)  # importing numba holds the GIL for ~0.5 s
            self.startup.when_up(lambda: prepare_help(self))  # so the first ? opens at once
        self.frame_timer = self.set_interval(1.0 / self.fps, self._frame_tick, name="frame")
        self.on_resize(events.Resize(self.size, self.size))

    @on(MainScreen.PanesSized)
    def _panes_sized(self) -> None:
        self._panes_ready = True
        self.call_after_refresh(self.draw_frame)

    def on_resize(self, event: events.Resize) -> None:
        # Every screen in the stack: a resize while help or a prompt is open must reach the main screen too.
        for screen in self.screen_stack:
            size_classes(screen, event.size.width, event.size.height)
        self.call_after_refresh(self.draw_frame)  # once the panes have their new sizes

    def load_kernel(self) -> threading.Thread | None:
        """Load the compiled kernel on a thread of its own; numpy trains until it is ready."""
        return load_kernel_in_background(self.channel, lambda: self.is_running, self._warn)

    # -- drawing ---------------------------------------------------------------------

    def set_view(self, **changes) -> None:
        """Change the view (``discretize=True``...) and draw it at once."""
        self.show_view(self.view.but(**changes))

    def show_view(self, view: ViewState) -> None:
        """Look at the run as ``view`` says, drawn at once. Training pauses while you look at the past."""
        if view.travel is not None and self.view.travel is None:
            self.channel.pause()
        self.view = view
        self.draw_frame()

    def _frame_tick(self) -> None:
        if self.frames.due(self.view):
            self.draw_frame()

    def draw_frame(self) -> None:
        """Draw the newest snapshot as the view says, unless that is what is on screen."""
        if not (self.is_running and self._panes_ready):
            return  # starting up, or shutting down: the frame timer can fire while there are no panes
        for notice in self.channel.drain_notices():  # said before the snapshot that follows them is drawn
            self.notify(notice.text, severity=notice.severity, timeout=notice.seconds)
        self.view, frame = self.frames.draw(self.view, cast(MainScreen, self.default_screen))  # get_default_screen's
        if frame is None:
            return
        if self.lesson_tracker is not None and self.view.travel is None:
            follow_lesson(self, self.lesson_tracker, frame.snapshot)
        self.startup.frame_shown(frame)

    # -- keys: which work where (the rule is tui/keys/key_table.py's) -----------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        modal = isinstance(self.screen, ModalScreen)
        return key_works(action, modal=modal, typing=self.typing(), editing=self.view.editing)

    def typing(self) -> bool:
        """Whether a text field has the keys (so every printable key is text, not an app key)."""
        return isinstance(self.focused, Input)

    async def action_while_typing(self, action: str) -> None:
        await self.run_action(action)

    # -- keys: the run -----------------------------------------------------------------

    def _warn(self, text: str) -> None:
        self.notify(text, severity="warning")

    def _train(self, command: Callable[[], object]) -> None:
        """A training key: refused while looking at the past, which it would train out of sight."""
        refusal = training_refusal(self.view)
        self.notify(refusal) if refusal else command()

    def action_toggle_run(self) -> None:
        self._train(self.channel.toggle_run)

    def action_step(self) -> None:
        self._train(lambda: self.channel.step(1))

    def action_epoch(self) -> None:
        self._train(self.channel.run_epoch)

    def action_train(self) -> None:
        self._train(self.channel.train_iterations)

    @on(ParamsPanel.RegenerateData)  # the panel's regenerate button: new data, a new run
    def action_reset(self) -> None:
        panel = self.query_one(ParamsPanel)
        if not panel.after_csv(self.action_reset):  # else: reset once a CSV file typed just before is read
            self.set_view(travel=None, moments=(), classified=None)
            self.channel.reset(panel.config)

    def action_reseed(self) -> None:
        seed = (self.channel.latest.config.seed + 1) % (2**32)
        self.apply_config(self.query_one(ParamsPanel).config.replace(seed=seed))

    def apply_preset(self, name: str) -> None:
        config, tracker = PRESETS[name].config(), self.lesson_tracker
        if tracker is not None and config != tracker.setup:  # the lesson's bar, "done" included, spoke of that run
            self.lesson_tracker = None
            show_lesson_bar(self, None)
            self.notify(f"left lesson {tracker.number}: the preset is another setup; L starts one again")
        self.apply_config(config)
        self.notify(f"preset {name}: {PRESETS[name].description}")

    def apply_config(self, config: TrainConfig) -> None:
        """A new run of ``config``: the panel shows it, the run channel starts it, the view is live."""
        self.query_one(ParamsPanel).load_config(config)
        self.set_view(travel=None, moments=(), classified=None)
        self.channel.reset(config)

    def action_classify(self) -> None:
        """The article's Classify Points: fresh points, drawn in the class the network gives them."""
        snap, self._classify_round = self.channel.latest, self._classify_round + 1
        result = snap.classify(self.query_one(ParamsPanel).config.points_to_classify, self._classify_round)
        if len(result.X):
            self.set_view(classified=ClassifiedPoints(result.X, result.y))
        severity: SeverityLevel = "information" if len(result.X) else "warning"
        self.notify(classified_notice(result, snap.data.is_regression), severity=severity)

    # -- keys: the view ----------------------------------------------------------------

    def action_view(self, key: str, first: int | None = None, second: int | None = None) -> None:
        """A view key (tui/model/view_keys.py) with its numbers: the view it gives is drawn, or its
        refusal said. (Textual passes an action as many parameters as its signature names.)"""
        view = VIEW_KEYS[key](self.view, self.channel.latest, *[n for n in (first, second) if n is not None])
        self._warn(view) if isinstance(view, Refusal) else self.show_view(view)

    @on(WeightDiagram.SelectionChanged)
    def _selection_clicked(self, event: WeightDiagram.SelectionChanged) -> None:
        self.set_view(selection=event.selection)

    @on(WeightDiagram.EditRequested)
    def _edit_parameter(self, event: WeightDiagram.EditRequested) -> None:
        self.push_screen(ParameterPrompt(self.channel, event.selection))

    @on(Metrics.Scrub)
    def _scrub(self, event: Metrics.Scrub) -> None:
        """A click on the loss curve: the recorded moment nearest its step."""
        self.show_view(self.view.at_step(self.channel.latest.timeline, event.step))

    def action_resume_here(self) -> None:
        if self.view.travel is not None:
            self.channel.resume_from(self.view.moments[self.view.travel])
            self.view = self.view.live()

    # -- keys: editing the data --------------------------------------------------------

    def action_edit_data(self) -> None:
        self.set_view(cursor=None if self.view.editing else (0.0, 0.0))
        if self.view.editing:
            self.notify(edit_notice(self.channel.latest.data))
        self.refresh_bindings()

    def action_cursor(self, dx: int, dy: int) -> None:
        self.show_view(self.view.cursor_moved(dx, dy, self.channel.latest.data.extent, self.frames.plane_cells))

    def action_add_point(self, k: int) -> None:
        label, at = point_label(self.channel.latest.data, k), self.view.cursor or (0.0, 0.0)
        self._warn(label) if isinstance(label, Refusal) else self.channel.add_point(*at, label)

    def action_remove_point(self) -> None:
        self.channel.remove_nearest(*(self.view.cursor or (0.0, 0.0)))

    def action_undo(self) -> None:
        self.channel.undo()

    @on(ScatterPlot.Clicked)
    def _plot_clicked(self, event: ScatterPlot.Clicked) -> None:
        if self.view.editing:
            self.set_view(cursor=(event.x, event.y))

    # -- keys: screens and files -------------------------------------------------------

    def action_explain(self) -> None:
        """One sample's forward pass, errors, deltas and updates for the selected neuron, with formulas."""
        from nnplay.tui.screens.explain_screen import ExplainScreen  # Markdown: slow to import, not needed at start

        self.channel.pause()
        shown = self.frames.frame
        self.push_screen(ExplainScreen(shown.snapshot if shown else self.channel.latest, self.view.selection))

    def action_help(self) -> None:
        show_help(self)

    def action_share(self) -> None:
        """The exact command line of the current setup: shown whole, and copied (tui/screens/share_screen.py)."""
        line = command_line(self.query_one(ParamsPanel).config)
        self.push_screen(ShareScreen(line, copy_command(self, line, self.share_path)))

    def action_lessons(self) -> None:
        """The lessons pane, on the lesson being followed if there is one; choosing one follows it."""
        self.push_screen(LessonsScreen(self.lesson_tracker))

    @on(LessonChosen)
    def _follow_lesson(self, event: LessonChosen) -> None:
        """Apply a chosen lesson's setup as a preset is applied, and follow its tasks from now on (or none)."""
        if event.tracker is not None:
            event.tracker.follow_after(self.channel.latest.run_id)
            self.apply_config(event.tracker.setup)
        self.lesson_tracker = event.tracker
        show_lesson_bar(self, event.tracker)

    def action_compare(self) -> None:
        self.push_screen(ComparePrompt(self.query_one(ParamsPanel).config), self._compare)

    def _compare(self, comparison: Comparison | None) -> None:
        if comparison is not None:
            self.channel.pause()  # the two runs get the CPU
            show_comparison(self, comparison, self.color_count, self.fps, isinstance(self.channel, TrainerProcess))

    def action_save(self, saved: Callable[[str, Future[int]], object] | None = None) -> None:
        ask_to_save(self, saved)

    def action_load(self) -> None:
        ask_to_load(self)

    def load_path(self, path: str) -> None:
        """Load the session in ``path`` (read off the UI thread; nothing changes unless all of it is good)."""
        load_in_background(self, path)

    async def action_quit(self) -> None:
        """q: quit at once, or with unsaved work, after asking (tui/screens/quit_prompt.py)."""
        unsaved = self.channel.unsaved
        if self.startup.can_quit() and not (unsaved and isinstance(self.screen, QuitPrompt)):
            self.push_screen(QuitPrompt(self.channel), self._quit_answered) if unsaved else self.exit()

    def _quit_answered(self, answer: str | None) -> None:
        if answer == "quit":
            self.exit()
        elif answer == "save":  # the app's save prompt and path; escape there stays with nothing lost
            self.action_save(lambda path, reply: self.run_worker(quit_once_saved(self, path, reply), group="quit"))

    def exit(self, *args, **kwargs) -> None:
        self.startup.exiting = self.startup.keys.stopped = True
        super().exit(*args, **kwargs)

    # -- the command palette -----------------------------------------------------------

    def action_command_palette(self) -> None:
        open_command_palette(self)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name, preset in PRESETS.items():
            yield SystemCommand(f"Preset: {name}", preset.description, lambda n=name: self.apply_preset(n))
        for title, help_text, action in palette_entries():  # run as its key would
            yield SystemCommand(title, help_text, lambda a=action: self.call_later(self.run_action, a))
