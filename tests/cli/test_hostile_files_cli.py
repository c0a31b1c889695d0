"""Hostile files through the CLI: every crafted session exits 2 from ``nnplay train --load`` in one line and
no traceback; bad CSV paths and save targets are refused before training; a large test set's peak memory
stays bounded (measured in a subprocess).
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

import nnplay.core.files.session_file as persist
from nnplay.core.data.datasets import DatasetError, load_csv
from nnplay.core.files.session_file import atomic_write, load_session, save_session
from nnplay.core.io import output_file
from nnplay.core.io.output_file import shown_path
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings import memory_budget
from nnplay.core.settings.config import TrainConfig, parse_value
from tests.cli.cli_run import one_line, run
from tests.core.hostile_csv import hostile_csv_files
from tests.core.hostile_progress import odd_progress_files
from tests.core.hostile_sessions import TERMINAL_TEXT, genuine

ROOT = Path(__file__).resolve().parents[2]


def test_every_crafted_session_exits_2_from_the_cli(crafted, capsys) -> None:
    for name, (path, reason) in crafted.items():
        code, out, err = run(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
        assert code == 2, (name, code, err)
        assert out == "", name
        assert reason in one_line(err), (name, err)


def shown_as_text(err: str) -> str:
    """``err``, checked to hold no character a terminal would obey (besides its final line end)."""
    assert all(ch.isprintable() for ch in err.removesuffix("\n")), repr(err)
    return err


def test_class_names_a_terminal_would_obey_are_refused_as_text(crafted, capsys) -> None:
    for case in TERMINAL_TEXT:
        code, out, err = run(["train", "--load", str(crafted[f"class-name-{case}"][0]), "--iterations", "1"], capsys)
        assert code == 2 and out == "", (case, err)
        assert "which is not printable text" in shown_as_text(one_line(err)), case


def test_a_path_a_terminal_would_obey_is_echoed_as_text(tmp_path: Path, capsys) -> None:
    for name in ("\x1b]0;PWNED\x07.csv", "\x1b[?1049l.csv", "\u202etxt.csv", "\x9b2J.csv"):
        code, _, err = run(["train", "--csv", str(tmp_path / name), "--iterations", "1"], capsys)
        assert code == 2 and "no such file" in shown_as_text(one_line(err)), err
    code, _, err = run(["train", "--csv", str(tmp_path / "\x1b]0;PWNED\x07.csv"), "--iterations", "1"], capsys)
    assert "␛]0;PWNED␇.csv" in err  # shown, one visible picture per control character
    code, _, err = run(["train", "\x1b]0;PWNED\x07.npz"], capsys)  # a file name a glob put on the command line
    assert code == 2 and "unrecognized arguments: ␛]0;PWNED␇.npz" in shown_as_text(one_line(err))
    saved = tmp_path / "s\x1b[2J.npz"
    code, out, err = run(["train", "--iterations", "1", "--save", str(saved)], capsys)
    # A path the command wrote is shown as its repr, which a shell can take back ('...\x1b[2J.npz').
    assert code == 0 and f"saved the session to {shown_path(saved)}" in shown_as_text(out.splitlines()[-1])


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


LESSONS_PEAK = """
import ast, contextlib, io, os, sys
from nnplay.tui.cli.entry import main
for folder in sys.argv[1:]:
    os.environ["XDG_DATA_HOME"] = folder
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["lessons"])
    print(code, repr(err.getvalue()))
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


def _lessons_with_progress(paths: list[Path]) -> tuple[list[tuple[int, str]], int]:
    """``nnplay lessons`` keeping its progress at each of ``paths`` in turn, in one process:
    (exit code, stderr) of each, and the process's peak memory in MB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    folders = [str(path.parents[1]) for path in paths]
    done = subprocess.run([sys.executable, "-c", LESSONS_PEAK, *folders], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=env)  # fmt: skip
    *runs, peak_mb = done.stdout.strip().splitlines()
    assert len(runs) == len(paths), done.stdout + done.stderr
    return [(int(code), ast.literal_eval(err)) for code, err in (line.split(" ", 1) for line in runs)], int(peak_mb)


def test_odd_lesson_progress_lists_the_lessons_with_one_warning(tmp_path: Path) -> None:
    """A file that would recurse, hang (FIFO) or never end (/dev/zero): no traceback, no wait, no gigabytes."""
    files = odd_progress_files(tmp_path)
    names = ["nested-100000", "nested-60000", "fifo", "dev-zero"]
    runs, peak_mb = _lessons_with_progress([files[name] for name in names])
    for name, (code, err) in zip(names, runs, strict=True):
        assert code == 0, (name, err)
        assert one_line(err).startswith("nnplay lessons: warning: lesson progress not read from"), (name, err)
    assert peak_mb < 200


@pytest.mark.slow
def test_a_700_mb_lesson_progress_file_is_not_read(tmp_path: Path) -> None:
    [(code, err)], peak_mb = _lessons_with_progress([odd_progress_files(tmp_path, huge=True)["700-mb"]])
    assert code == 0 and "734,003,200 bytes is larger than the 65,536-byte limit" in one_line(err)
    print(f"\n700 MB lesson progress: peak RSS {peak_mb} MB")
    assert peak_mb < 200


def test_a_lesson_progress_path_a_terminal_would_obey_is_warned_as_text(tmp_path: Path, capsys, monkeypatch) -> None:
    data = tmp_path / "\x1b]0;PWNED\x07"
    (data / "nnplay").mkdir(parents=True)
    (data / "nnplay" / "lessons.json").write_text("{not json")
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    code, _, err = run(["lessons"], capsys)
    assert code == 0 and "␛]0;PWNED␇" in shown_as_text(one_line(err))


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
from nnplay.tui.cli.entry import main
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


@pytest.mark.slow
def test_a_50_mb_one_line_csv_is_refused_by_train_in_a_few_megabytes(tmp_path: Path) -> None:
    """The whole line was read, decoded and split before the refusal: a peak of 1.1 GB."""
    path, reason = hostile_csv_files(tmp_path, huge=True)["one-line-50mb"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", TRAIN_PEAK, "train", "--csv", str(path), "--iterations", "1"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)  # fmt: skip
    code, peak_mb = done.stdout.strip().splitlines()[-1].split()
    assert code == "2" and reason in one_line(done.stderr), done.stderr
    print(f"\n50 MB one-line CSV through nnplay train: peak RSS {peak_mb} MB")
    assert int(peak_mb) < 200


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

    monkeypatch.setattr(output_file.tempfile, "mkstemp", read_only)
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


# -- names and outputs --------------------------------------------------------------------


def _nnplay(*argv: str | bytes, **kwargs) -> subprocess.CompletedProcess[str]:
    """The real ``nnplay ARGV`` (its entry point, stdout and exit status included) in a subprocess."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    kwargs.setdefault("env", {**os.environ, "PYTHONPATH": str(ROOT)})
    return subprocess.run([sys.executable, "-m", "nnplay.tui.cli", *argv], text=True, timeout=120, cwd=ROOT, **kwargs)


def test_a_save_named_in_bytes_that_are_not_utf8_is_written_under_those_bytes(tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/s\xff\n.npz"
    done = _nnplay("train", "--iterations", "5", "--save", target)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.rstrip().endswith(f"saved the session to {os.fsdecode(target)!r}")
    assert os.listdir(os.fsencode(tmp_path)) == [b"s\xff\n.npz"]
    assert load_session(os.fsdecode(target)).step_count == 5


@pytest.mark.parametrize("name", ["dir/m.npz/", "dir/m.npz/.", "dir/m.npz//"])
def test_a_name_that_names_a_folder_is_refused(name: str, tmp_path: Path, capsys) -> None:
    """``dir/m.npz/`` once saved to ``dir/m.npz``: a trailing separator says a folder is meant."""
    (tmp_path / "dir").mkdir()
    _, session = _trained_session_file(tmp_path)
    for argv in (
        ["train", "--iterations", "2", "--save", f"{tmp_path}/{name}"],
        ["export", "--load", str(session), "--format", "numpy", "--out", f"{tmp_path}/{name}"],
    ):
        code, out, err = run(argv, capsys)
        assert code == 2 and out == "" and "names a folder" in one_line(err), (argv, err)
    assert list((tmp_path / "dir").iterdir()) == []


def _trained_session_file(tmp_path: Path) -> tuple[Trainer, Path]:
    t = genuine(steps=1)
    save_session(t, tmp_path / "s.npz")
    return t, tmp_path / "s.npz"


def test_a_save_never_replaces_the_csv_it_trains_on(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("x,y,label\n" + "".join(f"{i},{-i},{i % 2}\n" for i in range(20)))
    text = csv.read_text()
    (tmp_path / "link.npz").symlink_to("points.csv")
    for target in (csv, tmp_path / "link.npz"):
        code, out, err = run(["train", "--csv", str(csv), "--iterations", "2", "--save", str(target)], capsys)
        assert code == 2 and out == "" and "is the file being read" in one_line(err), err
    assert csv.read_text() == text
    # Resuming a session and saving it back where it came from is what --save is for.
    session = tmp_path / "s.npz"
    assert run(["train", "--csv", str(csv), "--iterations", "2", "--save", str(session), "--json"], capsys)[0] == 0
    code, _, err = run(["train", "--load", str(session), "--iterations", "4", "--save", str(session), "--json"], capsys)
    assert code == 0 and load_session(session).step_count > 2, err


@pytest.mark.parametrize(("stream", "name"), [("stdout", "standard output"), ("stderr", "standard error")])
def test_a_save_never_replaces_the_file_the_output_goes_to(stream: str, name: str, tmp_path: Path) -> None:
    """``--save /dev/stdout >file`` replaced ``file`` with the session, and the table went nowhere."""
    log = tmp_path / "log.txt"
    with open(log, "w") as fh:
        done = _nnplay("train", "--iterations", "2", "--save", f"/dev/{stream}", **{stream: fh})
    said = (done.stderr or "") + log.read_text()
    assert done.returncode == 2 and f"is this command's {name}" in said, said
    assert one_line(said) and list(tmp_path.iterdir()) == [log]


STDOUT_COMMANDS = {
    "train --json": ["train", "--iterations", "5", "--json"],
    "train's table": ["train", "--iterations", "5"],
    "lessons": ["lessons"],
    "export": ["export", "--load", "SESSION", "--format", "json", "--out", "OUT/m.json"],
}


@pytest.mark.parametrize("command", list(STDOUT_COMMANDS))
def test_an_output_that_fails_ends_in_one_line_and_status_1(command: str, tmp_path: Path) -> None:
    _, session = _trained_session_file(tmp_path)
    argv = [a.replace("SESSION", str(session)).replace("OUT", str(tmp_path)) for a in STDOUT_COMMANDS[command]]
    with open("/dev/full", "w") as full:
        done = _nnplay(*argv, stdout=full)
    assert done.returncode == 1 and "cannot write to standard output (No space left on device)" in one_line(
        done.stderr
    ), (command, done.stderr)
    closed = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "nnplay.tui.cli", *argv],
                            capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert closed.returncode == 1 and "standard output is closed" in one_line(closed.stderr), (command, closed.stderr)


def test_text_the_output_cannot_encode_is_spelled_out() -> None:
    done = _nnplay("lessons", env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "\\xb7" in done.stdout and "nnplay lesson N" in done.stdout  # the list's dot, spelled out


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("a file", "is not a folder"),
        (os.devnull, "is not a folder"),
        ("/sys/nnplay-screenshots", "cannot make the folder"),  # a read-only parent, even for root
        ("/proc", "cannot write in folder"),  # a folder nobody writes in, even root
        ("a folder holding a folder help.svg", "help.svg: is a folder"),
        ("", "no folder name given"),
    ],
)
def test_screenshots_refuse_a_folder_they_cannot_fill_before_taking_any(where: str, said: str, tmp_path, capsys):
    (tmp_path / "a file").write_text("kept")
    (tmp_path / "a folder holding a folder help.svg" / "help.svg").mkdir(parents=True)
    out = where if where in ("", os.devnull) or where.startswith("/") else str(tmp_path / where)
    code, printed, err = run(["screenshots", "--out", out], capsys)
    assert code == 2 and printed == "" and said in one_line(err), err
    assert (tmp_path / "a file").read_text() == "kept"
    assert [p for p in tmp_path.rglob("*.svg") if not p.is_dir()] == []
