"""Every script in benchmarks/ runs in its smoke mode (``--smoke``: tiny sizes, a few seconds) and
prints its table, so that a change elsewhere cannot break a benchmark unnoticed. The numbers of a
smoke run measure nothing and nothing here times anything."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# Each script's smoke run: its arguments after ``--smoke`` and a text its table prints.
SMOKE_RUNS = {
    "bench_article.py": ([], "nnplay updates/s"),
    "bench_compare.py": ([], "processes/s"),
    "bench_engine.py": ([], "torch/nnplay"),
    "bench_engine.py --scan": (["--scan"], "numba/numpy"),
    "bench_frames.py": ([], "app/headless"),
    "bench_keypress.py": ([], "key to screen"),
    "bench_keypress.py --help-screen": (["--help-screen"], "? to help on screen"),
    "bench_landscape.py": ([], "float32 ms"),
    "bench_memory.py": ([], "ratio (target"),
    "bench_path.py": ([], "on/off"),
    "bench_per_sample.py": ([], "vs python"),
    "bench_render.py": ([], "nnplay plot frame"),
    "bench_scaling.py": ([], "snapshot"),
    "bench_snapshot_transfer.py": ([], "shared memory: median"),
    "bench_startup.py": ([], "plot on screen after"),
    "bench_stop.py": ([], "q to exit"),
    "bench_terminal_bytes.py": ([], "training:"),
    "nnplay_rounds.py": (["--engine", "numpy"], '"wall"'),
    "soak.py": ([], "soaked"),
}
# Scripts that are no benchmark of their own: what runs them in its smoke run.
RUN_BY = {"startup_marks.py": "bench_startup.py"}
# What the launching terminal says of itself must not reach the app in tmux (Textual takes
# COLUMNS and LINES as its size), as in tests/e2e/test_tmux.py.
SCRUB = ("TMUX", "TMUX_PANE", "COLUMNS", "LINES", "NO_COLOR")
NEEDS_NUMBA = {"bench_engine.py --scan"}  # the scan compares numpy with the compiled kernel
NEEDS_TMUX = {"bench_keypress.py", "bench_memory.py", "bench_scaling.py", "bench_startup.py", "bench_terminal_bytes.py"}


def scripts() -> list[str]:
    """The files in benchmarks/ that run as a program (the others are modules the scripts import)."""
    return sorted(p.name for p in BENCHMARKS.glob("*.py") if 'if __name__ == "__main__":' in p.read_text())


def test_every_benchmark_script_has_a_smoke_run() -> None:
    smoked = {run.split()[0] for run in SMOKE_RUNS}
    missing = [name for name in scripts() if name not in smoked and name not in RUN_BY]
    assert not missing, f"benchmarks without a smoke run (give them --smoke and a row in SMOKE_RUNS): {missing}"
    for name in smoked:
        assert "parse_args(parser" in (BENCHMARKS / name).read_text(), f"{name} takes no --smoke"
    assert set(RUN_BY.values()) <= smoked, "a script run by another is smoked through it"


@pytest.mark.slow
@pytest.mark.parametrize("run", sorted(SMOKE_RUNS))
def test_benchmark_runs_in_smoke_mode(run: str) -> None:
    script = run.split()[0]
    if script in NEEDS_TMUX and shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if run in NEEDS_NUMBA and importlib.util.find_spec("numba") is None:
        pytest.skip("numba is not installed")
    args, table = SMOKE_RUNS[run]
    command = [sys.executable, str(BENCHMARKS / script), "--smoke", *args]
    env = {name: value for name, value in os.environ.items() if name not in SCRUB}
    try:
        done = subprocess.run(command, cwd=BENCHMARKS.parent, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{run} --smoke did not finish within 600 s; it printed: {expired.stdout!r}")
    assert done.returncode == 0, f"{run} --smoke exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert table in done.stdout, f"{run} --smoke did not print its table ({table!r}):\n{done.stdout}"


def test_smoke_sizes_name_real_arguments(tmp_path: Path) -> None:
    """A smoke size for an argument the script does not have is refused, not silently ignored."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import argparse, sys\n"
        f"sys.path.insert(0, {str(BENCHMARKS)!r})\n"
        "from smoke_mode import parse_args\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--steps', type=int, default=100)\n"
        "print(parse_args(parser, steps=3).steps)\n"
        "parse_args(argparse.ArgumentParser(), stpes=3)\n"
    )
    done = subprocess.run([sys.executable, str(probe), "--smoke"], capture_output=True, text=True)
    assert done.stdout.split()[0] == "3"
    assert "smoke sizes for arguments the parser does not have: stpes" in done.stderr
