"""The app says in one line that the compiled kernel could not load, and trains with numpy."""

from __future__ import annotations

import pytest

from nnplay.core.engine import kernel as kernel_module
from nnplay.core.settings.presets import PRESETS
from tests.tui.waiting import wait_until


async def test_the_app_says_in_one_line_that_the_kernel_could_not_load(
    monkeypatch: pytest.MonkeyPatch, make_app
) -> None:
    monkeypatch.setattr(kernel_module, "load_kernel", lambda: None)
    monkeypatch.setattr(kernel_module, "_failed", "ImportError: No module named 'numba'")
    app = make_app(PRESETS["seed-v1"].config())
    async with app.run_test(size=(120, 40)) as pilot:
        loader = app.load_kernel()  # what the app starts 1.5 s after its first frame
        # The warning is posted from the loader's thread: it is in the app once the app has read it.
        await wait_until(
            lambda: not loader.is_alive() and app._notifications, what="the kernel's warning", between=pilot.pause
        )
        notices = [(n.message, n.severity) for n in app._notifications]
        assert notices == [
            (
                "the compiled kernel could not load (ImportError: No module named 'numba'); training with numpy",
                "warning",
            )
        ]
        assert app.channel.latest.engine == "numpy"
