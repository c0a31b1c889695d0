"""The shared command line gives back exactly the configuration it came from."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplay.core.data.features import FEATURES
from nnplay.core.engine.activations import HIDDEN
from nnplay.core.settings.config import FIELDS, MAX_LAYERS, MAX_NEURONS, ConfigError, TrainConfig
from nnplay.core.settings.presets import DEFAULT_PRESET, PRESETS
from nnplay.tui.cli.arguments import config_from_args
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.flags.flag_table import FIELD_FLAGS
from nnplay.tui.flags.share_line import command_line

# A CSV path as a shell user might type it: anything but NUL, no spaces at the ends (flag values are stripped).
PATHS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1).filter(
    lambda s: s == s.strip()
)


def value_strategy(name: str) -> st.SearchStrategy:
    spec = FIELDS[name]
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "int":
        return st.integers(int(spec.low), int(spec.high))
    if spec.kind == "float":
        return st.floats(spec.low, spec.high)
    if spec.kind == "features":
        return st.lists(st.sampled_from(list(FEATURES)), min_size=1, unique=True).map(tuple)
    if spec.kind == "layers":
        return st.lists(st.integers(1, MAX_NEURONS), max_size=MAX_LAYERS).map(tuple)
    if spec.kind == "path":
        return st.none() | PATHS
    assert spec.kind == "activations"  # drawn below, to fit the layers
    return st.just(())


@st.composite
def configs(draw) -> TrainConfig:
    """A preset with any subset of the settings changed to any allowed value."""
    preset = draw(st.sampled_from(sorted(PRESETS)))
    changes = draw(st.fixed_dictionaries({}, optional={name: value_strategy(name) for name in FIELDS}))
    settings = {**PRESETS[preset].settings, **changes}
    if draw(st.booleans()):
        n_hidden = len(settings.get("layers", TrainConfig.layers))
        hidden = st.sampled_from(list(HIDDEN))
        settings["layer_activations"] = tuple(draw(st.lists(hidden, min_size=n_hidden, max_size=n_hidden)))
    if settings.get("dataset") == "csv" and not settings.get("csv_path"):
        settings["csv_path"] = draw(PATHS)
    try:
        return TrainConfig(**settings)
    except ConfigError:  # e.g. cross_entropy with a tanh output: not a valid config
        return draw(st.nothing())


def parse(line: str) -> TrainConfig:
    words = shlex.split(line)
    assert words[0] == "nnplay"
    return config_from_args(build_parser().parse_args(words[1:]))


@pytest.mark.slow  # a process of its own, or a whole training
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(config=configs())
def test_command_line_round_trips(config: TrainConfig) -> None:
    assert parse(command_line(config)) == config


def test_the_default_setup_needs_no_flags_and_others_name_only_what_differs() -> None:
    default = PRESETS[DEFAULT_PRESET].config()
    assert command_line(default) == "nnplay"
    assert command_line(default.replace(lr=0.3, layers=())) == "nnplay --layers none --lr 0.3"
    line = command_line(default.replace(features=("x", "sinx", "xy"), layers=(8, 3)))
    assert line == "nnplay --features x,sinx,xy --layers 8,3"


def test_flags_are_the_cli_flags() -> None:
    everything = PRESETS["spiral"].config(
        noise=0.2, train_size=300, test_ratio=0.3, data_seed=4, activation="relu", dropout=0.1,
        output="softmax", loss="cross_entropy", init="he", optimizer="adam", lr=0.01, schedule="step",
        momentum=0.5, l1=0.001, l2=0.002, batch_size=10, iterations=500, epochs=3, target_loss=0.05, seed=9,
        points_to_classify=100, layers=(8, 8), layer_activations=("tanh", "relu"), features=("x", "y", "xy"),
    )  # fmt: skip
    words = shlex.split(command_line(everything))
    assert {w for w in words if w.startswith("--")} <= set(FIELD_FLAGS.values())
    assert parse(command_line(everything)) == everything


def test_what_the_cli_infers_from_one_flag_is_spelled_out() -> None:
    default = PRESETS[DEFAULT_PRESET].config()
    # --csv alone would mean --dataset csv
    assert command_line(default.replace(csv_path="old.csv")) == f"nnplay --dataset {default.dataset} --csv old.csv"
    # --epochs alone would lift the step limit
    assert command_line(default.replace(epochs=5)) == f"nnplay --iterations {default.iterations} --epochs 5"


def test_awkward_values_are_quoted() -> None:
    config = PRESETS[DEFAULT_PRESET].config(dataset="csv", csv_path="-my data's.csv")
    line = command_line(config)
    assert line == "nnplay --dataset csv '--csv=-my data'\"'\"'s.csv'"
    assert parse(line) == config
    assert parse(command_line(config.replace(layers=(3,), layer_activations=("relu",)))).layer_activations == ("relu",)
