"""The article's flawed backprop is labelled wherever the app shows it."""

from __future__ import annotations

import numpy as np

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.explanation import explanation_markdown
from nnplay.tui.model.status_text import rate_text, status_text
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


def test_explain_one_step_shows_what_the_flawed_rule_sends_back() -> None:
    from nnplay.core.data.features import feature_matrix
    from nnplay.core.run.trainer import targets_for
    from nnplay.core.teaching.explain import explain_step
    from nnplay.tui.model.explanation import vec
    from nnplay.tui.widgets.weight_diagram import Selection

    snap = Trainer(PRESETS["seed-v2"].config(backprop="article-v2", train_size=20)).snapshot()
    text = explanation_markdown(snap, 0, Selection(1, 0))
    assert "FLAWED rule" in text
    net, data = snap.network, snap.data
    target = targets_for(data.y_train[:1], net.sizes[-1], net.output, False)[0]
    ex = explain_step(net, feature_matrix(data.X_train[:1], snap.config.features)[0], target)
    sent = ex.error @ net.weights[-1]
    assert vec(sent) in text
    assert not np.allclose(sent, ex.deltas[-1] @ net.weights[-1])
    correct = Trainer(PRESETS["seed-v2"].config(train_size=20)).snapshot()
    assert "FLAWED" not in explanation_markdown(correct, 0, Selection(1, 0))
