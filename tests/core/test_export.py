"""Exported networks predict exactly what the trained network predicts."""

from __future__ import annotations

import contextlib
import json
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import TrainConfig
from core.features import feature_matrix
from core.persist import save_session
from core.trainer import Trainer
from tui.cli import main

CASES = [
    TrainConfig(dataset="circle", train_size=60, layers=(5, 3), activation="tanh", output="softmax",
                loss="cross_entropy", features=("x", "y", "x2", "xy", "sinx"), iterations=200),
    TrainConfig(dataset="quadrants", train_size=60, layers=(4,), activation="relu", output="sigmoid", loss="mse",
                features=("x", "y", "y2", "siny"), iterations=200),
    TrainConfig(dataset="reg-gauss", train_size=60, layers=(6,), layer_activations=("leaky_relu",),
                output="linear", loss="mse", iterations=200),
    TrainConfig(dataset="xor", train_size=60, layers=(), output="tanh", loss="mse", iterations=200),
]  # fmt: skip
POINTS = np.random.default_rng(5).uniform(-6, 6, (50, 2))


@pytest.fixture(params=range(len(CASES)), ids=lambda i: CASES[i].dataset)
def session(request, tmp_path: Path) -> tuple[Trainer, Path]:
    t = Trainer(CASES[request.param])
    t.step(200)
    path = tmp_path / "s.npz"
    save_session(t, path)
    return t, path


def expected(t: Trainer) -> np.ndarray:
    return t.net.forward(feature_matrix(POINTS, t.config.features))


def export(path: Path, fmt: str, out: Path, capsys) -> None:
    assert main(["export", "--load", str(path), "--format", fmt, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)


def test_numpy_export_predicts_the_same(session, tmp_path: Path, capsys) -> None:
    t, path = session
    export(path, "numpy", tmp_path / "m.py", capsys)
    module = runpy.run_path(str(tmp_path / "m.py"))
    np.testing.assert_allclose(module["predict"](POINTS), expected(t), rtol=1e-12, atol=1e-14)


def test_json_export_round_trips_the_weights_exactly(session, tmp_path: Path, capsys) -> None:
    t, path = session
    export(path, "json", tmp_path / "m.json", capsys)
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "nnplay-network" and doc["version"] == 1
    assert doc["sizes"] == t.net.sizes and doc["features"] == list(t.config.features)
    for layer, w, b in zip(doc["layers"], t.net.weights, t.net.biases, strict=True):
        np.testing.assert_array_equal(np.array(layer["weights"]), w)
        np.testing.assert_array_equal(np.array(layer["biases"]), b)


def test_torch_export_predicts_the_same(session, tmp_path: Path, capsys) -> None:
    pytest.importorskip("torch")
    t, path = session
    export(path, "torch", tmp_path / "m.py", capsys)
    module = runpy.run_path(str(tmp_path / "m.py"))
    np.testing.assert_allclose(module["predict"](POINTS).numpy(), expected(t), rtol=1e-10, atol=1e-12)
    # ...and it runs on its own.
    out = subprocess.run([sys.executable, str(tmp_path / "m.py")], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.count("\n") == 4


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--load", "/no/such.npz"], "--load"),
        (["--load", "PATH", "--format", "onnx"], "--format"),
        (["--load", "PATH", "--out", "/no/such/folder/m.py"], "--out"),
    ],
)
def test_bad_export_input_exits_2_in_one_line(session, args: list[str], flag: str, capsys) -> None:
    _, path = session
    args = [str(path) if a == "PATH" else a for a in args]
    with pytest.raises(SystemExit) if flag == "--format" else contextlib.nullcontext() as info:
        code = main(["export", *args])
    code = info.value.code if flag == "--format" else code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and flag in err
