"""The ``nnplay`` command: the app by default, ``nnplay train`` headless.

Textual and Rich are imported only by the paths that draw something, so
``nnplay train --json`` starts with numpy alone.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from nnplay.core.backprop import FLAWED_LABEL
from nnplay.core.config import FIELDS, ConfigError, TrainConfig, parse_value
from nnplay.core.datasets import DatasetError
from nnplay.core.output_file import shown_path
from nnplay.core.outside_text import printable
from nnplay.core.presets import DEFAULT_PRESET, PRESETS
from nnplay.tui.flags import FIELD_FLAGS, FLAG_FIELDS
from nnplay.tui.share import flag_text

if TYPE_CHECKING:
    from nnplay.core.trainer import StopReason, Trainer

EXIT_SAVE_FAILED = 1  # the run trained but the disk refused the file (the path was checked before)
EXIT_USAGE = 2
EXIT_DIVERGED = 3
AUTO_KERNEL_STEPS = 20_000
ENGINE_AUTO = (
    "auto: numba when it is the faster engine for the batch and network (the nearest row of the table that "
    "benchmarks/bench_engine.py --scan measures, core/engine_table.py), else numpy"
)


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
            metavar=_metavar(name),
            help=f"{spec.help}{extra}; {spec.allowed()}{default}",
        )
    parser.add_argument("--load", metavar="FILE", help="resume a saved session (.npz written by --save or ctrl+s)")


def add_memory_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory-limit",
        type=_memory_limit,
        default=None,
        metavar="BYTES",
        help="refuse settings whose estimated memory is over this (default 2G; e.g. 512M, 8G)",
    )


def add_cell_aspect_flag(parser: argparse.ArgumentParser, default: float | None) -> None:
    parser.add_argument(
        "--cell-aspect",
        type=_cell_aspect,
        default=default,
        help="how many times taller than wide a terminal cell is, so the data plane is drawn square (1..4; default 2)",
    )


def _memory_limit(text: str) -> int:
    from nnplay.core.memory_budget import MIN_MEMORY_LIMIT, parse_bytes

    try:
        value = parse_bytes(text)
    except ValueError:
        value = 0
    if value < MIN_MEMORY_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: a size of at least 64M, such as 512M or 4G"
        )
    return value


def _metavar(name: str) -> str:
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
        "--fps", type=_fps, default=None, help="frame-rate cap of the app (1..60; default 15, 8 over SSH)"
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
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach the server (default http://HOST:PORT, or this machine's "
        "name when HOST is 0.0.0.0 or ::)",
    )
    serve.add_argument(
        "--max-sessions",
        type=_max_sessions,
        default=4,
        metavar="N",
        help="apps running at once, one per browser tab, each a process of 100-170 MB (1..64; default 4); "
        "the next tab is told so instead",
    )
    add_config_flags(serve)
    add_memory_flag(serve)
    add_cell_aspect_flag(serve, default=None)
    serve.add_argument("--fps", type=_fps, default=None, help="frame-rate cap of the served app (1..60)")
    serve.add_argument("--engine", choices=("auto", "numpy", "numba"), default=None, help="training step")
    serve.add_argument("app_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    from nnplay.tui.lessons_cli import add_lesson_commands

    add_lesson_commands(sub, _fps)
    from nnplay.tui.landscape_cli import add_landscape_command

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


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1 <= value <= 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: a number in [1, 60]")
    return value


def _cell_aspect(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1 <= value <= 4:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: a number in [1, 4]")
    return value


def _port(text: str) -> int:
    if not (text.isdecimal() and 1 <= int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: an integer in [1, 65535]")
    return int(text)


def _max_sessions(text: str) -> int:
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
        most = FIELDS["iterations"].high
        assert most is not None  # a number's range
        given["iterations"] = int(most)
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
    from nnplay.core.persist import SessionFileError, load_session
    from nnplay.core.trainer import Trainer

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


def _check_save_path(path: str | None, flag: str = "--save", inputs: Sequence[str] = ()) -> None:
    """Refuse, before any work, a path the write at the end could not write or would destroy an input with."""
    if path is None:
        return
    from nnplay.core.output_file import write_problem

    problem = write_problem(path, inputs)
    if problem:
        raise UsageError(f"argument {flag}: {_short_path(path)}: {problem}")


def _short_path(path: str) -> str:
    text = repr(path)
    return text if len(text) <= 100 else text[:60] + "..." + text[-30:]


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def _kernel_pays_off(trainer) -> bool:
    """``--engine auto``: the kernel, for a run long enough to repay loading it (~1 s, more on its
    first compile) with a batch it trains faster than numpy."""
    return trainer.config.iterations >= AUTO_KERNEL_STEPS and trainer.kernel_is_faster()


def train_command(args: argparse.Namespace) -> int:
    # The session may be saved back over the one loaded (resuming); never over the CSV it reads.
    inputs = [args.csv_path] if args.csv_path else []
    _check_save_path(args.save, inputs=inputs)
    trainer = build_trainer(args)
    if args.engine == "numba" or (args.engine == "auto" and _kernel_pays_off(trainer)):
        from nnplay.core.kernel import fallback_message, kernel_unavailable_reason, load_kernel

        kernel = load_kernel()  # compiled (or loaded from cache) before the timed loop
        if kernel is None:
            if args.engine == "numba":
                raise UsageError(f"argument --engine: 'numba' is not available ({kernel_unavailable_reason()})")
            print(f"nnplay train: {fallback_message()}", file=sys.stderr)
        trainer.use_kernel(kernel, when_faster=args.engine == "auto")
    first_step = trainer.step_count  # a loaded session goes on from its own step
    if args.json:
        from nnplay.core.train_until import train_until

        reason, seconds = train_until(trainer)
    else:
        reason, seconds = _train_with_progress(trainer)
    m = trainer.metrics
    classify = _classify_accuracy(trainer)
    result = {
        "steps": trainer.step_count,
        "epochs": trainer.epoch,
        "train_loss": _finite(m.train_loss),
        "test_loss": _finite(m.test_loss),
        "train_accuracy": _finite(m.train_accuracy),
        "test_accuracy": _finite(m.test_accuracy),
        "classify_accuracy": _finite(classify),
        "r2_train": _finite(m.r2_train),
        "r2_test": _finite(m.r2_test),
        "seconds": seconds,
        # Every stop reason: epochs and target-loss runs have a speed too.
        "steps_per_second": (trainer.step_count - first_step) / seconds if seconds > 0 else None,
        "stop_reason": reason,
        "engine": trainer.engine,
        "diverged": trainer.diverged_at is not None,
        "diverged_at": trainer.diverged_at,
        # Every setting, and the preset the flags were applied to (None: a loaded session's own).
        "config": {"preset": None if args.load else args.preset or DEFAULT_PRESET, **trainer.config.as_dict()},
    }
    if trainer.config.backprop != "correct":
        result["backprop_note"] = FLAWED_LABEL
    save_error = None
    if args.save:
        from nnplay.core.persist import save_session

        try:
            save_session(trainer, args.save, inputs)
        except OSError as exc:
            save_error = (
                f"nnplay train: error: argument --save: cannot write {_short_path(args.save)} ({exc.strerror or exc})"
            )
    # The result is printed even when the save failed: the run is not lost with it.
    if args.json:
        print(json.dumps(result))
    else:
        _print_table(trainer, result)
        if "backprop_note" in result:
            print(result["backprop_note"])
        if args.save and not save_error:
            print(f"saved the session to {shown_path(args.save)}")
    if save_error:
        print(save_error, file=sys.stderr)
        return EXIT_SAVE_FAILED
    if trainer.diverged_at is not None:
        print(f"nnplay train: {trainer.message}; lower --lr and run again", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def _classify_accuracy(trainer) -> float:
    """The article's Classify Points on fresh points (nan for CSV or regression data)."""
    if trainer.regression or trainer.data.name == "csv":
        return math.nan
    return trainer.classify(trainer.config.points_to_classify).accuracy


def _train_with_progress(trainer: Trainer) -> tuple[StopReason, float]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nnplay.core.train_until import train_until

    total = trainer.config.iterations
    start = trainer.step_count
    with Progress(
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[loss]}"),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("train", total=total, loss="")

        def update(t) -> None:
            progress.update(task, completed=t.step_count - start, loss=f"loss {t.metrics.train_loss:.4g}")

        return train_until(trainer, on_progress=update)


def _print_table(trainer, result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    def fmt(key: str, v: Any) -> str:
        if v is None:
            return "-"
        if key.endswith("accuracy"):
            return f"{v:.1%}"  # "1" beside "0.994" read as one sample, not 100%
        if key == "steps_per_second":
            return f"{v:,.0f}"
        if isinstance(v, float):
            return f"{v:.4g}"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"{v:,}"
        return str(v)

    sizes = "-".join(map(str, trainer.net.sizes))
    table = Table(title=f"{trainer.config.dataset} {sizes}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "steps",
        "epochs",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "classify_accuracy",
        "r2_test",
        "seconds",
        "steps_per_second",
        "stop_reason",
        "diverged",
    ):
        if result[key] is not None or key in ("train_loss", "test_loss"):
            table.add_row(key.replace("_", " "), fmt(key, result[key]))
    Console().print(table)


class ServePlan(NamedTuple):
    host: str
    port: int
    command: str  # the shell command textual-serve runs for each browser session
    public_url: str
    warning: str | None  # set when the server is reachable from other machines


def _app_words(args: argparse.Namespace) -> list[str]:
    """The app flags given to ``nnplay serve``, as words for ``nnplay``; they were checked by argparse."""
    from nnplay.tui.share import flag_text, flag_words

    words = ["--preset", args.preset] if args.preset else []
    if args.load:
        words += flag_words("--load", args.load)
    for flag, name in FLAG_FIELDS.items():
        if getattr(args, name) is not None:
            words += flag_words(flag, flag_text(name, getattr(args, name)))
    if args.fps is not None:
        words += ["--fps", repr(args.fps)]
    if args.engine is not None:
        words += ["--engine", args.engine]
    if args.memory_limit is not None:
        words += ["--memory-limit", str(args.memory_limit)]
    if args.cell_aspect is not None:
        words += ["--cell-aspect", repr(args.cell_aspect)]
    rest = list(args.app_args)
    return words + (rest[1:] if rest[:1] == ["--"] else rest)


def serve_plan(args: argparse.Namespace) -> ServePlan:
    """Where ``nnplay serve`` listens and what it serves: ``<python> -m tui.cli <the app flags>``."""
    import ipaddress
    import shlex
    import socket

    words = _app_words(args)
    parsed = build_parser().parse_args(words)  # flags after -- fail here, before listening
    if parsed.command:
        raise UsageError(f"argument app flags: {parsed.command!r} is a command, not an app flag")
    command = " ".join(shlex.quote(w) for w in [sys.executable, "-m", "nnplay.tui.cli", *words])
    host, port = args.host, args.port
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    warning = None
    if not local:
        warning = (
            f"nnplay serve: warning: {host}:{port} is reachable from the network: anyone who can connect can use "
            "the app, which reads and writes files as you (--host 127.0.0.1 keeps it on this machine)"
        )
    name = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    public_url = args.public_url or (f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}")
    return ServePlan(host, port, command, public_url.rstrip("/"), warning)


def serve_command(args: argparse.Namespace) -> int:
    plan = serve_plan(args)
    try:
        import textual_serve.server  # noqa: F401  (installed?)
    except ImportError:
        raise UsageError("textual-serve is not installed; pip install 'nnplay[serve]'") from None
    from nnplay.tui.serve import GuardedServer

    build_trainer(build_parser().parse_args(_app_words(args)))  # a bad setup fails here, not in the browser
    _check_can_listen(plan.host, plan.port)  # before saying "open ...": a port in use printed that first
    if plan.warning:
        print(plan.warning, file=sys.stderr)
    print(f"nnplay serve: open {plan.public_url}/ (ctrl+c stops)", file=sys.stderr)
    # Websockets from this page's own origin only, and at most --max-sessions apps at once.
    server = GuardedServer(
        plan.command, host=plan.host, port=plan.port, public_url=plan.public_url, max_sessions=args.max_sessions
    )
    try:
        server.serve()
    except OSError as exc:  # taken between the check and now
        raise _listen_error(plan.host, plan.port, exc) from None
    return 0


def _listen_error(host: str, port: int, exc: OSError) -> UsageError:
    import errno
    import socket

    flag = "--host" if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL else "--port"
    return UsageError(f"argument {flag}: cannot listen on {host}:{port} ({exc.strerror or exc})")


def _check_can_listen(host: str, port: int) -> None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
            probe.bind(address)
    except OSError as exc:
        raise _listen_error(host, port, exc) from None


def export_command(args: argparse.Namespace) -> int:
    from nnplay.core.export import DEFAULT_NAMES, export_files
    from nnplay.core.persist import SessionFileError, load_session

    out = args.out or DEFAULT_NAMES[args.format]
    # A torch script named .npz (or JSON named .py) would only confuse whoever opens it.
    suffixes = {"torch": (".py",), "numpy": (".npz", ".py"), "json": (".json",)}[args.format]
    if Path(out).suffix.lower() not in suffixes:
        allowed = " or ".join(f"a {s} file" for s in suffixes)
        raise UsageError(f"argument --out: {out!r} is not a name for a {args.format} export; allowed: {allowed}")
    _check_save_path(out, flag="--out", inputs=[args.load])
    try:
        trainer = load_session(args.load)
    except SessionFileError as exc:
        raise UsageError(f"argument --load: {exc}") from None
    data = trainer.data
    try:
        files = export_files(trainer.net, trainer.config.features, data.class_names, data.extent, args.format, out)
    except ValueError as exc:
        raise UsageError(f"argument --load: {args.load!r}: {exc}") from None
    # Every file is checked before any is written: none may be the session read, nor another of them.
    from nnplay.core.output_file import atomic_write, same_target

    paths = [str(path) for path, _ in files]
    for i, path in enumerate(paths):
        _check_save_path(path, flag="--out", inputs=[args.load])
        for earlier in paths[:i]:
            if same_target(path, earlier):
                raise UsageError(f"argument --out: {_short_path(path)}: is the same file as {_short_path(earlier)}")

    for path, payload in zip(paths, (payload for _, payload in files), strict=True):
        try:
            atomic_write(path, payload, [args.load])
        except OSError as exc:
            raise UsageError(f"argument --out: cannot write {_short_path(path)} ({exc.strerror})") from None
        print(shown_path(path))
    return 0


def require_terminal() -> None:
    """Refuse, after the flags are checked, to open the app without a terminal to run in."""
    from nnplay.tui.terminal_driver import missing_terminal

    problem = missing_terminal()
    if problem:
        raise UsageError(problem)


def app_command(args: argparse.Namespace) -> int:
    trainer = build_trainer(args)
    if args.compare is not None:  # given empty, it is refused, not ignored
        from nnplay.tui.screens.compare_screen import CompareApp, comparison_or_error

        try:
            comparison = comparison_or_error(trainer.config, args.compare)
        except ValueError as exc:
            raise UsageError(f"argument --compare: {exc}") from None
        require_terminal()
        from nnplay.tui.signals import run_standalone

        return run_standalone(CompareApp(comparison, fps=args.fps or 15.0), None)
    require_terminal()
    from nnplay.tui.app import NNPlayApp
    from nnplay.tui.signals import run_standalone

    app = NNPlayApp(
        trainer=trainer,
        fps=args.fps,
        use_kernel=args.engine != "numpy",
        standalone=True,
        cell_aspect=args.cell_aspect,
    )
    return run_standalone(app, app.session)  # a signal or the end of input exits as q does, keeping the run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from nnplay.core.memory_budget import DEFAULT_MEMORY_LIMIT, set_memory_limit

    set_memory_limit(getattr(args, "memory_limit", None) or DEFAULT_MEMORY_LIMIT)
    try:
        if args.command == "train":
            return train_command(args)
        if args.command == "serve":
            return serve_command(args)
        if args.command == "export":
            return export_command(args)
        if args.command == "lessons":
            from nnplay.tui.lessons_cli import check_command, list_command

            return check_command() if args.check else list_command()
        if args.command == "lesson":
            require_terminal()
            from nnplay.tui.lessons_cli import lesson_app_command

            return lesson_app_command(args)
        if args.command == "landscape":
            from nnplay.tui.landscape_cli import landscape_command

            return landscape_command(args)
        if args.command == "screenshots":
            from nnplay.tui.screenshots import ScreenshotsError, save_screenshots

            try:
                paths = save_screenshots(args.out)
            except ScreenshotsError as exc:
                raise UsageError(f"argument --out: {exc}") from None
            except OSError as exc:  # the disk refused one after the checks (full, gone)
                raise UsageError(f"argument --out: cannot write ({exc.strerror or exc})") from None
            for path in paths:
                print(shown_path(path))
            return 0
        return app_command(args)
    except UsageError as exc:
        prog = f"nnplay {args.command}" if args.command else "nnplay"
        print(f"{prog}: error: {printable(str(exc))}", file=sys.stderr)  # it may quote a path or a file
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def entry_point() -> None:
    from nnplay.tui.output_stream import run_with_checked_output

    sys.exit(run_with_checked_output(main))


if __name__ == "__main__":
    entry_point()
