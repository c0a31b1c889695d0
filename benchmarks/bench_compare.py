"""Do the compare screen's two runs use two cores? Steps/s of the pair, on one thread against two processes.

    python benchmarks/bench_compare.py [--seconds 4] [--repeats 3] [--warm-up 1] [--networks 8,8,8 64,64,64]
                                       [--points 500] [--compare lr=0.003,lr=0.03] [--smoke]

For each network (hidden layers as in bench_frames.py: "8,8,8", "8x64" = eight layers of 64)
the compare app runs headless at 120x40 (Textual's test driver: the same event loop and frame
timer as in a terminal, both plots drawn) and trains flat out, once with the two runs on a
worker thread of the app (``ComparisonChannel``: the compare screen before issue 23) and once
each in a trainer process of its own (``ComparisonProcesses``, as ``nnplay --compare`` runs
them), alternately, a fresh app each time, so both see the same machine load. Steps are
counted from the snapshots the screen draws, from a second after both runs have started: each
run's steps between two of its snapshots over the time between their arrivals, the two rates
added up. Reports the medians, their ratio (issue 23's target: >= 1.8), the cores the app's
processes used meanwhile (CPU seconds over wall seconds: thread/processes) and the load average
(1 minute) at each measurement. Two processes can only train twice as fast when the cores are
free for them: the cores column says what they got.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_frames import config_for, hidden_layers  # noqa: E402
from smoke_mode import parse_args  # noqa: E402

import nnplay.tui  # noqa: E402, F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads

MODES = {"thread": False, "processes": True}


async def next_snapshots(channel) -> list[tuple[int, float]]:
    """Each run's step as its next snapshot arrives, and when: a rate between two of these is
    exact however seldom snapshots come (on 50,000 points, a few a second)."""
    before, got = channel.latest, [None, None]
    while None in got:
        pair = channel.latest
        for i, (new, old) in enumerate(zip(pair, before, strict=True)):
            if got[i] is None and new is not old:
                got[i] = (new.step, time.perf_counter())
        await asyncio.sleep(0.002)
    return got


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time the processes ``pids`` have used (Linux's /proc; 0 elsewhere)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


async def rate(
    layers: tuple[int, ...], points: int, spec: str, seconds: float, processes: bool, warm_up: float
) -> tuple[float, float, float]:
    """The pair's steps/s with the runs in two processes (``processes``) or on one thread, the cores
    the app's processes used meanwhile, and the load then."""
    from nnplay.core.run.compare import Comparison, parse_comparison
    from nnplay.tui.screens.compare_screen import CompareApp

    app = CompareApp(Comparison(config_for(layers, points), parse_comparison(spec)), trainer_process=processes)
    async with app.run_test(size=(120, 40)) as pilot:
        channel = app.screen.channel
        pids = [os.getpid()] + ([side.child.pid for side in channel.sides] if processes else [])
        await pilot.press("space")
        while not all(snap.step > 0 for snap in channel.latest):  # the children have started
            await asyncio.sleep(0.05)
        await asyncio.sleep(warm_up)  # past the first frames (styles and caches built)
        first, cpu, started = await next_snapshots(channel), cpu_seconds(pids), time.perf_counter()
        await asyncio.sleep(seconds)
        last = await next_snapshots(channel)
        cores = (cpu_seconds(pids) - cpu) / (time.perf_counter() - started)
        result = sum((s1 - s0) / (t1 - t0) for (s0, t0), (s1, t1) in zip(first, last, strict=True))
        load = os.getloadavg()[0]
        app.exit()
    return result, cores, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--networks", nargs="+", default=["8,8,8", "64,64,64"])
    parser.add_argument("--points", nargs="+", type=int, default=[500])
    parser.add_argument("--compare", default="lr=0.003,lr=0.03", help="the two runs (NAME=A,NAME=B)")
    parser.add_argument("--warm-up", type=float, default=1.0, help="seconds of training before the count starts")
    args = parse_args(parser, seconds=0.3, repeats=1, networks=["4"], points=[200], warm_up=0.1)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; --compare {args.compare}; numpy engine")
    print(f"{args.repeats} x {args.seconds:g} s each way, alternately; medians of both runs' steps/s added up")
    print(
        f"{'network':>9} {'points':>7} {'thread/s':>9} {'processes/s':>11} {'ratio':>6} {'cores':>9}"
        "  load (thread/processes)"
    )
    for net in args.networks:
        for points in args.points:
            rates: dict[str, list[float]] = {mode: [] for mode in MODES}
            cores: dict[str, list[float]] = {mode: [] for mode in MODES}
            loads: list[str] = []
            for repeat in range(args.repeats):
                order = list(MODES) if repeat % 2 == 0 else list(reversed(MODES))
                measured = {}
                for mode in order:
                    steps, used, load = asyncio.run(
                        rate(hidden_layers(net), points, args.compare, args.seconds, MODES[mode], args.warm_up)
                    )
                    rates[mode].append(steps)
                    cores[mode].append(used)
                    measured[mode] = load
                loads.append(f"{measured['thread']:.1f}/{measured['processes']:.1f}")
            thread, processes = (statistics.median(rates[mode]) for mode in MODES)
            used = "/".join(f"{statistics.median(cores[mode]):.2f}" for mode in MODES)
            print(
                f"{net:>9} {points:>7,} {thread:>9,.0f} {processes:>11,.0f} {processes / max(thread, 1e-9):>5.2f}x "
                f"{used:>9}  " + " ".join(loads),
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
