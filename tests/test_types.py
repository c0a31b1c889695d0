"""mypy over the engine and the app, as pyproject's [tool.mypy] says: strict on ``nnplay.core``
and the frame model (``nnplay.tui.model``), mypy's defaults elsewhere. Any error fails.

mypy cannot see through the editable install's import hook, so the folders ``core/`` and
``tui/`` are linked under their installed names in ``build/mypy/nnplay`` (pyproject's
``mypy_path``); after this test has run once, ``.venv/bin/mypy`` alone checks the same.
Its cache (``.mypy_cache``) makes a run after a small change take seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def link_installed_names(root: Path = ROOT) -> Path:
    """``build/mypy/nnplay/core`` -> ``core/`` and ``.../tui`` -> ``tui/``: the names mypy checks."""
    tree = root / "build" / "mypy" / "nnplay"
    tree.mkdir(parents=True, exist_ok=True)
    for name in ("core", "tui"):
        link = tree / name
        target = os.path.relpath(root / name, tree)
        if not (link.is_symlink() and os.readlink(link) == target):
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target, target_is_directory=True)
    return tree


@pytest.mark.slow  # a cold run reads numpy's, Textual's and Rich's stubs: over a minute on a busy machine
def test_mypy_finds_no_error() -> None:
    link_installed_names()
    run = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    shown = run.stdout.replace(str(Path("build", "mypy", "nnplay")) + os.sep, "")
    assert run.returncode == 0, f"mypy found errors (config: pyproject.toml [tool.mypy]):\n{shown}{run.stderr}"
