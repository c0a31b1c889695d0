"""The exact ``nnplay`` command line that reproduces a configuration (to share a setup)."""

from __future__ import annotations

import shlex

from core.config import TrainConfig
from core.presets import DEFAULT_PRESET, PRESETS
from tui.cli import FIELD_FLAGS


def command_line(config: TrainConfig, program: str = "nnplay") -> str:
    """Flags for every setting that differs from the default preset, shell-quoted."""
    base = PRESETS[DEFAULT_PRESET].config()
    words = [program]
    for name, flag in FIELD_FLAGS.items():
        value = getattr(config, name)
        if value == getattr(base, name):
            continue
        if name == "layers":
            text = ",".join(map(str, value)) if value else "none"
        elif name in ("features", "layer_activations"):
            text = ",".join(value)
        elif isinstance(value, float):
            text = repr(value)
        else:
            text = str(value)
        words += [flag, text]
    return " ".join(shlex.quote(w) for w in words)
