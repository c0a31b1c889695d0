"""Every word a pane lists to explain its picture is on screen, whole (tests/tui/legend_check.py):
the plot's legend and the weights-over-the-run view's caption, in every screenshot state and the
lesson with the most legend, at 120x40 and 80x24. At 80x24 lesson 2's plot dropped its
"underlined: right" line, and the w view showed "rows: weight value" without "shade: how many".

The screenshot states are checked where they are posed anyway: at each picture's own size by
tests/tui/test_snapshots.py and at 80x24 by tests/tui/test_pictures.py. Here: those whose picture
is not 120x40, at 120x40, and the two states no picture shows, at both sizes."""

from __future__ import annotations

import dataclasses

import pytest

from nnplay.tui.app.main_screen import MainScreen
from nnplay.tui.cli.screenshots import SHOTS, Shot, no_lesson_progress, pose, shot_app
from nnplay.tui.model.plot_geometry import legend_fits, plot_box
from tests.tui.legend_check import assert_legends_whole

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
# Lesson 2: four classes, the flawed rule's status line and the lesson bar at 80x24; and the w view.
UNSHOWN = [
    Shot("lesson-2", "four classes under the lesson bar", "seed-v2", 0, lesson=2),
    Shot("weights-over-the-run", "the w view on the quadrants", "seed-v2", 400, keys=("w",)),
]
CASES = [
    pytest.param(shot, SIZES[size], id=f"{shot.name}-{size}")
    for shot in UNSHOWN
    for size in SIZES
] + [
    pytest.param(shot, SIZES["120x40"], id=f"{shot.name}-120x40")
    for shot in SHOTS
    if shot.compare is None and shot.size != SIZES["120x40"]
]  # fmt: skip


@pytest.mark.parametrize(("shot", "size"), CASES)
async def test_every_legend_entry_and_caption_is_on_screen_whole(shot: Shot, size: tuple[int, int]) -> None:
    shot = dataclasses.replace(shot, size=size)
    with no_lesson_progress():
        app = shot_app(shot)
        async with app.run_test(size=size) as pilot:
            await pose(pilot, shot)
            if not isinstance(app.screen, MainScreen):
                pytest.skip(f"{shot.name} shows {type(app.screen).__name__}, not the plot")
            assert_legends_whole(app)


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
