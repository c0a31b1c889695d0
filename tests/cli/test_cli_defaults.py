"""Without --preset, ``nnplay train`` starts from the default preset, and says so: in ``--help``
and in the JSON's ``config``."""

from __future__ import annotations

import json

import pytest

from nnplay.core.settings.presets import DEFAULT_PRESET, PRESETS
from nnplay.tui.cli.entry import main
from nnplay.tui.cli.parser import build_parser


def help_of(flag: str) -> str:
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    (action,) = [a for a in train._actions if flag in a.option_strings]
    return action.help


@pytest.mark.parametrize(("flag", "value"), [("--schedule", "cosine"), ("--init", "uniform11"),
                                             ("--train-size", "2000"), ("--lr", "2.0"), ("--layers", "4")])  # fmt: skip
def test_help_names_each_setting_without_a_preset(flag: str, value: str) -> None:
    assert DEFAULT_PRESET == "seed-v2"
    assert help_of(flag).endswith(f"; without --preset {value}")
    assert f"default {DEFAULT_PRESET}" in help_of("--preset")


@pytest.mark.parametrize(("argv", "preset"), [([], DEFAULT_PRESET), (["--preset", "xor"], "xor")])
def test_the_json_config_names_the_preset_the_flags_apply_to(
    argv: list[str], preset: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", *argv, "--layers", "3", "--iterations", "5", "--json", "--engine", "numpy"]) == 0
    config = json.loads(capsys.readouterr().out)["config"]
    assert config["preset"] == preset
    assert config["schedule"] == PRESETS[preset].config().schedule
    assert config["layers"] == [3]
