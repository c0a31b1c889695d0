"""Braille scatter plot of the points over the network's decision regions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
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
        self._lines: list[Strip] = []
        self._drawn_key: tuple | None = None
        self._style_cache: dict[tuple[int, int], object] = {}
        self.frames_drawn = 0

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._redraw()

    def set_view(
        self, *, discretize: bool | None = None, show_test: bool | None = None, extra: ExtraPoints | bool | None = False
    ) -> None:
        if discretize is not None:
            self.discretize = discretize
        if show_test is not None:
            self.show_test = show_test
        if extra is not False:
            self.extra = extra  # type: ignore[assignment]
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def render_line(self, y: int) -> Strip:
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width)

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
        view = PlotView(self.discretize, self.show_test, self.extra, self.cursor)
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


def render_scatter(
    snap: Snapshot, total_width: int, total_height: int, view: PlotView, style: PlotStyle
) -> tuple[list[Strip], list[np.ndarray] | None, tuple[int, int]]:
    """The plot as Strips (axes included), plus every layer's output on the cell grid.

    The grid pass is returned so the diagram's neuron thumbnails reuse it.
    """
    width, height = total_width - Y_GUTTER, total_height - 1
    if width < 4 or height < 2:
        return [], None, (1, 1)
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
    lines.append(Strip([Segment(bottom, axis)]).adjust_cell_length(width + Y_GUTTER))
    return lines
