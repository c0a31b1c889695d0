"""The flags every command shares, what each flag's value may be, and a run's setup from them.

Bad input raises ``UsageError`` (one line, exit status 2): ``entry.main`` reports it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from nnplay.core.data.datasets import DatasetError
from nnplay.core.io.outside_text import printable
from nnplay.core.settings.config import FIELDS, ConfigError, TrainConfig, parse_value
from nnplay.core.settings.presets import DEFAULT_PRESET, PRESETS
from nnplay.tui.flags.flag_table import FIELD_FLAGS, FLAG_FIELDS
from nnplay.tui.flags.share_line import flag_text

EXIT_SAVE_FAILED = 1  # the run trained but the disk refused the file (the path was checked before)
EXIT_USAGE = 2
EXIT_DIVERGED = 3


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line (no usage dump) and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {printable(message)}\n")  # it may quote a file name


def _field_type(name: str):
    def convert(text: str) -> Any:
        try:
            return parse_value(name, text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: {exc.allowed}") from None

    convert.__name__ = name
    return convert


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--preset",
        choices=list(PRESETS),
        help=f"start from a named configuration (default {DEFAULT_PRESET}: every setting no flag gives is "
        f"{DEFAULT_PRESET}'s, as each flag's help says): "
        + "; ".join(f"{k}: {p.description}" for k, p in PRESETS.items()),
    )
    defaults = PRESETS[DEFAULT_PRESET].config()
    for flag, name in FLAG_FIELDS.items():
        spec = FIELDS[name]
        extra = " (implies --dataset csv)" if flag == "--csv" else ""
        value = getattr(defaults, name)
        default = "" if value is None else f"; without --preset {flag_text(name, value)}"
        parser.add_argument(
            flag,
            dest=name,
            type=_field_type(name),
            default=None,
            metavar=metavar(name),
            help=f"{spec.help}{extra}; {spec.allowed()}{default}",
        )
    parser.add_argument("--load", metavar="FILE", help="resume a saved session (.npz written by --save or ctrl+s)")


def add_memory_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory-limit",
        type=memory_limit_value,
        default=None,
        metavar="BYTES",
        help="refuse settings whose estimated memory is over this (default 2G; e.g. 512M, 8G)",
    )


def add_cell_aspect_flag(parser: argparse.ArgumentParser, default: float | None) -> None:
    parser.add_argument(
        "--cell-aspect",
        type=cell_aspect_value,
        default=default,
        help="how many times taller than wide a terminal cell is, so the data plane is drawn square (1..4; default 2)",
    )


def memory_limit_value(text: str) -> int:
    from nnplay.core.settings.memory_budget import MIN_MEMORY_LIMIT, parse_bytes

    try:
        value = parse_bytes(text)
    except ValueError:
        value = 0
    if value < MIN_MEMORY_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: a size of at least 64M, such as 512M or 4G"
        )
    return value


def metavar(name: str) -> str:
    spec = FIELDS[name]
    if spec.kind == "choice":
        return "{" + ",".join(spec.choices) + "}"
    return {"features": "LIST", "layers": "SIZES", "path": "FILE"}.get(spec.kind, name.upper())


class VersionAction(argparse.Action):
    """argparse's "version" action, but the version is looked up only when asked for:
    importlib.metadata costs every start of the app ~20 ms."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("nnplay")
        except PackageNotFoundError:  # run from a checkout that was never installed
            text = "(not installed)"
        print(f"nnplay {text}")
        parser.exit()


def number_in(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number in [low, high]."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: a number in [{low:g}, {high:g}]")
        return value

    return convert


fps_value = number_in(1, 60)
cell_aspect_value = number_in(1, 4)


def port_value(text: str) -> int:
    if not (text.isdecimal() and 1 <= int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: an integer in [1, 65535]")
    return int(text)


def max_sessions_value(text: str) -> int:
    if not (text.isdecimal() and 1 <= int(text) <= 64):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: an integer in [1, 64]")
    return int(text)


def config_from_args(args: argparse.Namespace, base: TrainConfig | None = None) -> TrainConfig:
    """The preset (or ``base``) with every given flag applied, validated as a whole."""
    if base is None:
        preset = PRESETS[args.preset or DEFAULT_PRESET]
        settings = dict(preset.settings)
    else:
        if args.preset:
            raise UsageError(
                f"argument --preset: {args.preset!r} cannot be combined with --load (the session has its own settings)"
            )
        settings = base.as_dict()
    given = {name: getattr(args, name) for name in FLAG_FIELDS.values() if getattr(args, name) is not None}
    if "csv_path" in given and "dataset" not in given:
        given["dataset"] = "csv"
    if given.get("epochs") and "iterations" not in given:
        # Asked for epochs and not for a step count: the epochs decide when to stop.
        given["iterations"] = int(FIELDS["iterations"].high)
    settings.update(given)
    try:
        config = TrainConfig(**settings)
    except ConfigError as exc:
        flag = FIELD_FLAGS.get(exc.name, exc.name)
        raise UsageError(f"argument {flag}: {exc.value!r} is not allowed; allowed: {exc.allowed}") from None
    if base is not None and config.needs_reset(base):
        name = config.needs_reset(base)[0]
        raise UsageError(
            f"argument {FIELD_FLAGS.get(name, name)}: {getattr(config, name)!r} cannot be applied to a loaded session "
            f"(it needs a new network; the session has {getattr(base, name)!r}); allowed with --load: "
            + ", ".join(FIELD_FLAGS[n] for n, f in FIELDS.items() if f.live and n in FIELD_FLAGS)
        )
    return config


def build_trainer(args: argparse.Namespace):
    """A Trainer from --load or from the preset and flags; bad input raises UsageError."""
    from nnplay.core.files.session_file import SessionFileError, load_session
    from nnplay.core.run.trainer import Trainer

    if args.load:
        try:
            loaded = load_session(args.load)
        except SessionFileError as exc:
            raise UsageError(f"argument --load: {exc}") from None
        config = config_from_args(args, base=loaded.config)
        loaded.apply_live_settings(config)
        return loaded
    config = config_from_args(args)
    try:
        return Trainer(config)
    except DatasetError as exc:
        flag = "--csv" if config.dataset == "csv" else "--dataset"
        raise UsageError(f"argument {flag}: {exc}") from None


def check_save_path(path: str | None, flag: str = "--save", inputs: Sequence[str] = ()) -> None:
    """Refuse, before any work, a path the write at the end could not write or would destroy an input with."""
    if path is None:
        return
    from nnplay.core.io.output_file import write_problem

    problem = write_problem(path, inputs)
    if problem:
        raise UsageError(f"argument {flag}: {short_path(path)}: {problem}")


def short_path(path: str) -> str:
    text = repr(path)
    return text if len(text) <= 100 else text[:60] + "..." + text[-30:]
