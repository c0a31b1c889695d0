"""Words for what the pictures show: the diagram's thumbnails, the rows of the weights over the
run (`w`), and the loss curves' scale. Each had none."""

from __future__ import annotations

import re

import pytest
from textual.strip import Strip
from textual.widgets import Label

from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.widgets.metrics import curve_scale
from nnplay.tui.widgets.weight_evolution import CAPTION, WeightEvolution
from tests.tui.waiting import wait_until

CONFIG = PRESETS["seed-v2"].config(train_size=200)


def trained(steps: int = 300) -> Trainer:
    trainer = Trainer(CONFIG)
    train_until(trainer, steps, chunk=steps // 10)  # moments recorded on the way, for the w view
    return trainer


def caption(app) -> str:
    return str(app.query_one("#diagram-box").border_subtitle)


def evolution_words(app) -> str:
    """The words the screen shows in the w view's pane, its lines joined."""
    region = app.query_one(WeightEvolution).content_region
    strips = app.screen._compositor.render_strips()
    lines = [Strip(strips[y]).crop(region.x, region.right).text for y in range(region.y, region.bottom)]
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_diagram_and_the_weights_over_the_run_say_what_they_show(make_app, size) -> None:
    app = make_app(trained())
    async with app.run_test(size=size) as pilot:
        await wait_until(lambda: caption(app) != "", what="the diagram's caption", between=pilot.pause)
        assert "neuron output" in caption(app), caption(app)
        await pilot.press("w")
        await wait_until(lambda: CAPTION in evolution_words(app), what="the w view's caption", between=pilot.pause)
        await pilot.press("w")
        await wait_until(
            lambda: "neuron output" in caption(app), what="the diagram's caption back", between=pilot.pause
        )


async def test_the_loss_curves_show_their_scale(make_app) -> None:
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")  # the article's Train: a run with a recorded loss
        scale = app.query_one("#train-scale", Label)
        await wait_until(lambda: str(scale.content) != "", what="the train curve's scale", between=pilot.pause)
        match = re.fullmatch(r"(\S+)–(\S+) log", str(scale.content))
        assert match and float(match.group(1)) <= float(match.group(2)), scale.content
        assert str(app.query_one("#test-scale", Label).content).endswith(" log")


def test_a_curve_s_scale_is_its_lowest_and_highest_column() -> None:
    """The columns are log10 of the losses: the scale shows the losses themselves."""
    assert curve_scale([-2.0, 0.5, 0.0]) == "0.01–3.16 log"
    assert curve_scale([]) == ""
