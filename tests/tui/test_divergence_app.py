"""In the app, a run that diverges pauses, says where, refuses to train on, and trains again after
a lower rate and a reset (the engine's divergence on every data set: tests/core/test_divergence_everywhere.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from textual.widgets import Input, Static

from benchmarks.fuzz_events import Fuzzer, wait_until
from nnplay.core.settings.config import TrainConfig

HUGE = TrainConfig(dataset="reg-plane", train_size=200, layers=(), output="linear", loss="mse", lr=50.0, batch_size=10)


async def test_app_pauses_on_divergence_and_recovers_after_a_lower_rate_and_reset(make_app, tmp_path: Path) -> None:
    app = make_app(HUGE, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        fuzz = Fuzzer(pilot, tmp_path)  # sends keys without waiting for an idle CPU; records notifications
        channel = app.channel
        await fuzz.key("space")
        await wait_until(lambda: channel.latest.diverged_at is not None and not channel.running, "divergence")
        diverged_at = channel.latest.diverged_at
        status = app.query_one("#status", Static)
        await wait_until(lambda: "diverged" in str(status.render()), "the status line to say so")
        text = str(status.render())
        assert "paused" in text and f"diverged at step {diverged_at:,}" in text
        assert status.has_class("-diverged")
        errors = [t for s, t in fuzz.notifications if s == "error"]
        assert any(f"diverged at step {diverged_at:,}" in t for t in errors), fuzz.notifications
        assert np.isfinite(channel.latest.network.params).all()

        # space again is refused with a hint; nothing trains.
        await fuzz.key("space")
        await wait_until(lambda: any("press r to reset" in t for _, t in fuzz.notifications), "the hint")
        assert not channel.running and channel.latest.diverged_at == diverged_at

        # A lower rate in the panel (live), then r and space: it trains.
        field = app.query_one("#field-lr", Input)
        field.value = "0.01"
        app.query_one("#panel").commit(field)  # as enter or leaving the field does
        await fuzz.settle()
        await wait_until(lambda: channel.latest.config.lr == 0.01, "the new rate to reach the trainer")
        await fuzz.key("r")
        await wait_until(lambda: channel.latest.diverged_at is None and channel.latest.step == 0, "the reset")
        await fuzz.key("space")
        await wait_until(lambda: channel.latest.step > 300, "training after the reset")
        await fuzz.key("space")
        await wait_until(lambda: not channel.running, "the pause")
        snap = channel.latest
        assert snap.diverged_at is None and math.isfinite(snap.metrics.train_loss)
        assert snap.metrics.r2_test > 0.9
        await wait_until(lambda: f"step {snap.step:,}  epoch" in str(status.render()), "a frame of the paused run")
        assert "diverged" not in str(status.render()) and not status.has_class("-diverged")
        assert fuzz.unexpected_errors() == []
