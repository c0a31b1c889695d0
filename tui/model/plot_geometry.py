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


def cursor_cell(cursor: tuple[float, float], extent: float, width: int, height: int) -> tuple[int, int]:
    """(row, col) of the cell under the edit cursor, clamped into the plane."""
    cx, cy = cursor
    col = int((cx + extent) / (2 * extent) * width)
    row = int((extent - cy) / (2 * extent) * height)
    return min(max(row, 0), height - 1), min(max(col, 0), width - 1)
