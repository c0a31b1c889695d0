"""The prompt for a new value of one weight or bias (the diagram's edit)."""

from __future__ import annotations

import math

from textual.app import App

from nnplay.tui.model.inspector import parameter_name
from nnplay.tui.model.view_state import Selection
from nnplay.tui.screens.text_prompt import TextPrompt

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


def ask_for_parameter(app: App, selection: Selection) -> None:
    """Ask for a new value of the selected weight or bias; the session sets it, and the plot
    follows at once. A value that is not a number is refused in the notice line."""
    snap = app.session.latest
    net = snap.network
    index = net.param_index(selection.layer, selection.neuron, selection.source)
    what = parameter_name(net.sizes, snap.config.features, selection)

    def chosen(text: str | None) -> None:
        if text is None:
            return
        try:
            value = parse_parameter(text)
        except ValueError as exc:
            app.notify(f"not changed: {exc}", severity="error")
            return
        app.session.set_parameter(index, value, what)

    app.push_screen(ParameterPrompt(what, float(net.params[index])), chosen)
