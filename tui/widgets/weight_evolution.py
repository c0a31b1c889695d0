"""How each layer's weights spread out over the run: one band per layer, time to the right.

Each column is one recorded moment of the run (``Snapshot.timeline``); each row is a
range of weight values, positive above the band's middle line (blue) and negative below
(orange); the shade is how many of the layer's weights fall in that range then.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.render.palette import NEGATIVE, POSITIVE, rgb

SHADES = " ░▒▓█"
CAPTION = "rows: weight value; shade: how many"  # what the picture's two directions mean
LABEL_W = 9  # cells of the layer names left of the bands


def caption_lines(width: int) -> list[str]:
    """``CAPTION`` in lines of at most ``width`` cells, broken between words, under the bands'
    timeline when it fits there in one line, else from the left edge."""
    if len(CAPTION) <= width - LABEL_W:
        return [" " * LABEL_W + CAPTION]
    lines: list[str] = []
    for word in CAPTION.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def timeline_line(first: int, last: int, moments: int, width: int) -> str:
    """The steps the columns span, under the bands: the count of moments only where it fits."""
    for text in (f"step {first:,} → {last:,} ({moments} moments)", f"step {first:,} → {last:,}"):
        if len(text) <= width:
            return text.rjust(min(width, LABEL_W + len(text)))
    return f"{first:,} → {last:,}"[:width]


def weight_bands(snap: Snapshot, width: int, height: int) -> Text:
    """The picture as Rich Text, ``width`` x ``height`` cells, its caption whole under it."""
    net = snap.network
    moments = [m for m in snap.timeline if m.params.shape == net.params.shape]
    n_layers = len(net.sizes) - 1
    out = Text(no_wrap=True, overflow="crop")
    caption = caption_lines(width)
    if len(moments) < 2 or width < 12 or height < 2 * n_layers + 1 + len(caption):
        out.append("weight evolution: train a little first (needs two recorded moments)", Style(dim=True))
        return out
    label_w = LABEL_W
    cols = width - label_w
    picks = np.linspace(0, len(moments) - 1, num=min(cols, len(moments))).round().astype(int)
    params = np.stack([moments[i].params for i in picks])  # (T, P)
    band = max(2, (height - 1 - len(caption)) // n_layers)
    bins = band  # one value range per row
    positive, negative = Style(color=rgb(POSITIVE)), Style(color=rgb(NEGATIVE))
    index_w, _ = net.views(np.arange(net.params.size))
    for k in range(n_layers):
        values = params[:, index_w[k].ravel()]  # (T, n_weights of layer k)
        finite = values[np.isfinite(values)]
        peak = float(np.abs(finite).max()) if finite.size else 0.0
        peak = peak or 1.0
        # Binned on values / peak in [-1, 1]: edges of +-1e308 would overflow to inf and NaN.
        with np.errstate(all="ignore"):
            scaled = np.clip(np.nan_to_num(values / peak, nan=0.0), -1.0, 1.0)
        # Row 0 is the top of the band: the largest positive values.
        unit = np.linspace(-1.0, 1.0, bins + 1)
        edges = unit[::-1]
        counts = np.stack([np.histogram(v, bins=unit)[0][::-1] for v in scaled], axis=1)  # (bins, T)
        level = np.ceil(counts / max(counts.max(), 1) * (len(SHADES) - 1)).astype(int)
        for r in range(bins):
            name = f"layer {k + 1}" if r == 0 else (f"±{peak:.2g}" if r == 1 else "")
            out.append(name.ljust(label_w)[:label_w], Style(dim=True))
            style = positive if (edges[r] + edges[r + 1]) / 2 > 0 else negative
            out.append("".join(SHADES[v] for v in level[r]).ljust(cols), style)
            out.append("\n")
    first, last = moments[picks[0]].step, moments[picks[-1]].step
    out.append(timeline_line(first, last, len(moments), width), Style(dim=True))
    for line in caption:
        out.append("\n" + line, Style(dim=True))
    return out


class WeightEvolution(Static):
    """Shown instead of the diagram with `w`; redrawn only when the timeline grows."""

    DEFAULT_CSS = """
    WeightEvolution { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._key: tuple | None = None
        self._snap: Snapshot | None = None

    def on_resize(self) -> None:
        # Shown the moment it is made visible, it has no size yet: draw again once laid out.
        if self._snap is not None:
            self.show(self._snap)

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
        timeline = snap.timeline
        key = (len(timeline), timeline[-1].step if timeline else None, id(snap.network.sizes), self.size)
        if key == self._key:
            return
        self._key = key
        self.update(weight_bands(snap, self.size.width, self.size.height))
