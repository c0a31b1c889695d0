"""The CLI's label and refusals for the article's flawed version-2 backprop."""

from __future__ import annotations

import json

import pytest

from nnplay.core.engine.backprop import FLAWED_LABEL
from nnplay.tui.cli.entry import main


def test_cli_labels_the_flawed_rule(capsys) -> None:
    code = main(["train", "--preset", "seed-v2", "--backprop", "article-v2", "--iterations", "200", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["config"]["backprop"] == "article-v2"
    assert result["backprop_note"] == FLAWED_LABEL
    assert "FLAWED" in result["backprop_note"]
    assert result["engine"] == "numpy"
    main(["train", "--preset", "seed-v2", "--iterations", "10", "--json"])
    assert "backprop_note" not in json.loads(capsys.readouterr().out)


def test_cli_help_and_errors(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--backprop" in text and "FLAWED" in text
    code = main(["train", "--backprop", "article-v2", "--loss", "cross_entropy", "--output", "softmax", "--json"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "--backprop" in err and "Traceback" not in err
