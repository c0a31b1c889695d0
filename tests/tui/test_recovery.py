"""What counts as unsaved work, and where the SIGTERM recovery file goes (tui/terminal/signals.py).

The run channel's commands are run on the test thread here (``_handle_commands``), as the worker
would run them; the end-to-end signal tests are in tests/e2e/test_signals.py.
"""

from __future__ import annotations

import asyncio
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nnplay.core.files.session_file import load_session
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.run.channel import AppRunChannel
from nnplay.tui.terminal import signals
from nnplay.tui.terminal.signals import END_OF_INPUT, exit_after_signal, exit_finishes, recovery_folders, save_recovery
from tests.tui.channel_driving import handled

CIRCLE = PRESETS["circle"].config()


def test_steps_and_edits_are_unsaved_until_a_save_load_or_reset(tmp_path: Path) -> None:
    channel = AppRunChannel(Trainer(CIRCLE))
    assert not channel.unsaved  # a new run: nothing trained
    channel.step(3)
    assert handled(channel).unsaved_steps == 3 and channel.unsaved
    channel.save(str(tmp_path / "a.npz"))
    assert not handled(channel).unsaved
    channel.add_point(0.1, 0.2, 0)
    assert handled(channel).unsaved and channel.unsaved_steps == 0  # an edit, no steps
    channel.reset()  # the same data, as edited: the edit is still in no file
    assert handled(channel).unsaved_edits == {"data": 1} and channel.unsaved_steps == 0
    channel.reset(CIRCLE.replace(layers=(3,)))  # a new network on the same data keeps the edit too
    assert handled(channel).unsaved_edits == {"data": 1}
    channel.reset(CIRCLE.replace(data_seed=CIRCLE.data_seed + 1))  # new data: the edited points are gone
    assert not handled(channel).unsaved
    channel.step(2)
    channel.replace(load_session(tmp_path / "a.npz"))  # a loaded file holds what the session then has
    assert not handled(channel).unsaved


def test_a_failed_save_keeps_the_work_unsaved(tmp_path: Path) -> None:
    channel = AppRunChannel(Trainer(CIRCLE))
    channel.step(1)
    channel.save(str(tmp_path / "no such folder" / "a.npz"))
    assert handled(channel).unsaved_steps == 1


def test_recovery_goes_to_the_first_folder_that_takes_it(tmp_path: Path) -> None:
    channel = AppRunChannel(Trainer(CIRCLE))
    channel.step(5)
    handled(channel)
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    state = tmp_path / "state" / "nnplay"
    line = save_recovery(channel, [blocked, state])
    (saved,) = state.glob("nnplay-recovery-*.npz")
    assert line == f"saved the run (5 unsaved steps, at step 5) to {saved}; resume with: nnplay --load {saved}"
    assert load_session(saved).step_count == 5 and not channel.unsaved
    assert state.stat().st_mode & 0o777 == 0o700  # a folder it made: the user's own


def test_when_no_folder_takes_it_the_line_says_why() -> None:
    channel = AppRunChannel(Trainer(CIRCLE))
    channel.step(1)
    line = save_recovery(handled(channel), [Path("/proc/nnplay-cannot-write-here")])
    assert line.startswith("could not save the run (1 unsaved step): /proc/nnplay-cannot-write-here: ")
    assert "\n" not in line and channel.unsaved


def test_the_folders_are_the_current_one_then_the_xdg_state_folder(tmp_path: Path) -> None:
    home = Path.home()
    assert recovery_folders({}, tmp_path) == [tmp_path, home / ".local/state/nnplay"]
    assert recovery_folders({"XDG_STATE_HOME": "/srv/st"}, tmp_path)[1] == Path("/srv/st/nnplay")
    # the XDG spec: a relative path is invalid and ignored
    assert recovery_folders({"XDG_STATE_HOME": "rel"}, tmp_path)[1] == home / ".local/state/nnplay"


def test_every_ending_saves_and_the_status_says_what_ended_it(tmp_path: Path, monkeypatch, capsys) -> None:
    """A hang-up (SIGHUP, or the end of input when the terminal closes without one) saves as SIGTERM
    does: the terminal closing never asked the question ``q`` asks about unsaved work."""
    monkeypatch.chdir(tmp_path)
    for reason, status, name in [(signal.SIGHUP, 129, "SIGHUP"), (END_OF_INPUT, 1, "the end of input")]:
        channel = AppRunChannel(Trainer(CIRCLE))
        channel.step(4)
        assert exit_after_signal(handled(channel), reason) == status
        err = capsys.readouterr().err
        (saved,) = tmp_path.glob("nnplay-recovery-*.npz")
        assert err.startswith(f"nnplay: ended by {name}")
        assert f"saved the run (4 unsaved steps, at step 4) to {saved}" in err
        assert load_session(saved).step_count == 4
        saved.unlink()
    fresh = AppRunChannel(Trainer(CIRCLE))
    assert exit_after_signal(fresh, signal.SIGTERM) == 143
    assert capsys.readouterr().err == "nnplay: ended by SIGTERM; the run had nothing unsaved\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # a process of its own, or a whole training
def test_an_exit_that_hangs_is_cut_short_after_saving_the_run(tmp_path: Path) -> None:
    """The watchdog, in a process of its own: the app's exit never finishes (``exited`` is never set)
    and its loop answers nothing (a loop that is not running stands for one that is blocked)."""
    script = (
        "import asyncio, signal, threading\n"
        "from nnplay.core.settings.presets import PRESETS\n"
        "from nnplay.core.run.trainer import Trainer\n"
        "from nnplay.tui.terminal import signals\n"
        "from nnplay.tui.run.channel import AppRunChannel\n"
        "signals.EXIT_STALL = 0.2\n"
        "channel = AppRunChannel(Trainer(PRESETS['circle'].config()))\n"
        "channel.unsaved_steps, channel.stopped = 7, True\n"
        "signals._watchdog(channel, signal.SIGTERM, threading.Event(), asyncio.new_event_loop())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    (saved,) = tmp_path.glob("nnplay-recovery-*.npz")
    assert out.returncode == 143 and out.stdout == ""
    assert out.stderr == (
        "nnplay: ended by SIGTERM: the exit hung (the terminal is gone?), so it was cut short; "
        f"saved the run (7 unsaved steps, at step 0) to {saved}; resume with: nnplay --load {saved}\n"
    )


class AnsweringLoop:
    """A loop that answers every call at once, as a live loop does; the exit finishes after ``answers`` calls."""

    def __init__(self, exited: threading.Event, answers: int | None = None) -> None:
        self.exited, self.answers, self.calls = exited, answers, 0

    def call_soon_threadsafe(self, callback) -> None:
        self.calls += 1
        callback()
        if self.calls == self.answers:
            self.exited.set()


class SilentLoop:
    """A loop blocked for good: it takes calls and never runs them."""

    def call_soon_threadsafe(self, callback) -> None:
        pass


class ClosedLoop:
    def call_soon_threadsafe(self, callback) -> None:
        raise RuntimeError("Event loop is closed")


def test_a_slow_exit_whose_loop_answers_is_not_cut_short(monkeypatch) -> None:
    """The exit takes 40 times the stall, its loop answering all along: it is slow, not hung."""
    monkeypatch.setattr(signals, "EXIT_PROBE_INTERVAL", 0.005)
    exited = threading.Event()
    started = time.monotonic()
    assert exit_finishes(exited, AnsweringLoop(exited, answers=40), stall=0.005, limit=60)
    # 40 probes an interval (= the stall) apart: many stalls long (a timer may wake a little early), not cut after one
    assert time.monotonic() - started >= 20 * 0.005


def test_an_exit_whose_loop_stops_answering_is_cut_short(monkeypatch) -> None:
    monkeypatch.setattr(signals, "EXIT_PROBE_INTERVAL", 0.005)
    assert not exit_finishes(threading.Event(), SilentLoop(), stall=0.05, limit=60)

    class StopsAnswering(AnsweringLoop):  # answers a while, then blocks
        def call_soon_threadsafe(self, callback) -> None:
            if self.calls < 5:
                super().call_soon_threadsafe(callback)

    loop = StopsAnswering(threading.Event())
    assert not exit_finishes(loop.exited, loop, stall=0.05, limit=60)
    assert loop.calls == 5


def test_an_exit_whose_loop_answers_but_never_ends_is_cut_short_at_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(signals, "EXIT_PROBE_INTERVAL", 0.005)
    exited = threading.Event()
    loop = AnsweringLoop(exited)
    assert not exit_finishes(exited, loop, stall=10, limit=0.1)
    assert loop.calls > 1, "asked again and again, answered every time"


def test_a_closed_loop_leaves_only_the_last_line_of_the_exit() -> None:
    exited = threading.Event()
    exited.set()
    assert exit_finishes(exited, ClosedLoop(), stall=0.05, limit=60)
    assert not exit_finishes(threading.Event(), ClosedLoop(), stall=0.05, limit=60)


def test_a_real_loop_blocked_on_a_full_writer_queue_is_a_stall() -> None:
    """As Textual's loop is when its writer thread has died on a terminal that is gone: the loop's
    next write waits for room in the thread's queue (``queue.Queue(30)``) that nobody makes."""
    loop = asyncio.new_event_loop()
    writes: queue.Queue[str] = queue.Queue(1)
    writes.put("the last frame")
    blocking = threading.Event()

    async def exit_writing() -> None:
        blocking.set()
        writes.put("\x1b[?1049l")  # synchronous: the loop runs nothing else meanwhile

    runner = threading.Thread(target=loop.run_until_complete, args=(exit_writing(),))
    runner.start()
    try:
        blocking.wait(60)
        assert not exit_finishes(threading.Event(), loop, stall=0.2, limit=60)
    finally:
        writes.get()  # room: the loop goes on and ends
        runner.join()
        loop.close()
