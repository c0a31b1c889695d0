"""``ViewState``: everything about how the run is looked at, frozen; the app keeps one and replaces it.

A key changes the view by replacing it (``view.but(discretize=True)``); the frame model draws
the newest snapshot as the view says. No pane keeps a copy of any of this.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nnplay.core.run.trainer import Moment
from nnplay.tui.raster.diagram_geometry import would_be_solid


class Refusal(str):
    """Why a key changed nothing, in words for the notice line."""


@dataclass(frozen=True, eq=False)
class ClassifiedPoints:
    """Points drawn instead of the training set: the article's Classify Points."""

    X: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Selection:
    """A neuron (``source`` None) or the connection ``source -> neuron`` into ``layer``."""

    layer: int  # 0 = inputs, len(sizes)-1 = outputs
    neuron: int
    source: int | None = None

    def moved(self, sizes: list[int], d_layer: int, d_neuron: int) -> Selection:
        """The neuron ``d_layer`` layers right and ``d_neuron`` down, kept inside the network."""
        layer = min(max(self.layer + d_layer, 0), len(sizes) - 1)
        return Selection(layer, min(max(self.neuron + d_neuron, 0), sizes[layer] - 1))

    def next_link(self, sizes: list[int], direction: int) -> Selection:
        """The next (``direction`` 1) or previous (-1) connection into this neuron, round the inputs."""
        if self.layer == 0:
            return self
        n_in = sizes[self.layer - 1]
        source = (0 if direction > 0 else n_in - 1) if self.source is None else (self.source + direction) % n_in
        return Selection(self.layer, self.neuron, source)

    def neuron_only(self) -> Selection:
        return Selection(self.layer, self.neuron)


@dataclass(frozen=True)
class ViewState:
    """The plot's toggles, the edit cursor, the other views, time travel, the panes shown."""

    discretize: bool = False
    show_test: bool = False
    by_prediction: bool = False  # points in the predicted class's colour instead of their true one
    classified: ClassifiedPoints | None = None  # fresh points drawn instead of the data
    cursor: tuple[float, float] | None = None  # the data-editing cursor; None: not editing
    hidden: bool = False  # the plot shows the data in the space of two hidden neurons
    partner: int = 0  # which neuron the hidden view pairs with the selected one (H counts up)
    selection: Selection = Selection(1, 0)
    travel: int | None = None  # index into ``moments`` while replaying the past
    # Compared by the travel index alone (a Moment holds arrays): a new set of moments comes
    # only with travel starting, from None.
    moments: tuple[Moment, ...] = field(default=(), compare=False)
    diagram: bool = True  # the diagram box is shown
    evolution: bool = False  # the box shows the weights over the run instead of the diagram
    landscape: bool = False  # the box shows the loss landscape instead of the diagram
    landscape_plane: str = "weights"  # its plane: "weights" (the selected w and b) or "path"
    thin: bool | None = None  # the diagram's links thinned to the strongest; None: when solid

    def but(self, **changes: Any) -> ViewState:
        """This view with ``changes``."""
        return replace(self, **changes)

    @property
    def editing(self) -> bool:
        return self.cursor is not None

    @property
    def points_by_prediction(self) -> bool:
        """Are the points drawn in the class the network gives them? The data starts in its true
        classes, Classify Points in the predicted ones (the article's button); p swaps either."""
        return self.by_prediction != (self.classified is not None)

    def travelled(self, timeline: tuple[Moment, ...], direction: int) -> ViewState:
        """``direction`` recorded moments back (-1) or on (1); from the live run, the newest
        moment is where the steps start."""
        view, at = self, self.travel
        if at is None:
            if not timeline:
                return self
            view, at = view.but(moments=timeline), len(timeline) - 1
        return view.but(travel=min(max(at + direction, 0), len(view.moments) - 1))

    def at_step(self, timeline: tuple[Moment, ...], step: float) -> ViewState:
        """The recorded moment nearest ``step`` (a click on the loss curve)."""
        moments = self.moments if self.travel is not None else timeline
        if not moments:
            return self
        return self.but(moments=moments, travel=int(np.argmin([abs(m.step - step) for m in moments])))

    def live(self) -> ViewState:
        return self.but(travel=None, moments=())

    def cursor_moved(self, dx: int, dy: int, extent: float, cells: tuple[int, int]) -> ViewState:
        """The data-edit cursor moved by one of the plane's ``cells`` (width, height) per step,
        kept on the plane of half-width ``extent``."""
        width, height = cells
        x, y = self.cursor or (0.0, 0.0)
        x = min(max(x + dx * 2 * extent / max(width, 1), -extent), extent)
        y = min(max(y + dy * 2 * extent / max(height, 1), -extent), extent)
        return self.but(cursor=(x, y))

    def links_thinned(self, sizes: list[int]) -> bool:
        """Does the diagram draw only each neuron's strongest links? As ``thin`` says, else
        where the mesh would read as a solid block."""
        return self.thin if self.thin is not None else would_be_solid(sizes)

    def for_network(self, old_sizes: list[int] | None, sizes: list[int]) -> ViewState:
        """This view for a network of ``sizes`` after one of ``old_sizes``: a new shape starts
        the selection again at the first hidden (or output) neuron."""
        if old_sizes is None or list(old_sizes) == list(sizes):
            return self
        return self.but(selection=Selection(min(1, len(sizes) - 1), 0))

    def hidden_choice(self, sizes: list[int]) -> tuple[int, int, int] | None:
        """(layer, neuron a, neuron b) the hidden view shows: the selected neuron's hidden layer
        (else the first), that neuron and a partner; None without the view or a hidden layer."""
        if not self.hidden or len(sizes) < 3:
            return None
        sel = self.selection
        layer = sel.layer if 1 <= sel.layer <= len(sizes) - 2 else 1
        n = sizes[layer]
        a = sel.neuron if sel.layer == layer and sel.neuron < n else 0
        b = (a + 1 + self.partner % max(n - 1, 1)) % n if n > 1 else a
        return layer, a, b
