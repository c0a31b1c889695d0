"""The CLI's tests run ``nnplay`` in this process with the numpy step.

Loading the optional compiled kernel (numba) costs seconds per process; what these tests
check does not depend on the engine. Their subprocess runs use the default engine.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def numpy_engine_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from nnplay.core.engine import kernel

    monkeypatch.setattr(kernel, "load_kernel", lambda: None, raising=False)
