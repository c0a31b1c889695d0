"""The CLI's --compare flag refuses a bad comparison in one line."""

from __future__ import annotations

import pytest

from nnplay.core.run.compare import Comparison, parse_comparison
from nnplay.core.settings.config import ConfigError, TrainConfig, unused_reason
from nnplay.tui.cli.entry import main


def test_cli_refuses_a_bad_comparison_in_one_line(capsys) -> None:
    assert main(["--compare", "layers=4,layers=8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnplay: error: argument --compare:") and "first weights" in err
    assert main(["--compare", "lr=1"]) == 2
    assert "NAME=A,NAME=B" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("", "NAME=A,NAME=B"),  # it opened the plain app
        ("csv_path=/etc/passwd,csv_path=/dev/zero", "not a file path"),
        ("momentum=0.1,momentum=0.5", "optimizer sgd uses no momentum"),  # seed-v2 trains with sgd
        ("lr=nan,lr=1", "lr nan is not allowed"),  # it said "lr inf"
    ],
)
def test_cli_refuses_a_comparison_of_nothing(spec: str, said: str, capsys, monkeypatch) -> None:
    import nnplay.tui.screens.compare_screen
    import nnplay.tui.terminal.signals

    monkeypatch.setattr(nnplay.tui.screens.compare_screen.CompareApp, "run", lambda *a: pytest.fail("compared"))
    monkeypatch.setattr(nnplay.tui.terminal.signals, "run_standalone", lambda *a: pytest.fail("the app opened"))
    assert main(["--compare", spec]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnplay: error: argument --compare:") and said in err, err


def test_a_comparison_refuses_settings_the_runs_do_not_use() -> None:
    base = TrainConfig(dataset="csv", csv_path="x.csv", layers=(), optimizer="sgd")
    assert unused_reason(base, "noise") and unused_reason(base, "momentum") and unused_reason(base, "dropout")
    assert unused_reason(base, "activation") and unused_reason(base.replace(dataset="xor"), "csv_path")
    assert unused_reason(base, "points_to_classify")
    used = TrainConfig(layers=(4,), optimizer="adam")
    assert not any(unused_reason(used, name) for name in ("noise", "momentum", "dropout", "activation", "lr"))
    with pytest.raises(ConfigError, match="no hidden layer"):
        Comparison(TrainConfig(layers=(), train_size=20), parse_comparison("dropout=0,dropout=0.5"))
