"""Every control of the parameter panel: numeric fields, selects, layers, features, buttons.

Starting a Textual app costs most of a second, so this module runs ONE app for all its
tests, in a thread with its own event loop (``AppThread``); each test is a plain function
that sends coroutines to it, and the ``panel`` fixture puts the app back to a fresh
run channel and a fresh panel first. That also lets hypothesis drive the live app.

The worker thread is off (``start_worker=False``): ``settle`` runs the queued run-channel
commands here, so what reaches the trainer is deterministic.
"""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from nnplay.core.data.features import FEATURES
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import FIELDS, MAX_LAYERS, MAX_NEURONS, ConfigError, TrainConfig, parse_value
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.params_panel import LAYOUT, LR_LADDER, ParamsPanel, format_value
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from tests.tui.app_thread import AppThread, flush, settle, without_notice
from tests.tui.waiting import wait_until, wait_until_steady

SIZE = (120, 40)
CONFIG = PRESETS["seed-v2"].config(train_size=200)


@pytest.fixture(scope="module")
def shared(make_app) -> AppThread:
    app = make_app(CONFIG)
    runner = AppThread(app, SIZE)
    yield runner
    runner.close()
    assert not runner._thread.is_alive()


async def _reset(pilot: Pilot) -> None:
    app = pilot.app
    await settle(pilot)
    app.action_view("live")  # leave time travel, should a key have started it
    app.channel.replace(Trainer(CONFIG))
    app.query_one(ParamsPanel).load_config(CONFIG)
    app.query_one("#diagram").focus()
    await settle(pilot)


@pytest.fixture
def panel(shared: AppThread) -> AppThread:
    """The shared app with a fresh run channel and panel (CONFIG everywhere, no errors shown)."""
    shared.run(_reset)
    app = shared.app
    assert app.query_one(ParamsPanel).config == CONFIG
    assert app.channel.latest.config == CONFIG
    assert not app.query(".error.-shown")
    assert app.view.travel is None and not app.view.editing
    return shared


# -- helpers that run on the app's loop ---------------------------------------------------


def panel_of(pilot: Pilot) -> ParamsPanel:
    return pilot.app.query_one(ParamsPanel)


async def resized_to(pilot: Pilot, size: tuple[int, int]) -> None:
    """Resize the terminal and wait until the panel is laid out in it (the resize is a message,
    the layout follows on a refresh)."""
    await pilot.resize_terminal(*size)
    app = pilot.app
    await wait_until(lambda: tuple(app.screen.size) == size and panel_of(pilot).region.bottom <= size[1],
                     what=f"the panel laid out at {size}", between=pilot.pause)  # fmt: skip


def error_text(pilot: Pilot, name: str) -> str | None:
    """The reason shown under the field, or None when no error is shown."""
    error = pilot.app.query_one(f"#error-{name}", Static)
    return str(error.render()) if error.has_class("-shown") else None


def pending_text(pilot: Pilot) -> str:
    return str(pilot.app.query_one("#pending", Static).render())


async def set_text(pilot: Pilot, name: str, text: str) -> None:
    """Clear the field and put ``text`` in it as a paste would, then leave it (which applies it)."""
    field = pilot.app.query_one(f"#field-{name}", Input)
    field.value = ""
    field.value = text
    await settle(pilot)
    panel_of(pilot).commit(field)
    await settle(pilot)


# Characters of the named keys these tests press (other names have none).
KEY_CHARACTERS = {"minus": "-", "plus": "+", "slash": "/", "full_stop": ".", "comma": ",", "enter": "\r"}
CHARACTER_KEYS = {c: k for k, c in KEY_CHARACTERS.items()}


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys (names like ``pilot.press`` takes, or characters), each as the terminal driver
    posts it to the app, and handle everything each one sets off before the next.

    ``pilot.press`` waits for an idle CPU twice per key (at least 40 ms); typing values into a
    dozen fields that way would take most of this module's time."""
    for key in keys:
        key = CHARACTER_KEYS.get(key, key)
        character = KEY_CHARACTERS.get(key, key if len(key) == 1 else None)
        pilot.app.post_message(events.Key(key, character))
        await settle(pilot)


async def type_text(pilot: Pilot, name: str, text: str, then: str | None = "enter") -> None:
    """Clear the field and type ``text`` key by key, with the field focused, then ``then`` (enter applies)."""
    field = pilot.app.query_one(f"#field-{name}", Input)
    field.focus()
    await flush(pilot)
    field.value = ""
    await press(pilot, *text, *([then] if then else []))


async def click(pilot: Pilot, selector: str) -> None:
    widget = pilot.app.query_one(selector)
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause(0)
    assert await pilot.click(widget), f"{selector} was not clicked"
    await settle(pilot)


# -- numeric fields -------------------------------------------------------------------------

NUMERIC = [name for name, f in FIELDS.items() if f.kind in ("int", "float") and name != "data_seed"]
VALID = {
    "noise": "0.2",
    "train_size": "150",
    "test_ratio": "0.3",
    "dropout": "0.25",
    "lr": "0.25",
    "momentum": "0.5",
    "l1": "0.001",
    "l2": "0.002",
    "batch_size": "5",
    "iterations": "1234",
    "epochs": "3",
    "target_loss": "0.05",
    "seed": "42",
    "points_to_classify": "77",
}
COMMON_INVALID = ["", "   ", "abc", "-1", "1e400", "9" * 400, "nan", "inf", "1..2", "--1", "0x10"]
OUT_OF_RANGE = {
    "noise": ["1.5"],
    "train_size": ["0", "100001"],
    "test_ratio": ["0.95", "1"],
    "dropout": ["0.95"],
    "lr": ["0", "1e-7", "101"],
    "momentum": ["1", "0.9995"],
    "l1": ["10.5"],
    "l2": ["11"],
    "batch_size": ["0", "100001"],
    "iterations": ["0", "100000001"],
    "epochs": ["1000001"],
    "target_loss": ["1e7"],
    "seed": ["4294967296"],
    "points_to_classify": ["0", "100001"],
}
NOT_INTEGER = ["1.5", "2e-1"]


def test_the_panel_has_every_numeric_field():
    assert set(NUMERIC) == set(VALID) == set(OUT_OF_RANGE)
    assert {"lr", "noise", "train_size", "test_ratio", "momentum", "l1", "l2", "batch_size", "iterations"} < set(
        NUMERIC
    )


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_field_accepts_a_valid_value(panel, name):
    text = VALID[name]
    value = parse_value(name, text)
    assert value != getattr(CONFIG, name)

    async def check(pilot: Pilot) -> None:
        await type_text(pilot, name, text)
        field = pilot.app.query_one(f"#field-{name}", Input)
        assert field.value == text
        assert error_text(pilot, name) is None
        assert getattr(panel_of(pilot).config, name) == value
        trainer_config = pilot.app.channel.latest.config
        if FIELDS[name].live:
            assert getattr(trainer_config, name) == value  # applied to the running network
            assert pending_text(pilot) == ""
            assert pilot.app.channel._trainer.config == panel_of(pilot).config
        else:
            assert getattr(trainer_config, name) == getattr(CONFIG, name)
            assert pending_text(pilot) == f"pending until reset (r): {dict(LAYOUT)[name]}"
            await press(pilot, "r")
            assert getattr(pilot.app.channel.latest.config, name) == value
            assert pending_text(pilot) == ""
            assert field.value == text
        assert pilot.app.channel.latest.step == 0  # typing digits (app keys 1..9 elsewhere) did not train

    panel.run(check)


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_field_refuses_invalid_values(panel, name):
    spec = FIELDS[name]
    invalid = COMMON_INVALID + OUT_OF_RANGE[name] + (NOT_INTEGER if spec.kind == "int" else [])

    async def check(pilot: Pilot) -> list[str]:
        app = pilot.app
        good = VALID[name]
        await set_text(pilot, name, good)
        kept = parse_value(name, good)
        trainer_config = app.channel._trainer.config
        problems = []
        for text in invalid:
            await set_text(pilot, name, text)
            reason = error_text(pilot, name)
            if reason is None or "keeping " + good not in reason:
                problems.append(f"{text!r}: error shown {reason!r}")
            if getattr(panel_of(pilot).config, name) != kept:
                problems.append(f"{text!r}: config became {getattr(panel_of(pilot).config, name)!r}")
            if app.channel._trainer.config != trainer_config:
                problems.append(f"{text!r}: the trainer's config changed")
        await set_text(pilot, name, good)
        if error_text(pilot, name) is not None:
            problems.append("the error stayed after a good value")
        # The reason names what is allowed.
        await set_text(pilot, name, OUT_OF_RANGE[name][0])
        reason = error_text(pilot, name) or ""
        assert reason.startswith("✗ ") and spec.allowed() in reason, reason
        return problems

    assert panel.run(check) == []


@pytest.mark.parametrize("name", ["lr", "train_size"])
def test_letters_and_signs_a_number_cannot_hold_are_refused_by_the_field_not_passed_on(panel, name):
    """A field being typed in owns every printable key: the text shows them, the reason is under it,
    no app key ran, and leaving the field keeps the value in force."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one(f"#field-{name}", Input)
        field.focus()
        await pilot.pause(0)
        field.action_end()
        text = field.value
        keys = ("b", "z", "slash", "n", "d") if name == "lr" else ("b", "minus", "plus", "e", "c")
        await press(pilot, *keys)
        assert field.value == text + "".join(KEY_CHARACTERS.get(k, k) for k in keys)
        assert app.focused is field
        assert (error_text(pilot, name) or "").startswith("✗ ")
        assert f"keeping {format_value(name, getattr(CONFIG, name))}" in error_text(pilot, name)
        snap = app.channel.latest
        assert (snap.step, snap.epoch) == (0, 0) and not app.view.discretize
        assert app.view.classified is None  # c did not classify
        await press(pilot, "enter")
        assert app.focused is not field
        assert field.value == format_value(name, getattr(CONFIG, name))
        assert getattr(panel_of(pilot).config, name) == getattr(CONFIG, name)
        assert "refused" in (error_text(pilot, name) or "")

    panel.run(check)


@given(
    name=st.sampled_from(NUMERIC),
    text=st.one_of(
        st.text(max_size=12),
        st.from_regex(r"\s?[-+]?[0-9]{0,12}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,3})?\s?", fullmatch=True),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
    ),
)
@settings(max_examples=40, deadline=None, database=None)
def test_any_text_is_either_a_value_in_range_or_an_error_keeping_the_old_value(shared, name, text):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        panel = panel_of(pilot)
        field = app.query_one(f"#field-{name}", Input)
        app.set_focus(None)  # a paste or a program: one change (typing has its own test)
        # Start from the value in force, shown without an error.
        field.value = format_value(name, getattr(panel.config, name))
        panel.commit(field)  # applying the value in force clears the refusal of the example before
        await settle(pilot)
        assert error_text(pilot, name) is None
        old_config = panel.config
        field.value = text
        await settle(pilot)
        panel.commit(field)  # leaving the field applies it
        await settle(pilot)
        try:
            expected = parse_value(name, text)
        except ConfigError:
            expected = None
        spec = FIELDS[name]
        new = getattr(panel.config, name)
        if expected is None:
            assert error_text(pilot, name) is not None, f"{text!r} was refused without a reason"
            assert panel.config == old_config
        else:
            assert error_text(pilot, name) is None
            assert new == expected
            assert spec.low <= new <= spec.high and math.isfinite(new)
            assert isinstance(new, int) if spec.kind == "int" else isinstance(new, float)
        # Whatever was typed, the trainer only ever holds a valid configuration.
        trainer_config = app.channel._trainer.config
        assert TrainConfig(**trainer_config.as_dict()) == trainer_config
        if spec.live:
            assert getattr(trainer_config, name) == new

    shared.run(check)


# -- selects ----------------------------------------------------------------------------------

SELECT_CHANGES = {
    "dataset": "circle",
    "activation": "tanh",
    "output": "softmax",
    "loss": "cross_entropy",
    "init": "xavier",
    "optimizer": "adam",
    "schedule": "step",
    "backprop": "article-v2",
}


def test_every_select_field_is_covered():
    assert set(SELECT_CHANGES) == {n for n, f in FIELDS.items() if f.kind == "choice"}


@pytest.mark.parametrize("name", list(SELECT_CHANGES))
def test_select_change_applies_live_or_pending(panel, name):
    new = SELECT_CHANGES[name]
    assert getattr(CONFIG, name) != new

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        select = app.query_one(f"#field-{name}", Select)
        select.value = new
        await settle(pilot)
        assert error_text(pilot, name) is None
        assert getattr(panel_of(pilot).config, name) == new
        if FIELDS[name].live:
            assert getattr(app.channel.latest.config, name) == new
            assert pending_text(pilot) == ""
        else:
            assert getattr(app.channel.latest.config, name) == getattr(CONFIG, name)
            assert name in pending_text(pilot)
            await press(pilot, "r")
            assert getattr(app.channel.latest.config, name) == new
            assert pending_text(pilot) == ""
        assert select.value == new

    panel.run(check)


def test_select_by_keyboard(panel):
    """enter opens the list, down moves (the app's arrow keys step aside), enter picks."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        select = app.query_one("#field-optimizer", Select)
        select.focus()
        await pilot.pause(0)
        choices = FIELDS["optimizer"].choices
        at = choices.index(CONFIG.optimizer)
        await press(pilot, "enter", "down", "enter")
        expected = choices[at + 1]
        assert select.value == expected
        assert panel_of(pilot).config.optimizer == expected
        assert app.channel.latest.config.optimizer == expected  # live
        assert app.channel.latest.step == 0

    panel.run(check)


def test_cross_entropy_with_tanh_output_is_refused(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        loss = app.query_one("#field-loss", Select)
        output = app.query_one("#field-output", Select)
        # sigmoid output: cross entropy is fine
        loss.value = "cross_entropy"
        await settle(pilot)
        assert panel_of(pilot).config.loss == "cross_entropy"
        # ... and then a tanh output is not
        output.value = "tanh"
        await settle(pilot)
        assert "cross_entropy needs sigmoid or softmax" in (error_text(pilot, "output") or "")
        assert panel_of(pilot).config.output == "sigmoid"
        assert output.value == "sigmoid"  # the control went back
        # The other way round: tanh output first, then cross entropy.
        loss.value = "mse"
        await settle(pilot)
        output.value = "tanh"
        await settle(pilot)
        assert panel_of(pilot).config.output == "tanh"
        assert error_text(pilot, "output") is None
        loss.value = "cross_entropy"
        await settle(pilot)
        assert "cross_entropy needs sigmoid or softmax" in (error_text(pilot, "loss") or "")
        assert panel_of(pilot).config.loss == "mse"
        assert loss.value == "mse"
        # Nothing reached the trainer but valid settings, and those only on reset.
        assert app.channel.latest.config == CONFIG
        await press(pilot, "r")
        assert (app.channel.latest.config.output, app.channel.latest.config.loss) == ("tanh", "mse")

    panel.run(check)


def test_regression_data_refuses_cross_entropy(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        app.query_one("#field-loss", Select).value = "cross_entropy"
        await settle(pilot)
        dataset = app.query_one("#field-dataset", Select)
        dataset.value = "reg-plane"
        await settle(pilot)
        assert error_text(pilot, "dataset") is not None
        assert dataset.value == CONFIG.dataset
        assert panel_of(pilot).config.dataset == CONFIG.dataset

    panel.run(check)


# -- layers -------------------------------------------------------------------------------------


def test_layers_input(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await type_text(pilot, "layers", "4,4")
        assert panel_of(pilot).config.layers == (4, 4)
        assert pending_text(pilot) == "pending until reset (r): hidden"
        assert app.channel.latest.network.sizes == [2, 4, 4]
        await press(pilot, "r")
        assert app.channel.latest.network.sizes == [2, 4, 4, 4]
        assert pending_text(pilot) == ""

        # Pasted, not typed (no field has focus): a refused text keeps the value just before it.
        # (Typed into the focused field, it would go back to the value from before the typing.)
        app.set_focus(None)
        await set_text(pilot, "layers", "")
        assert panel_of(pilot).config.layers == ()  # no hidden layer: the article's version 1
        assert error_text(pilot, "layers") is None

        # The panel's limits are core's, which the flags and session files have, and it says them.
        limits = f"up to {MAX_LAYERS} sizes in 1..{MAX_NEURONS}"
        for text, reason in (
            (str(MAX_NEURONS + 1), limits),
            ("0,3", limits),
            (",".join(["1"] * (MAX_LAYERS + 1)), limits),
            ("4,,4", limits),
            ("99999999999", limits),
        ):
            await set_text(pilot, "layers", text)
            assert reason in (error_text(pilot, "layers") or ""), text
            assert panel_of(pilot).config.layers == ()
        await press(pilot, "r")
        assert app.channel.latest.network.sizes == [2, 4]
        # What `nnplay --layers 64,8` takes, the panel takes.
        await set_text(pilot, "layers", f"64,{MAX_NEURONS}")
        assert panel_of(pilot).config.layers == (64, MAX_NEURONS) and error_text(pilot, "layers") is None

    panel.run(check)


def test_layer_buttons(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app

        def layers() -> tuple[int, ...]:
            return panel_of(pilot).config.layers

        async def push(selector: str, times: int = 1) -> None:
            # Button.press posts the same Pressed message as a click (clicking is slow to simulate).
            for _ in range(times):
                app.query_one(selector, Button).press()
            await settle(pilot)

        field = app.query_one("#field-layers", Input)
        assert layers() == (4,)
        # Each button once with the mouse...
        await click(pilot, "#add-layer")
        assert layers() == (4, 4)
        assert field.value == "4,4"
        await click(pilot, "#more-neurons")
        assert layers() == (4, 5)
        await click(pilot, "#fewer-neurons")
        assert layers() == (4, 4)
        await click(pilot, "#remove-layer")
        assert layers() == (4,)
        assert field.value == "4"
        assert pending_text(pilot) == ""  # back to what the network has
        # ... then the edge cases.
        await push("#fewer-neurons", 2)
        assert layers() == (2,)
        await push("#remove-layer")
        assert layers() == ()
        assert field.value == ""
        # With no hidden layer, -layer and the neuron buttons do nothing; +layer starts at 4.
        for button in ("#remove-layer", "#more-neurons", "#fewer-neurons"):
            await push(button)
            assert layers() == ()
        await push("#add-layer")
        assert layers() == (4,)
        # The limits, core's: 1..MAX_NEURONS neurons, MAX_LAYERS layers.
        await push("#more-neurons", 14)
        assert layers() == (18,)
        await set_text(pilot, "layers", str(MAX_NEURONS - 1))
        await push("#more-neurons", 2)
        assert layers() == (MAX_NEURONS,)
        await set_text(pilot, "layers", "3")
        await push("#fewer-neurons", 4)
        assert layers() == (1,)
        await push("#add-layer", MAX_LAYERS + 1)
        assert layers() == (1,) * MAX_LAYERS
        assert error_text(pilot, "layers") is None
        assert pending_text(pilot) == "pending until reset (r): hidden"
        assert app.channel.latest.network.sizes == [2, 4, 4]  # nothing applied yet
        await press(pilot, "r")
        assert app.channel.latest.network.sizes == [2, *[1] * 8, 4]

    panel.run(check)


def test_a_refused_value_keeps_the_value_from_before_the_typing(panel):
    """Each valid keystroke applies, so typing "500" applied 5 and then 50 before 500 was refused:
    the rate left in force was 50, not the old one. Refused now means back to the old value."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        old = CONFIG.lr
        await type_text(pilot, "lr", "500")
        assert panel_of(pilot).config.lr == old
        assert app.channel.latest.config.lr == old  # and the trainer has it back too
        assert f"(keeping {format_value('lr', old)})" in (error_text(pilot, "lr") or "")
        # After enter (or leaving the field) the value typed is the one to go back to.
        await type_text(pilot, "lr", "0.5")
        await press(pilot, "enter")
        await type_text(pilot, "lr", "0.50000000000000000000001e9")
        assert panel_of(pilot).config.lr == 0.5
        assert "(keeping 0.5)" in (error_text(pilot, "lr") or "")
        await press(pilot, "tab")
        await type_text(pilot, "l2", "25")  # 2 is allowed, 25 is not
        assert panel_of(pilot).config.l2 == CONFIG.l2

    panel.run(check)


def test_layer_buttons_work_on_a_layer_from_the_command_line(panel):
    """`nnplay --layers 64,32` or a loaded session: the buttons keep core's one limit, not a panel's own 16."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        wide = CONFIG.replace(layers=(64, 32))
        app.channel.replace(Trainer(wide))
        panel_of(pilot).load_config(wide)
        await settle(pilot)

        async def push(selector: str) -> tuple[int, ...]:
            app.query_one(selector, Button).press()
            await settle(pilot)
            return panel_of(pilot).config.layers

        assert await push("#more-neurons") == (64, 33)
        assert await push("#fewer-neurons") == (64, 32)
        assert await push("#add-layer") == (64, 32, 32)  # a new layer repeats the last
        assert await push("#more-neurons") == (64, 32, 33)

    panel.run(check)


# -- features -------------------------------------------------------------------------------------


def test_features_toggle_and_the_last_one_stays(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        features = app.query_one("#field-features", SelectionList)
        features.focus()
        await pilot.pause(0)
        # enter toggles the highlighted feature (space is the app's run/pause)
        features.highlighted = list(FEATURES).index("sinx")  # the list is in FEATURES' order
        await press(pilot, "enter")
        assert panel_of(pilot).config.features == ("x", "y", "sinx")
        assert pending_text(pilot) == "pending until reset (r): features"
        await press(pilot, "r")
        assert app.channel.latest.config.features == ("x", "y", "sinx")
        assert app.channel.latest.network.sizes[0] == 3

        for feature in ("sinx", "x"):
            features.deselect(feature)
            await settle(pilot)
        assert panel_of(pilot).config.features == ("y",)
        assert error_text(pilot, "features") is None
        features.deselect("y")  # the last one
        await settle(pilot)
        assert "pick at least one feature" in (error_text(pilot, "features") or "")
        assert panel_of(pilot).config.features == ("y",)
        assert list(features.selected) == ["y"], "the list should show the features still in force"
        features.select("xy")
        await settle(pilot)
        assert panel_of(pilot).config.features == ("y", "xy")
        assert error_text(pilot, "features") is None

    panel.run(check)


# -- learning-rate ladder and regenerate ----------------------------------------------------------


def test_learning_rate_ladder(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-lr", Input)
        field.focus()
        await pilot.pause(0)
        assert CONFIG.lr == 2.0
        seen = []
        for key in ["up", "up", "up", "down", "down", "down", "down"]:
            await press(pilot, key)
            seen.append(field.value)
            assert app.channel.latest.config.lr == float(field.value)  # live
        assert seen == ["3", "10", "10", "3", "1", "0.3", "0.1"]
        field.value = "0.0001"
        await settle(pilot)
        await press(pilot, "down", "down")
        assert field.value == "1e-05"
        assert panel_of(pilot).config.lr == LR_LADDER[0]
        # Off the ladder: the next rung up.
        field.value = "0.05"
        await settle(pilot)
        await press(pilot, "up")
        assert field.value == "0.1"
        # In another field up/down move between fields instead.
        app.query_one("#field-momentum", Input).focus()
        await pilot.pause(0)
        await press(pilot, "up")
        assert app.focused is not app.query_one("#field-momentum", Input)
        assert panel_of(pilot).config.momentum == CONFIG.momentum

    panel.run(check)


def test_regenerate_data(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await press(pilot, "n", "n")
        before = app.channel.latest
        assert before.step == 2
        await click(pilot, "#regenerate")
        after = app.channel.latest
        assert after.config.data_seed == CONFIG.data_seed + 1
        assert panel_of(pilot).config.data_seed == CONFIG.data_seed + 1
        assert after.step == 0
        assert after.data.X_train.shape == before.data.X_train.shape
        assert not np.array_equal(after.data.X_train, before.data.X_train)
        # Same seed, same initial weights: only the data changed.
        np.testing.assert_array_equal(after.network.params, Trainer(CONFIG).initial_params)
        await click(pilot, "#regenerate")
        assert app.channel.latest.config.data_seed == CONFIG.data_seed + 2

    panel.run(check)


def test_typing_in_the_panel_does_not_leak_into_the_trainer_until_applied(panel):
    """A half-typed value never reaches the trainer: '1e' and '1e-' are flagged on the way, the
    rate from before the typing (2) stays in force throughout (not the '1' on the way), and enter
    applies what was typed."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-lr", Input)
        field.focus()
        await pilot.pause(0)
        field.value = ""
        await settle(pilot)
        seen = []
        for key in ("1", "e", "minus", "4"):
            await press(pilot, key)
            seen.append((field.value, app.channel.latest.config.lr, error_text(pilot, "lr") is None))
        old = CONFIG.lr
        assert seen == [("1", old, True), ("1e", old, False), ("1e-", old, False), ("1e-4", old, True)]
        await press(pilot, "enter")
        assert app.channel.latest.config.lr == 1e-4
        assert app.focused is not field

    panel.run(check)


BURSTS = [
    # (keys, as a terminal delivers them in one read: nothing handled in between; the field's text after)
    (["end", *["backspace"] * 8, "1", "5", "0"], "150"),
    (["end", "backspace", "backspace", "backspace", "3", "0", "0"], "2300"),
    (["home", "delete", "delete", "1", "right", "7"], "1070"),
    (["end", "left", "left", "backspace", "5"], "2500"),
    # tab applies and leaves the field before the characters after it arrive: they go to the next field
    (["end", "backspace", "tab", "end", *["backspace"] * 4, "7"], "7"),
]
# Each burst ends with enter, which applies the value (the noise field's "0." applied on tab reads 0).


@pytest.mark.parametrize("keys,expected", BURSTS)
def test_a_burst_of_keys_is_applied_in_the_order_typed(panel, keys, expected):
    """A fast typist, a key-repeat or a non-bracketed paste delivers many keys at once. Editing
    keys (backspace, arrows) must not fall behind the characters after them (Textual#6605:
    the Input's own bindings ran only after the key bubbled up to the app)."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        tabbed = "tab" in keys
        field = app.query_one("#field-noise" if tabbed else "#field-train_size", Input)
        field.focus()
        await flush(pilot)
        field.value = "0.2" if tabbed else "2000"
        field.cursor_position = len(field.value)
        await settle(pilot)
        for key in [*keys, "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else "\r" if key == "enter" else None))
        await settle(pilot)
        if tabbed:  # "0.2" lost only its last character ("0." reads as 0); train size got the 7
            assert (field.value, panel_of(pilot).config.noise) == ("0", 0.0)
            field = app.query_one("#field-train_size", Input)
        assert field.value == expected
        assert panel_of(pilot).config.train_size == int(expected)

    panel.run(check)


def test_a_burst_across_two_fields_applies_both_as_typed_one_by_one(panel):
    """The burst a new user sent in tmux: train size 2000 -> 1000, tab, test ratio 0.5 -> 0.3, tab.
    The "." once reached the app (time travel) and the test set vanished (test ratio 0)."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-train_size", Input)
        field.focus()
        await flush(pilot)
        keys = ["end", *["backspace"] * 4, "1", "0", "0", "0", "tab", "end", *["backspace"] * 3, "0", ".", "3", "tab"]
        for key in keys:
            app.post_message(events.Key(CHARACTER_KEYS.get(key, key), key if len(key) == 1 else None))
        await settle(pilot)
        config = panel_of(pilot).config
        assert (config.train_size, config.test_ratio) == (1000, 0.3)
        assert app.query_one("#field-test_ratio", Input).value == "0.3"
        assert app.view.travel is None and app.channel.latest.step == 0

    panel.run(check)


def test_five_quick_enters_on_add_layer_add_five_layers(panel):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        button = app.query_one("#add-layer", Button)
        button.focus()
        await flush(pilot)
        for _ in range(5):
            app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert panel_of(pilot).config.layers == (4,) * 6

    panel.run(check)


def test_focus_a_button_and_press_enter(panel):
    async def check(pilot: Pilot) -> None:
        button = pilot.app.query_one("#add-layer", Button)
        button.focus()
        await pilot.pause(0)
        await press(pilot, "enter")
        assert panel_of(pilot).config.layers == (4, 4)

    panel.run(check)


# -- the focus: how it looks, and the footer's keys --------------------------------------------


def test_the_field_with_the_focus_stands_out_until_enter_gives_the_focus_to_the_panel(panel):
    """The row with the focus has its label reversed and its field tinted; enter moves the focus
    to the panel itself (which restyles the panel alone): the row left looks like any other."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field, other = app.query_one("#field-lr", Input), app.query_one("#field-noise", Input)
        label = field.parent.query_one(Label)
        field.focus()
        await settle(pilot)
        assert label.rich_style.reverse and label.rich_style.bold
        assert field.rich_style.bgcolor != other.rich_style.bgcolor
        await press(pilot, "enter")
        assert app.focused is panel_of(pilot)
        assert not label.rich_style.reverse and not label.rich_style.bold
        assert field.rich_style == other.rich_style

    panel.run(check)


def test_no_rule_styles_what_is_in_the_panel_by_the_panels_own_focus(panel):
    """ParamsPanel.watch_has_focus restyles the panel alone, not its rows: right only while no
    selector looks at the panel's focus (``ParamsPanel:focus Label``) to style something inside it."""

    async def check(pilot: Pilot) -> list[str]:
        own = panel_of(pilot)
        return [
            str(rule.selector_set)
            for rule in pilot.app.stylesheet.rules
            for selector_set in rule.selector_set
            for selector in selector_set.selectors[:-1]
            if selector.pseudo_classes & {"focus", "blur", "focus-within"} and selector._check(own)
        ]

    assert panel.run(check) == []


def test_the_footer_shows_the_keys_of_what_has_the_focus_and_is_rebuilt_only_when_they_change(panel):
    """While typing, the footer shows the keys that work there; moving to another field keeps the
    very same keys (rebuilding the footer restyles and lays out the screen); enter shows the app's."""
    from textual.widgets._footer import FooterKey

    async def check(pilot: Pilot) -> None:
        app = pilot.app

        def words() -> list[str]:
            return [f"{key.key_display} {key.description}" for key in app.query(FooterKey)]

        app.query_one("#field-l1", Input).focus()
        await wait_until(lambda: "f5 Run/Pause" in words(), what="the typing keys in the footer", between=pilot.pause)
        typing = list(app.query(FooterKey))
        assert "space Run/Pause" not in words()
        await press(pilot, "tab")
        await press(pilot, "tab")
        assert app.focused is app.query_one("#field-dropout", Input)
        await pilot.pause()
        assert list(app.query(FooterKey)) == typing
        await press(pilot, "enter")
        await wait_until(lambda: "space Run/Pause" in words(), what="the app's keys in the footer", between=pilot.pause)
        assert "t Train" in words() and "f5 Run/Pause" not in words()

    panel.run(check)


# -- editing a weight, loading your own data --------------------------------------------------


def test_enter_on_a_selected_weight_edits_it_and_the_plot_follows(panel):
    async def check(pilot: Pilot) -> None:
        from nnplay.tui.screens.parameter_prompt import ParameterPrompt
        from nnplay.tui.widgets.weight_diagram import WeightDiagram

        app = pilot.app
        diagram = app.query_one(WeightDiagram)
        diagram.focus()
        await press(pilot, "right_square_bracket")  # a connection into the selected neuron
        sel = diagram.selection
        assert sel.source is not None
        index = app.channel.latest.network.param_index(sel.layer, sel.neuron, sel.source)
        before = app.query_one(ScatterPlot).frame.snapshot
        inspector = str(app.query_one("#inspector", Static).render())
        await press(pilot, "enter")
        assert isinstance(app.screen, ParameterPrompt)
        # The prompt names the weight as the inspector does ("weight x -> layer 1 n1").
        name = inspector.split(":")[0]
        assert name.startswith("weight ") and name in str(app.screen.query_one(Label).render()), inspector
        app.screen.query_one(Input).value = "2.5"
        await press(pilot, "enter")
        assert not isinstance(app.screen, ParameterPrompt)
        await settle(pilot)
        assert app.channel.latest.network.params[index] == 2.5
        assert app.query_one(ScatterPlot).frame.snapshot is not before  # redrawn with the new weight
        assert app.query_one(ScatterPlot).frame.snapshot.network.params[index] == 2.5
        # Not a number: refused with a reason, nothing changes.
        await press(pilot, "enter")
        app.screen.query_one(Input).value = "heavy"
        await press(pilot, "enter")
        await settle(pilot)
        assert app.channel.latest.network.params[index] == 2.5
        assert any("not changed" in n.message for n in app._notifications)

    panel.run(check)


async def csv_checked(pilot: Pilot) -> None:
    """Wait for the panel's CSV check (a thread worker) and what it sets off."""
    await pilot.app.workers.wait_for_complete()
    await flush(pilot)


def test_a_csv_path_typed_in_the_panel_loads_or_is_refused_with_the_line(panel, tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("x,y,label\n" + "".join(f"{i / 50 - 1},{(i * 7 % 50) / 25 - 1},{i % 2}\n" for i in range(60)))
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n0.1,0.2,0\n0.3,oops,1\n")

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await type_text(pilot, "csv_path", str(bad))
        await press(pilot, "enter")
        await csv_checked(pilot)  # the file is read in a thread worker
        assert "line 3" in (error_text(pilot, "csv_path") or "")
        assert panel_of(pilot).config.dataset == CONFIG.dataset  # nothing changed
        await type_text(pilot, "csv_path", str(good))
        await press(pilot, "enter")
        await csv_checked(pilot)
        field = app.query_one("#field-csv_path", Input)
        assert field.value == str(good)
        assert error_text(pilot, "csv_path") is None, error_text(pilot, "csv_path")
        assert panel_of(pilot).config.dataset == "csv"
        assert "reset" in pending_text(pilot).lower()
        app.query_one("#diagram").focus()  # in the path field, r is a letter of a path
        await press(pilot, "r")
        snap = app.channel.latest
        assert snap.config.dataset == "csv" and snap.config.csv_path == str(good)
        assert len(snap.data.X_train) + len(snap.data.X_test) == 60

    panel.run(check)


def test_the_pending_line_stays_in_view_when_the_panel_is_scrolled(panel):
    """At 80x24 the panel scrolls: a change to the seed (far down) said "pending" out of sight."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await resized_to(pilot, (80, 24))  # before the focus scrolls the panel: it scrolls by the layout it finds
        try:
            await type_text(pilot, "seed", "5")
            scroller, pending = panel_of(pilot), app.query_one("#pending", Static)
            assert "pending until reset (r): seed" in str(pending.render())

            def pending_seen_scrolled() -> bool:
                # The focus scrolls the panel after a refresh: what a person sees once it has.
                region = pending.region
                return (
                    scroller.scroll_y > 0  # the seed field is below the first screenful
                    and region.height >= 1
                    and scroller.region.contains_region(region)
                    and app.screen.get_widget_at(region.x, region.y)[0] is pending
                )

            await wait_until(pending_seen_scrolled, what="the pending line in view, the panel scrolled to the seed",
                             between=pilot.pause)  # fmt: skip
        finally:
            await resized_to(pilot, SIZE)  # the shared app as the next test expects it

    panel.run(check)


@pytest.mark.parametrize("reads", [1, 2, 4], ids=["one-read", "keys-2-reads-apart", "keys-4-reads-apart"])
async def test_a_burst_from_the_diagram_tabs_to_the_fields_and_edits_them(make_app, reads):
    """The burst from tests/e2e/test_tmux.py, from where the app starts (the diagram), delivered in
    one read or spread over reads as a loaded machine reads the terminal: the keys behind the tabs
    go to the fields in order, and the "." of "0.25" is the noise field's, not the app's time
    travel (it went to the app when the diagram, left by the tabs, still had the keys queued)."""
    keys = ["tab"] * 4 + ["end", *["backspace"] * 8, "0", ".", "2", "5", "tab"]
    keys += ["end", *["backspace"] * 8, "1", "5", "0", "tab"]
    app = make_app(PRESETS["quadrants"].config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one("#diagram")
        for key in keys:
            app.post_message(events.Key(CHARACTER_KEYS.get(key, key), key if len(key) == 1 else None))
            for _ in range(reads - 1):
                await asyncio.sleep(0)  # the app's tasks run a little before the next key arrives
        await settle(pilot)
        assert app.view.travel is None
        assert app.query_one("#field-noise", Input).value == "0.25"
        assert app.query_one("#field-train_size", Input).value == "150"
        assert (panel_of(pilot).config.noise, panel_of(pilot).config.train_size) == (0.25, 150)


def test_a_field_shows_its_value_exactly_so_typing_what_it_shows_is_that_value() -> None:
    from nnplay.tui.widgets.params_panel import format_value

    assert format_value("target_loss", 431247.4312) == "431247.4312"  # not 431247, which is another value
    assert format_value("lr", 0.03) == "0.03" and format_value("l2", 0.0) == "0"
    for value in (431247.4312, 0.00123456789, 1e-05, 3.0, 2.5e-7, 123456.7):
        assert float(format_value("target_loss", value)) == value


async def test_a_key_typed_into_a_field_repaints_the_field_without_laying_the_screen_out(make_app, monkeypatch):
    """Each key into a field (of fixed size) changes its text and its scroll range; a layout of the
    whole screen for it cost ~25 ms of CPU a key. A refusal that appears still lays out (it takes rows)."""
    from textual.screen import Screen

    app = make_app(PRESETS["quadrants"].config())
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#field-csv_path", Input)
        field.focus()
        await wait_until(lambda: app.focused is field and app.query_one(ScatterPlot).frame is not None, 30,
                         "the path field focused and the plot drawn", between=pilot.pause)  # fmt: skip
        # What the focus set off (the footer's keys, the panel's scroll) is laid out before keys are
        # counted: on a busy machine its layout can come a few refreshes later. A notice from the
        # start goes first, and stays gone (one said after it was cleared had its timer run out
        # among the keys, and the notice line's change laid out).
        await without_notice(pilot)
        notice = app.query_one(NoticeLine)
        await wait_until_steady(
            pilot, lambda: not notice.text, timeout=30, what="no notice and no layout pending over three refreshes"
        )
        layouts, asked_by = [], []  # asked_by: the widgets whose layout the screen was asked for, and when
        original, original_asked = Screen._refresh_layout, Screen._on_layout

        def counted(screen, *args, **kwargs):
            if screen._layout_required:
                layouts.append(screen)
            return original(screen, *args, **kwargs)

        async def asked(screen, message):
            said = getattr(message.widget, "text", None)  # a notice line's: which notice it was
            asked_by.append(f"{message.widget!r} at key {len(field.value)}" + (f" ({said!r})" if said else ""))
            return await original_asked(screen, message)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        monkeypatch.setattr(Screen, "_on_layout", asked)
        typed = "data-with-a-name-longer-than-the-field.csv"
        for character in typed:
            app.post_message(
                events.Key(
                    character if character.isalnum() else "minus" if character == "-" else "full_stop", character
                )
            )
            await pilot.pause()
        assert field.value == typed
        assert field.scroll_offset.x > 0, "the end of the text, where the cursor is, is in view"
        assert layouts == [], f"laid out for: {asked_by}"
