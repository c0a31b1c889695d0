"""Time from typing ``nnplay`` to the plot on screen, in a real terminal (tmux).

    python benchmarks/bench_startup.py [--runs 5] [--space] [--smoke]

Polls ``capture-pane`` every 10 ms until braille dots (the plot) are visible, and
then until the parameter panel's fields are (the app composes them after the first
frame); reports medians over runs, with Python's own bare start-up for scale, and how the
time splits into stages: the app is launched through ``startup_marks.py``, which notes the
wall clock as each stage ends (the interpreter up, the imports, the trainer built, Textual
started, the widgets composed, the first layout, the first frame built) and the rest, to the
plot seen in the terminal, is Textual painting and writing it.

With ``--space``, space is pressed the moment the plot is seen (as a person does who wants to
see it learn), and the time from that key to its handling and to the step counter moving on
screen is reported too (the panel's fields are composed meanwhile, a section at a time).

Python writes bytecode caches as it does by default (PYTHONDONTWRITEBYTECODE, set on
some build machines, is removed for the app) and a first launch, not timed, writes
them: every launch a user makes after the first one starts like this.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app_folder import app_folder
from smoke_mode import parse_args

MARKS = Path(__file__).with_name("startup_marks.py")
DEADLINE = 60  # seconds: a start-up that long is broken, not slow, even on a crowded machine
# The stages startup_marks.py notes, in order, each with what ends at that mark.
STAGES = (
    ("python", "tmux and the interpreter start"),
    ("imports", "imports (numpy, Textual, Rich, nnplay)"),
    ("trainer built", "flags parsed, trainer and data made"),
    ("textual started", "Textual starts (driver, stylesheet, screen)"),
    ("composed", "compose and mount the widgets"),
    ("first layout", "first layout and refresh"),
    ("first frame", "first frame built (plot, diagram, metrics)"),
)


def plot_visible(screen: str) -> bool:
    return "decision regions" in screen and any(0x2801 <= ord(ch) <= 0x28FF for ch in screen)


def panel_visible(screen: str) -> bool:
    return "learn rate" in screen


STEP = re.compile(r"step ([\d,]+)  epoch")


def steps_shown(screen: str) -> bool:
    """The status line's step counter has moved from 0."""
    return (
        (match := STEP.search(screen)) is not None
        and match.group(1).replace(",", "").isdigit()
        and int(match.group(1).replace(",", "")) > 0
    )


def one_run(index: int, marks_file: Path, space: bool = False) -> dict[str, float]:
    """Seconds from the launch to each stage's end, to the plot on screen ("plot") and to the
    panel's fields on screen ("panel"); with ``space``, to the space pressed as the plot showed
    ("space") and to the step counter moving on screen ("steps")."""
    socket = f"nnplay-start-{os.getpid()}-{index}"
    python = f"env -u PYTHONDONTWRITEBYTECODE TERM=xterm-256color {sys.executable}"
    command = f"cd {app_folder()} && {python} {MARKS} {marks_file}"
    lines = marks_file.read_text().count("\n") if marks_file.exists() else 0
    started = time.time()
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
    seen: dict[str, float] = {}

    def written() -> dict | None:
        """The line the app appended to the marks file since the launch, if any."""
        text = marks_file.read_text() if marks_file.exists() else ""
        return json.loads(text.splitlines()[-1]) if text.count("\n") > lines else None

    try:
        while time.time() - started < DEADLINE and not ("panel" in seen and ("steps" in seen or not space)):
            if (early := written()) is not None and "error" in early:
                raise RuntimeError(early["error"])
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            now = time.time() - started
            if "plot" not in seen and plot_visible(screen):
                seen["plot"] = now
                if space:
                    subprocess.run(["tmux", "-L", socket, "send-keys", "Space"], check=True)
                    seen["space"] = time.time() - started
            if space and "space" in seen and "steps" not in seen and steps_shown(screen):
                seen["steps"] = now
            if "plot" in seen and panel_visible(screen):
                seen["panel"] = now
            time.sleep(0.01)
        if "panel" not in seen or (space and "steps" not in seen):
            raise RuntimeError(f"the plot and the panel did not appear within {DEADLINE} s; the screen:\n{screen}")
        # q, with the terminal still there: the app writes its marks as it exits (a trained run asks first).
        subprocess.run(["tmux", "-L", socket, "send-keys", "q", *(["y"] if space else [])], check=True)
        while time.time() - started < 2 * DEADLINE:
            if (marks := written()) is not None:
                missing = [name for name, _ in STAGES if name not in marks]
                if missing:
                    raise RuntimeError(f"the app never reached these start-up stages: {', '.join(missing)}")
                return {name: at - started for name, at in marks.items()} | seen
            time.sleep(0.05)
        raise RuntimeError("the app did not write its start-up marks")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--space", action="store_true", help="press space as the plot shows; time it to the steps")
    args = parse_args(parser, runs=1)
    marks_file = Path(tempfile.mkdtemp()) / "marks.jsonl"
    try:
        print(f"load average {os.getloadavg()[0]:.2f}")
        one_run(-1, marks_file)  # writes the bytecode caches, as a user's first launch does
        runs = [one_run(i, marks_file, args.space) for i in range(args.runs)]
    finally:
        shutil.rmtree(marks_file.parent, ignore_errors=True)
    plots, panels = [r["plot"] for r in runs], [r["panel"] for r in runs]
    print(
        f"plot on screen after {statistics.median(plots):.2f} s (median of {args.runs}; "
        f"min {min(plots):.2f}, max {max(plots):.2f}); whole panel after {statistics.median(panels):.2f} s; "
        f"bare python starts in {bare_python():.2f} s"
    )
    print(f"where the time goes (medians of {args.runs}, ms; each stage ends at the mark, from the one before):")
    stages = [*STAGES, ("plot", "painted and written, seen in the terminal")]
    stages += [
        ("panel begun", "the panel's fields begun"),
        ("panel composed", "the panel's fields composed"),
        ("panel", "laid out, painted, seen in the terminal"),
    ]
    before = 0.0
    for name, what in stages:
        at = statistics.median(r[name] for r in runs)
        print(f"  {what:<46} {1000 * (at - before):6.0f}   (at {at:.3f} s)")
        before = at
    if args.space:
        for name, what in (("space handled", "the app handled it"), ("first step drawn", "a frame with step > 0 built"),
                           ("steps", "the step counter moved on screen")):  # fmt: skip
            after = [1000 * (r[name] - r["space"]) for r in runs]
            print(f"space pressed as the plot showed -> {what}: median {statistics.median(after):.0f} ms "
                  f"(min {min(after):.0f}, max {max(after):.0f})")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
