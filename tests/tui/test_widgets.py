"""The plot, the diagram, the inspector and the status line inside the running app.

All but the divergence test (which trains on the real worker thread) share one app with
the worker off; ``show`` puts it on the trainer each test needs.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.model.inspector import inspector_text
from nnplay.tui.model.plot_geometry import Y_GUTTER, plane_aspect
from nnplay.tui.model.status_text import status_note
from nnplay.tui.raster.diagram_geometry import connection_of
from nnplay.tui.widgets.metrics import Metrics
from nnplay.tui.widgets.params_panel import ParamsPanel
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from nnplay.tui.widgets.weight_diagram import Selection, WeightDiagram
from tests.tui.app_thread import AppThread, without_notice
from tests.tui.waiting import send_key, wait_until

SIZE = (120, 40)
CONFIG = PRESETS["seed-v2"].config(train_size=200)
WHITE = (255, 255, 255)


def trained(config: TrainConfig = CONFIG, steps: int = 800) -> Trainer:
    trainer = Trainer(config)
    trainer.step(steps)
    trainer.evaluate()
    return trainer


async def settle(pilot) -> None:
    app = pilot.app
    await pilot.pause(0)
    app.channel._handle_commands(block=False)
    app.draw_frame()
    await pilot.pause()


@pytest.fixture(scope="module")
def ui(make_app) -> AppThread:
    runner = AppThread(make_app(CONFIG), SIZE)
    yield runner
    runner.close()
    assert not runner._thread.is_alive()


async def show(pilot: Pilot, trainer: Trainer) -> None:
    """Put the shared app on ``trainer``, as if it had just started with it."""
    app = pilot.app
    if (app.size.width, app.size.height) != SIZE:
        await pilot.resize_terminal(*SIZE)
    app.channel.replace(trainer)
    app.query_one(ParamsPanel).load_config(trainer.config)
    diagram = app.query_one(WeightDiagram)
    app.set_view(selection=Selection(1, 0))
    diagram.focus()
    # Under load a frame can run before the queued replace is handled: settle until the panes
    # show the new network (the assertions below still check every detail).
    await settle(pilot)
    await wait_until(
        lambda: (
            app.query_one(ScatterPlot).frame.snapshot is app.channel.latest
            and diagram.data is not None
            and diagram.data.sizes == trainer.net.sizes
        ),
        what="the panes to show the new network",
        between=lambda: settle(pilot),
    )
    await without_notice(pilot)
    assert app.channel.latest.step == trainer.step_count
    assert app.query_one(ScatterPlot).frame.snapshot is app.channel.latest


def cells(strip) -> list[tuple[str, Style]]:
    """One (character, style) per cell of a rendered line."""
    return [(ch, seg.style or Style()) for seg in strip for ch in seg.text]


def text_of(strip) -> str:
    return "".join(seg.text for seg in strip)


def status(app: NNPlayApp) -> str:
    return str(app.query_one("#status", Static).render())


# -- scatter plot ----------------------------------------------------------------------------


def test_plot_draws_braille_points_region_backgrounds_and_axes(ui):
    trainer = trained()

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        plot = app.query_one(ScatterPlot)
        lines = plot._lines
        width, height = plot.size
        assert len(lines) == height
        assert all(line.cell_length == width for line in lines)
        box = plot.frame.box
        assert abs(plane_aspect(box) - 1) <= 0.1  # square on screen
        plane = lines[box.top : box.top + box.height]
        body = [cells(line)[box.left : box.left + box.width] for line in plane]
        braille = sum(1 for row in body for ch, _ in row if 0x2801 <= ord(ch) <= 0x28FF)
        assert braille > 50  # 200 training points, a few per cell
        backgrounds = {style.bgcolor for row in body for _, style in row}
        assert None not in backgrounds  # every cell has a region colour
        assert len(backgrounds) >= 4  # several classes, several confidence levels
        # Axes: extent 1 for quadrants, labels on the left and along the bottom.
        extent = app.channel.latest.data.extent
        label = box.left - Y_GUTTER
        assert text_of(plane[0])[label:].startswith(f"{extent:g}".rjust(Y_GUTTER - 1) + "│")
        assert text_of(plane[box.height // 2])[label:].startswith("0".rjust(Y_GUTTER - 1) + "│")
        bottom = text_of(lines[box.top + box.height])
        assert bottom.lstrip().startswith(f"└{-extent:g}─")
        assert bottom.rstrip().endswith(f"─{extent:g}")
        assert "─0─" in bottom
        # The legend in the room left over names every class.
        legend = "".join(text_of(line) for line in lines[box.top + box.height + 1 :])
        assert all(f"{c + 1} {name}" in legend for c, name in enumerate(app.channel.latest.data.class_names))

    ui.run(check)


def test_plot_redraws_only_for_a_new_snapshot_or_size(ui):
    trainer = Trainer(CONFIG)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        plot = app.query_one(ScatterPlot)
        drawn = plot.frames_drawn
        frames = app.frames.clock.frames
        for _ in range(3):
            app.draw_frame()
        plot.show(app.frames.frame)  # the frame on screen again
        await pilot.pause(0.2)  # three frame-timer ticks at 15 fps
        assert plot.frames_drawn == drawn
        assert app.frames.clock.frames == frames  # no new snapshot, nothing drawn

        await pilot.press("n")
        await settle(pilot)
        assert plot.frames_drawn == drawn + 1
        assert plot.frame.snapshot.step == 1
        app.draw_frame()
        assert plot.frames_drawn == drawn + 1

        await pilot.resize_terminal(100, 36)
        # The app redraws once the panes have their new sizes: after a refresh, not with the resize.
        await wait_until(lambda: plot.frames_drawn > drawn + 1 and len(plot._lines) == plot.size.height,
                         what="the plot redrawn at its new size", between=pilot.pause)  # fmt: skip
        resized = plot.frames_drawn
        await pilot.pause(0.2)
        app.draw_frame()
        assert plot.frames_drawn == resized

    ui.run(check)


def test_points_are_in_their_true_colour_and_misclassified_ones_underlined(ui):
    trainer = trained(steps=300)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        plot = app.query_one(ScatterPlot)
        snap = app.channel.latest
        box = plot.frame.box
        width, height = box.width, box.height
        extent = snap.data.extent
        X, y = snap.data.X_train, snap.data.y_train
        wrong = snap.drawing_layers(X)[-1].argmax(axis=1) != y
        assert 0 < wrong.sum() < len(y), "the test needs some right and some wrong predictions"
        col = np.minimum(((X[:, 0] + extent) / (2 * extent) * width).astype(int), width - 1)
        row = np.minimum(((extent - X[:, 1]) / (2 * extent) * height).astype(int), height - 1)
        expected = set(zip(row[wrong].tolist(), col[wrong].tolist(), strict=True))
        with_points = set(zip(row.tolist(), col.tolist(), strict=True))
        plane = [cells(line)[box.left : box.left + width] for line in plot._lines[box.top : box.top + height]]
        underlined = {(r, c) for r, line in enumerate(plane) for c, (_, style) in enumerate(line) if style.underline}
        assert underlined == expected
        assert underlined < with_points
        # A cell whose points are all of one class shows that class's colour, right or wrong.
        style = plot.plot_style(snap.data.n_classes)
        for r, c in list(with_points)[:200]:
            here = (row == r) & (col == c)
            if len(set(y[here].tolist())) == 1:
                assert plane[r][c][1].color == style.point_fg[int(y[here][0])].color, (r, c)
        # p: the points in the predicted class's colour instead (the old look).
        await pilot.press("p")
        await pilot.pause()
        pred = snap.drawing_layers(X)[-1].argmax(axis=1)
        plane = [cells(line)[box.left : box.left + width] for line in plot._lines[box.top : box.top + height]]
        for r, c in list(with_points)[:200]:
            here = (row == r) & (col == c)
            if len(set(pred[here].tolist())) == 1:
                assert plane[r][c][1].color == style.point_fg[int(pred[here][0])].color, (r, c)

    ui.run(check)


# -- weight diagram ----------------------------------------------------------------------------


def diagram_char(diagram: WeightDiagram, x: int, y: int) -> str:
    return cells(diagram._lines[y])[x][0]


def test_diagram_draws_every_neuron_and_bias(ui):
    config = CONFIG.replace(layers=(3, 5))
    trainer = Trainer(config)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        diagram = app.query_one(WeightDiagram)
        lay = diagram.picture.layout
        assert diagram.data.sizes == [2, 3, 5, 4]
        assert [len(rows) for rows in lay.rows] == [2, 3, 5, 4]
        drawn = 0
        for k, (col, rows) in enumerate(zip(lay.columns, lay.rows, strict=True)):
            for i, row in enumerate(rows):
                node = diagram_char(diagram, col, int(row))
                assert node in "▀●◉", (k, i, node)
                if k > 0:
                    assert diagram_char(diagram, col - 1, int(row)) in "■▶", (k, i)  # the bias marker
                drawn += 1
        assert drawn == 14
        # The inputs are labelled and the legend gives the weight scale.
        labels = [text_of(diagram._lines[int(r)])[: lay.columns[0]].strip() for r in lay.rows[0]]
        assert labels == ["x", "y"]
        assert "weight -" in text_of(diagram._lines[-1])
        # Some connections are drawn in braille.
        assert any(0x2801 <= ord(ch) <= 0x28FF for line in diagram._lines for ch in text_of(line))

    ui.run(check)


def test_diagram_redraws_a_new_network_after_reset(ui):
    """New layers applied with r right after a start: the new trainer's first snapshot has the
    same version number as the old one's, and the diagram must still draw the new network."""
    trainer = Trainer(CONFIG)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        diagram = app.query_one(WeightDiagram)
        assert [len(rows) for rows in diagram.picture.layout.rows] == [2, 4, 4]
        version = app.channel.latest.version
        field = app.query_one("#field-layers", Input)
        field.value = "3,5"
        app.query_one(ParamsPanel).commit(field)  # as enter or leaving the field does
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.channel.latest.version == version  # the case that hid the new network
        assert diagram.data.sizes == [2, 3, 5, 4]
        lay = diagram.picture.layout
        assert [len(rows) for rows in lay.rows] == [2, 3, 5, 4]
        for col, rows in zip(lay.columns, lay.rows, strict=True):
            for row in rows:
                assert diagram_char(diagram, col, int(row)) in "▀●◉"

    ui.run(check)


def test_diagram_selection_by_keys(ui):
    trainer = Trainer(CONFIG)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        diagram = app.query_one(WeightDiagram)
        assert app.focused is diagram
        assert diagram.selection == Selection(1, 0)
        steps = [
            ("down", Selection(1, 1)),
            ("right", Selection(2, 1)),
            ("right", Selection(2, 1)),  # the output layer is the last
            ("left", Selection(1, 1)),
            ("left", Selection(0, 1)),
            ("up", Selection(0, 0)),
            ("up", Selection(0, 0)),
            ("right", Selection(1, 0)),
            ("right_square_bracket", Selection(1, 0, 0)),
            ("right_square_bracket", Selection(1, 0, 1)),
            ("right_square_bracket", Selection(1, 0, 0)),  # wraps round the 2 inputs
            ("left_square_bracket", Selection(1, 0, 1)),
            ("escape", Selection(1, 0)),
        ]
        seen = []
        for key, _ in steps:
            await pilot.press(key)
            seen.append(diagram.selection)
        assert seen == [s for _, s in steps]
        # The selected neuron is marked.
        lay = diagram.picture.layout
        assert diagram_char(diagram, lay.columns[1] - 1, int(lay.rows[1][0])) == "▶"
        assert app.channel.latest.step == 0  # arrows did not train or move a data cursor

    ui.run(check)


def test_clicking_a_neuron_or_a_connection_selects_it(ui):
    trainer = Trainer(CONFIG)

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        diagram = app.query_one(WeightDiagram)
        lay = diagram.picture.layout
        for layer, neuron in [(2, 3), (1, 2), (0, 1)]:
            x, y = lay.columns[layer] + 1, int(lay.rows[layer][neuron])
            assert await pilot.click(diagram, offset=(x, y))
            assert diagram.selection == Selection(layer, neuron)
        # A cell on a connection, away from every node column.
        owner = diagram.picture.owner
        ys, xs = np.nonzero(owner >= 0)
        far = [
            (int(x), int(y))
            for x, y in zip(xs, ys, strict=True)
            if all(abs(int(x) - c) > lay.node_w + 1 for c in lay.columns)
        ]
        assert far
        x, y = far[len(far) // 2]
        k, i, j = connection_of(int(owner[y, x]), diagram.data.sizes)
        assert await pilot.click(diagram, offset=(x, y))
        assert diagram.selection == Selection(k + 1, i, j)
        assert app.focused is diagram

    ui.run(check)


def test_inspector_shows_the_exact_value_of_the_selection(ui):
    trainer = trained()

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        net = app.channel.latest.network
        inspector = app.query_one("#inspector", Static)
        await pilot.press("down")  # layer 1, neuron 2
        bias = float(net.biases[0][1])
        assert f"layer 1 neuron 2: bias {bias:+.5f}" in str(inspector.render())
        await pilot.press("right_square_bracket")  # its weight from the first input, x
        weight = float(net.weights[0][1][0])
        assert f"weight x -> layer 1 n2: {weight:+.6f}" in str(inspector.render())
        await pilot.press("right_square_bracket")
        weight = float(net.weights[0][1][1])
        assert f"weight y -> layer 1 n2: {weight:+.6f}" in str(inspector.render())
        await pilot.press("escape", "right")  # output neuron 2
        bias = float(net.biases[1][1])
        assert f"output neuron 2: bias {bias:+.5f}" in str(inspector.render())
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        weight = float(net.weights[1][1][2])
        assert f"weight n3 -> output n2: {weight:+.6f}" in str(inspector.render())
        # The same text as the function the app uses, for an input too.
        assert inspector_text(app.channel.latest, Selection(0, 1)).startswith("input y: feeds 4 neuron(s)")
        # A new step: the inspector follows the new value.
        await pilot.press("n")
        await settle(pilot)
        weight = float(app.channel.latest.network.weights[1][1][2])
        assert weight != float(net.weights[1][1][2])
        assert f"weight n3 -> output n2: {weight:+.6f}" in str(inspector.render())

    ui.run(check)


# -- status line and divergence -------------------------------------------------------------------


def test_status_line_shows_the_step_with_thousands_separators(ui):
    trainer = Trainer(CONFIG.replace(layers=()))
    trainer.step(12_345)
    trainer = trainer

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.pause()
        text = status(app)
        assert "step 12,345" in text
        assert f"epoch {12_345 // 200}" in text  # 200 points, one per step
        assert "paused" in text
        m = app.channel.latest.metrics
        assert f"acc {m.train_accuracy * 100:.1f}% / {m.test_accuracy * 100:.1f}%" in text

    ui.run(check)


@functools.cache
def _diverged_trainer() -> Trainer:
    trainer = Trainer(PRESETS["reg-plane"].config(lr=50.0, layers=(), batch_size=10))
    while trainer.diverged_at is None:
        trainer.step(50)
    return trainer


@functools.cache
def _busy_trainer() -> Trainer:
    trainer = Trainer(CONFIG)
    trainer.step(123_456)
    return trainer


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
@pytest.mark.parametrize("make", [_busy_trainer, _diverged_trainer])
def test_every_line_of_the_status_fits_its_box(ui, size, make):
    """Nothing in the status wraps or falls below its box: wrapped, "acc 19.2% / 20.0%" broke over
    two lines and the divergence message was cut off after them."""
    trainer = make()

    async def check(pilot: Pilot) -> None:
        await show(pilot, trainer)
        app = pilot.app
        await pilot.resize_terminal(*size)
        await pilot.pause()
        for running, travelling in ((False, False), (True, False), (False, True)):
            if travelling:  # the time-travel note replaces the rate and frame rate
                app.action_view("travel", -1)
            app.query_one(Metrics).show(
                app.channel.latest, running, status_note(app.channel.latest, app.view, app.frames.fps_note)
            )
            await pilot.pause()
            box = app.query_one("#status", Static)
            lines = status(app).splitlines()
            assert len(lines) <= box.size.height, (lines, box.size)
            for line in lines:
                assert cell_len(line) <= box.size.width, (line, box.size)
            assert lines[0].startswith(f"step {trainer.step_count:,}  epoch {trainer.epoch:,}")
            assert ("steps/s" in lines[0]) == running and ("paused" in lines[0]) != running
            if trainer.diverged_at is not None:
                assert lines[2] == f"diverged at step {trainer.diverged_at:,}: lower the rate, press r"
            elif travelling:
                assert lines[2].startswith("TIME TRAVEL") and lines[2].endswith("l live"), lines
            else:
                assert lines[2].startswith("lr ") and lines[2].endswith("fps"), lines
        app.action_view("live")
        # The plot keeps most of the height.
        assert app.query_one(ScatterPlot).size.height >= size[1] - 11

    ui.run(check)


async def test_divergence_pauses_and_says_so_then_a_lower_rate_trains_again(make_app):
    config = PRESETS["reg-plane"].config(lr=50.0, layers=(), batch_size=10)
    app = make_app(Trainer(config), start_worker=True)
    async with app.run_test(size=SIZE) as pilot:
        channel = app.channel
        await send_key(pilot, "space", " ")
        await wait_until(lambda: channel.latest.diverged_at is not None, what="the run to diverge")
        await wait_until(lambda: not channel.running, what="training to pause")
        await wait_until(lambda: "diverged" in status(app), what="the status to say so")
        snap = channel.latest
        text = status(app)
        assert f"diverged at step {snap.diverged_at:,}" in text
        assert f"step {snap.step:,}" in text  # the last good step, where it went back to
        assert snap.step < snap.diverged_at
        assert app.query_one("#status").has_class("-diverged")
        assert np.isfinite(snap.network.params).all()
        assert math.isfinite(snap.metrics.train_loss)
        # Textual files a notification through the app's message queue: it is there a moment after the frame.
        await wait_until(
            lambda: any("diverged at step" in n.message for n in app._notifications if n.severity == "error"),
            what="the error notice",
        )
        # Running again is refused until a reset.
        await send_key(pilot, "space", " ")
        await wait_until(
            lambda: any("press r to reset" in n.message for n in app._notifications),
            what="the refusal",
        )
        assert not channel.running

        field = app.query_one("#field-lr", Input)
        field.value = "0.01"
        app.query_one(ParamsPanel).commit(field)  # as enter or leaving the field does
        await wait_until(lambda: channel.latest.config.lr == 0.01, what="the new rate")
        await send_key(pilot, "r")
        await wait_until(lambda: channel.latest.diverged_at is None and channel.latest.step == 0, what="the reset")
        await wait_until(lambda: not app.query_one("#status").has_class("-diverged"), what="a plain status")
        await send_key(pilot, "space", " ")
        await wait_until(lambda: channel.latest.step > 200, what="training again")
        await send_key(pilot, "space", " ")
        await wait_until(lambda: not channel.running, what="the pause")
        snap = channel.latest
        assert snap.diverged_at is None
        assert math.isfinite(snap.metrics.train_loss)
        assert "diverged" not in status(app)
        assert app.is_running


@pytest.mark.parametrize(("rate", "shown"), [(950.4, "950"), (12_345, "12k"), (2_001_795, "2.0M")])
def test_the_speed_fits_beside_the_engine_name(rate, shown):
    from dataclasses import replace

    from nnplay.tui.model.status_text import status_text

    snap = replace(Trainer(PRESETS["seed-v2"].config(train_size=50)).snapshot(), steps_per_second=rate)
    first = status_text(snap, True, "").splitlines()[0]
    assert first.endswith(f"  {shown} steps/s (numpy)"), first


async def test_a_new_status_of_the_same_shape_is_repainted_without_a_layout_of_the_screen() -> None:
    # A layout of the whole screen for each new step count cost the UI 30-50 ms a frame and a key.
    from textual.app import App

    from nnplay.tui.widgets.metrics import update_if_changed

    class OneStatic(App):
        def compose(self):
            yield Static("step 1,000\nloss 0.25", id="status")

    app = OneStatic()
    async with app.run_test(size=(40, 10)):
        status = app.query_one("#status", Static)
        layouts: list[bool] = []
        refresh = status.refresh
        status.refresh = lambda *a, layout=False, **k: layouts.append(layout) or refresh(*a, layout=layout, **k)
        update_if_changed(status, "step 1,001\nloss 0.24")  # each line as wide as before
        update_if_changed(status, "step 1,001\nloss 0.24")  # the same text: nothing at all
        update_if_changed(status, "step 10,001\nloss 0.24")  # a line wider: the layout may change
        update_if_changed(status, "step 10,001")  # a line fewer
        assert layouts == [False, True, True]
        assert str(status.content) == "step 10,001"


@pytest.mark.parametrize("width", [25, 30, 44])
def test_the_inspector_never_cuts_a_weight(width: int) -> None:
    """At 80x24 the inspector (25 cells) showed a neuron's four in-weights as "in [ 0.73 -0.2  -1.72
    -3." (-3.97 cut to "-3."): each number shown is a weight rounded, or the line says how many."""
    trainer = Trainer(PRESETS["spiral"].config())
    row = np.array([0.7312, -0.2041, -1.7213, -3.9721])
    trainer.net.weights[0][0] = row
    line = inspector_text(trainer.snapshot(), Selection(1, 0), width).split("\n")[1]
    assert len(line) <= width, line
    if line.startswith("4 in-weights"):
        return
    numbers = line.replace("[", " ").replace("]", " ").replace("(enter edits)", "").split()[1:]
    assert len(numbers) == len(row), line
    for text, weight in zip(numbers, row, strict=True):
        decimals = len(text.partition(".")[2]) if "e" not in text else 0
        assert abs(float(text) - weight) <= 0.5 * 10**-decimals + 1e-9, (text, weight, line)
