"""``nnplay landscape``: the grid as JSON, the picture as SVG, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnplay.core.files.session_file import load_session, save_session
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from tests.cli.cli_run import one_line, run


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    trainer = Trainer(PRESETS["seed-v1"].config(train_size=100))
    trainer.step(300)
    trainer.evaluate()
    path = tmp_path_factory.mktemp("landscape") / "v1.npz"
    save_session(trainer, path)
    return path


def test_json_gives_the_grid_centred_on_the_sessions_weights_at_its_training_loss(session, capsys) -> None:
    code, out, err = run(["landscape", "--load", str(session), "--json", "--size", "11x7"], capsys)
    assert code == 0, err
    grid = json.loads(out)
    assert grid["plane"] == {"kind": "weights", "axes": ["w1[1<-1]", "b1[1]"], "explained": None}
    assert len(grid["alphas"]) == 11 and len(grid["betas"]) == 7
    assert np.array(grid["losses"]).shape == (7, 11) and grid["losses"][3][5] == grid["current"]["loss"]
    assert grid["current"]["loss"] == pytest.approx(load_session(session).evaluate(record=False).train_loss, rel=1e-12)
    assert grid["path"]["coordinates"][-1] == [0.0, 0.0]
    n = len(load_session(session).data.X_train)
    assert grid["points"] == {"measured": n, "training": n}


def test_weights_are_named_as_the_app_names_them(session, capsys) -> None:
    code, out, _ = run(["landscape", "--load", str(session), "--json", "--weights", "w1[2<-2],b1[4]"], capsys)
    assert code == 0 and json.loads(out)["plane"]["axes"] == ["w1[2<-2]", "b1[4]"]
    code, out, _ = run(["landscape", "--load", str(session), "--json", "--weights", "0,9", "--size", "5x5"], capsys)
    assert code == 0 and json.loads(out)["plane"]["axes"] == ["w1[1<-1]", "b1[2]"]


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--weights", "w3[1<-1],b1[1]"], "names no parameter"),
        (["--weights", "w1[1<-1]"], "name two parameters"),
        (["--weights", "b1[1],b1[1]"], "two different"),
        (["--pca"], "train a little first"),
        (["--size", "40x21"], "both odd"),
        (["--size", "1e9x3"], "both odd"),
    ],
)
def test_bad_requests_are_refused_in_one_line(session, capsys, argv, says) -> None:
    code, out, err = run(["landscape", "--load", str(session), "--json", *argv], capsys)
    assert code == 2 and out == "" and says in one_line(err)


def test_a_missing_or_crafted_session_is_refused_in_one_line(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a session")
    for path in (bad, tmp_path / "missing.npz"):
        code, _, err = run(["landscape", "--load", str(path), "--json"], capsys)
        assert code == 2 and one_line(err).startswith("nnplay landscape: error:")


def test_out_saves_the_picture_as_svg(session, tmp_path, capsys) -> None:
    out = tmp_path / "landscape.svg"
    code, printed, err = run(["landscape", "--load", str(session), "--out", str(out)], capsys)
    assert code == 0, err
    svg = out.read_text()
    assert svg.startswith("<svg") and "w1[1" in svg and printed.strip() == str(out)
    for bad in (tmp_path, session):  # a folder; the session being read
        code, _, err = run(["landscape", "--load", str(session), "--out", str(bad)], capsys)
        assert code == 2 and "--out" in one_line(err)
    assert load_session(session).step_count == 300


def test_the_picture_prints_without_a_terminal(session, capsys) -> None:
    code, out, _ = run(["landscape", "--load", str(session), "--random"], capsys)
    assert code == 0 and "random direction 1" in out and "loss" in out
