"""nnplay serve's plan: local by default, a warning otherwise, the app flags passed on, bad flags in one line.

The real server (the page, the origin rule, the connection cap) is tested in test_server.py.
"""

from __future__ import annotations

import shlex
import socket
import sys

import pytest

from nnplay.tui.cli.arguments import UsageError
from nnplay.tui.cli.entry import main
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.cli.serve import serve_plan


def plan(*words: str):
    return serve_plan(build_parser().parse_args(["serve", *words]))


def served_flags(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[:3] == [sys.executable, "-m", "nnplay.tui.cli"]
    return words[3:]


def test_listens_on_this_machine_only_by_default() -> None:
    p = plan()
    assert (p.host, p.port, p.warning, p.public_url) == ("127.0.0.1", 8000, None, "http://127.0.0.1:8000")
    assert served_flags(p.command) == []


def test_the_app_flags_are_passed_to_the_served_app() -> None:
    p = plan("--port", "9001", "--preset", "spiral", "--lr", "0.3", "--layers", "none", "--fps", "5")
    assert p.port == 9001
    flags = served_flags(p.command)
    assert flags == ["--preset", "spiral", "--layers", "none", "--lr", "0.3", "--fps", "5.0"]
    parsed = build_parser().parse_args(flags)
    assert (parsed.preset, parsed.lr, parsed.layers, parsed.fps) == ("spiral", 0.3, (), 5.0)
    # the older spelling: everything after --
    assert served_flags(plan("--", "--preset", "spiral", "--seed", "3").command) == [
        "--preset",
        "spiral",
        "--seed",
        "3",
    ]
    # paths with spaces or a leading dash stay one word
    assert served_flags(plan("--load", "my runs/s.npz", "--csv=-odd.csv").command) == [
        "--load",
        "my runs/s.npz",
        "--csv=-odd.csv",
    ]


def test_the_display_and_memory_flags_reach_the_served_app() -> None:
    flags = served_flags(plan("--cell-aspect", "1.8", "--memory-limit", "512M").command)
    assert flags == ["--memory-limit", str(512 * 2**20), "--cell-aspect", "1.8"]
    parsed = build_parser().parse_args(flags)
    assert (parsed.cell_aspect, parsed.memory_limit) == (1.8, 512 * 2**20)
    assert served_flags(plan().command) == []  # the app's own defaults when not given


def test_bad_display_and_memory_flags_are_refused_before_serving(capsys) -> None:
    for words in (["--cell-aspect", "9"], ["--memory-limit", "1k"]):
        with pytest.raises(SystemExit) as exit_:
            main(["serve", *words])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "open http" not in err, err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_any_address_but_loopback_warns_in_one_line(host: str) -> None:
    p = plan("--host", host, "--port", "9000")
    assert p.warning is not None and "\n" not in p.warning
    assert "reachable from the network" in p.warning and f"{host}:9000" in p.warning
    if host in ("0.0.0.0", "::"):  # browsers cannot open a wildcard address: they get this machine's name
        assert p.public_url == f"http://{socket.gethostname()}:9000"
    assert plan("--host", host, "--public-url", "https://lab.example/nn/").public_url == "https://lab.example/nn"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses_do_not_warn(host: str) -> None:
    p = plan("--host", host)
    assert p.warning is None
    assert p.public_url == ("http://[::1]:8000" if host == "::1" else f"http://{host}:8000")


@pytest.mark.parametrize(
    ("words", "flag"),
    [
        (["--lr", "fast"], "--lr"),
        (["--port", "70000"], "--port"),
        (["--port", "http"], "--port"),
        (["--max-sessions", "0"], "--max-sessions"),
        (["--max-sessions", "65"], "--max-sessions"),
        (["--", "--lr", "fast"], "--lr"),
        (["--loss", "cross_entropy", "--output", "tanh"], "--loss"),
    ],
)
def test_bad_flags_exit_2_in_one_line_before_listening(words: list[str], flag: str, capsys) -> None:
    try:
        code = main(["serve", *words])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and flag in err


def test_a_port_in_use_is_one_line_and_no_open_this_address(capsys) -> None:
    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "--port" in err and f"127.0.0.1:{port}" in err and "open http" not in err


def test_a_command_is_not_an_app_flag() -> None:
    with pytest.raises(UsageError, match="'train' is a command"):
        plan("--", "train")


def test_without_textual_serve_it_says_what_to_install(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'nnplay[serve]'" in err
