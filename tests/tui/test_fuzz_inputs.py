"""Fuzz every numeric field of the parameter panel with hypothesis, on one running app.

For each numeric ``FieldInput`` (the int and float fields of ``core.settings.config.FIELDS`` that the
panel's ``LAYOUT`` shows), text is put in the field as a paste or a program would (no
per-keystroke restriction): hypothesis text over the characters of numbers and their near
misses, plus a fixed list of nasty values (empty, NaN, inf, 1e400, 60 digits, subnormals,
a comma decimal...). After each input:

- the panel's config holds a value in the field's range (exactly what ``core.settings.config``
  parses from the text), or the field's error line is shown, says what is allowed and which
  value is kept, and the panel's config is unchanged;
- every config the panel sent to the run channel (live settings, resets) is valid, and after
  the queued commands have run, the trainer holds the panel's live values and only valid ones.

Starting a Textual app costs about a second, so one app serves every example: it runs in a
thread with its own event loop (as in test_panel.py) and hypothesis drives it from the test
function. The trainer's worker thread is off; the test runs the queued run-channel commands
itself, so what reaches the trainer is deterministic. Examples are derandomized (seeded).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nnplay.core.settings.config import FIELDS, ConfigError, TrainConfig, parse_value
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.widgets.params_panel import LAYOUT, ParamsPanel, format_value
from tests.tui.app_thread import AppThread, flush

BASE = PRESETS["seed-v2"].config(train_size=200)
NUMERIC = tuple(name for name, _ in LAYOUT if name != "#" and FIELDS[name].kind in ("int", "float"))
SPECIAL = ("", "nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "1" * 60, "0.0000000001", "1e-320", "abc", " ",
           "1,5", "-0", "+1", "1e", ".", "1_0", "0x1p3", "\u0663", "\uff11", "1\n", "\t2\t", "infinity", "1e-7",
           "100")  # fmt: skip
ALPHABET = "0123456789.eE+-_ ,naifNItyx\t\u0663\uff11\u00a0"
TEXT = st.one_of(
    st.text(alphabet=ALPHABET, max_size=24),
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.from_regex(r"[-+]?[0-9]{0,8}(\.[0-9]{0,12})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
)
EDITS = st.lists(st.tuples(st.sampled_from(NUMERIC), TEXT), min_size=1, max_size=12)
EXAMPLES = 40
# What resetting builds a new network and data set for: keep it small enough to be quick.
MAX_POINTS_TO_RESET = 2_000

FUZZED: list[int] = [0]  # inputs put in a field, over the whole module


class SentConfigs:
    """Every TrainConfig the app hands the run channel (settings, resets), checked when sent."""

    def __init__(self, app: NNPlayApp) -> None:
        self.bad: list[str] = []
        self.count = 0
        channel = app.channel
        send = channel._send

        def checked_send(command) -> None:
            config = getattr(command, "config", None)
            if isinstance(config, TrainConfig):
                self.count += 1
                problem = invalid(config)
                if problem:
                    self.bad.append(f"{command.what}: {problem}")
            send(command)

        channel._send = checked_send


def invalid(config: TrainConfig) -> str | None:
    """Why ``config`` holds a value core.settings.config would refuse, or None."""
    try:
        again = TrainConfig(**config.as_dict())
    except ConfigError as exc:
        return str(exc)
    if again != config:
        return f"{config} does not survive a round trip"
    for name in NUMERIC:
        spec, value = FIELDS[name], getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"{name} = {value!r}"
        if not spec.low <= value <= spec.high or (spec.kind == "int" and not isinstance(value, int)):
            return f"{name} = {value!r} is outside [{spec.low:g}, {spec.high:g}]"
    return None


@pytest.fixture(scope="module")
def fuzzed_app(make_app):
    app = make_app(BASE)
    runner = AppThread(app, (80, 24))
    runner.sent = SentConfigs(app)
    yield runner
    runner.close()
    assert not runner._thread.is_alive()


async def settle(pilot: Pilot) -> None:
    """Handle the UI's messages, then run the commands queued for the trainer (the worker's job)."""
    await flush(pilot, turns=2000)
    pilot.app.channel._handle_commands(block=False)


def shown_error(pilot: Pilot, name: str) -> str | None:
    error = pilot.app.query_one(f"#error-{name}", Static)
    return str(error.render()) if error.has_class("-shown") and error.display else None


async def put(pilot: Pilot, name: str, text: str) -> list[str]:
    """Put ``text`` in the field and check the outcome; returns the problems seen."""
    app = pilot.app
    panel = app.query_one(ParamsPanel)
    field = app.query_one(f"#field-{name}", Input)
    spec = FIELDS[name]
    before = panel.config
    field.value = text
    panel.commit(field)  # leaving the field applies what it holds
    await settle(pilot)
    FUZZED[0] += 1
    try:
        expected = parse_value(name, text)
    except ConfigError:
        expected = None
    problems = []
    value = getattr(panel.config, name)
    error = shown_error(pilot, name)
    if expected is None:
        kept = format_value(name, getattr(before, name))
        if error is None:
            problems.append(f"{name} <- {text!r}: refused without a reason")
        elif spec.allowed() not in error or f"keeping {kept}" not in error:
            problems.append(f"{name} <- {text!r}: the reason {error!r} does not say what is allowed and kept")
        if panel.config != before:
            problems.append(f"{name} <- {text!r}: the config changed to {value!r}")
    else:
        if error is not None:
            problems.append(f"{name} <- {text!r}: a valid value shows the error {error!r}")
        if value != expected or type(value) is not type(expected):
            problems.append(f"{name} <- {text!r}: the config holds {value!r}, expected {expected!r}")
        if not (math.isfinite(value) and spec.low <= value <= spec.high):
            problems.append(f"{name} <- {text!r}: {value!r} is outside the range")
    # What the trainer holds after the queued commands: valid, and the panel's live values.
    trainer_config = app.channel._trainer.config
    problem = invalid(trainer_config)
    if problem:
        problems.append(f"{name} <- {text!r}: the trainer holds an invalid config: {problem}")
    live = [n for n in NUMERIC if FIELDS[n].live and getattr(trainer_config, n) != getattr(panel.config, n)]
    if live:
        problems.append(f"{name} <- {text!r}: the trainer's live settings {live} differ from the panel's")
    return problems


async def start_from_base(pilot: Pilot) -> None:
    app = pilot.app
    app.query_one(ParamsPanel).load_config(BASE)
    app.channel.reset(BASE)
    app.query_one("#diagram").focus()
    await settle(pilot)


async def reset_if_small(pilot: Pilot) -> list[str]:
    """Press r (when the pending data set is small): the whole pending config reaches the trainer."""
    app = pilot.app
    config = app.query_one(ParamsPanel).config
    if config.train_size / (1.0 - config.test_ratio) > MAX_POINTS_TO_RESET:
        return []
    app.action_reset()
    await settle(pilot)
    trainer_config = app.channel._trainer.config
    problem = invalid(trainer_config)
    if problem:
        return [f"after reset: {problem}"]
    if trainer_config != config:
        return [f"after reset the trainer holds {trainer_config}, the panel {config}"]
    return []


def test_the_fuzzed_fields_are_every_numeric_field_in_the_panel(fuzzed_app):
    assert {"lr", "noise", "train_size", "test_ratio", "momentum", "l1", "l2", "batch_size", "iterations",
            "dropout", "epochs", "target_loss", "seed", "points_to_classify"} == set(NUMERIC)  # fmt: skip
    app = fuzzed_app.app
    assert all(isinstance(app.query_one(f"#field-{name}"), Input) for name in NUMERIC)


@pytest.mark.parametrize("name", NUMERIC)
def test_every_special_value_in_every_field(fuzzed_app, name):
    async def check(pilot: Pilot) -> list[str]:
        await start_from_base(pilot)
        problems = []
        for text in SPECIAL:
            problems += await put(pilot, name, text)
        problems += await reset_if_small(pilot)
        return problems

    assert fuzzed_app.run(check) == []
    assert fuzzed_app.sent.bad == []


@given(edits=EDITS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_text_in_any_field_is_a_value_in_range_or_a_reason(fuzzed_app, edits):
    async def check(pilot: Pilot) -> list[str]:
        await start_from_base(pilot)
        problems = []
        for name, text in edits:
            problems += await put(pilot, name, text)
        problems += await reset_if_small(pilot)
        return problems

    assert fuzzed_app.run(check) == []
    assert fuzzed_app.sent.bad == []
