"""The inspector's text: the selected neuron's or weight's exact values and their trajectory,
made to fit the pane's width by rule; and the one name of a parameter, in the inspector and the
edit prompt alike. Plain text from a snapshot (no Textual, no Rich)."""

from __future__ import annotations

import numpy as np

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.number_text import short_number
from nnplay.tui.model.view_state import Selection

SPARK = "▁▂▃▄▅▆▇█"


def spark(values: np.ndarray) -> str:
    """Values as a one-line chart of block characters, scaled to their own range."""
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return ""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-15:
        return SPARK[0] * len(values)
    idx = ((values - lo) / (hi - lo) * (len(SPARK) - 1)).round().astype(int)
    return "".join(SPARK[i] for i in idx)


def layer_name(sizes: list[int], layer: int) -> str:
    return "output" if layer == len(sizes) - 1 else f"layer {layer}"


def parameter_name(sizes: list[int], features: tuple[str, ...], sel: Selection) -> str:
    """One name for a weight or bias, the same in the inspector and the edit prompt."""
    kind = layer_name(sizes, sel.layer)
    if sel.source is None:
        return f"bias of {kind} n{sel.neuron + 1}"
    src = features[sel.source] if sel.layer == 1 else f"n{sel.source + 1}"
    return f"weight {src} -> {kind} n{sel.neuron + 1}"


def fit_line(choices: tuple[str, ...], optional: tuple[str, ...] = (), width: int | None = None) -> str:
    """The first of ``choices`` that fits ``width`` (else the last), then each ``optional`` part that
    still fits: a narrow inspector drops the trend and the hints instead of cutting a number."""
    if width is None:
        return choices[0] + "".join(optional)
    line = next((c for c in choices if len(c) <= width), choices[-1])[:width]
    for part in optional:
        if len(line) + len(part) <= width:
            line += part
    return line


def inspector_text(snap: Snapshot, sel: Selection, width: int | None = None) -> str:
    """Exact values of the selected neuron or connection, with their trajectory over the run.

    ``width``: the two lines are made to fit it by rule (shorter names, optional parts left out).
    """
    net = snap.network
    sizes = net.sizes
    if sel.layer >= len(sizes) or sel.neuron >= sizes[sel.layer]:
        return ""
    if sel.source is not None and (sel.layer == 0 or sel.source >= sizes[sel.layer - 1]):
        return ""  # a connection of an older network: the diagram (hidden by w) has not reset the selection
    if sel.layer == 0:
        name = snap.config.features[sel.neuron]
        return fit_line(
            (f"input {name}: feeds {sizes[1]} neuron(s) of the next layer", f"input {name}: feeds {sizes[1]}"),
            ("  (arrows move, [ ] pick a weight)",),
            width,
        )
    kind = layer_name(sizes, sel.layer)
    short = "out" if sel.layer == len(sizes) - 1 else f"l{sel.layer}"
    index = net.param_index(sel.layer, sel.neuron, sel.source)
    value = float(net.params[index])
    path = np.array([m.params[index] for m in snap.timeline if m.params.shape == net.params.shape])
    trend = spark(path[-40:]) if len(path) else ""
    if sel.source is None:
        row = net.weights[sel.layer - 1][sel.neuron]
        incoming = np.array2string(row, precision=3, suppress_small=True, max_line_width=200)
        compact = np.array2string(row, precision=2, suppress_small=True, max_line_width=200)
        first = fit_line(
            (f"{kind} neuron {sel.neuron + 1}: bias {value:+.5f}", f"{short} n{sel.neuron + 1}: bias {value:+.4g}"),
            (f"  {trend}",),
            width,
        )
        # Fewer digits where the pane is narrow, then only how many: a number is never cut ("-3." for -3.97).
        fewer_digits = tuple("in " + " ".join(short_number(float(w), digits) for w in row) for digits in (2, 1))
        choices = (f"in-weights {incoming}", f"in {compact}", *fewer_digits, f"{len(row)} in-weights: [ ] pick")
        second = fit_line(choices, ("  (enter edits)",), width)
        return f"{first}\n{second}"
    change = float(path[-1] - path[0]) if len(path) > 1 else 0.0
    since = snap.timeline[0].step if snap.timeline else 0
    src = snap.config.features[sel.source] if sel.layer == 1 else f"n{sel.source + 1}"
    first = fit_line(
        (
            f"{parameter_name(sizes, snap.config.features, sel)}: {value:+.6f}",
            f"{src} -> {short} n{sel.neuron + 1}: {value:+.4g}",
        ),
        (f"  {trend}",),
        width,
    )
    second = fit_line(
        (f"since step {since:,}: {change:+.4g} over {len(path)} moments", f"{change:+.3g} since step {since:,}"),
        ("  (enter edits)",),
        width,
    )
    return f"{first}\n{second}"
