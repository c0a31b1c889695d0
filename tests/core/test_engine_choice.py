"""``--engine auto``: the compiled kernel for the batches it trains faster, numpy for the rest."""

from __future__ import annotations

import pytest

from nnplay.core import kernel as kernel_module
from nnplay.core.config import TrainConfig
from nnplay.core.trainer import Trainer

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
