"""The prompt for a new value of one weight or bias (the diagram's edit)."""

from __future__ import annotations

import math

from nnplay.tui.widgets.text_prompt import TextPrompt

# A typed weight or bias: far past what training reaches, far below float32's range.
MAX_TYPED = 1e6


class ParameterPrompt(TextPrompt):
    """Asks for the new value of ``what`` ("weight x -> layer 1 n1"), offering its ``value``."""

    def __init__(self, what: str, value: float) -> None:
        super().__init__(f"New value for the {what}", f"{value:.6g}")


def parse_parameter(text: str) -> float:
    """A typed weight or bias: a finite number within ±MAX_TYPED; else ValueError saying so."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and abs(value) <= MAX_TYPED):
        raise ValueError(f"{text!r} is not a number in [-1e6, 1e6]")
    return value
