"""The app as the `nnplay` command builds it, for benchmarks that drive it headless."""

from __future__ import annotations

import nnplay.tui  # noqa: F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads


def app_as_run(preset: str, engine: str):
    """NNPlayApp on `preset`, standalone (the whole process, as `nnplay` runs it), 256 colours,
    no SSH detection; `engine` is "numpy" or "numba"."""
    from nnplay.core.run.trainer import Trainer
    from nnplay.core.settings.presets import PRESETS
    from nnplay.tui.app.app import NNPlayApp

    return NNPlayApp(
        trainer=Trainer(PRESETS[preset].config()),
        environ={},
        colors=256,
        use_kernel=engine == "numba",
        standalone=True,
    )
