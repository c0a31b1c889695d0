"""Fuzz: random keys, clicks, scrolls and resizes (40x12 to 160x50) while the trainer runs.

The events come from ``benchmarks/fuzz_events.py``, which ``benchmarks/soak.py`` sends for
minutes; here a short seeded stream runs in CI. Save and load prompts are answered with
paths in ``tmp_path`` (good, missing folder, garbage file, markup characters), so ctrl+s and
ctrl+o are part of the stream. Afterwards the app must still be running (``run_test`` would
raise the app's exception on exit), show no error notification the user did not cause on
purpose, train on n and space, and draw the plot in braille.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Static

from benchmarks.fuzz_events import KEYS, Fuzzer, StepCounter, event_stream, wait_until
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.widgets.weight_diagram import Selection, WeightDiagram

# 200 events in CI, as two streams that xdist can run side by side; the soak sends thousands.
EVENTS = 100
SEEDS = (11, 12)


def test_the_stream_covers_every_app_key_but_quit():
    keys = {b.key for b in NNPlayApp.BINDINGS} - {"q"}
    assert keys <= set(KEYS)
    drawn = list(event_stream(1, 3000))
    assert drawn == list(event_stream(1, 3000)), "the same seed must give the same events"
    assert {e.kind for e in drawn} == {"key", "click", "scroll", "resize", "wait"}
    assert keys <= {e.key for e in drawn}
    sizes = [(e.width, e.height) for e in drawn if e.kind == "resize"]
    widths, heights = [w for w, _ in sizes], [h for _, h in sizes]
    assert 40 == min(widths) <= max(widths) <= 160 and 12 == min(heights) <= max(heights) <= 50
    assert any(w < 60 or h < 16 for w, h in sizes), "some resizes go below the app's minimum size"


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_events_while_training(make_app, seed: int, tmp_path: Path) -> None:
    app = make_app(PRESETS["circle"].config(), start_worker=True)
    started = time.perf_counter()
    with StepCounter() as counter:
        async with app.run_test(size=(120, 40)) as pilot:
            fuzz = Fuzzer(pilot, tmp_path, seed)
            await fuzz.key("space")
            await fuzz.run(event_stream(seed, EVENTS))
            assert fuzz.events_done == EVENTS
            steps_during_fuzz = counter.steps

            await fuzz.back_to_normal((120, 40))
            await fuzz.check_trains()
            await fuzz.resize(70, 18)  # small, but at least the minimum size
            await wait_until(lambda: not app.screen.has_class("-too-small"), "the app to fit 70x18 again")
            braille = await fuzz.plot_braille()
            points, plot = len(app.channel.latest.data.X_train), app.query_one("ScatterPlot").size
            drawn = f"{points} points, the plot {plot}, {app.view}"
            unexpected = fuzz.unexpected_errors()
        # run_test has exited: it raises here if the app died of an exception meanwhile.
    elapsed = time.perf_counter() - started
    print(f"\nfuzz seed {seed}: {EVENTS} events, {steps_during_fuzz:,} steps trained meanwhile, {elapsed:.1f} s")
    assert steps_during_fuzz > 0, "the trainer should have trained during the fuzz"
    assert braille > 20, f"the plot should draw its points in braille, not {braille} cells: {drawn}"
    assert unexpected == [], f"error notifications nobody asked for: {unexpected}"
    assert app.return_code in (0, None)


async def test_a_connection_selected_then_hidden_by_w_survives_a_smaller_network(make_app, tmp_path: Path) -> None:
    """Found by the soak: select a weight from the third input ([ three times), hide the diagram
    with w, reset to two inputs: the next frame's inspector asked the new network for input 3
    and the app died with ValueError."""
    config = PRESETS["circle"].config(features=("x", "y", "xy"))
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        fuzz = Fuzzer(pilot, tmp_path)
        for key in ("right_square_bracket", "right_square_bracket", "right_square_bracket", "w"):
            await fuzz.key(key)
        # The fuzzer posts keys without waiting for each to be handled: wait for the last one's effect.
        await wait_until(
            lambda: app.view.evolution and app.view.selection == Selection(1, 0, 2),
            "the third input's weight selected and the diagram hidden by w",
        )
        app.channel.reset(config.replace(features=("x", "y")))
        app.channel._handle_commands(block=False)
        app.draw_frame()
        await fuzz.settle()
        assert app.is_running and app.channel.latest.network.sizes[0] == 2
        await fuzz.key("w")  # the diagram again: a selection of the new network
        app.draw_frame()
        await fuzz.settle()
        assert app.query_one(WeightDiagram).selection == Selection(1, 0)
        assert "layer 1 neuron 1: bias" in str(app.query_one("#inspector", Static).render())


async def test_a_key_bound_on_the_diagram_acts_where_the_diagram_takes_it(make_app) -> None:
    """ "]" is bound on the diagram. Left to bubble up to the app, it was looked up there only
    once its hops were done; on a busy machine a "w" behind it in the same burst had hidden the
    diagram by then, and the key was lost (the test above found a selection one weight short).
    The diagram runs the binding as it takes the key, before the next key is looked at."""
    app = make_app(PRESETS["circle"].config(features=("x", "y", "xy")))
    async with app.run_test(size=(120, 40)):
        diagram = app.query_one(WeightDiagram)
        await wait_until(lambda: app.focused is diagram and app.view.selection.source is None, "the diagram focused")
        key = events.Key("right_square_bracket", "]")
        app.key_route.send(key, diagram, priority_checked=True)  # as the app sends a key from the terminal
        await diagram._on_key(key)
        assert app.view.selection == Selection(1, 0, 0)
