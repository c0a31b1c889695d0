"""nnplay lessons, nnplay lessons --check and nnplay lesson N (tui.cli.lessons)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nnplay.core.teaching.lessons import LESSONS, Move
from nnplay.tui.cli import lessons as lessons_cli
from nnplay.tui.cli.entry import main


@pytest.fixture(autouse=True)
def private_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


def test_lessons_lists_every_lesson_and_task(capsys) -> None:
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    for i, lesson in enumerate(LESSONS, 1):
        assert f"{i:>2}. {lesson.title}  (0/{len(lesson.tasks)} done)" in out
        for task in lesson.tasks:
            assert f"· {task.text}" in out
    assert "nnplay lesson N" in out


@pytest.mark.slow  # it trains every lesson's solution
def test_lessons_check_plays_every_reference_solution(capsys) -> None:
    assert main(["lessons", "--check"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok   ") == len(LESSONS) and "FAIL" not in out
    assert f"{len(LESSONS)}/{len(LESSONS)} lessons solved" in out


def test_lessons_check_fails_when_a_solution_does_not_solve(capsys, monkeypatch) -> None:
    broken = replace(LESSONS[3], solution=(Move(train=50),))
    monkeypatch.setattr(lessons_cli, "LESSONS", (LESSONS[0], broken))
    assert main(["lessons", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL 2. {broken.title}" in out
    assert f"not met: {broken.tasks[1].text}" in out
    assert "1/2 lessons solved" in out


@pytest.mark.parametrize("bad", ["0", str(len(LESSONS) + 1), "two", "-1"])
def test_lesson_number_out_of_range_is_one_line(capsys, bad) -> None:
    with pytest.raises(SystemExit) as info:
        main(["lesson", bad])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnplay lesson: error:") and "Traceback" not in err
    if bad != "-1":  # argparse reads -1 as a flag it does not know
        assert f"argument N: {bad!r} is not allowed; allowed: a lesson number in 1..{len(LESSONS)}" in err
