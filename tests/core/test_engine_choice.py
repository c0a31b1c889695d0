"""``--engine auto``: the compiled kernel for the batches it trains faster, numpy for the rest,
and one line when the kernel cannot load."""

from __future__ import annotations

import json

import pytest

from nnplay.core import kernel as kernel_module
from nnplay.core.config import TrainConfig
from nnplay.core.trainer import Trainer
from nnplay.tui.cli import main

WIDE = TrainConfig(dataset="circle", train_size=1000, layers=(8, 8), output="softmax", loss="cross_entropy")


def test_auto_takes_the_kernel_for_small_batches_and_numpy_for_large_ones() -> None:
    compiled = kernel_module.load_kernel()
    if compiled is None:
        pytest.skip(f"numba kernel unavailable: {kernel_module.kernel_unavailable_reason()}")
    trainer = Trainer(WIDE.replace(batch_size=32))
    trainer.use_kernel(compiled, when_faster=True)
    assert trainer.engine == "numba"
    trainer.apply_live_settings(trainer.config.replace(batch_size=1000))  # 1000 x 96 weights
    assert trainer.engine == "numpy"
    trainer.step(3)
    assert trainer.snapshot().engine == "numpy"
    trainer.apply_live_settings(trainer.config.replace(batch_size=1))
    assert trainer.engine == "numba"
    forced = Trainer(WIDE.replace(batch_size=1000))
    forced.use_kernel(compiled)  # --engine numba
    assert forced.engine == "numba"


def test_the_faster_engine_is_decided_by_batch_times_weights() -> None:
    assert kernel_module.kernel_is_faster(32, 96)
    assert kernel_module.kernel_is_faster(1, 10_000)
    assert not kernel_module.kernel_is_faster(1000, 96)
    assert not kernel_module.kernel_is_faster(32, 1152)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, json.loads(out), err


V1 = ["train", "--preset", "seed-v1", "--iterations", "20000", "--json"]


def test_a_kernel_that_cannot_load_falls_back_to_numpy_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(kernel_module, "load_kernel", lambda: None)
    monkeypatch.setattr(kernel_module, "_failed", "ImportError: No module named 'numba'")
    code, result, err = run(V1, capsys)
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
    argv = ["train", "--dataset", "circle", "--train-size", "500", "--layers", "8,8", "--batch-size", "500",
            "--iterations", "20000", "--epochs", "2", "--json"]  # fmt: skip
    code, result, err = run(argv, capsys)
    assert (code, result["engine"], err) == (0, "numpy", "")
