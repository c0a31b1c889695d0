"""The rules the app's actions hand over to, checked without an app: which key works where,
what a training key or a digit refuses, what Classify Points says, how many colours to draw."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.run.classify import Classification
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.keys.key_table import KEYS, TYPING_ACTION, key_works
from nnplay.tui.model.data_edit import point_label
from nnplay.tui.model.status_text import classified_notice
from nnplay.tui.model.view_keys import training_refusal
from nnplay.tui.model.view_state import Refusal, ViewState
from nnplay.tui.render.palette import MONOCHROME, TRUECOLOR, colour_count

CONFIG = TrainConfig(dataset="xor", train_size=40, layers=(3,), batch_size=10)


@pytest.mark.parametrize(
    ("action", "modal", "typing", "editing", "works"),
    [
        ("toggle_run", False, False, False, True),
        ("toggle_run", True, False, False, False),  # a prompt is open: its keys are text
        ("view", False, False, False, True),
        (TYPING_ACTION, False, False, False, False),  # the twins only while a field is typed in
        (TYPING_ACTION, False, True, False, True),
        (TYPING_ACTION, True, True, False, False),
        ("add_point", False, False, False, False),  # digits are the fields' unless editing the data
        ("add_point", False, False, True, True),
        ("cursor", True, False, True, False),
        ("focus_next", True, True, True, True),  # not the table's: Textual's own, untouched
    ],
)
def test_which_key_works_where(action, modal, typing, editing, works):
    assert key_works(action, modal=modal, typing=typing, editing=editing) is works


def test_every_action_of_the_table_is_ruled():
    actions = {a.split("(")[0] for k in KEYS for _, a in k.keys}
    assert all(not key_works(a, modal=True, typing=False, editing=True) for a in actions)


def test_training_keys_are_refused_only_in_the_past():
    trainer = Trainer(CONFIG)
    trainer.step(3)
    view = ViewState().travelled(trainer.snapshot().timeline, -1)
    assert training_refusal(ViewState()) is None
    refusal = training_refusal(view)
    assert isinstance(refusal, Refusal) and "in the past (step" in refusal and "g goes on" in refusal


def test_a_digit_adds_its_class_or_for_regression_says_which_digits_do():
    classes = Trainer(CONFIG).data
    assert point_label(classes, 1) == 0.0 and point_label(classes, 3) == 2.0
    regression = Trainer(CONFIG.replace(dataset="reg-plane")).data
    assert (point_label(regression, 1), point_label(regression, 2)) == (-1.0, 1.0)
    refusal = point_label(regression, 3)
    assert isinstance(refusal, Refusal) and "1 adds a point with target -1" in refusal


def test_classify_points_says_how_many_and_how_many_were_right():
    X, y = np.zeros((300, 2)), np.zeros(300)
    fresh = Classification(X, y, y, 0.956, fresh=True)
    assert classified_notice(fresh, regression=False) == "classified 300 fresh points: 95.6% correct"
    csv = Classification(X[:20], y[:20], y[:20], 1.0, fresh=False)
    assert "test points (a CSV file has no fresh ones)" in classified_notice(csv, regression=False)
    assert classified_notice(fresh, regression=True) == "showing 300 fresh points"
    none = Classification(X[:0], y[:0], y[:0], float("nan"), fresh=False)
    assert classified_notice(none, regression=False).startswith("nothing to classify")


@pytest.mark.parametrize(
    ("system", "no_color", "colours"),
    [
        ("truecolor", False, TRUECOLOR),
        ("256", False, 256),
        ("standard", False, 16),
        ("windows", False, 16),
        ("truecolor", True, MONOCHROME),
        (None, False, 256),
    ],
)
def test_the_colour_count_follows_the_terminal(system, no_color, colours):
    assert colour_count(system, no_color) == colours
