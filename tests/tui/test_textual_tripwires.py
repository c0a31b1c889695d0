"""Tripwires: the private Textual APIs the app relies on, and the upstream bugs it works around.

Each workaround reaches past Textual's public API (``textual`` is pinned below 9). A test here
fails when Textual changes under it: either the private name or its shape moved (the
workaround would break), or the bug it works around is fixed (the workaround can go). The
failure message names the workaround to revisit.

Found with ``grep -rn '\\._[a-z]' tui/`` on Textual objects; the tests' own private uses are
checked at the end.
"""

from __future__ import annotations

import gc
import inspect

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label

from nnplay.tui.widgets.bindings_footer import BindingsFooter
from nnplay.tui.widgets.ordered_input import OrderedInput
from nnplay.tui.widgets.params_panel import PanelButton
from nnplay.tui.widgets.pointer_on_removed import DropsPointerOnRemovedWidgets


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


# -- KeysInOrder and OrderedInput (tui/widgets/keys_in_order.py): Textual#6605 -----------------


def test_the_private_names_ordered_input_calls_are_still_there() -> None:
    revisit = "revisit KeysInOrder (tui/widgets/keys_in_order.py)"
    assert inspect.iscoroutinefunction(App._check_bindings), f"App._check_bindings changed: {revisit}"
    assert parameters(App._check_bindings) == ["self", "key", "priority"], revisit
    assert parameters(Widget._forward_event) == ["self", "event"], f"Widget._forward_event changed: {revisit}"
    # KeysInOrder overrides the widget's own key handler (the Input's inserts the characters).
    assert inspect.iscoroutinefunction(Input.__dict__.get("_on_key")), f"Input._on_key moved: {revisit}"
    assert inspect.iscoroutinefunction(Widget.__dict__.get("_on_key")), f"Widget._on_key moved: {revisit}"
    # RoutesKeysInOrder routes what App.on_event would forward to the focus.
    assert inspect.iscoroutinefunction(App.on_event), f"App.on_event changed: {revisit}"


class OneField(App[None]):
    def __init__(self, field: Input) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        yield self.field


async def burst_into(field: Input) -> str:
    """Backspace three times then type 300 into "2000", all keys posted before any is handled."""
    app = OneField(field)
    async with app.run_test() as pilot:
        field.value = "2000"
        field.cursor_position = 4
        field.focus()
        await pilot.pause()
        for key, character in [("backspace", None)] * 3 + [("3", "3"), ("0", "0"), ("0", "0")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        return field.value


async def test_textuals_input_still_lets_characters_overtake_a_backspace() -> None:
    """When this fails, Textual#6605 is fixed (PR #6631): OrderedInput's reordering can go."""
    assert await burst_into(Input()) == "2000", "Textual#6605 looks fixed: revisit OrderedInput"
    assert await burst_into(OrderedInput()) == "2300"


# -- PanelButton (tui/widgets/params_panel.py): a press during the press animation -----------


class OneButton(App[None]):
    def __init__(self, button: Button) -> None:
        super().__init__()
        self.button = button
        self.presses = 0

    def compose(self) -> ComposeResult:
        yield self.button

    def on_button_pressed(self) -> None:
        self.presses += 1


async def presses_of_two_quick_clicks(button: Button) -> int:
    button.active_effect_duration = 60.0  # the second click lands in the animation, however slow the machine
    app = OneButton(button)
    async with app.run_test() as pilot:
        await pilot.click(button)
        await pilot.click(button)
        await pilot.pause()
        return app.presses


def test_the_private_click_handler_panel_button_overrides_is_still_there() -> None:
    assert inspect.iscoroutinefunction(Button.__dict__.get("_on_click")), "Button._on_click moved: revisit PanelButton"
    assert parameters(Button._on_click) == ["self", "event"]


async def test_textuals_button_still_drops_a_click_during_its_animation() -> None:
    """When this fails, Button counts every click: PanelButton's overrides can go."""
    assert await presses_of_two_quick_clicks(Button("+")) == 1, "Button counts quick clicks now: revisit PanelButton"
    assert await presses_of_two_quick_clicks(PanelButton("+")) == 2


# -- BindingsFooter (tui/widgets/bindings_footer.py): Textualize/textual#6666 ----------------


class FieldsAndFooter(App[None]):
    BINDINGS = [("f2", "bell", "Bell")]

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        with Vertical():
            for _ in range(3):
                yield Button("b")
        yield self.footer


async def footer_keys_alive_after_focus_changes(footer: Footer) -> tuple[int, int]:
    """(footer keys alive, footer keys shown) after 30 focus changes (each recomposes the footer)."""
    from textual.widgets._footer import FooterKey

    app = FieldsAndFooter(footer)
    async with app.run_test() as pilot:
        for _ in range(30):
            await pilot.press("tab")
            await pilot.pause()
        await pilot.pause(0.1)
        gc.collect()
        return sum(isinstance(o, FooterKey) for o in gc.get_objects()), len(app.query(FooterKey))


async def test_the_footer_internals_bindings_footer_prunes_are_still_there() -> None:
    from textual.widgets._footer import FooterKey  # a private module

    app = FieldsAndFooter(BindingsFooter())
    async with app.run_test() as pilot:
        await pilot.pause()
        # Reactive watchers live in the node's "__watchers" dict: name -> [(node, callback)].
        watchers = getattr(app.footer, "__watchers", None)
        assert isinstance(watchers, dict) and watchers.get("compact"), "Footer's watchers moved: revisit BindingsFooter"
        node, callback = watchers["compact"][0]
        assert isinstance(node, FooterKey) and callable(callback)
    assert isinstance(MessagePump().__dict__.get("_closing"), bool), "MessagePump._closing moved"


async def test_textuals_footer_still_keeps_removed_keys_alive() -> None:
    """When this fails, #6666 is fixed: BindingsFooter's pruning of watchers can go."""
    alive, shown = await footer_keys_alive_after_focus_changes(Footer())
    assert alive > 4 * shown, f"Footer keeps {alive} keys for {shown} shown: #6666 looks fixed, revisit BindingsFooter"
    alive, shown = await footer_keys_alive_after_focus_changes(BindingsFooter())
    assert alive <= 2 * shown


# -- TerminalDriver (tui/terminal/driver.py): SIGCONT restarts a running app ------------------


def sigcont_restarts(driver_class: type) -> int:
    """How many times one SIGCONT, with no suspend before it, starts application mode again."""
    import signal

    from textual.drivers.linux_driver import LinuxDriver

    handlers = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}  # the driver replaces them
    try:
        driver = driver_class(App())
        assert isinstance(driver, LinuxDriver)
        starts: list[None] = []
        driver.start_application_mode = lambda: starts.append(None)  # never touch the real terminal
        signal.getsignal(signal.SIGCONT)(signal.SIGCONT, None)  # what the driver installed
        return len(starts)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def test_the_private_names_terminal_driver_overrides_are_still_there() -> None:
    from textual.drivers.linux_driver import LinuxDriver

    for name in ("_sigtstp_application", "_sigcont_application"):
        assert callable(getattr(LinuxDriver, name, None)), f"LinuxDriver.{name} moved: revisit TerminalDriver"
    source = inspect.getsource(LinuxDriver)
    assert "signal.signal(signal.SIGCONT, self._sigcont_application)" in source, "revisit TerminalDriver"
    assert "self._writer_thread = WriterThread(" in source, "start no longer makes a writer: revisit TerminalDriver"
    assert "self._auto_restart" in inspect.getsource(LinuxDriver._sigtstp_application), "revisit TerminalDriver"


async def test_textuals_driver_still_restarts_on_a_stray_sigcont() -> None:
    """When this fails, Textual's SIGCONT resumes only after its own suspend: TerminalDriver can go."""
    from textual.drivers.linux_driver import LinuxDriver

    from nnplay.tui.terminal.driver import TerminalDriver

    assert sigcont_restarts(LinuxDriver) == 1, "a stray SIGCONT no longer restarts: revisit TerminalDriver"
    assert sigcont_restarts(TerminalDriver) == 0


# -- ClosingCommandPalette (tui/screens/command_palette.py): a dismissed palette acts on --------


class PaletteApp(App[None]):
    """A bare app whose ctrl+p opens ``palette_class``, as Textual's own action does."""

    def __init__(self, palette_class: type) -> None:
        super().__init__()
        self.palette_class = palette_class

    def action_command_palette(self) -> None:
        self.push_screen(self.palette_class(id="--command-palette"))


async def second_dismissal(palette_class: type) -> str:
    """What a palette's second ``dismiss()`` does: a second enter reaching it before it is gone."""
    from textual.app import ScreenStackError

    app = PaletteApp(palette_class)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        palette.dismiss()
        try:
            palette.dismiss()
        except ScreenStackError:
            return "popped the screen under it"
        return "nothing"


async def searches_after_escape(palette_class: type) -> list[str]:
    """The searches a palette starts for an ``Input.Changed`` queued behind its escape."""
    from textual.command import CommandInput

    app = PaletteApp(palette_class)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        started: list[str] = []
        palette._gather_commands = started.append  # the worker each search runs in, recorded instead
        palette._action_escape()
        palette.post_message(Input.Changed(palette.query_one(CommandInput), "ab"))
        await pilot.pause()
        return started


def test_the_private_names_closing_command_palette_overrides_are_still_there() -> None:
    from textual.command import CommandPalette

    overridden = ("_gather_commands", "_refresh_command_list", "_start_no_matches_countdown", "_watch__list_visible",
                  "_watch__show_busy", "_action_command_list", "_action_cursor_down", "_action_escape")  # fmt: skip
    called = ("_cancel_gather_commands", "_stop_busy_countdown", "_stop_no_matches_countdown", "_input")
    for name in overridden + called:
        assert callable(getattr(CommandPalette, name, None)), f"CommandPalette.{name} moved: revisit the palette"
    assert "self.app.pop_screen()" in inspect.getsource(Screen.dismiss), "revisit ClosingCommandPalette.dismiss"
    opening = inspect.getsource(App.action_command_palette)
    assert 'CommandPalette(id="--command-palette")' in opening, "palettes' id changed: revisit open_command_palette"


async def test_textuals_palette_still_pops_the_screen_under_it_when_dismissed_twice() -> None:
    """When this fails, Screen.dismiss pops only its own screen: ClosingCommandPalette.dismiss can go."""
    from textual.command import CommandPalette

    from nnplay.tui.screens.command_palette import ClosingCommandPalette

    assert await second_dismissal(CommandPalette) == "popped the screen under it", "revisit ClosingCommandPalette"
    assert await second_dismissal(ClosingCommandPalette) == "nothing"


async def test_textuals_palette_still_searches_after_it_was_dismissed() -> None:
    """When this fails, a dismissed palette ignores its input: ClosingCommandPalette's guards can go."""
    from textual.command import CommandPalette

    from nnplay.tui.screens.command_palette import ClosingCommandPalette

    assert await searches_after_escape(CommandPalette) == ["ab"], "revisit ClosingCommandPalette"
    assert await searches_after_escape(ClosingCommandPalette) == []


async def test_textual_still_sees_an_open_palette_only_on_top() -> None:
    """When this fails, CommandPalette.is_open looks down the stack: open_command_palette's check can go."""
    from textual.command import CommandPalette

    app = PaletteApp(CommandPalette)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await app.push_screen(Screen())
        assert not CommandPalette.is_open(app), (
            "is_open sees a palette under the top screen: revisit open_command_palette"
        )


# -- DropsPointerOnRemovedWidgets (tui/widgets/pointer_on_removed.py): a press on a removed widget -


class OneLabel(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("some text to select")


class OneLabelDropping(DropsPointerOnRemovedWidgets):
    def compose(self) -> ComposeResult:
        yield Label("some text to select")


async def press_on_a_removed_label(app: App) -> None:
    """Remove the label, then a press on it, before the screen lays out again (as the app takes
    an event from the terminal)."""
    async with app.run_test():
        label = app.query_one(Label)
        x, y = label.region.offset
        with app.batch_update():  # the screen lays out nothing meanwhile
            await label.remove()
            assert app.screen.get_widget_at(x, y)[0] is label, "the layout should still hold the label"
            where = {"x": x, "y": y, "delta_x": 0, "delta_y": 0, "button": 1, "shift": False, "meta": False,
                     "ctrl": False, "screen_x": x, "screen_y": y}  # fmt: skip
            await app.on_event(events.MouseDown(None, **where))


async def test_textuals_selection_still_fails_on_a_press_on_a_removed_widget() -> None:
    """When this fails, Textual's text selection survives a press on a widget just removed:
    DropsPointerOnRemovedWidgets can go."""
    with pytest.raises(AttributeError, match="region"):
        await press_on_a_removed_label(OneLabel())
    await press_on_a_removed_label(OneLabelDropping())


# -- the tests' own private uses ---------------------------------------------------------------


async def test_the_private_names_the_tests_use_are_still_there() -> None:
    """tests/tui/app_thread.py waits on ``_message_queue`` and enters ``App._context()``; many
    tests read ``App._notifications``; tests/tui/test_app_keys.py finds toasts by ``Toast``."""
    from textual.widgets._toast import Toast  # noqa: F401  (a private module)

    app = OneField(Input())
    async with app.run_test() as pilot:
        assert app._message_queue.empty() in (True, False)
        with app._context():
            pass
        app.notify("hello", severity="warning")
        await pilot.pause()
        assert [(n.message, n.severity) for n in app._notifications] == [("hello", "warning")]
