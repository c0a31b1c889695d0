"""Soak: random keys, clicks, scrolls and resizes at the running app for minutes.

    python benchmarks/soak.py [--minutes 5] [--seed 1] [--engine numpy|numba] [--check-every 60] [--smoke]

The same event stream and driver as the CI fuzz test (tests/tui/test_fuzz_session.py),
from ``benchmarks/fuzz_events.py``, for as long as asked: keys of every binding but quit
(save and load prompts answered with paths in a temporary folder), mouse clicks and scrolls
anywhere, terminal sizes from 40x12 to 160x50, while the trainer thread runs. Every
``--check-every`` seconds, and at the end, the app goes back to a known state and must
step on n, train on space and draw its plot in braille. Prints the events sent, the steps
trained, the error notifications nobody asked for and the peak resident memory; exits 1
on a crash, a failed check or an unexpected error.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def soak(minutes: float, seed: int, engine: str, check_every: float, preset: str) -> int:
    from benchmarks.app_as_run import app_as_run
    from benchmarks.fuzz_events import Fuzzer, StepCounter, event_stream

    app = app_as_run(preset, engine)
    started = time.perf_counter()
    end = started + minutes * 60
    checks = 0
    failures: list[str] = []
    fuzz = None
    with StepCounter() as counter, tempfile.TemporaryDirectory(prefix="nnplay-soak-") as workdir:
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                fuzz = Fuzzer(pilot, Path(workdir), seed)
                await fuzz.key("space")
                stream = event_stream(seed)
                next_check = started + check_every
                next_report = started + 30
                while time.perf_counter() < end:
                    await fuzz.send(next(stream))
                    now = time.perf_counter()
                    if now >= next_check:
                        await health_check(fuzz, preset)
                        checks += 1
                        await fuzz.key("space")
                        next_check = time.perf_counter() + check_every
                    if now >= next_report:
                        print(
                            f"{now - started:6.0f} s  {fuzz.events_done:7,} events  {counter.steps:12,} steps  "
                            f"RSS {rss_mb():6.1f} MB (peak {max_rss_mb():.1f})  engine {app.channel.latest.engine}",
                            flush=True,
                        )
                        next_report = now + 30
                await health_check(fuzz, preset)
                checks += 1
        except Exception:
            failures.append(traceback.format_exc())
    elapsed = time.perf_counter() - started
    unexpected = fuzz.unexpected_errors() if fuzz else []
    events = fuzz.events_done if fuzz else 0
    errors = sum(1 for severity, _ in fuzz.notifications if severity == "error") if fuzz else 0
    print(
        f"soaked {elapsed / 60:.1f} min (seed {seed}, {engine}): {events:,} events ({events / elapsed:.1f}/s), "
        f"{counter.steps:,} steps trained, {checks} health checks passed, peak RSS {max_rss_mb():.1f} MB"
    )
    print(f"error notifications: {errors} expected (diverged, bad file, bad value...), {len(unexpected)} unexpected")
    for text in unexpected[:20]:
        print(f"  unexpected: {text}")
    for text in failures:
        print(text, file=sys.stderr)
    return 1 if failures or unexpected else 0


async def health_check(fuzz, preset: str) -> None:
    """Back to a known state; n steps, space trains, the plot draws braille at 80x24."""
    await fuzz.back_to_normal((120, 40), preset)
    await fuzz.check_trains()
    await fuzz.resize(80, 24)
    await asyncio.sleep(0.1)
    dots = await fuzz.plot_braille()
    if dots <= 20:
        raise AssertionError(f"the plot drew {dots} braille dots")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", choices=("numpy", "numba"), default="numba")
    parser.add_argument("--check-every", type=float, default=60.0, help="seconds between health checks")
    parser.add_argument("--preset", default="circle")
    args = parse_args(parser, minutes=0.01, engine="numpy")
    sys.exit(asyncio.run(soak(args.minutes, args.seed, args.engine, args.check_every, args.preset)))


if __name__ == "__main__":
    main()
