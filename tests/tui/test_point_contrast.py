"""Every point differs from the region under it, and classes differ from each other, at every
colour depth, as the terminal shows it: through Textual's own filters (its theme's RGB for the
ANSI names, and NO_COLOR's monochrome), over the pane's background."""

from __future__ import annotations

from itertools import combinations

import pytest
from rich.segment import Segment
from textual._ansi_theme import MONOKAI
from textual.color import Color
from textual.filter import ANSIToTruecolor, Monochrome

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.render.palette import MONOCHROME, TRUECOLOR
from nnplay.tui.render.plot import default_plot_style

PANE = (18, 18, 18)  # the pane's background (textual-dark's), under cells the palette leaves blank
DEPTHS = [TRUECOLOR, 256, 16, MONOCHROME]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    lo, hi = sorted((_luminance(a), _luminance(b)))
    return (hi + 0.05) / (lo + 0.05)


def shown(style, colors: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(foreground, background) RGB of a cell in ``style`` as Textual writes it at ``colors``."""
    background = Color(*PANE)
    segments = [Segment("x", style)]
    segments = ANSIToTruecolor(MONOKAI).apply(segments, background)
    if colors == MONOCHROME:
        segments = Monochrome().apply(segments, background)
    st = segments[0].style
    rgb = lambda c, default: default if c is None else Color.from_rich_color(c).rgb  # noqa: E731
    return rgb(st.color, (217, 217, 217)), rgb(st.bgcolor, PANE)


@pytest.mark.parametrize("colors", DEPTHS)
@pytest.mark.parametrize("n_classes", [2, 4, 7])
def test_every_point_differs_from_every_region_under_it(colors: int, n_classes: int) -> None:
    """Brightness alone keeps a point apart from its own class's region and from no region
    (>= 3:1); over another class's region the hue differs too where there is colour (>= 2:1),
    and where there is none (16 colours' theme, NO_COLOR) brightness has to do it all (>= 3:1)."""
    style = default_plot_style(n_classes, 4, colors)
    for point in range(n_classes):
        for region in (-1, *range(n_classes)):
            same_hue = region in (-1, point) or colors <= 16
            for level in range(4):
                for flagged in (False, True):
                    ratio = contrast(*shown(style.cell_style(region, level, point, flagged, True), colors))
                    assert ratio >= (3.0 if same_hue else 2.0), (point, region, level, flagged, round(ratio, 2))


@pytest.mark.parametrize("colors", [16, MONOCHROME])
def test_the_quadrants_four_classes_differ_by_more_than_a_shade(colors: int) -> None:
    """Colour-free classes are brightness steps apart (>= 1.5:1 from each other); 16 colours keep
    four distinct hues however Textual's theme paints them."""
    style = default_plot_style(4, 4, colors)
    dots = [shown(style.point_fg[c], colors)[0] for c in range(4)]
    for (i, a), (j, b) in combinations(enumerate(dots), 2):
        if colors == MONOCHROME:
            assert contrast(a, b) >= 1.5, (i, j, a, b)
        else:
            assert sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5 > 60, (i, j, a, b)


@pytest.mark.parametrize("no_color", [True, False])
async def test_after_training_no_point_vanishes_on_screen(make_app, monkeypatch, no_color: bool) -> None:
    """The trained quadrants as the screen composes them: each braille cell's colours, filters and
    all (the issue: grey dots on the identical grey under NO_COLOR)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    trainer = Trainer(PRESETS["quadrants"].config())
    trainer.step(1500)
    app = make_app(trainer, colors=None if no_color else 16)
    async with app.run_test(size=(120, 40)) as pilot:
        app.draw_frame()
        await pilot.pause()
        pane = app.query_one("#plot").content_region
        rows = app.screen._compositor.render_strips()
        measured = []
        for y in range(pane.y, pane.bottom):
            x = 0
            for seg in rows[y]:
                for ch in seg.text:
                    if pane.x <= x < pane.right and 0x2800 < ord(ch) <= 0x28FF:
                        fg, bg = (Color.from_rich_color(c).rgb for c in (seg.style.color, seg.style.bgcolor))
                        measured.append(contrast(fg, bg))
                    x += 1
    assert len(measured) > 200, "the plot shows its points"
    assert min(measured) >= 3.0, f"the faintest point: {min(measured):.2f}:1 against its cell"


def test_two_colour_free_classes_are_two_brightness_steps_apart() -> None:
    """Most data sets have two classes: under NO_COLOR their points were white and a light grey
    (1.7:1, one class hard to tell from the other at a glance); two steps apart they are >= 2.5:1."""
    style = default_plot_style(2, 4, MONOCHROME)
    first, second = (shown(style.point_fg[c], MONOCHROME)[0] for c in range(2))
    assert contrast(first, second) >= 2.5, (first, second)
