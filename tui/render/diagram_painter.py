"""The neuron/weight diagram drawn with Rich: ``DiagramPainter.paint(data, ...) -> DiagramPicture``.

Hue = sign, intensity = |weight| relative to the largest weight (the legend row gives the
scale). Written by hand, not with a chart library: every link is a braille line whose cells
show the strongest link through them, and the picture keeps, per cell, which link that is,
so a click can pick it (``DiagramPicture.selection_at``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from rich.segment import Segment
from rich.style import Style

from nnplay.tui.model.diagram_data import DiagramData, Summary, summarise
from nnplay.tui.model.number_text import short_number
from nnplay.tui.model.view_state import Selection
from nnplay.tui.raster.diagram_geometry import (
    LEVELS,
    STRONGEST,
    Layout,
    connection_of,
    layout,
    rasterise_connections,
    strongest,
)
from nnplay.tui.raster.diagram_geometry import thumbnails as thumbnail_pixels
from nnplay.tui.render.cells import cells_to_segments
from nnplay.tui.render.palette import WHITE, rgb, signed_rgb, signed_styles

BRAILLE = np.array([" "] + [chr(0x2800 + b) for b in range(1, 256)], dtype="<U1")
THUMB_LEVELS = 4  # per sign, so a thumbnail pixel has 2*THUMB_LEVELS+1 colours


@dataclass(frozen=True, eq=False)
class DiagramPicture:
    """The diagram as rows of segments, with where everything is, for picking by mouse."""

    lines: list[list[Segment]]
    layout: Layout | None
    owner: np.ndarray | None  # per cell: the flat index of the link drawn there, -1 none
    summary: Summary | None  # the network as drawn (wide layers in groups)

    def selection_at(self, x: int, y: int) -> Selection | None:
        """The neuron whose node covers cell (x, y), else the link drawn there, else None."""
        lay, summary, owner = self.layout, self.summary, self.owner
        if lay is None or summary is None:
            return None
        first = summary.first_neuron
        node = lay.node_at(x, y)
        if node is not None and abs(x - lay.columns[node[0]]) <= lay.node_w:
            return Selection(node[0], first(*node))
        if owner is not None and 0 <= y < owner.shape[0] and 0 <= x < owner.shape[1] and owner[y, x] >= 0:
            k, i, j = connection_of(int(owner[y, x]), summary.data.sizes)
            return Selection(k + 1, first(k + 1, i), first(k, j))
        return None


EMPTY = DiagramPicture([], None, None, None)


class DiagramPainter:
    """Paints diagrams in one colour depth; keeps the styles it made, so frames reuse them."""

    def __init__(self, colors: int = 256) -> None:
        self.color_count = colors
        self._weight_styles = signed_styles(LEVELS, colors)
        self._faint_styles = signed_styles(LEVELS, colors, faint=True)
        self._thumb_cache: dict[tuple[int, int], Style] = {}

    def paint(self, data: DiagramData, width: int, height: int, sel: Selection, thin: bool) -> DiagramPicture:
        """The diagram in ``width`` x ``height`` cells, the legend on its last row.

        A layer of more neurons than rows is drawn in groups (``summarise``): the selected
        neuron's group stands for it. ``thin``: only each neuron's strongest incoming links
        (and the selected neuron's).
        """
        if width < 8 or height < 3:
            return EMPTY
        summary = summarise(data, height - 1)
        data = summary.data
        source = None if sel.source is None else summary.node_of(sel.layer - 1, sel.source)
        if sel.layer < len(data.sizes):
            sel = Selection(sel.layer, summary.node_of(sel.layer, sel.neuron), source)
        label_w = min(5, max(len(n) for n in data.input_names) + 1)
        lay = layout(data.sizes, width, height - 1, label_w=label_w)
        scale = max((float(np.abs(w).max()) for w in data.weights if w.size), default=1.0) or 1.0
        sizes = data.sizes
        n_links = sum(a * b for a, b in pairwise(sizes))
        neuron_links = neuron_link_mask(sizes, sel, n_links)
        visible = strongest(data.weights, STRONGEST) | neuron_links if thin else None  # the selected neuron's stay
        bits, level, positive, owner = rasterise_connections(lay, data.weights, scale, visible)
        chars = BRAILLE[bits]
        # Style ids: 0 blank, 1..LEVELS negative, LEVELS+1..2*LEVELS positive (faint while a link
        # is selected), then the selected neuron's lines in full colour, then extra styles.
        link_selected = sel.source is not None and sel.layer >= 1
        neg, pos = self._faint_styles if link_selected else self._weight_styles
        full_neg, full_pos = self._weight_styles
        styles: list[Style] = [Style(), *neg, *pos, *full_neg, *full_pos]
        ids = np.where(bits > 0, 1 + level + positive * LEVELS, 0).astype(np.int32)

        def add_style(style: Style) -> int:
            styles.append(style)
            return len(styles) - 1

        highlight = add_style(Style(color=rgb(WHITE), bold=True))
        # The selected neuron's links on top, in their own colours: they can be followed through the mesh.
        if neuron_links.any():
            n_bits, n_level, n_pos, n_owner = rasterise_connections(lay, data.weights, scale, neuron_links)
            mask = n_owner >= 0
            chars[mask] = BRAILLE[n_bits[mask]]
            ids[mask] = (1 + 2 * LEVELS + n_level + n_pos * LEVELS)[mask]
            owner[mask] = n_owner[mask]
        if link_selected:
            flat = sum(sizes[k + 1] * sizes[k] for k in range(sel.layer - 1))
            flat += sel.neuron * sizes[sel.layer - 1] + sel.source
            only = np.zeros(n_links, dtype=bool)
            only[flat] = True
            # Solid, even for a negative weight: the one bright line must be whole.
            l_bits, _, _, l_owner = rasterise_connections(lay, data.weights, scale, only, dash_negative=False)
            mask = l_owner >= 0
            chars[mask] = BRAILLE[l_bits[mask]]
            ids[mask] = highlight
            owner[mask] = flat
        self._draw_nodes(lay, data, sel, chars, ids, add_style, highlight)
        lines = list(cells_to_segments(chars, ids, styles))
        lines.append(self.legend(scale, thin, width, max(summary.groups)))
        return DiagramPicture(lines, lay, owner, summary)

    def _draw_nodes(
        self,
        lay: Layout,
        data: DiagramData,
        sel: Selection,
        chars: np.ndarray,
        ids: np.ndarray,
        add_style: Callable[[Style], int],
        highlight: int,
    ) -> None:
        h, w = chars.shape
        name_style = add_style(Style(color="bright_white"))
        for k, (col, rows) in enumerate(zip(lay.columns, lay.rows, strict=True)):
            pixels = node_pixels(data, k, lay)
            for i, row in enumerate(rows):
                selected = sel.layer == k and sel.neuron == i
                if k > 0 and lay.node_w >= 2 and col - 1 >= 0:
                    # A bias marker left of the node: its colour is the bias.
                    b = float(data.biases[k - 1][i])
                    chars[row, col - 1] = "▶" if selected else "■"
                    ids[row, col - 1] = highlight if selected else add_style(self.thumb_style(b, None))
                if pixels is None:
                    value = float(data.biases[k - 1][i]) if k > 0 else 1.0
                    chars[row, col] = "◉" if selected else "●"
                    ids[row, col] = highlight if selected else add_style(self.thumb_style(value, None))
                else:
                    p = pixels[:, :, i]
                    for r in range(lay.node_h):
                        for c in range(lay.node_w):
                            if row + r < h and col + c < w:
                                chars[row + r, col + c] = "▀"
                                ids[row + r, col + c] = add_style(self.thumb_style(p[2 * r, c], p[2 * r + 1, c]))
                    if selected and row + lay.node_h < h:
                        for c in range(lay.node_w):
                            chars[row + lay.node_h, col + c] = "▔"
                            ids[row + lay.node_h, col + c] = highlight
                if k == 0 and col >= 2:
                    name = data.input_names[i][: col - 1]
                    at = max(0, col - 1 - len(name))
                    for c, ch in enumerate(name):
                        chars[row, at + c] = ch
                        ids[row, at + c] = name_style

    def thumb_style(self, top: float, bottom: float | None) -> Style:
        """Upper-half-block style: foreground = top pixel, background = bottom pixel (quantised)."""
        q_top = round(max(-1.0, min(1.0, top)) * THUMB_LEVELS)
        q_bot = None if bottom is None else round(max(-1.0, min(1.0, bottom)) * THUMB_LEVELS)
        key = (q_top, q_bot if q_bot is not None else 99)
        style = self._thumb_cache.get(key)
        if style is None:
            if self.color_count <= 16:
                style = ansi_thumb_style(q_top, q_bot)
            else:
                fg = rgb(signed_rgb(q_top / THUMB_LEVELS))
                bg = rgb(signed_rgb(q_bot / THUMB_LEVELS)) if q_bot is not None else None
                style = Style(color=fg, bgcolor=bg)
            self._thumb_cache[key] = style
        return style

    def legend(self, scale: float, thin: bool, width: int, per_node: int = 1) -> list[Segment]:
        """The weight scale, then what fits of: the dashed-negative key, the thinning, the word "weight"."""
        neg, pos = self._weight_styles
        dim = Style(dim=True)
        left, right = Segment(f" -{short_number(scale, 2)} ", dim), Segment(f" +{short_number(scale, 2)}", dim)
        # Where the numbers leave no room for every step, each side shows fewer, faintest to strongest.
        side = max(1, min(len(pos), (width - left.cell_length - right.cell_length - 1) // 2))
        steps = [round(i * (len(pos) - 1) / max(side - 1, 1)) for i in range(side)] if side > 1 else [len(pos) - 1]
        ramp = [Segment("█", neg[i]) for i in reversed(steps)] + [Segment("0", dim)]
        ramp += [Segment("█", pos[i]) for i in steps]
        segments = [left, *ramp, right]
        extras = [(False, Segment("  ╌ <0", neg[-1]))]  # negative lines are dashed
        if per_node > 1:
            extras.append((False, Segment(f"  {per_node} neurons a node", dim)))
        if thin:
            extras.append((False, Segment(f"  top {STRONGEST} (k)", dim)))
        extras.append((True, Segment(" weight", dim)))
        used = sum(seg.cell_length for seg in segments)
        for first, seg in extras:
            if used + seg.cell_length <= width:
                segments.insert(0, seg) if first else segments.append(seg)
                used += seg.cell_length
        return segments


def neuron_link_mask(sizes: list[int], sel: Selection, n_links: int) -> np.ndarray:
    """Per flat connection: does it go into or out of the selected neuron?"""
    mask = np.zeros(n_links, dtype=bool)
    start = 0
    for k in range(len(sizes) - 1):
        block = mask[start : start + sizes[k + 1] * sizes[k]].reshape(sizes[k + 1], sizes[k])
        if sel.layer == k + 1 and sel.neuron < sizes[k + 1]:
            block[sel.neuron, :] = True  # incoming
        if sel.layer == k and sel.neuron < sizes[k]:
            block[:, sel.neuron] = True  # outgoing
        start += sizes[k + 1] * sizes[k]
    return mask


def node_pixels(data: DiagramData, k: int, lay: Layout) -> np.ndarray | None:
    """(2*node_h, node_w, n) values in [-1, 1] of each neuron's output over the input plane."""
    if lay.node_w < 2 or data.grid_layers is None:
        return None
    gh, gw = data.grid_shape
    values = thumbnail_pixels(data.grid_layers[k], gh, gw, lay.node_h * 2, lay.node_w)
    act = "linear" if k == 0 else data.activations[k - 1]
    if act in ("sigmoid", "softmax"):
        return values * 2.0 - 1.0
    if act == "tanh":
        return values
    peak = np.abs(values).max(axis=(0, 1), keepdims=True)
    return values / np.maximum(peak, 1e-12)


def ansi_thumb_style(q_top: int, q_bot: int | None) -> Style:
    """A thumbnail cell in the 16 named colours: blue positive, yellow negative, grey zero."""

    def name(q: int) -> str:
        return "blue" if q > 0 else "yellow" if q < 0 else "bright_black"

    return Style(color=name(q_top), bgcolor=name(q_bot) if q_bot is not None else None)
