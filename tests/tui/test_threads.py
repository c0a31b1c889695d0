"""The trainer's worker thread against the UI thread: torn snapshots, cancellation, command
storms, quitting mid-training, and a save killed mid-write.

The run channel runs on a real thread here (``AppRunChannel.run``) while the test thread plays
the UI: it reads ``channel.latest`` as fast as it can and sends commands.
"""

from __future__ import annotations

import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from benchmarks.fuzz_events import Fuzzer, wait_until
from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.losses import mean_loss
from nnplay.core.files.session_file import SessionFileError, load_session
from nnplay.core.run.trainer import Snapshot, Trainer, targets_for
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.run.channel import AppRunChannel, Notice
from nnplay.tui.screens.quit_prompt import QuitPrompt

# Trainings on real threads and processes for seconds each: the quick tier leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CIRCLE = PRESETS["circle"].config()


def kernel():
    from nnplay.core.engine.kernel import load_kernel

    return load_kernel()


class Worker:
    """``channel.run`` on its own thread, cancelled through a flag like Textual's worker."""

    def __init__(self, channel: AppRunChannel) -> None:
        self.channel = channel
        self.cancelled = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name="trainer", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        try:
            self.channel.run(self.cancelled.is_set)
        except BaseException as exc:  # the test fails on it below
            self.error = exc

    def stop(self, timeout: float = 60.0) -> float:
        """Cancel and join; returns the seconds from the cancel to the thread's end (printed, not
        asserted: how fast it stops is benchmarks/bench_stop.py's measure)."""
        started = time.perf_counter()
        self.cancelled.set()
        self.thread.join(timeout)
        elapsed = time.perf_counter() - started
        assert not self.thread.is_alive(), f"the worker did not stop within {timeout} s of the cancel (deadlock?)"
        assert self.error is None, f"the worker died: {self.error!r}"
        return elapsed


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        assert time.perf_counter() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def published_snapshots(channel: AppRunChannel):
    """A counter of the snapshots ``channel`` publishes from now on (read by polling ``latest``)."""
    seen = [channel.latest, 0]

    def count() -> int:
        if channel.latest is not seen[0]:
            seen[0] = channel.latest
            seen[1] += 1
        return seen[1]

    return count


def snapshot_problems(snap: Snapshot) -> list[str]:
    """Whatever in ``snap`` does not belong together: step, metrics, parameters, network and data."""
    problems = []
    net, data, config = snap.network, snap.data, snap.config
    if snap.metrics.step != snap.step or snap.metrics.epoch != snap.epoch:
        problems.append(f"metrics of step {snap.metrics.step} in a snapshot of step {snap.step}")
    n_out = 1 if data.is_regression else data.n_classes
    if net.sizes != [len(config.features), *config.layers, n_out] or data.name != config.dataset:
        problems.append(f"network {net.sizes} / data {data.name} do not fit the config {config}")
        return problems
    if net.params.flags.writeable:
        problems.append("the snapshot's parameters are writeable")
    # The training loss of these very parameters on this very data, computed again here.
    X = feature_matrix(data.X_train, config.features)
    Y = targets_for(data.y_train, n_out, config.output, data.is_regression)
    with np.errstate(all="ignore"):
        zs, acts = net.forward_pass(X)
        loss = mean_loss(net.output, net.loss_name, zs[-1], acts[-1], Y)
    recorded = snap.metrics.train_loss
    if not (math.isclose(loss, recorded, rel_tol=1e-12, abs_tol=1e-12) or (math.isnan(loss) and math.isnan(recorded))):
        problems.append(f"step {snap.step}: train loss {recorded!r} recorded, {loss!r} for its parameters")
    if len(snap.history) and snap.history[-1, 0] != snap.step:
        problems.append(f"the history ends at step {snap.history[-1, 0]:g}, the snapshot is at {snap.step}")
    if snap.timeline and snap.timeline[-1].step > snap.step:
        problems.append(f"the timeline runs past the snapshot: {snap.timeline[-1].step} > {snap.step}")
    return problems


class Reader:
    """The UI side: reads ``channel.latest`` in a loop and checks each new snapshot."""

    def __init__(self, channel: AppRunChannel) -> None:
        self.channel = channel
        self.reads = 0
        self.checked = 0
        self.problems: list[str] = []
        self.notices: list[Notice] = []  # drained as the app's frames do: the run channel keeps only the last 32
        self._last: Snapshot | None = None
        self._kept: list[tuple[Snapshot, np.ndarray, int]] = []

    def read(self, times: int = 1) -> None:
        self.notices += self.channel.drain_notices()
        for _ in range(times):
            snap = self.channel.latest
            self.reads += 1
            if snap is self._last:
                continue
            self._last = snap
            self.checked += 1
            self.problems += snapshot_problems(snap)
            if self.checked % 25 == 1:  # a few old ones, to check later that nothing changed them
                self._kept.append((snap, snap.network.params.copy(), snap.step))

    def old_snapshots_unchanged(self) -> bool:
        return all(np.array_equal(s.network.params, p) and s.step == step for s, p, step in self._kept)


CONFIGS = (
    CIRCLE,
    CIRCLE.replace(layers=(4,), features=("x", "y", "xy")),
    PRESETS["quadrants"].config(train_size=300),
    PRESETS["reg-gauss"].config(train_size=200, layers=(8,)),
    PRESETS["seed-v2"].config(train_size=200),
)


# -- (a) snapshots never tear -----------------------------------------------------------------


def test_the_check_sees_a_torn_snapshot() -> None:
    trainer = Trainer(CIRCLE)
    trainer.step(30)
    trainer.evaluate()
    a = trainer.snapshot()
    trainer.step(30)
    trainer.evaluate()
    b = trainer.snapshot()
    assert snapshot_problems(a) == [] and snapshot_problems(b) == []
    assert snapshot_problems(replace(b, metrics=a.metrics))  # another step's metrics
    assert snapshot_problems(replace(b, network=a.network))  # another step's parameters
    assert snapshot_problems(replace(b, step=a.step))
    assert snapshot_problems(replace(b, data=Trainer(CONFIGS[3]).data))  # another data set


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_snapshots_read_during_training_belong_together(engine: str) -> None:
    compiled = kernel() if engine == "numba" else None
    if engine == "numba" and compiled is None:
        pytest.skip("numba is not available")
    rng = random.Random(5)
    channel = AppRunChannel(Trainer(CIRCLE), fps=1000)  # publish as often as the chunks allow
    channel.set_kernel(compiled)
    reader = Reader(channel)
    worker = Worker(channel)
    channel.toggle_run()
    # At least a second of commands, and on as long as it takes to read enough to mean something
    # (a loaded machine reads less in a second).
    least = time.perf_counter() + 1.0
    deadline = time.perf_counter() + 120.0
    next_command = 0.0
    while time.perf_counter() < least or reader.checked <= 20 or reader.reads <= 1_000:
        assert time.perf_counter() < deadline, f"in 120 s only {reader.checked} snapshots in {reader.reads} reads"
        reader.read(100)
        time.sleep(0.0002)  # a UI thread waits for events most of the time: the worker gets the GIL
        if time.perf_counter() < next_command:
            continue
        next_command = time.perf_counter() + 0.02  # a command now and then, at a fast typist's pace
        r = rng.random()
        if r < 0.3:
            channel.reset(rng.choice(CONFIGS))
            channel.toggle_run()
        elif r < 0.6:
            channel.step(rng.randint(1, 50))
            channel.toggle_run()
        elif r < 0.8:
            channel.add_point(0.1, -0.2, 0)
    worker.stop()
    reader.read(10)
    print(f"\n{engine}: {reader.reads:,} reads, {reader.checked:,} distinct snapshots checked")
    assert reader.problems == []
    assert reader.old_snapshots_unchanged()
    assert not [n.text for n in reader.notices if n.severity == "error"]


# -- (b) a cancel stops the worker mid-training (how fast: benchmarks/bench_stop.py) -----------


@pytest.mark.parametrize(
    "engine, config",
    [
        ("numpy", CIRCLE),
        ("numpy", PRESETS["spiral"].config(train_size=4000, batch_size=200)),
        ("numba", PRESETS["seed-v2"].config()),
        ("numba", PRESETS["spiral"].config(train_size=4000)),
    ],
    ids=["numpy-circle", "numpy-spiral-4000-batch200", "numba-seed-v2", "numba-spiral-4000"],
)
def test_worker_stops_on_a_cancel_mid_training(engine: str, config: TrainConfig) -> None:
    """The run has no end of its own: a worker that missed the cancel would train on for good."""
    compiled = kernel() if engine == "numba" else None
    if engine == "numba" and compiled is None:
        pytest.skip("numba is not available")
    times = []
    for _ in range(3):
        trainer = Trainer(config)
        trainer.use_kernel(compiled)
        channel = AppRunChannel(trainer, fps=15)
        worker = Worker(channel)
        channel.toggle_run()
        wait_for(lambda s=channel: s.latest.step > 0, "training to start")
        published = published_snapshots(channel)
        wait_for(lambda p=published: p() >= 4, "four chunks trained flat out (the chunk size adapts to the speed)")
        assert channel.running
        times.append(worker.stop())
    print(f"\n{engine}: cancel to join {', '.join(f'{t * 1000:.0f}' for t in times)} ms")


def test_a_cancel_drops_a_backlog_of_commands() -> None:
    """Quitting while the queue still holds slow commands (key repeat on r, a script): they are dropped."""
    channel = AppRunChannel(Trainer(CIRCLE), fps=15)
    worker = Worker(channel)
    channel.toggle_run()
    wait_for(lambda: channel.latest.step > 0, "training to start")
    for k in range(200):
        channel.reset(CONFIGS[k % len(CONFIGS)])
        channel.step(20)
    elapsed = worker.stop()
    print(f"\ncancel to join with 400 commands queued: {elapsed * 1000:.0f} ms, {channel.commands_handled} ran")
    assert channel.commands_handled < 400


# -- (c) a storm of commands: no deadlock, no error, files that load -----------------------------


def test_commands_in_a_tight_loop_during_training(tmp_path: Path) -> None:
    rng = random.Random(9)
    compiled = kernel()
    channel = AppRunChannel(Trainer(CIRCLE), fps=60)
    reader = Reader(channel)
    worker = Worker(channel)
    channel.toggle_run()
    saved: list[Path] = []
    loaded = 0
    sent = 0
    deadline = time.perf_counter() + 2.0
    while time.perf_counter() < deadline:
        r = rng.random()
        if r < 0.15:
            channel.reset(rng.choice(CONFIGS))
        elif r < 0.45:
            # As the app sends a live change: the live part, on the latest snapshot's config.
            change = rng.choice([{"lr": 0.03}, {"lr": 0.003}, {"momentum": 0.5}, {"optimizer": "sgd"},
                                 {"optimizer": "adam"}, {"batch_size": 1}, {"batch_size": 25}, {"l2": 0.001},
                                 {"dropout": 0.2}, {"dropout": 0.0}, {"schedule": "cosine"}])  # fmt: skip
            panel = rng.choice(CONFIGS).replace(**change)  # a panel with other pending (non-live) values too
            channel.apply_settings(channel.latest.config.with_live_settings_of(panel))
        elif r < 0.55:
            path = tmp_path / f"s{len(saved)}.npz"
            saved.append(path)
            channel.save(str(path))
        elif r < 0.62 and saved and saved[0].exists():
            # The app loads on a worker thread and hands over the new trainer.
            try:
                channel.replace(load_session(rng.choice([p for p in saved if p.exists()])))
                loaded += 1
            except SessionFileError as exc:
                raise AssertionError(f"a session saved by the worker does not load: {exc}") from None
        elif r < 0.72:
            channel.toggle_run()
        elif r < 0.78:
            channel.step(rng.randint(1, 20))
        elif r < 0.82:
            channel.run_epoch()
        elif r < 0.86:
            channel.train_iterations()
        elif r < 0.90:
            channel.set_kernel(rng.choice([compiled, None]))
        else:
            channel.add_point(0.3, 0.3, 0)
        sent += 1
        reader.read(20)
        # The run channel keeps the newest 32 notices for the next frame; a worker starved by a
        # loaded machine must not fall so far behind that the checked save notices drop out.
        while channel._commands.qsize() > 8:
            time.sleep(0.001)
            reader.read()
        if rng.random() < 0.3:
            time.sleep(rng.choice([0.0005, 0.002, 0.005]))
    channel.save(str(tmp_path / "last.npz"))
    wait_for(lambda: channel._commands.empty(), "the queue to empty", timeout=120)
    elapsed = worker.stop()
    reader.read()
    notices = reader.notices
    # A random mix of settings can diverge (seed-v2's rate 2 with adam, say): that is the
    # trainer working, reported as such. Any other error is a fault.
    errors = [n.text for n in notices if n.severity == "error" and not n.text.startswith("diverged at step")]
    print(f"\n{sent} commands ({len(saved)} saves, {loaded} loads) in 2 s; {channel.commands_handled} handled; "
          f"{reader.checked} snapshots checked; stopped in {elapsed * 1000:.0f} ms")  # fmt: skip
    assert errors == [], errors
    assert reader.problems == []
    assert channel.commands_handled == sent + 2  # every command ran (toggle at start, last save)
    # Every save the worker reported loads, at the step it reported.
    reported = {m.group(2): int(m.group(1).replace(",", "")) for n in notices
                if (m := re.match(r"saved step ([\d,]+) to (.+)$", n.text))}  # fmt: skip
    assert set(reported) == {str(p) for p in [*saved, tmp_path / "last.npz"]}
    for path, step in reported.items():
        assert load_session(path).step_count == step, path
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "a save left a temporary file"


# -- (d) quitting mid-training ----------------------------------------------------------------------


@pytest.mark.parametrize("also", ["nothing", "reset-and-load-in-flight"])
async def test_quit_mid_training_exits(make_app, also: str, tmp_path: Path) -> None:
    config = PRESETS["spiral"].config(train_size=3000, batch_size=50)  # a heavier numpy step
    saved = tmp_path / "big.npz"
    if also != "nothing":
        from nnplay.core.files.session_file import save_session

        save_session(Trainer(config.replace(train_size=20_000)), saved)
    app = make_app(config, start_worker=True)
    async with app.run_test(size=(120, 40)) as pilot:
        fuzz = Fuzzer(pilot, tmp_path)
        await fuzz.key("space")
        await wait_until(lambda: app.channel.latest.step > 20 and app.channel.running, "training to run")
        # The run's steps are unsaved: q asks first (tui/screens/quit_prompt.py), and a second q quits anyway.
        await fuzz.key("q")
        await wait_until(lambda: isinstance(app.screen, QuitPrompt), "the quit question", timeout=60)
        assert app.is_running and app.channel.running
        if also != "nothing":  # in flight when the quit comes (a reset or load would leave nothing unsaved)
            app.channel.reset(config.replace(train_size=20_000, layers=(16, 16, 16)))
            app.load_path(str(saved))
        started = time.perf_counter()
        await fuzz.key("q")
        await wait_until(lambda: not app.is_running, "the app to exit after the second q", timeout=60)
        stopped = time.perf_counter() - started
    elapsed = time.perf_counter() - started
    # How fast: benchmarks/bench_stop.py (a wall-clock bound here would fail on a loaded machine).
    print(f"\nq to the app stopped {stopped * 1000:.0f} ms, to the end of run_test ({also}): {elapsed * 1000:.0f} ms")
    assert app.return_code == 0
    assert fuzz.unexpected_errors() == []


# -- (e) a save killed mid-write ------------------------------------------------------------------

# Two whole sessions of a few MB, written over each other by ``atomic_write`` (what
# ``save_session`` does with ``session_bytes``) as fast as the disk allows: nearly all of the
# loop's time is inside a save, so a kill at a random moment lands mid-write.
SAVER = """
import sys
from pathlib import Path
from nnplay.core.files.session_file import atomic_write, session_bytes
from nnplay.core.settings.presets import PRESETS
from nnplay.core.run.trainer import Trainer

trainer = Trainer(PRESETS["circle"].config(train_size=60_000))
folder, target = Path(sys.argv[1]), Path(sys.argv[2])
payloads = [session_bytes(trainer)]
trainer.step(1)
payloads.append(session_bytes(trainer))
for k, payload in enumerate(payloads):
    (folder / f"version{k}.npz").write_bytes(payload)
atomic_write(target, payloads[0])
print("ready", flush=True)
k = 0
while True:
    k += 1
    atomic_write(target, payloads[k % 2])
"""


def test_a_save_killed_mid_write_leaves_a_whole_file(tmp_path: Path) -> None:
    """SIGKILL (no handler runs, no temporary file is cleaned up) at random moments of a process
    that saves in a loop: the target is always one whole version, byte for byte, and loads."""
    rng = random.Random(3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    versions = tmp_path / "versions"
    versions.mkdir()
    folder = tmp_path / "saves"
    folder.mkdir()
    target = folder / "session.npz"
    interrupted = 0
    kills = 4
    for kill in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(versions), str(target)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.02, 0.3))
            if kill % 2:  # every other kill: the moment a temporary file shows, so surely mid-write
                deadline = time.perf_counter() + 5
                while not any(p.suffix == ".tmp" for p in folder.iterdir()) and time.perf_counter() < deadline:
                    pass
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            proc.stdout.close()
        whole = {(versions / f"version{k}.npz").read_bytes() for k in (0, 1)}
        assert target.read_bytes() in whole, "the saved file is neither the old nor the new version"
        assert load_session(target).step_count in (0, 1)
        leftovers = [p for p in folder.iterdir() if p != target]
        assert all(p.name.startswith(".session.npz.") and p.name.endswith(".tmp") for p in leftovers), leftovers
        interrupted += bool(leftovers)
        for p in leftovers:  # what a kill leaves: the half-written temporary, never a torn target
            p.unlink()
    print(f"\n{interrupted} of {kills} kills landed mid-write")
    assert interrupted >= 1, "no kill landed during a write: the test did not test anything"


QUIT_WHILE_COMPILING = """
import sys, threading
import nnplay.core.engine.kernel
from nnplay.core.settings.presets import PRESETS
from nnplay.core.run.trainer import Trainer
from nnplay.tui.app.app import NNPlayApp

def compiling_for_ever():
    open(sys.argv[1], "w").close()  # the loader has started
    app.call_from_thread(app.exit)  # the user quits now
    threading.Event().wait()

nnplay.core.engine.kernel.load_kernel = compiling_for_ever
app = NNPlayApp(trainer=Trainer(PRESETS["seed-v2"].config()), environ={})
app.run(headless=True)
"""


def test_quitting_while_the_kernel_compiles_does_not_wait_for_it(tmp_path: Path) -> None:
    """Compiling numba's kernel takes seconds and cannot be interrupted: quitting must not join it.
    Here the compile never ends, so a process that waited for it would never exit."""
    started_marker = tmp_path / "loader-started"
    try:
        done = subprocess.run(
            [sys.executable, "-c", QUIT_WHILE_COMPILING, str(started_marker)],
            capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise AssertionError("the app did not exit within 120 s of the quit: it waits for the compile") from None
    assert done.returncode == 0, done.stderr[-2000:]
    assert started_marker.exists()
