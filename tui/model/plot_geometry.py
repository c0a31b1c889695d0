"""Where the square data plane sits in the plot pane, in cells (no drawing)."""

from __future__ import annotations

from dataclasses import dataclass

Y_GUTTER = 5  # cells left of the plot for the y-axis labels
# A terminal cell is about twice as tall as wide: a plane of 2h x h cells looks square.
CELL_ASPECT = 2.0
LEGEND_MIN_ROWS = 1
SIDE_LEGEND = 16  # cells a legend column beside the plane needs


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

    def point_at(self, x: int, y: int, extent: float) -> tuple[float, float] | None:
        """The data coordinates of the centre of the cell at widget position (x, y), or None."""
        cell = self.cell_of(x, y)
        if cell is None:
            return None
        row, col = cell
        return -extent + (col + 0.5) * 2 * extent / self.width, extent - (row + 0.5) * 2 * extent / self.height


def plot_box(
    total_width: int, total_height: int, cell_aspect: float = CELL_ASPECT, legend: tuple[int, ...] = ()
) -> PlotBox | None:
    """The largest plane that is square on screen (a cell is ``cell_aspect`` times taller than
    wide), leaving a row for the x axis and room for every entry of ``legend`` (their widths),
    beside the plane or below it; the plane and its legend centred together."""
    # One cell kept free right of the plane: many fonts draw braille wider than a cell, and a dot
    # in the last column crossed the pane's border (seen in a browser and in the saved SVGs).
    room_w, room_h = total_width - Y_GUTTER - 1, total_height - 1 - LEGEND_MIN_ROWS
    if room_w < 4 or room_h < 2:
        return None
    tallest = max(2, min(room_h, int(room_w / cell_aspect)))
    for height in range(tallest, 1, -1):
        box = _box_of_height(height, room_w, total_width, total_height, cell_aspect, legend)
        if legend_fits(box, total_width, total_height, legend):
            return box
    return _box_of_height(tallest, room_w, total_width, total_height, cell_aspect, legend)


def _box_of_height(
    height: int, room_w: int, total_width: int, total_height: int, cell_aspect: float, legend: tuple[int, ...]
) -> PlotBox:
    width = max(4, min(room_w, round(height * cell_aspect)))
    spare_w = room_w - width
    column = side_column(legend[:height])
    if spare_w >= column:  # room beside the plane: centre the plane and its legend column together
        return PlotBox(Y_GUTTER + (spare_w - column) // 2, (total_height - 1 - height) // 2, width, height)
    left = Y_GUTTER + spare_w // 2
    below = legend_place(PlotBox(left, 0, width, height), total_width, legend).below
    top = max(0, (total_height - height - 1 - LEGEND_MIN_ROWS) // 2 - 1)
    top = max(0, min(top, total_height - height - 1 - len(below)))  # the lines below stay in the pane
    return PlotBox(left, top, width, height)


def side_column(widths: tuple[int, ...]) -> int:
    """Cells a column of legend entries beside the plane takes: a space, then the widest entry."""
    return max(SIDE_LEGEND, 1 + max(widths, default=0))


@dataclass(frozen=True)
class LegendPlace:
    """Where the legend's entries go: the first ``beside`` one a row right of the plane, the rest
    in lines under the x axis (each line the indexes of its entries), from ``indent`` cells."""

    beside: int
    below: tuple[tuple[int, ...], ...]
    indent: int


def legend_place(box: PlotBox, total_width: int, legend: tuple[int, ...]) -> LegendPlace:
    """The entries of widths ``legend`` placed around ``box``: beside it where a column fits,
    else (and those past its rows) in lines below, two spaces apart, as many to a line as fit."""
    right_w = total_width - box.left - box.width
    beside = min(len(legend), box.height) if right_w >= side_column(legend[: box.height]) else 0
    lines: list[tuple[int, ...]] = []
    line: list[int] = []
    used = 0
    for index in range(beside, len(legend)):
        if line and used + 2 + legend[index] > total_width:
            lines.append(tuple(line))
            line, used = [], 0
        used += (2 if line else 0) + legend[index]
        line.append(index)
    if line:
        lines.append(tuple(line))
    widest = max((sum(legend[i] for i in ln) + 2 * (len(ln) - 1) for ln in lines), default=0)
    # Aligned with the y axis's labels, moved left only as far as the widest line needs.
    indent = max(0, min(box.left - Y_GUTTER, total_width - widest))
    return LegendPlace(beside, tuple(lines), indent)


def legend_fits(box: PlotBox, total_width: int, total_height: int, legend: tuple[int, ...]) -> bool:
    """Is every entry of ``legend`` whole in the pane around ``box``?"""
    place = legend_place(box, total_width, legend)
    rows_below = total_height - box.top - box.height - 1
    return len(place.below) <= rows_below and all(width <= total_width for width in legend)


def plane_aspect(box: PlotBox, cell_aspect: float = CELL_ASPECT) -> float:
    """The plane's width over its height on screen (1 = square)."""
    return box.width / (box.height * cell_aspect)


def cursor_cell(cursor: tuple[float, float], extent: float, width: int, height: int) -> tuple[int, int]:
    """(row, col) of the cell under the edit cursor, clamped into the plane."""
    cx, cy = cursor
    col = int((cx + extent) / (2 * extent) * width)
    row = int((extent - cy) / (2 * extent) * height)
    return min(max(row, 0), height - 1), min(max(col, 0), width - 1)
