"""``nnplay train --engine auto``: one line when the kernel cannot load, and no kernel loaded for a
batch numpy trains faster."""

from __future__ import annotations

import pytest

from nnplay.core.engine import kernel as kernel_module
from tests.cli.cli_run import run_json

V1 = ["--preset", "seed-v1", "--iterations", "20000"]


@pytest.mark.slow  # a process of its own, or a whole training
def test_a_kernel_that_cannot_load_falls_back_to_numpy_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(kernel_module, "load_kernel", lambda: None)
    monkeypatch.setattr(kernel_module, "_failed", "ImportError: No module named 'numba'")
    code, result, err = run_json(V1, capsys)
    assert code == 0
    assert result["engine"] == "numpy" and result["steps"] == 20000
    assert err == (
        "nnplay train: the compiled kernel could not load (ImportError: No module named 'numba'); training with numpy\n"
    )


def test_auto_loads_no_kernel_for_a_batch_numpy_trains_faster(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def must_not_load():
        raise AssertionError("the kernel was loaded for a batch numpy trains faster")

    monkeypatch.setattr(kernel_module, "load_kernel", must_not_load)
    argv = ["--dataset", "circle", "--train-size", "500", "--layers", "8,8", "--batch-size", "500",
            "--iterations", "20000", "--epochs", "2"]  # fmt: skip
    code, result, err = run_json(argv, capsys)
    assert (code, result["engine"], err) == (0, "numpy", "")
