"""Keys typed in the first moments of the standalone app land where they were typed, in order:
the panel's fields are composed after the first frame, and a key typed before they exist waits
for them instead of going to the app (a "." in "0.25" started time travel)."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.startup import AFTER_FIRST_FRAMES
from nnplay.tui.widgets.params_panel import ParamsPanel
from tests.tui.waiting import send_key, wait_until

CONFIG = PRESETS["seed-v2"].config(train_size=200)
TAB = ("tab", "\t")
# tab into the panel and on to the noise field, "0.25", tab, a train size: as a user types at start-up
BURST = [TAB] * 4 + [(c if c != "." else "full_stop", c) for c in "0.25"] + [TAB, ("3", "3"), ("0", "0"), ("0", "0")]


async def _type(pilot, keys, paced: bool = False) -> None:
    for key, character in keys:
        await send_key(pilot, key, character)
        if paced:  # as a person types: each key handled before the next
            await pilot.pause()


async def _typed_after_panel_is_up(make_app, keys) -> tuple[str | None, object, object]:
    app = make_app(CONFIG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _type(pilot, keys, paced=True)
        await pilot.pause()
        focused = app.focused
        value = focused.value if isinstance(focused, Input) else None
        return (focused.id if focused else None), value, app.query_one(ParamsPanel).config


@pytest.mark.parametrize("burst", [BURST, [*BURST, ("enter", "\r")]])
async def test_keys_typed_before_the_panel_exists_reach_it(make_app, monkeypatch, burst) -> None:
    monkeypatch.setattr("nnplay.tui.app.startup.freeze_startup_objects", lambda: None)
    expected = await _typed_after_panel_is_up(make_app, burst)
    assert expected[2].noise == 0.25, "typed one by one, the keys fill the fields"

    app = make_app(CONFIG, standalone=True)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(ParamsPanel)
        assert panel.deferred, "the keys are typed before the panel's fields exist"
        await _type(pilot, burst)
        await wait_until(lambda: not panel.deferred and not panel.composing, what="the panel's fields")
        await wait_until(lambda: not app.startup.keys.holding, what="the held keys to be handed on")
        await pilot.pause()
        assert app.view.travel is None, "a typed '.' went to the app as time travel"
        focused = app.focused
        assert (focused.id, focused.value if isinstance(focused, Input) else None, panel.config) == expected


async def test_space_typed_before_the_panel_exists_starts_training(make_app, monkeypatch) -> None:
    monkeypatch.setattr("nnplay.tui.app.startup.freeze_startup_objects", lambda: None)
    app = make_app(CONFIG, standalone=True, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.query_one(ParamsPanel).deferred
        await send_key(pilot, "space", " ")
        await wait_until(lambda: app.channel.running, what="space to start the run")


def _panel_build_waits_for(monkeypatch, go_on: asyncio.Event) -> None:
    """The panel's fields are composed only once ``go_on`` is set: what a busy machine does slowly."""
    build = ParamsPanel.build

    async def slow_build(panel: ParamsPanel, **kwargs) -> None:
        await go_on.wait()
        await build(panel, **kwargs)

    monkeypatch.setattr(ParamsPanel, "build", slow_build)
    monkeypatch.setattr("nnplay.tui.app.startup.freeze_startup_objects", lambda: None)


async def _released(go_on: asyncio.Event, check) -> None:
    """Run ``check`` while the panel waits; release it however the check ends (else the app's exit hangs)."""
    try:
        await check()
    finally:
        go_on.set()


@pytest.mark.parametrize("key", ["space", "n", "e", "t"])
async def test_a_run_key_typed_before_the_panel_exists_acts_at_once(make_app, monkeypatch, key) -> None:
    """Space pressed as the plot appears started training only once the panel's fields were up
    (1-4 s later on a busy machine): a key that acts on the run alone, with no key typed before it
    waiting, is not held."""
    go_on = asyncio.Event()
    _panel_build_waits_for(monkeypatch, go_on)
    app = make_app(CONFIG, standalone=True, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:

        async def check() -> None:
            await wait_until(lambda: app.frames.clock.frames > 0, what="the first frame")
            await send_key(pilot, key, " " if key == "space" else key)
            await wait_until(lambda: app.channel.latest.step > 0, 20, f"{key} to train while the panel is not built")
            assert app.query_one(ParamsPanel).deferred or app.query_one(ParamsPanel).composing

        await _released(go_on, check)
        await wait_until(lambda: not app.startup.keys.holding, what="the panel to be up")


async def test_a_run_key_typed_after_a_tab_waits_for_the_field_it_was_typed_into(make_app, monkeypatch) -> None:
    """Three tabs lead to the csv file field: an "n" typed after them is the field's text, not a step."""
    go_on = asyncio.Event()
    _panel_build_waits_for(monkeypatch, go_on)
    app = make_app(CONFIG, standalone=True, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: app.frames.clock.frames > 0, what="the first frame")
        await _type(pilot, [TAB, TAB, TAB, ("n", "n")])
        go_on.set()
        await wait_until(lambda: not app.startup.keys.holding, what="the held keys to be handed on")
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "field-csv_path" and focused.value == "n"
        assert app.channel.latest.step == 0


async def test_the_kernel_loads_once_the_panel_is_up(make_app, monkeypatch) -> None:
    """Importing numba holds the GIL for ~0.5 s: it waits until the panel's fields are composed."""
    go_on = asyncio.Event()
    _panel_build_waits_for(monkeypatch, go_on)
    loads: list[bool] = []  # whether the panel's fields existed at each load
    app = make_app(CONFIG, standalone=True, start_worker=True, use_kernel=True)
    monkeypatch.setattr(app, "load_kernel", lambda: loads.append(bool(app.query_one(ParamsPanel).query(Input))))
    async with app.run_test(size=(120, 40)) as pilot:

        async def check() -> None:
            await wait_until(lambda: app.frames.clock.frames > 0, what="the first frame")
            await pilot.pause(AFTER_FIRST_FRAMES + 0.5)  # what does not happen: no load while the panel waits
            assert loads == []

        await _released(go_on, check)
        await wait_until(lambda: loads == [True], what="the kernel to load once the panel is up")


async def test_q_quits_when_the_terminal_is_too_small_for_the_plane(make_app, monkeypatch) -> None:
    """Held keys are handed on even when no plane is ever drawn to wait for."""
    monkeypatch.setattr("nnplay.tui.app.startup.freeze_startup_objects", lambda: None)
    app = make_app(CONFIG, standalone=True)
    async with app.run_test(size=(50, 12)) as pilot:
        await send_key(pilot, "q")
        await wait_until(lambda: app.startup.exiting, what="q to quit")
