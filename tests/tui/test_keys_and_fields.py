"""The rule for keys and fields (DESIGN.md): a field being typed in owns every printable key, a
typed value applies on enter, tab or leaving, and no key loses data without a way back (ctrl+z).

These tests type as a person does: key events posted the way the terminal driver posts them,
into the real app, and they check what the person would see (the reason under the field, inside
the panel's visible area) and what must not have happened (no step, no mode, no lost point).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.keys import _character_to_key, key_to_character
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nnplay.core.run.trainer import UNDO_LEVELS, Trainer
from nnplay.core.settings.config import FIELDS, ConfigError, parse_value
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.keys import key_table
from nnplay.tui.widgets.params_panel import FieldInput, FieldValidator, ParamsPanel, format_value
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import Selection, WeightDiagram
from tests.tui.app_thread import AppThread, settle, without_notice
from tests.tui.waiting import holds_within, in_panel_view, wait_until

ROOT = Path(__file__).resolve().parents[2]
CONFIG = PRESETS["seed-v2"].config(train_size=200)
TEXT_FIELDS = [name for name, f in FIELDS.items() if f.kind != "choice" and name not in ("data_seed", "features")]
NASTY = ["nan", "abc", "-1", "1.5", "1e400", "", "x" * 10_000]


@pytest.fixture(scope="module")
def shared(make_app) -> AppThread:
    runner = AppThread(make_app(CONFIG), (80, 24))
    yield runner
    runner.close()


async def fresh(pilot: Pilot, size: tuple[int, int] = (80, 24)) -> None:
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await pilot.resize_terminal(*size)
    app.action_view("live")
    if app.view.editing:
        app.action_edit_data()
    app.channel.replace(Trainer(CONFIG))
    app.query_one(ParamsPanel).load_config(CONFIG)
    app.set_view(discretize=False, show_test=False, classified=None, cursor=None)
    app.query_one(WeightDiagram).focus()
    await settle(pilot)
    app.clear_notifications()
    await without_notice(pilot)


def post(pilot: Pilot, key: str, character: str | None) -> None:
    """A key as the terminal driver posts it (a burst: nothing handled in between)."""
    pilot.app.post_message(events.Key(key, character))


def post_text(pilot: Pilot, text: str) -> None:
    for character in text:
        post(pilot, _character_to_key(character), character)


def what_the_app_did(app: NNPlayApp) -> tuple:
    """Everything an app key could have changed: if this is the same, no app key ran."""
    snap = app.channel.latest
    return (
        snap.step,
        snap.epoch,
        len(snap.data.X_train),
        snap.config,
        app.channel.running,
        app.view.editing,
        app.view.hidden,
        app.view.travel,
        app.view.discretize,
        app.view.show_test,
        app.view.classified is None,
        app.query_one("#diagram-box").display,
        len(app.screen_stack),
        app.channel._commands.qsize(),
    )


def visible_reason(app: NNPlayApp, name: str) -> str | None:
    """The refusal under the field, if it is on screen inside the panel (not scrolled away, not under the footer)."""
    error = app.query_one(f"#error-{name}", Static)
    if not error.has_class("-shown"):
        return None
    return str(error.render()) if in_panel_view(error) else None


def expected_value(name: str, text: str):
    """What a field should hold after ``text`` is applied, or ConfigError if it must be refused."""
    if name == "csv_path":
        return None if not text.strip() else ConfigError
    result = FieldValidator(name).validate(text.strip())
    if not result.is_valid:
        return ConfigError
    if name in ("layers", "layer_activations") and not text.strip():
        return ()
    return parse_value(name, text.strip())


# Every field at one size, then every field at the other: a resize restyles and lays out the whole screen.
@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_typing_anything_into_a_field_changes_nothing_but_that_field(shared, name, size):
    """Each of "nan", "abc", "-1", "1.5", "1e400", "" and a 10,000-character paste, typed into the
    field and applied with enter: no app action ran, a refusal is on screen with its reason, and
    the value in force is the old one."""

    async def check(pilot: Pilot) -> list[str]:
        app = pilot.app
        await fresh(pilot, size)
        problems = []
        for text in NASTY:
            field = app.query_one(f"#field-{name}", FieldInput)
            field.focus()
            await settle(pilot)
            before = what_the_app_did(app)
            old = getattr(app.query_one(ParamsPanel).config, name)
            post(pilot, "end", None)
            for _ in field.value:
                post(pilot, "backspace", None)
            if len(text) > 100:
                app.post_message(events.Paste(text))
            else:
                post_text(pilot, text)
            await settle(pilot)
            during = what_the_app_did(app)
            if during != before:
                problems.append(f"{text[:12]!r}: typing it ran an app key: {before} -> {during}")
            post(pilot, "enter", "\r")
            await settle(pilot)
            await pilot.pause()  # the screen as a person sees it: scrolled and laid out
            expected = expected_value(name, text)
            now = getattr(app.query_one(ParamsPanel).config, name)
            if expected is ConfigError:
                if now != old:
                    problems.append(f"{text[:12]!r}: refused, yet the value became {now!r} (was {old!r})")
                # What a person sees once the frames have caught up: the scroll follows the layout.
                await holds_within(lambda n=name: visible_reason(app, n) is not None, 30, between=pilot.pause)
                reason = visible_reason(app, name)
                if reason is None or not reason.startswith("✗"):
                    problems.append(f"{text[:12]!r}: no reason visible under the field ({reason!r})")
                elif len(reason) > 400:
                    problems.append(f"{text[:12]!r}: the reason repeats the whole text ({len(reason)} chars)")
                if field.value != format_value(name, old):
                    problems.append(f"{text[:12]!r}: the field shows {field.value[:20]!r}, not the value in force")
            elif now != expected:
                problems.append(f"{text[:12]!r}: valid, yet the value is {now!r}, not {expected!r}")
            after = what_the_app_did(app)
            if after[:3] != before[:3] or after[4:] != before[4:]:
                problems.append(f"{text[:12]!r}: enter ran an app key: {before} -> {after}")
            app.query_one(ParamsPanel).load_config(CONFIG)  # back to the start for the next text
            await settle(pilot)
        return problems

    assert shared.run(check) == []


def test_every_binding_is_either_owned_by_a_field_being_typed_in_or_works_there(shared):
    """The key table's contract, for every binding the app has: a printable key belongs to a field
    being typed in (so typing "nan" can never step the network), a non-printable one still reaches
    the app; the typing twins are active only while typing, and each key needed there has one."""

    async def check(pilot: Pilot) -> dict:
        app = pilot.app
        await fresh(pilot)
        app.query_one("#field-lr", Input).focus()
        await settle(pilot)
        typing = dict(app.screen.active_bindings)
        app.query_one(WeightDiagram).focus()
        await settle(pilot)
        elsewhere = dict(app.screen.active_bindings)
        app.action_edit_data()  # the data editor's keys (digits, arrows, backspace) are active only there
        await settle(pilot)
        elsewhere |= {k: b for k, b in app.screen.active_bindings.items() if b.enabled and k not in elsewhere}
        app.action_edit_data()
        await settle(pilot)
        return {"typing": typing, "elsewhere": elsewhere}

    seen = shared.run(check)
    typing, elsewhere = seen["typing"], seen["elsewhere"]
    checked = 0
    for binding in NNPlayApp.BINDINGS:
        character = key_to_character(binding.key)
        if binding.action.startswith(key_table.TYPING_ACTION):
            assert binding.key in typing and typing[binding.key].enabled, binding
            assert not any(
                b.binding.action == binding.action and b.enabled for k, b in elsewhere.items() if k == binding.key
            ), f"{binding.key} ({binding.action}) is shown outside a field"
        elif character is not None and character.isprintable():
            # The field owns it: no binding of the app may see it while typing.
            assert binding.key not in typing, binding
            assert binding.key in elsewhere, binding
        else:
            assert binding.key in typing, f"{binding.key} does not reach the app while typing"
        checked += 1
    assert checked == len(NNPlayApp.BINDINGS) > 30
    needed = {"toggle_run", "help", "quit", "save"}
    assert needed <= {k.action for k in key_table.KEYS if k.typing_key}


def test_the_footer_shows_the_keys_that_work_while_typing(shared):
    async def check(pilot: Pilot) -> tuple[str, str]:
        from textual.widgets._footer import FooterKey

        app = pilot.app

        def footer() -> str:
            return " ".join(f"{k.key_display} {k.description}" for k in app.query(FooterKey))

        async def footer_once_it_shows(key: str) -> str:
            # The footer recomposes after a focus change; under load that takes a few frames.
            await holds_within(lambda: key in footer(), 30, between=lambda: settle(pilot))
            return footer()

        await fresh(pilot, (120, 40))
        app.query_one("#field-lr", Input).focus()
        typing = await footer_once_it_shows("f5 Run/Pause")
        app.query_one(WeightDiagram).focus()
        elsewhere = await footer_once_it_shows("space Run/Pause")
        return typing, elsewhere

    typing, elsewhere = shared.run(check)
    for shown in ("f5 Run/Pause", "f1 Help", "^q Quit", "^s Save"):
        assert shown in typing, typing
    for twin in ("f5 Run/Pause", "f1 Help"):  # stand-ins for space and ?, needed only while typing
        assert twin not in elsewhere, elsewhere
    assert "space Run/Pause" in elsewhere and "n Step" in elsewhere
    assert "n Step" not in typing and "space" not in typing


def test_f5_runs_and_pauses_while_typing_and_f1_opens_help(shared):
    async def check(pilot: Pilot) -> None:
        from nnplay.tui.screens.help_screen import HelpScreen

        app = pilot.app
        await fresh(pilot)
        field = app.query_one("#field-lr", Input)
        field.focus()
        await settle(pilot)
        post(pilot, "f5", None)
        await settle(pilot)  # the key handled (every queue empty), then its command run here
        assert app.channel.running
        assert app.focused is field
        post(pilot, "f5", None)
        await settle(pilot)
        assert not app.channel.running
        post(pilot, "f1", None)
        await wait_until(lambda: isinstance(app.screen, HelpScreen), what="f1 to open the help", between=pilot.pause)
        post(pilot, "escape", None)
        await wait_until(lambda: not isinstance(app.screen, HelpScreen), what="escape to close the help",
                         between=pilot.pause)  # fmt: skip

    shared.run(check)


def test_a_path_typed_into_csv_file_then_r_loads_it_and_resets(shared, tmp_path):
    """enter leaves the field, so the r after it (in the same burst) is the reset, not a letter of the path."""
    path = tmp_path / "ring3.csv"
    rng = np.random.default_rng(0)
    rows = ["x,y,label"] + [f"{x:.3f},{y:.3f},{int(x * y > 0)}" for x, y in rng.uniform(-1, 1, (60, 2))]
    path.write_text("\n".join(rows) + "\n")

    async def check(pilot: Pilot) -> tuple:
        app = pilot.app
        await fresh(pilot)
        field = app.query_one("#field-csv_path", Input)
        field.focus()
        await settle(pilot)
        post_text(pilot, str(path))
        post(pilot, "enter", "\r")
        post(pilot, "r", "r")
        await settle(pilot)
        # The file is read off the UI thread.
        await holds_within(lambda: app.channel.latest.config.dataset == "csv", 30, between=lambda: settle(pilot))
        return field.value, app.channel.latest.config.dataset, app.channel.latest.config.csv_path

    value, dataset, csv_path = shared.run(check)
    assert value == str(path)
    assert (dataset, csv_path) == ("csv", str(path))


def test_ctrl_z_puts_back_removed_points_and_typed_weights(shared):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await fresh(pilot)
        start = app.channel.latest.data.X_train.copy()
        post(pilot, "a", "a")
        await settle(pilot)
        assert app.view.editing
        banner = app.query_one(ScatterPlot).border_subtitle
        assert banner.startswith("EDITING"), banner  # the mode is on screen, not only in a toast
        for _ in range(12):
            post(pilot, "backspace", None)
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == len(start) - 12
        post(pilot, "a", "a")  # out of data-edit mode: ctrl+z still works, from anywhere
        for _ in range(12):
            post(pilot, "ctrl+z", None)
        await settle(pilot)
        np.testing.assert_array_equal(app.channel.latest.data.X_train, start)
        assert "undone: removed the point" in " ".join(n.message for n in app._notifications)
        # A typed weight, then undone.
        net = app.channel.latest.network
        index = net.param_index(1, 0, 0)
        old = float(net.params[index])
        app.channel.set_parameter(index, 3.5, "weight x -> layer 1 n1")
        await settle(pilot)
        assert app.channel.latest.network.params[index] == 3.5
        post(pilot, "ctrl+z", None)
        await settle(pilot)
        assert app.channel.latest.network.params[index] == old
        post(pilot, "ctrl+z", None)
        await settle(pilot)
        assert any("nothing to undo" in n.message for n in app._notifications)

    shared.run(check)


def test_undo_goes_back_at_least_twenty_edits_and_across_a_reset(shared):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await fresh(pilot)
        start = app.channel.latest.data.X_train.copy()
        app.action_edit_data()
        for k in range(25):
            app.channel.add_point(0.01 * k, -0.01 * k, k % 4)
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == len(start) + 25
        post(pilot, "a", "a")
        post(pilot, "r", "r")  # same network: the data and its edits stay
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == len(start) + 25
        for _ in range(25):
            post(pilot, "ctrl+z", None)
        await settle(pilot)
        np.testing.assert_array_equal(app.channel.latest.data.X_train, start)
        assert UNDO_LEVELS >= 20

    shared.run(check)


def test_a_new_network_keeps_the_edited_data_and_says_what_can_no_longer_be_undone(shared):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await fresh(pilot)
        n = len(app.channel.latest.data.X_train)
        app.channel.add_point(0.5, 0.5, 0)
        net = app.channel.latest.network
        app.channel.set_parameter(net.param_index(1, 0, 0), 1.0, "a weight")
        await settle(pilot)
        panel = app.query_one(ParamsPanel)
        panel.set_field("layers", (5,))  # a new network on the same data
        post(pilot, "r", "r")
        await settle(pilot)
        snap = app.channel.latest
        assert snap.network.sizes[1] == 5
        assert len(snap.data.X_train) == n + 1  # the added point is still there
        said = " ".join(m.message for m in app._notifications)
        assert re.search(r"the 1 edit before it can no longer be undone", said), said  # the weight edit
        post(pilot, "ctrl+z", None)  # the data edit is still undoable
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == n

    shared.run(check)


def test_the_docs_help_and_palette_come_from_the_one_key_table():
    table = key_table.markdown_table()
    keys_page = (ROOT / "docs" / "guide" / "keys.md").read_text(encoding="utf-8")
    assert table in keys_page, (
        "the docs' key table differs from tui/keys/key_table.py: run python docs/hooks/nnplay_docs.py"
    )
    from nnplay.tui.screens.help_screen import HELP

    assert table in HELP
    actions = {a for _, _, a in key_table.palette_entries()}
    assert {"toggle_run", "step", "reset", "undo", "save"} <= actions


async def test_the_command_palette_offers_every_action_of_the_key_table(make_app):
    app = make_app(CONFIG)
    async with app.run_test(size=(120, 40)):
        titles = {c.title for c in app.get_system_commands(app.screen)}
    expected = {k.title for k in key_table.KEYS if k.palette}
    assert expected <= titles, expected - titles


def test_a_selected_weight_is_edited_and_undone_from_the_keyboard(shared):
    async def check(pilot: Pilot) -> None:
        from nnplay.tui.screens.parameter_prompt import ParameterPrompt

        app = pilot.app
        await fresh(pilot, (120, 40))
        diagram = app.query_one(WeightDiagram)
        app.set_view(selection=Selection(1, 0, 0))
        diagram.focus()
        await settle(pilot)
        index = app.channel.latest.network.param_index(1, 0, 0)
        old = float(app.channel.latest.network.params[index])
        post(pilot, "enter", "\r")
        await settle(pilot)
        assert isinstance(app.screen, ParameterPrompt)
        post(pilot, "ctrl+a", None)
        post(pilot, "ctrl+k", None)
        post_text(pilot, "2.5")
        post(pilot, "enter", "\r")
        post(pilot, "n", "n")  # after the prompt closed: an app key again, one step
        await settle(pilot)
        assert not isinstance(app.screen, ParameterPrompt)
        snap = app.channel.latest
        assert snap.step == 1
        post(pilot, "ctrl+z", None)
        await settle(pilot)
        assert any("undone: set the weight" in n.message for n in app._notifications)
        assert old != 2.5

    shared.run(check)


def test_the_command_palette_shows_plain_words_not_markdown() -> None:
    """The palette printed "**Classify Points**" and backticks as they are."""
    from nnplay.tui.keys.key_table import palette_entries

    helps = {title: help_text for title, help_text, _ in palette_entries()}
    assert not any(mark in text for text in helps.values() for mark in ("**", "`")), helps
    assert "Classify Points: classify n fresh points" in helps["Classify"]
