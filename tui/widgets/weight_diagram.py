"""The neuron/weight diagram: every neuron, every connection, selectable by key or mouse."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nnplay.tui.cells import cells_to_segments
from nnplay.tui.diagram import (
    LEVELS,
    STRONGEST,
    Layout,
    connection_of,
    layout,
    rasterise_connections,
    strongest,
    thumbnails,
    would_be_solid,
)
from nnplay.tui.model.diagram_model import DiagramData, Summary, summarise
from nnplay.tui.model.frame import Frame
from nnplay.tui.model.view_state import Selection
from nnplay.tui.number_text import short_number
from nnplay.tui.render.palette import WHITE, rgb, signed_rgb, signed_styles
from nnplay.tui.widgets.changed_lines import refresh_changed_lines

BRAILLE = np.array([" "] + [chr(0x2800 + b) for b in range(1, 256)], dtype="<U1")
THUMB_LEVELS = 4  # per sign, so a thumbnail pixel has 2*THUMB_LEVELS+1 colours


class WeightDiagram(Widget, can_focus=True):
    """Hue = sign, intensity = |weight| relative to the largest weight (see the legend row)."""

    DEFAULT_CSS = """
    WeightDiagram { height: 1fr; min-height: 6; }
    """
    BINDINGS = [
        Binding("up", "move(0, -1)", "neuron up", show=False),
        Binding("down", "move(0, 1)", "neuron down", show=False),
        Binding("left", "move(-1, 0)", "layer left", show=False),
        Binding("right", "move(1, 0)", "layer right", show=False),
        Binding("left_square_bracket", "connection(-1)", "prev. weight", show=False),
        Binding("right_square_bracket", "connection(1)", "next weight", show=False),
        Binding("escape", "clear_connection", "neuron only", show=False),
        Binding("enter", "edit", "edit value"),
    ]

    class SelectionChanged(Message):
        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    class EditRequested(Message):
        """The user asked to type a new value for the selected weight or bias."""

        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, colors: int = 256, **kwargs) -> None:
        super().__init__(**kwargs)
        self.color_count = colors
        self.data: DiagramData | None = None
        self.selection = Selection(1, 0)
        self._lines: list[Strip] = []
        self._layout: Layout | None = None
        self._owner: np.ndarray | None = None
        self._summary: Summary | None = None  # the network as drawn (wide layers in groups)
        self._drawn_key: tuple | None = None
        self._weight_styles = signed_styles(LEVELS, colors)
        self._faint_styles = signed_styles(LEVELS, colors, faint=True)
        self.thin: bool | None = None  # the view's: only the strongest links; None: when the mesh would be solid
        self._thumb_cache: dict[tuple[int, int], Style] = {}

    # -- input ---------------------------------------------------------------------

    def show(self, frame: Frame) -> None:
        """Draw ``frame``'s diagram (its lines that changed are refreshed)."""
        data = frame.diagram
        if data is None:
            return
        self.thin = frame.view.thin
        old_sizes = self.data.sizes if self.data else None
        self.data = data
        if old_sizes != data.sizes:
            self.selection = Selection(min(1, len(data.sizes) - 1), 0)
            self.post_message(self.SelectionChanged(self.selection))
        self._redraw()

    def _select(self, selection: Selection) -> None:
        if selection != self.selection:
            self.selection = selection
            self.post_message(self.SelectionChanged(selection))
            self._redraw()

    def action_move(self, d_layer: int, d_neuron: int) -> None:
        if not self.data:
            return
        sizes = self.data.sizes
        layer = min(max(self.selection.layer + d_layer, 0), len(sizes) - 1)
        neuron = min(max(self.selection.neuron + d_neuron, 0), sizes[layer] - 1)
        self._select(Selection(layer, neuron))

    def action_connection(self, direction: int) -> None:
        if not self.data or self.selection.layer == 0:
            return
        n_in = self.data.sizes[self.selection.layer - 1]
        current = self.selection.source
        source = (0 if direction > 0 else n_in - 1) if current is None else (current + direction) % n_in
        self._select(Selection(self.selection.layer, self.selection.neuron, source))

    def action_edit(self) -> None:
        if self.selection.layer > 0:
            self.post_message(self.EditRequested(self.selection))

    def thinned(self) -> bool:
        """Are only the strongest links drawn? ``thin`` if set, else whether the mesh would be solid."""
        if self.thin is not None:
            return self.thin
        return self.data is not None and would_be_solid(self.data.sizes)

    def action_clear_connection(self) -> None:
        self._select(Selection(self.selection.layer, self.selection.neuron))

    def on_click(self, event: events.Click) -> None:
        if not self._layout or not self.data or self._summary is None:
            return
        x, y = event.x, event.y
        node = self._layout.node_at(x, y)
        first = self._summary.first_neuron
        if node is not None and abs(x - self._layout.columns[node[0]]) <= self._layout.node_w:
            self._select(Selection(node[0], first(*node)))
        elif self._owner is not None and 0 <= y < self._owner.shape[0] and 0 <= x < self._owner.shape[1]:
            flat = int(self._owner[y, x])
            if flat >= 0:
                k, i, j = connection_of(flat, self._summary.data.sizes)
                self._select(Selection(k + 1, first(k + 1, i), first(k, j)))
        self.focus()

    def on_resize(self) -> None:
        self._redraw()

    # -- drawing -------------------------------------------------------------------

    def _redraw(self) -> None:
        # The arrays drawn, by identity: a new trainer (reset with new layers, a preset, a load)
        # starts its versions again at 1, and a frame that changed only the plot's view hands
        # over the same weights and grid pass, which need no new picture.
        data = self.data
        arrays = () if data is None else (*data.weights, *(data.grid_layers or ()))
        settings = (None if data is None else data.version, self.size, self.selection, self.thin)
        drawn = self._drawn_key
        if drawn is not None and drawn[0] == settings and len(drawn[1]) == len(arrays):
            if all(a is b for a, b in zip(drawn[1], arrays, strict=True)):
                return
        self._drawn_key = (settings, arrays)
        old = self._lines
        self._lines = (
            [] if data is None else self.render_diagram(data, self.size.width, self.size.height, self.selection)
        )
        refresh_changed_lines(self, old, self._lines)

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def render_diagram(self, data: DiagramData, width: int, height: int, sel: Selection) -> list[Strip]:
        """The diagram as Strips; also keeps the layout and the cell owners for mouse picking.

        A layer of more neurons than rows is drawn in groups (``summarise``): the selected
        neuron's group stands for it.
        """
        if width < 8 or height < 3:
            return []
        summary = self._summary = summarise(data, height - 1)
        data = summary.data
        source = None if sel.source is None else summary.node_of(sel.layer - 1, sel.source)
        sel = (
            Selection(sel.layer, summary.node_of(sel.layer, sel.neuron), source) if sel.layer < len(data.sizes) else sel
        )
        label_w = min(5, max(len(n) for n in data.input_names) + 1)
        lay = layout(data.sizes, width, height - 1, label_w=label_w)
        self._layout = lay
        scale = max((float(np.abs(w).max()) for w in data.weights if w.size), default=1.0) or 1.0
        sizes = data.sizes
        n_links = sum(a * b for a, b in pairwise(sizes))
        neuron_links = self._neuron_links(sizes, sel, n_links)
        thin = self.thinned()
        visible = None
        if thin:
            visible = strongest(data.weights, STRONGEST) | neuron_links  # the selected neuron's links stay
        bits, level, positive, owner = rasterise_connections(lay, data.weights, scale, visible)
        self._owner = owner
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
        lines = [Strip(seg, width) for seg in cells_to_segments(chars, ids, styles)]
        per_node = max(summary.groups)
        lines.append(Strip(self._legend(scale, thin, width, per_node)).adjust_cell_length(width, Style()))
        return lines

    @staticmethod
    def _neuron_links(sizes: list[int], sel: Selection, n_links: int) -> np.ndarray:
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

    def _draw_nodes(
        self, lay: Layout, data: DiagramData, sel: Selection, chars, ids, add_style, highlight: int
    ) -> None:
        h, w = chars.shape
        name_style = add_style(Style(color="bright_white"))
        for k, (col, rows) in enumerate(zip(lay.columns, lay.rows, strict=True)):
            pixels = self._node_pixels(data, k, lay)
            for i, row in enumerate(rows):
                selected = sel.layer == k and sel.neuron == i
                if k > 0 and lay.node_w >= 2 and col - 1 >= 0:
                    # A bias marker left of the node: its colour is the bias.
                    b = float(data.biases[k - 1][i])
                    chars[row, col - 1] = "▶" if selected else "■"
                    ids[row, col - 1] = highlight if selected else add_style(self._thumb_style(b, None))
                if pixels is None:
                    value = float(data.biases[k - 1][i]) if k > 0 else 1.0
                    chars[row, col] = "◉" if selected else "●"
                    ids[row, col] = highlight if selected else add_style(self._thumb_style(value, None))
                else:
                    p = pixels[:, :, i]
                    for r in range(lay.node_h):
                        for c in range(lay.node_w):
                            if row + r < h and col + c < w:
                                chars[row + r, col + c] = "▀"
                                ids[row + r, col + c] = add_style(self._thumb_style(p[2 * r, c], p[2 * r + 1, c]))
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

    def _node_pixels(self, data: DiagramData, k: int, lay: Layout) -> np.ndarray | None:
        """(2*node_h, node_w, n) values in [-1, 1] of each neuron's output over the input plane."""
        if lay.node_w < 2 or data.grid_layers is None:
            return None
        gh, gw = data.grid_shape
        values = thumbnails(data.grid_layers[k], gh, gw, lay.node_h * 2, lay.node_w)
        act = "linear" if k == 0 else data.activations[k - 1]
        if act in ("sigmoid", "softmax"):
            return values * 2.0 - 1.0
        if act == "tanh":
            return values
        peak = np.abs(values).max(axis=(0, 1), keepdims=True)
        return values / np.maximum(peak, 1e-12)

    def _thumb_style(self, top: float, bottom: float | None) -> Style:
        """Upper-half-block style: foreground = top pixel, background = bottom pixel (quantised)."""
        q_top = round(max(-1.0, min(1.0, top)) * THUMB_LEVELS)
        q_bot = None if bottom is None else round(max(-1.0, min(1.0, bottom)) * THUMB_LEVELS)
        key = (q_top, q_bot if q_bot is not None else 99)
        style = self._thumb_cache.get(key)
        if style is None:
            if self.color_count <= 16:
                style = self._ansi_thumb(q_top, q_bot)
            else:
                fg = rgb(signed_rgb(q_top / THUMB_LEVELS))
                bg = rgb(signed_rgb(q_bot / THUMB_LEVELS)) if q_bot is not None else None
                style = Style(color=fg, bgcolor=bg)
            self._thumb_cache[key] = style
        return style

    @staticmethod
    def _ansi_thumb(q_top: int, q_bot: int | None) -> Style:
        def name(q: int) -> str:
            return "blue" if q > 0 else "yellow" if q < 0 else "bright_black"

        return Style(color=name(q_top), bgcolor=name(q_bot) if q_bot is not None else None)

    def _legend(self, scale: float, thin: bool, width: int, per_node: int = 1) -> list[Segment]:
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
