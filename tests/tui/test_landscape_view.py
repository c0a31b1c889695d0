"""The loss landscape view (`m`, `M`): what it shows, when it measures again, and how it reads."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.pilot import Pilot

from nnplay.core.run import landscape as core
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.landscape_view import MEASURING, LandscapeCache, LandscapePicture, plane_parameters
from nnplay.tui.model.view_state import Refusal, Selection, ViewState
from nnplay.tui.render.landscape import HERE_GLYPH, PATH_GLYPH, SHADES, STEPS, render_landscape, step_rgb, steps_of
from nnplay.tui.render.palette import TRUECOLOR
from nnplay.tui.widgets.loss_landscape import LossLandscape
from nnplay.tui.widgets.weight_diagram import WeightDiagram
from tests.tui.app_thread import DEADLINE, AppThread
from tests.tui.waiting import wait_until

CONFIG = PRESETS["seed-v2"].config(train_size=200)


def trained(steps: int = 600, stretches: int = 8) -> Trainer:
    trainer = Trainer(CONFIG)
    for _ in range(stretches):
        trainer.step(steps // stretches)
        trainer.evaluate()
    return trainer


# -- the model: which plane, and when the surface is measured again ----------------------------


def test_the_weights_plane_is_the_selected_weight_and_its_neurons_bias() -> None:
    net = trained(8, 1).net
    weight, bias = plane_parameters(net, Selection(1, 2, 1))
    assert weight == net.param_index(1, 2, 1) and bias == net.param_index(1, 2)
    assert plane_parameters(net, Selection(2, 3)) == (net.param_index(2, 3, 0), net.param_index(2, 3))
    assert isinstance(plane_parameters(net, Selection(0, 1)), Refusal)


def test_the_surface_is_kept_while_the_run_stays_near_and_measured_again_once_it_moves_away() -> None:
    trainer = trained()
    cache, view = LandscapeCache(), ViewState(landscape=True)
    first = cache.picture(trainer.snapshot(), view, (40, 20), trainer.snapshot().timeline)
    again = cache.picture(trainer.snapshot(), view, (40, 20), trainer.snapshot().timeline)
    assert again.landscape is first.landscape  # nothing moved: the same surface
    np.testing.assert_allclose(first.here, [0.0, 0.0], atol=1e-12)
    # Move the plane's own weight past the middle half of the grid: the run left the surface.
    index = first.landscape.plane.d1.argmax()
    trainer.set_parameter(int(index), float(trainer.net.params[index] + first.landscape.alphas[-1] * 0.9))
    moved = cache.picture(trainer.snapshot(), view, (40, 20), trainer.snapshot().timeline)
    assert moved.landscape is not first.landscape
    np.testing.assert_allclose(moved.here, [0.0, 0.0], atol=1e-12)  # centred on the weights again
    # Another neuron selected: another plane.
    other = cache.picture(trainer.snapshot(), view.but(selection=Selection(1, 1)), (40, 20), ())
    assert other.landscape.plane.labels == ("w1[2<-1]", "b1[2]")


def test_a_small_step_within_the_middle_keeps_the_surface_and_moves_the_point() -> None:
    trainer = trained()
    cache, view = LandscapeCache(), ViewState(landscape=True)
    first = cache.picture(trainer.snapshot(), view, (40, 20), ())
    index = int(first.landscape.plane.d1.argmax())
    nudge = first.landscape.alphas[-1] * 0.2
    trainer.set_parameter(index, float(trainer.net.params[index] + nudge))
    later = cache.picture(trainer.snapshot(), view, (40, 20), ())
    assert later.landscape is first.landscape
    assert later.here[0] == pytest.approx(nudge) and later.here[1] == pytest.approx(0.0, abs=1e-12)


def test_the_path_plane_falls_back_to_random_directions_without_a_path_and_says_so() -> None:
    fresh = Trainer(CONFIG)
    picture = LandscapeCache().picture(
        fresh.snapshot(), ViewState(landscape=True, landscape_plane="path"), (40, 20), ()
    )
    assert picture.landscape.plane.kind == "random" and "no path yet" in picture.note
    trainer = trained()
    snap = trainer.snapshot()
    picture = LandscapeCache().picture(snap, ViewState(landscape=True, landscape_plane="path"), (40, 20), snap.timeline)
    assert picture.landscape.plane.kind == "pca" and "PCA" in picture.note
    assert len(picture.path) == len(snap.path.steps) == trainer.step_count + 1  # every step of a small run
    np.testing.assert_allclose(picture.path[-1], [0.0, 0.0], atol=1e-9)


def test_a_run_jumping_out_of_the_bowl_keeps_its_rings_past_float32s_range() -> None:
    """Lesson 9 at lr 2.3 (out of the bowl, not yet diverged): losses of 1e44 overflow float32, and
    the map would be one flat colour; measured in float64 it keeps its steps, the run's own loss
    at its centre. Its path moves in one direction only: the random plane says so, not "no path"."""
    from nnplay.core.teaching.lessons import LESSONS

    lesson = next(lesson for lesson in LESSONS if lesson.key == "landscape")
    trainer = Trainer(lesson.config().replace(lr=2.3))
    for _ in range(10):
        trainer.step(20)
        trainer.evaluate()
    snap = trainer.snapshot()
    assert snap.metrics.train_loss > 1e40 and snap.diverged_at is None
    picture = LandscapeCache().picture(snap, ViewState(landscape=True), (48, 24), snap.timeline)
    losses = picture.landscape.losses
    assert np.isfinite(losses).all() and losses.max() > 2 * losses.min()
    assert picture.landscape.origin_loss == pytest.approx(snap.metrics.train_loss, rel=1e-9)
    on_path = LandscapeCache().picture(snap, ViewState(landscape=True, landscape_plane="path"), (48, 24), ())
    assert "one direction only" in on_path.note and "no path" not in on_path.note


def test_time_travel_moves_the_point_along_the_path() -> None:
    trainer = trained()
    snap = trainer.snapshot()
    view = ViewState(landscape=True, moments=snap.timeline, travel=2)
    from nnplay.tui.model.time_travel import past_snapshot

    past = past_snapshot(snap, snap.timeline, 2)
    cache = LandscapeCache()
    live = cache.picture(snap, view.live(), (40, 20), snap.timeline)
    picture = cache.picture(past, view, (40, 20), snap.timeline)
    assert len(picture.path) == len(snap.path.steps)  # the whole path, beyond the moment shown
    np.testing.assert_allclose(picture.here, live.landscape.plane.project(snap.timeline[2].params)[0], atol=1e-9)


# -- the picture -------------------------------------------------------------------------------


def picture_of(trainer: Trainer, plane: str = "weights"):
    snap = trainer.snapshot()
    return LandscapeCache().picture(snap, ViewState(landscape=True, landscape_plane=plane), (48, 24), snap.timeline)


def lines_of(text, width: int, colors: int) -> list[str]:
    """The picture's lines as drawn, each checked to fit ``width`` uncut (a pane wraps what does not)."""
    lines = text.plain.split("\n")
    assert all(cell_len(line) <= width for line in lines), [line for line in lines if cell_len(line) > width]
    console = Console(width=width, color_system="truecolor" if colors > 16 else None, record=True, file=io.StringIO())
    console.print(text)
    assert console.export_text().splitlines() == lines
    return lines


@pytest.mark.parametrize("colors", [TRUECOLOR, 256, 16])
def test_the_picture_fits_its_pane_and_marks_the_weights_and_the_path(colors: int) -> None:
    picture = picture_of(trained())
    for width, height in ((48, 24), (30, 14), (26, 16), (20, 12)):
        lines = lines_of(render_landscape(picture, width, height, colors), width, colors)
        assert len(lines) <= height and all(len(line) <= width for line in lines)
        body = "\n".join(lines)
        axis = next(i for i, line in enumerate(lines) if line.startswith("→"))
        if width >= 26:  # room for the key: every mark on the map is explained under it
            assert f"{HERE_GLYPH}now" in lines[axis].replace(" now", "now") and PATH_GLYPH in lines[axis]
        assert "\n".join(lines[1:axis]).count(HERE_GLYPH) == 1  # the weights shown, once on the map
        assert PATH_GLYPH in body
        assert lines[0].startswith("↑ b1[1]") and any(line.startswith("→ w1[1<-1]") for line in lines)
        scale = [line for line in lines if line.startswith(("loss", f"{picture.landscape.losses.min():.3g}"))]
        assert len(scale) == 1 and scale[0].endswith(f"{np.nanmax(picture.landscape.losses):.3g}")


def test_without_colour_each_contour_step_is_its_own_glyph() -> None:
    assert len(set(SHADES)) == STEPS and PATH_GLYPH not in SHADES and HERE_GLYPH not in SHADES
    picture = picture_of(trained())
    text = render_landscape(picture, 48, 24, 16)
    # Without colour the map carries no colours at all: the steps are glyphs, the marks bold.
    assert all(span.style is None or not getattr(span.style, "color", None) for span in text.spans[1:-3])


def test_with_colour_each_step_is_brighter_than_the_last() -> None:
    brightness = [sum(step_rgb(k)) for k in range(STEPS)]
    assert brightness == sorted(brightness) and len(set(brightness)) == STEPS
    losses = np.array([0.1, 0.2, 0.4, 0.8, 1.6, np.nan])
    from nnplay.tui.render.landscape import step_edges

    levels = steps_of(losses, step_edges(losses[:5]))
    assert levels[0] == 0 and levels[4] == STEPS - 1 and levels[5] == STEPS - 1
    assert list(levels[:5]) == sorted(levels[:5])


# -- in the app --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui(make_app) -> AppThread:
    runner = AppThread(make_app(trained()), (120, 40))
    yield runner
    runner.close()


async def drawn(pilot: Pilot) -> None:
    """The newest frame drawn, with its landscape when it shows one (measured off the UI thread)."""
    app = pilot.app

    async def draw() -> None:
        await pilot.pause(0)
        app.channel._handle_commands(block=False)
        app.draw_frame()
        await pilot.pause()

    await draw()
    await wait_until(
        lambda: app.frames.frame.landscape is not MEASURING and not app.frames.landscapes.busy,
        what="the landscape to be measured and drawn",
        between=draw,
    )


def test_m_swaps_the_diagram_for_the_landscape_and_M_switches_its_plane(ui: AppThread) -> None:
    async def check(pilot: Pilot) -> None:
        app = pilot.app
        view, diagram = app.query_one(LossLandscape), app.query_one(WeightDiagram)
        assert not view.display and diagram.display
        await pilot.press("m")
        await drawn(pilot)
        await drawn(pilot)  # laid out: the second frame has the pane's size
        assert view.display and not diagram.display
        assert app.query_one("#diagram-box").border_title.startswith("loss: w & b plane")
        picture = app.frames.frame.landscape
        assert picture.landscape.plane.labels == ("w1[1<-1]", "b1[1]")
        shown = str(view.render())
        assert "↑ b1[1]" in shown and "→ w1[1<-1]" in shown
        # the grid's centre is the run's own loss (the picture measures in float32)
        assert picture.landscape.origin_loss == pytest.approx(app.channel.latest.metrics.train_loss, rel=1e-5)
        view.focus()
        await pilot.press("down")  # the landscape takes the diagram's selection keys
        await drawn(pilot)
        assert app.frames.frame.landscape.landscape.plane.labels == ("w1[2<-1]", "b1[2]")
        await pilot.press("M")
        await drawn(pilot)
        assert app.frames.frame.landscape.landscape.plane.kind == "pca"
        assert "path plane" in app.query_one("#diagram-box").border_title
        await pilot.press("m")
        await drawn(pilot)
        assert not view.display and diagram.display and app.frames.frame.landscape is None
        await pilot.press("w")
        await pilot.press("m")
        await drawn(pilot)
        assert app.view.landscape and not app.view.evolution
        await pilot.press("w")
        await drawn(pilot)
        assert app.view.evolution and not app.view.landscape
        await pilot.press("w")
        await drawn(pilot)

    ui.run(check)


def test_the_pane_says_it_measures_at_once_and_the_ui_draws_on_while_the_surface_is_measured(
    make_app, monkeypatch
) -> None:
    """The surface is measured off the UI thread: until it arrives the pane says so, and frames
    are drawn meanwhile (the measuring here waits for the test, however long that takes)."""
    released = threading.Event()
    real_measure = core.measure
    ui_thread: list[threading.Thread] = []
    measured_on_ui_thread: list[bool] = []

    def held_measure(*args, **kwargs):
        if threading.current_thread() in ui_thread:  # (held there, it would hang the app)
            measured_on_ui_thread.append(True)
        else:
            released.wait(DEADLINE)
        return real_measure(*args, **kwargs)

    monkeypatch.setattr(core, "measure", held_measure)
    app = make_app(PRESETS["seed-v2"].config(train_size=2000))

    async def check(pilot: Pilot) -> None:
        ui_thread.append(threading.current_thread())
        pane = app.query_one(LossLandscape)
        await pilot.press("m")
        app.draw_frame()  # returns while the surface is held: the UI thread does not wait for it
        await pilot.pause()
        assert pane.display and str(pane.render()) == MEASURING
        assert "measuring" in app.export_screenshot()  # on screen, not only in the pane's content
        await wait_until(lambda: app.frames.landscapes.busy, what="the surface to be asked for", between=pilot.pause)
        app.draw_frame()
        await pilot.pause()
        assert app.frames.frame.landscape is MEASURING and str(pane.render()) == MEASURING
        released.set()
        await wait_until(
            lambda: isinstance(app.frames.frame.landscape, LandscapePicture),
            what="the measured surface to be drawn",
            between=pilot.pause,  # the frame timer draws it: no key, no new snapshot needed
        )
        await wait_until(lambda: "↑ b1[1]" in str(pane.render()), what="the pane to draw it", between=pilot.pause)

    ui = AppThread(app, (120, 40))
    try:
        ui.run(check)
    finally:
        released.set()
        ui.close()
    assert not measured_on_ui_thread


def test_a_surface_that_cannot_be_measured_off_the_ui_thread_is_said_in_one_line(monkeypatch) -> None:
    """Measured in the background, a failure is the pane's one line (no traceback, the thread not
    stuck): the same plane says it again; another plane is measured as usual."""
    import asyncio

    real_measure = core.measure

    def failing_measure(net, X, Y, plane, *args, **kwargs):
        if plane.labels == ("w1[1<-1]", "b1[1]"):
            raise OverflowError("the grid's weights overflow")
        return real_measure(net, X, Y, plane, *args, **kwargs)

    monkeypatch.setattr(core, "measure", failing_measure)
    snap = trained(8, 1).snapshot()
    cache, view = LandscapeCache(in_background=True), ViewState(landscape=True)

    def once_arrived(count: int, view: ViewState):
        """The picture once the thread has given ``count`` results."""

        async def wait():
            await wait_until(lambda: cache.arrivals >= count, what="the measuring thread's result")

        asyncio.run(wait())
        return cache.picture(snap, view, (40, 20), ())

    assert cache.picture(snap, view, (40, 20), ()) is MEASURING
    refused = once_arrived(1, view)
    assert isinstance(refused, Refusal) and "\n" not in refused
    assert str(refused) == "the landscape could not be measured: the grid's weights overflow"
    assert cache.picture(snap, view, (40, 20), ()) == refused and not cache.busy
    other = view.but(selection=Selection(1, 1))
    assert cache.picture(snap, other, (40, 20), ()) is MEASURING
    assert once_arrived(2, other).landscape.plane.labels == ("w1[2<-1]", "b1[2]")


def test_the_app_and_the_headless_command_measure_the_same_surface(tmp_path, ui: AppThread) -> None:
    """What `nnplay landscape --json` prints is the app's surface, in float64."""
    from nnplay.core.files.session_file import load_session, save_session
    from nnplay.tui.cli.landscape import landscape_json, measure_session

    trainer = trained()
    save_session(trainer, tmp_path / "run.npz")
    import argparse

    args = argparse.Namespace(load=str(tmp_path / "run.npz"), weights=None, pca=False, random=False, size=(21, 11))
    landscape, steps = measure_session(args)
    snap = load_session(tmp_path / "run.npz").snapshot()  # what the app shows after ctrl+o
    app_picture = LandscapeCache().picture(snap, ViewState(landscape=True), (21, 6), snap.timeline)
    np.testing.assert_allclose(landscape.losses, app_picture.landscape.losses, rtol=1e-5)
    out = landscape_json(landscape, steps)
    assert out["plane"]["axes"] == ["w1[1<-1]", "b1[1]"]
    assert out["current"]["loss"] == pytest.approx(snap.metrics.train_loss, rel=1e-12)
    assert out["path"]["steps"] == snap.path.steps.tolist() == trainer.snapshot().path.steps.tolist()
    assert len(out["path"]["coordinates"]) == len(out["path"]["steps"])
    assert core.GRID_SIZE == (41, 21)


def test_nnplay_landscape_json_is_the_surface_the_app_draws_for_the_same_session(tmp_path, make_app) -> None:
    """The app loads a session (ctrl+o's loading) and shows its landscape (m); `nnplay landscape
    --load` of that file, at the app's grid size, prints the same plane, grid, surface (the app
    draws in float32) and path."""
    import argparse

    from nnplay.core.files.session_file import save_session
    from nnplay.tui.cli.landscape import landscape_json, measure_session

    trainer = trained()
    session = tmp_path / "run.npz"
    save_session(trainer, session)
    app = make_app(CONFIG)

    def loaded() -> bool:
        app.channel._handle_commands(block=False)  # (no worker: the test runs the channel's commands)
        return app.channel.latest.step == trainer.step_count

    async def check(pilot: Pilot) -> LandscapePicture:
        app.load_path(str(session))
        await wait_until(loaded, what="the session to be loaded", between=pilot.pause)
        await pilot.press("m")
        await drawn(pilot)
        await drawn(pilot)
        return app.frames.frame.landscape

    ui = AppThread(app, (120, 40))
    try:
        shown = ui.run(check)
    finally:
        ui.close()
    rows, columns = shown.landscape.losses.shape
    args = argparse.Namespace(load=str(session), weights=None, pca=False, random=False, size=(columns, rows))
    landscape, steps = measure_session(args)
    out = landscape_json(landscape, steps)
    assert tuple(out["plane"]["axes"]) == shown.landscape.plane.labels
    np.testing.assert_allclose(landscape.alphas, shown.landscape.alphas, rtol=1e-12)
    np.testing.assert_allclose(landscape.betas, shown.landscape.betas, rtol=1e-12)
    np.testing.assert_allclose(landscape.losses, shown.landscape.losses, rtol=1e-5)
    np.testing.assert_allclose(out["path"]["coordinates"], shown.path, atol=1e-9)
    assert out["current"]["loss"] == pytest.approx(trainer.evaluate(record=False).train_loss, rel=1e-12)


def test_the_headless_path_plane_of_a_saved_session_is_the_apps(tmp_path) -> None:
    """`nnplay landscape --load S --pca --json` fits the plane to the path the file kept, as the
    app's M does for the same session loaded: the same axes, surface and path."""
    from nnplay.core.files.session_file import load_session, save_session
    from nnplay.tui.cli.landscape import landscape_json, measure_session

    trainer = trained()
    save_session(trainer, tmp_path / "run.npz")
    import argparse

    args = argparse.Namespace(load=str(tmp_path / "run.npz"), weights=None, pca=True, random=False, size=(21, 11))
    landscape, steps = measure_session(args)
    snap = load_session(tmp_path / "run.npz").snapshot()
    view = ViewState(landscape=True, landscape_plane="path")
    app_picture = LandscapeCache().picture(snap, view, (21, 6), snap.timeline)
    assert app_picture.landscape.plane.kind == "pca"
    out = landscape_json(landscape, steps)
    assert out["plane"]["kind"] == "pca" and tuple(out["plane"]["axes"]) == app_picture.landscape.plane.labels
    np.testing.assert_allclose(landscape.losses, app_picture.landscape.losses, rtol=1e-5)
    np.testing.assert_allclose(out["path"]["coordinates"], app_picture.path, atol=1e-9)
    assert out["path"]["steps"] == list(range(trainer.step_count + 1))
    np.testing.assert_allclose(out["path"]["coordinates"][-1], [0.0, 0.0], atol=1e-9)


def lesson_path(steps: int, **changes) -> np.ndarray:
    """Lesson 6's run with ``changes``, one step at a time (as `n` steps it): the path the
    landscape draws on the weights plane, (weight, bias) from the weights shown."""
    from nnplay.core.teaching.lessons import LESSONS

    lesson = next(lesson for lesson in LESSONS if lesson.key == "learning-rate")
    trainer = Trainer(lesson.config().replace(**changes))
    for _ in range(steps):
        trainer.step(1)
        trainer.evaluate()
    snap = trainer.snapshot()
    picture = LandscapeCache().picture(snap, ViewState(landscape=True), (48, 24), snap.timeline)
    return np.asarray(picture.path)


def crossings(values: np.ndarray) -> int:
    signs = np.sign(values[np.abs(values) > 1e-9])
    return int((np.diff(signs) != 0).sum())


def test_lesson_6s_path_zig_zags_out_of_the_bowl_at_a_high_rate() -> None:
    """At lr 2.5 the bias (curvature 1 in the bowl) jumps across the valley every step, each jump
    1.5 times the last, while the weight slides in: a zig-zag out of the bowl, not a straight line."""
    path = lesson_path(6, lr=2.5)
    jumps = np.diff(path[:, 1])
    assert (np.sign(jumps[1:]) != np.sign(jumps[:-1])).all()
    np.testing.assert_allclose(np.abs(jumps[1:]) / np.abs(jumps[:-1]), 1.5, rtol=1e-6)
    assert (np.diff(np.abs(path[:, 0])) < 0).all()  # the weight, whose curvature is 0.25, still comes in


def test_lesson_6s_path_curves_in_with_momentum_and_runs_straight_in_with_sgd() -> None:
    """At the same small rate, momentum's path swings past the bottom and back on both axes
    (curving in); sgd's never passes it."""
    momentum = lesson_path(200, lr=0.03, optimizer="momentum")
    sgd = lesson_path(200, lr=0.03, optimizer="sgd")
    assert crossings(momentum[:, 1]) >= 3 and crossings(momentum[:, 0]) >= 1
    assert crossings(sgd[:, 1]) == 0 and crossings(sgd[:, 0]) == 0
