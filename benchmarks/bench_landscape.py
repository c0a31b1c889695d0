"""The landscape view's grid: how long one surface takes to measure, the time a frame waits when
the run has moved away from the surface on screen.

    python benchmarks/bench_landscape.py [--repeats 15] [--smoke]

A 41x21 grid (861 networks) on the training set, float32 as the app draws it and float64 as
`nnplay landscape` gives it, for the three planes: the selected weight and its bias (the first
layer's, so every layer moves), the path's PCA plane, and random filter-normalised directions.
The budget is 50 ms for 500 points on a 2-8-8-2 tanh network (issue 26); bigger networks and data
sets are measured on a subsample (core.run.landscape.WORK_LIMIT), which the last rows show.
"""

from __future__ import annotations

import argparse
import functools
import os

import numpy as np
from bench_render import median_ms
from smoke_mode import parse_args

from nnplay.core.run import landscape as L
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--points", type=int, default=500)
    args = parse_args(parser, repeats=1, points=50)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeats}; grid 41x21")
    print(f"{'network':<16}{'points':>8}  {'plane':<8}{'float32 ms':>11}{'float64 ms':>11}  measured on")
    for layers, points in (((8, 8), args.points), ((64, 64, 64), args.points * 10)):
        config = TrainConfig(
            dataset="spiral", train_size=points, layers=layers, activation="tanh", output="softmax",
            loss="cross_entropy", lr=0.03, batch_size=10,
        )  # fmt: skip
        trainer = Trainer(config)
        for _ in range(10):
            trainer.step(20)
            trainer.evaluate()
        snap = trainer.snapshot()
        X, Y = L.training_set(snap)
        path = L.path_params(trainer.net, snap.timeline)
        planes = {
            "weights": L.weight_plane(trainer.net, 0, trainer.net.param_index(1, 0)),
            "pca": L.pca_plane(trainer.net.params, path),
            "random": L.random_plane(trainer.net),
        }
        name = "2-" + "-".join(map(str, layers)) + "-2"
        net = trainer.net
        for kind, plane in planes.items():
            measure = functools.partial(L.measure, net, X, Y, plane, path)
            f32 = median_ms(functools.partial(measure, dtype=np.float32), args.repeats)
            f64 = median_ms(measure, args.repeats)
            ls = measure(dtype=np.float32)
            on = f"{ls.n_points:,} of {ls.n_train:,}" if ls.subsampled else f"all {ls.n_train:,}"
            print(f"{name:<16}{points:>8}  {kind:<8}{f32:>11.1f}{f64:>11.1f}  {on}")


if __name__ == "__main__":
    main()
