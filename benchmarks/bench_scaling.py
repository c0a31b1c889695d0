"""How the cost grows with the network and the data: a training step, a snapshot, a frame by pane,
and the bytes a second to the terminal, for each network and data size, numpy and numba.

    python benchmarks/bench_scaling.py [--networks 4 8,8,8 8x64 8x256] [--points 500 50000]
                                       [--engines numpy numba] [--bytes-seconds 3] [--no-bytes] [--smoke]

The runs are bench_frames.py's (``config_for``: the spiral, tanh into softmax, Adam, batch 10;
``--networks`` as there, "8x64" is eight hidden layers of 64), one row per network and data size:

- step: the median time of one training step (batch 10), from chunks of steps timed on the
  trainer alone, per engine;
- snapshot: the trainer's evaluation of every point (loss, accuracy, the points' outputs) and its
  snapshot, as the run channel makes one before each frame it publishes (the engine does not change it:
  both evaluate with numpy);
- plot, diagram, metrics: one frame at 120x40, split by pane, built as the app builds it
  (``build_frame``; the grid pass the plot's regions and the diagram's thumbnails share counts to
  the plot) and drawn by the app's own widgets in a headless app (``show`` and then every line
  the widget and its children would hand the screen, as Textual's compositor asks for them);
  metrics is the loss curves, the status lines and the confusion matrix. Each frame is of a new
  snapshot (a few steps on), so nothing made from the network is reused;
- KB/s: bench_terminal_bytes.py's measure, the real app in tmux at 120x40 training the same run
  with that engine (``--engine``), over ``--bytes-seconds`` or, where snapshots are dear and so
  come seldom, long enough for three of them (at most 30 s). The app (and ``--engine auto``) trains
  with the kernel only where it is the faster engine (``core.engine.kernel.kernel_is_faster``): where
  ``--engine numba`` trains with numpy, the column says "= numpy" instead of measuring it again.

Medians; fewer repeats at the big sizes, where one measurement is long enough to be steady.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402

import nnplay.tui  # noqa: E402, F401  first, as `nnplay` imports it: it sets the BLAS threads before numpy loads
from benchmarks.bench_frames import config_for, hidden_layers  # noqa: E402
from benchmarks.bench_terminal_bytes import measure  # noqa: E402
from nnplay.tui.model.frame_budget import SHARE  # noqa: E402

STEP_CHUNK_SECONDS = 0.05  # one timed chunk of steps
FRAME_SECONDS = 1.5  # frames timed per network and data size, at most (and at least 3 frames)
MAX_BYTES_SECONDS = 30.0


def step_seconds(trainer, repeats: int) -> float:
    """Median seconds of one step, from ``repeats`` chunks of about STEP_CHUNK_SECONDS each."""
    trainer.step(20)  # warm: the kernel's first call, numpy's first products
    started = time.perf_counter()
    trainer.step(20)
    n = max(1, int(STEP_CHUNK_SECONDS / max((time.perf_counter() - started) / 20, 1e-9)))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = trainer.step(n)
        times.append((time.perf_counter() - started) / max(done, 1))
    return statistics.median(times)


def fresh_snapshot(trainer):
    """A few steps on, then the evaluation and snapshot the session publishes; and its cost."""
    trainer.step(10)
    started = time.perf_counter()
    trainer.evaluate()
    snap = trainer.snapshot()
    return snap, time.perf_counter() - started


def painted(widget) -> None:
    """Every line ``widget`` and the widgets inside it would hand the screen now (what Textual's
    compositor asks a changed widget for)."""
    from textual.geometry import Region

    for w in (widget, *widget.query("*")):
        if w.display and w.size.area:
            w.render_lines(Region(0, 0, w.size.width, w.size.height))


async def frame_costs(layers: tuple[int, ...], points: int) -> dict[str, float]:
    """Median milliseconds of one frame's plot, diagram and metrics, and of a snapshot."""
    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.app.app import NNPlayApp
    from nnplay.tui.model.diagram_data import diagram_data
    from nnplay.tui.model.frame import FrameSizes, build_frame
    from nnplay.tui.model.status_text import status_note
    from nnplay.tui.widgets.metrics import Metrics
    from nnplay.tui.widgets.scatter_plot import ScatterPlot
    from nnplay.tui.widgets.weight_diagram import WeightDiagram

    trainer = Trainer(config_for(layers, points))
    app = NNPlayApp(trainer=trainer, environ={}, colors=256, use_kernel=False, start_worker=False)
    costs: dict[str, list[float]] = {"snapshot": [], "plot": [], "diagram": [], "metrics": []}

    def timed(name: str, fn: Callable[[], object]):
        started = time.perf_counter()
        out = fn()
        costs[name].append(time.perf_counter() - started)
        return out

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        plot, diagram, metrics = app.query_one(ScatterPlot), app.query_one(WeightDiagram), app.query_one(Metrics)
        sizes = FrameSizes((plot.size.width, plot.size.height), plot.half_rows, app.frames.cell_aspect)
        view = app.view
        began = time.perf_counter()
        frame = 0
        while frame < 4 or (time.perf_counter() - began < FRAME_SECONDS and frame < 30):
            snap, seconds = fresh_snapshot(trainer)
            costs["snapshot"].append(seconds)

            def plot_pane(snap=snap):
                shown = build_frame(snap, view.but(diagram=False), sizes, running=True)  # the grid pass, the points
                plot.show(shown)
                painted(plot)
                return shown

            shown = timed("plot", plot_pane)

            def diagram_pane(snap=snap, shown=shown):
                data = diagram_data(snap, shown.grid)  # thumbnails from the plot's grid pass
                diagram.show(build_frame_with(shown, view, data))
                painted(diagram)

            timed("diagram", diagram_pane)
            note = status_note(snap, view, app.frames.fps_note)
            timed("metrics", lambda snap=snap, note=note: (metrics.show(snap, True, note), painted(metrics)))
            frame += 1
            if frame == 1:  # the first frame builds styles and caches, as the app's first frame does
                for values in costs.values():
                    values.clear()
            await pilot.pause()
    return {name: statistics.median(values) * 1000 for name, values in costs.items()}


def build_frame_with(frame, view, data):
    """``frame`` as the app's view (the diagram shown) builds it: the same grid pass and points,
    with the diagram's data."""
    import dataclasses

    return dataclasses.replace(frame, view=view, diagram=data)


def terminal_bytes(layers: tuple[int, ...], points: int, engine: str, seconds: float) -> float:
    """KB/s written to a 120x40 terminal while the app trains this run with ``--engine engine``."""
    from nnplay.tui.flags.share_line import command_line

    flags = [*shlex.split(command_line(config_for(layers, points)))[1:], "--engine", engine]
    training, _ = measure(seconds, "120x40", False, None, flags, paused=False, training_shows=f"({engine})")
    return training / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=["4", "8,8,8", "8x64", "8x256"])
    parser.add_argument("--points", nargs="+", type=int, default=[500, 50_000])
    parser.add_argument("--engines", nargs="+", default=["numpy", "numba"], choices=("numpy", "numba"))
    parser.add_argument("--bytes-seconds", type=float, default=3.0)
    parser.add_argument("--no-bytes", action="store_true", help="leave out the terminal (tmux) measurement")
    args = parse_args(parser, networks=["4"], points=[500], engines=["numpy"], bytes_seconds=0.5)
    from nnplay.core.engine.kernel import load_kernel
    from nnplay.core.run.trainer import Trainer

    kernel = load_kernel() if "numba" in args.engines else None
    print(f"load average {os.getloadavg()[0]:.2f}; medians; frames at 120x40")
    step_heads = " ".join(f"{'step ' + e:>12}" for e in args.engines)
    byte_heads = "" if args.no_bytes else " " + " ".join(f"{'KB/s ' + e:>11}" for e in args.engines)
    print(
        f"{'network':>8} {'points':>7} {step_heads} {'snapshot':>9} {'plot':>7} {'diagram':>8} {'metrics':>8}"
        f"{byte_heads}"
    )
    for net in args.networks:
        for points in args.points:
            layers = hidden_layers(net)
            steps, trains_with = [], {}
            for engine in args.engines:
                trainer = Trainer(config_for(layers, points))
                if engine == "numba":
                    trainer.use_kernel(kernel)
                    assert trainer.engine == "numba", "the kernel did not load"
                steps.append(step_seconds(trainer, repeats=9))
                trainer.use_kernel(kernel if engine == "numba" else None, when_faster=True)
                trains_with[engine] = trainer.engine  # the app's choice: the kernel only where it is faster
            costs = asyncio.run(frame_costs(layers, points))
            kbs: list[str] = []
            measured: dict[str, float] = {}
            # Frames follow snapshots, which come as often as keeps their cost to SHARE of the time:
            # the window holds a few of them (8x256 on 50,000 points draws one every ~15 s).
            window = min(MAX_BYTES_SECONDS, max(args.bytes_seconds, 3 * costs["snapshot"] / 1000 / SHARE))
            for engine in [] if args.no_bytes else args.engines:
                used = trains_with[engine]
                if used not in measured:
                    measured[used] = terminal_bytes(layers, points, engine, window)
                    kbs.append(f"{measured[used]:.1f}")
                else:  # the app trains this network with numpy whichever engine is asked for
                    kbs.append(f"= {used}")
            print(
                f"{net:>8} {points:>7,} "
                + " ".join(f"{s * 1e6:>9.1f} µs" for s in steps)
                + f" {costs['snapshot']:>6.1f} ms {costs['plot']:>4.1f} ms {costs['diagram']:>5.1f} ms"
                f" {costs['metrics']:>5.1f} ms" + "".join(f" {kb:>11}" for kb in kbs),
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
