"""Divergence on every data set, with every engine (the app's: tests/tui/test_divergence_app.py, the CLI's:
tests/cli/test_divergence_cli.py).

Settings made to blow up (huge learning rates, relu, adam and momentum at beta 0.999, heavy
L2, dropout) train for a bounded number of steps in chunks, as the app and the CLI do,
with every numpy warning turned into an error. Whatever happens: no exception, no warning,
the parameters stay finite; and if the run diverged, ``diverged_at`` and the message name
the step, the parameters are those of the last evaluation with a finite loss (the
checkpoint), and a small learning rate plus ``restart()`` trains again.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnplay.core.data.datasets import DATASETS, REGRESSION
from nnplay.core.engine.network import MAX_PARAMETER
from nnplay.core.files.session_file import load_session, save_session
from nnplay.core.run.trainer import StopReason, Trainer
from nnplay.core.settings.config import TrainConfig

DIVERGING_DATASETS = tuple(d for d in DATASETS if d != "csv")
CHUNKS = (1, 7, 50, 100, 250)  # the app's chunks vary with the measured speed
MAX_STEPS = 1500


def settings_for(dataset: str) -> dict[str, dict]:
    regression = dataset in REGRESSION
    # Classification with softmax + cross entropy where the data set allows it.
    classify = {"output": "linear", "loss": "mse"} if regression else {"output": "softmax", "loss": "cross_entropy"}
    return {
        "sgd-lr100-linear-mse": dict(layers=(), output="linear", loss="mse", optimizer="sgd", lr=100.0, batch_size=10),
        "relu-lr50": dict(layers=(8, 8), activation="relu", output="linear", loss="mse", lr=50.0, batch_size=10),
        "adam-lr100-beta1-0.999": dict(
            layers=(8, 8), activation="relu", output="linear", loss="mse", optimizer="adam", lr=100.0,
            momentum=0.999, batch_size=10,
        ),
        "momentum-0.999-lr100-per-sample": dict(
            layers=(8,), activation="relu", optimizer="momentum", lr=100.0, momentum=0.999, batch_size=1, **classify
        ),
        "leaky-relu-l2-10-cosine": dict(
            layers=(6, 6), activation="leaky_relu", init="he", output="linear", loss="mse", lr=100.0, l1=1.0, l2=10.0,
            schedule="cosine", batch_size=5,
        ),
        "dropout-relu-lr50": dict(
            layers=(8, 8), activation="relu", output="linear", loss="mse", lr=50.0, dropout=0.5, batch_size=10
        ),
    }  # fmt: skip


SETTING_NAMES = tuple(settings_for("quadrants"))


def kernel_or_skip():
    from nnplay.core.engine.kernel import kernel_unavailable_reason, load_kernel

    kernel = load_kernel()
    if kernel is None:
        pytest.skip(f"the numba kernel is not available: {kernel_unavailable_reason()}")
    return kernel


def train_wild(trainer: Trainer) -> list[str]:
    """Train in varying chunks, evaluating after each; returns the problems seen."""
    problems = []
    good_params, good_step = trainer.net.params.copy(), trainer.step_count  # the checkpoint at restart
    chunk = 0
    while trainer.step_count < MAX_STEPS and trainer.diverged_at is None:
        n = CHUNKS[chunk % len(CHUNKS)]
        chunk += 1
        before = trainer.step_count
        done = trainer.step(n)
        if trainer.diverged_at is None and done != n:
            problems.append(f"step({n}) made {done} updates without diverging")
        if not np.abs(trainer.net.params).max() < MAX_PARAMETER:  # NaN fails this too
            problems.append(f"parameters beyond ±{MAX_PARAMETER:g} after step {trainer.step_count}")
        if trainer.diverged_at is not None:
            if trainer.diverged_at != before + done + 1:
                problems.append(f"diverged_at {trainer.diverged_at} is not the failing update {before + done + 1}")
            break
        m = trainer.evaluate()
        trainer.should_stop(MAX_STEPS)
        snap = trainer.snapshot()
        if snap.metrics.step != snap.step:
            problems.append("a snapshot's metrics belong to another step")
        if math.isfinite(m.train_loss):
            good_params, good_step = trainer.net.params.copy(), trainer.step_count
    if trainer.diverged_at is not None:
        message = trainer.message
        if "diverged" not in message or f"{trainer.diverged_at:,}" not in message:
            problems.append(f"the message does not say diverged at step {trainer.diverged_at:,}: {message!r}")
        if f"step {good_step:,}" not in message:
            problems.append(f"the message does not name the step it went back to ({good_step:,}): {message!r}")
        if not np.array_equal(trainer.net.params, good_params):
            problems.append("after divergence the parameters are not the last good checkpoint's")
        if trainer.step_count != good_step:
            problems.append(f"after divergence the step is {trainer.step_count}, the checkpoint's is {good_step}")
        if trainer.should_stop() is not StopReason.DIVERGED or trainer.step(5) != 0:
            problems.append("a diverged run trains on")
        snap = trainer.snapshot()
        if snap.diverged_at != trainer.diverged_at or not np.array_equal(snap.network.params, good_params):
            problems.append("the snapshot does not show the divergence and the checkpoint")
    return problems


def config_for(dataset: str, setting: str) -> TrainConfig:
    return TrainConfig(dataset=dataset, train_size=80, test_ratio=0.5, noise=0.1, seed=3, iterations=MAX_STEPS,
                       **settings_for(dataset)[setting])  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["numpy", "numba"])
@pytest.mark.parametrize("setting", SETTING_NAMES)
@pytest.mark.parametrize("dataset", DIVERGING_DATASETS)
def test_divergence_is_caught_and_recovers(dataset: str, setting: str, engine: str, tmp_path: Path) -> None:
    kernel = kernel_or_skip() if engine == "numba" else None
    config = config_for(dataset, setting)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn"):
            trainer = Trainer(config)
            trainer.use_kernel(kernel)
            problems = train_wild(trainer)
            assert problems == [], problems
            # What the run kept, diverged or not, is a session its own loader takes back.
            save_session(trainer, tmp_path / "kept.npz")
            assert np.array_equal(load_session(tmp_path / "kept.npz").net.params, trainer.net.params)
            # Lower the rate and restart: trains, with a finite loss.
            trainer.apply_live_settings(config.replace(lr=1e-4))
            trainer.restart()
            assert trainer.diverged_at is None and trainer.message == ""
            assert trainer.step(300) == 300
            m = trainer.evaluate()
            assert math.isfinite(m.train_loss) and math.isfinite(m.test_loss)
            assert np.isfinite(trainer.net.params).all()


@pytest.mark.parametrize("setting", ["sgd-lr100-linear-mse", "relu-lr50"])
def test_the_huge_plain_rates_do_diverge_on_every_data_set(setting: str) -> None:
    """So the tests above test divergence, not merely training: these two blow up everywhere."""
    diverged = []
    for dataset in DIVERGING_DATASETS:
        trainer = Trainer(config_for(dataset, setting))
        assert train_wild(trainer) == []
        if trainer.diverged_at is not None:
            diverged.append(dataset)
    assert diverged == list(DIVERGING_DATASETS)
