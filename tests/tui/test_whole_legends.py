"""Every word a pane lists to explain its picture is on screen, whole: the plot's legend (each
entry its frame lists) and the weights-over-the-run view's caption, in every screenshot state and
the lesson with the most legend, at 120x40 and 80x24. At 80x24 lesson 2's plot dropped its
"underlined: right" line, and the w view showed "rows: weight value" without "shade: how many"."""

from __future__ import annotations

import dataclasses

import pytest
from textual.strip import Strip

from nnplay.tui.app.main_screen import MainScreen
from nnplay.tui.cli.screenshots import SHOTS, Shot, no_lesson_progress, pose, shot_app
from nnplay.tui.model.plot_geometry import legend_fits, plot_box
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_evolution import CAPTION, WeightEvolution

# The states the screenshots show on the main screen (the compare screen has panes of its own),
# and lesson 2: four classes, the flawed rule's status line and the lesson bar at 80x24.
STATES = [shot for shot in SHOTS if shot.compare is None] + [
    Shot("lesson-2", "four classes under the lesson bar", "seed-v2", 0, lesson=2),
    Shot("weights-over-the-run", "the w view on the quadrants", "seed-v2", 400, keys=("w",)),
]
SIZES = [(120, 40), (80, 24)]


def pane_lines(app, widget) -> list[str]:
    """The text the screen shows inside ``widget``'s content region, one string a row."""
    region = widget.content_region
    strips = app.screen._compositor.render_strips()
    return [Strip(strips[y]).crop(region.x, region.right).text for y in range(region.y, region.bottom)]


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
@pytest.mark.parametrize("shot", STATES, ids=[s.name for s in STATES])
async def test_every_legend_entry_and_caption_is_on_screen_whole(shot: Shot, size: tuple[int, int]) -> None:
    shot = dataclasses.replace(shot, size=size)
    with no_lesson_progress():
        app = shot_app(shot)
        async with app.run_test(size=size) as pilot:
            await pose(pilot, shot)
            if not isinstance(app.screen, MainScreen):
                pytest.skip(f"{shot.name} shows {type(app.screen).__name__}, not the plot")
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


@pytest.mark.parametrize("size", [(24, 14), (24, 16), (37, 26), (55, 30), (90, 30)])
@pytest.mark.parametrize(
    "legend",
    [(), (13, 13, 13, 13, 22, 17), (16, 22, 24), (19, 18, 18, 23, 12), (24, 24, 24, 24, 24, 24)],
)
def test_the_plane_leaves_room_for_every_legend_entry(size: tuple[int, int], legend: tuple[int, ...]) -> None:
    """The plane is the largest square that leaves the legend whole, beside it or below it."""
    box = plot_box(*size, legend=legend)
    assert box is not None
    assert legend_fits(box, *size, legend), (box, legend)
    taller = plot_box(*size)  # with no legend at all the plane is at least as large
    assert taller is not None and taller.height >= box.height
