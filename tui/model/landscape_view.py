"""What the landscape view shows: the loss surface of a plane through the weights, the path, the point.

The surface costs a stacked forward pass of every grid point's network (tens of milliseconds), so
it is kept (``LandscapeCache``) and measured again only when the run has moved away from it: the
weights shown leave the middle half of the grid, or move off the plane by a quarter of its
smaller half-width (a weights plane holds every other weight where it was), or the path has
doubled since a path plane was fitted to it. Between those, and while travelling in time, each
frame only projects the path and the weights shown onto the plane it has. Drawing uses float32
(``nnplay landscape`` gives the exact float64 losses).

In the app a surface is measured on a thread of its own (``LandscapeCache(in_background=True)``):
the UI thread never waits for one. Until the first surface of a plane arrives the frame says so
(``Measuring``); a surface of the same plane that the run moved away from stays drawn meanwhile.
Only the newest request is measured: one asked for while another is measured waits for it and
replaces any that was waiting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core.engine.network import Network
from nnplay.core.run import landscape as core
from nnplay.core.run.trainer import Moment, Snapshot
from nnplay.tui.model.view_state import Refusal, Selection, ViewState

WEIGHTS, PATH = "weights", "path"
PLANES = (WEIGHTS, PATH)
MAX_GRID = core.GRID_SIZE  # columns x rows measured at most, whatever the pane's size
LEAVE_MIDDLE = 0.5  # the shown weights may move this share of the half-width from the centre
LEAVE_PLANE = 0.25  # ... and this share of the smaller half-width off the plane


@dataclass(frozen=True, eq=False)
class LandscapePicture:
    """A frame's landscape: the surface (measured at some earlier frame), and the path and the
    weights shown, projected on its plane now."""

    landscape: core.Landscape
    path: np.ndarray  # (m, 2)
    here: np.ndarray  # (2,)
    note: str  # the plane and what the loss was measured on, in words
    short_note: str = ""  # the same in a few words, for a narrow pane


class Measuring(str):
    """The frame's landscape while its surface is measured off the UI thread: what the pane says."""


MEASURING = Measuring("measuring the landscape…")


def plane_parameters(net: Network, selection: Selection) -> tuple[int, int] | Refusal:
    """The two parameters of the weights plane: the selected weight (the first into the selected
    neuron when only the neuron is selected) and that neuron's bias: w and b of the neuron's w·x + b."""
    if selection.layer == 0:
        return Refusal("select a neuron after the inputs (arrows): its weight and bias span the plane")
    layer, neuron = selection.layer, selection.neuron
    source = selection.source if selection.source is not None else 0
    return net.param_index(layer, neuron, source), net.param_index(layer, neuron)


def grid_size(width: int, height: int) -> tuple[int, int]:
    """Grid columns x rows for a pane of ``width`` x ``height`` cells (two grid rows a cell), odd
    so that the centre is a grid point, and at most ``MAX_GRID``."""

    def odd(n: int, most: int) -> int:
        n = max(3, min(n, most))
        return n if n % 2 else n - 1

    return odd(width, MAX_GRID[0]), odd(2 * height, MAX_GRID[1])


def short_note(landscape: core.Landscape) -> str:
    """The plane and a subsample in a few words: "others fixed", "path PCA; 145/5,000 points"."""
    words = {"weights": "others fixed", "pca": "path PCA", "random": "random plane"}[landscape.plane.kind]
    if landscape.subsampled:
        words += f"; {landscape.n_points:,}/{landscape.n_train:,} points"
    return words


def _measured_on(landscape: core.Landscape) -> str:
    if landscape.subsampled:
        return f"loss on {landscape.n_points:,} of {landscape.n_train:,} training points (a fixed subsample)"
    return f"loss on the {landscape.n_train:,} training points"


# What a measured surface depends on: its plane (kind, and the two parameters of a weights plane),
# the network's sizes, the data, the features and the grid.
PlaneKey = tuple[Any, ...]


Kept = tuple[PlaneKey, core.Landscape, int, str]  # (key, surface, path length it was fitted on, note)
Request = tuple[Snapshot, PlaneKey, np.ndarray, tuple[int, int]]  # (snapshot, key, path, grid size)


class LandscapeCache:
    """The surface last measured, and the rule for measuring it again."""

    def __init__(self, in_background: bool = False) -> None:
        self._kept: Kept | None = None
        self.in_background = in_background
        self._lock = threading.Lock()
        self._waiting: Request | None = None  # the newest request not yet taken by the measuring thread
        self._measuring: PlaneKey | None = None  # the key the measuring thread works on (None: no thread)
        self._arrived: tuple[PlaneKey, Kept | Refusal] | None = None  # its result, not yet taken by a frame
        self._refused: tuple[PlaneKey, Refusal] | None = None  # a plane that could not be measured, and why
        self.arrivals = 0  # surfaces (or refusals) that came from the thread: a new one is a new frame

    @property
    def busy(self) -> bool:
        """Is a surface being measured, or measured and not yet drawn?"""
        with self._lock:
            return self._measuring is not None or self._waiting is not None or self._arrived is not None

    def picture(
        self, snap: Snapshot, view: ViewState, pane: tuple[int, int], latest_timeline: tuple[Moment, ...]
    ) -> LandscapePicture | Refusal | Measuring:
        """The landscape of ``snap`` (the one shown) as ``view`` asks, for a pane of ``pane`` cells.
        The path is the run's every step (``Snapshot.path``, the whole run's while time-travelling),
        or for a network too big to record each step ``latest_timeline``'s moments. In the background,
        ``MEASURING`` until a surface of the plane has arrived."""
        net = snap.network
        moments = view.moments if view.travel is not None else latest_timeline
        _, path = core.run_path(snap, moments)
        size = grid_size(*pane)
        if view.landscape_plane == WEIGHTS:
            chosen = plane_parameters(net, view.selection)
            if isinstance(chosen, Refusal):
                return chosen
            key: PlaneKey = (WEIGHTS, chosen)
        else:
            key = (PATH,)
        key += (tuple(net.sizes), id(snap.data), snap.config.features, size)
        self._take_arrived()
        if self._refused is not None and self._refused[0] == key:
            return self._refused[1]
        kept = self._kept
        # Travelling in time keeps the surface and moves the point along the path on it.
        live = view.travel is None
        if kept is None or kept[0] != key or (live and self._moved_away(kept[1], net.params, len(path), kept[2])):
            if self.in_background:
                self._ask(snap, key, path, size)
                if kept is None or kept[0][:-1] != key[:-1]:  # another plane: nothing of it to show yet
                    return MEASURING
            else:
                kept = self._kept = measure_surface(snap, key, path, size)
        _, landscape, _, note = kept
        plane = landscape.plane
        here = plane.project(net.params)[0]
        path_coords = plane.project(path) if len(path) else np.zeros((0, 2))
        return LandscapePicture(landscape, path_coords, here, note, short_note(landscape))

    @staticmethod
    def _moved_away(landscape: core.Landscape, params: np.ndarray, path_length: int, fitted_on: int) -> bool:
        plane = landscape.plane
        here = plane.project(params)[0]
        half = np.array([landscape.alphas[-1], landscape.betas[-1]])
        off_plane = float(np.linalg.norm(params - plane.point(*here)))
        return bool(
            np.any(np.abs(here) > LEAVE_MIDDLE * half)
            or off_plane > LEAVE_PLANE * float(half.min())
            or (plane.kind == "pca" and path_length >= 2 * fitted_on)
        )

    def _take_arrived(self) -> None:
        """Keep the thread's newest result: a surface, or why its plane has none."""
        with self._lock:
            arrived, self._arrived = self._arrived, None
        if arrived is None:
            return
        key, result = arrived
        if isinstance(result, Refusal):
            self._refused = key, result
        else:
            self._kept, self._refused = result, None

    def _ask(self, snap: Snapshot, key: PlaneKey, path: np.ndarray, size: tuple[int, int]) -> None:
        """Have ``key``'s surface measured on the thread, unless it is being measured already."""
        with self._lock:
            if self._measuring == key:
                self._waiting = None  # the surface wanted is the one being measured
                return
            self._waiting = (snap, key, path, size)
            if self._measuring is not None:
                return  # the thread takes it when it is done with the one it measures
            self._measuring = key
        threading.Thread(target=self._measure_waiting, name="landscape", daemon=True).start()

    def _measure_waiting(self) -> None:
        while True:
            with self._lock:
                request, self._waiting = self._waiting, None
                if request is None:
                    self._measuring = None
                    return
                self._measuring = request[1]
            try:
                result: Kept | Refusal = measure_surface(*request)
            except Exception as exc:  # said in the pane in one line; the thread and the app go on
                result = Refusal(f"the landscape could not be measured: {exc or type(exc).__name__}")
            with self._lock:
                self._arrived = request[1], result
                self.arrivals += 1


def measure_surface(snap: Snapshot, key: PlaneKey, path: np.ndarray, size: tuple[int, int]) -> Kept:
    """The surface ``key`` names, measured at ``snap``'s weights with ``path`` drawn in it."""
    net = snap.network
    if key[0] == WEIGHTS:
        plane = core.weight_plane(net, *key[1])
        note = "every other weight fixed"
    else:
        try:
            plane = core.pca_plane(net.params, path)
            note = "the plane the run moved in most (PCA of its path)"
        except ValueError:  # too short a path, or one that moves in one direction only
            plane = core.random_plane(net)
            reason = "no path yet" if len(path) < 3 else "the path moves in one direction only"
            note = f"two random directions, filter-normalised: {reason}"
    X, Y = core.training_set(snap)
    landscape = core.measure(net, X, Y, plane, path, size, dtype=np.float32)
    if not np.isfinite(landscape.losses).all():
        # Past float32's range (a run jumping out of the bowl reaches losses of 1e40 and more), the
        # map would be one flat colour: float64 keeps the bowl's rings as long as the run's own loss is finite.
        landscape = core.measure(net, X, Y, plane, path, size, dtype=np.float64)
    return key, landscape, len(path), f"{note}; {_measured_on(landscape)}"
