"""Monochrome (NO_COLOR), 16-colour and tiny terminals: no crash, classes still apart."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.plot_geometry import plot_box
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.render.palette import MONOCHROME
from nnplay.tui.render.plot import CLASS_TEXTURES, TRUECOLOR, default_plot_style
from nnplay.tui.widgets.scatter_plot import render_scatter


def trained(preset: str, steps: int = 1500) -> Trainer:
    t = Trainer(PRESETS[preset].config())
    t.step(steps)
    t.evaluate()
    return t


async def test_no_color_renders_every_pane_while_training(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(trainer_for_xor(), colors=None)
    assert app.no_color and app.color_count == MONOCHROME
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(5):
            app.channel._trainer.step(50)
            app.channel._publish()
            app.draw_frame()
            await pilot.pause()
        for key in ("v", "v", "w", "h", "question_mark", "escape"):
            await pilot.press(key)
        await pilot.pause()
        assert "step 250" in str(app.query_one("#status").render())


def trainer_for_xor() -> Trainer:
    return Trainer(PRESETS["xor"].config())


def test_sixteen_colours_mark_each_region_with_its_own_texture() -> None:
    snap = trained("quadrants").snapshot()
    lines, _ = render_scatter(snap, 60, 30, ViewState(), default_plot_style(4, 4, 16))

    box = plot_box(60, 30)

    def cells(lines) -> str:  # the plane's cells, without the axes and the legend
        rows = lines[box.top : box.top + box.height]
        return "".join(line.text[box.left : box.left + box.width] for line in rows)

    text = cells(lines)
    for cls in range(1, 4):
        assert CLASS_TEXTURES[cls] in text, cls
    # ...and 256 colours leave the empty cells empty.
    lines, _ = render_scatter(snap, 60, 30, ViewState(), default_plot_style(4, 4, 256))
    assert not set(CLASS_TEXTURES[1:]) & set(cells(lines))


@pytest.mark.parametrize("size", [(40, 12), (59, 15)])
async def test_below_the_minimum_size_says_so(make_app, size: tuple[int, int]) -> None:
    app = make_app(trainer_for_xor())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        assert app.query_one("#too-small").display
        assert "too small" in str(app.query_one("#too-small").render())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")
        assert np.isfinite(app.channel.latest.metrics.train_loss)


@pytest.mark.parametrize("n_classes", [2, 3, 4, 7])
def test_256_colours_keep_every_class_apart_at_every_confident_level(n_classes: int) -> None:
    """Downsampled to the xterm palette, the truecolor tints of orange, light green and yellow
    all became colour 58: the quadrants' classes 1 and 3 shared one background over SSH."""
    from rich.color import ColorSystem

    style = default_plot_style(n_classes, 4, 256)
    for level in range(1, 4):
        shown = [levels[level].bgcolor.downgrade(ColorSystem.EIGHT_BIT).number for levels in style.region_bg]
        assert len(set(shown)) == n_classes, (level, shown)
        assert style.empty.bgcolor.downgrade(ColorSystem.EIGHT_BIT).number not in shown
    assert style.textures is None  # the colours suffice


def test_256_colours_with_more_classes_than_hues_add_the_textures() -> None:
    assert default_plot_style(8, 4, 256).textures == CLASS_TEXTURES
    assert default_plot_style(8, 4, TRUECOLOR).textures is None


@pytest.mark.parametrize(("system", "expected"), [("truecolor", TRUECOLOR), ("256", 256), ("standard", 16)])
def test_the_app_picks_the_palette_for_the_terminals_colours(make_app, monkeypatch, system: str, expected: int) -> None:
    from rich.console import Console

    monkeypatch.setattr(Console, "color_system", property(lambda self: system))
    app = make_app(trainer_for_xor(), colors=None)
    assert app.color_count == expected
