"""``ViewState``: everything about how the run is looked at, frozen; the app keeps one and replaces it.

A key changes the view by replacing it (``view.but(discretize=True)``); the frame model draws
the newest snapshot as the view says. No pane keeps a copy of any of this.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from nnplay.core.trainer import Moment


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
    thin: bool | None = None  # the diagram's links thinned to the strongest; None: when solid

    def but(self, **changes) -> ViewState:
        """This view with ``changes``."""
        return replace(self, **changes)

    @property
    def editing(self) -> bool:
        return self.cursor is not None

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
