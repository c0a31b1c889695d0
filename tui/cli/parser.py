"""The ``nnplay`` command line: the app's flags and every subcommand's, in one parser.

The commands themselves are one module each (``train``, ``export``, ``serve``, ``open_app``,
``lessons``, ``landscape``, ``screenshots``); ``entry.main`` runs the one asked for.
"""

from __future__ import annotations

import argparse

from nnplay.tui.cli.arguments import (
    OneLineParser,
    VersionAction,
    add_cell_aspect_flag,
    add_config_flags,
    add_memory_flag,
    fps_value,
    max_sessions_value,
    port_value,
)

AUTO_KERNEL_STEPS = 20_000


ENGINE_AUTO = (
    "auto: numba when it is the faster engine for the batch and network (the nearest row of the table that "
    "benchmarks/bench_engine.py --scan measures, core/engine/engine_table.py), else numpy"
)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="nnplay",
        description="A neural-network playground in the terminal. With no command, opens the app "
        "on the article's quadrant problem (2 -> hidden -> 4).",
        epilog="Commands: 'nnplay train --help' trains headless; 'nnplay lessons' lists the guided lessons; "
        "'nnplay screenshots' saves SVGs of the app.",
    )
    parser.add_argument("--version", action=VersionAction, help="show nnplay's version and exit")
    add_config_flags(parser)
    add_memory_flag(parser)
    parser.add_argument(
        "--fps", type=fps_value, default=None, help="frame-rate cap of the app (1..60; default 15, 8 over SSH)"
    )
    parser.add_argument(
        "--engine",
        choices=("auto", "numpy", "numba"),
        default="auto",
        help="training step: numba (the compiled kernel, loaded in the background; numpy trains meanwhile), "
        f"numpy (the reference) or {ENGINE_AUTO}; in the app numba is auto too",
    )
    parser.add_argument(
        "--compare",
        metavar="NAME=A,NAME=B",
        help="two runs side by side on the same data and first weights, one setting apart, trained in "
        "step (numpy), e.g. --compare lr=0.03,lr=3 or --compare backprop=correct,backprop=article-v2",
    )
    add_cell_aspect_flag(parser, default=2.0)
    sub = parser.add_subparsers(dest="command", parser_class=OneLineParser)
    train = sub.add_parser(
        "train",
        help="train headless and print the result",
        description="Train headless; prints a progress bar and a table, or one JSON object with --json.",
    )
    add_config_flags(train)
    add_memory_flag(train)
    train.add_argument("--save", metavar="FILE", help="save the session here at the end (atomic write)")
    train.add_argument("--json", action="store_true", help="print one JSON object at the end instead of a table")
    train.add_argument(
        "--engine",
        choices=("auto", "numpy", "numba"),
        default="auto",
        help="training step: numba (the compiled kernel), numpy (the reference) or "
        f"{ENGINE_AUTO}, for runs of {AUTO_KERNEL_STEPS:,} updates or more (loading the kernel takes ~1 s); "
        "a kernel that cannot load falls back to numpy with one line on stderr",
    )
    export = sub.add_parser(
        "export",
        help="write a trained session's network as a PyTorch script, numpy arrays + script, or JSON",
        description="Export the network of a saved session (ctrl+s in the app, or nnplay train --save), "
        "with its input feature transform and a predict(points) on raw (x, y) points.",
    )
    export.add_argument("--load", required=True, metavar="FILE", help="the saved session to export")
    export.add_argument(
        "--format",
        choices=("torch", "numpy", "json"),
        default="torch",
        help="torch: standalone nn.Sequential script (default); numpy: an .npz of W0, b0, W1, b1, ... plus "
        "NAME_predict.py next to it (or one self-contained script when --out ends in .py); json: the "
        "documented nnplay-network JSON",
    )
    export.add_argument(
        "--out", metavar="FILE", help="output file (default nnplay_model.py / nnplay_model.npz / nnplay_model.json)"
    )
    serve = sub.add_parser(
        "serve",
        help="run the app in a web browser (textual-serve), on 127.0.0.1 unless told otherwise",
        description="Serve the app over HTTP with textual-serve (pip install 'nnplay[serve]') and open the "
        "printed address in a browser. App flags are passed to the served app: nnplay serve --preset spiral "
        "(flags after -- are passed too).",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    serve.add_argument("--port", type=port_value, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach the server (default http://HOST:PORT, or this machine's "
        "name when HOST is 0.0.0.0 or ::)",
    )
    serve.add_argument(
        "--max-sessions",
        type=max_sessions_value,
        default=4,
        metavar="N",
        help="apps running at once, one per browser tab, each a process of 100-170 MB (1..64; default 4); "
        "the next tab is told so instead",
    )
    add_config_flags(serve)
    add_memory_flag(serve)
    add_cell_aspect_flag(serve, default=None)
    serve.add_argument("--fps", type=fps_value, default=None, help="frame-rate cap of the served app (1..60)")
    serve.add_argument("--engine", choices=("auto", "numpy", "numba"), default=None, help="training step")
    serve.add_argument("app_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    from nnplay.tui.cli.lessons import add_lesson_commands

    add_lesson_commands(sub, fps_value)
    from nnplay.tui.cli.landscape import add_landscape_command

    add_landscape_command(sub)
    shots = sub.add_parser(
        "screenshots",
        help="save SVG screenshots of the app in known states",
        description="The app saves SVG pictures of itself (untrained, mid-training, trained, "
        "help, 80x24, classify) into a folder.",
    )
    shots.add_argument(
        "--out", default="screenshots", metavar="DIR", help="folder for the SVG files (default screenshots)"
    )
    return parser
