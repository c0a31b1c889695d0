"""``nnplay``'s first trainer child is forked before Textual is imported (tui/run/forked_trainer.py):
the child is the same program (a fork, not a new interpreter), it builds the run and sends the
first snapshot, the app's process never builds a ``Trainer``, and no forked child outlives the app."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest

from nnplay.tui.run.forked_trainer import can_fork
from tests.tui.test_trainer_process import ROOT, end_app_and_wait_for_child, start_stand_in_app

pytestmark = pytest.mark.slow  # processes of their own

# ``nnplay --preset spiral --seed 5`` as tui/cli/open_app.py runs it, with the terminal's part
# replaced by a look at the processes. Trainer.__init__ notes the process it runs in: a list the
# fork copies, so the app's own copy stays empty unless the app's process builds a Trainer.
NNPLAY = """
import gc, os, sys, threading, time
import nnplay.tui.cli.open_app as open_app
import nnplay.tui.terminal.signals as signals
from nnplay.core.run.trainer import Trainer
from nnplay.tui.cli.parser import build_parser

built = []
init = Trainer.__init__
def noting(self, *args, **kwargs):
    built.append(os.getpid())
    init(self, *args, **kwargs)
Trainer.__init__ = noting

def run(app, channel):
    child = channel.child.pid
    same = [open(f"/proc/{p}/cmdline", "rb").read() for p in ("self", child)]
    exe = [os.path.realpath(f"/proc/{p}/exe") for p in ("self", child)]
    trainers = sum(isinstance(o, Trainer) for o in gc.get_objects())
    print("cmdline", same[0] == same[1], "exe", exe[0] == exe[1], "session", os.getsid(child) == child, flush=True)
    first = channel.latest
    print("built", built, "trainers", trainers, "seed", first.config.seed, "step", first.step, flush=True)
    channel.step(3)
    deadline = time.monotonic() + 120
    while channel.latest.step < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    print("trained", channel.latest.step, flush=True)
    if "--hold" in sys.argv:
        channel.toggle_run()
        time.sleep(600)
    return 0

open_app.require_terminal = lambda: None
signals.run_standalone = run
open_app.app_command(build_parser().parse_args(["--preset", "spiral", "--seed", "5", "--engine", "numpy"]))
"""


def test_the_first_trainer_child_is_a_fork_that_builds_the_run_the_app_process_builds_none() -> None:
    out = subprocess.run([sys.executable, "-c", NNPLAY], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    forked, built, trained = out.stdout.splitlines()
    # A fork: the same program and command line (a fresh child runs `-m nnplay.tui.run.trainer_process`).
    assert forked == "cmdline True exe True session True"
    # The app's process built no Trainer and holds none; its first snapshot (seed 5, step 0) came from the child.
    assert built == "built [] trainers 0 seed 5 step 0"
    assert trained == "trained 3"


@pytest.mark.parametrize("ending", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_no_forked_child_outlives_the_app(ending) -> None:
    app = start_stand_in_app(NNPLAY.replace("sys.argv", "['--hold']"))
    try:
        for _ in range(3):
            line = app.stdout.readline()
            assert line, "the app ended before its child trained"
        child = int(subprocess.run(["pgrep", "-P", str(app.pid)], capture_output=True, text=True).stdout.split()[0])
        end_app_and_wait_for_child(app, child, ending)
    finally:
        app.kill()
        app.wait()


@pytest.mark.parametrize(
    "flags, said",
    [
        (["--load", "/nonexistent/run.npz"], "nnplay: error: argument --load: /nonexistent/run.npz: no such file"),
        (["--dataset", "csv", "--csv", "/nonexistent/d.csv"], "nnplay: error: argument --csv: /nonexistent/d.csv"),
    ],
)
def test_flags_the_forked_child_cannot_build_a_run_from_are_one_line(flags, said) -> None:
    """The child builds the run, so its refusal crosses back; said before the missing terminal."""
    out = subprocess.run(
        [sys.executable, "-m", "nnplay.tui.cli", *flags], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 2
    assert out.stderr.startswith(said) and out.stderr.count("\n") == 1, out.stderr


def test_no_fork_while_another_thread_runs() -> None:
    """A fork copies only the forking thread: a lock another one held stays held in the child."""
    assert can_fork() is (threading.active_count() == 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        other.join()
