"""The CLI's --compare flag refuses a bad comparison in one line."""

from __future__ import annotations

from nnplay.tui.cli import main


def test_cli_refuses_a_bad_comparison_in_one_line(capsys) -> None:
    assert main(["--compare", "layers=4,layers=8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnplay: error: argument --compare:") and "first weights" in err
    assert main(["--compare", "lr=1"]) == 2
    assert "NAME=A,NAME=B" in capsys.readouterr().err
