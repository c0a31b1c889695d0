"""nnplay's per-sample training vs the article's own vanilla JS in node (V8), same networks.

    python benchmarks/bench_article.py [--repeats 5]

The JS is the article's code (``benchmarks/article_networks.js``): version 1 (2 -> 4 sigmoid,
no hidden layer, lr 0.1, the 4 centre points) and version 2 (2 -> 4 sigmoid -> 4 sigmoid,
2,000 random points, lr 2). nnplay trains the same networks, configured as ``nnplay train
--preset seed-v1`` / ``--preset seed-v2 --schedule constant`` (the article's constant rate)
would, with the compiled kernel (``benchmarks/nnplay_rounds.py``). Each side runs in a fresh process, warms up (the
first round is discarded: V8's steady state, numba's kernel loaded) and times rounds of
2,000,000 updates by the wall clock and by the process's CPU time (which the other
processes of a loaded machine do not inflate). Runs alternate JS / nnplay; medians.
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

JS = Path(__file__).with_name("article_networks.js")
NETWORKS = {"v1": ["--preset", "seed-v1"], "v2": ["--preset", "seed-v2", "--schedule", "constant"]}


ROUND = 2_000_000
ROUNDS = 5


def js_rounds(version: str) -> dict:
    """Updates per second of each warm round of one node run: {"wall": [...], "cpu": [...], "node": ...}."""
    cmd = ["node", str(JS), version, str(ROUND), str(ROUNDS)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side (each of 5 timed rounds)")
    args = parser.parse_args()
    if shutil.which("node") is None:
        raise SystemExit("node is not installed: the article's JS runs in node")
    node = ""
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'network':<8} {'clock':<5} {'JS updates/s':>14} {'nnplay updates/s':>17} {'nnplay/JS':>10}")
    for version in NETWORKS:
        js: dict[str, list[float]] = {"wall": [], "cpu": []}
        ours: dict[str, list[float]] = {"wall": [], "cpu": []}
        for _ in range(args.repeats):
            theirs = js_rounds(version)
            node = theirs["node"]
            mine = measure(NETWORKS[version], ROUND, ROUNDS)
            for clock in js:
                js[clock] += theirs[clock]
                ours[clock] += mine[clock]
        for clock in js:
            a, b = statistics.median(js[clock]), statistics.median(ours[clock])
            print(f"{version:<8} {clock:<5} {a:>14,.0f} {b:>17,.0f} {b / a:>9.2f}x")
    print(f"node {node}, nnplay's numba kernel; medians of {args.repeats} runs x {ROUNDS} rounds of {ROUND:,}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
