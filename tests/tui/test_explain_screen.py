"""Explain one step: the numbers it shows are the step the engine takes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.explanation import explanation_markdown, vec
from nnplay.tui.widgets.weight_diagram import Selection


def shown_after(markdown: str) -> str:
    match = re.search(r"→ after `(\[[^`]*\])`", markdown)
    assert match, markdown
    return match.group(1)


@pytest.mark.parametrize(
    "settings",
    [
        {"schedule": "constant"},  # constant rate, no regularisation
        {"schedule": "cosine"},  # the rate in force mid-run is not the rate typed
        {"schedule": "step", "l1": 0.01, "l2": 0.05},  # regularisation is part of the step
    ],
)
@pytest.mark.parametrize("selection", [Selection(1, 2), Selection(2, 1)])
def test_the_explained_update_is_the_engines_next_step(settings, selection):
    config = PRESETS["seed-v2"].config(
        train_size=200, optimizer="sgd", batch_size=1, iterations=1000, lr=0.5, **settings
    )
    trainer = Trainer(config)
    trainer.step(400)  # 40% into the schedule: cosine at 0.65 lr, step at lr/2
    snap = trainer.snapshot()
    index = 17
    markdown = explanation_markdown(snap, index, selection)

    trainer.batches.next_batch = lambda batch_size: (
        np.array([index]),
        False,
    )  # the engine's own step, on the explained sample
    trainer.step(1)
    after = trainer.net.weights[selection.layer - 1][selection.neuron]
    assert shown_after(markdown) == vec(after)
    if settings["schedule"] != "constant":
        assert f"({settings['schedule']} schedule at this step)" in markdown


@pytest.mark.parametrize("steps", [1000, 999])
def test_the_end_of_a_cosine_schedule_says_why_every_change_is_zero(steps):
    """At the end of a cosine schedule every Δ showed ±0.0000 with no word that the rate is 0."""
    config = PRESETS["seed-v2"].config(train_size=200, optimizer="sgd", batch_size=1, iterations=1000, lr=0.5,
                                       schedule="cosine")  # fmt: skip
    trainer = Trainer(config)
    trainer.step(steps)
    snap = trainer.snapshot()
    markdown = explanation_markdown(snap, 3, Selection(1, 0))
    assert re.search(r"Δw = −η ∂/∂w = `\[(?:[+-]0\.0000(?:, )?)+\]`", markdown), markdown
    if snap.learning_rate == 0:
        assert "The rate is 0 at this step** (the cosine schedule has brought it down to 0)" in markdown
    else:
        assert "so small here that every Δ rounds to ±0.0000" in markdown


def test_a_rate_that_moves_the_weights_gets_no_note():
    trainer = Trainer(PRESETS["seed-v2"].config(train_size=200, lr=0.5))
    markdown = explanation_markdown(trainer.snapshot(), 3, Selection(1, 0))
    assert "The rate is 0" not in markdown and "rounds to" not in markdown


async def test_a_click_on_the_text_x_just_replaced_lands_on_nothing(make_app) -> None:
    """x (another sample) mounts the explanation anew; the old text stays in the screen's layout
    until the screen's next refresh. A click the app takes before that refresh (a busy machine)
    pressed a paragraph with no parent, and Textual's text selection ended the app."""
    from textual.widgets import Markdown
    from textual.widgets._markdown import MarkdownParagraph

    from nnplay.tui.screens.explain_screen import ExplainScreen
    from tests.tui.waiting import send_click, wait_until

    app = make_app(PRESETS["seed-v2"].config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")
        await wait_until(lambda: isinstance(app.screen, ExplainScreen), what="the explanation", between=pilot.pause)
        screen = app.screen
        await wait_until(lambda: screen.query(MarkdownParagraph), what="its text", between=pilot.pause)
        old = screen.query(MarkdownParagraph).first()
        x, y = old.region.offset
        shown = screen.query_one(Markdown).source
        with app.batch_update():  # no layout meanwhile: the app takes the click before the screen's refresh
            await pilot.press("x")
            await wait_until(lambda: not old.is_attached, what="the old text to go", between=pilot.pause)
            assert screen.get_widget_at(x, y)[0] is old, "the layout should still hold the old text"
            await send_click(pilot, x, y)
            await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.query_one(Markdown).source != shown, "x showed another sample"
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, ExplainScreen), what="escape to close it",
                         between=pilot.pause)  # fmt: skip
