"""The compare screen's two runs, each in a trainer process of its own (tui/run/comparison_process.py):
the screen only draws, a killed child is said in one line and the app goes on, and no child
outlives the screen or the app however it ends."""

from __future__ import annotations

import os
import signal

import pytest
from textual.widgets import Input

from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.run.comparison_process import ComparisonProcesses
from nnplay.tui.screens.compare_screen import CompareApp, CompareScreen
from tests.tui.test_compare_screen import status
from tests.tui.test_trainer_process import gone, start_stand_in_app, wait_for
from tests.tui.waiting import wait_until

pytestmark = pytest.mark.slow  # processes of their own

BASE = PRESETS["circle"].config(optimizer="sgd", iterations=300)


def children_of(channel: ComparisonProcesses) -> list[int]:
    return [side.child.pid for side in channel.sides]


async def test_each_run_trains_in_its_own_process_and_the_screen_only_draws():
    comparison = Comparison(BASE, parse_comparison("lr=0.03,lr=3"))
    app = CompareApp(comparison, trainer_process=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CompareScreen) and isinstance(screen.channel, ComparisonProcesses)
        assert not app.workers  # no thread of the app trains: the children do
        first, second = children = children_of(screen.channel)
        assert first != second and os.getpid() not in children and not any(map(gone, children))
        await pilot.press("t")
        await wait_until(
            lambda: [s.step for s in screen.channel.latest] == [300, 300] and not screen.running,
            what="300 steps in each child",
        )
        assert [t.step_count for t in comparison.trainers] == [0, 0]  # this process trained nothing
        a, b = screen.channel.latest
        assert a.metrics.train_loss != b.metrics.train_loss
        screen.draw_frame()
        assert "step 300" in status(screen, 0) and "lr 3" in status(screen, 1)
        await pilot.press("r")
        await wait_until(lambda: [s.step for s in screen.channel.latest] == [0, 0], what="the reset")
        await pilot.press("space")
        await wait_until(lambda: all(s.step > 0 for s in screen.channel.latest), what="both training")
        await pilot.press("escape")
        await wait_until(lambda: not app.is_running, what="the app to quit")
    assert all(side.child.poll() is not None for side in screen.channel.sides)


def test_the_two_processes_train_in_step_though_one_run_costs_far_more_a_step() -> None:
    """Whole-set batches against one point a batch: on its own the cheap run takes 3x the steps
    (measured); in step, the one that leads waits for the other (tui/run/pace.py)."""
    comparison = Comparison(BASE.replace(iterations=10**8), parse_comparison("batch_size=1,batch_size=125"))
    channel = ComparisonProcesses(comparison)
    try:
        channel.toggle_run()
        wait_for(lambda: min(s.step for s in channel.latest) >= 3000, "3,000 steps each")
        channel.pause()
        wait_for(lambda: not channel.running, "the pause")
        cheap, dear = (s.step for s in channel.latest)
        assert 3000 <= dear and cheap <= 1.5 * dear, (cheap, dear)
        step = max(cheap, dear)
        channel.toggle_run()  # a partner that pauses holds nobody up: the other goes on alone
        channel.sides[1].pause()
        wait_for(lambda: channel.latest[0].step > step + 5000, "the cheap run to go on alone")
    finally:
        channel.close()


async def test_a_killed_child_is_said_in_one_line_the_other_trains_on_and_r_starts_it_again():
    comparison = Comparison(BASE, parse_comparison("lr=0.03,lr=3"))
    app = CompareApp(comparison, trainer_process=True)
    async with app.run_test(size=(80, 24)) as pilot:
        channel = app.screen.channel
        await pilot.press("n")
        await wait_until(lambda: [s.step for s in channel.latest] == [1, 1], what="a step each")
        os.kill(channel.sides[1].child.pid, signal.SIGKILL)
        await wait_until(
            lambda: any("killed" in n.message for n in app._notifications), what="the line", between=pilot.pause
        )
        (said,) = [n.message for n in app._notifications if "killed" in n.message]
        assert said.startswith("lr=3: the trainer process was killed (SIGKILL)") and "\n" not in said
        assert app.is_running and isinstance(app.screen, CompareScreen)
        last = channel.latest[1]
        await pilot.press("n")  # the live run steps; the dead one's picture stays
        await wait_until(lambda: channel.latest[0].step == 2, what="the live run's step")
        assert channel.latest[1] is last
        await pilot.press("r")
        await wait_until(lambda: channel.sides[1].dead is None, what="a new child")
        assert channel.latest[0].step == 2  # r started the dead run again; the live one is untouched
        await pilot.press("n")
        await wait_until(lambda: [s.step for s in channel.latest] == [3, 2], what="a step in each child")
        app.exit()  # quitting with the screen open ends its children too
    assert all(side.child.poll() is not None for side in channel.sides)


async def test_closing_the_compare_screen_ends_its_children_and_the_app_goes_on(make_app):
    base = BASE.replace(optimizer="momentum")
    app = make_app(base, start_worker=True, trainer_process=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            command = next(c for c in app.get_system_commands(app.screen) if c.title == "Compare two runs")
            command.callback()
            await pilot.pause()
            app.screen.query_one(Input).value = "momentum=0,momentum=0.9"
            await pilot.press("enter")
            await wait_until(lambda: isinstance(app.screen, CompareScreen), what="the compare screen")
            channel = app.screen.channel
            assert isinstance(channel, ComparisonProcesses)  # as the app's own run: in a process
            await pilot.press("space")
            await wait_until(lambda: all(s.step > 0 for s in channel.latest), what="both training")
            await pilot.press("escape")
            await wait_until(lambda: not isinstance(app.screen, CompareScreen), what="the screen to close")
            assert all(side.child.poll() is not None for side in channel.sides)
            assert app.channel.child.poll() is None  # the app's own run is untouched
    finally:
        app.channel.close()


CHILDREN_OF = """
import time
from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.comparison_process import ComparisonProcesses
base = TrainConfig(dataset="xor", train_size=200, layers=(4,))
channel = ComparisonProcesses(Comparison(base, parse_comparison("lr=0.03,lr=3")))
channel.toggle_run()
while any(s.latest.step == 0 and s.dead is None for s in channel.sides):
    time.sleep(0.01)
print(*(s.child.pid for s in channel.sides), *(s.dead or "" for s in channel.sides), flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("ending", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_no_compare_child_outlives_the_app(ending) -> None:
    app = start_stand_in_app(CHILDREN_OF)
    try:
        first, second, *dead = app.stdout.readline().split()
        children = [int(first), int(second)]
        assert not dead, f"a trainer process {' '.join(dead)}"
        assert not any(map(gone, children))
        app.send_signal(ending)
        app.wait(60)
        wait_for(lambda: all(map(gone, children)), f"both trainer processes to end with the app ({ending.name})")
    finally:
        app.kill()
        app.wait()
