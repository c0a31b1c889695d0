"""Lessons as data (core.teaching.lessons): each task's goal met and not met on crafted snapshots,
the reference solutions played headless, and the progress file (core.teaching.lesson_progress)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from nnplay.core.run.trainer import Evaluation, Snapshot, Trainer
from nnplay.core.teaching.lesson_player import play
from nnplay.core.teaching.lesson_progress import Progress, default_path
from nnplay.core.teaching.lessons import LESSONS, Lesson, Move, lesson_by_number

LESSON = {lesson.key: lesson for lesson in LESSONS}


@cache
def base_snapshot(key: str) -> Snapshot:
    return Trainer(LESSON[key].config()).snapshot()


def crafted(
    key: str,
    changes: dict | None = None,
    *,
    step: int = 0,
    epoch: int = 0,
    acc: float = 0.5,
    train: float = 0.5,
    test: float = 0.5,
    history: list[tuple[float, float, float, float]] | None = None,
    diverged_at: int | None = None,
) -> Snapshot:
    """The lesson's starting snapshot with the given settings and measurements.
    ``history`` rows are (step, epoch, train loss, test loss)."""
    snap = base_snapshot(key)
    rows = np.array([(*row, acc, acc) for row in history or [(step, epoch, train, test)]], dtype=float)
    return replace(
        snap,
        config=snap.config.replace(**(changes or {})),
        step=step,
        epoch=epoch,
        metrics=Evaluation(step, epoch, train, test, acc, acc),
        history=rows,
        diverged_at=diverged_at,
    )


X, Y = ("x", "y")
OVERFIT_HISTORY = [(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2), (3000, 750, 0.1, 0.35)]
CASES = {
    # (lesson, task): ([snapshots that meet the goal], [snapshots that do not])
    ("article-v1", "train"): (
        [dict(acc=0.96)],
        [dict(acc=0.94), dict(changes={"layers": (4,)}, acc=1.0)],
    ),
    ("article-v2", "flawed"): (
        [dict(step=20_000)],
        [dict(step=19_999), dict(changes={"backprop": "correct"}, step=20_000)],
    ),
    ("article-v2", "correct"): (
        [dict(changes={"backprop": "correct"}, acc=0.99)],
        [dict(acc=0.99), dict(changes={"backprop": "correct"}, acc=0.97)],
    ),
    ("linear-limits", "fails"): (
        [dict(step=500, acc=0.6)],
        [dict(step=499, acc=0.6), dict(step=500, acc=0.85), dict(changes={"features": (X, Y, "xy")}, step=500)],
    ),
    ("linear-limits", "feature"): (
        [dict(changes={"features": (X, Y, "xy")}, acc=0.96)],
        [dict(changes={"features": (X, Y, "xy")}, acc=0.9), dict(changes={"features": ("xy",), "layers": (4,)}, acc=1)],
    ),
    ("linear-limits", "hidden"): (
        [dict(changes={"layers": (8,)}, acc=0.96)],
        [dict(changes={"layers": (8,), "features": (X, Y, "xy")}, acc=1.0), dict(changes={"layers": (8,)}, acc=0.9)],
    ),
    ("circle", "fails"): (
        [dict(step=600, acc=0.55)],
        [dict(step=600, acc=0.75), dict(step=600, changes={"features": (X, Y, "x2")}, acc=0.6), dict(step=10)],
    ),
    ("circle", "squares"): (
        [dict(changes={"features": (X, Y, "x2", "y2")}, acc=0.97)],
        [dict(changes={"features": (X, Y, "x2")}, acc=0.97), dict(changes={"features": ("x2", "y2")}, acc=0.9)],
    ),
    ("spiral", "deep"): (
        [dict(changes={"layers": (8, 8, 8)}, acc=0.91)],
        [dict(changes={"layers": (8, 8)}, acc=0.95), dict(changes={"layers": (8, 8, 8)}, acc=0.85)],
    ),
    ("spiral", "sin"): (
        [dict(changes={"features": (X, Y, "sinx", "siny")}, acc=0.96)],
        [dict(changes={"features": (X, Y, "sinx")}, acc=0.99), dict(changes={"features": ("sinx", "siny")}, acc=0.9)],
    ),
    # Lesson 6 is lesson 9's bowl: its bottom is 0.125 too, its start 0.93.
    ("learning-rate", "diverge"): (
        [dict(changes={"lr": 3.0}, step=200, diverged_at=101)],
        [dict(changes={"lr": 2.0}, step=200, train=0.25)],
    ),
    ("learning-rate", "crawl"): (
        [dict(changes={"lr": 0.01}, step=200, train=0.376), dict(changes={"lr": 0.003}, step=400, train=0.5)],
        [
            dict(changes={"lr": 0.01}, step=200, train=0.24),
            dict(changes={"lr": 0.03}, step=200, train=0.4),
            dict(changes={"lr": 0.01}, step=199, train=0.4),
            dict(changes={"lr": 0.01, "optimizer": "momentum"}, step=200, train=0.4),
            dict(changes={"lr": 0.01, "output": "sigmoid"}, step=200, train=0.4),
            dict(changes={"lr": 0.01}, step=200, train=float("nan")),
            dict(changes={"lr": 0.01}, step=200, train=0.4, diverged_at=150),
        ],
    ),
    ("learning-rate", "momentum"): (
        [
            dict(changes={"optimizer": "momentum", "lr": 0.03}, step=114, train=0.125),
            dict(changes={"optimizer": "adam", "lr": 0.01}, step=200, train=0.125),
        ],
        [
            dict(changes={"lr": 0.03}, step=150, train=0.125),
            dict(changes={"optimizer": "momentum", "lr": 0.03}, step=201, train=0.125),
            dict(changes={"optimizer": "adam", "lr": 0.1}, step=150, train=0.125),
            dict(changes={"optimizer": "momentum", "lr": 0.03}, step=150, train=0.1251),
            dict(changes={"optimizer": "momentum", "lr": 0.03, "layers": (4,)}, step=150, train=0.125),
        ],
    ),
    # The bowl's bottom for the four centre points and one-hot targets is 0.125 (least squares).
    ("landscape", "bottom"): (
        [dict(step=200, train=0.125), dict(changes={"lr": 0.5}, step=9000, train=0.1250001)],
        [
            dict(step=200, train=0.13),
            dict(changes={"lr": 0.8}, step=200, train=0.125),
            dict(changes={"optimizer": "momentum"}, step=200, train=0.125),
            dict(changes={"output": "sigmoid"}, step=200, train=0.125),
            dict(changes={"layers": (4,)}, step=200, train=0.125),
            dict(step=200, train=float("nan")),
        ],
    ),
    ("landscape", "zigzag"): (
        [dict(changes={"lr": 1.8}, step=200, train=0.125), dict(changes={"lr": 1.5}, step=200, train=0.125)],
        [
            dict(changes={"lr": 2.0}, step=200, train=0.125),
            dict(changes={"lr": 1.4}, step=200, train=0.125),
            dict(changes={"lr": 1.8}, step=200, train=0.2),
        ],
    ),
    # xor's plateau: chance is ln 2 = 0.693 (two classes, softmax and cross-entropy).
    ("plateau", "plateau"): (
        [dict(step=400, train=0.67), dict(changes={"lr": 0.05}, step=400, train=0.69)],
        [
            dict(step=400, train=0.6),
            dict(step=399, train=0.67),
            dict(changes={"lr": 0.3}, step=400, train=0.67),
            dict(changes={"optimizer": "adam"}, step=400, train=0.67),
            dict(changes={"loss": "mse"}, step=400, train=0.67),
            dict(step=400, train=float("nan")),
        ],
    ),
    ("plateau", "off"): (
        [dict(step=2000, train=0.33), dict(changes={"optimizer": "momentum"}, step=400, train=0.34)],
        [
            dict(step=1000, train=0.44),
            dict(step=400, train=float("nan")),
            dict(step=400, train=0.3, diverged_at=300),
            dict(changes={"output": "sigmoid"}, step=400, train=0.3),
        ],
    ),
    ("overfitting", "overfit"): (
        [dict(step=3000, train=0.1, test=0.35, history=OVERFIT_HISTORY)],
        [
            dict(step=3000, train=0.1, test=0.25, history=[*OVERFIT_HISTORY[:2], (3000, 750, 0.1, 0.25)]),
            dict(changes={"l2": 0.01}, step=3000, train=0.1, test=0.35, history=OVERFIT_HISTORY),
            dict(step=3000, train=0.4, test=0.35, history=[*OVERFIT_HISTORY[:2], (3000, 750, 0.4, 0.35)]),
        ],
    ),
    ("overfitting", "regularise"): (
        [
            dict(changes={"l2": 0.01}, step=3000, test=0.22, history=[(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2)]),
            dict(changes={"epochs": 25}, step=100, epoch=25, test=0.2, history=[(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2)]),
        ],
        [
            dict(changes={"l2": 0.01}, step=3000, test=0.3, history=[(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2)]),
            dict(step=3000, test=0.2, history=[(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2)]),
            dict(changes={"dropout": 0.3}, step=2000, test=0.2, history=[(0, 0, 0.7, 0.7), (100, 25, 0.3, 0.2)]),
        ],
    ),
    ("batch-size", "single"): (
        [dict(epoch=5, step=1250)],
        [dict(epoch=4, step=1000), dict(changes={"batch_size": 2}, epoch=5)],
    ),
    ("batch-size", "large"): (
        [dict(changes={"batch_size": 25}, epoch=5, step=50)],
        [dict(changes={"batch_size": 10}, epoch=5), dict(changes={"batch_size": 50}, epoch=4)],
    ),
}


def test_every_task_has_cases() -> None:
    assert {(lesson.key, task.key) for lesson in LESSONS for task in lesson.tasks} == set(CASES)


@pytest.mark.parametrize(("lesson", "task"), list(CASES))
def test_goal_met_and_not_met(lesson: str, task: str) -> None:
    goal = next(t for t in LESSON[lesson].tasks if t.key == task).goal
    met, not_met = CASES[(lesson, task)]
    for case in met:
        check = goal(crafted(lesson, **case))
        assert check.met, (case, check.detail)
        assert check.detail
    for case in not_met:
        check = goal(crafted(lesson, **case))
        assert not check.met, (case, check.detail)


def test_the_lessons_the_issue_lists() -> None:
    assert len(LESSONS) >= 8
    assert len({lesson.key for lesson in LESSONS}) == len(LESSONS)
    for lesson in LESSONS:
        assert lesson.title and 1 <= len(lesson.text) <= 5 and lesson.tasks and lesson.solution
        assert len({t.key for t in lesson.tasks}) == len(lesson.tasks)
        assert all(t.text and t.hint for t in lesson.tasks)
        lesson.config()  # a valid setup
    assert LESSONS[1].config().backprop == "article-v2"
    assert LESSONS[0].config().layers == ()


# The lesson bar's task line at 80 columns: the pane's two borders and "▸ 1/4 " leave 72 cells.
TASK_TEXT_ROOM = 72


def test_every_task_text_fits_the_lesson_bar_at_80_columns() -> None:
    too_long = [
        (lesson.key, task.text) for lesson in LESSONS for task in lesson.tasks if len(task.text) > TASK_TEXT_ROOM
    ]
    assert too_long == []


def test_lesson_by_number() -> None:
    assert lesson_by_number(1) is LESSONS[0]
    for bad in (0, len(LESSONS) + 1):
        with pytest.raises(ValueError, match=f"allowed: 1..{len(LESSONS)}"):
            lesson_by_number(bad)


@pytest.mark.slow
def test_the_reference_solutions_meet_every_task() -> None:
    for lesson in LESSONS:
        result = play(lesson)
        assert result.passed, (lesson.key, result.last)


def test_a_solution_that_does_not_solve_fails() -> None:
    lesson = LESSON["circle"]
    unsolved = Lesson(**{**lesson.__dict__, "solution": (Move(train=100),)})
    result = play(unsolved)
    assert not result.passed
    assert "squares" not in result.met


def test_a_move_that_needs_a_reset_is_refused_without_one() -> None:
    lesson = LESSON["circle"]
    broken = Lesson(**{**lesson.__dict__, "solution": (Move({"layers": (4,)}, train=10),)})
    with pytest.raises(ValueError, match="need a reset"):
        play(broken)


# -- progress ---------------------------------------------------------------------------------


def test_progress_round_trip(tmp_path) -> None:
    path = tmp_path / "nnplay" / "lessons.json"
    progress = Progress(path)
    assert progress.done("circle") == frozenset()
    assert progress.mark("circle", "squares")
    assert not progress.mark("circle", "squares")
    assert Progress(path).done("circle") == {"squares"}
    assert json.loads(path.read_text())["done"] == {"circle": ["squares"]}
    assert progress.problem is None


def test_default_path_follows_xdg(tmp_path) -> None:
    assert default_path({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "nnplay" / "lessons.json"
    home = default_path({"HOME": "/home/learner"})
    assert home == default_path({"HOME": "/home/learner", "XDG_DATA_HOME": "relative/ignored"})
    assert str(home) == "/home/learner/.local/share/nnplay/lessons.json"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"done": 3}', b"\xff\xfe"])
def test_a_bad_file_is_not_required(tmp_path, content) -> None:
    path = tmp_path / "lessons.json"
    path.write_bytes(content)
    progress = Progress(path)
    assert progress.done("circle") == frozenset()
    assert progress.problem and str(path) in progress.problem
    assert progress.mark("circle", "fails")  # and it still records (and here, rewrites) progress
    assert Progress(path).done("circle") == {"fails"}


def test_an_unwritable_place_keeps_progress_in_memory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    progress = Progress(blocker / "nnplay" / "lessons.json")
    assert progress.mark("circle", "fails")
    assert progress.done("circle") == {"fails"}
    assert "in memory only" in progress.problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_not_required(tmp_path) -> None:
    path = tmp_path / "lessons.json"
    path.write_text('{"done": {"circle": ["fails"]}}')
    path.chmod(0)
    try:
        progress = Progress(path)
        assert progress.done("circle") == frozenset() and progress.problem
    finally:
        path.chmod(0o600)
