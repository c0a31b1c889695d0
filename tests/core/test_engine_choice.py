"""``--engine auto``: the compiled kernel for the batches it trains faster, numpy for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnplay.core.engine import engine_table
from nnplay.core.engine import kernel as kernel_module
from nnplay.core.engine.engine_table import ROWS
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig

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


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row[0]}w-{row[1]}b")
def test_auto_picks_the_winner_of_every_measured_row(row: tuple[int, int, float, float]) -> None:
    weights, batch, numpy_us, numba_us = row
    assert kernel_module.kernel_is_faster(batch, weights) == (numba_us < numpy_us)


def test_between_measured_rows_the_nearest_one_decides() -> None:
    rows = [(100, 10, 5.0, 1.0), (100, 1000, 5.0, 9.0), (10_000, 10, 5.0, 9.0)]
    assert kernel_module.kernel_is_faster(20, 90, rows)  # nearest: batch 10 of 100 weights, numba won
    assert not kernel_module.kernel_is_faster(500, 120, rows)  # batch 1000: numpy won
    assert not kernel_module.kernel_is_faster(10, 5000, rows)  # the wide network: numpy won
    assert kernel_module.kernel_is_faster(0, 0, rows)  # an empty batch counts as one sample


def test_the_table_is_the_scans_own_text() -> None:
    """core/engine/engine_table.py is what ``bench_engine.py --scan`` writes, not edited by hand."""
    text = Path(engine_table.__file__).read_text()
    assert text == kernel_module.engine_table_source(ROWS, engine_table.MEASURED)
    namespace: dict = {}
    exec(kernel_module.engine_table_source([(96, 128, 12.5, 3.25)], "then"), namespace)
    assert namespace["ROWS"] == ((96, 128, 12.5, 3.25),) and namespace["MEASURED"] == "then"
