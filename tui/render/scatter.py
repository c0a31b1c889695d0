"""The plot pane drawn from a ``Frame``: regions, points, axes and legend as Rich segment lines."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from rich.segment import Segment
from rich.style import Style

from nnplay.core.engine.row_reductions import row_max_argmax
from nnplay.core.io.outside_text import printable
from nnplay.tui.model.frame import Frame, HiddenSpace
from nnplay.tui.model.grid_pass import class_confidence
from nnplay.tui.model.number_text import short_number
from nnplay.tui.model.plot_geometry import SIDE_LEGEND, Y_GUTTER, PlotBox, cursor_cell
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.raster.braille import majority_cells, quantise_confidence, rasterise_points
from nnplay.tui.render.plot import BIG_POINT, BIG_TEST_POINT, TEST_GLYPH, PlotFrame, PlotStyle, render_plot_lines

LEVELS = 4  # confidence levels of a region's shade
Line = list[Segment]


def scatter_lines(frame: Frame, style: PlotStyle) -> list[Line]:
    """The plot pane's lines, each exactly the pane's width (axes and legend included)."""
    box = frame.box
    total_width, total_height = frame.sizes.plot
    if box is None:
        return []
    if frame.hidden is not None:
        rows, legend = hidden_space_rows(frame.hidden, frame, style)
        return frame_lines(rows, 1.0, box, total_width, total_height, legend)
    snap, view = frame.snapshot, frame.view
    width, height = box.width, box.height
    data, config = snap.data, snap.config
    extent = data.extent
    grid_h, grid_w = frame.grid.shape
    out = frame.grid.layers[-1]
    regression = data.is_regression
    if regression:
        region_cls = (out[:, 0] > 0).astype(np.int16)
        conf = np.clip(np.abs(np.nan_to_num(out[:, 0])), 0, 1)
    else:
        region_cls, conf = class_confidence(out, config.output)
        region_cls = region_cls.astype(np.int16)
    level = np.full(conf.shape, LEVELS - 1, np.int8) if view.discretize else quantise_confidence(conf, LEVELS)

    points = frame.points
    X, y, is_test = points.X, points.y, points.is_test
    if len(X):
        pred = points.outputs
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
    region_cls = cells_of(region_cls.reshape(grid_h, grid_w), height, width)
    level = cells_of(level.reshape(grid_h, grid_w), height, width)
    grid_h = len(region_cls)
    lower_cls = lower_level = None
    if grid_h == 2 * height:
        region_cls, lower_cls = region_cls[0::2], region_cls[1::2]
        level, lower_level = level[0::2], level[1::2]
    plot_frame = PlotFrame(region_cls, level, bits, point_cls, point_flag, point_test, glyphs, lower_cls, lower_level)
    rows = render_plot_lines(plot_frame, style)
    legend = legend_items(frame, view, style, shows_test=is_test is not None, any_wrong=bool(flagged.any()))
    return frame_lines(rows, extent, box, total_width, total_height, legend)


def cells_of(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """A grid pass's values per cell (or half cell): a coarser grid's block repeated over its cells."""
    if grid.shape == (2 * height, width) or grid.shape == (height, width):
        return grid
    rows = np.minimum(np.arange(height) * grid.shape[0] // height, grid.shape[0] - 1)
    cols = np.minimum(np.arange(width) * grid.shape[1] // width, grid.shape[1] - 1)
    return grid[np.ix_(rows, cols)]


def hidden_space_rows(space: HiddenSpace, frame: Frame, style: PlotStyle) -> tuple[list[Line], list[Line]]:
    """The hidden view's plane rows (the warped input grid dim behind the points) and its legend."""
    box = frame.box
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
    rows = render_plot_lines(plot_frame, style)
    dim = Style(dim=True)
    lo, hi = space.lo, space.hi
    legend = [
        [Segment(f"x: n{space.a + 1}, y: n{space.b + 1} of layer {space.layer}", dim)],
        [Segment(f"x {short_number(lo[0], 2)}..{short_number(hi[0], 2)}", dim)],
        [Segment(f"y {short_number(lo[1], 2)}..{short_number(hi[1], 2)}", dim)],
        [Segment("grey: the input grid, warped", dim)],
    ]
    if point_test is not None:
        legend.append([Segment(TEST_GLYPH, Style()), Segment(" test point", dim)])
    return rows, legend


def blank_line(width: int, style: Style) -> Line:
    return [Segment(" " * width, style)] if width > 0 else []


def fit(line: Line, width: int, style: Style) -> Line:
    """``line`` cut or padded to exactly ``width`` cells."""
    return Segment.adjust_line_length(line, width, style)


def crop(line: Line, width: int) -> Line:
    """``line`` cut to at most ``width`` cells."""
    return Segment.adjust_line_length(line, width, pad=False)


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
    frame: Frame, view: ViewState, style: PlotStyle, *, shows_test: bool, any_wrong: bool
) -> list[list[Segment]]:
    """Short legend entries, each a few segments: the class colours (or the value scale), the marks."""
    dim = Style(dim=True)
    data = frame.snapshot.data
    items: list[list[Segment]] = []
    if data.is_regression:
        neg, pos = style.point_fg[0], style.point_fg[min(1, len(style.point_fg) - 1)]
        items.append([Segment("●", neg), Segment(" -1 target +1 ", dim), Segment("●", pos)])
    else:
        names = data.class_names or tuple(str(c + 1) for c in range(data.n_classes))
        for c, name in enumerate(names[: len(style.point_fg)]):
            shown = f" {c + 1} {printable(name)}"[: LEGEND_NAME + 3]  # a name from a file is shown, not obeyed
            items.append([Segment("●", style.point_fg[c]), Segment(shown, dim)])
    items.append([Segment(POINTS_SAY[data.is_regression, view.by_prediction], dim)])
    if any_wrong:
        items.append([Segment("underlined", style.flag_style), Segment(WRONG_SAYS[data.is_regression], dim)])
    if shows_test:
        items.append([Segment(TEST_GLYPH, Style()), Segment(" test point", dim)])
    if view.cursor is not None:
        items.append([Segment("┼", Style(bold=True)), Segment(" cursor", dim)])
    return items


LEGEND_NAME = 9  # characters of a class name in the legend
# What the points' colours say, by (regression, coloured by prediction); and what a mark says.
POINTS_SAY = {
    (False, False): "points: true class (p)",
    (False, True): "points: predicted (p)",
    (True, False): "points: sign of target (p)",
    (True, True): "points: sign of output (p)",
}
WRONG_SAYS = {False: ": wrong", True: ": off by > 0.5"}  # the flag of scatter_lines


def frame_lines(
    rows: list[list[Segment]],
    extent: float,
    box: PlotBox,
    total_width: int,
    total_height: int,
    legend: list[list[Segment]],
) -> list[Line]:
    """The plane's rows placed in the widget: axes around them, the legend in the room left over."""
    blank = Style()
    labels, bottom = _axes(extent, box.width, box.height)
    pad = [Segment(" " * (box.left - Y_GUTTER), blank)] if box.left > Y_GUTTER else []
    right_w = total_width - box.left - box.width
    side = right_w >= SIDE_LEGEND  # a column of legend entries beside the plane, else rows below it
    lines = [blank_line(total_width, blank)] * box.top
    for r, (label, row) in enumerate(zip(labels, rows, strict=True)):
        extra = [Segment(" ", blank), *legend[r]] if side and r < len(legend) else []
        lines.append(fit([*pad, *label, *row, *extra], total_width, blank))
    lines.append(fit([*pad, *bottom], total_width, blank))
    below = [] if side else flow(legend, total_width - box.left + Y_GUTTER)
    if side and len(legend) > box.height:
        below = flow(legend[box.height :], total_width - box.left + Y_GUTTER)
    room = total_height - len(lines)
    for line in below[:room]:
        lines.append(fit([*pad, *line], total_width, blank))
    lines.extend([blank_line(total_width, blank)] * (total_height - len(lines)))
    return lines[:total_height]


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
    return [crop(line, width) for line in lines]


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
