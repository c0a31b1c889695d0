"""The exact ``nnplay`` command line that reproduces a configuration (to share a setup).

``command_line(config)`` names only the settings that differ from the default preset, with the
flags of ``tui.flags.flag_table`` (``FIELD_FLAGS``, which ``tui.cli.parser`` parses), each word
quoted for a POSIX shell. Parsing the line with ``tui.cli.parser.build_parser()`` and
``config_from_args`` gives back an equal config. The one thing a command line cannot carry is a
CSV path with spaces at its ends: flag values are stripped.
"""

from __future__ import annotations

import shlex
from typing import Any

from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import DEFAULT_PRESET, PRESETS
from nnplay.tui.flags.flag_table import FIELD_FLAGS


def flag_text(name: str, value: Any) -> str:
    """A setting's value as its flag reads it: layers ``()`` -> ``none``, lists comma-joined."""
    if name == "layers":
        return ",".join(map(str, value)) if value else "none"
    if isinstance(value, tuple | list):
        return ",".join(value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back to the same float
    return str(value)


def flag_words(flag: str, text: str) -> list[str]:
    """``[flag, text]``, or ``[flag=text]`` when argparse would take the text for a flag."""
    return [f"{flag}={text}"] if text.startswith("-") else [flag, text]


def command_line(config: TrainConfig, program: str = "nnplay") -> str:
    """Flags for every setting that differs from the default preset, shell-quoted."""
    base = PRESETS[DEFAULT_PRESET].config()
    names = {name for name in FIELD_FLAGS if getattr(config, name) != getattr(base, name)}
    # What the CLI infers from one flag must not differ from the config: --csv alone means
    # --dataset csv, and --epochs alone means "no step limit".
    if "csv_path" in names:
        names.add("dataset")
    if "epochs" in names and config.epochs:
        names.add("iterations")
    words = [program]
    for name, flag in FIELD_FLAGS.items():
        if name in names:
            words += flag_words(flag, flag_text(name, getattr(config, name)))
    return " ".join(shlex.quote(w) for w in words)
