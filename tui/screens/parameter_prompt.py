"""The prompt for a new value of one weight or bias (the diagram's edit)."""

from __future__ import annotations

import math

from nnplay.tui.model.inspector import parameter_name
from nnplay.tui.model.view_state import Selection
from nnplay.tui.run.channel import AppRunCommands
from nnplay.tui.screens.text_prompt import Prompt

# A typed weight or bias: far past what training reaches, far below float32's range.
MAX_TYPED = 1e6


class ParameterPrompt(Prompt[float]):
    """Asks for a new value of the selected weight or bias of the run's network, offering its
    value; the run channel sets it, and the plot follows at once. Dismisses with the value, or None:
    escape, nothing typed, or a value that is not a number (refused in the notice line)."""

    def __init__(self, channel: AppRunCommands, selection: Selection) -> None:
        snap = channel.latest
        net = snap.network
        index = net.param_index(selection.layer, selection.neuron, selection.source)
        what = parameter_name(net.sizes, snap.config.features, selection)
        super().__init__(f"New value for the {what}", f"{float(net.params[index]):.6g}")
        self.channel, self.param_index, self.param_name = channel, index, what

    def answer(self, text: str) -> float | None:
        try:
            value = parse_parameter(text)
        except ValueError as exc:
            self.app.notify(f"not changed: {exc}", severity="error")
            return None
        self.channel.set_parameter(self.param_index, value, self.param_name)
        return value


def parse_parameter(text: str) -> float:
    """A typed weight or bias: a finite number within ±MAX_TYPED; else ValueError saying so."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and abs(value) <= MAX_TYPED):
        raise ValueError(f"{text!r} is not a number in [-1e6, 1e6]")
    return value
