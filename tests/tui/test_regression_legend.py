"""A regression plot's legend says what its colours and marks mean there, not a classifier's words."""

from __future__ import annotations

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.view_state import ViewState
from nnplay.tui.render.plot import default_plot_style
from nnplay.tui.widgets.scatter_plot import render_scatter


def legend_text(preset: str, view: ViewState) -> str:
    trainer = Trainer(PRESETS[preset].config())
    trainer.step(5)
    lines, _ = render_scatter(trainer.snapshot(), 70, 40, view, default_plot_style(2, 4, 256))
    return "\n".join(line.text for line in lines)


def test_regression_legend_speaks_of_targets_and_distance() -> None:
    text = legend_text("reg-plane", ViewState())
    assert "true class" not in text and "points: target sign (p)" in text
    assert ": wrong" not in text
    assert "points: output sign (p)" in legend_text("reg-plane", ViewState(by_prediction=True))


def test_classification_legend_is_unchanged() -> None:
    assert "points: true class (p)" in legend_text("quadrants", ViewState())
