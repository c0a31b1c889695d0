"""Hostile files through the CLI: every crafted session exits 2 from ``nnplay train --load`` in one line and
no traceback; bad CSV paths and save targets are refused before training; a large test set's peak memory
stays bounded (measured in a subprocess).
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

import pytest

import nnplay.core.persist as persist
from nnplay.core import memory_budget
from nnplay.core.config import TrainConfig, parse_value
from nnplay.core.datasets import DatasetError, load_csv
from nnplay.core.persist import atomic_write, load_session, save_session
from nnplay.core.trainer import Trainer
from tests.cli.cli_run import one_line, run
from tests.core.hostile_sessions import genuine

ROOT = Path(__file__).resolve().parents[2]


def test_every_crafted_session_exits_2_from_the_cli(crafted, capsys) -> None:
    for name, (path, reason) in crafted.items():
        code, out, err = run(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
        assert code == 2, (name, code, err)
        assert out == "", name
        assert reason in one_line(err), (name, err)


@pytest.mark.slow  # a process of its own, or a whole training
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


def test_a_diverged_session_says_so_when_loaded(tmp_path: Path, capsys) -> None:
    config = TrainConfig(dataset="reg-plane", train_size=50, layers=(), output="linear", lr=50.0, batch_size=10)
    t = Trainer(config)
    t.step(500)
    assert t.diverged_at is not None
    path = tmp_path / "diverged.npz"
    save_session(t, path)
    assert load_session(path).message == t.message
    code, _, err = run(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
    assert code == 3
    assert f"diverged at step {t.diverged_at:,}" in one_line(err)


def test_the_memory_limit_flag(capsys) -> None:
    argv = ["train", "--train-size", "40", "--layers", "256,256,256,256", "--batch-size", "40", "--iterations", "2"]
    code, _, err = run([*argv, "--memory-limit", "64M", "--json"], capsys)
    assert code == 2 and "argument --layers" in one_line(err) and "64.0 MB" in err, err
    code, out, _ = run([*argv, "--json"], capsys)
    assert code == 0 and json.loads(out)["steps"] == 2
    code, _, err = run([*argv, "--memory-limit", "lots"], capsys)
    assert code == 2 and "--memory-limit" in one_line(err)
    assert memory_budget.memory_limit() == memory_budget.DEFAULT_MEMORY_LIMIT


TRAIN_PEAK = """
import sys
from nnplay.tui.cli import main
code = main(sys.argv[1:])
print(code, next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


@pytest.mark.slow  # a process of its own, or a whole training
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
        code, _, err = _in_a_thread(lambda p=path: run(["train", "--csv", p, "--iterations", "1"], capsys))[1]
        assert code == 2 and "not a regular file" in one_line(err)


def test_csv_values_must_keep_the_extent_finite(tmp_path: Path, capsys) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("x,y,label\n0,0,0\n1.7e308,1,1\n2,2,0\n")
    with pytest.raises(DatasetError, match=r"line 3: x value '1.7e308' is too large"):
        load_csv(path)
    path.write_text("x,y,label\n0,0,0\n1e308,1,1\n2,2,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning escaped with x2
        code, _, err = run(["train", "--csv", str(path), "--features", "x,y,x2", "--iterations", "2"], capsys)
    assert code == 2 and "too large" in one_line(err)
    path.write_text("x,y,label\n0,0,0\n1e15,1,1\n2,2,0\n")  # the limit itself is fine
    code, _, err = run(["train", "--csv", str(path), "--save", str(tmp_path / "s.npz"), "--iterations", "2"], capsys)
    assert code == 0, err
    assert load_session(tmp_path / "s.npz").data.extent == pytest.approx(1.1e15)  # its own loader takes it


def test_a_device_or_fifo_is_not_replaced_by_a_save(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        with pytest.raises(OSError, match="not a regular file"):
            atomic_write(target, b"data")
        code, out, err = run(["train", "--iterations", "5", "--save", str(target), "--json"], capsys)
        assert code == 2 and out == "" and "not a regular file" in one_line(err)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.npz"]


def test_bad_save_names_and_folders_are_found_before_training(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained: list[int] = []
    real_step = Trainer.step
    monkeypatch.setattr(Trainer, "step", lambda self, n=1: trained.append(n) or real_step(self, n))
    code, _, err = run(["train", "--iterations", "5", "--save", str(tmp_path / ("x" * 300)), "--json"], capsys)
    assert code == 2 and "longer than 255 bytes" in one_line(err)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")  # root ignores chmod, so simulate a read-only folder

    monkeypatch.setattr(persist.tempfile, "mkstemp", read_only)
    code, _, err = run(["train", "--iterations", "5", "--save", str(tmp_path / "s.npz"), "--json"], capsys)
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
    code, out, err = run(["train", "--iterations", "5", "--save", str(tmp_path / "s.npz"), "--json"], capsys)
    assert code == 1
    assert json.loads(out)["steps"] == 5
    assert "No space left on device" in one_line(err)
    assert list(tmp_path.iterdir()) == []  # and the temporary file is gone


def test_noise_minus_zero_is_zero(capsys) -> None:
    assert str(parse_value("noise", "-0")) == "0.0"
    assert str(TrainConfig(noise=-0.0).noise) == "0.0"
    for dataset in ("quadrants", "gauss", "moons"):
        code, _, err = run(["train", "--dataset", dataset, "--noise", "-0", "--iterations", "2", "--json"], capsys)
        assert code == 0, err
