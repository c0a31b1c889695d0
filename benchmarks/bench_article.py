"""nnplay's per-sample training vs the article's own vanilla JS in node (V8), same networks.

    python benchmarks/bench_article.py [--repeats 5] [--smoke]

The JS is the article's code (``benchmarks/article_networks.js``): version 1 (2 -> 4 sigmoid,
no hidden layer, lr 0.1, the 4 centre points) and version 2 (2 -> 4 sigmoid -> 4 sigmoid,
2,000 random points, lr 2). nnplay trains the same networks, configured as ``nnplay train
--preset seed-v1`` / ``--preset seed-v2 --schedule constant`` (the article's constant rate)
would, with the compiled kernel (``benchmarks/nnplay_rounds.py``). Each side runs in a fresh process, warms up (the
first round is discarded: V8's steady state, numba's kernel loaded) and times rounds of
2,000,000 updates by the wall clock and by the process's CPU time (which the other
processes of a loaded machine do not inflate). Runs alternate JS / nnplay; medians. Without node
the JS side is left out and nnplay's rates are shown alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

from nnplay_rounds import measure
from smoke_mode import parse_args

JS = Path(__file__).with_name("article_networks.js")
NETWORKS = {"v1": ["--preset", "seed-v1"], "v2": ["--preset", "seed-v2", "--schedule", "constant"]}


ROUND = 2_000_000
ROUNDS = 5


def js_rounds(version: str, updates: int, rounds: int) -> dict:
    """Updates per second of each warm round of one node run: {"wall": [...], "cpu": [...], "node": ...}."""
    cmd = ["node", str(JS), version, str(updates), str(rounds)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side (each of 5 timed rounds)")
    parser.add_argument("--updates", type=int, default=ROUND, help="updates in each timed round")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds of each run")
    args = parse_args(parser, repeats=1, updates=20_000, rounds=1)
    has_node = shutil.which("node") is not None
    node = "node is not installed: the JS side is left out"
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'network':<8} {'clock':<5} {'JS updates/s':>14} {'nnplay updates/s':>17} {'nnplay/JS':>10}")
    for version in NETWORKS:
        js: dict[str, list[float]] = {"wall": [], "cpu": []}
        ours: dict[str, list[float]] = {"wall": [], "cpu": []}
        for _ in range(args.repeats):
            if has_node:
                theirs = js_rounds(version, args.updates, args.rounds)
                node = f"node {theirs['node']}"
                for clock in js:
                    js[clock] += theirs[clock]
            mine = measure(NETWORKS[version], args.updates, args.rounds)
            for clock in ours:
                ours[clock] += mine[clock]
        for clock in ours:
            b = statistics.median(ours[clock])
            if has_node:
                a = statistics.median(js[clock])
                print(f"{version:<8} {clock:<5} {a:>14,.0f} {b:>17,.0f} {b / a:>9.2f}x")
            else:
                print(f"{version:<8} {clock:<5} {'-':>14} {b:>17,.0f} {'-':>10}")
    print(f"{node}; nnplay's numba kernel; medians of {args.repeats} runs x {args.rounds} rounds of {args.updates:,}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
