"""``nnplay screenshots``: the app photographs itself (``App.save_screenshot``) in known states.

Each state is built by training synchronously with a fixed seed before the app
starts, so the pictures are reproducible and show real training, not mock-ups.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from nnplay.core.output_file import atomic_write, shown_path, write_problem
from nnplay.core.presets import PRESETS
from nnplay.core.train_until import train_until
from nnplay.core.trainer import Trainer
from nnplay.tui.render.palette import TRUECOLOR


@dataclass(frozen=True)
class Shot:
    name: str
    description: str
    preset: str
    steps: int
    size: tuple[int, int] = (120, 40)
    keys: tuple[str, ...] = ()


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
)


def shot_app(shot: Shot):
    """The app in ``shot``'s state before its keys: trained synchronously, no worker, truecolor."""
    from nnplay.tui.app import NNPlayApp

    trainer = Trainer(PRESETS[shot.preset].config())
    # Twenty chunks with an evaluation after each, as the app does, so the loss curve and the
    # time-travel timeline have something to show.
    train_until(trainer, shot.steps, chunk=max(1, shot.steps // 20))
    return NNPlayApp(trainer=trainer, environ={}, start_worker=False, colors=TRUECOLOR, use_kernel=False)


async def pose(pilot, shot: Shot) -> None:
    """Draw the first frame, press ``shot``'s keys and draw what they show."""
    app = pilot.app
    await pilot.pause()
    app.draw_frame()
    for key in shot.keys:
        await pilot.press(key)
    await pilot.pause(0.2)
    app.draw_frame()
    await pilot.pause()


class ScreenshotsError(Exception):
    """The screenshots' folder cannot take them: one line, found before any is taken."""


async def _take(shot: Shot, path: Path) -> Path:
    app = shot_app(shot)
    async with app.run_test(size=shot.size) as pilot:
        await pose(pilot, shot)
        atomic_write(path, app.export_screenshot().encode())
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
    return [asyncio.run(_take(shot, path)) for shot, path in zip(SHOTS, paths, strict=True)]
