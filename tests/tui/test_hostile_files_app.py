"""Hostile files in the app: every crafted session (``tests/core/hostile_sessions.py``) is refused
in one notification while the running run stays as it was; a FIFO as the CSV path is refused
without freezing the app; the weight-evolution view draws parameters of +-1e308; text from a file
(class names, paths) is drawn as text, and no byte of it reaches the terminal as a control."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Static

from nnplay.core.data.datasets import Dataset
from nnplay.core.files.session_file import save_session
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.widgets.weight_evolution import weight_bands
from tests.core.hostile_csv import hostile_csv_files
from tests.core.hostile_progress import odd_progress_files
from tests.core.hostile_sessions import TERMINAL_TEXT, crafted_sessions

CONFIG = TrainConfig(dataset="quadrants", train_size=60, layers=(4,), batch_size=5)
SIZE = (120, 40)


def trained() -> Trainer:
    trainer = Trainer(CONFIG)
    trainer.step(11)
    trainer.evaluate()
    return trainer


async def _wait_for(app: NNPlayApp, group: str, pilot) -> None:
    for worker in list(app.workers):
        if worker.group == group:
            await worker.wait()
    await pilot.pause()


async def test_every_crafted_session_is_refused_and_the_run_is_kept(make_app, tmp_path: Path) -> None:
    files = crafted_sessions(tmp_path)
    app = make_app(trained())
    async with app.run_test(size=SIZE) as pilot:
        before = app.channel.latest
        for name, (path, reason) in files.items():
            app.clear_notifications()
            app.load_path(str(path))
            await _wait_for(app, "load", pilot)
            messages = [n.message for n in app._notifications]
            assert len(messages) == 1, (name, messages)
            assert messages[0].startswith("not loaded: ") and reason in messages[0], (name, messages)
            assert "\n" not in messages[0]
            assert app.is_running
        app.channel._handle_commands(block=False)
        app.draw_frame()
        latest = app.channel.latest
        assert latest.step == before.step == 11 and latest.config == before.config
        assert np.array_equal(latest.network.params, before.network.params)
        # and a good file still loads afterwards
        good = tmp_path / "good.npz"
        other = Trainer(CONFIG.replace(seed=5))
        other.step(3)
        save_session(other, good)
        app.load_path(str(good))
        await _wait_for(app, "load", pilot)
        app.channel._handle_commands(block=False)
        app.draw_frame()
        assert app.channel.latest.step == 3 and app.channel.latest.config.seed == 5


async def test_a_fifo_or_device_as_the_csv_path_is_refused_without_freezing(make_app, tmp_path: Path) -> None:
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    app = make_app(trained())
    async with app.run_test(size=SIZE) as pilot:
        for path in (str(fifo), os.devnull):
            field = app.query_one("#field-csv_path", Input)
            field.focus()
            field.value = path
            await pilot.press("enter")
            await _wait_for(app, "csv", pilot)
            error = app.query_one("#error-csv_path", Static)
            assert error.has_class("-shown") and "not a regular file" in str(error.render())
            assert app.query_one("ParamsPanel").config.dataset == "quadrants"
        assert app.is_running


async def test_a_csv_with_an_endless_line_is_refused_by_the_panel(make_app, tmp_path: Path) -> None:
    files = hostile_csv_files(tmp_path)
    app = make_app(trained())
    async with app.run_test(size=SIZE) as pilot:
        for name in ("long-first-line", "long-line-no-end"):
            path, reason = files[name]
            field = app.query_one("#field-csv_path", Input)
            field.focus()
            field.value = str(path)
            await pilot.press("enter")
            await _wait_for(app, "csv", pilot)
            error = app.query_one("#error-csv_path", Static)
            assert error.has_class("-shown") and reason in str(error.render()), name
            assert app.query_one("ParamsPanel").config.dataset == "quadrants"


async def test_a_csv_is_read_off_the_ui_thread(make_app, tmp_path: Path) -> None:
    import threading

    import nnplay.core.data.datasets as datasets

    good = tmp_path / "p.csv"
    good.write_text("x,y,label\n" + "".join(f"{i / 30 - 1},{(i * 7 % 30) / 15 - 1},{i % 2}\n" for i in range(30)))
    threads: list[str] = []
    real = datasets._read_csv

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    app = make_app(trained())
    async with app.run_test(size=SIZE) as pilot:
        ui_thread = threading.current_thread().name
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(datasets, "_read_csv", spy)
            field = app.query_one("#field-csv_path", Input)
            field.focus()
            field.value = str(good)
            await pilot.press("enter")
            await _wait_for(app, "csv", pilot)
        assert threads and ui_thread not in threads
        assert app.query_one("ParamsPanel").config.dataset == "csv"


def test_weight_evolution_draws_extreme_parameters() -> None:
    t = Trainer(CONFIG)
    train_until(t, 15, chunk=5)
    snap = t.snapshot()
    n = snap.network.params.size
    wild = [np.where(np.arange(n) % 2, 1e308, -1e308), np.full(n, np.inf), np.full(n, np.nan)]
    moments = tuple(
        dataclasses.replace(m, state=dataclasses.replace(m.state, params=wild[i % 3]))
        for i, m in enumerate(snap.timeline)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = weight_bands(dataclasses.replace(snap, timeline=moments), 80, 20)
    assert "layer 1" in text.plain


def test_the_plot_predicts_many_points_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing 900,000 test points through 8 layers of 256 held every layer of every point at once."""
    import nnplay.tui.model.grid_pass as grid_pass

    snap = Trainer(CONFIG).snapshot()
    inputs = np.random.default_rng(0).uniform(-1, 1, (100, 2)).astype(np.float32)
    whole = grid_pass.display_layers(snap, inputs)[-1]
    monkeypatch.setattr(grid_pass, "EVAL_CHUNK", 7)
    calls: list[int] = []
    real = grid_pass.display_layers
    monkeypatch.setattr(grid_pass, "display_layers", lambda s, x: calls.append(len(x)) or real(s, x))
    assert np.array_equal(grid_pass.display_outputs(snap, inputs), whole)
    assert max(calls) == 7


# What Textual itself sends: colours, styles and cursor moves (CSI with digits only: no "?" modes).
TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def obeyed_controls(app: NNPlayApp) -> set[str]:
    """The control characters in what the app would write to the terminal for its whole screen,
    besides Textual's own sequences and line ends: each one is something a terminal obeys."""
    sent = app.screen._compositor.render_update(full=True).render_segments(app.console)
    rest = TEXTUAL_SEQUENCE.sub("", sent)
    return {ch for ch in rest if ch != "\n" and not ch.isprintable()}


async def test_text_from_a_file_is_drawn_and_never_obeyed(make_app) -> None:
    """Class names and a CSV path that would retitle the window, leave the alternate screen or turn
    a line around: the legend, the csv field, a notice and the explain screen show them as text."""
    names = tuple(TERMINAL_TEXT.values())
    X = np.random.default_rng(0).uniform(-1, 1, (60, 2))
    y = np.arange(60) % len(names)
    data = Dataset("csv", X[:40], y[:40], X[40:], y[40:], len(names), 1.1, names)
    path = "/tmp/\x1b]0;PWNED\x07\u202e.csv"
    app = make_app(Trainer(TrainConfig(dataset="csv", csv_path=path, train_size=40, layers=(4,)), data))
    async with app.run_test(size=SIZE) as pilot:
        app.notify(f"loaded {path}")
        await pilot.pause()
        assert obeyed_controls(app) == set()
        legend = "".join(seg.text for line in app.query_one("ScatterPlot")._lines for seg in line)
        assert "␛]0;PWNE" in legend and "␛[?1049l" in legend  # shown, one visible cell per control
        assert app.query_one("#field-csv_path", Input).value == path  # the path itself is kept
        await pilot.press("x")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExplainScreen"
        assert obeyed_controls(app) == set()


def release_fifo_readers(fifo: Path, after: float) -> list[bool]:
    """After ``after`` seconds, open ``fifo`` for writing if someone is blocked opening it to read
    (which lets them go on): the returned list then holds True. A reader that never waited on the
    FIFO leaves it empty. The test's deadline, should the app block on the FIFO."""
    released: list[bool] = []

    def release() -> None:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            released.append(True)
        except OSError as exc:
            assert exc.errno == errno.ENXIO  # nobody reading: nobody blocked

    timer = threading.Timer(after, release)
    timer.daemon = True
    timer.start()
    return released


async def test_odd_lesson_progress_opens_the_lessons_with_a_notice(make_app, tmp_path: Path, monkeypatch) -> None:
    """L with a progress file that recurses, a FIFO or /dev/zero: the pane opens, one notice says why."""
    from nnplay.tui.screens.lessons_screen import LessonsScreen

    files = odd_progress_files(tmp_path)
    released = release_fifo_readers(files["fifo"], after=30)
    app = make_app(trained())
    async with app.run_test(size=SIZE) as pilot:
        for name in ("nested-60000", "fifo", "dev-zero"):
            monkeypatch.setenv("XDG_DATA_HOME", str(files[name].parents[1]))
            app.clear_notifications()
            await pilot.press("L")
            await pilot.pause()
            assert not released, "the app waited to open the FIFO"
            assert isinstance(app.screen, LessonsScreen), name
            notices = [n.message for n in app._notifications]
            assert len(notices) == 1 and "starting with none done" in notices[0], (name, notices)
            await pilot.press("escape")
            await pilot.pause()
        assert app.is_running
