"""The pictures tell the truth: a square plane at every size, points and regions that belong
together at every colour depth, marks that can be found."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.text import Text

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.cli.screenshots import SHOTS, Shot, pose, shot_app
from nnplay.tui.model.plot_geometry import plane_aspect, plot_box
from nnplay.tui.model.view_state import ClassifiedPoints, Selection, ViewState
from nnplay.tui.raster.diagram_geometry import layout, rasterise_connections
from nnplay.tui.render.diagram_painter import DiagramPainter
from nnplay.tui.render.plot import BIG_POINT, TRUECOLOR, default_plot_style
from nnplay.tui.widgets.scatter_plot import ScatterPlot, render_scatter
from nnplay.tui.widgets.weight_diagram import WeightDiagram
from tests.tui.legend_check import assert_legends_whole
from tests.tui.waiting import in_panel_view, wait_until, wait_until_steady

CONFIG = PRESETS["seed-v2"].config(train_size=200)


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def own_lesson_progress(tmp_path, monkeypatch):
    """Each test keeps lesson progress in a folder of its own: a lesson shot marks the tasks its
    learner has done (``Shot.done``), and another shot of that lesson must not start from them."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_plane_is_square_at_every_size_with_and_without_the_diagram(make_app, size) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.draw_frame()
        await pilot.pause()
        plot = app.query_one(ScatterPlot)
        for shown in (True, False):
            box = plot.frame.box
            assert box is not None
            assert abs(plane_aspect(box) - 1) <= 0.1, (size, shown, box)
            # Inside the pane, with the axis row below.
            assert box.left + box.width <= plot.size.width and box.top + box.height < plot.size.height
            await pilot.press("v")
            await pilot.pause()
            app.draw_frame()
            await pilot.pause()
        # The hidden-space view is drawn in the same square.
        await pilot.press("h")
        await pilot.pause()
        app.draw_frame()
        await pilot.pause()
        assert abs(plane_aspect(plot.frame.box) - 1) <= 0.1


async def test_cell_aspect_sets_the_planes_shape(make_app) -> None:
    app = make_app(CONFIG, cell_aspect=1.0)  # a font with square cells
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.draw_frame()
        await pilot.pause()
        box = app.frames.frame.box
        assert abs(box.width / box.height - 1) <= 0.1


def test_cell_aspect_flag_is_checked() -> None:
    assert build_parser().parse_args(["--cell-aspect", "2.2"]).cell_aspect == 2.2
    assert build_parser().parse_args([]).cell_aspect == 2.0
    for bad in ("0", "nan", "x", "9"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["--cell-aspect", bad])


@pytest.mark.parametrize(("w", "h"), [(30, 20), (60, 20), (37, 32), (100, 40), (24, 14)])
def test_plot_box_is_square_and_leaves_room_for_axis_and_legend(w, h) -> None:
    box = plot_box(w, h)
    assert abs(plane_aspect(box) - 1) <= 0.1 or box.height == h - 2  # height-limited planes round to whole cells
    assert box.left >= 5 and box.left + box.width <= w and box.top + box.height + 1 < h


def _hue(rgb) -> float:
    r, g, b = (c / 255 for c in rgb)
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def _shown(color, depth: int):
    """The colour the terminal shows at ``depth``."""
    if depth == 256:
        color = color.downgrade(ColorSystem.EIGHT_BIT)
    return tuple(color.get_truecolor())


@pytest.mark.parametrize("depth", [TRUECOLOR, 256, 16])
@pytest.mark.parametrize("n", [2, 4, 7])
def test_a_classs_points_and_region_belong_together_at_every_depth(depth, n) -> None:
    """The emitted styles: each class's dot colour is nearest in hue to its own region's colour."""
    st = default_plot_style(n, 4, depth)
    dots = [_hue(_shown(st.point_fg[c].color, depth)) for c in range(n)]
    # A region's colour: its background, or where the palette draws textures, the texture's.
    regions = [_hue(_shown(st.region_bg[c][-1].bgcolor or st.region_bg[c][-1].color, depth)) for c in range(n)]

    def apart(a: float, b: float) -> float:
        return min(abs(a - b), 360 - abs(a - b))

    for c in range(n):
        own = apart(dots[c], regions[c])
        assert own <= 30, (c, dots[c], regions[c])
        if depth > 16 or c < 6:  # 16 colours cycle six hues
            others = [apart(dots[c], regions[k]) for k in range(n) if k != c and (depth > 16 or k < 6)]
            assert own < min(others), (c, own, others)


def test_few_points_are_drawn_a_cell_large() -> None:
    snap = Trainer(PRESETS["seed-v1"].config()).snapshot()  # the article's 4 centre points
    style = default_plot_style(4, 4, 256)
    lines, _ = render_scatter(snap, 40, 20, ViewState(), style)
    text = "".join(line.text for line in lines)
    assert text.count(BIG_POINT) >= len(snap.data.X_train)  # one per point (plus the legend's chips)
    X = np.random.default_rng(0).uniform(-1, 1, (500, 2))
    many = ViewState(classified=ClassifiedPoints(X, (X[:, 0] > 0).astype(int)))
    lines, _ = render_scatter(snap, 40, 20, many, style)
    box = plot_box(40, 20)
    plane = "".join(line.text[box.left : box.left + box.width] for line in lines[box.top : box.top + box.height])
    assert BIG_POINT not in plane  # many points stay braille dots


def test_the_edit_cursor_is_a_crosshair_across_the_plane() -> None:
    snap = Trainer(PRESETS["seed-v2"].config(train_size=20)).snapshot()
    style = default_plot_style(4, 4, 256)
    lines, _ = render_scatter(snap, 40, 20, ViewState(cursor=(0.0, 0.0)), style)
    box = plot_box(40, 20)
    rows = [line.text[box.left : box.left + box.width] for line in lines[box.top : box.top + box.height]]
    r = next(i for i, row in enumerate(rows) if "┼" in row)
    c = rows[r].index("┼")
    assert rows[r].count("─") + rows[r].count("┼") >= box.width // 2  # across the plane...
    assert sum(row[c] == "│" for row in rows) >= box.height // 2  # ...and down it


# -- the diagram -------------------------------------------------------------------------------


async def _drawn(pilot) -> None:
    await pilot.pause()
    pilot.app.draw_frame()
    await pilot.pause()


async def test_a_selected_weight_is_the_one_bright_line_and_the_rest_keep_their_colours(make_app) -> None:
    trainer = Trainer(PRESETS["seed-v2"].config(train_size=200))
    trainer.step(300)
    app = make_app(trainer)
    async with app.run_test(size=(120, 40)) as pilot:
        await _drawn(pilot)
        diagram = app.query_one(WeightDiagram)
        diagram.focus()
        await pilot.press("right_square_bracket")  # weight x -> layer 1 n1
        await _drawn(pilot)
        sel = diagram.selection
        assert sel == Selection(1, 0, 0)
        white = {
            (r, c)
            for r, line in enumerate(diagram._lines[:-1])
            for c, (ch, st) in enumerate((ch, seg.style) for seg in line for ch in seg.text)
            if st and st.color and st.color.get_truecolor() == (255, 255, 255) and 0x2800 < ord(ch) <= 0x28FF
        }
        owner = diagram.picture.owner
        assert white and all(owner[r, c] == 0 for r, c in white)  # flat index 0: x -> layer 1 n1
        # Every other line cell keeps a colour of its own (orange or blue), not white.
        others = [
            st
            for r, line in enumerate(diagram._lines[:-1])
            for c, (ch, st) in enumerate((ch, seg.style) for seg in line for ch in seg.text)
            if 0x2800 < ord(ch) <= 0x28FF and (r, c) not in white
        ]
        assert len(others) > 3 * len(white)
        assert all(st.color.get_truecolor() != (255, 255, 255) for st in others)


def test_negative_weights_are_dashed_so_the_sign_shows_without_colour() -> None:
    lay = layout([1, 1], 30, 8)
    pos_bits, _, _, _ = rasterise_connections(lay, [np.array([[1.0]])], 1.0)
    neg_bits, _, _, _ = rasterise_connections(lay, [np.array([[-1.0]])], 1.0)
    pos_cells, neg_cells = int((pos_bits > 0).sum()), int((neg_bits > 0).sum())
    assert neg_cells > 0 and neg_cells <= 0.6 * pos_cells


@pytest.mark.parametrize("width", [21, 25, 40])
@pytest.mark.parametrize("scale", [0.91, 220.0, 3.4e29])
def test_the_weight_scale_is_never_cut(scale: float, width: int) -> None:
    legend = DiagramPainter(colors=256).legend(scale, thin=False, width=width)
    text = "".join(seg.text for seg in legend)
    assert cell_len(text) <= width, text
    number = {0.91: "0.91", 220.0: "220", 3.4e29: "3.4e29"}[scale]
    assert f" -{number} " in text and f" +{number}" in text, text
    assert text.count("█") >= 2 and "0" in text  # a ramp both sides of zero


@pytest.mark.parametrize("partner", [0, 9])
def test_the_hidden_space_says_every_legend_entry_whole_in_the_plot_pane_at_80x24(partner: int) -> None:
    """24 columns, the plot pane at 80x24: "grey: the input grid, warped" was cut to "...grid, wa"."""
    trainer = Trainer(PRESETS["circle"].config(layers=(12,), train_size=60))
    view = ViewState(hidden=True, partner=partner, selection=Selection(1, 11))  # neurons 12 and 1, or 12 and 10
    snap = trainer.snapshot()
    lines, frame = render_scatter(snap, 24, 15, view, default_plot_style(2, 4, TRUECOLOR))
    shown = "\n".join(line.text for line in lines)
    assert len(frame.legend) >= 4
    for entry in frame.legend:
        assert entry.text in shown, shown


@pytest.mark.parametrize("scale", [0.99, 2.1, 220.0])
def test_the_weight_scale_keeps_its_word_in_the_diagrams_width_at_80x24(scale: float) -> None:
    legend = DiagramPainter(colors=256).legend(scale, thin=False, width=25)
    text = "".join(seg.text for seg in legend)
    assert cell_len(text) <= 25 and text.split()[0] == "weight", text
    assert text.count("█") >= 2 * 2, text  # still a ramp of a few shades each side


async def test_a_dense_mesh_is_thinned_to_the_strongest_links_and_k_toggles_it(make_app) -> None:
    trainer = Trainer(PRESETS["spiral"].config())  # 8,8,8 hidden
    app = make_app(trainer)
    async with app.run_test(size=(120, 40)) as pilot:
        await _drawn(pilot)
        diagram = app.query_one(WeightDiagram)
        assert app.view.links_thinned(diagram.data.sizes)
        sizes = diagram.data.sizes
        receivers = sum(sizes[1:])
        drawn = set(np.unique(diagram.picture.owner[diagram.picture.owner >= 0]).tolist())
        # At most 2 incoming per neuron, plus the selected neuron's own links (kept whole).
        assert len(drawn) <= 2 * receivers + sizes[0] + sizes[2]
        assert "top 2 (k)" in "".join(seg.text for seg in diagram._lines[-1])
        await pilot.press("k")
        await _drawn(pilot)
        assert not app.view.links_thinned(diagram.data.sizes)
        assert len(set(np.unique(diagram.picture.owner[diagram.picture.owner >= 0]).tolist())) > 1.5 * len(drawn)


async def test_the_hidden_space_view_keeps_the_diagrams_thumbnails(make_app) -> None:
    trainer = Trainer(PRESETS["circle"].config())
    app = make_app(trainer)
    async with app.run_test(size=(120, 40)) as pilot:
        await _drawn(pilot)
        await pilot.press("h")
        await _drawn(pilot)
        diagram = app.query_one(WeightDiagram)
        assert app.frames.frame.hidden is not None
        assert diagram.data.grid_layers is not None
        text = "".join(seg.text for line in diagram._lines for seg in line)
        assert "▀" in text  # thumbnails drawn, not plain dots


# -- nothing cut, nothing outside its pane -------------------------------------------------------


def assert_fits(app: NNPlayApp) -> None:
    """Nothing cut on the main screen and no pane writing outside its region."""
    svg = app.export_screenshot()
    assert "…" not in svg and "&#8230;" not in svg  # Textual's mark for cut text
    if app.screen is not app.screen_stack[0]:
        return  # help or explain over the main screen: its panes are not drawn
    for pane in (app.query_one(ScatterPlot), app.query_one(WeightDiagram)):
        if not pane.display:
            continue
        width, height = pane.size
        assert len(pane._lines) <= height
        assert all(line.cell_length == width for line in pane._lines), type(pane).__name__
        title = pane.border_title or pane.parent.border_title
        assert title is None or cell_len(str(title)) + 4 <= pane.parent.size.width + 2
    for name in ("#status", "#inspector", "#confusion"):
        widget = app.query_one(name)
        if not widget.display:
            continue
        lines = str(widget.render()).splitlines() or [""]
        assert len(lines) <= widget.content_size.height, (name, lines)
        assert all(cell_len(line) <= widget.content_size.width for line in lines), (name, lines)
    notice = app.query_one("#notice")  # wraps: every line of the wrapped text must be shown
    wrapped = Text(notice.text).wrap(app.console, notice.content_size.width)
    assert len(wrapped) <= max(notice.content_size.height, 1), [str(line) for line in wrapped]


# The compare screen's one-line header of keys is cut ("…") at 80 columns: a known defect, kept
# visible here (strict: the case fails once the header fits, so the mark goes with the fix).
CUT_AT_80 = pytest.mark.xfail(reason="the compare screen's key header is cut at 80 columns", strict=True)
FIT_CASES = [pytest.param(s, id=s.name, marks=[CUT_AT_80] if s.compare else []) for s in SHOTS]


MAIN_SCREEN_SHOTS = [s for s in SHOTS if s.compare is None and s.name not in ("help", "explain-step", "lessons-80x24")]


@pytest.mark.parametrize("shot", FIT_CASES)
async def test_each_state_at_80x24_fits_and_shows_its_matrix_and_legend_whole(shot) -> None:
    """Nothing cut and no pane writing outside its region. On the main screen also: the plot's every
    legend entry on screen whole, and the confusion matrix shown whole: at 80 columns the metrics
    take the whole width, under the panel too, and the matrix fits beside the status (it was hidden
    there: the status and the matrix needed more than the 51 columns right of the panel)."""
    app = shot_app(shot)
    async with app.run_test(size=(80, 24)) as pilot:
        await pose(pilot, shot)
        if shot in MAIN_SCREEN_SHOTS:
            confusion = app.query_one("#confusion")
            assert confusion.display and str(confusion.render()).startswith("test  pred"), shot.name
            diagram = app.query_one(WeightDiagram)
            if diagram.display:  # the scale says what it measures
                assert "weight" in diagram._lines[-1].text, diagram._lines[-1].text
            assert_legends_whole(app)
        assert_fits(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_flawed_rule_and_the_confusion_matrix_are_both_shown(size) -> None:
    """Lesson 2 runs the article's flawed backprop: the status names it and the matrix, which shows
    where the flawed rule goes wrong, stays beside it (the longer status line used to hide it)."""
    shot = Shot("flawed", "", "seed-v2", 600, size=size, lesson=2)
    app = shot_app(shot)
    async with app.run_test(size=size) as pilot:
        await pose(pilot, shot)
        status = str(app.query_one("#status").render())
        assert "FLAWED backprop" in status.splitlines()[2], status
        assert app.query_one("#confusion").display
        assert_fits(app)


WIDE_STATUS = [s for s in SHOTS if s.name in ("spiral-trained", "time-travel", "classify")]


@pytest.mark.parametrize("shot", WIDE_STATUS, ids=[s.name for s in WIDE_STATUS])
async def test_the_status_keeps_every_character_beside_the_confusion_matrix_at_100_columns(shot) -> None:
    """Between 80 and 120 columns the matrix is shown only where the status still fits beside it."""
    app = shot_app(shot)
    async with app.run_test(size=(100, 30)) as pilot:
        await pose(pilot, shot)
        assert_fits(app)
        status = str(app.query_one("#status").render())
        assert "steps/s" in status or "paused" in status or "back in time" in status, status


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_a_diverged_run_fits_its_panes(make_app, size) -> None:
    """Huge losses, an R² of minus millions, a weight scale of hundreds and the divergence notice."""
    config = PRESETS["reg-plane"].config(layers=(), output="linear", loss="mse", optimizer="sgd", lr=10.0)
    app = make_app(config, start_worker=True)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await wait_until(
            lambda: app.channel.latest.diverged_at is not None and "diverged" in app.query_one("#notice").text,
            60, "the run to diverge and the notice to say so",
        )  # fmt: skip
        await wait_until(lambda: "diverged at step" in str(app.query_one("#status").render()), 30,
                         "a frame with the diverged snapshot", between=pilot.pause)  # fmt: skip
        assert "diverged at step" in str(app.query_one("#status").render())
        assert "diverged at step" in app.query_one("#notice").text
        # The notice's second row is laid out after its text is set, and takes a row from the plot.
        await wait_until(lambda: _notice_whole(app) and _plot_drawn_at_its_size(app), 30,
                         "the notice laid out whole, the plot drawn at its size", between=pilot.pause)  # fmt: skip
        assert_fits(app)


def _notice_whole(app: NNPlayApp) -> bool:
    notice = app.query_one("#notice")
    return len(Text(notice.text).wrap(app.console, notice.content_size.width)) <= notice.content_size.height


def _plot_drawn_at_its_size(app: NNPlayApp) -> bool:
    plot = app.query_one(ScatterPlot)
    return plot.frame is not None and plot.frame.sizes.plot == tuple(plot.size)


async def test_a_pane_that_changes_size_gets_a_frame_of_its_new_size_without_waiting_for_the_clock(make_app) -> None:
    """The notice line growing to two rows takes a row from the plot: a frame is built for its new size."""
    app = make_app(PRESETS["quadrants"].config())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: _plot_drawn_at_its_size(app), 30, "the first frame", between=pilot.pause)
        app.frame_timer.pause()  # only the resize can bring a new frame now
        height = app.query_one(ScatterPlot).size.height
        app.notify("a notice long enough to take the notice line's second row at eighty columns " * 2, timeout=3600)
        await wait_until(lambda: app.query_one(ScatterPlot).size.height != height, 30,
                         "the notice line to take a row from the plot", between=pilot.pause)  # fmt: skip
        await wait_until(lambda: _plot_drawn_at_its_size(app), 30, "a frame at the plot's new size",
                         between=pilot.pause)  # fmt: skip
        assert len(app.query_one(ScatterPlot)._lines) <= app.query_one(ScatterPlot).size.height


def test_regions_are_drawn_at_half_cell_resolution_where_there_are_no_points() -> None:
    trainer = Trainer(PRESETS["circle"].config())
    trainer.step(3000)
    snap = trainer.snapshot()
    box = plot_box(60, 34)
    for depth in (TRUECOLOR, 256):
        style = default_plot_style(2, 4, depth)
        lines, frame = render_scatter(snap, 60, 34, ViewState(), style)
        assert frame.grid.shape == (2 * box.height, box.width)  # twice the rows: the grid pass the thumbnails use too
        plane = [
            [(ch, seg.style) for seg in line for ch in seg.text][box.left : box.left + box.width]
            for line in lines[box.top : box.top + box.height]
        ]
        halves = [(ch, st) for row in plane for ch, st in row if ch == "▀"]
        assert halves, depth  # the boundary's cells split in two
        assert all(st.color is not None and st.bgcolor is not None and st.color != st.bgcolor for _, st in halves)
    # 16 colours and NO_COLOR keep whole cells and their textures.
    lines, frame = render_scatter(snap, 60, 34, ViewState(), default_plot_style(2, 4, 16))
    assert frame.grid.shape == (box.height, box.width)
    assert "▀" not in "".join(line.text for line in lines)


def _shown_backgrounds(app: NNPlayApp, y: int, x0: int, x1: int, depth: str) -> list[tuple[int, int, int]]:
    """The background each cell of row ``y`` from ``x0`` to ``x1`` shows, as the terminal draws it
    (a reversed cell shows its text colour; a 256-colour terminal the nearest palette colour)."""
    from textual.color import Color

    shown, x = [], 0
    for seg in app.screen._compositor.render_strips()[y]:
        for _ in seg.text:
            if x0 <= x < x1:
                colour = seg.style.color if seg.style.reverse else seg.style.bgcolor
                if depth == "256" and colour is not None:
                    colour = colour.downgrade(ColorSystem.EIGHT_BIT)
                shown.append(Color.from_rich_color(colour).rgb if colour is not None else (18, 18, 18))
            x += 1
    return shown


@pytest.mark.parametrize("depth", ["truecolor", "256", "NO_COLOR"])
async def test_the_focused_panel_field_stands_out_at_80x24_in_every_colour_depth(make_app, monkeypatch, depth) -> None:
    """Focusing a field changes its row by at least 3:1 in brightness, over its whole label (or the
    list's highlighted row): a compact field's 5% tint was all there was, invisible in greys."""
    from tests.tui.test_point_contrast import contrast

    if depth == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(PRESETS["circle"].config(), colors=None if depth == "NO_COLOR" else 256)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: bool(app.query("#field-noise")), what="the panel's fields", between=pilot.pause)
        diagram = app.query_one("#diagram")

        def cells(target: str, field) -> tuple[int, int, int]:
            if target == "#field-features":  # the highlighted option's row, right of its check box
                return field.region.y, field.region.x + 4, field.region.right - 1
            if target == "#add-layer":
                return field.region.y, field.region.x + 1, field.region.right - 1
            label = field.parent.children[0]  # the label beside the field
            return label.region.y, label.region.x, label.region.x + len(str(label.render()))

        def shown(focused, field) -> bool:
            """``focused`` has the focus, and ``field`` is in view (the panel scrolls after a refresh)."""
            return app.focused is focused and in_panel_view(field)

        for target in ("#field-dataset", "#field-noise", "#field-features", "#add-layer"):
            field = app.query_one(target)
            field.focus()  # first: the panel scrolls it into view
            await wait_until_steady(pilot, lambda f=field: shown(f, f), lambda f=field: f.region,
                                    what=f"{target} focused and in view, where it stays")  # fmt: skip
            y, x0, x1 = cells(target, field)
            after = _shown_backgrounds(app, y, x0, x1, depth)
            diagram.focus()
            await wait_until_steady(pilot, lambda f=field: shown(diagram, f), lambda f=field: f.region,
                                    what=f"the diagram focused, {target} in view, where it stays")  # fmt: skip
            assert cells(target, field) == (y, x0, x1), f"{target} moved when it lost the focus"
            before = _shown_backgrounds(app, y, x0, x1, depth)
            weakest = min(contrast(a, b) for a, b in zip(before, after, strict=True))
            assert weakest >= 3.0, (target, round(weakest, 2), before, after)


def test_the_hidden_space_says_what_its_points_colours_are() -> None:
    """The hidden view colours its points by class as the plot does: its legend names the classes."""
    snap = Trainer(PRESETS["circle"].config(layers=(4,), train_size=60)).snapshot()
    lines, _ = render_scatter(snap, 40, 30, ViewState(hidden=True), default_plot_style(2, 4, TRUECOLOR))
    shown = "\n".join(line.text for line in lines)
    for c, name in enumerate(snap.data.class_names):
        assert f"● {c + 1} {name}" in shown, shown
