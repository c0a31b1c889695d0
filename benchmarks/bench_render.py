"""Rendering speed: the braille plot and the weight diagram, and plotext for comparison.

    python benchmarks/bench_render.py [--repeats 30] [--smoke]

The plot frame is the whole pass the app does per frame at 120x40: the network on
every cell (decision regions), 5,000 points rasterised and coloured by prediction,
and the Rich segments wrapped in Strips. Every timed frame gets a fresh copy of the
snapshot, as while training (a new network each frame), so nothing derived from the
network can be reused between frames. plotext draws the same 5,000 points in the
same two colours on a 120x40 braille canvas (it cannot shade regions, so it has less
to do). The diagrams are 2-16x6-2 and 2-64x8-2 networks (6 hidden layers of 16 neurons,
8 of 64: drawn in groups of two neurons a node at 38 rows). Without plotext installed its row is
left out.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from smoke_mode import parse_args

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.model.diagram_data import diagram_data
from nnplay.tui.model.view_state import Selection, ViewState
from nnplay.tui.render.diagram_painter import DiagramPainter
from nnplay.tui.render.plot import default_plot_style
from nnplay.tui.widgets.scatter_plot import render_scatter


def median_ms(fn, repeats: int) -> float:
    fn()  # warm caches (styles), as in the app after its first frame
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def plotext_scatter_ms(X, y, repeats: int) -> float | None:
    """plotext drawing the points in two colours on a 120x40 braille canvas; None without plotext."""
    try:
        import plotext as plt
    except ImportError:
        return None

    def plotext_frame() -> str:
        plt.clear_figure()
        plt.plotsize(120, 40)
        plt.scatter(X[y == 0, 0], X[y == 0, 1], marker="braille", color="orange")
        plt.scatter(X[y == 1, 0], X[y == 1, 1], marker="braille", color="blue")
        return plt.build()

    return median_ms(plotext_frame, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parse_args(parser, repeats=2)

    trainer = Trainer(
        TrainConfig(
            dataset="spiral",
            train_size=5000,
            test_ratio=0.1,
            layers=(8, 8),
            activation="tanh",
            output="softmax",
            loss="cross_entropy",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
        )
    )
    trainer.step(2000)
    snap = trainer.snapshot()
    style = default_plot_style(2, 4, 256)
    view = ViewState()
    # dataclasses.replace: a new Snapshot, so even its float32 copy of the network is rebuilt.
    plot_ms = median_ms(lambda: render_scatter(dataclasses.replace(snap), 120, 40, view, style), args.repeats)

    plotext_ms = plotext_scatter_ms(snap.data.X_train, snap.data.y_train, max(5, args.repeats // 3))

    def diagram_ms(hidden: tuple[int, ...]) -> float:
        """One diagram frame at 60x38 (thumbnails from the plot's grid pass), a fresh network."""
        big = Trainer(
            TrainConfig(
                dataset="circle",
                train_size=200,
                layers=hidden,
                activation="tanh",
                output="softmax",
                loss="cross_entropy",
            )
        )
        bsnap = big.snapshot()
        _, frame = render_scatter(bsnap, 60, 38, view, style)
        data = diagram_data(bsnap, frame.grid)
        painter, thin = DiagramPainter(colors=256), ViewState().links_thinned(data.sizes)
        return median_ms(lambda: painter.paint(data, 60, 38, Selection(1, 0), thin), args.repeats)

    narrow_ms, wide_ms = diagram_ms((16,) * 6), diagram_ms((64,) * 8)

    print(f"median of {args.repeats} (plotext {max(5, args.repeats // 3)}), milliseconds")
    print(f"{'what':<48} {'ms':>8}")
    print(f"{'nnplay plot frame 120x40, regions + 5,000 points':<48} {plot_ms:>8.2f}")
    if plotext_ms is None:
        print(f"{'plotext scatter: plotext is not installed':<48} {'-':>8}")
    else:
        print(f"{'plotext scatter 120x40, 5,000 points (no regions)':<48} {plotext_ms:>8.2f}")
        print(f"{'ratio plotext / nnplay':<48} {plotext_ms / plot_ms:>7.1f}x")
    print(f"{'nnplay diagram 60x38, 6 hidden layers x 16':<48} {narrow_ms:>8.2f}")
    print(f"{'nnplay diagram 60x38, 8 hidden layers x 64':<48} {wide_ms:>8.2f}")


if __name__ == "__main__":
    main()
