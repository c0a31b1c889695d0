"""The suite cleans up after itself: the folder each of its processes makes for what the app
writes outside a test's tmp_path (tests/conftest.py) goes when that process ends, full or not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
PROCESS = """
import os
import tests.conftest as suite
lessons = suite.SUITE_FOLDER / "data" / "nnplay" / "lessons.json"
lessons.parent.mkdir(parents=True)
lessons.write_text("{}")
(suite.SHARE_FOLDER / "nnplay-share.txt").write_text("nnplay")
assert os.environ["XDG_DATA_HOME"].startswith(str(suite.SUITE_FOLDER))
print(suite.SUITE_FOLDER)
"""


def test_the_suite_folder_goes_with_the_process_that_made_it() -> None:
    done = subprocess.run([sys.executable, "-c", PROCESS], cwd=CHECKOUT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("nnplay-tests-")
    assert not folder.exists(), f"{folder} was left behind"
