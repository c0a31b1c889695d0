"""``nnplay lessons`` (list them, or ``--check`` every reference solution) and ``nnplay lesson N``."""

from __future__ import annotations

import argparse
import sys

from nnplay.core.io.outside_text import printable
from nnplay.core.teaching.lesson_progress import Progress
from nnplay.core.teaching.lessons import LESSONS, lesson_by_number

EXIT_FAILED = 1


def add_lesson_commands(sub, fps_type) -> None:
    lessons = sub.add_parser(
        "lessons",
        help="list the guided lessons (--check plays every reference solution)",
        description="The guided lessons, with your progress; 'nnplay lesson N' opens the app on one, "
        "L opens them in the app.",
    )
    lessons.add_argument(
        "--check",
        action="store_true",
        help="play every lesson's reference solution headless and check its tasks; exit 1 if one fails",
    )
    lesson = sub.add_parser(
        "lesson",
        help="open the app on lesson N (its setup applied, its tasks checked live)",
        description="Open the app on one guided lesson; 'nnplay lessons' lists them.",
    )
    lesson.add_argument("number", type=_lesson_number, metavar="N", help=f"the lesson, 1..{len(LESSONS)}")
    lesson.add_argument("--fps", type=fps_type, default=None, help="frame-rate cap of the app (1..60)")
    lesson.add_argument(
        "--engine", choices=("auto", "numpy", "numba"), default="auto", help="training step (as for nnplay)"
    )


def _lesson_number(text: str) -> int:
    if not (text.isdecimal() and 1 <= int(text) <= len(LESSONS)):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: a lesson number in 1..{len(LESSONS)}")
    return int(text)


def list_command() -> int:
    progress = Progress()
    if progress.problem:
        print(f"nnplay lessons: warning: {printable(progress.problem)}", file=sys.stderr)
    for i, lesson in enumerate(LESSONS, 1):
        done = progress.done(lesson.key)
        print(f"{i:>2}. {lesson.title}  ({len(done & {t.key for t in lesson.tasks})}/{len(lesson.tasks)} done)")
        for task in lesson.tasks:
            print(f"      {'✓' if task.key in done else '·'} {task.text}")
    print("nnplay lesson N opens the app on lesson N; in the app, L opens this list.")
    return 0


def check_command() -> int:
    from nnplay.core.teaching.lesson_player import play

    failed = 0
    total = 0.0
    for i, lesson in enumerate(LESSONS, 1):
        result = play(lesson)
        total += result.seconds
        mark = "ok  " if result.passed else "FAIL"
        print(f"{mark} {i}. {lesson.title}: {len(result.met)}/{len(lesson.tasks)} tasks ({result.seconds:.2f} s)")
        for task in lesson.tasks:
            if task.key not in result.met:
                print(f"       not met: {task.text} ({result.last[task.key].detail})")
        failed += not result.passed
    print(f"{len(LESSONS) - failed}/{len(LESSONS)} lessons solved by their reference solutions in {total:.1f} s")
    return EXIT_FAILED if failed else 0


def lesson_app_command(args: argparse.Namespace) -> int:
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.app.app import NNPlayApp
    from nnplay.tui.model.lesson_tracker import LessonTracker
    from nnplay.tui.terminal.signals import run_standalone

    lesson = lesson_by_number(args.number)
    app = NNPlayApp(trainer=Trainer(lesson.config()), fps=args.fps, use_kernel=args.engine != "numpy", standalone=True)
    app.lesson_tracker = LessonTracker(lesson, Progress())
    return run_standalone(app, app.channel)
