"""``nnplay landscape``: a saved session's loss landscape, headless, as JSON or a picture.

The plane and the grid are the app's (``m`` and ``M``) with the exact float64 losses: the same
default plane (the first hidden neuron's first weight and its bias), the same path (the run's
recorded moments) and the same centre (the session's weights).
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from nnplay.core.files.session_file import SessionFileError, load_session
from nnplay.core.io.output_file import atomic_write, shown_path, write_problem
from nnplay.core.run import landscape as core
from nnplay.tui.model.landscape_view import LandscapePicture, plane_parameters
from nnplay.tui.model.view_state import Refusal, Selection

EXIT_USAGE = 2
MAX_SIDE = 201


def add_landscape_command(sub) -> None:
    parser = sub.add_parser(
        "landscape",
        help="the loss over a plane through a saved session's weights, with its training path",
        description="The training loss of a saved session (ctrl+s in the app, or nnplay train --save) over a "
        "plane through its weights, and the path its recorded moments took, as in the app's landscape view "
        "(m). Prints the picture, or the grid as JSON (--json), or saves an SVG (--out).",
    )
    parser.add_argument("--load", required=True, metavar="FILE", help="the saved session")
    plane = parser.add_mutually_exclusive_group()
    plane.add_argument(
        "--weights",
        metavar="A,B",
        help="the plane of two parameters, named as the app names them (w1[1<-2]: layer 1, to neuron 1 "
        "from input 2; b2[1]: the bias of neuron 1 of layer 2) or by flat index; default: the first hidden "
        "neuron's first weight and its bias",
    )
    plane.add_argument("--pca", action="store_true", help="the plane of the path's two principal directions")
    plane.add_argument(
        "--random", action="store_true", help="two random directions, filter-normalised (Li et al., 2018)"
    )
    parser.add_argument(
        "--size", type=_grid_size, default=core.GRID_SIZE, metavar="WxH", help="grid points (odd; default 41x21)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the grid, the axes and the path as JSON")
    output.add_argument("--out", metavar="FILE.svg", help="save the picture as an SVG file")


def _grid_size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) == 2 and all(p.isdecimal() for p in parts):
        w, h = int(parts[0]), int(parts[1])
        if 3 <= w <= MAX_SIDE and 3 <= h <= MAX_SIDE and w % 2 and h % 2:
            return w, h
    raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: WxH, both odd, 3..{MAX_SIDE} (41x21)")


def landscape_command(args: argparse.Namespace) -> int:
    try:
        landscape, steps = measure_session(args)
    except (SessionFileError, ValueError) as exc:
        print(f"nnplay landscape: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(landscape_json(landscape, steps)))
        return 0
    picture = LandscapePicture(landscape, landscape.path, np.zeros(2), _note(landscape))
    if args.out:
        return _save_svg(picture, args.out, args.load)
    from rich.console import Console

    console = Console()
    width, height = console.size
    from nnplay.tui.render.landscape import render_landscape
    from nnplay.tui.render.palette import colour_count

    colors = colour_count(console.color_system, console.no_color)
    console.print(render_landscape(picture, min(width, 100), min(height - 1, 40), colors))
    return 0


def measure_session(args: argparse.Namespace) -> tuple[core.Landscape, list[int]]:
    """The landscape the flags ask for, and the step of each point of its path."""
    trainer = load_session(args.load)
    snap = trainer.snapshot()
    net = snap.network
    moments = [m for m in snap.timeline if m.params.shape == net.params.shape]
    path = core.path_params(net, moments)
    if args.pca:
        plane = core.pca_plane(net.params, path)
    elif args.random:
        plane = core.random_plane(net)
    else:
        if args.weights:
            names = args.weights.split(",")
            if len(names) != 2:
                raise ValueError(f"--weights {args.weights!r}: name two parameters, A,B")
            chosen = (core.parameter_index(net, names[0]), core.parameter_index(net, names[1]))
        else:
            chosen = plane_parameters(net, Selection(1, 0))
            if isinstance(chosen, Refusal):
                raise ValueError(str(chosen))
        plane = core.weight_plane(net, *chosen)
    X, Y = core.training_set(snap)
    return core.measure(net, X, Y, plane, path, args.size), [m.step for m in moments]


def _number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def landscape_json(landscape: core.Landscape, steps: list[int]) -> dict:
    plane = landscape.plane
    return {
        "plane": {"kind": plane.kind, "axes": list(plane.labels), "explained": plane.explained},
        "alphas": landscape.alphas.tolist(),
        "betas": landscape.betas.tolist(),
        "losses": [[_number(v) for v in row] for row in landscape.losses],
        "path": {"steps": steps, "coordinates": landscape.path.tolist()},
        "current": {"coordinates": [0.0, 0.0], "loss": _number(landscape.origin_loss)},
        "points": {"measured": landscape.n_points, "training": landscape.n_train},
    }


def _note(landscape: core.Landscape) -> str:
    on = f"{landscape.n_points:,} of {landscape.n_train:,}" if landscape.subsampled else f"{landscape.n_train:,}"
    return f"{landscape.plane.kind} plane; loss on {on} training points"


def _save_svg(picture: LandscapePicture, out: str, session: str) -> int:
    from rich.console import Console

    from nnplay.tui.render.landscape import render_landscape
    from nnplay.tui.render.palette import TRUECOLOR

    problem = write_problem(out, [session])
    if problem:
        print(f"nnplay landscape: error: argument --out: {shown_path(out)}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    width, height = 64, 32
    console = Console(width=width, height=height, record=True, color_system="truecolor", file=_Discard())
    console.print(render_landscape(picture, width, height, TRUECOLOR))
    try:
        atomic_write(out, console.export_svg(title="nnplay landscape").encode(), [session])
    except OSError as exc:
        print(
            f"nnplay landscape: error: argument --out: cannot write {shown_path(out)} ({exc.strerror})", file=sys.stderr
        )
        return EXIT_USAGE
    print(shown_path(out))
    return 0


class _Discard:
    """A file that keeps nothing: the SVG is the output, not the terminal."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
