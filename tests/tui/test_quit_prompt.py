"""``q`` with unsaved work asks first (tui/screens/quit_prompt.py): no key loses data without a way back.

Each test that quits starts its own app (a quit ends it). Where nothing trains in the
background the worker is off and ``settle`` runs the queued run-channel commands here; the save
tests run the real worker, as the app does.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nnplay.core.files.session_file import load_session
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.run.channel import DATA_EDIT, REWIND, WEIGHT_EDIT, AppRunChannel
from nnplay.tui.screens.path_prompt import PathPrompt
from nnplay.tui.screens.quit_prompt import QuitPrompt, unsaved_text
from nnplay.tui.widgets.params_panel import ParamsPanel
from tests.tui.app_thread import settle, without_notice
from tests.tui.channel_driving import handled
from tests.tui.waiting import send_key, wait_until

SIZE = (120, 40)
CONFIG = PRESETS["seed-v2"].config(train_size=200)


def lost(app) -> str:
    assert isinstance(app.screen, QuitPrompt), f"the quit question is not open: {app.screen!r}"
    return str(app.screen.query_one("#lost", Static).render())


def asking(app) -> bool:
    """Whether the quit question is on screen, composed."""
    return isinstance(app.screen, QuitPrompt) and bool(app.screen.query("#lost"))


def save_prompt_ready(app) -> bool:
    """Whether the save prompt is on screen, composed, with its path field focused (to type into)."""
    return isinstance(app.screen, PathPrompt) and getattr(app.focused, "id", None) == "answer"


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def type_text(pilot: Pilot, text: str) -> None:
    names = {"-": "minus", ".": "full_stop", "/": "slash", "_": "underscore"}
    for character in text:
        await send_key(pilot, names.get(character, character), character)
        await pilot.pause(0)


async def press_special(pilot: Pilot, key: str) -> None:
    """A key with no character (enter, escape), posted as the terminal driver posts it."""
    pilot.app.post_message(events.Key(key, None))
    await asyncio.sleep(0)


# -- what counts, and how it is said -------------------------------------------------------------


def test_the_unsaved_work_is_said_counted() -> None:
    assert unsaved_text(12_345, {DATA_EDIT: 3}) == "12,345 training steps and 3 data edits are not saved"
    assert unsaved_text(1, {}) == "1 training step is not saved"
    assert unsaved_text(0, {WEIGHT_EDIT: 1}) == "1 weight edit is not saved"
    assert unsaved_text(0, {DATA_EDIT: 2}) == "2 data edits are not saved"
    assert unsaved_text(7, {REWIND: 2, WEIGHT_EDIT: 1, DATA_EDIT: 1}) == (
        "7 training steps, 1 data edit, 1 weight edit and 2 rewinds of the run are not saved"
    )


def test_the_channel_counts_its_unsaved_edits_by_kind() -> None:
    channel = AppRunChannel(Trainer(CONFIG))
    channel.undo()  # nothing to undo: nothing changed, nothing to lose
    assert not handled(channel).unsaved and channel.unsaved_edits == {}
    channel.add_point(0.1, 0.2, 0)
    channel.remove_nearest(0.1, 0.2)
    channel.set_parameter(0, 0.5, "weight")
    assert handled(channel).unsaved_edits == {DATA_EDIT: 2, WEIGHT_EDIT: 1}
    channel.undo()  # takes back the weight: a change to the weights again, not yet in any file
    channel.undo()
    assert handled(channel).unsaved_edits == {DATA_EDIT: 3, WEIGHT_EDIT: 2}
    channel.step(10)
    channel.resume_from(handled(channel).latest.timeline[0])
    assert handled(channel).unsaved_edits[REWIND] == 1 and channel.unsaved_steps == 10


# -- the app ---------------------------------------------------------------------------------------


async def test_q_quits_at_once_when_nothing_is_unsaved(make_app) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        assert not app.channel.unsaved
        await pilot.press("q")
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit")
        assert not any(isinstance(s, QuitPrompt) for s in app.screen_stack)
    assert app.return_code == 0


async def test_q_with_unsaved_work_asks_and_escape_or_n_stays(make_app) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")
        await settle(pilot)
        assert app.channel.unsaved_steps == 3
        for stay in ("escape", "n"):
            await pilot.press("q")
            await wait_until(lambda: asking(app), what="the question", between=pilot.pause)
            assert lost(app) == "3 training steps are not saved."
            await pilot.press(stay)
            await wait_until(lambda: not isinstance(app.screen, QuitPrompt), what="the question to close",
                             between=pilot.pause)  # fmt: skip
            assert app.is_running
        # Back in the app with its keys: n steps again, the run is as it was.
        await pilot.press("n")
        await settle(pilot)
        assert app.channel.latest.step == 4
    assert app.return_code is None or app.return_code == 0  # run_test ended it, not q


@pytest.mark.parametrize("answer", ["q", "y"])
async def test_q_then_q_or_y_quits_anyway(make_app, answer: str) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "1", "1")  # edit the data: two points at the cursor
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("q")
        await wait_until(lambda: asking(app), what="the question", between=pilot.pause)
        assert lost(app) == "1 training step and 2 data edits are not saved."
        await pilot.press(answer)
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit")
    assert app._exit and app.return_code == 0


async def test_ctrl_q_twice_quits_while_typing_in_a_field(make_app) -> None:
    """ctrl+q is q's twin in a field (where q is text): it asks, and a second ctrl+q answers."""
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        field = app.query_one(ParamsPanel).query(Input).first()
        field.focus()  # takes effect on a later turn of the loop
        await wait_until(app.typing, what="the field to have the keys", between=pilot.pause)
        await pilot.press("ctrl+q")
        await wait_until(lambda: asking(app), what="the question", between=pilot.pause)
        assert lost(app) == "1 training step is not saved."
        await pilot.press("ctrl+q")
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit")
    assert app._exit and app.return_code == 0


async def test_the_count_follows_the_run_training_behind_the_question(make_app) -> None:
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.latest.step > 0, what="training to start")
        await send_key(pilot, "q")
        await wait_until(lambda: asking(app), timeout=60, what="the question")
        first = lost(app)
        await wait_until(lambda: lost(app) != first, timeout=60, what="the count to move on")
        steps = int(lost(app).split()[0].replace(",", ""))
        assert steps > int(first.split()[0].replace(",", ""))
        assert steps <= app.channel.unsaved_steps
        await press_special(pilot, "escape")
        await wait_until(lambda: not isinstance(app.screen, QuitPrompt), timeout=60, what="the question to close")
        assert app.channel.running  # staying did not stop the run


async def test_s_saves_a_loadable_session_then_quits(make_app, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative path: typing costs a round trip per key
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await send_key(pilot, "n")
        await wait_until(lambda: app.channel.latest.step == 5, timeout=60, what="five steps")
        params = np.array(app.channel.latest.network.params)
        await send_key(pilot, "q")
        await wait_until(lambda: asking(app), timeout=60, what="the question")
        await send_key(pilot, "s")
        await wait_until(lambda: save_prompt_ready(app), timeout=60, what="the save prompt, its field focused")
        assert app.screen.query_one("#answer", Input).value == "nnplay-session.npz"  # the app's own save path
        await type_text(pilot, "quit-1.npz")
        await press_special(pilot, "enter")
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit after the save")
    assert app._exit and app.return_code == 0
    loaded = load_session(tmp_path / "quit-1.npz")
    assert loaded.step_count == 5 and loaded.config == CONFIG
    np.testing.assert_array_equal(loaded.net.params, params)
    assert not app.channel.unsaved


async def test_a_failed_save_says_so_and_stays(make_app, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(CONFIG, start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_key(pilot, "n")
        await wait_until(lambda: app.channel.latest.step == 1, timeout=60, what="a step")
        await send_key(pilot, "q")
        await wait_until(lambda: asking(app), timeout=60, what="the question")
        await send_key(pilot, "s")
        await wait_until(lambda: save_prompt_ready(app), timeout=60, what="the save prompt, its field focused")
        await type_text(pilot, "nowhere/x.npz")  # no such folder
        await press_special(pilot, "enter")
        said = f"not quit: could not save nowhere/x.npz: folder '{tmp_path / 'nowhere'}' does not exist"
        await wait_until(lambda: said in notices(app), timeout=60, what="the failure to be said")
        await asyncio.sleep(0.3)  # several frames: nothing else is queued to quit
        assert app.is_running and len(app.screen_stack) == 1
        assert app.channel.unsaved_steps == 1
        assert not (tmp_path / "nowhere").exists()
        # The work is still there, and the question still guards it.
        await send_key(pilot, "q")
        await wait_until(lambda: asking(app), timeout=60, what="the question again")
        await send_key(pilot, "y")
        await wait_until(lambda: not app.is_running, timeout=60, what="the app to exit")
    assert app.return_code == 0


async def test_escape_in_the_save_prompt_stays_with_nothing_lost(make_app) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("q", "s")
        await wait_until(lambda: isinstance(app.screen, PathPrompt), what="the save prompt", between=pilot.pause)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.is_running
        assert app.channel.unsaved_steps == 1


def test_quit_question_80x24(make_app, snap_compare, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    trainer = Trainer(PRESETS["seed-v2"].config())

    async def ask(pilot: Pilot) -> None:
        app = pilot.app
        await pilot.press("a", "1", "2", "a")  # two data edits, then out of editing
        await settle(pilot)
        await pilot.press("n", "n", "n")
        await settle(pilot)
        app.clear_notifications()
        await without_notice(pilot)  # and the plot redrawn at the size the emptied line gives it
        await pilot.press("q")
        await wait_until(lambda: asking(app), what="the question", between=pilot.pause)
        assert lost(app) == "3 training steps and 2 data edits are not saved."

    assert snap_compare(make_app(trainer), terminal_size=(80, 24), run_before=ask)
