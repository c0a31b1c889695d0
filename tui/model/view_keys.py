"""What each view key does: a pure function of the view and the newest snapshot.

The key table names them (``view('discretize')``). Each gives the new view, or a ``Refusal``
saying why the key does nothing now; the app draws the one or says the other. No Textual:
every key's rule can be checked without an app.
"""

from __future__ import annotations

from collections.abc import Callable

from nnplay.core.run.trainer import Snapshot
from nnplay.tui.model.view_state import Refusal, ViewState


def training_refusal(view: ViewState) -> Refusal | None:
    """Why a training key (space, n, e, t) does nothing now: while time-travelling it would
    train the live run out of sight."""
    if view.travel is None:
        return None
    return Refusal(f"in the past (step {view.moments[view.travel].step:,}): g goes on from here, l back to live")


def toggle_diagram(view: ViewState, snap: Snapshot) -> ViewState:
    return view.but(diagram=not view.diagram)


def discretize(view: ViewState, snap: Snapshot) -> ViewState:
    return view.but(discretize=not view.discretize)


def colour_by_prediction(view: ViewState, snap: Snapshot) -> ViewState:
    """Points in the predicted class's colour (the old look) or in their true class's (the default)."""
    return view.but(by_prediction=not view.by_prediction)


def thin_links(view: ViewState, snap: Snapshot) -> ViewState:
    """Only each neuron's strongest incoming links in the diagram, or every link."""
    return view.but(thin=not view.links_thinned(snap.network.sizes))


def show_test(view: ViewState, snap: Snapshot) -> ViewState:
    """The test points on or off; after Classify Points, back to the data with them (classified
    points stand in for the data, so asking for the test points means the data)."""
    return view.but(classified=None, show_test=view.classified is not None or not view.show_test)


def hidden_space(view: ViewState, snap: Snapshot) -> ViewState | Refusal:
    """The data in the space of two hidden neurons (ConvNetJS's view), or back to the plane."""
    if not view.hidden and len(snap.network.sizes) < 3:
        return Refusal("no hidden layer: add one in the panel (+layer) and press r")
    return view.but(hidden=not view.hidden)


def hidden_partner(view: ViewState, snap: Snapshot) -> ViewState:
    return view.but(partner=view.partner + 1) if view.hidden else view


def weight_evolution(view: ViewState, snap: Snapshot) -> ViewState:
    """Each layer's weights over the run in the diagram's box, or the diagram again."""
    return view.but(evolution=not view.evolution, landscape=False)


def loss_landscape(view: ViewState, snap: Snapshot) -> ViewState:
    """The loss over a plane through the weights, with the run's path, in the diagram's box; or the diagram again."""
    return view.but(landscape=not view.landscape, evolution=False, diagram=True)


def landscape_plane(view: ViewState, snap: Snapshot) -> ViewState:
    """The landscape's other plane: the selected weight and its neuron's bias, or the path's own plane.
    Shows the landscape if it was not shown."""
    other = "path" if view.landscape_plane == "weights" else "weights"
    return view.but(landscape=True, evolution=False, diagram=True, landscape_plane=other)


def select_neuron(view: ViewState, snap: Snapshot, d_layer: int, d_neuron: int) -> ViewState:
    return view.but(selection=view.selection.moved(snap.network.sizes, d_layer, d_neuron))


def select_link(view: ViewState, snap: Snapshot, direction: int) -> ViewState:
    """The next (1) or previous (-1) weight into the selected neuron; 0: the neuron alone."""
    sel = view.selection
    return view.but(selection=sel.next_link(snap.network.sizes, direction) if direction else sel.neuron_only())


def travel(view: ViewState, snap: Snapshot, direction: int) -> ViewState:
    """Back (-1) or on (1) through the run's recorded moments."""
    return view.travelled(snap.timeline, direction)


def live(view: ViewState, snap: Snapshot) -> ViewState:
    return view.live()


VIEW_KEYS: dict[str, Callable[..., ViewState | Refusal]] = {
    key.__name__: key
    for key in (
        toggle_diagram,
        discretize,
        colour_by_prediction,
        thin_links,
        show_test,
        hidden_space,
        hidden_partner,
        weight_evolution,
        loss_landscape,
        landscape_plane,
        select_neuron,
        select_link,
        travel,
        live,
    )
}
