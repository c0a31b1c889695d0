"""Hostile files for the engine: crafted sessions, CSV files, saves to odd targets, memory.

Every crafted session (``hostile_sessions.py``) is refused by the loader in one line (the CLI's
refusals: tests/cli/test_hostile_files_cli.py); a bomb is refused without inflating it (peak
memory measured in a subprocess); the run state at its limits still steps.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import nnplay.core.files.session_file as persist
from nnplay.core.data.datasets import DatasetError, load_csv
from nnplay.core.engine import kernel as kernel_module
from nnplay.core.engine.network import MAX_PARAMETER
from nnplay.core.files.session_file import MAX_STEP, SessionFileError, atomic_write, load_session, save_session
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings import memory_budget
from nnplay.core.settings.config import ConfigError, TrainConfig
from nnplay.core.teaching.lesson_progress import Progress
from tests.core.hostile_csv import hostile_csv_files
from tests.core.hostile_progress import odd_progress_files
from tests.core.hostile_sessions import deflate_bomb, genuine, members, raw_members, write_zip

ROOT = Path(__file__).resolve().parents[2]


# -- crafted sessions ---------------------------------------------------------------------------


def test_every_crafted_session_is_refused_in_one_line(crafted) -> None:
    assert len(crafted) >= 30
    for name, (path, reason) in crafted.items():
        with pytest.raises(SessionFileError) as info:
            load_session(path)
        message = str(info.value)
        assert message.startswith(str(path)), name
        assert reason in message, (name, message)
        assert "\n" not in message and len(message) < 400, (name, message)


PEAK = """
import importlib, sys
module, loader, refusal, path = sys.argv[1:]
module = importlib.import_module(module)
try:
    getattr(module, loader)(path)
    print("loaded")
except getattr(module, refusal) as exc:
    print("refused", exc)
# The peak of this process's own memory (VmHWM): ru_maxrss would also count the parent's pages at
# the fork, so a test worker that had grown to 250 MB made every child look that big.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


def loaded_in_a_subprocess(module: str, loader: str, refusal: str, path: Path) -> tuple[str, int]:
    """("loaded" or "refused MESSAGE", peak memory in MB) of ``module.loader(path)`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PEAK, module, loader, refusal, str(path)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)  # fmt: skip
    said, peak_mb = done.stdout.strip().splitlines()
    return said, int(peak_mb)


@pytest.mark.slow
@pytest.mark.parametrize("key", ["X_train", "params"])
def test_a_deflate_bomb_is_refused_without_inflating_it(tmp_path: Path, key: str) -> None:
    """1 GB of zeros in a 1 MB file: refused from the header, peak memory stays that of the program."""
    arrays, meta = members(genuine())
    bomb = deflate_bomb(tmp_path / "bomb.npz", arrays, meta, key, 64_000_000 if key == "X_train" else 32_000_000)
    assert bomb.stat().st_size < 4_000_000
    refused, peak_mb = loaded_in_a_subprocess(
        "nnplay.core.files.session_file", "load_session", "SessionFileError", bomb
    )
    assert refused.startswith("refused"), refused
    print(f"\n{bomb.stat().st_size / 1e6:.1f} MB bomb ({key}): peak RSS {peak_mb} MB")
    assert peak_mb < 250


def test_refusals_leave_a_loaded_session_as_it_was(crafted, tmp_path: Path) -> None:
    path = tmp_path / "good.npz"
    save_session(genuine(), path)
    loaded = load_session(path)
    params, step = loaded.net.params.copy(), loaded.step_count
    for bad, _ in crafted.values():
        with pytest.raises(SessionFileError):
            load_session(bad)
    assert np.array_equal(loaded.net.params, params) and loaded.step_count == step
    assert loaded.step(5) == 5


def _with(tmp_path: Path, name: str, meta_changes: dict | None = None, **arrays_changed: np.ndarray) -> Path:
    arrays, meta = members(genuine())
    for key, value in (meta_changes or {}).items():
        meta[key] = value
    return write_zip(tmp_path / f"{name}.npz", raw_members({**arrays, **arrays_changed}, meta))


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_a_session_at_the_edge_of_every_range_loads_and_steps(tmp_path: Path, engine: str) -> None:
    arrays, _ = members(genuine())
    params = np.where(np.arange(arrays["params"].size) % 2, MAX_PARAMETER, -MAX_PARAMETER)
    path = _with(tmp_path, "edge", {"step": MAX_STEP, "epoch": MAX_STEP, "order_at": 39, "optimizer_t": MAX_STEP},
                 params=params)  # fmt: skip
    t = load_session(path)
    if engine == "numba":
        kernel = kernel_module.load_kernel()
        if kernel is None:
            pytest.skip("numba is not installed")
        t.use_kernel(kernel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.step(3)
        t.evaluate()
    # Weights of ±1e30 are the edge of a run: the first step past it diverges, cleanly.
    assert t.diverged_at == MAX_STEP + 1 and "diverged at step" in t.message


# -- memory ------------------------------------------------------------------------------------


def test_a_configuration_over_the_budget_is_refused_with_its_estimate() -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(train_size=100_000, layers=(256,) * 8, batch_size=100_000)
    assert info.value.name == "batch_size"
    assert "need about" in str(info.value) and "training batch" in str(info.value) and "2.0 GB" in str(info.value)
    # The largest settings with a small batch fit: passes over the data run in chunks.
    big = TrainConfig(train_size=100_000, test_ratio=0.9, layers=(256,) * 8, batch_size=10)
    assert memory_budget.config_estimate(big).total < memory_budget.DEFAULT_MEMORY_LIMIT


def test_chunked_evaluation_gives_the_same_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    t = Trainer(TrainConfig(dataset="circle", train_size=1000, test_ratio=0.5, layers=(6,)))
    t.step(200)
    whole = t.evaluate(record=False)
    import nnplay.core.run.evaluation as evaluation_module

    monkeypatch.setattr(evaluation_module, "EVAL_CHUNK", 64)
    chunked = t.evaluate(record=False)
    assert chunked.train_loss == pytest.approx(whole.train_loss, rel=1e-12)
    assert chunked.test_accuracy == whole.test_accuracy
    assert np.array_equal(chunked.confusion_test, whole.confusion_test)


# -- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_csv_line_endings(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(ending.join(["x,y,label", "0,0,0", "1,1,1", "2,0.5,0"]).encode() + ending.encode())
    X, y, regression = load_csv(path)
    assert X.shape == (3, 2) and list(y) == [0, 1, 0] and not regression
    path.write_bytes(ending.join(["x,y,label", "0,0,0", "1,oops,1"]).encode())
    with pytest.raises(DatasetError, match="line 3"):
        load_csv(path)


# -- lesson progress ---------------------------------------------------------------------------


def _within(seconds: float, fn):
    """``fn()``'s result, or a failure saying it blocked (instead of hanging the suite) or raised."""
    import threading

    result: list = []
    worker = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{fn} blocked for {seconds} s"
    assert result, f"{fn} raised (see the thread's traceback above)"
    return result[0]


def test_odd_lesson_progress_is_no_progress_yet_said_in_one_line(tmp_path: Path) -> None:
    for name, path in odd_progress_files(tmp_path).items():
        progress = _within(10, lambda p=path: Progress(p))
        assert progress.done("circle") == frozenset(), name
        assert progress.problem and progress.problem.startswith(f"lesson progress not read from {path}"), name
        assert "starting with none done" in progress.problem and "\n" not in progress.problem, name


def test_every_hostile_csv_is_refused_in_one_line(tmp_path: Path) -> None:
    for name, (path, reason) in hostile_csv_files(tmp_path).items():
        with pytest.raises(DatasetError) as info:
            load_csv(path)
        message = str(info.value)
        assert message.startswith(f"{path}: ") and reason in message and "\n" not in message, (name, message)


def test_a_csv_read_in_small_blocks_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines (and \r\n) cut by the blocks a file is read in: the same rows, the same line numbers."""
    import nnplay.core.data.datasets as datasets

    text = "\ufeff-1,-1,1\r\n\r\n  # note\r0,0,0\n\n1, 1 ,1\r\n\r\r2,0.5,0\r\n  \t\n3,3,1"
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode())
    whole = load_csv(path)
    bad = tmp_path / "bad.csv"
    bad.write_bytes((text + "\r\n\r\n4,oops,0\r\n").encode())
    for block in (1, 2, 3, 7):
        monkeypatch.setattr(datasets, "CSV_BLOCK", block)
        X, y, regression = load_csv(path)
        assert np.array_equal(X, whole[0]) and np.array_equal(y, whole[1]) and not regression, block
        with pytest.raises(DatasetError, match="line 13: y value 'oops' is not a number"):
            load_csv(bad)
    assert X.tolist() == [[-1, -1], [0, 0], [1, 1], [2, 0.5], [3, 3]]


@pytest.mark.slow
def test_a_50_mb_csv_is_refused_in_a_few_megabytes(tmp_path: Path) -> None:
    """One line of emoji and commas, blank lines, spaces: each refused, peak memory that of the program
    (the whole file was read, decoded and split: 1.1 GB for the line, 0.5 GB for the blank lines)."""
    for name, (path, reason) in hostile_csv_files(tmp_path, huge=True).items():
        if name.endswith("50mb"):
            refused, peak_mb = loaded_in_a_subprocess("nnplay.core.data.datasets", "load_csv", "DatasetError", path)
            assert refused.startswith("refused") and reason in refused, (name, refused)
            print(f"\n{name}: peak RSS {peak_mb} MB")
            assert peak_mb < 120, name


# -- saving ------------------------------------------------------------------------------------


def test_a_symlinked_save_updates_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real" / "session.npz"
    real.parent.mkdir()
    save_session(genuine(steps=2), real)
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    save_session(genuine(steps=5), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_session(real).step_count == 5
    assert sorted(p.name for p in real.parent.iterdir()) == ["session.npz"]


def test_stale_temporary_files_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "s.npz"
    stale = tmp_path / ".s.npz.ab12_xyz.tmp"  # what a SIGKILLed save leaves
    stale.write_bytes(b"half a session")
    live = tmp_path / ".s.npz.live0001.tmp"  # another save still writing holds its lock
    live.write_bytes(b"being written")
    other = tmp_path / ".notes.txt.ab12cd34.tmp"  # not ours
    other.write_bytes(b"x")
    with open(live, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        save_session(genuine(steps=1), target)
        assert live.exists()
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".notes.txt.ab12cd34.tmp", live.name, "s.npz"])


def test_the_folder_is_fsynced_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(persist.os, "fsync", fsync)
    atomic_write(tmp_path / "f.bin", b"data")
    assert synced == [False, True]


# -- settings ----------------------------------------------------------------------------------
