"""Start-up: the interactive app draws the plot first and composes the panel's fields after.

``nnplay`` builds ``NNPlayApp(standalone=True)``; until the fields exist the panel holds the
config itself, so anything that reaches it in that window (a key, a loaded file) is kept.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Select, Static

from nnplay.core.settings.presets import PRESETS
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from tests.tui.app_thread import flush
from tests.tui.waiting import wait_until

CONFIG = PRESETS["seed-v2"].config(train_size=200)
ROOT = Path(__file__).resolve().parents[2]


class PanelOnly(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield ParamsPanel(CONFIG, deferred=True)

    def on_params_panel_config_changed(self, event: ParamsPanel.ConfigChanged) -> None:
        self.changes.append(event.field)


@pytest.mark.slow  # a process of its own, or a whole training
def test_a_deferred_panel_keeps_what_it_is_told_and_shows_it_once_built():
    async def run() -> None:
        app = PanelOnly()
        async with app.run_test(size=(60, 40)) as pilot:
            panel = app.query_one(ParamsPanel)
            assert panel.deferred and not panel.query(Input)
            other = PRESETS["circle"].config(seed=5)
            panel.load_config(other)  # a file loaded before the fields exist
            panel.set_field("lr", 0.3)  # a key that changes a value (as reseed does with the seed)
            panel.show_pending(("layers",))
            await flush(pilot)
            assert app.changes == ["lr"]
            assert panel.config == other.replace(lr=0.3)
            await panel.build()
            await flush(pilot)
            assert not panel.deferred
            assert panel.query_one("#field-lr", Input).value == "0.3"
            assert panel.query_one("#field-seed", Input).value == "5"
            assert panel.query_one("#field-dataset", Select).value == "circle"
            assert "pending until reset (r): hidden" in str(panel.query_one("#pending", Static).render())
            await panel.build()  # a second call (two frames queued it) changes nothing
            assert len(panel.query("#field-lr")) == 1

    asyncio.run(run())


@pytest.mark.parametrize("early_key", [None, "R", "r", "c", "space"])
def test_the_plot_is_drawn_before_the_panel_is_composed(make_app, monkeypatch, early_key):
    """The first frame carries the plot and an empty panel, and is painted before the fields are
    composed (composing them takes ~0.1 s the plot would otherwise wait for); the fields follow,
    showing the trainer's config, and a key pressed before them is handled without an error."""
    seen: list[tuple[int, int, bool]] = []
    build = ParamsPanel.build

    async def recording_build(panel: ParamsPanel, **kwargs) -> None:
        app = panel.app
        plot = app.query_one(ScatterPlot)
        # (frames drawn, the plot's lines, whether the screen has painted the plot's frame, fields)
        seen.append((app.frames.clock.frames, len(plot._lines), plot.painted is plot.frame, bool(panel.query(Input))))
        await build(panel, **kwargs)
        order.append("built")

    monkeypatch.setattr(ParamsPanel, "build", recording_build)
    order: list[str] = []  # freezing this test process's objects would keep them all for good: record it
    monkeypatch.setattr("nnplay.tui.app.startup.freeze_startup_objects", lambda: order.append("froze"))

    async def run() -> None:
        app = make_app(CONFIG, standalone=True)
        async with app.run_test(size=(120, 40)) as pilot:
            if early_key is not None:
                await pilot.press(early_key)
            await wait_until(lambda: "built" in order, 60, "the panel to be built")
            await flush(pilot)
            assert seen and seen[0][0] >= 1 and seen[0][1] > 0 and seen[0][2] and not seen[0][3], seen
            panel = app.query_one(ParamsPanel)
            seed = CONFIG.seed + 1 if early_key == "R" else CONFIG.seed  # R reseeds
            assert panel.query_one("#field-seed", Input).value == str(seed)
            assert panel.query_one("#field-train_size", Input).value == "200"
            await wait_until(lambda: "froze" in order, 60, "the start-up objects to be frozen")
            await pilot.pause(0.1)  # a second freeze would come right after
            assert order == ["built", "froze"]  # once, and only after the panel was built

    asyncio.run(run())


@pytest.mark.slow  # a process of its own
def test_the_collector_is_off_while_nnplay_starts_and_on_once_the_app_is_up():
    """``nnplay`` turns the collector off before it imports and starts the app (its start-up
    objects live as long as the app); once the panel is up the app collects, freezes them and
    turns it on again."""
    script = """
import asyncio, gc
import nnplay.tui.cli.open_app as open_app
import nnplay.tui.terminal.signals as signals
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.widgets.params_panel import ParamsPanel

async def up(app):
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if gc.isenabled():  # (the objects imported before the trainer's fork are frozen already)
                break
        print(app.query_one(ParamsPanel).deferred, gc.isenabled())
        app.channel.close()

def run(app, channel):
    print(gc.isenabled())  # as the app starts
    asyncio.run(up(app))
    return 0

open_app.require_terminal = lambda: None
signals.run_standalone = run
open_app.app_command(build_parser().parse_args(["--preset", "spiral"]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "True"], out.stdout


@pytest.mark.slow  # a process of its own, or a whole training
def test_the_standalone_app_freezes_its_start_up_objects_once_up():
    """In its own process, as ``nnplay`` runs it: after the panel is built, the objects alive
    then are out of the collector's full passes (which took ~100 ms, stalling keys)."""
    script = """
import asyncio, gc, time
from nnplay.core.settings.presets import PRESETS
from nnplay.core.run.trainer import Trainer
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.widgets.params_panel import ParamsPanel

async def main():
    app = NNPlayApp(trainer=Trainer(PRESETS["spiral"].config()), environ={}, start_worker=False, standalone=True)
    async with app.run_test(size=(120, 40)) as pilot:
        before = gc.get_freeze_count()
        deadline = time.monotonic() + 120  # however busy the machine
        while not gc.get_freeze_count() and time.monotonic() < deadline:
            await pilot.pause(0.05)
        print(before, gc.get_freeze_count(), app.query_one(ParamsPanel).deferred)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    before, after, deferred = out.stdout.split()
    assert before == "0" and int(after) > 50_000 and deferred == "False", out.stdout
