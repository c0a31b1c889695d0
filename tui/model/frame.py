"""``build_frame(snapshot, view, sizes) -> Frame``: everything the panes draw, computed once.

The network goes over the plot's cell grid once per frame (``GridPass``); the plot's regions
and the diagram's neuron thumbnails both read that one pass, in every view. numpy only: a
frame can be built and checked without an app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from nnplay.core.engine.row_reductions import row_max_argmax
from nnplay.core.run.trainer import Moment, Snapshot
from nnplay.core.settings.memory_budget import EVAL_CHUNK
from nnplay.tui.model.diagram_data import DiagramData, diagram_data
from nnplay.tui.model.grid_pass import GridPass, display_inputs, display_layers, display_outputs, grid_inputs
from nnplay.tui.model.landscape_view import LandscapeCache, LandscapePicture, Measuring
from nnplay.tui.model.plot_geometry import CELL_ASPECT, PlotBox, plot_box
from nnplay.tui.model.plot_legend import LegendEntry, hidden_legend, hidden_legend_room, plot_legend, plot_legend_room
from nnplay.tui.model.time_travel import past_snapshot
from nnplay.tui.model.view_state import Refusal, ViewState

# Cells of the grid pass when the plot has no room for a plane but the diagram has for thumbnails.
THUMBNAIL_GRID = (16, 16)
# Multiply-adds one grid pass may take (~10-20 ms on one core): a wide network's regions are
# evaluated at one point per cell instead of two, then per block of cells, so a frame stays
# cheap whatever the layers (8 layers of 256 cost 460,000 per point).
GRID_MACS = 1.5e8
GRID_LINES = 11  # lines of the input plane's grid warped into the hidden space
GRID_SAMPLES = 160


@dataclass(frozen=True)
class FrameSizes:
    """The panes' sizes in cells, and how the plot's palette fills a cell."""

    plot: tuple[int, int]  # (width, height)
    half_rows: bool = True  # regions at two rows per cell ("▀" in two colours)
    cell_aspect: float = CELL_ASPECT
    landscape: tuple[int, int] = (0, 0)  # the landscape pane (width, height); (0, 0): not laid out


@dataclass(frozen=True, eq=False)
class PlotPoints:
    """The points drawn, their labels, which are test points (None: none drawn) and the network's
    outputs for them (None in the hidden view, which places them instead); with outputs, each
    point's predicted class (regression: the output's sign) and whether it carries the mark."""

    X: np.ndarray
    y: np.ndarray
    is_test: np.ndarray | None
    outputs: np.ndarray | None
    predicted: np.ndarray | None = None
    marked: np.ndarray | None = None
    mark: str | None = None  # what the mark says: "wrong", "right", or None when no point is wrong


# Past this share of wrong points the right ones are marked instead, so the marks stay the fewer
# (an untrained network gets most points wrong, and marking them all striped the whole plane); a
# run near chance (half wrong) keeps one meaning of the mark instead of flipping it every frame.
MARK_RIGHT_ABOVE = 2 / 3


def marked_points(y: np.ndarray, outputs: np.ndarray, regression: bool) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Each point's predicted class, whether it is marked, and what the mark says: the wrong
    points (regression: off by more than 0.5), or the right ones where most are wrong."""
    if regression:
        predicted = (outputs[:, 0] > 0).astype(np.int16)
        wrong = np.abs(outputs[:, 0] - y) > 0.5
    else:
        _, predicted = row_max_argmax(outputs)
        predicted = predicted.astype(np.int16)
        wrong = predicted != y
    if not wrong.any():
        return predicted, wrong, None
    if float(wrong.mean()) > MARK_RIGHT_ABOVE:
        return predicted, ~wrong, "right"
    return predicted, wrong, "wrong"


@dataclass(frozen=True, eq=False)
class HiddenSpace:
    """The points, then the input plane's grid lines, as two hidden neurons see them: scaled into
    [-1, 1] on both axes from [lo, hi]."""

    layer: int
    a: int
    b: int
    scaled: np.ndarray  # (n points + n grid samples, 2)
    n_points: int
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True, eq=False)
class Frame:
    """One frame: the snapshot shown (a past one while time-travelling) and what each pane needs."""

    snapshot: Snapshot
    view: ViewState
    sizes: FrameSizes
    running: bool
    box: PlotBox | None
    grid: GridPass | None
    points: PlotPoints
    hidden: HiddenSpace | None
    diagram: DiagramData | None
    # None: not shown, or its pane not laid out yet; Measuring: its surface is being measured
    landscape: LandscapePicture | Refusal | Measuring | None = None
    legend: tuple[LegendEntry, ...] = ()  # the plot's legend, every entry of it on screen


def shown_snapshot(latest: Snapshot, view: ViewState) -> Snapshot | None:
    """The snapshot the view shows: ``latest``, or the past moment travelled to (None: that
    moment no longer fits the network, which was rebuilt)."""
    if view.travel is None:
        return latest
    return past_snapshot(latest, view.moments, view.travel)


def build_frame(
    snapshot: Snapshot,
    view: ViewState,
    sizes: FrameSizes,
    running: bool = False,
    landscapes: LandscapeCache | None = None,
    timeline: tuple[Moment, ...] = (),
) -> Frame:
    """The frame of ``snapshot`` (already the one shown) as ``view`` says, for panes of ``sizes``.
    ``landscapes`` keeps the loss surface between frames; ``timeline`` is the live run's path."""
    hidden = view.hidden_choice(list(snapshot.network.sizes))
    X, y, is_test = plot_points(snapshot, view)
    shows_test = is_test is not None
    if hidden is None:
        room = plot_legend_room(snapshot.data, view, shows_test=shows_test)
    else:
        room = hidden_legend_room(snapshot.data, hidden, shows_test)
    box = plot_box(*sizes.plot, sizes.cell_aspect, room)
    grid = None
    if box is not None and (hidden is None or view.diagram):
        halves = 2 if sizes.half_rows and hidden is None else 1
        grid = grid_pass(snapshot, *grid_shape(box.height, box.width, halves, snapshot.network.sizes))
    elif view.diagram:
        grid = grid_pass(snapshot, *THUMBNAIL_GRID)
    points = PlotPoints(X, y, is_test, None)
    space = None
    if hidden is not None:
        space = hidden_space(snapshot, X, hidden) if box is not None else None
        legend = (
            () if space is None else hidden_legend(snapshot.data, hidden, tuple(space.lo), tuple(space.hi), shows_test)
        )
    else:
        if len(X):
            outputs = point_outputs(snapshot, view, X)
            points = PlotPoints(X, y, is_test, outputs, *marked_points(y, outputs, snapshot.data.is_regression))
        legend = plot_legend(snapshot.data, view, shows_test=shows_test, flag=points.mark)
    return Frame(
        snapshot=snapshot,
        view=view,
        sizes=sizes,
        running=running,
        box=box,
        grid=grid,
        points=points,
        hidden=space,
        diagram=diagram_data(snapshot, grid) if view.diagram and not view.evolution else None,
        landscape=landscape_picture(snapshot, view, sizes, landscapes, timeline),
        legend=legend,
    )


def landscape_picture(
    snap: Snapshot, view: ViewState, sizes: FrameSizes, cache: LandscapeCache | None, timeline: tuple[Moment, ...]
) -> LandscapePicture | Refusal | Measuring | None:
    if not (view.diagram and view.landscape) or cache is None or min(sizes.landscape) <= 0:
        return None
    return cache.picture(snap, view, sizes.landscape, timeline or snap.timeline)


def grid_shape(height: int, width: int, halves: int, sizes: list[int]) -> tuple[int, int]:
    """(rows, cols) of the grid pass over a plane of ``height`` x ``width`` cells: ``halves``
    rows a cell where the network is cheap enough (``GRID_MACS``), else one point per block of
    cells, the blocks as small as the budget allows."""
    per_point = sum(a * b for a, b in pairwise(sizes))
    if height * halves * width * per_point <= GRID_MACS:
        return height * halves, width
    block = max(1, math.ceil(math.sqrt(height * width * per_point / GRID_MACS)))
    return math.ceil(height / block), math.ceil(width / block)


def grid_pass(snapshot: Snapshot, rows: int, cols: int) -> GridPass:
    """Every layer on a ``rows`` x ``cols`` grid over the plane; the last one made is kept, so a
    key that changes only the view draws without passing the network over the grid again."""
    global _last_grid
    key = (id(snapshot), snapshot.version, rows, cols)
    if _last_grid is not None and _last_grid[0] == key and _last_grid[1] is snapshot:
        return _last_grid[2]
    extent = snapshot.data.extent
    layers = display_layers(snapshot, grid_inputs(extent, cols, rows, tuple(snapshot.config.features)))
    grid = GridPass(layers, (rows, cols))
    _last_grid = (key, snapshot, grid)
    return grid


_last_grid: tuple[tuple[int, int, int, int], Snapshot, GridPass] | None = None


def shows_test_points(snap: Snapshot, view: ViewState) -> bool:
    """Does the view draw held-out test points (apart from the training points)?"""
    return view.show_test and view.classified is None and len(snap.data.X_test) > 0


def plot_points(snap: Snapshot, view: ViewState) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The points to draw, their labels, and which are test points (None: no test points drawn)."""
    if view.classified is not None:
        return view.classified.X, view.classified.y, None
    data = snap.data
    if shows_test_points(snap, view):
        is_test = np.zeros(len(data.X_train) + len(data.X_test), dtype=bool)
        is_test[len(data.X_train) :] = True
        return np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test]), is_test
    return data.X_train, data.y_train, None


def point_outputs(snap: Snapshot, view: ViewState, X: np.ndarray) -> np.ndarray:
    """The network's outputs for the points drawn: the training points' from the snapshot's own
    evaluation where it has them (50,000 points through 8 layers of 256 are ~0.7 s of work)."""
    known = snap.train_outputs
    if view.classified is not None or known is None or len(known) != len(snap.data.X_train):
        return display_outputs(snap, display_inputs(snap, X))
    if len(X) == len(known):
        return known
    rest = X[len(known) :]  # the test points drawn after the training points
    return np.concatenate([known, display_outputs(snap, display_inputs(snap, rest))])


def hidden_space(snap: Snapshot, X: np.ndarray, hidden: tuple[int, int, int]) -> HiddenSpace:
    """The data as two hidden neurons see it, with the input plane's grid warped through the network.

    ConvNetJS's idea: where the points of different classes come apart in some hidden
    layer, the layers after it only have to draw a simple boundary there.
    """
    layer, a, b = hidden
    extent = snap.data.extent
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
    return HiddenSpace(layer, a, b, (points - centre) / half, len(X), lo, hi)
