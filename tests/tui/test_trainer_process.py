"""The trainer in a process of its own (tui/trainer_process.py): commands and snapshots across,
a child killed (the UI says so and r goes on from the last snapshot), and no child outliving
the app however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from nnplay.core.files.session_file import load_session
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.trainer_process import TrainerProcess

pytestmark = pytest.mark.slow  # processes of their own

ROOT = Path(__file__).resolve().parents[2]
CONFIG = TrainConfig(dataset="xor", train_size=200, layers=(4,), batch_size=10, seed=3)


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def gone(pid: int) -> bool:
    """No such process, or only its zombie (its parent, the killed app, cannot reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.fixture
def trainer_process():
    made: list[TrainerProcess] = []

    def make(trainer: Trainer) -> TrainerProcess:
        made.append(TrainerProcess(trainer))
        return made[-1]

    yield make
    for process in made:
        process.close()


def test_commands_go_to_the_child_and_its_snapshots_and_saves_come_back(trainer_process, tmp_path) -> None:
    process = trainer_process(Trainer(CONFIG))
    process.step(10)
    wait_for(lambda: process.latest.step == 10, "ten steps")
    process.toggle_run()
    wait_for(lambda: process.running and process.latest.step > 200, "training")
    process.pause()
    wait_for(lambda: not process.running, "the pause")
    paused = process.latest.step
    assert process.unsaved
    reply: Future = Future()
    process.save(str(tmp_path / "run.npz"), reply)
    assert reply.result(60) == paused
    assert load_session(tmp_path / "run.npz").step_count == paused
    wait_for(lambda: not process.unsaved, "the save to count")
    process.close()
    assert process.child.poll() is not None and process.dead is None


def test_a_killed_child_is_said_in_one_line_its_snapshot_stays_and_r_goes_on_from_it(trainer_process) -> None:
    process = trainer_process(Trainer(CONFIG))
    process.step(40)
    wait_for(lambda: process.latest.step == 40, "forty steps")
    last = process.latest
    os.kill(process.child.pid, signal.SIGKILL)
    wait_for(lambda: process.dead is not None, "the child's death to be noticed")
    notices = [n for n in process.drain_notices() if n.severity == "error"]
    assert len(notices) == 1 and "\n" not in notices[0].text
    assert "trainer process was killed (SIGKILL)" in notices[0].text and "press r" in notices[0].text
    assert process.latest is last and not process.running
    process.step(1)  # refused, with a line, not lost in a dead pipe
    assert "press r" in process.drain_notices()[0].text
    process.reset()
    wait_for(lambda: process.latest is not last, "the new child's first snapshot")
    assert process.dead is None and process.latest.step == 40
    process.step(5)
    wait_for(lambda: process.latest.step == 45, "five more steps in the new child")


def test_close_returns_once_the_receiver_has_read_the_pipe_to_its_end(trainer_process) -> None:
    """The pipe closes under no read: closed while the receiver still took the child's last
    messages, its recv failed inside multiprocessing and a traceback reached the terminal."""
    process = trainer_process(Trainer(CONFIG))
    process.step(5)
    wait_for(lambda: process.latest.step == 5, "five steps")
    taking, release = threading.Event(), threading.Event()
    take = process._take

    def slow_take(message: tuple) -> None:
        taking.set()
        release.wait(120)
        take(message)

    process._take = slow_take  # type: ignore[method-assign]
    process.step(1)
    wait_for(taking.is_set, "the receiver taking the step's snapshot")
    closer = threading.Thread(target=process.close)
    closer.start()
    wait_for(lambda: process.child.poll() is not None, "the child's end")
    release.set()
    closer.join(120)
    assert not closer.is_alive()
    assert not process._receiver.is_alive(), "close returned while the receiver still read the pipe"
    assert process.latest.step == 6


CHILD_OF = """
import sys, time
from nnplay.core.settings.config import TrainConfig
from nnplay.core.run.trainer import Trainer
from nnplay.tui.run.trainer_process import TrainerProcess
process = TrainerProcess(Trainer(TrainConfig(dataset="xor", train_size=200, layers=(4,))))
process.toggle_run()
while process.latest.step == 0 and process.dead is None:
    time.sleep(0.01)
print(process.child.pid, process.dead or "", flush=True)
time.sleep(600)
"""


# What a signal does is inherited as "ignored" across exec: a runner started under nohup (or by
# anything else that ignores SIGHUP) hands it on, and a stand-in for the app that ignored the
# signal a test ends it with would never end. The app itself handles each one (tui/terminal/signals.py).
DEFAULT_ENDINGS = """
import signal
for ending in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(ending, signal.SIG_DFL)
"""


def start_stand_in_app(script: str) -> subprocess.Popen:
    """``script`` in a process of its own standing in for the app, ended by a signal's default action."""
    return subprocess.Popen(
        [sys.executable, "-c", DEFAULT_ENDINGS + script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


@pytest.mark.parametrize("ending", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_no_child_outlives_the_app(ending) -> None:
    app = start_stand_in_app(CHILD_OF)
    try:
        child, *dead = app.stdout.readline().split()
        child = int(child)
        assert not dead, f"the trainer process {' '.join(dead)}"
        end_app_and_wait_for_child(app, child, ending)
    finally:
        app.kill()
        app.wait()


def end_app_and_wait_for_child(app: subprocess.Popen, child: int, ending: signal.Signals) -> None:
    """``child`` alive, the app ended by ``ending``, then ``child`` gone too."""
    assert not gone(child)
    app.send_signal(ending)
    app.wait(60)
    wait_for(lambda: gone(child), f"the trainer process to end with the app ({ending.name})")


async def test_the_app_says_its_trainer_process_died_keeps_the_picture_and_r_trains_on(make_app) -> None:
    from nnplay.tui.widgets.notice_line import NoticeLine
    from tests.tui.waiting import wait_until

    app = make_app(CONFIG, start_worker=True, trainer_process=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            process = app.channel
            await pilot.press("space")
            await wait_until(lambda: process.latest.step > 100, what="training in the child", between=pilot.pause)
            os.kill(process.child.pid, signal.SIGKILL)
            line = app.query_one(NoticeLine)
            await wait_until(lambda: "trainer process was killed" in line.text, what="the line", between=pilot.pause)
            assert "press r" in line.text and "\n" not in line.text
            shown = app.frames.frame.snapshot
            assert shown is process.latest and shown.step > 100  # the last picture stays
            await pilot.press("r")
            await wait_until(lambda: "goes on from step" in line.text, what="a new child", between=pilot.pause)
            first = process.child
            assert process.dead is None and first.poll() is None
            await pilot.press("n")
            await wait_until(lambda: process.latest.step == shown.timeline[-1].step + 1, what="a step in the new child")
    finally:
        app.channel.close()
    assert app.channel.child.poll() is not None
