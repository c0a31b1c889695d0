"""How fast training stops: a cancel to the trainer's thread, and q to the app's exit.

    python benchmarks/bench_stop.py [--repeats 5] [--smoke]

The behaviour tests (tests/tui/test_threads.py, tests/tui/test_app_keys.py, tests/e2e) check that
these stop, waiting as long as a loaded machine needs; this reports how long it takes, on this
machine as it is now, as medians and worst cases:

- cancel to join: ``AppRunChannel.run`` on its own thread trains flat out (a few chunks, so the
  chunk size has adapted), then the cancel flag is set and the thread joined; the target is
  200 ms (one chunk at the frame rate), also with 400 slow commands queued;
- quit: the app trains (numpy, a heavy spiral step), q asks, a second q quits; the time from
  that key to the app's end, alone and with a big reset and a load in flight; the target is 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402  (benchmarks/ is the script's own folder)

import nnplay.tui  # noqa: E402, F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads


def wait(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.002)


def cancel_to_join(config, compiled, backlog: bool = False) -> float:
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.run.channel import AppRunChannel

    trainer = Trainer(config)
    trainer.use_kernel(compiled)
    channel = AppRunChannel(trainer, fps=15)
    cancelled = threading.Event()
    thread = threading.Thread(target=channel.run, args=(cancelled.is_set,), daemon=True)
    thread.start()
    channel.toggle_run()
    wait(lambda: channel.latest.step > 0, "training to start")
    for _ in range(4):  # a few chunks flat out: the chunk size has adapted to the speed
        seen = channel.latest
        wait(lambda s=seen: channel.latest is not s, "the next chunk")
    if backlog:
        for _ in range(200):
            channel.reset(config)
            channel.step(20)
    started = time.perf_counter()
    cancelled.set()
    thread.join()
    return time.perf_counter() - started


async def quit_while_training(in_flight: bool, folder: Path) -> float:
    from textual import events

    from nnplay.core.files.session_file import save_session
    from nnplay.core.run.trainer import Trainer
    from nnplay.core.settings.presets import PRESETS
    from nnplay.tui.app.app import NNPlayApp
    from nnplay.tui.screens.quit_prompt import QuitPrompt

    config = PRESETS["spiral"].config(train_size=3000, batch_size=50)
    saved = folder / "big.npz"
    if in_flight and not saved.exists():
        save_session(Trainer(config.replace(train_size=20_000)), saved)
    app = NNPlayApp(trainer=Trainer(config), environ={}, colors=256, start_worker=True, use_kernel=False)

    async def until(condition: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + 120
        while not condition():
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            await asyncio.sleep(0.005)

    async with app.run_test(size=(120, 40)):
        app.post_message(events.Key("space", " "))
        await until(lambda: app.channel.latest.step > 20 and app.channel.running, "training to run")
        app.post_message(events.Key("q", "q"))
        await until(lambda: isinstance(app.screen, QuitPrompt), "the quit question")
        if in_flight:
            app.channel.reset(config.replace(train_size=20_000, layers=(16, 16, 16)))
            app.load_path(str(saved))
        started = time.perf_counter()
        app.post_message(events.Key("q", "q"))
        await until(lambda: not app.is_running, "the app to exit")
    return time.perf_counter() - started


def report(what: str, seconds: list[float], target: float) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{what:<44} median {statistics.median(ms):7.1f} ms  worst {ms[-1]:7.1f} ms  (target {target * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parse_args(parser, repeats=1)
    from nnplay.core.engine.kernel import load_kernel
    from nnplay.core.settings.presets import PRESETS

    compiled = load_kernel()
    cases = [
        ("numpy circle", PRESETS["circle"].config(), None),
        ("numpy spiral 4000, batch 200", PRESETS["spiral"].config(train_size=4000, batch_size=200), None),
        ("numba seed-v2", PRESETS["seed-v2"].config(), compiled),
        ("numba spiral 4000", PRESETS["spiral"].config(train_size=4000), compiled),
    ]
    for name, config, kernel in cases:
        if name.startswith("numba") and kernel is None:
            print(f"{name}: skipped (numba is not available)")
            continue
        report(f"cancel to join, {name}", [cancel_to_join(config, kernel) for _ in range(args.repeats)], 0.2)
    circle = PRESETS["circle"].config()
    queued = [cancel_to_join(circle, None, backlog=True) for _ in range(args.repeats)]
    report("cancel to join, 400 commands queued", queued, 0.2)
    with tempfile.TemporaryDirectory() as folder:
        for in_flight in (False, True):
            times = [asyncio.run(quit_while_training(in_flight, Path(folder))) for _ in range(args.repeats)]
            report("q to exit" + (", reset and load in flight" if in_flight else ""), times, 1.0)


if __name__ == "__main__":
    main()
