"""The shared command line gives back exactly the configuration it came from."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import FIELDS, TrainConfig
from core.presets import PRESETS
from tui.cli import build_parser, config_from_args
from tui.share import command_line

LIVE_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "lr": st.floats(1e-6, 100),
        "momentum": st.floats(0, 0.999),
        "l1": st.floats(0, 10),
        "dropout": st.floats(0, 0.9),
        "batch_size": st.integers(1, 100_000),
        "seed": st.integers(0, 2**32 - 1),
        "noise": st.floats(0, 1),
        "optimizer": st.sampled_from(FIELDS["optimizer"].choices),
        "schedule": st.sampled_from(FIELDS["schedule"].choices),
        "features": st.lists(st.sampled_from(["x", "y", "x2", "y2", "xy", "sinx", "siny"]), min_size=1, unique=True),
        "layers": st.lists(st.integers(1, 16), max_size=4),
    },
)


def parse(line: str) -> TrainConfig:
    words = shlex.split(line)
    assert words[0] == "nnplay"
    return config_from_args(build_parser().parse_args(words[1:]))


@settings(max_examples=60, deadline=None)
@given(preset=st.sampled_from(sorted(PRESETS)), changes=LIVE_CHANGES)
def test_command_line_round_trips(preset: str, changes: dict) -> None:
    config = PRESETS[preset].config(**{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()})
    assert parse(command_line(config)) == config


def test_default_setup_needs_no_flags_and_others_name_only_what_differs() -> None:
    assert command_line(PRESETS["seed-v2"].config()) == "nnplay"
    line = command_line(PRESETS["seed-v2"].config(lr=0.3, layers=()))
    assert line == "nnplay --layers none --lr 0.3"
