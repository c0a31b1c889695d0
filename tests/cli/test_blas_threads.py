"""The app and the CLI run numpy's BLAS on one thread unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SHOW = "import nnplay.tui.cli.entry, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


@pytest.mark.slow  # a process of its own, or a whole training
def test_blas_runs_on_one_thread_unless_the_environment_says_otherwise() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"
