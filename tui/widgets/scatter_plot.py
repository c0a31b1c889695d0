"""Braille scatter plot of the points over the network's decision regions."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import repeat

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nnplay.core.activations import HIDDEN, softmax
from nnplay.core.features import feature_matrix
from nnplay.core.memory_budget import EVAL_CHUNK
from nnplay.core.trainer import Snapshot
from nnplay.tui.braille import cell_centres, majority_cells, quantise_confidence, rasterise_points
from nnplay.tui.plot_render import (
    BIG_POINT,
    BIG_TEST_POINT,
    TEST_GLYPH,
    PlotFrame,
    PlotStyle,
    default_plot_style,
    render_plot_lines,
)
from nnplay.tui.widgets.changed_lines import refresh_changed_lines

LEVELS = 4
Y_GUTTER = 5  # cells left of the plot for the y-axis labels
# A terminal cell is about twice as tall as wide: a plane of 2h x h cells looks square.
CELL_ASPECT = 2.0


@dataclass(frozen=True, eq=False)
class ClassifiedPoints:
    """Points drawn instead of the training set: the article's Classify Points."""

    X: np.ndarray
    y: np.ndarray


# Row reductions over an (n, k) array's short axis are an order of magnitude
# slower in numpy than the same work done column by column.  Below this many
# columns numpy also adds a row's values left to right, so column-by-column
# sums (and softmax outputs) are bit for bit what numpy's own would be;
# test_plot_render checks that, so a numpy change cannot alter a frame silently.
FEW_COLUMNS = 8


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0:
        return a.max(axis=1)
    top = a[:, 0].copy()
    for j in range(1, k):
        np.maximum(top, a[:, j], out=top)
    return top


def row_max_argmax(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a.max(axis=1)`` and ``a.argmax(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0 or len(a) == 0:
        return a.max(axis=1), a.argmax(axis=1)
    top = a[:, 0].copy()
    arg = np.zeros(len(a), dtype=np.intp) if k == 1 else np.greater(a[:, 1], top).astype(np.intp)
    for j in range(1, k):
        col = a[:, j]
        if j > 1:
            np.putmask(arg, col > top, j)  # strictly greater: ties stay with the lowest column, as in argmax
        np.maximum(top, col, out=top)
    if np.isnan(top).any():  # numpy's argmax picks a row's first NaN; rare, leave it to numpy
        arg = a.argmax(axis=1)
    return top, arg


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D array, the same values, faster for few columns."""
    k = a.shape[1]
    if k >= FEW_COLUMNS or k == 0:
        return a.sum(axis=1)
    total = a[:, 0].copy()
    total += 0  # numpy's sum starts from +0, so a row of -0.0 sums to +0.0
    for j in range(1, k):
        total += a[:, j]
    return total


def softmax_few(z: np.ndarray) -> np.ndarray:
    """nnplay.core.activations.softmax in place, column by column (the same numbers for few columns)."""
    if z.shape[1] >= FEW_COLUMNS or len(z) == 0:
        return softmax(z, z)
    np.subtract(z, row_max(z)[:, np.newaxis], out=z)
    np.exp(z, out=z)
    z /= row_sum(z)[:, np.newaxis]
    return z


def display_layers(snap: Snapshot, inputs: np.ndarray) -> list[np.ndarray]:
    """``snap.drawing_layers`` for float32 input features: the same arrays, faster.

    The pass is the network's own (``Network.forward_pass``) except that a
    softmax output over few classes goes through :func:`softmax_few`.
    """
    net = snap.display_network
    with np.errstate(all="ignore"):
        if net.output != "softmax" or net.sizes[-1] >= FEW_COLUMNS:
            return net.forward_pass(inputs)[1]
        functions = [HIDDEN[name][0] for name in net.activations] + [softmax_few]
        acts = [inputs]
        a = inputs
        for w, b, f in zip(net.weights, net.biases, functions, strict=True):
            z = a @ w.T
            z += b
            a = f(z)
            acts.append(a)
        return acts


def display_outputs(snap: Snapshot, inputs: np.ndarray) -> np.ndarray:
    """The output layer of :func:`display_layers`, ``EVAL_CHUNK`` points at a time: memory stays
    bounded by the chunk, not the data set (``core.memory_budget``)."""
    if len(inputs) <= EVAL_CHUNK:
        return display_layers(snap, inputs)[-1]
    return np.concatenate(
        [display_layers(snap, inputs[i : i + EVAL_CHUNK])[-1] for i in range(0, len(inputs), EVAL_CHUNK)]
    )


def display_inputs(snap: Snapshot, X_raw: np.ndarray) -> np.ndarray:
    """The float32 input features ``snap.drawing_layers`` feeds the network.

    The points are the same read-only array (the data set's) frame after frame
    while a network trains, so the features of the last one are kept and reused.
    """
    global _last_inputs
    features = tuple(snap.config.features)
    last = _last_inputs
    if last is not None and last[0]() is X_raw and last[1] == features:
        return last[2]
    with np.errstate(all="ignore"):
        inputs = feature_matrix(X_raw, features).astype(np.float32)
    if isinstance(X_raw, np.ndarray) and not X_raw.flags.writeable:
        inputs.flags.writeable = False
        _last_inputs = (weakref.ref(X_raw), features, inputs)
    return inputs


# (weak reference to the points, features, their float32 features) of the last read-only points.
_last_inputs: tuple[weakref.ref, tuple[str, ...], np.ndarray] | None = None


@lru_cache(maxsize=8)
def grid_inputs(extent: float, width: int, height: int, features: tuple[str, ...]) -> np.ndarray:
    """The float32 features of every cell centre; the same for every frame of one size, so built once."""
    with np.errstate(all="ignore"):
        inputs = feature_matrix(cell_centres(extent, width, height), features).astype(np.float32)
    inputs.flags.writeable = False  # shared by every frame (and the diagram's thumbnails)
    return inputs


def class_confidence(out: np.ndarray, output: str) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and a confidence in [0, 1] (0 = all classes equally likely)."""
    k = out.shape[1]
    if output == "tanh":
        scores = (out + 1.0) / 2.0
    elif output == "linear":
        scores = np.clip(out, 0.0, None)
    else:
        scores = out
    top, cls = row_max_argmax(scores)
    total = row_sum(scores)
    with np.errstate(all="ignore"):
        p = np.where(total > 0, top / total, 1.0 / k)
    conf = (p - 1.0 / k) / (1.0 - 1.0 / k)
    return cls, np.nan_to_num(conf, copy=False, nan=0.0)


class ScatterPlot(Widget):
    """Each cell's background is the predicted class, shaded by confidence; dots are the points."""

    DEFAULT_CSS = """
    ScatterPlot { height: 1fr; min-height: 5; }
    """

    def __init__(self, colors: int = 256, cell_aspect: float = CELL_ASPECT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.color_count = colors
        self.cell_aspect = cell_aspect
        self.discretize = False
        self.show_test = False
        self.by_prediction = False
        self.extra: ClassifiedPoints | None = None
        self.snapshot: Snapshot | None = None
        self.grid_layers: list[np.ndarray] | None = None  # every layer's output on the grid, for the diagram
        self.grid_shape = (1, 1)
        self.box: PlotBox | None = None
        self.cursor: tuple[float, float] | None = None
        self.hidden: tuple[int, int, int] | None = None
        self._lines: list[Strip] = []
        self._drawn_key: tuple | None = None
        self._style_cache: dict[tuple[int, int], object] = {}
        self.frames_drawn = 0

    class Clicked(Message):
        """A click on the plot, in data coordinates."""

        def __init__(self, x: float, y: float) -> None:
            super().__init__()
            self.x, self.y = x, y

    def on_click(self, event: events.Click) -> None:
        if self.snapshot is None or self.hidden is not None or self.box is None:
            return
        cell = self.box.cell_of(event.x, event.y)
        if cell is not None:
            row, col = cell
            extent = self.snapshot.data.extent
            x = -extent + (col + 0.5) * 2 * extent / self.box.width
            y = extent - (row + 0.5) * 2 * extent / self.box.height
            self.post_message(self.Clicked(x, y))

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._redraw()

    def set_view(
        self,
        *,
        discretize: bool | None = None,
        show_test: bool | None = None,
        by_prediction: bool | None = None,
        extra: ClassifiedPoints | bool | None = False,
        hidden: tuple[int, int, int] | bool | None = False,
        cursor: tuple[float, float] | bool | None = False,
    ) -> None:
        if discretize is not None:
            self.discretize = discretize
        if show_test is not None:
            self.show_test = show_test
        if by_prediction is not None:
            self.by_prediction = by_prediction
        if extra is not False:
            self.extra = extra  # type: ignore[assignment]
        if cursor is not False:
            self.cursor = cursor  # type: ignore[assignment]
        if hidden is not False:
            self.hidden = hidden  # type: ignore[assignment]
        self._set_title()
        self._redraw()

    def _set_title(self) -> None:
        # Shortened by rule where the pane is narrow, never cut with an ellipsis.
        long, short = TITLES[self.hidden is not None]
        title = long if len(long) + 4 <= self.size.width or not self.size.width else short
        if self.border_title != title:
            self.border_title = title

    def on_resize(self) -> None:
        self._set_title()
        self._redraw()

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def view(self) -> PlotView:
        return PlotView(
            self.discretize, self.show_test, self.extra, self.cursor, self.hidden, self.by_prediction, self.cell_aspect
        )

    def _redraw(self) -> None:
        snap = self.snapshot
        key = (
            snap.version if snap else None,
            id(snap),
            self.size,
            self.discretize,
            self.show_test,
            self.by_prediction,
            id(self.extra),
            self.cursor,
            self.hidden,
        )
        if key == self._drawn_key:
            return
        self._drawn_key = key
        old, self._lines = self._lines, self._render_lines()
        self.frames_drawn += 1
        refresh_changed_lines(self, old, self._lines)

    def _plot_style(self, n_classes: int):
        key = (n_classes, self.color_count)
        if key not in self._style_cache:
            self._style_cache[key] = default_plot_style(max(n_classes, 2), LEVELS, self.color_count)
        return self._style_cache[key]

    def _render_lines(self) -> list[Strip]:
        snap = self.snapshot
        if snap is None:
            return []
        style = self._plot_style(0 if snap.data.is_regression else snap.data.n_classes)
        self.box = plot_box(self.size.width, self.size.height, self.cell_aspect)
        lines, self.grid_layers, self.grid_shape = render_scatter(
            snap, self.size.width, self.size.height, self.view(), style
        )
        return lines


TITLES = {False: ("data & decision regions", "data & regions"), True: ("hidden space (h back, H next)", "hidden (h)")}


@dataclass(frozen=True, eq=False)
class PlotView:
    """What to draw besides the network: toggles and the edit cursor."""

    discretize: bool = False
    show_test: bool = False
    extra: ClassifiedPoints | None = None
    cursor: tuple[float, float] | None = None
    hidden: tuple[int, int, int] | None = None  # (layer, neuron a, neuron b): draw that hidden space instead
    by_prediction: bool = False  # colour points by the predicted class instead of their true one
    cell_aspect: float = CELL_ASPECT


@dataclass(frozen=True)
class PlotBox:
    """Where the square plane sits in the widget: ``width`` x ``height`` cells from (left, top).

    The y-axis labels are the ``Y_GUTTER`` cells left of it, the x axis the row below it.
    """

    left: int
    top: int
    width: int
    height: int

    def cell_of(self, x: int, y: int) -> tuple[int, int] | None:
        """(row, col) of the plane's cell at widget position (x, y), or None outside the plane."""
        col, row = x - self.left, y - self.top
        return (row, col) if 0 <= col < self.width and 0 <= row < self.height else None


def plot_box(total_width: int, total_height: int, cell_aspect: float = CELL_ASPECT) -> PlotBox | None:
    """The largest plane that is square on screen (a cell is ``cell_aspect`` times taller than
    wide), centred, leaving a row for the x axis and at least one for the legend."""
    # One cell kept free right of the plane: many fonts draw braille wider than a cell, and a dot
    # in the last column crossed the pane's border (seen in a browser and in the saved SVGs).
    room_w, room_h = total_width - Y_GUTTER - 1, total_height - 1 - LEGEND_MIN_ROWS
    if room_w < 4 or room_h < 2:
        return None
    height = max(2, min(room_h, int(room_w / cell_aspect)))
    width = max(4, min(room_w, round(height * cell_aspect)))
    spare_w = room_w - width
    if spare_w >= SIDE_LEGEND:  # room beside the plane: centre the plane and its legend column together
        return PlotBox(Y_GUTTER + (spare_w - SIDE_LEGEND) // 2, (total_height - 1 - height) // 2, width, height)
    used_h = height + 1 + LEGEND_MIN_ROWS
    return PlotBox(Y_GUTTER + spare_w // 2, max(0, (total_height - used_h) // 2 - 1), width, height)


def plane_aspect(box: PlotBox, cell_aspect: float = CELL_ASPECT) -> float:
    """The plane's width over its height on screen (1 = square)."""
    return box.width / (box.height * cell_aspect)


def render_scatter(
    snap: Snapshot, total_width: int, total_height: int, view: PlotView, style: PlotStyle
) -> tuple[list[Strip], list[np.ndarray] | None, tuple[int, int]]:
    """The plot as Strips (axes and legend included), plus every layer's output on the cell grid.

    The grid pass is returned so the diagram's neuron thumbnails reuse it, in every view.
    """
    box = plot_box(total_width, total_height, view.cell_aspect)
    if box is None:
        return [], None, (1, 1)
    width, height = box.width, box.height
    data, config = snap.data, snap.config
    extent = data.extent
    # Twice the rows where a cell's halves can be two colours ("▀"); the same pass feeds the thumbnails.
    halves = 2 if style.half_blocks and view.hidden is None else 1
    grid_h = height * halves
    layers = display_layers(snap, grid_inputs(extent, width, grid_h, tuple(config.features)))
    if view.hidden is not None:
        rows, axis_extent, legend = render_hidden_space(snap, width, height, view, style)
        return frame_lines(rows, axis_extent, box, total_width, total_height, legend), layers, (grid_h, width)
    out = layers[-1]
    regression = data.is_regression
    if regression:
        region_cls = (out[:, 0] > 0).astype(np.int16)
        conf = np.clip(np.abs(np.nan_to_num(out[:, 0])), 0, 1)
    else:
        region_cls, conf = class_confidence(out, config.output)
        region_cls = region_cls.astype(np.int16)
    level = np.full(conf.shape, LEVELS - 1, np.int8) if view.discretize else quantise_confidence(conf, LEVELS)

    X, y, is_test = plot_points(snap, view)
    if len(X):
        pred = display_outputs(snap, display_inputs(snap, X))
        if regression:
            predicted = (pred[:, 0] > 0).astype(np.int16)
            true = (y > 0).astype(np.int16)
            flagged = np.abs(pred[:, 0] - y) > 0.5
        else:
            _, predicted = row_max_argmax(pred)
            true = y.astype(np.int16)
            flagged = predicted != y
        cls = predicted if view.by_prediction else true
    else:
        cls = np.zeros(0, np.int16)
        flagged = np.zeros(0, bool)
    bits, point_cls, point_flag = rasterise_points(X, cls, extent, width, height, flagged)
    point_test = None if is_test is None else majority_cells(X, is_test, extent, width, height)
    glyphs = point_glyphs(bits, point_test, len(X))
    if view.cursor is not None:
        glyphs = draw_cursor(glyphs, bits, view.cursor, extent, width, height)
    region_cls = region_cls.reshape(grid_h, width)
    level = level.reshape(grid_h, width)
    lower_cls = lower_level = None
    if halves == 2:
        region_cls, lower_cls = region_cls[0::2], region_cls[1::2]
        level, lower_level = level[0::2], level[1::2]
    frame = PlotFrame(region_cls, level, bits, point_cls, point_flag, point_test, glyphs, lower_cls, lower_level)
    rows = render_plot_lines(frame, style)
    legend = legend_items(snap, view, style, shows_test=is_test is not None, any_wrong=bool(flagged.any()))
    return frame_lines(rows, extent, box, total_width, total_height, legend), layers, (grid_h, width)


FEW_POINTS = 40  # up to this many points, each is drawn a whole cell large ("●"), not one braille dot


def point_glyphs(bits: np.ndarray, point_test: np.ndarray | None, n_points: int) -> np.ndarray | None:
    """The characters drawn instead of braille: big points when few, the test points' own mark."""
    if n_points > FEW_POINTS and point_test is None:
        return None
    glyphs = np.full(bits.shape, "", dtype="<U1")
    occupied = bits != 0
    if n_points <= FEW_POINTS:
        glyphs[occupied] = BIG_POINT
    if point_test is not None:
        glyphs[occupied & point_test] = BIG_TEST_POINT if n_points <= FEW_POINTS else TEST_GLYPH
    return glyphs


def legend_items(
    snap: Snapshot, view: PlotView, style: PlotStyle, *, shows_test: bool, any_wrong: bool
) -> list[list[Segment]]:
    """Short legend entries, each a few segments: the class colours (or the value scale), the marks."""
    dim = Style(dim=True)
    data = snap.data
    items: list[list[Segment]] = []
    if data.is_regression:
        neg, pos = style.point_fg[0], style.point_fg[min(1, len(style.point_fg) - 1)]
        items.append([Segment("●", neg), Segment(" -1 target +1 ", dim), Segment("●", pos)])
    else:
        names = data.class_names or tuple(str(c + 1) for c in range(data.n_classes))
        for c, name in enumerate(names[: len(style.point_fg)]):
            items.append([Segment("●", style.point_fg[c]), Segment(f" {c + 1} {name}"[: LEGEND_NAME + 3], dim)])
    items.append([Segment("points: predicted (p)" if view.by_prediction else "points: true class (p)", dim)])
    if any_wrong:
        items.append([Segment("underlined", style.flag_style), Segment(": wrong", dim)])
    if shows_test:
        items.append([Segment(TEST_GLYPH, Style()), Segment(" test point", dim)])
    if view.cursor is not None:
        items.append([Segment("┼", Style(bold=True)), Segment(" cursor", dim)])
    return items


LEGEND_NAME = 9  # characters of a class name in the legend
LEGEND_MIN_ROWS = 1
SIDE_LEGEND = 16  # cells a legend column beside the plane needs


def frame_lines(
    rows: list[list[Segment]],
    extent: float,
    box: PlotBox,
    total_width: int,
    total_height: int,
    legend: list[list[Segment]],
) -> list[Strip]:
    """The plane's rows placed in the widget: axes around them, the legend in the room left over."""
    blank = Style()
    labels, bottom = _axes(extent, box.width, box.height)
    pad = [Segment(" " * (box.left - Y_GUTTER), blank)] if box.left > Y_GUTTER else []
    right_w = total_width - box.left - box.width
    side = right_w >= SIDE_LEGEND  # a column of legend entries beside the plane, else rows below it
    lines = [Strip.blank(total_width, blank)] * box.top
    for r, (label, row) in enumerate(zip(labels, rows, strict=True)):
        extra = [Segment(" ", blank), *legend[r]] if side and r < len(legend) else []
        lines.append(Strip([*pad, *label, *row, *extra]).adjust_cell_length(total_width, blank))
    lines.append(Strip([*pad, *bottom]).adjust_cell_length(total_width, blank))
    below = [] if side else flow(legend, total_width - box.left + Y_GUTTER)
    if side and len(legend) > box.height:
        below = flow(legend[box.height :], total_width - box.left + Y_GUTTER)
    room = total_height - len(lines)
    for line in below[:room]:
        lines.append(Strip([*pad, *line]).adjust_cell_length(total_width, blank))
    lines.extend([Strip.blank(total_width, blank)] * (total_height - len(lines)))
    return [line.crop(0, total_width) for line in lines[:total_height]]


def flow(items: list[list[Segment]], width: int) -> list[list[Segment]]:
    """Legend entries laid out in lines of at most ``width`` cells, two spaces apart; an entry
    wider than a line is shortened, never split."""
    lines: list[list[Segment]] = []
    line: list[Segment] = []
    used = 0
    for item in items:
        size = sum(seg.cell_length for seg in item)
        if line and used + 2 + size > width:
            lines.append(line)
            line, used = [], 0
        if line:
            line.append(Segment("  ", Style()))
            used += 2
        line.extend(item)
        used += size
    if line:
        lines.append(line)
    return [list(Strip(line).crop(0, width)) for line in lines]


def shows_test_points(snap: Snapshot, view: PlotView) -> bool:
    """Does the view draw held-out test points (apart from the training points)?"""
    return view.show_test and view.extra is None and len(snap.data.X_test) > 0


GRID_LINES = 11
GRID_SAMPLES = 160


def render_hidden_space(
    snap: Snapshot, width: int, height: int, view: PlotView, style: PlotStyle
) -> tuple[list[list[Segment]], float, list[list[Segment]]]:
    """The data as two hidden neurons see it, with the input plane's grid warped through the network.

    ConvNetJS's idea: where the points of different classes come apart in some hidden
    layer, the layers after it only have to draw a simple boundary there. Returns the rows,
    the axes' extent (both axes scaled into [-1, 1]) and the legend entries.
    """
    layer, a, b = view.hidden
    data = snap.data
    extent = data.extent
    X, y, is_test = plot_points(snap, view)
    # Grid lines of the input plane, each sampled densely, go through the same layers.
    ticks = np.linspace(-extent, extent, GRID_LINES)
    along = np.linspace(-extent, extent, GRID_SAMPLES)
    grid = np.concatenate(
        [np.column_stack([np.full_like(along, t), along]) for t in ticks]
        + [np.column_stack([along, np.full_like(along, t)]) for t in ticks]
    )
    inputs = np.concatenate([X, grid])
    # EVAL_CHUNK points at a time: every layer of 100,000 points would be held at once otherwise
    points = np.concatenate(
        [
            snap.drawing_layers(inputs[i : i + EVAL_CHUNK])[layer][:, [a, b]].astype(np.float64)
            for i in range(0, len(inputs), EVAL_CHUNK)
        ]
    )
    finite = np.isfinite(points).all(axis=1)
    lo = points[finite].min(axis=0) if finite.any() else np.zeros(2)
    hi = points[finite].max(axis=0) if finite.any() else np.ones(2)
    centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2 * 1.05, 1e-9)
    scaled = (points - centre) / half  # both axes into [-1, 1]
    labels = y.astype(np.int64) if not data.is_regression else (y > 0).astype(np.int64)
    cls = np.concatenate([labels, np.full(len(grid), -1)])
    bits, point_cls, flag = rasterise_points(scaled, cls, 1.0, width, height)
    # Cells with only grid dots get an extra, dim "class", so the warped grid stays in the background.
    grid_class = len(style.point_fg)
    point_cls[(point_cls < 0) & (bits > 0)] = grid_class
    style = replace(style, point_fg=(*style.point_fg, Style(color="grey37")))
    region = np.full((height, width), -1, np.int16)
    point_test = None if is_test is None else majority_cells(scaled[: len(X)], is_test, 1.0, width, height)
    glyphs = None
    if point_test is not None:
        glyphs = np.where(point_test & (bits != 0), TEST_GLYPH, "").astype("<U1")
    frame = PlotFrame(region, np.zeros((height, width), np.int8), bits, point_cls, flag, point_test, glyphs)
    rows = render_plot_lines(frame, style)
    dim = Style(dim=True)
    legend = [
        [Segment(f"x: n{a + 1}, y: n{b + 1} of layer {layer}", dim)],
        [Segment(f"x {_number(lo[0])}..{_number(hi[0])}", dim)],
        [Segment(f"y {_number(lo[1])}..{_number(hi[1])}", dim)],
        [Segment("grey: the input grid, warped", dim)],
    ]
    if point_test is not None:
        legend.append([Segment(TEST_GLYPH, Style()), Segment(" test point", dim)])
    return rows, 1.0, legend


def _number(value: float) -> str:
    return f"{value:.2g}"


def plot_points(snap: Snapshot, view: PlotView) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The points to draw, their labels, and which are test points (None: no test points drawn)."""
    if view.extra is not None:
        return view.extra.X, view.extra.y, None
    data = snap.data
    if shows_test_points(snap, view):
        is_test = np.zeros(len(data.X_train) + len(data.X_test), dtype=bool)
        is_test[len(data.X_train) :] = True
        return np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test]), is_test
    return data.X_train, data.y_train, None


def cursor_cell(cursor: tuple[float, float], extent: float, width: int, height: int) -> tuple[int, int]:
    """(row, col) of the cell under the edit cursor, clamped into the plane."""
    cx, cy = cursor
    col = int((cx + extent) / (2 * extent) * width)
    row = int((extent - cy) / (2 * extent) * height)
    return min(max(row, 0), height - 1), min(max(col, 0), width - 1)


def draw_cursor(
    glyphs: np.ndarray | None, bits: np.ndarray, cursor: tuple[float, float], extent: float, width: int, height: int
) -> np.ndarray:
    """A crosshair across the plane through the cursor's cell; points on its lines stay visible."""
    if glyphs is None:
        glyphs = np.full((height, width), "", dtype="<U1")
    row, col = cursor_cell(cursor, extent, width, height)
    free = (bits == 0) & (glyphs == "")
    glyphs[row, free[row]] = "─"
    glyphs[free[:, col], col] = "│"
    glyphs[row, col] = "┼"
    return glyphs


def with_axes(rows: list[list[Segment]], extent: float, width: int, height: int) -> list[Strip]:
    """The plane's rows with the y-axis labels on their left and the x axis below (no legend)."""
    labels, bottom = _axes(extent, width, height)
    lines = list(map(Strip, map(list.__add__, labels, rows), repeat(width + Y_GUTTER)))
    lines.append(Strip(bottom, width + Y_GUTTER))
    return lines


def fit_number(value: float, width: int) -> str:
    """``value`` rounded to fit ``width`` characters, or "" if it cannot: cutting "-1.0956" to
    "-1." misreads."""
    return axis_numbers((value,), width)[0]


def axis_numbers(values: tuple[float, ...], width: int) -> tuple[str, ...]:
    """``values`` written with one number of significant digits, the most that lets every one
    fit ``width`` characters (both axes use the same texts: "1.1" and "-1.07" would disagree)."""
    for digits in (3, 2, 1):
        texts = tuple(_shorten(f"{v:.{digits}g}", width) for v in values)
        if all(len(t) <= width for t in texts):
            return texts
    return tuple("" for _ in values)  # no room: the x axis below has the same range, written out in full


def _shorten(text: str, width: int) -> str:
    if len(text) > width and text.startswith(("0.", "-0.")):
        return text.replace("0.", ".", 1)  # "-0.6" -> "-.6"
    return text


@lru_cache(maxsize=8)
def _axes(extent: float, width: int, height: int) -> tuple[list[list[Segment]], list[Segment]]:
    """Each row's y-axis label segment (as a one-item list), and the x axis; the same every frame."""
    axis = Style(dim=True)
    top, bottom_label = axis_numbers((extent, -extent), Y_GUTTER - 1)
    labels = {0: top, height // 2: "0", height - 1: bottom_label}
    row_labels = [[Segment(labels.get(r, "").rjust(Y_GUTTER - 1)[: Y_GUTTER - 1] + "│", axis)] for r in range(height)]
    right, left = top or f"{extent:.2g}", bottom_label or f"{-extent:.2g}"
    mid = "0"
    gap1 = max(1, width // 2 - len(left) - len(mid) // 2)
    gap2 = max(1, width - len(left) - gap1 - len(mid) - len(right))
    bottom = " " * (Y_GUTTER - 1) + "└" + left + "─" * gap1 + mid + "─" * gap2 + right
    return row_labels, [Segment(bottom[: width + Y_GUTTER], axis)]
