"""The suite fills numba's cache of the kernel once, in a child, and its workers wait for that
child before their first test (tests/kernel_cache.py)."""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import pytest

from tests import kernel_cache

WAIT_FOR_GO = "import pathlib, time\nwhile not pathlib.Path('go').exists(): time.sleep(0.01)"


@pytest.fixture
def lock_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(kernel_cache.LOCK_VARIABLE, raising=False)


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="no numba: nothing is compiled")
def test_a_worker_waits_for_the_child_and_no_longer(tmp_path: Path, lock_variable: None) -> None:
    go = tmp_path / "go"
    child = kernel_cache.start_filling(tmp_path / "kernel.lock", tmp_path, code=WAIT_FOR_GO)
    assert child is not None
    assert os.environ[kernel_cache.LOCK_VARIABLE] == str(tmp_path / "kernel.lock")
    allowed_to_end_when_it_returned: list[bool] = []

    def worker() -> None:
        kernel_cache.wait_until_filled()
        allowed_to_end_when_it_returned.append(go.exists())

    waiter = threading.Thread(target=worker)
    waiter.start()
    try:
        waiter.join(0.5)
        assert waiter.is_alive(), "the wait returned while the child still held the lock"
    finally:
        go.touch()  # the child ends whatever happened
    waiter.join(60)
    assert not waiter.is_alive(), "the wait went on after the child ended"
    assert allowed_to_end_when_it_returned == [True]
    assert child.wait(60) == 0
