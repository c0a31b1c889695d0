"""Hostile files in the app: every crafted session (``tests/core/hostile_sessions.py``) is refused
in one notification while the running run stays as it was; a FIFO as the CSV path is refused
without freezing the app; the weight-evolution view draws parameters of +-1e308."""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Static

from nnplay.core.config import TrainConfig
from nnplay.core.persist import save_session
from nnplay.core.train_until import train_until
from nnplay.core.trainer import Trainer
from nnplay.tui.app import NNPlayApp
from nnplay.tui.widgets.weight_evolution import weight_bands
from tests.core.hostile_sessions import crafted_sessions

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
        before = app.session.latest
        for name, (path, reason) in files.items():
            app.clear_notifications()
            app.load_path(str(path))
            await _wait_for(app, "load", pilot)
            messages = [n.message for n in app._notifications]
            assert len(messages) == 1, (name, messages)
            assert messages[0].startswith("not loaded: ") and reason in messages[0], (name, messages)
            assert "\n" not in messages[0]
            assert app.is_running
        app.session._handle_commands(block=False)
        app.draw_frame()
        latest = app.session.latest
        assert latest.step == before.step == 11 and latest.config == before.config
        assert np.array_equal(latest.network.params, before.network.params)
        # and a good file still loads afterwards
        good = tmp_path / "good.npz"
        other = Trainer(CONFIG.replace(seed=5))
        other.step(3)
        save_session(other, good)
        app.load_path(str(good))
        await _wait_for(app, "load", pilot)
        app.session._handle_commands(block=False)
        app.draw_frame()
        assert app.session.latest.step == 3 and app.session.latest.config.seed == 5


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


async def test_a_csv_is_read_off_the_ui_thread(make_app, tmp_path: Path) -> None:
    import threading

    import nnplay.core.datasets as datasets

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
