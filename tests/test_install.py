"""nnplay installed as a user installs a tool (pipx, uv tool, pip: a wheel, not editable) works:
the ``nnplay`` command starts, says the package's version, trains, and finds its stylesheet."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "core", "tui")
NO_INDEX = ("No matching distribution", "Could not find a version", "NewConnectionError", "Network is unreachable")


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, check=False, timeout=600)


@pytest.mark.slow
def test_a_non_editable_install_gives_a_working_nnplay_command(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name)
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    bin_dir = env / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    # The dependencies (numpy, Textual, Rich) come from this environment's site-packages, which a
    # .pth adds to the new one's path; nnplay itself is built into a wheel and installed there.
    target = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    (target / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    installed = _run(python, "-m", "pip", "install", "-q", "--no-deps", source, cwd=tmp_path)
    if installed.returncode and any(word in installed.stderr for word in NO_INDEX):
        pytest.skip(f"no package index to fetch the build backend (setuptools) from: {installed.stderr[-300:]}")
    assert installed.returncode == 0, installed.stderr[-3000:]

    command = bin_dir / "nnplay"
    said = _run(command, "--version", cwd=tmp_path)
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip() == f"nnplay {version('nnplay')}"

    trained = _run(
        command, "train", "--preset", "seed-v1", "--iterations", "200", "--engine", "numpy", "--json", cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["steps"] == 200

    where = _run(
        python,
        "-c",
        "import importlib.resources as r, nnplay.tui as t; "
        "print(t.__path__[0]); print((r.files('nnplay.tui.app') / 'app.tcss').is_file())",
        cwd=tmp_path,
    )
    package, has_css = where.stdout.split()
    assert Path(package).is_relative_to(env), f"imported {package}, not the installed copy"
    assert has_css == "True", "app.tcss is not in the installed package"
