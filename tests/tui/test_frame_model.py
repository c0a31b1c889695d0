"""The frame model without an app: the frame budget, the grid pass's size, wide layers in groups."""

from __future__ import annotations

import time

import numpy as np

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.model.diagram_data import diagram_data, summarise
from nnplay.tui.model.frame import GRID_MACS, FrameSizes, build_frame, grid_shape
from nnplay.tui.model.frame_budget import CpuShareBudget, FrameBudget
from nnplay.tui.model.view_state import Selection, ViewState
from nnplay.tui.render.diagram_painter import DiagramPainter


def wide(layers: tuple[int, ...], points: int = 200) -> Trainer:
    return Trainer(TrainConfig(dataset="spiral", train_size=points, layers=layers, activation="tanh", output="softmax"))


def test_cheap_frames_come_at_the_frame_rate_and_dear_ones_keep_to_their_share_of_the_time() -> None:
    budget = FrameBudget(fps=15, share=0.15)
    budget.spent(0.0, 0.005)  # 5 ms: well within 15% of a 67 ms frame
    assert budget.interval == budget.min_interval
    assert budget.due(1 / 15) and not budget.due(0.03)
    for i in range(10):
        budget.spent(10.0 + i, 0.3)  # 300 ms a frame (a wide network)
    assert abs(budget.interval - 0.3 / 0.15) < 0.01  # one frame in 2 s: 15% of the time
    assert not budget.due(19.0 + 1.0) and budget.due(19.0 + 2.0)


def test_a_trainer_left_a_fraction_of_a_core_publishes_only_after_its_share_of_its_own_cpu_time() -> None:
    # Against the wall clock, a trainer that the machine's other jobs left a fifth of a core
    # spent half its time publishing at a tenth of its CPU time.
    budget = CpuShareBudget(fps=15, share=0.05)
    budget.spent(time.perf_counter(), 0.002)  # 2 ms of this thread's CPU: the next after 40 ms of it
    time.sleep(0.2)  # wall time passes, three frame intervals, without this thread running
    assert not budget.due(time.perf_counter())
    burnt_from = time.thread_time()
    while time.thread_time() - burnt_from < 0.045:  # the thread trains: 45 ms of its CPU
        sum(range(1000))
    assert budget.due(time.perf_counter())


def test_the_grid_pass_is_sized_to_the_cells_and_coarser_for_a_wide_network() -> None:
    assert grid_shape(29, 58, 2, [2, 8, 8, 2]) == (58, 58)  # two rows a cell
    rows, cols = grid_shape(29, 58, 2, [2, *[256] * 8, 2])
    assert rows * cols * 7 * 256 * 256 <= GRID_MACS * 1.01 and rows < 29 and cols < 58
    snap = wide((256,) * 8).snapshot()
    frame = build_frame(snap, ViewState(), FrameSizes((64, 30)))
    assert frame.grid.shape == (rows, cols) or frame.grid.shape[0] < frame.box.height


def test_the_points_drawn_use_the_snapshots_own_outputs_for_the_training_points() -> None:
    trainer = wide((8,))
    trainer.step(50)
    trainer.evaluate()
    snap = trainer.snapshot()
    assert snap.train_outputs is not None
    assert np.allclose(snap.train_outputs, snap.predict(snap.data.X_train))
    frame = build_frame(snap, ViewState(), FrameSizes((60, 30)))
    assert frame.points.outputs is snap.train_outputs
    trainer.set_parameter(0, 3.0)  # a weight typed in: evaluated again, or left out, never stale
    after = trainer.snapshot()
    assert after.train_outputs is None or np.allclose(after.train_outputs, after.predict(after.data.X_train))
    trainer.net.params[1] += 1.0  # parameters changed since the last evaluation
    assert trainer.snapshot().train_outputs is None


def test_a_layer_wider_than_the_rows_is_drawn_in_groups_of_neurons() -> None:
    snap = wide((64, 64)).snapshot()
    data = diagram_data(snap, build_frame(snap, ViewState(), FrameSizes((60, 30))).grid)
    summary = summarise(data, 20)
    assert summary.groups == (1, 4, 4, 1) and summary.data.sizes == [2, 16, 16, 2]
    W = data.weights[1]
    block = W[4:8, 8:12]
    strongest = block.flat[np.abs(block).argmax()]
    assert summary.data.weights[1][1, 2] == strongest  # a group's link is its strongest weight, with its sign
    assert summary.data.grid_layers[1].shape[1] == 16  # one thumbnail a group

    picture = DiagramPainter(colors=256).paint(data, 60, 21, Selection(2, 9), thin=True)
    lines = picture.lines
    rows = picture.layout.rows
    assert all(len(set(r.tolist())) == len(r) for r in rows)  # no two nodes share a row
    assert "4 neurons a node" in "".join(seg.text for seg in lines[-1])
    assert picture.summary.node_of(2, 9) == 2  # the selected neuron's group stands for it


def test_one_dear_stretch_of_the_ui_never_holds_a_running_picture_back_past_half_a_second() -> None:
    from nnplay.tui.model.frame_clock import MAX_FRAME_GAP, FrameClock

    clock = FrameClock(fps=15)
    clock.budget.spent(0.0, 0.4)  # a panel composed between two frames: 0.4 s of the UI thread
    assert clock.budget.interval == MAX_FRAME_GAP == 0.5  # at the 10% share it would be 4 s
    assert not clock.due(0.2) and clock.due(0.5)
    for k in range(6):
        clock.budget.spent(0.5 + k * 0.1, 0.001)
    assert clock.budget.interval < 0.1  # cheap frames come sooner again
    # The trainer's snapshots keep their share whatever they cost: 8x256 on 50,000 points is 1.5 s.
    snapshots = FrameBudget(15)
    snapshots.spent(0.0, 1.5)
    assert snapshots.interval == 15.0
