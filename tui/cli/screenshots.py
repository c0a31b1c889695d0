"""``nnplay screenshots``: the app photographs itself in known states.

Each state is built by training synchronously with a fixed seed before the app starts, so the
pictures are reproducible and show real training, not mock-ups. They are the only pictures in
the README and the documentation; ``tests/tui/test_snapshots.py`` fails when a
committed one differs from what this module makes now.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nnplay.core.io.output_file import atomic_write, shown_path, write_problem
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.render.palette import TRUECOLOR


@dataclass(frozen=True)
class Shot:
    name: str
    description: str
    preset: str
    steps: int
    size: tuple[int, int] = (120, 40)
    keys: tuple[str, ...] = ()
    lesson: int | None = None  # follow this lesson (1-based), on its own setup instead of the preset
    compare: str | None = None  # the compare screen on the preset, e.g. "lr=0.03,lr=3"
    settings: tuple[tuple[str, object], ...] = ()  # changed from the lesson's setup, e.g. (("lr", 1.8),)
    done: tuple[str, ...] = ()  # the lesson's tasks the learner has done before (their keys)


SHOTS = (
    Shot("untrained", "the article's quadrant problem, version-2 network, before training", "seed-v2", 0),
    Shot("mid-training", "the same run after 400 per-sample updates", "seed-v2", 400),
    Shot("spiral-trained", "spiral solved with sin features and three hidden layers, diagram shown", "spiral", 15_000),
    Shot("help", "the help screen", "seed-v2", 0, keys=("question_mark",)),
    Shot("small-terminal", "the whole app at 80x24", "circle", 3000, size=(80, 24)),
    Shot("classify", "the article's Classify Points: fresh points coloured by prediction", "xor", 3000, keys=("c",)),
    Shot(
        "hidden-space",
        "the circle as two hidden neurons see it, and the weights over the run",
        "circle",
        3000,
        keys=("h", "w"),
    ),
    Shot("explain-step", "one training step explained, number by number", "seed-v2", 3000, keys=("x",)),
    Shot("test-data", "test points shown (◦, paler), hard regions", "gauss", 2000, keys=("T", "d")),
    Shot("selected-weight", "one weight selected: the one bright line", "seed-v2", 400, keys=("right_square_bracket",)),
    Shot(
        "edit-data",
        "editing the data: the crosshair cursor",
        "circle",
        3000,
        size=(80, 24),
        keys=("a", "left", "left", "up"),
    ),
    Shot("time-travel", "back in time: the spiral run a few moments ago", "spiral", 15_000, keys=("comma",) * 8),
    Shot("lessons-80x24", "the lessons pane at 80x24, no lesson done yet", "seed-v2", 0, size=(80, 24), keys=("L",)),
    Shot("lesson-bar-80x24", "lesson 4 (the circle) just started: the lesson bar", "seed-v2", 0, (80, 24), lesson=4),
    Shot(
        "lesson-rate-out",
        "lesson 6 (the learning rate), task 1 at lr 2.5, four steps: the path zig-zags out of the bowl",
        "seed-v1",
        4,
        keys=("m",),
        lesson=6,
        settings=(("lr", 2.5),),
    ),
    Shot(
        "lesson-rate-momentum",
        "lesson 6, task 3 under way with momentum at lr 0.03: the path swings past the bottom and curves in",
        "seed-v1",
        100,
        keys=("m",),
        lesson=6,
        settings=(("lr", 0.03), ("optimizer", "momentum")),
        done=("diverge", "crawl"),
    ),
    Shot(
        "landscape",
        "lesson 9 (the bowl), task 1 under way: the loss landscape, the path sliding down to the bottom",
        "seed-v1",
        60,
        keys=("m",),
        lesson=9,
    ),
    Shot(
        "landscape-zigzag",
        "lesson 9, task 2 under way at lr 1.8, the plane the run moved in: the path zig-zags across the valley",
        "seed-v1",
        20,
        keys=("m", "M"),
        lesson=9,
        settings=(("lr", 1.8),),
        done=("bottom",),
    ),
    Shot(
        "compare-backprop",
        "the article's flawed backprop beside the correct rule, 3,000 steps each",
        "seed-v2",
        3000,
        compare="backprop=correct,backprop=article-v2",
    ),
)

# A text element that starts with a space: SVG renderers (librsvg, many viewers) drop the leading
# space and draw the text one cell to the left, against the text before it ("enteror").
_LEADING_SPACES = re.compile(
    r'(<text [^>]*?x=")([\d.]+)("[^>]*?textLength=")([\d.]+)("[^>]*>)((?:&#160;)+)(?=[^<&]|&(?!#160;))'
)


def spaces_kept(svg: str) -> str:
    """``svg`` with every text element's leading spaces turned into its position: each element
    starts at its first visible character, which is where any renderer then draws it."""

    def shift(match: re.Match[str]) -> str:
        head, x, mid, length, tail, spaces = match.groups()
        # The element's text length over its character count is one cell's width.
        text_end = match.string.index("</text>", match.end())
        chars = len(spaces) // 6 + len(re.sub(r"&[^;]+;", "_", match.string[match.end() : text_end]))
        cell = float(length) / chars
        n = len(spaces) // 6
        return f"{head}{float(x) + n * cell:g}{mid}{float(length) - n * cell:g}{tail}"

    return _LEADING_SPACES.sub(shift, svg)


def shot_app(shot: Shot):
    """The app in ``shot``'s state before its keys: trained synchronously, no worker, truecolor."""
    if shot.compare is not None:
        return _compare_app(shot)
    from nnplay.tui.app.app import NNPlayApp

    if shot.lesson is not None:
        from nnplay.core.teaching.lesson_progress import Progress
        from nnplay.core.teaching.lessons import LESSONS
        from nnplay.tui.model.lesson_tracker import LessonTracker

        lesson = LESSONS[shot.lesson - 1]
        # As in the app: the lesson opens on its own setup (the tracker sees its first step), the
        # learner has done ``shot.done``, then changes ``shot.settings``, resets and trains.
        tracker = LessonTracker(lesson, Progress())
        tracker.observe(Trainer(lesson.config()).snapshot())
        for task in shot.done:
            tracker.progress.mark(lesson.key, task)
        trainer = Trainer(lesson.config().replace(**dict(shot.settings)))
        train_until(trainer, shot.steps, chunk=max(1, shot.steps // 20))
        app = NNPlayApp(trainer=trainer, environ={}, start_worker=False, colors=TRUECOLOR, use_kernel=False)
        app.lesson_tracker = tracker
    else:
        trainer = Trainer(PRESETS[shot.preset].config())
        # Twenty chunks with an evaluation after each, as the app does, so the loss curve and the
        # time-travel timeline have something to show.
        train_until(trainer, shot.steps, chunk=max(1, shot.steps // 20))
        app = NNPlayApp(trainer=trainer, environ={}, start_worker=False, colors=TRUECOLOR, use_kernel=False)
    app.notices_expire = False  # a notice the shot shows stays however long the pose takes
    return app


def _compare_app(shot: Shot):
    from nnplay.core.run.compare import Comparison, parse_comparison
    from nnplay.tui.run.channel import ComparisonChannel
    from nnplay.tui.screens.compare_screen import CompareApp, CompareScreen

    comparison = Comparison(PRESETS[shot.preset].config(), parse_comparison(shot.compare or ""))
    # Three chunks, each measured, as the compare screen's worker publishes them. The article's
    # flawed rule is chaotic: past a few thousand steps a change in the last bit (another BLAS,
    # another CPU) changes its picture, so the picture is taken before that.
    for _ in range(3):
        comparison.step(shot.steps // 3)
        comparison.evaluate()

    class StillCompare(CompareApp):
        def show_runs(self) -> None:
            self.push_screen(CompareScreen(ComparisonChannel(self.comparison), colors=TRUECOLOR))

    return StillCompare(comparison)


async def pose(pilot, shot: Shot) -> None:
    """Draw the first frame, press ``shot``'s keys and draw what they show."""
    app = pilot.app
    await pilot.pause()
    draw = getattr(app, "draw_frame", None)  # the compare screen draws its own
    if draw:
        draw()
    for key in shot.keys:
        await pilot.press(key)
    await pilot.pause(0.2)
    if draw:
        draw()
        await pilot.pause()
        # The loss landscape is measured off the UI thread: the picture waits for its surface.
        while app.frames.landscapes.busy:
            await asyncio.sleep(0.01)
            draw()
    await pilot.pause()
    if shot.lesson is not None or shot.compare is not None:
        app.clear_notifications()  # the lesson's opening words would cover the bar
        await pilot.pause()


@contextmanager
def no_lesson_progress() -> Iterator[None]:
    """A data folder of its own, so the pictures show no one's lesson progress."""
    saved = os.environ.get("XDG_DATA_HOME")
    with tempfile.TemporaryDirectory(prefix="nnplay-shots-") as folder:
        os.environ["XDG_DATA_HOME"] = folder
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = saved


class ScreenshotsError(Exception):
    """The screenshots' folder cannot take them: one line, found before any is taken."""


async def take(shot: Shot, path: Path) -> Path:
    """Save ``shot`` at ``path`` (an SVG), with the checked writer."""
    with no_lesson_progress():
        app = shot_app(shot)
        async with app.run_test(size=shot.size) as pilot:
            await pose(pilot, shot)
            svg = spaces_kept(app.export_screenshot())
    atomic_write(path, svg.encode("utf-8"))
    return path


def screenshot_paths(out_dir: str | Path) -> list[Path]:
    """Where each shot is saved, with the folder made; ScreenshotsError when a file cannot be written."""
    raw = os.fspath(out_dir)
    if not raw:
        raise ScreenshotsError("no folder name given")
    out = Path(raw)
    if os.path.lexists(out) and not out.is_dir():
        raise ScreenshotsError(f"{shown_path(out)}: is not a folder; give a folder for the SVG files")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScreenshotsError(f"{shown_path(out)}: cannot make the folder ({exc.strerror or exc})") from None
    paths = [out / f"{shot.name}.svg" for shot in SHOTS]
    for path in paths:
        problem = write_problem(path)
        if problem:
            raise ScreenshotsError(f"{shown_path(path)}: {problem}")
    return paths


def save_screenshots(out_dir: str | Path = "screenshots") -> list[Path]:
    """Take every shot into ``out_dir`` (made if missing); every file is checked before the first is taken."""
    paths = screenshot_paths(out_dir)
    return [asyncio.run(take(shot, path)) for shot, path in zip(SHOTS, paths, strict=True)]
