"""``--smoke``: every benchmark's flag for a run at tiny sizes, a few seconds long.

CI runs each script so (tests/test_benchmarks_smoke.py) to check that it still runs and prints
its table; the numbers of such a run measure nothing. A script passes the sizes of its smoke run
to ``parse_args``, which sets them over whatever the command line said.
"""

from __future__ import annotations

import argparse


def parse_args(parser: argparse.ArgumentParser, **smoke_sizes: object) -> argparse.Namespace:
    """The parsed command line, with ``smoke_sizes`` (argument name -> value) set under ``--smoke``."""
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, a few seconds: checks that the script runs (CI)"
    )
    args = parser.parse_args()
    unknown = [name for name in smoke_sizes if not hasattr(args, name)]
    if unknown:
        raise ValueError(f"smoke sizes for arguments the parser does not have: {', '.join(unknown)}")
    if args.smoke:
        for name, value in smoke_sizes.items():
            setattr(args, name, value)
    return args
