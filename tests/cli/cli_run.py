"""``nnplay ARGV`` run in this process, and the one-line error rule its refusals keep."""

from __future__ import annotations

import json

import pytest

from nnplay.tui.cli.entry import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``nnplay ARGV`` run in this process."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits on its own errors and on --help
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    """(exit code, the one JSON object printed, stderr) of ``nnplay train ARGV --json``."""
    code, out, err = run(["train", *argv, "--json"], capsys)
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    return code, json.loads(lines[0]), err


def one_line(err: str) -> str:
    """``err``, checked to be one line without a traceback (the rule for every refusal)."""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err
