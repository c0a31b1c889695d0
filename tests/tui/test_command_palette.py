"""The command palette under fast use (tui/screens/command_palette.py): keys that reach it after
it has run a command or closed do nothing, and ctrl+p never opens a second one.

Keys are posted as the terminal driver posts them, all before the app handles the first, as a
fast typist's burst arrives.
"""

from __future__ import annotations

from textual import events
from textual.command import CommandInput, CommandList, CommandPalette
from textual.widgets import Input

from nnplay.tui.screens.command_palette import ClosingCommandPalette
from nnplay.tui.screens.explain_screen import ExplainScreen
from nnplay.tui.screens.help_screen import HelpScreen
from tests.tui.waiting import wait_until


def burst(app, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def screen_names(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


async def open_palette_with_hits(pilot, text: str) -> CommandPalette:
    await pilot.press("ctrl+p", *text)
    palette = pilot.app.screen
    assert isinstance(palette, ClosingCommandPalette)
    await wait_until(lambda: palette.query_one(CommandList).highlighted is not None, what=f"hits for {text!r}")
    return palette


async def test_a_second_enter_after_the_command_ran_pops_nothing(make_app) -> None:
    """``ctrl+p x enter`` repeated fast ended in ScreenStackError: each extra enter popped a screen."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette_with_hits(pilot, "explain")
        burst(app, "enter", "enter", "enter")
        await wait_until(lambda: isinstance(app.screen, ExplainScreen), what="the chosen command's screen")
        await pilot.pause()
        assert screen_names(app) == ["MainScreen", "ExplainScreen"] and app.is_running


async def test_a_search_queued_behind_escape_starts_nothing(make_app) -> None:
    """``ctrl+p a b escape`` repeated fast ended in NoMatches: a search ran on a palette being
    removed and looked for its list when that was gone. Which keys land where in such a burst is
    a race; what is checked here is its outcome made certain: an ``Input.Changed`` handled after
    the escape (as the binding runs it) starts no search."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        after_closing: list[str] = []
        search = palette._gather_commands

        def recorded(value: str) -> None:
            if palette not in app.screen_stack:
                after_closing.append(value)
            search(value)

        palette._gather_commands = recorded
        palette._action_escape()
        palette.post_message(Input.Changed(palette.query_one(CommandInput), "ab"))
        await wait_until(lambda: screen_names(app) == ["MainScreen"] and not list(app.workers), what="the palette gone")
        await pilot.pause(CommandPalette._NO_MATCHES_COUNTDOWN)  # a "no matches" timer left behind would fire
        assert after_closing == [] and app.is_running


async def test_ctrl_p_opens_no_second_palette_under_the_same_id(make_app) -> None:
    """A command's screen can land on an open palette (its ctrl+p came first); ctrl+p there
    opened a second palette with the first one's id, and the app died of DuplicateIds."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await app.push_screen(HelpScreen())
        await pilot.press("ctrl+p")
        assert screen_names(app) == ["MainScreen", "ClosingCommandPalette", "HelpScreen"] and app.is_running


async def test_a_palette_opened_while_the_last_one_is_being_removed_is_a_new_one(make_app) -> None:
    """Every palette had the same id, which a closed one keeps until its removal is done: ctrl+p
    in that time (``ctrl+p x enter`` repeated fast) killed the app with DuplicateIds."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        first = app.screen
        first.dismiss()
        app.action_command_palette()  # before Textual has removed the first
        await wait_until(lambda: isinstance(app.screen, ClosingCommandPalette) and app.screen is not first,
                         what="a second palette")  # fmt: skip
        await pilot.pause()
        assert screen_names(app) == ["MainScreen", "ClosingCommandPalette"] and app.is_running
