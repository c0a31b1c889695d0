"""The plot pane drawn from a ``Frame``: regions, points, axes and legend as Rich segment lines."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from rich.segment import Segment
from rich.style import Style

from nnplay.tui.model.frame import Frame, HiddenSpace
from nnplay.tui.model.grid_pass import class_confidence
from nnplay.tui.model.plot_geometry import Y_GUTTER, PlotBox, cursor_cell, legend_place
from nnplay.tui.model.plot_legend import TEST_GLYPH, LegendEntry
from nnplay.tui.raster.braille import majority_cells, quantise_confidence, rasterise_points
from nnplay.tui.render.plot import BIG_POINT, BIG_TEST_POINT, PlotFrame, PlotStyle, render_plot_lines

LEVELS = 4  # confidence levels of a region's shade
Line = list[Segment]


def scatter_lines(frame: Frame, style: PlotStyle) -> list[Line]:
    """The plot pane's lines, each exactly the pane's width (axes and legend included)."""
    box, grid = frame.box, frame.grid
    total_width, total_height = frame.sizes.plot
    if box is None:
        return []
    if frame.hidden is not None:
        rows = hidden_space_rows(frame.hidden, frame, style)
        return frame_lines(rows, 1.0, box, total_width, total_height, frame.legend, style)
    assert grid is not None  # a frame with a plot box has its grid pass
    snap, view = frame.snapshot, frame.view
    width, height = box.width, box.height
    data, config = snap.data, snap.config
    extent = data.extent
    grid_h, grid_w = grid.shape
    out = grid.layers[-1]
    regression = data.is_regression
    if regression:
        region_cls = (out[:, 0] > 0).astype(np.int16)
        conf = np.clip(np.abs(np.nan_to_num(out[:, 0])), 0, 1)
    else:
        region_cls, conf = class_confidence(out, config.output)
        region_cls = region_cls.astype(np.int16)
    level = np.full(conf.shape, LEVELS - 1, np.int8) if view.discretize else quantise_confidence(conf, LEVELS)

    points = frame.points
    X, is_test = points.X, points.is_test
    if len(X) and points.predicted is not None and points.marked is not None:
        cls = points.predicted if view.points_by_prediction else points.y.astype(np.int16)
        marked = points.marked
    else:
        cls = np.zeros(0, np.int16)
        marked = np.zeros(0, bool)
    bits, point_cls, point_flag = rasterise_points(X, cls, extent, width, height, marked)
    point_test = None if is_test is None else majority_cells(X, is_test, extent, width, height)
    glyphs = point_glyphs(bits, point_test, len(X))
    if view.cursor is not None:
        glyphs = draw_cursor(glyphs, bits, view.cursor, extent, width, height)
    region_cls = cells_of(region_cls.reshape(grid_h, grid_w), height, width)
    level = cells_of(level.reshape(grid_h, grid_w), height, width)
    grid_h = len(region_cls)
    lower_cls = lower_level = None
    if grid_h == 2 * height:
        region_cls, lower_cls = region_cls[0::2], region_cls[1::2]
        level, lower_level = level[0::2], level[1::2]
    plot_frame = PlotFrame(region_cls, level, bits, point_cls, point_flag, point_test, glyphs, lower_cls, lower_level)
    rows = render_plot_lines(plot_frame, style)
    return frame_lines(rows, extent, box, total_width, total_height, frame.legend, style)


def cells_of(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """A grid pass's values per cell (or half cell): a coarser grid's block repeated over its cells."""
    if grid.shape == (2 * height, width) or grid.shape == (height, width):
        return grid
    rows = np.minimum(np.arange(height) * grid.shape[0] // height, grid.shape[0] - 1)
    cols = np.minimum(np.arange(width) * grid.shape[1] // width, grid.shape[1] - 1)
    return grid[np.ix_(rows, cols)]


def hidden_space_rows(space: HiddenSpace, frame: Frame, style: PlotStyle) -> list[Line]:
    """The hidden view's plane rows: the warped input grid dim behind the points."""
    box = frame.box
    assert box is not None  # scatter_lines draws the hidden view only in a box
    width, height = box.width, box.height
    data = frame.snapshot.data
    y, is_test = frame.points.y, frame.points.is_test
    n_grid = len(space.scaled) - space.n_points
    labels = y.astype(np.int64) if not data.is_regression else (y > 0).astype(np.int64)
    cls = np.concatenate([labels, np.full(n_grid, -1)])
    bits, point_cls, flag = rasterise_points(space.scaled, cls, 1.0, width, height)
    # Cells with only grid dots get an extra, dim "class", so the warped grid stays in the background.
    grid_class = len(style.point_fg)
    point_cls[(point_cls < 0) & (bits > 0)] = grid_class
    style = replace(style, point_fg=(*style.point_fg, Style(color="grey37")))
    region = np.full((height, width), -1, np.int16)
    scaled_points = space.scaled[: space.n_points]
    point_test = None if is_test is None else majority_cells(scaled_points, is_test, 1.0, width, height)
    glyphs = None
    if point_test is not None:
        glyphs = np.where(point_test & (bits != 0), TEST_GLYPH, "").astype("<U1")
    plot_frame = PlotFrame(region, np.zeros((height, width), np.int8), bits, point_cls, flag, point_test, glyphs)
    return render_plot_lines(plot_frame, style)


def blank_line(width: int, style: Style) -> Line:
    return [Segment(" " * width, style)] if width > 0 else []


def fit(line: Line, width: int, style: Style) -> Line:
    """``line`` cut or padded to exactly ``width`` cells."""
    return Segment.adjust_line_length(line, width, style)


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


def legend_segments(entry: LegendEntry, style: PlotStyle) -> list[Segment]:
    """One legend entry as drawn: its mark in the look it explains, its words dim."""
    looks = {"flag": style.flag_style, "glyph": Style(), "bold": Style(bold=True)}
    classes = style.point_fg
    mark = classes[min(entry.cls, len(classes) - 1)] if entry.kind == "class" else looks.get(entry.kind, Style())
    parts = [Segment(entry.mark, mark), Segment(entry.words, Style(dim=True))]
    if entry.tail:
        parts.append(Segment(entry.tail, classes[min(entry.cls + 1, len(classes) - 1)]))
    return [part for part in parts if part.text]


def frame_lines(
    rows: list[list[Segment]],
    extent: float,
    box: PlotBox,
    total_width: int,
    total_height: int,
    legend: tuple[LegendEntry, ...],
    style: PlotStyle,
) -> list[Line]:
    """The plane's rows placed in the widget: axes around them, the legend where
    ``legend_place`` puts it (the room the plane was sized to leave)."""
    blank = Style()
    labels, bottom = _axes(extent, box.width, box.height)
    pad = [Segment(" " * (box.left - Y_GUTTER), blank)] if box.left > Y_GUTTER else []
    entries = [legend_segments(entry, style) for entry in legend]
    place = legend_place(box, total_width, tuple(entry.width for entry in legend))
    lines = [blank_line(total_width, blank)] * box.top
    for r, (label, row) in enumerate(zip(labels, rows, strict=True)):
        extra = [Segment(" ", blank), *entries[r]] if r < place.beside else []
        lines.append(fit([*pad, *label, *row, *extra], total_width, blank))
    lines.append(fit([*pad, *bottom], total_width, blank))
    indent = [Segment(" " * place.indent, blank)] if place.indent else []
    gap = Segment("  ", blank)
    for indexes in place.below[: total_height - len(lines)]:
        line = [*indent]
        for n, index in enumerate(indexes):
            line.extend([gap, *entries[index]] if n else entries[index])
        lines.append(fit(line, total_width, blank))
    lines.extend([blank_line(total_width, blank)] * (total_height - len(lines)))
    return lines[:total_height]


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
