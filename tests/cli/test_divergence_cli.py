"""``nnplay train`` reports a divergence and exits 3 (the engine's: tests/core/test_divergence_everywhere.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a process of its own, or a whole training
def test_cli_reports_divergence_and_exits_3() -> None:
    """One real process (test_cli.py runs main() in-process): enough iterations that the
    default engine is the compiled kernel where numba is installed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "nnplay.tui.cli", "train", "--preset", "reg-plane", "--lr", "50",
            "--iterations", "200000", "--json"]  # fmt: skip
    try:
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise AssertionError("nnplay train did not end within 600 s: it never stopped at the divergence") from None
    assert proc.returncode == 3, proc.stderr
    assert "diverged" in proc.stderr and "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert result["diverged"] is True and result["stop_reason"] == "diverged"
    assert f"diverged at step {result['diverged_at']:,}" in proc.stderr
    assert result["steps"] < result["diverged_at"]  # went back to the last good step
