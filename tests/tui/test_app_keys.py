"""Every key of ``NNPlayApp``, driven through Textual's Pilot.

The tests of background training (space, e, t, q, the keypress latency) each start a fresh
app with the real worker thread and poll the published snapshot with a timeout instead of
sleeping a fixed time. Every other test runs on one shared app (``AppThread``: starting an
app costs about a second) that the ``app`` fixture puts back to a fresh run channel, panel and
view first; its worker is off and ``settle`` runs the queued run-channel commands here, so what
a key does is deterministic.
"""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest
from textual import events
from textual.command import CommandPalette
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, Select, Sparkline, Static
from textual.widgets._toast import Toast

from nnplay.core.files.session_file import load_session, save_session
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import TARGET_LOSS_CHECK_STEPS, StopReason, Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import DEFAULT_SESSION, NNPlayApp
from nnplay.tui.screens.help_screen import HelpScreen
from nnplay.tui.screens.path_prompt import PathPrompt
from nnplay.tui.screens.quit_prompt import QuitPrompt
from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import Selection, WeightDiagram
from tests.tui.app_thread import AppThread, settle, without_notice
from tests.tui.waiting import send_key, wait_until, wait_until_steady

SIZE = (120, 40)
# The article's network (seed-v2) on fewer points: 200 per-sample steps make an epoch.
CONFIG = PRESETS["seed-v2"].config(train_size=200)


@pytest.fixture(scope="module")
def shared(make_app) -> AppThread:
    runner = AppThread(make_app(CONFIG), SIZE)
    yield runner
    runner.close()
    assert not runner._thread.is_alive()


async def fresh(pilot: Pilot) -> None:
    """Back to a just-started app: main screen, new run channel and panel, default views, no notices."""
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await pilot.pause(0)
    if (app.size.width, app.size.height) != SIZE:
        await pilot.resize_terminal(*SIZE)
    app.action_view("live")
    if app.view.editing:
        app.action_edit_data()
    if app.view.hidden:
        app.action_view("hidden_space")
    app.query_one("#diagram-box").display = True
    app.set_view(discretize=False, show_test=False, classified=None, cursor=None)
    app.channel.replace(Trainer(CONFIG))
    app.query_one(ParamsPanel).load_config(CONFIG)
    app.session_path = DEFAULT_SESSION
    diagram = app.query_one(WeightDiagram)
    app.set_view(selection=Selection(1, 0))
    diagram.focus()
    await settle(pilot)
    await pilot.pause()
    app.clear_notifications()
    await without_notice(pilot)


@pytest.fixture
def ui(shared: AppThread) -> AppThread:
    """The shared app, just as it started."""
    shared.run(fresh)
    a = shared.app
    assert not isinstance(a.screen, (HelpScreen, PathPrompt, CommandPalette))
    assert a.channel.latest.step == 0 and a.channel.latest.config == CONFIG
    assert a.query_one(ParamsPanel).config == CONFIG
    assert a.focused is a.query_one(WeightDiagram)
    assert a.view.travel is None and not a.view.editing and not list(a._notifications)
    assert not a.query_one(NoticeLine).text
    return shared


async def type_keys(pilot, text: str) -> None:
    """Type ``text`` one character at a time, each handled before the next (like ``pilot.press``
    without its two waits for an idle CPU per key)."""
    names = {"-": "minus", ".": "full_stop", "/": "slash", ":": "colon", " ": "space", "_": "underscore"}
    for character in text:
        await send_key(pilot, names.get(character, character), character)
        await pilot.pause(0)


def status(app: NNPlayApp) -> str:
    return str(app.query_one("#status", Static).render())


def messages(app: NNPlayApp, severity: str | None = None) -> list[str]:
    return [n.message for n in app._notifications if severity is None or n.severity == severity]


def params(app: NNPlayApp) -> np.ndarray:
    return np.array(app.channel.latest.network.params)


# -- stepping and training ------------------------------------------------------------


def test_n_makes_exactly_one_step(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        before = params(app)
        assert app.channel.latest.step == 0
        await pilot.press("n")
        await settle(pilot)
        assert app.channel.latest.step == 1
        assert not np.array_equal(params(app), before)
        assert re.search(r"\bstep 1\b", status(app))
        await settle(pilot)  # nothing else was queued
        assert app.channel.latest.step == 1
        await pilot.press("n", "n")
        await settle(pilot)
        assert app.channel.latest.step == 3

    ui.run(check)


async def test_space_runs_then_pauses(make_app):
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.step > 0, what="training to start")
        first = app.channel.latest.step
        await wait_until(lambda: app.channel.latest.step > first, what="the step counter to move")
        await wait_until(lambda: "steps/s" in status(app), what="the status to show the speed")
        await send_key(pilot, "space", " ")
        await wait_until(lambda: not app.channel.running, what="training to pause")
        await wait_until(lambda: "paused" in status(app), what="the status to say paused")
        stopped = app.channel.latest.step
        await pilot.pause(0.3)
        assert app.channel.latest.step == stopped
        assert f"step {stopped:,}" in status(app)


async def test_e_trains_one_epoch_then_pauses(make_app):
    config = CONFIG.replace(batch_size=10)  # 200 points / 10 = 20 steps per epoch
    app = make_app(config, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "e")
        await wait_until(lambda: app.channel.latest.epoch == 1, what="one epoch")
        await wait_until(lambda: not app.channel.running, what="the run to pause")
        assert app.channel.latest.step == 20
        await pilot.pause(0.2)
        assert (app.channel.latest.step, app.channel.latest.epoch) == (20, 1)
        app.draw_frame()
        await pilot.pause()
        assert any("trained one epoch; paused at step 20" in m for m in messages(app)), messages(app)
        assert not any("iterations" in m for m in messages(app))


async def test_t_trains_the_configured_iterations_then_pauses(make_app):
    app = make_app(CONFIG.replace(iterations=300), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "t")
        await wait_until(lambda: app.channel.latest.step == 300, what="300 steps")
        await wait_until(lambda: not app.channel.running, what="the run to pause")
        await pilot.pause(0.2)
        assert app.channel.latest.step == 300
        app.draw_frame()
        await pilot.pause()
        assert any("trained 300 iterations" in m for m in messages(app))
        assert "paused" in status(app)


@pytest.mark.parametrize("engine", ["numpy", "numba"])
async def test_t_draws_a_loss_curve_even_when_the_run_takes_less_than_a_frame(make_app, engine):
    """The article's Train button: 60,000 per-sample steps take ~30 ms with the kernel, under one
    15 fps frame. The loss is still recorded all along the run, not only at its end."""
    if engine == "numba" and kernel_or_none() is None:
        pytest.skip("numba is not installed")
    app = make_app(PRESETS["seed-v2"].config(), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        if engine == "numba":
            app.channel.set_kernel(kernel_or_none())
        goal = app.channel.latest.config.iterations
        await send_key(pilot, "t")
        await wait_until(lambda: not app.channel.running and app.channel.latest.step == goal, 30.0, "the run")
        steps = app.channel.latest.history[:, 0]
        assert len(steps) >= 50, steps
        assert steps[-1] == goal
        assert np.max(np.diff(steps)) <= goal / 50  # spread along the run, not bunched at one end
        app.draw_frame()
        await pilot.pause()
        train = app.query_one("#train-loss", Sparkline).data
        assert len(set(train)) >= 20  # a curve, not a step or two


def kernel_or_none():
    from nnplay.core.engine.kernel import load_kernel

    return load_kernel()


async def test_the_status_follows_a_pause_seen_after_its_final_snapshot(make_app):
    """The worker publishes its last snapshot, then clears ``running``: a frame can fall in between."""
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        app.channel.running = True  # as the worker leaves it: final snapshot published, not yet paused
        app.draw_frame()
        await pilot.pause()
        assert "steps/s" in status(app)
        app.channel.running = False  # the same snapshot, now paused
        app.draw_frame()
        await pilot.pause()
        assert "paused" in status(app)


async def enter_value(pilot: Pilot, name: str, text: str) -> None:
    """Type ``text`` into a panel field and press enter, which applies it and leaves the field."""
    field = pilot.app.query_one(f"#field-{name}", Input)
    field.focus()
    await pilot.pause()
    field.value = text
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.focused is not field


async def test_an_epoch_limit_typed_in_the_panel_pauses_the_run_there(make_app):
    app = make_app(CONFIG.replace(batch_size=10), start_worker=True)  # 20 steps per epoch
    async with app.run_test(size=SIZE) as pilot:
        await enter_value(pilot, "epochs", "3")
        assert app.channel.latest.config.epochs == 3 or app.query_one(ParamsPanel).config.epochs == 3
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.epoch >= 3, what="three epochs")
        await wait_until(lambda: not app.channel.running, what="the run to pause")
        await pilot.pause(0.2)
        assert (app.channel.latest.step, app.channel.latest.epoch) == (60, 3)
        app.draw_frame()
        await pilot.pause()
        assert any("reached 3 epochs" in m for m in messages(app))


async def test_a_target_loss_typed_in_the_panel_pauses_the_run_there(make_app):
    app = make_app(CONFIG.replace(lr=1.0), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await enter_value(pilot, "target_loss", "0.15")
        await send_key(pilot, "space", " ")
        await wait_until(lambda: not app.channel.running and app.channel.latest.step > 0, timeout=60,
                         what="the run to reach the target and pause")  # fmt: skip
        snap = app.channel.latest
        assert snap.metrics.train_loss <= 0.15
        await pilot.pause(0.2)
        assert app.channel.latest.step == snap.step
        app.draw_frame()
        await pilot.pause()
        assert any("reached the target 0.15" in m for m in messages(app))


async def test_a_target_loss_stops_the_app_where_it_stops_the_cli(make_app):
    """The loss is measured every TARGET_LOSS_CHECK_STEPS updates in both, not once a frame
    (the app stopped ~100,000 steps late with the kernel's large chunks)."""
    config = CONFIG.replace(lr=1.0, target_loss=0.15)
    cli = Trainer(config)
    assert train_until(cli)[0] is StopReason.TARGET_LOSS
    app = make_app(config, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: not app.channel.running and app.channel.latest.step > 0, timeout=60,
                         what="the run to reach the target and pause")  # fmt: skip
        snap = app.channel.latest
    assert snap.metrics.train_loss <= 0.15
    assert abs(snap.step - cli.step_count) <= TARGET_LOSS_CHECK_STEPS, (snap.step, cli.step_count)


def test_the_status_shows_the_rate_in_force_and_a_spent_schedule_is_pointed_out(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        app.channel.replace(Trainer(CONFIG.replace(lr=0.5, schedule="cosine", iterations=4)))
        await settle(pilot)
        assert "lr 0.5 (cosine)" in status(app)
        await pilot.press("n", "n")
        await settle(pilot)
        assert "lr 0.25 (cosine)" in status(app)  # half way through a cosine
        await pilot.press("n", "n")
        await settle(pilot)
        assert "lr 0 (cosine)" in status(app)
        await pilot.press("space")
        await settle(pilot)
        assert any("brought the learning rate to 0" in m for m in messages(app, "warning")), messages(app)
        app.channel.replace(Trainer(CONFIG.replace(lr=0.5, schedule="constant")))
        await settle(pilot)
        assert re.search(r"\blr 0\.5  ", status(app))

    ui.run(check)


def test_the_loss_curves_span_the_whole_recorded_run(ui):
    """Not only the newest rows that fit the width (the last ~3 s at 15 records a second)."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        trainer = Trainer(CONFIG.replace(lr=0.5, schedule="constant"))
        train_until(trainer, 8000, chunk=20)  # 400 records, several times the curve's width
        app.channel.replace(trainer)
        await settle(pilot)
        history = app.channel.latest.history
        sparkline = app.query_one("#train-loss", Sparkline)
        data = sparkline.data
        assert len(history) >= 400 and 20 <= len(data) < len(history)
        first_share = history[: len(history) // len(data), 2]  # the rows of the first column
        assert data[0] == pytest.approx(np.mean(np.log10(first_share)), abs=0.05)
        assert data[0] > data[-1]  # the descent is on screen
        # A click on the first column goes back to the start of the run, not to 3 s ago.
        region = sparkline.region
        landed = await pilot.click(sparkline, offset=(0, 0))
        assert landed, f"the click landed on {app.screen.get_widget_at(region.x, region.y)[0]!r} of {app.screen!r}"
        # The click reaches the app as a message at each hop (the curve, its rows, the metrics,
        # the screen): more turns of the loop than the click's own pause gives a busy process.
        await wait_until(lambda: app.view.travel is not None, what="time travel from the click", between=pilot.pause)
        assert app.view.moments[app.view.travel].step <= history[len(history) // 10, 0]

    ui.run(check)


async def test_running_past_the_end_of_a_schedule_says_so_once(make_app):
    app = make_app(CONFIG.replace(lr=0.5, schedule="cosine", iterations=40), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.step > 200, what="training past the schedule")
        app.draw_frame()
        await pilot.pause()
        ended = [m for m in messages(app, "warning") if "schedule ended at step 40" in m]
        assert len(ended) == 1, messages(app)
        assert "learning rate stays at 0" in ended[0]
        assert "lr 0 (cosine)" in status(app)


async def test_t_to_the_end_of_its_schedule_does_not_warn(make_app):
    app = make_app(CONFIG.replace(lr=0.5, schedule="cosine", iterations=40), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "t")
        await wait_until(lambda: not app.channel.running and app.channel.latest.step == 40, what="t")
        app.draw_frame()
        await pilot.pause()
        assert not messages(app, "warning"), messages(app)


def test_the_diagram_shows_when_it_has_the_keys(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        box = app.query_one("#diagram-box")
        focused = box.styles.border_top[1]
        app.query_one("#field-lr", Input).focus()
        await settle(pilot)
        assert box.styles.border_top[1] != focused
        app.query_one(WeightDiagram).focus()
        await settle(pilot)
        assert box.styles.border_top[1] == focused

    ui.run(check)


def test_c_shows_fresh_points_and_their_accuracy(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        plot = app.query_one(ScatterPlot)
        assert app.view.classified is None
        await pilot.press("n")
        await settle(pilot)
        drawn = plot.frames_drawn
        await pilot.press("c")
        await pilot.pause()
        extra = app.view.classified
        assert extra is not None
        assert len(extra.X) == CONFIG.points_to_classify
        assert plot.frames_drawn > drawn  # the fresh points were drawn
        snap = app.channel.latest
        accuracy = float((snap.predict(extra.X).argmax(axis=1) == extra.y).mean())
        expected = f"classified {CONFIG.points_to_classify} fresh points: {accuracy:.1%} correct"
        assert expected in messages(app)
        # The engine's Classify Points draws the same points for the same round (the CLI scores round 1).
        same = Trainer(CONFIG).classify(CONFIG.points_to_classify, app._classify_round)
        np.testing.assert_array_equal(extra.X, same.X)
        # Another press draws another set.
        await pilot.press("c")
        await pilot.pause()
        assert app.view.classified is not extra
        assert not np.array_equal(app.view.classified.X, extra.X)
        # T goes back to the data, with the test points (it did nothing while they stood in).
        assert not app.view.show_test
        drawn = plot.frames_drawn
        await pilot.press("T")
        await pilot.pause()
        assert app.view.classified is None and app.view.show_test
        assert plot.frames_drawn > drawn

    ui.run(check)


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
def test_notices_go_to_one_line_that_covers_no_pane(make_app, size):
    """Toasts stacked over the plot and the diagram (at 80x24 one covered half the plot): notices
    now have one line under the panes, one row at 80x24, and repeats merge into it."""

    async def run() -> None:
        app = make_app(CONFIG)
        async with app.run_test(size=size, notifications=True) as pilot:  # run_test hides toasts by default
            await pilot.press("c")
            line = app.query_one(NoticeLine)
            await wait_until(lambda: "classified" in line.text, what="the notice")
            await pilot.pause()
            assert line.region.height == 1
            assert not [t for t in app.screen.query(Toast) if t.region.area]  # no toast on the main screen
            for name in ("#plot", "#diagram-box", "#status", "#confusion", "#panel"):
                widget = app.query_one(name)
                if widget.display:
                    assert not line.region.overlaps(widget.region), (name, line.region, widget.region)
            for k in range(5):
                app.notify(f"added a point at (+0.10, -0.20); {2001 + k:,} training points")
            await pilot.pause()
            assert line.text == "added 5 points; 2,005 training points" and line.region.height == 1
            app.notify("saved to x.npz")
            app.notify("saved to x.npz")
            await pilot.pause()
            assert line.text == "saved to x.npz (x2)"

    asyncio.run(run())


def test_a_notice_that_fits_the_narrow_screens_width_takes_one_row_from_the_plot(make_app):
    """At 80x24 the notice line spans the panel's column and the views'; its row measured at the
    panel's column alone (27 cells) was two rows for a notice that fits in one, the second blank
    and taken from the plot."""

    async def run() -> None:
        app = make_app(CONFIG)
        async with app.run_test(size=(80, 24)) as pilot:
            line = app.query_one(NoticeLine)
            plot = app.query_one("#plot")

            async def laid_out(text: str) -> int:
                line.post(text, timeout=None)
                await wait_until_steady(pilot, lambda: line.text == text, lambda: plot.region, what=text)
                return plot.region.height

            empty = await laid_out("")
            fits = "editing data: 1..2 add, backspace removes, a ends"  # 50 cells; 76 fit
            assert await laid_out(fits) == empty and line.region.height == 1, line.region
            longer = fits + ", and this notice goes on past the end of its line"
            assert await laid_out(longer) == empty - 1 and line.region.height == 2  # wrapped: a row of the plot's
            line.clear()

    asyncio.run(run())


def test_a_cleared_notice_line_keeps_the_next_notice_for_its_whole_time(ui):
    """Clearing the line stops the cleared notice's timer, which would otherwise clear the next one."""

    async def check(pilot: Pilot) -> None:
        line = pilot.app.query_one(NoticeLine)
        line.post("soon gone", timeout=0.2)
        line.clear()
        line.post("stays", timeout=600)
        await pilot.pause(1.0)  # well past the first notice's time: nothing is to happen
        assert line.text == "stays"
        line.clear()

    ui.run(check)


def test_a_notice_said_on_the_main_screen_is_not_a_toast_over_a_prompt_later(make_app):
    """The notice line said it; opening help or the quit question must not pile it over the
    panes again as a toast. A notice said while the prompt is open is a toast there."""

    async def run() -> None:
        app = make_app(CONFIG)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("c")
            await wait_until(lambda: "classified" in app.query_one(NoticeLine).text, what="the notice")
            await pilot.press("question_mark")
            await wait_until(lambda: type(app.screen).__name__ == "HelpScreen", what="help")
            await pilot.pause(0.2)
            assert not [str(t.render()) for t in app.screen.query(Toast)]
            app.notify("said over help")

            def shown() -> list[str]:
                return [str(t.render()) for t in app.screen.query(Toast) if t.region.area]

            await wait_until(lambda: any("said over help" in text for text in shown()), timeout=60,
                             what="the toast over help", between=pilot.pause)  # fmt: skip

    asyncio.run(run())


def test_r_goes_back_to_step_0_and_the_same_initial_weights(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        initial = params(app)
        await pilot.press("n", "n", "n", "c")
        await settle(pilot)
        assert app.channel.latest.step == 3
        assert not np.array_equal(params(app), initial)
        await pilot.press("r")
        await settle(pilot)
        assert app.channel.latest.step == 0
        np.testing.assert_array_equal(params(app), initial)
        assert app.view.classified is None
        assert re.search(r"\bstep 0\b", status(app))

    ui.run(check)


def test_R_reseeds_new_initial_weights_at_step_0(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        initial = params(app)
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        snap = app.channel.latest
        assert snap.step == 0
        assert snap.config.seed == CONFIG.seed + 1
        assert app.query_one(ParamsPanel).config.seed == CONFIG.seed + 1
        assert app.query_one("#field-seed", Input).value == str(CONFIG.seed + 1)
        assert params(app).shape == initial.shape
        assert not np.allclose(params(app), initial)
        np.testing.assert_array_equal(params(app), Trainer(CONFIG.replace(seed=CONFIG.seed + 1)).net.params)
        await pilot.press("R")
        await settle(pilot)
        assert app.channel.latest.config.seed == CONFIG.seed + 2

    ui.run(check)


# -- view toggles -----------------------------------------------------------------------


def test_v_hides_and_shows_the_diagram(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.pause()
        box = app.query_one("#diagram-box")
        plot = app.query_one(ScatterPlot)
        width = plot.size.width
        assert box.display
        await pilot.press("v")
        await pilot.pause()
        assert not box.display
        assert plot.size.width > width  # the plot takes the room
        await pilot.press("v")
        await pilot.pause()
        assert box.display
        assert plot.size.width == width

    ui.run(check)


def test_d_toggles_discretize_and_redraws(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.pause()  # the layout settles after the first frame (the status line's height)
        plot = app.query_one(ScatterPlot)
        assert app.view.discretize is False
        lines, drawn = list(plot._lines), plot.frames_drawn
        await pilot.press("d")
        assert app.view.discretize is True
        assert plot.frames_drawn == drawn + 1
        assert plot._lines != lines  # every region at full strength now
        await pilot.press("d")
        assert app.view.discretize is False
        assert plot._lines == lines

    ui.run(check)


def test_T_toggles_the_test_points(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.pause()
        plot = app.query_one(ScatterPlot)
        assert app.view.show_test is False
        lines = list(plot._lines)
        await pilot.press("T")
        assert app.view.show_test is True
        assert plot._lines != lines  # more dots
        await pilot.press("T")
        assert app.view.show_test is False
        assert plot._lines == lines

    ui.run(check)


def test_question_mark_opens_help_and_escape_closes_it(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("question_mark")

        def help_up() -> bool:  # composed, laid out, its scroll focused (so the keys scroll it)
            scrolls = app.screen.query(VerticalScroll) if isinstance(app.screen, HelpScreen) else []
            return bool(scrolls) and app.focused is scrolls[0] and scrolls[0].max_scroll_y > 0

        await wait_until(help_up, what="the help open, its scroll focused", between=pilot.pause)
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        # The help scrolls from the keyboard, not after a frame: the key's handling is what is awaited.
        await wait_until(lambda: scroll.scroll_y > 0, what="pagedown to scroll the help", between=pilot.pause)
        # The app's keys are off while help is open.
        await pilot.press("n")
        await settle(pilot)
        assert app.channel.latest.step == 0
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, HelpScreen), what="escape to close the help",
                         between=pilot.pause)  # fmt: skip
        await pilot.press("n")
        await settle(pilot)
        assert app.channel.latest.step == 1

    ui.run(check)


async def test_q_exits_while_training(make_app):
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.step > 0, what="training to start")
        assert app.channel.running
        # The run's steps are unsaved: q asks first (tui/screens/quit_prompt.py), and a second q quits anyway.
        await send_key(pilot, "q")
        await wait_until(lambda: isinstance(app.screen, QuitPrompt), timeout=60, what="the quit question")
        assert app.is_running and app.channel.running
        await send_key(pilot, "q")
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit after the second q")
    # How fast it quits is benchmarks/bench_stop.py's measure, not a bound here.
    assert app._exit and app.return_code == 0  # q quit the app; run_test did not have to stop it
    # A frame timer that fires during the shutdown, with a new snapshot, must not touch the
    # widgets that are gone (it raised NoMatches and the app exited with a traceback).
    frames = app.frames.clock.frames
    app.channel._publish()
    app.draw_frame()
    assert app.frames.clock.frames == frames


# -- save and load -----------------------------------------------------------------------


async def type_path(pilot, path: str) -> None:
    """Type ``path`` over the prompt's suggestion and confirm (the app's keys must not fire meanwhile)."""
    field = pilot.app.screen.query_one("#answer", Input)
    assert pilot.app.focused is field, "the prompt's input must have focus so typing goes there"
    await type_keys(pilot, path)
    assert field.value == path
    await pilot.press("enter")
    await pilot.pause()


def test_ctrl_s_saves_a_loadable_session(ui, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative path: typing costs a Pilot round trip per key
    path = "run-one.npz"  # 'r', 'n', 'e', 'o' and '-' would be app keys outside the prompt

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("n", "n", "n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        await type_path(pilot, path)
        assert not isinstance(app.screen, PathPrompt)
        await settle(pilot)
        assert app.channel.latest.step == 3  # typing did not step, reset or run
        assert f"saved step 3 to {path}" in messages(app)

    ui.run(check)
    loaded = load_session(tmp_path / path)
    assert loaded.step_count == 3
    assert loaded.config == CONFIG
    np.testing.assert_array_equal(loaded.net.params, ui.app.channel.latest.network.params)


def test_a_path_typed_in_one_burst_keeps_its_backspaces(ui, tmp_path, monkeypatch):
    """Keys that arrive together (a paste, a fast typist over SSH) are applied in order in the
    prompt too: a backspace is not overtaken by the characters after it."""
    monkeypatch.chdir(tmp_path)
    burst = [("ctrl+u", None), *[(c, c) for c in "runx"], ("backspace", None), ("full_stop", "."),
             *[(c, c) for c in "npz"], ("left", None), ("left", None), ("left", None), ("left", None),
             ("backspace", None), ("2", "2"), ("end", None), ("enter", None)]  # fmt: skip

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await settle(pilot)
        assert not isinstance(app.screen, PathPrompt)
        assert "saved step 0 to ru2.npz" in messages(app)

    ui.run(check)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ru2.npz"]


def test_ctrl_o_loads_a_good_file(ui, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = PRESETS["circle"].config(seed=7)
    trainer = Trainer(other)
    trainer.step(17)
    path = "good.npz"
    save_session(trainer, path)

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        await type_path(pilot, path)
        await app.workers.wait_for_complete()
        await settle(pilot)
        snap = app.channel.latest
        assert snap.step == 17
        assert snap.config == other
        np.testing.assert_array_equal(snap.network.params, trainer.net.params)
        panel = app.query_one(ParamsPanel)
        assert panel.config == other
        assert app.query_one("#field-dataset", Select).value == "circle"
        assert app.query_one("#field-seed", Input).value == "7"
        assert panel.query_one("#pending", Static).render().plain == ""
        assert f"loaded {path} at step 17" in messages(app)
        # Reset goes back to the file's initial weights.
        await pilot.press("r")
        await settle(pilot)
        np.testing.assert_array_equal(app.channel.latest.network.params, trainer.initial_params)

    ui.run(check)


def test_ctrl_o_refuses_a_corrupt_file_and_changes_nothing(ui, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = "bad.npz"
    (tmp_path / path).write_bytes(b"PK\x03\x04 this is not a session" + bytes(range(256)))

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("n", "n")
        await settle(pilot)
        before, before_params = app.channel.latest, params(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await type_path(pilot, path)
        await app.workers.wait_for_complete()
        await settle(pilot)
        errors = messages(app, "error")
        assert len(errors) == 1 and errors[0].startswith("not loaded:"), errors
        snap = app.channel.latest
        assert snap.step == 2
        assert snap.config == before.config
        np.testing.assert_array_equal(params(app), before_params)
        assert app.query_one(ParamsPanel).config == CONFIG

    ui.run(check)


# -- keys while a field has focus ----------------------------------------------------------


def test_a_field_being_typed_in_keeps_the_app_keys_until_it_is_left(ui):
    """Letters typed in a field are text: n does not step, d does not discretize. After escape
    (which puts the value in force back) they are the app's keys again."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-lr", Input)
        field.focus()
        await pilot.pause()
        assert app.focused is field
        text = field.value
        await pilot.press("n", "d")
        await settle(pilot)
        assert app.channel.latest.step == 0 and not app.view.discretize
        assert field.value == "nd" and app.focused is field  # focusing selects the text: typing replaces it
        await pilot.press("escape")
        await settle(pilot)
        assert field.value == text and app.focused is not field
        assert app.query_one(ParamsPanel).config.lr == CONFIG.lr
        await pilot.press("n", "d")
        await settle(pilot)
        assert app.channel.latest.step == 1 and app.view.discretize

    ui.run(check)


def test_letters_a_number_needs_go_into_the_field(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-lr", Input)
        field.focus()
        await pilot.pause()
        field.action_end()
        # backspace is the app's "remove point" key only while editing the data
        await pilot.press(*["backspace"] * len(field.value))
        assert field.value == ""
        await pilot.press("1", "e", "minus", "3")
        await settle(pilot)
        assert field.value == "1e-3"
        assert app.channel.latest.epoch == 0 and app.channel.latest.step == 0  # 'e' did not train
        assert app.channel.latest.config.lr == CONFIG.lr  # nothing applies while typing
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(ParamsPanel).config.lr == pytest.approx(1e-3)
        assert app.channel.latest.config.lr == pytest.approx(1e-3)  # lr is live

    ui.run(check)


# -- the other keys: views, data editing, time travel, explain, share ------------------------


def hidden_of(app) -> tuple[int, int, int]:
    """(layer, neuron a, neuron b) of the hidden space on the plot."""
    space = app.frames.frame.hidden
    return space.layer, space.a, space.b


def test_h_shows_the_hidden_space_and_H_changes_the_partner(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        plot = app.query_one(ScatterPlot)
        await pilot.press("h")
        await settle(pilot)
        assert app.view.hidden and hidden_of(app) == (1, 0, 1)  # the selected neuron and the next one
        assert plot.border_title.startswith("hidden space")
        # The caption is in the legend beside or under the plane (it was cut on the x-axis row at 80x24).
        assert "layer 1: x n1, y n2" in "".join(seg.text for line in plot._lines for seg in line)
        await pilot.press("H")
        await settle(pilot)
        assert hidden_of(app) == (1, 0, 2)
        assert "layer 1: x n1, y n3" in "".join(seg.text for line in plot._lines for seg in line)
        await pilot.press("h")
        await settle(pilot)
        assert not app.view.hidden and app.frames.frame.hidden is None
        assert plot.border_title == "data & decision regions"

    ui.run(check)


def test_w_swaps_the_diagram_for_the_weights_over_the_run(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        evolution, diagram = app.query_one("#evolution"), app.query_one(WeightDiagram)
        assert not evolution.display and diagram.display
        await pilot.press("w")
        await settle(pilot)
        assert evolution.display and not diagram.display
        assert app.query_one("#diagram-box").border_title.startswith("weights over the run")
        await pilot.press("w")
        await settle(pilot)
        assert not evolution.display and diagram.display

    ui.run(check)


def test_x_explains_a_step_and_escape_closes_it(ui):
    from nnplay.tui.screens.explain_screen import ExplainScreen

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        await pilot.press("n")  # the app's keys are off meanwhile
        await settle(pilot)
        assert app.channel.latest.step == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExplainScreen)

    ui.run(check)


def test_a_edits_the_data_with_arrows_digits_and_backspace(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        n = len(app.channel.latest.data.X_train)
        await pilot.press("a")
        assert app.view.editing and app.view.cursor == (0.0, 0.0)
        await pilot.press("right", "right", "up")
        x, y = app.view.cursor
        assert x > 0 and y > 0
        await pilot.press("2")
        await settle(pilot)
        data = app.channel.latest.data
        assert len(data.X_train) == n + 1
        np.testing.assert_allclose(data.X_train[-1], [x, y])
        assert data.y_train[-1] == 1  # key 2 adds class 2
        await pilot.press("backspace")  # removes the point nearest the cursor: the new one
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == n
        assert not np.any(np.all(app.channel.latest.data.X_train == [x, y], axis=1))
        await pilot.press("a")
        assert not app.view.editing and app.view.cursor is None
        # Outside the editor the arrows select neurons again, digits add nothing.
        await pilot.press("down", "3")
        await settle(pilot)
        assert app.query_one(WeightDiagram).selection == Selection(1, 1)
        assert len(app.channel.latest.data.X_train) == n

    ui.run(check)


def test_digits_add_points_once_the_field_that_had_focus_is_left(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        field = app.query_one("#field-lr", Input)
        field.focus()
        await settle(pilot)
        before, n = field.value, len(app.channel.latest.data.X_train)
        await pilot.press("escape", "a", "1")
        await settle(pilot)
        assert field.value == before
        assert len(app.channel.latest.data.X_train) == n + 1
        await pilot.press("9")  # there is no class 9: said plainly
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == n + 1
        assert "class 9 does not exist; allowed 1..4" in messages(app, "error"), messages(app)

    ui.run(check)


def test_regression_data_takes_only_keys_1_and_2(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        app.channel.replace(Trainer(PRESETS["reg-gauss"].config(train_size=100)))
        await settle(pilot)
        n = len(app.channel.latest.data.X_train)
        await pilot.press("a", "3")
        await settle(pilot)
        assert len(app.channel.latest.data.X_train) == n
        assert any("1 adds a point with target -1" in m for m in messages(app, "warning"))
        await pilot.press("2")
        await settle(pilot)
        assert app.channel.latest.data.y_train[-1] == 1.0

    ui.run(check)


def test_c_on_csv_data_says_what_it_shows(ui, tmp_path):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        rows = np.random.default_rng(4).uniform(-1, 1, (60, 2))
        csv = tmp_path / "pts.csv"
        csv.write_text("x,y,label\n" + "".join(f"{x},{y},{int(x > 0)}\n" for x, y in rows))
        base = CONFIG.replace(dataset="csv", csv_path=str(csv), output="softmax", loss="cross_entropy")
        app.channel.replace(Trainer(base.replace(test_ratio=0.5)))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert any(m.startswith("classified 30 test points (a CSV file has no fresh ones)") for m in messages(app))
        app.clear_notifications()
        app.set_view(classified=None)
        app.channel.replace(Trainer(base.replace(test_ratio=0.0)))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.view.classified is None  # the data stays on the plot
        assert any("nothing to classify" in m for m in messages(app, "warning")), messages(app)

    ui.run(check)


def test_training_keys_while_time_travelling_are_refused_not_hidden(ui):
    """The past is on screen, so training the live run now would happen out of sight."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        for key in ("space", "n", "e", "t"):
            await pilot.press(key)
            await settle(pilot)
            assert app.channel.latest.step == 3 and not app.channel.running, key
            assert app.view.travel is not None
            # Each key's own refusal, checked key by key and then cleared: a notice leaves
            # app._notifications when its seconds are up, on a loaded machine before the fourth key.
            assert any("g goes on from here, l back to live" in m for m in messages(app)), (key, messages(app))
            app.clear_notifications()
        await pilot.press("l", "n")
        await settle(pilot)
        assert app.channel.latest.step == 4

    ui.run(check)


def test_comma_full_stop_g_and_l_travel_in_time(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        for _ in range(4):
            await pilot.press("n")
            await settle(pilot)
        moments = app.channel.latest.timeline
        count = len(moments)
        # (After a reset step 0 is recorded twice, by the restart and by the first publish.)
        assert [m.step for m in moments][-5:] == [0, 1, 2, 3, 4]
        await pilot.press("comma", "comma")
        await settle(pilot)
        assert app.view.travel == count - 3
        assert f"TIME TRAVEL {count - 2}/{count}" in status(app)
        assert re.search(r"\bstep 2\b", status(app))
        await pilot.press("full_stop")
        await settle(pilot)
        assert app.view.travel == count - 2 and re.search(r"\bstep 3\b", status(app))
        await pilot.press("l")
        await settle(pilot)
        assert app.view.travel is None and re.search(r"\bstep 4\b", status(app))
        await pilot.press("comma", "comma", "comma")
        await settle(pilot)
        shown = app.view.moments[app.view.travel]
        assert 0 < shown.step < 4
        await pilot.press("g")  # resume training from the moment shown
        await settle(pilot)
        assert app.view.travel is None
        snap = app.channel.latest
        assert snap.step == shown.step
        np.testing.assert_array_equal(snap.network.params, shown.params)
        await pilot.press("n")
        await settle(pilot)
        assert app.channel.latest.step == shown.step + 1

    ui.run(check)


def test_s_shares_the_command_line(ui, tmp_path):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        app.share_path = str(tmp_path / "share.txt")
        await pilot.press("s")
        await pilot.pause()
        shown = str(app.screen.query_one("#command").render())
        assert shown.startswith("nnplay ")
        assert "--train-size 200" in shown  # the only setting that differs from the default preset
        assert (tmp_path / "share.txt").read_text() == shown + "\n"
        await pilot.press("escape")
        await pilot.pause()

    ui.run(check)


# -- command palette ---------------------------------------------------------------------


def test_preset_system_command_applies_the_preset(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {f"Preset: {name}" for name in PRESETS} <= set(commands)
        commands["Preset: spiral"].callback()
        await settle(pilot)
        expected = PRESETS["spiral"].config()
        assert app.channel.latest.config == expected
        assert app.query_one(ParamsPanel).config == expected
        assert app.query_one("#field-dataset", Select).value == "spiral"
        assert app.channel.latest.network.sizes == [4, 8, 8, 8, 2]
        assert any(m.startswith("preset spiral:") for m in messages(app))

    ui.run(check)


def test_command_palette_preset_by_keyboard(ui):
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_keys(pilot, "Preset: moons")
        await wait_until(
            lambda: "Preset: moons" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt),
            timeout=60,
            what="the palette to find the preset",
        )
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert app.channel.latest.config == PRESETS["moons"].config()
        assert app.channel.latest.step == 0  # the typed letters did not train

    ui.run(check)


async def test_keys_are_handled_while_the_kernel_trains(make_app):
    """With the compiled kernel (numba, which the test extras install), as the app trains by default.

    The kernel releases the GIL while it trains, so the UI thread handles keys meanwhile. On the
    numpy fallback the worker holds the GIL between numpy calls, and every numpy call of the UI
    thread that releases it costs a hand-over: keys then take several hundred ms on a loaded
    machine. The latency itself is benchmarks/bench_keypress.py's measure (``--engine numba``),
    not a bound here: a bound fails on any loaded machine.
    """
    pytest.importorskip("numba")
    from nnplay.core.engine import kernel_numba
    from nnplay.core.engine.kernel import load_kernel

    assert load_kernel() is not None  # compiled (or loaded from numba's cache) once per process
    for compiled in (kernel_numba.train_steps, kernel_numba.sgd_per_sample):
        assert compiled.targetoptions.get("nogil") is True, f"{compiled.__name__} must release the GIL"
    app = make_app(CONFIG, start_worker=True, use_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.step > 0, what="training to start")
        # The app loads the kernel 1.5 s after start, in the background.
        await wait_until(lambda: app.channel.latest.engine == "numba", timeout=60, what="the kernel")
        for press in range(7):
            before = app.view.discretize
            steps = app.channel.latest.step
            await send_key(pilot, "d")
            await wait_until(lambda b=before: app.view.discretize != b, timeout=60, what=f"d (press {press + 1})")
            assert app.channel.running  # still training flat out throughout
            await wait_until(lambda s=steps: app.channel.latest.step > s, timeout=60, what="more steps after the key")
