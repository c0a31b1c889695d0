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
from nnplay.tui.plot_render import PlotFrame, PlotStyle, default_plot_style, render_plot_lines
from nnplay.tui.widgets.changed_lines import refresh_changed_lines

LEVELS = 4
Y_GUTTER = 4  # cells left of the plot for the y-axis labels


@dataclass(frozen=True, eq=False)
class ExtraPoints:
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
    """``snap.display_layers`` for float32 input features: the same arrays, faster.

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
    """The float32 input features ``snap.display_layers`` feeds the network.

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

    def __init__(self, colors: int = 256, **kwargs) -> None:
        super().__init__(**kwargs)
        self.color_count = colors
        self.discretize = False
        self.show_test = False
        self.extra: ExtraPoints | None = None
        self.snapshot: Snapshot | None = None
        self.grid_layers: list[np.ndarray] | None = None  # every layer's output on the grid, for the diagram
        self.grid_shape = (1, 1)
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
        if self.snapshot is None or self.hidden is not None:
            return
        height, width = self.grid_shape
        col, row = event.x - Y_GUTTER, event.y
        if 0 <= col < width and 0 <= row < height:
            extent = self.snapshot.data.extent
            x = -extent + (col + 0.5) * 2 * extent / width
            y = extent - (row + 0.5) * 2 * extent / height
            self.post_message(self.Clicked(x, y))

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._redraw()

    def set_view(
        self,
        *,
        discretize: bool | None = None,
        show_test: bool | None = None,
        extra: ExtraPoints | bool | None = False,
        hidden: tuple[int, int, int] | bool | None = False,
        cursor: tuple[float, float] | bool | None = False,
    ) -> None:
        if discretize is not None:
            self.discretize = discretize
        if show_test is not None:
            self.show_test = show_test
        if extra is not False:
            self.extra = extra  # type: ignore[assignment]
        if cursor is not False:
            self.cursor = cursor  # type: ignore[assignment]
        if hidden is not False:
            self.hidden = hidden  # type: ignore[assignment]
            self.border_title = "data & decision regions" if hidden is None else "hidden space (h: back, H: partner)"
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _redraw(self) -> None:
        snap = self.snapshot
        key = (
            snap.version if snap else None,
            id(snap),
            self.size,
            self.discretize,
            self.show_test,
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
        view = PlotView(self.discretize, self.show_test, self.extra, self.cursor, self.hidden)
        style = self._plot_style(0 if snap.data.is_regression else snap.data.n_classes)
        lines, self.grid_layers, self.grid_shape = render_scatter(snap, self.size.width, self.size.height, view, style)
        # The legend for the test points' look, on the border like the title; set
        # only on a change, since setting it repaints the whole widget.
        legend = TEST_LEGEND if shows_test_points(snap, view) else None
        if self.border_subtitle != legend:
            self.border_subtitle = legend
        return lines


@dataclass(frozen=True, eq=False)
class PlotView:
    """What to draw besides the network: toggles and the edit cursor."""

    discretize: bool = False
    show_test: bool = False
    extra: ExtraPoints | None = None
    cursor: tuple[float, float] | None = None
    hidden: tuple[int, int, int] | None = None  # (layer, neuron a, neuron b): draw that hidden space instead


def render_scatter(
    snap: Snapshot, total_width: int, total_height: int, view: PlotView, style: PlotStyle
) -> tuple[list[Strip], list[np.ndarray] | None, tuple[int, int]]:
    """The plot as Strips (axes included), plus every layer's output on the cell grid.

    The grid pass is returned so the diagram's neuron thumbnails reuse it.
    """
    width, height = total_width - Y_GUTTER, total_height - 1
    if width < 4 or height < 2:
        return [], None, (1, 1)
    if view.hidden is not None:
        return render_hidden_space(snap, width, height, view, style), None, (1, 1)
    data, config = snap.data, snap.config
    extent = data.extent
    layers = display_layers(snap, grid_inputs(extent, width, height, tuple(config.features)))
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
            cls = (pred[:, 0] > 0).astype(np.int16)
            flagged = np.abs(pred[:, 0] - y) > 0.5
        else:
            _, cls = row_max_argmax(pred)
            flagged = cls != y
    else:
        cls = np.zeros(0, np.int16)
        flagged = np.zeros(0, bool)
    bits, point_cls, point_flag = rasterise_points(X, cls, extent, width, height, flagged)
    point_test = None if is_test is None else majority_cells(X, is_test, extent, width, height)
    if view.cursor is not None:
        draw_cursor(bits, view.cursor, extent, width, height)
    frame = PlotFrame(
        region_cls.reshape(height, width), level.reshape(height, width), bits, point_cls, point_flag, point_test
    )
    rows = render_plot_lines(frame, style)
    return with_axes(rows, extent, width, height), layers, (height, width)


TEST_LEGEND = "underlined: test points"


def shows_test_points(snap: Snapshot, view: PlotView) -> bool:
    """Does the view draw held-out test points (apart from the training points)?"""
    return view.show_test and view.extra is None and len(snap.data.X_test) > 0


GRID_LINES = 11
GRID_SAMPLES = 160


def render_hidden_space(snap: Snapshot, width: int, height: int, view: PlotView, style: PlotStyle) -> list[Strip]:
    """The data as two hidden neurons see it, with the input plane's grid warped through the network.

    ConvNetJS's idea: where the points of different classes come apart in some hidden
    layer, the layers after it only have to draw a simple boundary there.
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
            snap.display_layers(inputs[i : i + EVAL_CHUNK])[layer][:, [a, b]].astype(np.float64)
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
    frame = PlotFrame(region, np.zeros((height, width), np.int8), bits, point_cls, flag, point_test)
    rows = render_plot_lines(frame, style)
    lines = with_axes(rows, 1.0, width, height)
    # Which neurons first: at 80 columns the plot is ~24 cells wide and the ranges are cut.
    caption = f" x n{a + 1}, y n{b + 1} (layer {layer})  x [{lo[0]:.2g}, {hi[0]:.2g}] y [{lo[1]:.2g}, {hi[1]:.2g}]"
    lines[-1] = Strip([Segment(caption[: width + Y_GUTTER], Style(dim=True))]).adjust_cell_length(
        width + Y_GUTTER, Style()
    )
    return lines


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


def draw_cursor(bits: np.ndarray, cursor: tuple[float, float], extent: float, width: int, height: int) -> None:
    cx, cy = cursor
    col = int((cx + extent) / (2 * extent) * width)
    row = int((extent - cy) / (2 * extent) * height)
    if 0 <= row < height and 0 <= col < width:
        bits[row, col] = 0xFF


def with_axes(rows: list[list[Segment]], extent: float, width: int, height: int) -> list[Strip]:
    labels, bottom = _axes(extent, width, height)
    lines = list(map(Strip, map(list.__add__, labels, rows), repeat(width + Y_GUTTER)))
    lines.append(bottom)
    return lines


def fit_number(value: float, width: int) -> str:
    """``value`` rounded to fit ``width`` characters, or "" if it cannot: cutting "-1.0956" to
    "-1." misreads."""
    for digits in (3, 2, 1):
        text = f"{value:.{digits}g}"
        if len(text) > width and text.startswith(("0.", "-0.")):
            text = text.replace("0.", ".", 1)  # "-0.6" -> "-.6"
        if len(text) <= width:
            return text
    return ""  # no room: the x axis below has the same range, written out in full


@lru_cache(maxsize=8)
def _axes(extent: float, width: int, height: int) -> tuple[list[list[Segment]], Strip]:
    """Each row's y-axis label segment (as a one-item list), and the x axis; the same every frame."""
    axis = Style(dim=True)
    labels = {0: fit_number(extent, Y_GUTTER - 1), height // 2: "0", height - 1: fit_number(-extent, Y_GUTTER - 1)}
    row_labels = [[Segment(labels.get(r, "").rjust(Y_GUTTER - 1)[: Y_GUTTER - 1] + "│", axis)] for r in range(height)]
    left, mid, right = f"{-extent:g}", "0", f"{extent:g}"
    gap1 = max(1, width // 2 - len(left) - len(mid) // 2)
    gap2 = max(1, width - len(left) - gap1 - len(mid) - len(right))
    bottom = " " * (Y_GUTTER - 1) + "└" + left + "─" * gap1 + mid + "─" * gap2 + right
    return row_labels, Strip([Segment(bottom, axis)]).adjust_cell_length(width + Y_GUTTER, Style())
