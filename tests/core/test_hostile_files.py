"""Hostile files: crafted sessions, CSV paths that are not files, saves to odd targets, memory.

Every crafted session (``hostile_sessions.py``) is refused by the loader in one line and by
``nnplay train --load`` with exit 2 and no traceback; a bomb is refused without inflating it
(peak memory measured in a subprocess); the run state at its limits still steps.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

import nnplay.core.persist as persist
from nnplay.core import kernel as kernel_module
from nnplay.core import memory_budget
from nnplay.core.config import ConfigError, TrainConfig, parse_value
from nnplay.core.datasets import DatasetError, load_csv
from nnplay.core.network import MAX_PARAMETER
from nnplay.core.persist import MAX_STEP, SessionFileError, atomic_write, load_session, save_session
from nnplay.core.trainer import Trainer
from nnplay.tui.cli import main
from tests.core.hostile_sessions import crafted_sessions, deflate_bomb, genuine, members, raw_members, write_zip

ROOT = Path(__file__).resolve().parents[2]
real_load_kernel = kernel_module.load_kernel  # before the fixture below swaps it for in-process CLI runs


@pytest.fixture(autouse=True)
def numpy_engine_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process CLI runs use the numpy step (loading numba costs seconds per process)."""
    from nnplay.core import kernel

    monkeypatch.setattr(kernel, "load_kernel", lambda: None, raising=False)


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return crafted_sessions(tmp_path_factory.mktemp("crafted"))


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err


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


def test_every_crafted_session_exits_2_from_the_cli(crafted, capsys) -> None:
    for name, (path, reason) in crafted.items():
        code, out, err = cli(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
        assert code == 2, (name, code, err)
        assert out == "", name
        assert reason in one_line(err), (name, err)


def test_a_crafted_session_in_a_subprocess_prints_no_traceback(crafted) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("nested-100000", "int-100000-digits", "header-lie-params", "three-bytes-crc"):
        done = subprocess.run(
            [sys.executable, "-m", "nnplay.tui.cli", "train", "--load", str(crafted[name][0]), "--json"],
            capture_output=True, text=True, timeout=60, cwd=ROOT, env=env,
        )  # fmt: skip
        assert done.returncode == 2, (name, done.stderr)
        assert done.stdout == ""
        one_line(done.stderr)


PEAK = """
import sys
from nnplay.core.persist import SessionFileError, load_session
try:
    load_session(sys.argv[1])
    print("loaded")
except SessionFileError as exc:
    print("refused", exc)
# The peak of this process's own memory (VmHWM): ru_maxrss would also count the parent's pages at
# the fork, so a test worker that had grown to 250 MB made every child look that big.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


@pytest.mark.parametrize("key", ["X_train", "params"])
def test_a_deflate_bomb_is_refused_without_inflating_it(tmp_path: Path, key: str) -> None:
    """1 GB of zeros in a 1 MB file: refused from the header, peak memory stays that of the program."""
    arrays, meta = members(genuine())
    bomb = deflate_bomb(tmp_path / "bomb.npz", arrays, meta, key, 64_000_000 if key == "X_train" else 32_000_000)
    assert bomb.stat().st_size < 4_000_000
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PEAK, str(bomb)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)  # fmt: skip
    refused, peak_mb = done.stdout.strip().splitlines()
    assert refused.startswith("refused"), done.stdout + done.stderr
    print(f"\n{bomb.stat().st_size / 1e6:.1f} MB bomb ({key}): peak RSS {peak_mb} MB")
    assert int(peak_mb) < 250


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
        kernel = real_load_kernel()
        if kernel is None:
            pytest.skip("numba is not installed")
        t.use_kernel(kernel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.step(3)
        t.evaluate()
    # Weights of ±1e30 are the edge of a run: the first step past it diverges, cleanly.
    assert t.diverged_at == MAX_STEP + 1 and "diverged at step" in t.message


def test_a_diverged_session_says_so_when_loaded(tmp_path: Path, capsys) -> None:
    config = TrainConfig(dataset="reg-plane", train_size=50, layers=(), output="linear", lr=50.0, batch_size=10)
    t = Trainer(config)
    t.step(500)
    assert t.diverged_at is not None
    path = tmp_path / "diverged.npz"
    save_session(t, path)
    assert load_session(path).message == t.message
    code, _, err = cli(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
    assert code == 3
    assert f"diverged at step {t.diverged_at:,}" in one_line(err)


# -- memory ------------------------------------------------------------------------------------


def test_a_configuration_over_the_budget_is_refused_with_its_estimate() -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(train_size=100_000, layers=(256,) * 8, batch_size=100_000)
    assert info.value.name == "batch_size"
    assert "need about" in str(info.value) and "training batch" in str(info.value) and "2.0 GB" in str(info.value)
    # The largest settings with a small batch fit: passes over the data run in chunks.
    big = TrainConfig(train_size=100_000, test_ratio=0.9, layers=(256,) * 8, batch_size=10)
    assert memory_budget.config_estimate(big).total < memory_budget.DEFAULT_MEMORY_LIMIT


def test_the_memory_limit_flag(capsys) -> None:
    argv = ["train", "--train-size", "40", "--layers", "256,256,256,256", "--batch-size", "40", "--iterations", "2"]
    code, _, err = cli([*argv, "--memory-limit", "64M", "--json"], capsys)
    assert code == 2 and "argument --layers" in one_line(err) and "64.0 MB" in err, err
    code, out, _ = cli([*argv, "--json"], capsys)
    assert code == 0 and json.loads(out)["steps"] == 2
    code, _, err = cli([*argv, "--memory-limit", "lots"], capsys)
    assert code == 2 and "--memory-limit" in one_line(err)
    assert memory_budget.memory_limit() == memory_budget.DEFAULT_MEMORY_LIMIT


def test_chunked_evaluation_gives_the_same_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    t = Trainer(TrainConfig(dataset="circle", train_size=1000, test_ratio=0.5, layers=(6,)))
    t.step(200)
    whole = t.evaluate(record=False)
    import nnplay.core.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "EVAL_CHUNK", 64)
    chunked = t.evaluate(record=False)
    assert chunked.train_loss == pytest.approx(whole.train_loss, rel=1e-12)
    assert chunked.test_accuracy == whole.test_accuracy
    assert np.array_equal(chunked.confusion_test, whole.confusion_test)


TRAIN_PEAK = """
import sys
from nnplay.tui.cli import main
code = main(sys.argv[1:])
print(code, next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


def test_peak_memory_of_a_large_test_set_stays_bounded() -> None:
    """180,000 test points through 4 layers of 64: a whole-set pass held ~1 GB of activations."""
    argv = ["train", "--dataset", "circle", "--train-size", "20000", "--test-ratio", "0.9", "--layers",
            "64,64,64,64", "--batch-size", "10", "--iterations", "20", "--engine", "numpy", "--json"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", TRAIN_PEAK, *argv], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env=env)  # fmt: skip
    code, peak_mb = done.stdout.strip().splitlines()[-1].split()
    assert code == "0", done.stderr
    print(f"\npeak RSS {peak_mb} MB")
    assert int(peak_mb) < 400


# -- CSV -----------------------------------------------------------------------------------------


def _in_a_thread(fn, timeout: float = 10.0):
    """Run ``fn``; fail (instead of hanging the suite) when it blocks."""
    result: list = []

    def target() -> None:
        try:
            result.append(("ok", fn()))
        except BaseException as exc:
            result.append(("raised", exc))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"{fn} blocked for {timeout} s"
    return result[0]


def test_a_fifo_or_a_device_as_csv_is_refused_before_opening(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    for path in (str(fifo), os.devnull):
        kind, exc = _in_a_thread(lambda p=path: load_csv(p))
        assert kind == "raised" and isinstance(exc, DatasetError), exc
        assert "not a regular file" in str(exc)
        code, _, err = _in_a_thread(lambda p=path: cli(["train", "--csv", p, "--iterations", "1"], capsys))[1]
        assert code == 2 and "not a regular file" in one_line(err)


def test_csv_values_must_keep_the_extent_finite(tmp_path: Path, capsys) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("x,y,label\n0,0,0\n1.7e308,1,1\n2,2,0\n")
    with pytest.raises(DatasetError, match=r"line 3: x value '1.7e308' is too large"):
        load_csv(path)
    path.write_text("x,y,label\n0,0,0\n1e308,1,1\n2,2,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning escaped with x2
        code, _, err = cli(["train", "--csv", str(path), "--features", "x,y,x2", "--iterations", "2"], capsys)
    assert code == 2 and "too large" in one_line(err)
    path.write_text("x,y,label\n0,0,0\n1e15,1,1\n2,2,0\n")  # the limit itself is fine
    code, _, err = cli(["train", "--csv", str(path), "--save", str(tmp_path / "s.npz"), "--iterations", "2"], capsys)
    assert code == 0, err
    assert load_session(tmp_path / "s.npz").data.extent == pytest.approx(1.1e15)  # its own loader takes it


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_csv_line_endings(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(ending.join(["x,y,label", "0,0,0", "1,1,1", "2,0.5,0"]).encode() + ending.encode())
    X, y, regression = load_csv(path)
    assert X.shape == (3, 2) and list(y) == [0, 1, 0] and not regression
    path.write_bytes(ending.join(["x,y,label", "0,0,0", "1,oops,1"]).encode())
    with pytest.raises(DatasetError, match="line 3"):
        load_csv(path)


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


def test_a_device_or_fifo_is_not_replaced_by_a_save(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        with pytest.raises(OSError, match="not a regular file"):
            atomic_write(target, b"data")
        code, out, err = cli(["train", "--iterations", "5", "--save", str(target), "--json"], capsys)
        assert code == 2 and out == "" and "not a regular file" in one_line(err)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.npz"]


def test_bad_save_names_and_folders_are_found_before_training(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained: list[int] = []
    real_step = Trainer.step
    monkeypatch.setattr(Trainer, "step", lambda self, n=1: trained.append(n) or real_step(self, n))
    code, _, err = cli(["train", "--iterations", "5", "--save", str(tmp_path / ("x" * 300)), "--json"], capsys)
    assert code == 2 and "longer than 255 bytes" in one_line(err)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")  # root ignores chmod, so simulate a read-only folder

    monkeypatch.setattr(persist.tempfile, "mkstemp", read_only)
    code, _, err = cli(["train", "--iterations", "5", "--save", str(tmp_path / "s.npz"), "--json"], capsys)
    assert code == 2 and "cannot write in folder" in one_line(err) and "Permission denied" in err
    assert trained == []
    # The longest name that fits is saved (its temporary name is cut to fit too).
    monkeypatch.undo()
    longest = tmp_path / ("y" * 251 + ".npz")
    save_session(genuine(steps=1), longest)
    assert load_session(longest).step_count == 1


def test_a_failed_save_still_prints_the_result_and_exits_1(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.os, "replace", disk_full)
    code, out, err = cli(["train", "--iterations", "5", "--save", str(tmp_path / "s.npz"), "--json"], capsys)
    assert code == 1
    assert json.loads(out)["steps"] == 5
    assert "No space left on device" in one_line(err)
    assert list(tmp_path.iterdir()) == []  # and the temporary file is gone


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


def test_noise_minus_zero_is_zero(capsys) -> None:
    assert str(parse_value("noise", "-0")) == "0.0"
    assert str(TrainConfig(noise=-0.0).noise) == "0.0"
    for dataset in ("quadrants", "gauss", "moons"):
        code, _, err = cli(["train", "--dataset", dataset, "--noise", "-0", "--iterations", "2", "--json"], capsys)
        assert code == 0, err
