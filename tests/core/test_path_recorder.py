"""The step-by-step path (core.run.path_recorder): every step of a small run, thinned in pairs, bounded,
ending at the current weights, kept by a session file; and at a high rate on the v1 bowl it zig-zags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnplay.core.engine.kernel import load_kernel
from nnplay.core.files.session_file import load_session, save_session, session_bytes
from nnplay.core.run import landscape as L
from nnplay.core.run import path_recorder as P
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.memory_budget import PATH_BYTES, PATH_MIN_POINTS, PATH_POINTS, path_capacity
from nnplay.core.settings.presets import PRESETS

BOWL = PRESETS["seed-v1"].config(output="linear", loss="mse", batch_size=4, iterations=200)  # lesson 9's run
ENGINES = ["numpy", "numba"]


def kernel_for(engine: str):
    """The kernel for ``engine`` (None: numpy); a "numba" test skips where it cannot load. Loaded
    in the test, not on import: the suite fills numba's cache while its workers collect."""
    if engine != "numba":
        return None
    kernel = load_kernel()
    if kernel is None:
        pytest.skip("no numba")
    return kernel


def bowl(lr: float, engine: str = "numpy", optimizer: str = "sgd") -> Trainer:
    trainer = Trainer(BOWL.replace(lr=lr, optimizer=optimizer))
    trainer.use_kernel(kernel_for(engine))
    return trainer


def run_in_stretches(trainer: Trainer, steps: int, stretch: int = 37) -> None:
    """Train as the app does: stretches of steps, measured (a frame) between them."""
    while trainer.step_count < steps and trainer.diverged_at is None:
        trainer.step(min(stretch, steps - trainer.step_count))
        trainer.evaluate()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_small_run_is_recorded_every_step_and_ends_at_the_current_weights(engine: str) -> None:
    trainer = bowl(1.8, engine)
    run_in_stretches(trainer, 200)
    path = trainer.snapshot().path
    assert path.steps.tolist() == list(range(201))
    np.testing.assert_array_equal(path.params[0], trainer.initial_params)
    np.testing.assert_array_equal(path.params[-1], trainer.net.params)
    # each row is the weights after that step: one more step from row 150 gives row 151
    again = bowl(1.8, engine)
    again.step(150)
    np.testing.assert_array_equal(again.net.params, path.params[150])


@pytest.mark.parametrize("engine", ENGINES)
def test_the_path_on_the_landscape_ends_at_the_weights_shown(engine: str) -> None:
    trainer = bowl(1.8, engine)
    run_in_stretches(trainer, 137)
    snap = trainer.snapshot()
    steps, params = L.run_path(snap)
    X, Y = L.training_set(snap)
    for plane in (L.pca_plane(snap.network.params, params), L.weight_plane(snap.network, 0, 8)):
        landscape = L.measure(snap.network, X, Y, plane, params, size=(9, 5))
        np.testing.assert_allclose(landscape.path[-1], [0.0, 0.0], atol=1e-12)
        assert len(landscape.path) == 138 and steps[-1] == trainer.step_count


@pytest.mark.parametrize("engine", ENGINES)
def test_at_a_high_rate_on_the_bowl_the_path_zig_zags_along_its_first_principal_direction(engine: str) -> None:
    """lr 1.8 on the v1 bowl: each step crosses the valley, so consecutive steps along PC1 alternate
    in sign. A record every even number of steps (a frame's worth) sees one side only."""
    trainer = bowl(1.8, engine)
    run_in_stretches(trainer, 200)
    snap = trainer.snapshot()
    _, params = L.run_path(snap)
    plane = L.pca_plane(snap.network.params, params)
    moves = np.diff(plane.project(params)[:, 0])
    crossing = moves[10:150]  # after the first few steps down the slope, while the jumps are still visible
    assert np.all(np.sign(crossing[1:]) == -np.sign(crossing[:-1]))
    framed = np.diff(plane.project(params[::36])[:, 0])
    assert not np.all(np.sign(framed[2:]) == -np.sign(framed[1:-1]))  # the alias the per-step path avoids


def test_with_momentum_the_path_curves_in_instead_of_crossing_at_every_step() -> None:
    trainer = bowl(0.1, optimizer="momentum")
    run_in_stretches(trainer, 200)
    _, params = L.run_path(trainer.snapshot())
    plane = L.pca_plane(trainer.net.params, params)
    moves = np.diff(plane.project(params)[:, 0])
    turns = np.count_nonzero(np.sign(moves[1:]) != np.sign(moves[:-1]))
    assert 1 <= turns < 20  # it swings past the bottom and back a few times, not at every step


def test_a_long_run_keeps_the_first_steps_and_pairs_of_later_ones_within_its_capacity() -> None:
    trainer = bowl(0.3)
    trainer.step(20_000)
    recorder, steps = trainer.path, trainer.snapshot().path.steps
    assert len(recorder) <= recorder.capacity == PATH_POINTS
    assert steps[: P.DENSE_STEPS + 1].tolist() == list(range(P.DENSE_STEPS + 1))
    kept, later = set(steps.tolist()), steps[P.DENSE_STEPS + 1 : -1]  # the last is the current step
    assert all(s - 1 in kept or s + 1 in kept for s in later)  # pairs of consecutive steps: one whole step
    starts = later[(later - P.DENSE_STEPS) % recorder.stride == 0]
    assert steps[-1] == 20_000 and len(np.unique(np.diff(starts))) == 1  # evenly spread to now


def test_memory_is_bounded_in_parameters_times_points() -> None:
    assert path_capacity(27) == PATH_POINTS
    assert path_capacity(4096) * 4096 * 8 <= PATH_BYTES
    assert path_capacity(PATH_BYTES // 8 // PATH_MIN_POINTS + 1) == 0  # too big: no per-step path
    big = Trainer(
        BOWL.replace(dataset="circle", train_size=50, layers=(96, 96), output="softmax", loss="cross_entropy")
    )
    assert big.net.params.size * 8 * PATH_MIN_POINTS > PATH_BYTES
    big.step(3)
    big.evaluate()
    snap = big.snapshot()
    assert snap.path is None and not big.path.enabled
    steps, _ = L.run_path(snap)  # the time-travel moments instead
    assert steps.tolist() == [m.step for m in snap.timeline]


def test_snapshots_share_old_rows_and_never_change_after_they_are_taken() -> None:
    trainer = bowl(0.3)
    trainer.step(50)
    first = trainer.snapshot().path
    rows = first.params.copy()
    trainer.step(5000)  # thins the record more than once
    second = trainer.snapshot().path
    np.testing.assert_array_equal(first.params, rows)
    assert not first.params.flags.writeable and not second.params.flags.writeable
    third = trainer.snapshot().path
    assert third.blocks == second.blocks or all(a is b for a, b in zip(third.blocks, second.blocks, strict=True))


def test_divergence_and_time_travel_cut_the_path_back_to_where_the_run_is() -> None:
    trainer = bowl(3.0)
    run_in_stretches(trainer, 2000, stretch=20)
    assert trainer.diverged_at is not None
    snap = trainer.snapshot()
    assert snap.path.steps[-1] == trainer.step_count < trainer.diverged_at
    np.testing.assert_array_equal(snap.path.params[-1], trainer.net.params)
    assert np.isfinite(snap.path.params).all()
    calm = bowl(0.3)
    run_in_stretches(calm, 100, stretch=10)
    moment = calm.snapshot().timeline[4]
    calm.resume_from(moment)
    path = calm.snapshot().path
    assert path.steps.tolist() == list(range(moment.step + 1))
    calm.step(3)
    assert calm.snapshot().path.steps[-3:].tolist() == [moment.step + 1, moment.step + 2, moment.step + 3]


def test_an_edited_weight_ends_the_path_at_the_edit() -> None:
    trainer = bowl(0.3)
    trainer.step(10)
    trainer.set_parameter(0, 2.5)
    path = trainer.snapshot().path
    assert path.steps[-2:].tolist() == [10, 10]  # the step's weights, then the edit at the same step
    np.testing.assert_array_equal(path.params[-1], trainer.net.params)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_saved_session_keeps_its_path_and_goes_on_recording_as_the_run_would(tmp_path: Path, engine: str) -> None:
    trainer = bowl(1.8, engine)
    trainer.step(1500)  # past the first 400 steps: thinned pairs and a stride to restore
    save_session(trainer, tmp_path / "s.npz")
    loaded = load_session(tmp_path / "s.npz")
    loaded.use_kernel(trainer.kernel)
    np.testing.assert_array_equal(loaded.snapshot().path.steps, trainer.snapshot().path.steps)
    np.testing.assert_array_equal(loaded.snapshot().path.params, trainer.snapshot().path.params)
    trainer.step(3000)
    loaded.step(3000)
    np.testing.assert_array_equal(loaded.snapshot().path.steps, trainer.snapshot().path.steps)
    np.testing.assert_array_equal(loaded.snapshot().path.params, trainer.snapshot().path.params)


def test_a_session_saved_before_the_path_was_kept_loads_with_its_weights_as_the_path(tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    trainer = bowl(0.3)
    trainer.step(30)
    with zipfile.ZipFile(io.BytesIO(session_bytes(trainer))) as old, zipfile.ZipFile(tmp_path / "old.npz", "w") as new:
        for name in old.namelist():
            if name == "meta.npy":
                meta = json.loads(str(np.load(io.BytesIO(old.read(name)))))
                del meta["path_stride"]
                buf = io.BytesIO()
                np.save(buf, np.array(json.dumps(meta)))
                new.writestr(name, buf.getvalue())
            elif not name.startswith("path_"):
                new.writestr(name, old.read(name))
    loaded = load_session(tmp_path / "old.npz")
    path = loaded.snapshot().path
    assert path.steps.tolist() == [30]
    np.testing.assert_array_equal(path.params[-1], trainer.net.params)
    loaded.step(2)
    assert loaded.snapshot().path.steps.tolist() == [30, 31, 32]


@pytest.mark.parametrize("preset", ["seed-v1", "seed-v2"])  # batches through the gradient; one sample, in place
def test_the_kernel_records_the_same_path_as_numpy(preset: str) -> None:
    config = PRESETS[preset].config(train_size=40) if preset == "seed-v2" else BOWL.replace(lr=1.8)
    paths = []
    for kernel in (None, kernel_for("numba")):
        trainer = Trainer(config)
        trainer.use_kernel(kernel)
        for chunk in (1, 7, 300, 2500, 1):  # through the first 400 steps and into the thinned pairs
            trainer.step(chunk)
        paths.append(trainer.snapshot().path)
    numpy_path, kernel_path = paths
    np.testing.assert_array_equal(kernel_path.steps, numpy_path.steps)
    np.testing.assert_allclose(kernel_path.params, numpy_path.params, rtol=1e-9, atol=1e-12)


def test_rows_of_a_kernel_call_are_kept_as_one_record_each_would_keep() -> None:
    """``record_rows`` (a kernel call's weights, found for the whole call at once) keeps exactly
    the steps and rows that ``record`` at each step the recorder asks for keeps, through the
    thinnings of a long run, whatever the calls' lengths."""
    steps = 20_000
    rows = np.column_stack([np.arange(1, steps + 1), -np.arange(1, steps + 1)]).astype(float)
    one_by_one, in_calls = P.PathRecorder(2), P.PathRecorder(2)
    for recorder in (one_by_one, in_calls):
        recorder.record(0, np.zeros(2))
    for step in range(1, steps + 1):
        if one_by_one.due == step:
            one_by_one.record(step, rows[step - 1])
    chunks = np.random.default_rng(7).integers(1, 700, size=steps)
    first = 1
    for chunk in chunks:
        if first > steps:
            break
        in_calls.record_rows(first, rows[first - 1 : min(steps, first - 1 + int(chunk))])
        first += int(chunk)
    kept_steps, kept_rows, stride = in_calls.saved()
    expected_steps, expected_rows, expected_stride = one_by_one.saved()
    assert stride == expected_stride > 4 and len(kept_steps) <= in_calls.capacity
    np.testing.assert_array_equal(kept_steps, expected_steps)
    np.testing.assert_array_equal(kept_rows, expected_rows)
    np.testing.assert_array_equal(kept_rows[1:, 0], kept_steps[1:])  # each row is its own step's
