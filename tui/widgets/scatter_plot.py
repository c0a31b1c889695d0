"""Braille scatter plot of the points over the network's decision regions."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from core.trainer import Snapshot
from tui.braille import cell_centres, quantise_confidence, rasterise_points
from tui.plot_render import PlotFrame, PlotStyle, default_plot_style, render_plot_lines
from tui.widgets.changed_lines import refresh_changed_lines

LEVELS = 4
Y_GUTTER = 4  # cells left of the plot for the y-axis labels


@dataclass(frozen=True, eq=False)
class ExtraPoints:
    """Points drawn instead of the training set: the article's Classify Points."""

    X: np.ndarray
    y: np.ndarray


def class_confidence(out: np.ndarray, output: str) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and a confidence in [0, 1] (0 = all classes equally likely)."""
    k = out.shape[1]
    if output == "tanh":
        scores = (out + 1.0) / 2.0
    elif output == "linear":
        scores = np.clip(out, 0.0, None)
    else:
        scores = out
    cls = scores.argmax(axis=1)
    top = scores.max(axis=1)
    total = scores.sum(axis=1)
    with np.errstate(all="ignore"):
        p = np.where(total > 0, top / total, 1.0 / k)
    conf = (p - 1.0 / k) / (1.0 - 1.0 / k)
    return cls, np.nan_to_num(conf, nan=0.0)


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
    layers = snap.display_layers(cell_centres(extent, width, height))
    out = layers[-1]
    regression = data.is_regression
    if regression:
        region_cls = (out[:, 0] > 0).astype(np.int16)
        conf = np.clip(np.abs(np.nan_to_num(out[:, 0])), 0, 1)
    else:
        region_cls, conf = class_confidence(out, config.output)
        region_cls = region_cls.astype(np.int16)
    level = np.full(conf.shape, LEVELS - 1, np.int8) if view.discretize else quantise_confidence(conf, LEVELS)

    X, y = plot_points(snap, view)
    if len(X):
        pred = snap.display_layers(X)[-1]
        if regression:
            cls = (pred[:, 0] > 0).astype(np.int16)
            flagged = np.abs(pred[:, 0] - y) > 0.5
        else:
            cls = pred.argmax(axis=1)
            flagged = cls != y
    else:
        cls = np.zeros(0, np.int16)
        flagged = np.zeros(0, bool)
    bits, point_cls, point_flag = rasterise_points(X, cls, extent, width, height, flagged)
    if view.cursor is not None:
        draw_cursor(bits, view.cursor, extent, width, height)
    frame = PlotFrame(region_cls.reshape(height, width), level.reshape(height, width), bits, point_cls, point_flag)
    rows = render_plot_lines(frame, style)
    return with_axes(rows, extent, width, height), layers, (height, width)


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
    X, y = plot_points(snap, view)
    # Grid lines of the input plane, each sampled densely, go through the same layers.
    ticks = np.linspace(-extent, extent, GRID_LINES)
    along = np.linspace(-extent, extent, GRID_SAMPLES)
    grid = np.concatenate(
        [np.column_stack([np.full_like(along, t), along]) for t in ticks]
        + [np.column_stack([along, np.full_like(along, t)]) for t in ticks]
    )
    points = snap.display_layers(np.concatenate([X, grid]))[layer][:, [a, b]].astype(np.float64)
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
    frame = PlotFrame(region, np.zeros((height, width), np.int8), bits, point_cls, flag)
    rows = render_plot_lines(frame, style)
    lines = with_axes(rows, 1.0, width, height)
    caption = (
        f" hidden layer {layer}: neuron {a + 1} → x [{lo[0]:.2g}, {hi[0]:.2g}], "
        f"neuron {b + 1} → y [{lo[1]:.2g}, {hi[1]:.2g}]"
    )
    lines[-1] = Strip([Segment(caption[: width + Y_GUTTER], Style(dim=True))]).adjust_cell_length(
        width + Y_GUTTER, Style()
    )
    return lines


def plot_points(snap: Snapshot, view: PlotView) -> tuple[np.ndarray, np.ndarray]:
    if view.extra is not None:
        return view.extra.X, view.extra.y
    data = snap.data
    if view.show_test and len(data.X_test):
        return np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test])
    return data.X_train, data.y_train


def draw_cursor(bits: np.ndarray, cursor: tuple[float, float], extent: float, width: int, height: int) -> None:
    cx, cy = cursor
    col = int((cx + extent) / (2 * extent) * width)
    row = int((extent - cy) / (2 * extent) * height)
    if 0 <= row < height and 0 <= col < width:
        bits[row, col] = 0xFF


def with_axes(rows: list[list[Segment]], extent: float, width: int, height: int) -> list[Strip]:
    axis = Style(dim=True)
    labels = {0: f"{extent:g}", height // 2: "0", height - 1: f"{-extent:g}"}
    lines = []
    for r, segments in enumerate(rows):
        label = labels.get(r, "").rjust(Y_GUTTER - 1)[: Y_GUTTER - 1] + "│"
        lines.append(Strip([Segment(label, axis), *segments], width + Y_GUTTER))
    left, mid, right = f"{-extent:g}", "0", f"{extent:g}"
    gap1 = max(1, width // 2 - len(left) - len(mid) // 2)
    gap2 = max(1, width - len(left) - gap1 - len(mid) - len(right))
    bottom = " " * (Y_GUTTER - 1) + "└" + left + "─" * gap1 + mid + "─" * gap2 + right
    lines.append(Strip([Segment(bottom, axis)]).adjust_cell_length(width + Y_GUTTER, Style()))
    return lines
