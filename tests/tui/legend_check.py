"""Every word a pane lists to explain its picture is on screen, whole: the plot's legend (each
entry its frame lists) and the weights-over-the-run view's caption. Checked on the states the
screenshot and picture tests pose anyway (tests/tui/test_snapshots.py at each picture's size,
tests/tui/test_pictures.py at 80x24), and by tests/tui/test_whole_legends.py for the rest."""

from __future__ import annotations

from textual.strip import Strip

from nnplay.tui.app.main_screen import MainScreen
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_evolution import CAPTION, WeightEvolution


def pane_lines(app, widget) -> list[str]:
    """The text the screen shows inside ``widget``'s content region, one string a row."""
    region = widget.content_region
    strips = app.screen._compositor.render_strips()
    return [Strip(strips[y]).crop(region.x, region.right).text for y in range(region.y, region.bottom)]


def assert_legends_whole(app) -> None:
    """On the main screen: the plot's every legend entry, and the w view's caption, whole on screen."""
    assert isinstance(app.screen, MainScreen), f"{type(app.screen).__name__} is shown, not the plot"
    plot = app.screen.query_one(ScatterPlot)
    frame = plot.frame
    assert frame is not None and frame.box is not None, "the plot draws a plane"
    assert len(frame.legend) >= 3, [e.text for e in frame.legend]  # classes, what points say, ...
    shown = pane_lines(app, plot)
    missing = [e.text for e in frame.legend if not any(e.text in line for line in shown)]
    assert not missing, "\n".join([f"not on screen: {missing}", *shown])
    if frame.view.evolution and frame.view.diagram:
        box = app.screen.query_one(WeightEvolution).parent
        assert box is not None
        # The caption, in the box or on its lower border, whole: its words in order.
        border = Strip(app.screen._compositor.render_strips()[box.region.bottom - 1]).text
        words = " ".join(" ".join([*pane_lines(app, box), border]).split())
        assert CAPTION in words, words
