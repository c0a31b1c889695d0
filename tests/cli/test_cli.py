"""Tests of the headless ``nnplay train`` command and the top-level flags.

Most run ``tui.cli.entry.main`` in-process; a few run the real command in a subprocess to
prove the exit codes are real and nothing prints a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnplay.core.files.session_file as persist
from nnplay.core.files.session_file import load_session, session_bytes
from nnplay.core.settings.config import FIELDS
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.cli.entry import entry_point
from nnplay.tui.flags.flag_table import FLAG_FIELDS
from tests.cli.cli_run import run, run_json

ROOT = Path(__file__).resolve().parents[2]

# Every flag the spec names, written out here rather than read from the code.
CONFIG_FLAGS = (
    "--preset --dataset --csv --noise --train-size --test-ratio --features --layers --activation --output "
    "--loss --init --optimizer --lr --momentum --l1 --l2 --batch-size --iterations --epochs --target-loss "
    "--seed --load --data-seed --schedule --points"
).split()
TRAIN_ONLY_FLAGS = ("--save", "--json")

NUMERIC_FLAGS = [flag for flag, name in FLAG_FIELDS.items() if FIELDS[name].kind in ("int", "float")]
# A quick run: 40 points, a few steps.
QUICK = ["--preset", "quadrants", "--train-size", "40", "--iterations", "20"]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nnplay.tui.cli", *args]


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command(*args), cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def assert_one_line_error(err: str, *needles: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# -- slow runs in the background -------------------------------------------------------


BACKGROUND = {
    "seed-v1": ("train", "--preset", "seed-v1", "--json"),
    "seed-v2": ("train", "--preset", "seed-v2", "--json"),
}


@pytest.fixture(scope="module", autouse=True)
def background_runs():
    """The slow real runs, started together when this file starts and read by the tests that need them.

    They run while the quick in-process tests do; ``finished`` waits for one and returns
    (exit code, stdout, stderr).
    """
    procs = {name: spawn(*args) for name, args in BACKGROUND.items()}
    results: dict[str, tuple[int, str, str]] = {}

    def finished(name: str) -> tuple[int, str, str]:
        if name not in results:
            out, err = procs[name].communicate(timeout=180)
            results[name] = (procs[name].returncode, out, err)
        return results[name]

    yield finished
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


# -- exit codes for real -----------------------------------------------------------------


@pytest.mark.slow  # a process of its own, or a whole training
def test_subprocess_bad_input_exits_2_without_traceback() -> None:
    procs = [
        spawn("train", "--lr", "abc"),
        spawn("train", "--layers", "8,,8", "--json"),
        spawn("train", "--load", str(ROOT / "no-such-session.npz")),
        spawn("--fps", "0"),
    ]
    for proc, needle in zip(procs, ["--lr", "--layers", "--load", "--fps"], strict=True):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, err
        assert out == ""
        assert_one_line_error(err, needle)


@pytest.mark.slow  # a process of its own, or a whole training
def test_subprocess_corrupt_load_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "numpy-array.npy"
    np.save(bad, np.arange(4.0))
    proc = subprocess.run(
        command("train", "--load", str(bad), "--json"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "--load", str(bad))


# -- bad input ---------------------------------------------------------------------------

BAD_CHOICES = [
    ("--dataset", "mnist"),
    ("--activation", "swish"),
    ("--output", "relu"),
    ("--loss", "hinge"),
    ("--init", "zeros"),
    ("--optimizer", "rmsprop"),
    ("--schedule", "linear"),
    ("--preset", "seed-v3"),
]
BAD_NUMBERS = [(flag, value) for flag in NUMERIC_FLAGS for value in ("abc", "-5", "nan", "inf", "1e400", "1e12", "")]
BAD_OTHER = [
    ("--iterations", "2.5"),
    ("--train-size", "0"),
    ("--test-ratio", "0.95"),
    ("--lr", "0"),
    ("--features", "x,q"),
    ("--features", "x,x"),
    ("--features", "X"),
    ("--features", ""),
    ("--layers", "8,,8"),
    ("--layers", "-1"),
    ("--layers", "300"),
    ("--layers", "1,1,1,1,1,1,1,1,1"),
    ("--layers", "abc"),
    ("--layers", "²"),
    ("--seed", "1e-400"),  # through a float it was 0
    ("--seed", "4294967295.0000001"),  # through a float it was 4294967295
    ("--csv", ""),  # it trained on the default data
]


@pytest.mark.parametrize(("flag", "value"), BAD_CHOICES + BAD_NUMBERS + BAD_OTHER)
def test_bad_value_exits_2_with_one_line(flag: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["train", flag, value, "--iterations", "1"] if flag != "--iterations" else ["train", flag, value], capsys
    )
    assert code == 2
    assert out == ""
    assert_one_line_error(err, flag, repr(value))
    assert "allowed" in err or "choose from" in err


def test_bad_fps_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--fps", "0"], capsys)
    assert code == 2
    assert_one_line_error(err, "--fps", "'0'", "allowed")


@pytest.mark.parametrize(
    ("argv", "flag", "value"),
    [
        (["--loss", "cross_entropy", "--output", "tanh"], "--loss", "cross_entropy"),
        (["--loss", "cross_entropy", "--output", "linear"], "--loss", "cross_entropy"),
        (["--dataset", "reg-plane", "--loss", "cross_entropy"], "--loss", "cross_entropy"),
        (["--dataset", "csv"], "--csv", "None"),
    ],
)
def test_bad_combinations_exit_2(argv: list[str], flag: str, value: str, capsys) -> None:
    code, out, err = run(["train", *argv, "--iterations", "1"], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, flag, value, "allowed")


def _csv_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "two-fields": "x,y\n1,2\n3,4\n",
        "words": "1,2,0\n3,four,1\n",
        "one-row": "1,2,0\n",
        "one-class": "1,2,0\n3,4,0\n",
        "infinite": "1,2,0\ninf,4,1\n",
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text)
    out["binary"] = tmp_path / "binary.csv"
    out["binary"].write_bytes(b"\x00\xff\xfe" * 50)
    out["missing"] = tmp_path / "missing.csv"
    out["folder"] = tmp_path
    return out


@pytest.mark.parametrize(
    "which", ["two-fields", "words", "one-row", "one-class", "infinite", "binary", "missing", "folder"]
)
def test_bad_csv_exits_2(tmp_path: Path, which: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv_files(tmp_path)[which]
    code, out, err = run(["train", "--csv", str(path), "--iterations", "1"], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, "--csv", str(path))


def _bad_sessions(tmp_path: Path, good: bytes) -> dict[str, Path]:
    files = {
        "missing": tmp_path / "missing.npz",
        "truncated": tmp_path / "truncated.npz",
        "random": tmp_path / "random.npz",
        "json": tmp_path / "session.json",
        "npy": tmp_path / "array.npy",
        "foreign": tmp_path / "foreign.npz",
    }
    files["truncated"].write_bytes(good[: len(good) // 2])
    files["random"].write_bytes(np.random.default_rng(0).bytes(2000))
    files["json"].write_text('{"format": "nnplay-session"}')
    np.save(files["npy"], np.arange(3.0))
    np.savez(files["foreign"], a=np.arange(3))
    return files


@pytest.fixture(scope="module")
def good_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nnplay.core.run.trainer import Trainer
    from nnplay.core.settings.config import TrainConfig

    t = Trainer(TrainConfig(train_size=40, iterations=10))
    t.step(10)
    path = tmp_path_factory.mktemp("sessions") / "good.npz"
    path.write_bytes(session_bytes(t))
    return path


@pytest.mark.parametrize("which", ["missing", "truncated", "random", "json", "npy", "foreign"])
def test_bad_load_exits_2(tmp_path: Path, good_session: Path, which: str, capsys) -> None:
    path = _bad_sessions(tmp_path, good_session.read_bytes())[which]
    code, out, err = run(["train", "--load", str(path), "--iterations", "1", "--json"], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, "--load", str(path))


def test_too_large_load_exits_2(good_session: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", 100)
    code, _, err = run(["train", "--load", str(good_session), "--iterations", "1"], capsys)
    assert code == 2
    assert_one_line_error(err, "--load", str(good_session), "limit")


@pytest.mark.parametrize("where", ["missing-folder", "folder"])
def test_bad_save_path_exits_2_before_training(tmp_path: Path, where: str, capsys) -> None:
    target = tmp_path / "no" / "such" / "s.npz" if where == "missing-folder" else tmp_path
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run(["train", *QUICK, "--save", str(target), "--json"], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, "--save", str(target))
    assert sorted(tmp_path.rglob("*")) == before


def test_changing_layers_of_a_loaded_session_exits_2(good_session: Path, capsys) -> None:
    before = good_session.read_bytes()
    code, out, err = run(["train", "--load", str(good_session), "--layers", "4,4", "--json"], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, "--layers", "loaded session")
    assert good_session.read_bytes() == before


def test_changing_layers_of_a_loaded_session_names_the_value(good_session: Path, capsys) -> None:
    code, _, err = run(["train", "--load", str(good_session), "--layers", "4,4", "--json"], capsys)
    assert code == 2
    assert "4,4" in err or "(4, 4)" in err


def test_preset_with_load_exits_2(good_session: Path, capsys) -> None:
    code, _, err = run(["train", "--load", str(good_session), "--preset", "xor"], capsys)
    assert code == 2
    assert_one_line_error(err, "--preset", "--load")


def test_unknown_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["train", "--learning-rate", "0.1"], capsys)
    assert code == 2
    assert_one_line_error(err, "--learning-rate")


# -- divergence --------------------------------------------------------------------------


def test_divergence_exits_3_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, result, err = run_json(["--preset", "reg-plane", "--lr", "50"], capsys)
    assert code == 3
    assert "diverged" in err and "Traceback" not in err
    assert result["diverged"] is True
    assert result["stop_reason"] == "diverged"
    assert isinstance(result["diverged_at"], int) and result["diverged_at"] > 0


def test_entry_point_exits_3_on_divergence(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The console script's exit status is main()'s: 3 for a diverged run."""
    monkeypatch.setattr(sys, "argv", ["nnplay", "train", "--preset", "reg-plane", "--lr", "50", "--json"])
    with pytest.raises(SystemExit) as info:
        entry_point()
    assert info.value.code == 3
    out, err = capsys.readouterr()
    assert "diverged" in err and "Traceback" not in err
    assert json.loads(out)["diverged"] is True


def test_divergence_exits_3_with_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["train", "--preset", "reg-plane", "--lr", "50"], capsys)
    assert code == 3
    assert "diverged" in err
    assert "diverged" in out  # the table's row


# -- saving, loading, stopping -----------------------------------------------------------


def test_save_then_load_continues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.npz"
    code, first, _ = run_json([*QUICK[:4], "--iterations", "30", "--save", str(path)], capsys)
    assert code == 0 and first["steps"] == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.npz"]
    assert load_session(path).step_count == 30

    code, resumed, err = run_json(["--load", str(path), "--iterations", "20"], capsys)
    assert code == 0, err
    assert resumed["steps"] == 50
    code, straight, _ = run_json([*QUICK[:4], "--iterations", "50"], capsys)
    assert straight["steps"] == 50
    # Same parameters, so the same losses, to the last bit.
    assert resumed["train_loss"] == straight["train_loss"]
    assert resumed["test_loss"] == straight["test_loss"]


def test_load_applies_live_settings(good_session: Path, tmp_path: Path, capsys) -> None:
    code, result, _ = run_json(
        ["--load", str(good_session), "--lr", "0.05", "--optimizer", "adam", "--iterations", "5"], capsys
    )
    assert code == 0
    assert result["config"]["lr"] == 0.05 and result["config"]["optimizer"] == "adam"
    assert result["steps"] == 15


def test_csv_file_trains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = np.random.default_rng(2).uniform(-1, 1, (40, 2))
    csv = tmp_path / "pts.csv"
    csv.write_text("x,y,label\n" + "".join(f"{x},{y},{int(x > 0)}\n" for x, y in rows))
    code, result, _ = run_json(["--csv", str(csv), "--iterations", "10"], capsys)
    assert code == 0
    assert result["config"]["dataset"] == "csv" and result["config"]["csv_path"] == str(csv)
    assert result["classify_accuracy"] is None


def test_epochs_stop_at_that_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    # 40 points in batches of 8: 5 updates per epoch.
    code, result, _ = run_json(
        ["--preset", "quadrants", "--train-size", "40", "--batch-size", "8", "--epochs", "3"], capsys
    )
    assert code == 0
    assert result["stop_reason"] == "epochs"
    assert result["epochs"] == 3
    assert result["steps"] == 15


def test_epochs_stop_at_that_epoch_with_per_sample_updates(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--preset", "seed-v2", "--train-size", "100", "--batch-size", "1", "--epochs", "3"]
    _, result, _ = run_json(argv, capsys)
    assert (result["stop_reason"], result["epochs"], result["steps"]) == ("epochs", 3, 300)


def test_target_loss_stops_early(capsys: pytest.CaptureFixture[str]) -> None:
    code, result, _ = run_json(["--preset", "quadrants", "--target-loss", "0.3"], capsys)
    assert code == 0
    assert result["stop_reason"] == "target_loss"
    assert result["train_loss"] <= 0.3
    assert result["steps"] < 3000


def test_iterations_is_the_number_of_updates(capsys: pytest.CaptureFixture[str]) -> None:
    code, result, _ = run_json([*QUICK[:4], "--iterations", "7"], capsys)
    assert code == 0 and result["steps"] == 7 and result["stop_reason"] == "iterations"


def test_layers_none_is_the_2_to_4_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v1.npz"
    code, result, _ = run_json([*QUICK, "--layers", "none", "--save", str(path)], capsys)
    assert code == 0
    assert result["config"]["layers"] == []
    assert load_session(path).net.sizes == [2, 4]
    code, out, _ = run(["train", *QUICK, "--layers", "none"], capsys)
    assert code == 0 and "2-4" in out


def test_features_and_layers_shape_the_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "n.npz"
    code, _, _ = run_json(
        [*QUICK, "--features", "x,y,x2,y2,xy,sinx,siny", "--layers", "8,3", "--save", str(path)], capsys
    )
    assert code == 0
    assert load_session(path).net.sizes == [7, 8, 3, 4]


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, result, err = run_json(QUICK, capsys)
    assert code == 0 and err == ""
    for key in (
        "steps",
        "epochs",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "seconds",
        "diverged",
        "classify_accuracy",
        "stop_reason",
    ):
        assert key in result, key
    assert isinstance(result["seconds"], float) and result["seconds"] >= 0
    assert 0.0 <= result["test_accuracy"] <= 1.0


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["train", *QUICK], capsys)
    assert code == 0
    assert "Traceback" not in err
    for row in ("steps", "train loss", "test loss", "train accuracy", "test accuracy", "stop reason"):
        assert row in out, row
    assert "quadrants 2-8-4" in out
    assert not out.lstrip().startswith("{")


# -- help --------------------------------------------------------------------------------


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_top_level_help_mentions_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for flag in (*CONFIG_FLAGS, "--fps"):
        assert flag in out, flag
    assert "train" in out


def test_train_help_mentions_every_flag_with_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["train", "--help"], capsys)
    assert code == 0
    for flag in (*CONFIG_FLAGS, *TRAIN_ONLY_FLAGS):
        assert flag in out, flag
    squeezed = _squeeze(out)
    for flag, name in FLAG_FIELDS.items():
        assert _squeeze(FIELDS[name].help) in squeezed, flag
        assert _squeeze(FIELDS[name].allowed()) in squeezed, flag
    assert "seed-v1" in out and "seed-v2" in out


# -- the background runs, last so they have had time to finish -------------------------


@pytest.mark.parametrize("preset", ["seed-v1", "seed-v2"])
def test_article_presets_classify_fresh_points(background_runs, preset: str) -> None:
    code, out, err = background_runs(preset)
    assert code == 0, err
    assert err == ""
    result = json.loads(out)
    for key in ("steps", "epochs", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "seconds", "diverged"):
        assert key in result, key
    assert result["test_accuracy"] >= 0.97
    assert result["classify_accuracy"] >= 0.97
    assert result["diverged"] is False
    assert result["stop_reason"] == "iterations"
    assert result["steps"] == PRESETS[preset].settings["iterations"]


def test_seed_v1_is_the_2_to_4_network(background_runs) -> None:
    config = json.loads(background_runs("seed-v1")[1])["config"]
    assert config["layers"] == [] and config["features"] == ["x", "y"] and config["dataset"] == "quadrants-centres"


@pytest.mark.slow  # a process of its own, or a whole training
@pytest.mark.parametrize("preset", ["seed-v1", "seed-v2"])
def test_article_presets_with_the_numpy_engine(preset: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, result, _ = run_json(["--preset", preset], capsys)
    assert code == 0
    assert result["test_accuracy"] >= 0.97
    assert result["classify_accuracy"] >= 0.97


@pytest.mark.parametrize(
    ("flags", "said"),
    [(["--output", "softmax"], "mse and a tanh"), (["--loss", "cross_entropy", "--output", "sigmoid"], "regression")],
)
def test_a_regression_csv_with_a_classification_output_exits_2(
    tmp_path: Path, flags: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV shows it holds numbers to fit only once read: refused then, naming the file's flag."""
    rows = np.random.default_rng(3).uniform(-1, 1, (40, 2))
    csv = tmp_path / "fit.csv"
    csv.write_text("x,y,label\n" + "".join(f"{x},{y},{x * y:.3f}\n" for x, y in rows))
    code, out, err = run(["train", "--csv", str(csv), "--loss", "mse", *flags, "--iterations", "5"], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--csv" in err and said in err, err


def test_json_into_a_closed_pipe_ends_quietly() -> None:
    """`nnplay train --json | head` with a reader that has gone before the line is written
    (`true` exits at once): no traceback, and the shell's status for a broken pipe."""
    script = (
        f"{sys.executable} -m nnplay.tui.cli train --preset xor --iterations 50 --json | true; exit ${{PIPESTATUS[0]}}"
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=60)  # fmt: skip
    assert out.stderr == "", out.stderr
    assert out.returncode == 141


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, err = run(["--version"], capsys)
    assert code == 0 and out == f"nnplay {version('nnplay')}\n" and err == ""


def test_the_table_shows_percentages_a_speed_for_every_stop_and_the_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "s.npz"
    code, out, _ = run(["train", "--preset", "xor", "--epochs", "2", "--save", str(saved)], capsys)
    assert code == 0
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in out.splitlines() if line.count("│") == 3}
    assert rows["train accuracy"].endswith("%") and rows["test accuracy"].endswith("%")
    assert rows["steps per second"].replace(",", "").isdigit()  # an epochs stop has a speed too
    assert rows["stop reason"] == "epochs"
    assert out.rstrip().endswith(f"saved the session to {saved}") and saved.exists()


def test_json_speed_counts_only_this_runs_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, first, _ = run_json(["--preset", "xor", "--iterations", "40", "--save", str(tmp_path / "s.npz")], capsys)
    assert code == 0 and first["steps"] == 40
    code, second, _ = run_json(
        ["--load", str(tmp_path / "s.npz"), "--target-loss", "1e-9", "--iterations", "30"], capsys
    )
    assert code == 0 and second["steps"] == 70
    assert second["steps_per_second"] == pytest.approx(30 / second["seconds"])
