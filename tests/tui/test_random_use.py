"""Random keys, clicks and resizes while training runs: the app survives and keeps training."""

from __future__ import annotations

import asyncio
import random

from textual import events

from nnplay.core.settings.presets import PRESETS
from tests.tui.waiting import send_click, wait_until

# Every app key except quit and the two that open file prompts (a prompt would swallow the rest).
KEYS = ["space", "n", "e", "t", "c", "r", "R", "v", "d", "T", "h", "H", "w", "x", "escape", "a", "1", "2",
        "backspace", "up", "down", "left", "right", "left_square_bracket", "right_square_bracket", "enter",
        "comma", "full_stop", "g", "l", "s", "tab", "question_mark", "escape"]  # fmt: skip
CHARACTERS = {"space": " ", "comma": ",", "full_stop": ".", "question_mark": "?", "left_square_bracket": "[",
              "right_square_bracket": "]"}  # fmt: skip
EVENTS = 200
SIZES = [(40, 12), (59, 15), (80, 24), (120, 40), (160, 50), (100, 30)]


async def test_random_keys_clicks_and_resizes_while_training(make_app) -> None:
    rng = random.Random(7)
    app = make_app(PRESETS["circle"].config(), start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        for _ in range(EVENTS):
            kind = rng.random()
            if kind < 0.88:
                # Posted as the terminal driver would: pilot.press waits for an idle app,
                # which never comes while the worker trains.
                key = rng.choice(KEYS)
                app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
                await asyncio.sleep(0.02)
            elif kind < 0.96:
                w, h = app.size
                await send_click(pilot, rng.randrange(max(w, 1)), rng.randrange(max(h, 1)))
                await asyncio.sleep(0.02)
            else:
                await pilot.resize_terminal(*rng.choice(SIZES))
            if len(app.screen_stack) > 1:  # close a help, explain or edit prompt that a key opened
                app.post_message(events.Key("escape", None))
                await asyncio.sleep(0.05)
        # Back to a normal state: live, no modal, running.
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
        await pilot.resize_terminal(120, 40)
        await pilot.press("l", "r")
        await wait_until(lambda: not app.channel.running, what="r to stop the run", between=pilot.pause)
        await pilot.press("space")
        await wait_until(lambda: app.channel.running, what="space to start the run", between=pilot.pause)
        first = app.channel.latest.step
        await wait_until(lambda: app.channel.latest.step > first, what="training to go on after the random use")
        await pilot.press("space")
