"""The article's flawed backprop is labelled wherever the app shows it."""

from __future__ import annotations

from nnplay.core.presets import PRESETS
from nnplay.core.trainer import Trainer
from nnplay.tui.widgets.metrics import rate_text, status_text
from nnplay.tui.widgets.params_panel import CHOICE_LABELS


def test_status_line_names_the_flawed_rule() -> None:
    flawed = Trainer(PRESETS["seed-v2"].config(backprop="article-v2", train_size=20)).snapshot()
    correct = Trainer(PRESETS["seed-v2"].config(train_size=20)).snapshot()
    assert "FLAWED backprop" in rate_text(flawed)
    assert "FLAWED" in status_text(flawed, False, rate_text(flawed)).splitlines()[2]
    assert "FLAWED" not in rate_text(correct)
    # First after the rate, so a narrow status box (80x24: ~45 columns) still shows it.
    assert rate_text(flawed).index("FLAWED") + len("FLAWED backprop") < 45


def test_panel_choice_says_flawed() -> None:
    assert "FLAWED" in CHOICE_LABELS["backprop"]["article-v2"]
    assert CHOICE_LABELS["backprop"]["correct"] == "correct"
