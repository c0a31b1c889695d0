"""The comparison view: two plots and loss curves, trained in step; from the palette or --compare."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from textual.worker import WorkerState

from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.run.run_loop import RunLoop
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.run.channel import ComparisonChannel
from nnplay.tui.screens.compare_screen import CompareApp, CompareScreen
from nnplay.tui.widgets.metrics import Metrics
from tests.tui.waiting import wait_until

BASE = PRESETS["circle"].config(optimizer="sgd", iterations=300)


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def status(screen: CompareScreen, side: int) -> str:
    return str(screen.query_one(f"#metrics-{side}", Metrics).query_one("#status").content)


async def test_t_trains_both_runs_in_step_and_r_resets_them():
    """The screen only draws: the runs train through the one run loop on a worker of the app,
    which ends with the screen."""
    comparison = Comparison(BASE, parse_comparison("lr=0.03,lr=3"))
    app = CompareApp(comparison)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert not [w for w in app.workers if w.node is screen]  # the screen has no thread of its own
        (worker,) = [w for w in app.workers if w.name == "compare"]
        assert worker.node is app and screen.channel.loop.trainers == comparison.trainers
        assert isinstance(screen.channel.loop, RunLoop)
        await pilot.press("t")
        await wait_until(lambda: comparison.step_count == 300 and not screen.running, what="300 steps each")
        a, b = comparison.trainers
        assert a.step_count == b.step_count == 300
        await pilot.pause()
        screen.draw_frame()
        assert "step 300" in status(screen, 0) and "step 300" in status(screen, 1)
        assert "lr 0.03" in status(screen, 0) and "lr 3" in status(screen, 1)
        assert a.metrics.train_loss != b.metrics.train_loss
        await pilot.press("r")
        await wait_until(lambda: comparison.step_count == 0, what="the reset")
        await pilot.press("n")
        await wait_until(lambda: a.step_count == b.step_count == 1, what="one step each")
        await pilot.press("escape")
        await wait_until(lambda: not app.is_running, what="the app to quit")
        assert worker.state is WorkerState.CANCELLED


async def test_space_trains_each_run_to_its_epochs_and_stops_by_itself():
    """As the app's space does: a run with *stop epoch* set pauses there (here each at its own
    step: batch 10 and batch 25 over 250 points), and the screen stops once both have."""
    comparison = Comparison(BASE.replace(epochs=2), parse_comparison("batch_size=10,batch_size=25"))
    app = CompareApp(comparison)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        small, large = comparison.trainers
        await pilot.press("space")
        await wait_until(lambda: small.epoch == large.epoch == 2 and not screen.running, what="both at epoch 2")
        assert (small.step_count, large.step_count) == (50, 20) and small.epoch == large.epoch == 2
        await pilot.press("space")  # both are done: nothing trains
        await pilot.pause(0.2)
        assert not screen.running and (small.step_count, large.step_count) == (50, 20)


async def test_the_palette_compares_the_panel_setup(make_app):
    base = BASE.replace(optimizer="momentum")  # sgd has no momentum: comparing it would be two equal runs
    app = make_app(base)
    async with app.run_test(size=(80, 24)) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Compare two runs")

        async def compare(text: str) -> None:
            """The palette's command, answered with ``text``."""
            command.callback()
            await pilot.pause()
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
            await pilot.pause()

        await compare("layers=4,layers=8")
        assert not isinstance(app.screen, CompareScreen)
        assert any("not compared" in n.message and "first weights" in n.message for n in app._notifications)
        await compare("points_to_classify=100,points_to_classify=500")
        assert not isinstance(app.screen, CompareScreen)
        assert any("not compared" in n.message and "not part of training" in n.message for n in app._notifications)
        await compare("momentum=0,momentum=0.9")
        assert isinstance(app.screen, CompareScreen)
        configs = [t.config for t in app.screen.comparison.trainers]
        assert [c.momentum for c in configs] == [0.0, 0.9]
        assert configs[0].replace(momentum=0.9) == configs[1] == base.replace(momentum=0.9)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)


def test_compare_view_80x24(snap_compare):
    comparison = Comparison(BASE, parse_comparison("lr=0.03,lr=3"))
    for _ in range(10):
        comparison.step(30)
        comparison.evaluate()

    class Still(CompareApp):
        def show_runs(self) -> None:
            self.push_screen(CompareScreen(ComparisonChannel(self.comparison), colors=256))

    assert snap_compare(Still(comparison), terminal_size=(80, 24))


def test_compare_view_120x40(snap_compare):
    comparison = Comparison(PRESETS["seed-v2"].config(), parse_comparison("backprop=correct,backprop=article-v2"))
    # The flawed rule is chaotic: past a few thousand steps a change in the last bit (another
    # BLAS, another CPU) changes the picture, so the picture is taken before that.
    for _ in range(3):
        comparison.step(1000)
        comparison.evaluate()

    class Still(CompareApp):
        def show_runs(self) -> None:
            self.push_screen(CompareScreen(ComparisonChannel(self.comparison), colors=256))

    assert snap_compare(Still(comparison), terminal_size=(120, 40))


async def test_the_flawed_side_is_labelled():
    comparison = Comparison(PRESETS["seed-v2"].config(), parse_comparison("backprop=correct,backprop=article-v2"))
    app = CompareApp(comparison)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        labels = [str(w.content) for w in app.screen.query(".side-label")]
        assert "FLAWED" not in labels[0] and "FLAWED backprop" in labels[1]
        app.screen.draw_frame()
        assert "FLAWED" in status(app.screen, 1) and "FLAWED" not in status(app.screen, 0)


async def test_the_compare_screenshot_is_one_screen_in_truecolor() -> None:
    """The saved compare picture shows the screen it built (truecolor), not a second one that the
    app's own on_mount pushed over it in the headless console's 16 colours."""
    from nnplay.tui.cli.screenshots import SHOTS, shot_app
    from nnplay.tui.render.palette import TRUECOLOR
    from nnplay.tui.screens.compare_screen import CompareScreen

    shot = next(shot for shot in SHOTS if shot.compare is not None)
    app = shot_app(shot)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screens = [screen for screen in app.screen_stack if isinstance(screen, CompareScreen)]
        assert [screen.color_count for screen in screens] == [TRUECOLOR]
