"""``nnplay serve``: where the server listens, the app command it serves, and serving it."""

from __future__ import annotations

import argparse
import sys
from typing import NamedTuple

from nnplay.tui.cli.arguments import UsageError, build_trainer
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.flags.flag_table import FLAG_FIELDS


class ServePlan(NamedTuple):
    host: str
    port: int
    command: str  # the shell command textual-serve runs for each browser connection
    public_url: str
    warning: str | None  # set when the server is reachable from other machines


def _app_words(args: argparse.Namespace) -> list[str]:
    """The app flags given to ``nnplay serve``, as words for ``nnplay``; they were checked by argparse."""
    from nnplay.tui.flags.share_line import flag_text, flag_words

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
    """Where ``nnplay serve`` listens and what it serves: ``<python> -m nnplay.tui.cli <the app flags>``."""
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
    from nnplay.tui.serve.server import GuardedServer

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
