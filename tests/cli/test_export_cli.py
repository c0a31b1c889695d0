"""The CLI's exports predict exactly what the trained network predicts."""

from __future__ import annotations

import dataclasses
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnplay.core.data.features import feature_matrix
from nnplay.core.files.export import predict_script_path
from nnplay.core.files.session_file import save_session
from nnplay.core.run.trainer import Trainer, make_data
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.cli.entry import main
from tests.cli.crafted_names import STEMS, crafted

CASES = {
    "tanh-softmax": TrainConfig(dataset="circle", train_size=60, layers=(5, 3), activation="tanh", output="softmax",
                                loss="cross_entropy", features=("x", "y", "x2", "xy", "sinx"), iterations=200),
    "relu-sigmoid": TrainConfig(dataset="quadrants", train_size=60, layers=(4,), activation="relu", output="sigmoid",
                                loss="mse", features=("siny", "y2", "x", "y"), iterations=200),
    "mixed-linear": TrainConfig(dataset="reg-gauss", train_size=60, layers=(6, 3),
                                layer_activations=("leaky_relu", "sigmoid"), output="linear", loss="mse",
                                features=("xy", "x2", "y2", "sinx", "siny", "x", "y"), iterations=200),
    "none-tanh": TrainConfig(dataset="xor", train_size=60, layers=(), output="tanh", loss="mse", iterations=200),
    "linear-hidden": TrainConfig(dataset="spiral", train_size=60, layers=(3,), activation="linear",
                                 output="softmax", loss="cross_entropy", features=("x", "y", "xy"), iterations=200),
}  # fmt: skip
# Points well outside the data too: the exports must agree everywhere, not just near the data.
POINTS = np.random.default_rng(5).uniform(-8, 8, (50, 2))


@pytest.fixture(params=list(CASES))
def session(request, tmp_path: Path) -> tuple[Trainer, Path]:
    t = Trainer(CASES[request.param])
    t.step(200)
    path = tmp_path / "s.npz"
    save_session(t, path)
    return t, path


def expected(t: Trainer) -> np.ndarray:
    return t.net.forward(feature_matrix(POINTS, t.config.features))


def export(path: Path, fmt: str, out: Path | None, capsys) -> list[str]:
    args = ["export", "--load", str(path), "--format", fmt] + (["--out", str(out)] if out else [])
    assert main(args) == 0
    return capsys.readouterr().out.splitlines()


def test_numpy_export_writes_the_arrays_and_a_script_that_predicts_the_same(session, tmp_path, capsys) -> None:
    t, path = session
    printed = export(path, "numpy", tmp_path / "m.npz", capsys)
    assert printed == [str(tmp_path / "m.npz"), str(tmp_path / "m_predict.py")]
    with np.load(tmp_path / "m.npz", allow_pickle=False) as f:
        for k, (w, b) in enumerate(zip(t.net.weights, t.net.biases, strict=True)):
            np.testing.assert_array_equal(f[f"W{k}"], w)
            np.testing.assert_array_equal(f[f"b{k}"], b)
        assert f["features"].tolist() == list(t.config.features)
        assert f["activations"].tolist() == t.net.activations and str(f["output"]) == t.net.output
    module = runpy.run_path(str(tmp_path / "m_predict.py"))
    np.testing.assert_allclose(module["predict"](POINTS), expected(t), rtol=1e-12, atol=1e-12)
    assert module["CLASSES"] == list(t.data.class_names)


def test_numpy_export_to_a_py_file_is_one_self_contained_script(session, tmp_path, capsys) -> None:
    t, path = session
    assert export(path, "numpy", tmp_path / "m.py", capsys) == [str(tmp_path / "m.py")]
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "m_predict.py").exists()
    module = runpy.run_path(str(tmp_path / "m.py"))
    np.testing.assert_allclose(module["predict"](POINTS), expected(t), rtol=1e-12, atol=1e-12)


def test_json_export_round_trips_the_weights_exactly(session, tmp_path, capsys) -> None:
    t, path = session
    export(path, "json", tmp_path / "m.json", capsys)
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "nnplay-network" and doc["version"] == 1
    assert doc["sizes"] == t.net.sizes and doc["features"] == list(t.config.features)
    assert (doc["activations"], doc["output"], doc["loss"]) == (t.net.activations, t.net.output, t.net.loss_name)
    assert doc["classes"] == list(t.data.class_names) and doc["extent"] == t.data.extent
    for layer, w, b in zip(doc["layers"], t.net.weights, t.net.biases, strict=True):
        np.testing.assert_array_equal(np.array(layer["weights"]), w)
        np.testing.assert_array_equal(np.array(layer["biases"]), b)

    # The documented semantics are enough to predict: a = f(a @ W.T + b), layer by layer.
    def softmax(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    fs = {"sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
          "leaky_relu": lambda z: np.maximum(z, 0.01 * z), "linear": lambda z: z, "softmax": softmax}  # fmt: skip
    a = feature_matrix(POINTS, tuple(doc["features"]))
    for layer, name in zip(doc["layers"], [*doc["activations"], doc["output"]], strict=True):
        a = fs[name](a @ np.array(layer["weights"]).T + np.array(layer["biases"]))
    np.testing.assert_allclose(a, expected(t), rtol=1e-12, atol=1e-12)


def test_torch_export_predicts_the_same(session, tmp_path, capsys) -> None:
    torch = pytest.importorskip("torch")
    t, path = session
    export(path, "torch", tmp_path / "m.py", capsys)
    module = runpy.run_path(str(tmp_path / "m.py"))
    out = module["predict"](POINTS)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), expected(t), rtol=1e-10, atol=1e-10)
    model = module["model"]
    assert isinstance(model, torch.nn.Sequential) and len(model) == 2 * (len(t.net.sizes) - 1)


def test_exported_scripts_run_on_their_own(tmp_path, capsys, monkeypatch) -> None:
    t = Trainer(CASES["tanh-softmax"])
    t.step(50)
    save_session(t, tmp_path / "s.npz")
    monkeypatch.chdir(tmp_path)  # the default names, written into the current folder
    assert main(["export", "--load", "s.npz", "--format", "numpy"]) == 0
    assert capsys.readouterr().out.split() == ["nnplay_model.npz", "nnplay_model_predict.py"]
    # in a fresh interpreter, from another folder: the script finds its .npz next to itself
    run = subprocess.run([sys.executable, "nnplay_model_predict.py"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("\n") == 4 and run.stdout.startswith("[0.5, 0.5] [")
    if _importable("torch"):  # torch takes seconds to import: run the demo in this process
        assert main(["export", "--load", "s.npz"]) == 0
        assert capsys.readouterr().out.split() == ["nnplay_model.py"]
        runpy.run_path("nnplay_model.py", run_name="__main__")
        demo = capsys.readouterr().out
        assert demo.count("\n") == 4 and demo.startswith("[0.5, 0.5] [")


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--load", "/no/such.npz"], "--load"),
        (["--load", "NOT_A_SESSION"], "--load"),
        (["--load", "PATH", "--format", "onnx"], "--format"),
        (["--load", "PATH", "--out", "/no/such/folder/m.py"], "--out"),
        (["--load", "PATH", "--out", "FOLDER"], "--out"),
        (["--format", "json"], "--load"),
        (["--load", "PATH", "--format", "torch", "--out", "OUT/t.npz"], "a .py file"),  # a script named .npz
        (["--load", "PATH", "--format", "json", "--out", "OUT/m.py"], "a .json file"),
        (["--load", "PATH", "--format", "numpy", "--out", "OUT/m.json"], "a .npz file or a .py file"),
    ],
)
def test_bad_export_input_exits_2_in_one_line(args: list[str], flag: str, tmp_path: Path, capsys) -> None:
    t = Trainer(CASES["none-tanh"])
    save_session(t, tmp_path / "s.npz")
    (tmp_path / "junk.npz").write_text("not a session")
    swap = {"PATH": str(tmp_path / "s.npz"), "NOT_A_SESSION": str(tmp_path / "junk.npz"), "FOLDER": str(tmp_path)}
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        code = main(["export", *[swap.get(a, a.replace("OUT", str(tmp_path))) for a in args]])
    except SystemExit as exc:  # argparse's own checks
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("nnplay export: error: ") and flag in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_unwritable_output_exits_2_naming_out(tmp_path: Path, capsys, monkeypatch) -> None:
    t = Trainer(CASES["none-tanh"])
    save_session(t, tmp_path / "s.npz")

    def refuse(path, payload, inputs=()):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("nnplay.core.io.output_file.atomic_write", refuse)
    assert main(["export", "--load", str(tmp_path / "s.npz"), "--out", str(tmp_path / "m.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "Permission denied" in err


def test_numpy_export_checks_both_files_before_writing_either(tmp_path: Path, capsys) -> None:
    t = Trainer(CASES["none-tanh"])
    save_session(t, tmp_path / "s.npz")
    (tmp_path / "m_predict.py").mkdir()
    assert (
        main(["export", "--load", str(tmp_path / "s.npz"), "--format", "numpy", "--out", str(tmp_path / "m.npz")]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "m_predict.py" in err
    assert not (tmp_path / "m.npz").exists()


# -- hostile names and targets ------------------------------------------------------------


def _trained_session(tmp_path: Path, name: str = "s.npz") -> tuple[Trainer, Path]:
    """A short run whose class names are text a careless script would paste in as code."""
    config = CASES["tanh-softmax"]
    t = Trainer(config, dataclasses.replace(make_data(config), class_names=('m"""', "m\\N")))
    t.step(50)
    path = tmp_path / name
    save_session(t, path)
    return t, path


def test_generated_scripts_compile_and_predict_for_every_crafted_file_name(tmp_path: Path, capsys) -> None:
    """The .npz's name is data: a name with \\N, quotes, newlines or bytes that are not UTF-8 once made
    a script that did not compile (or no script: the name could not be written)."""
    t, session = _trained_session(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for label, name in crafted(".npz").items():
        out = os.path.join(out_dir, name)
        assert main(["export", "--load", str(session), "--format", "numpy", "--out", out]) == 0, label
        capsys.readouterr()
        script = predict_script_path(out)
        compile(script.read_bytes(), str(script), "exec")
        module = runpy.run_path(str(script))
        np.testing.assert_allclose(module["predict"](POINTS), expected(t), rtol=1e-12, atol=1e-12, err_msg=label)
        for fmt, suffix in (("numpy", ".py"), ("torch", ".py"), ("json", ".json")):
            other = os.path.join(out_dir, STEMS[label] + suffix)
            assert main(["export", "--load", str(session), "--format", fmt, "--out", other]) == 0, (label, fmt)
            capsys.readouterr()
            if suffix == ".py":
                compile(Path(other).read_bytes(), other, "exec")
        assert module["CLASSES"] == ['m"""', "m\\N"]


def test_a_script_named_in_bytes_that_are_not_utf8_runs_in_a_fresh_interpreter(tmp_path: Path) -> None:
    _, session = _trained_session(tmp_path)
    out = os.fsencode(tmp_path) + b'/m\xff\n"""\\N.npz'
    done = subprocess.run([sys.executable, "-m", "nnplay.tui.cli", "export", "--load", str(session), "--format",
                           "numpy", "--out", out], capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    script = out[: -len(b".npz")] + b"_predict.py"
    # printed as text a terminal shows safely: the newline and the byte \xff spelled out
    assert done.stdout.decode().splitlines() == [repr(os.fsdecode(out)), repr(os.fsdecode(script))]
    demo = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.count("\n") == 4 and demo.stdout.startswith("[0.5, 0.5] [")


def _files(folder: Path) -> dict[str, bytes | str]:
    """Every name in ``folder``: a link's target, a file's bytes."""
    return {p.name: os.readlink(p) if p.is_symlink() else p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(
    ("case", "argv", "said"),
    [
        ("the same name", ["--load", "s.npz", "--out", "s.npz"], "is the file being read (s.npz)"),
        ("out links to the session", ["--load", "s.npz", "--out", "link.npz"], "is the file being read"),
        ("the session read through a link", ["--load", "link.npz", "--out", "s.npz"], "is the file being read"),
        ("a hard link", ["--load", "hard.npz", "--out", "s.npz"], "is the file being read (hard.npz)"),
        ("the script is the session", ["--load", "m_predict.py", "--out", "m.npz"], "'m_predict.py': is the file"),
        ("the script links to the arrays", ["--load", "s.npz", "--out", "n.npz"], "is the same file as 'n.npz'"),
        ("the script is a hard link", ["--load", "s.npz", "--out", "h.npz"], "is the same file as 'h.npz'"),
    ],
)
def test_export_never_writes_over_what_it_reads(case: str, argv: list[str], said: str, tmp_path, capsys, monkeypatch):
    _, session = _trained_session(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.npz").symlink_to("s.npz")
    os.link(session, tmp_path / "hard.npz")
    (tmp_path / "m_predict.py").write_bytes(session.read_bytes())
    (tmp_path / "n_predict.py").symlink_to("n.npz")  # n.npz is not there yet
    (tmp_path / "h.npz").write_bytes(b"an old export")
    os.link(tmp_path / "h.npz", tmp_path / "h_predict.py")
    before = _files(tmp_path)
    code = main(["export", "--format", "numpy", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("nnplay export: error: argument --out: ") and err.count("\n") == 1, err
    assert said in err, (case, err)
    assert _files(tmp_path) == before, case
