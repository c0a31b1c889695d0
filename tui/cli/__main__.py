"""`python -m nnplay.tui.cli` runs the nnplay command, as `nnplay` does."""

from nnplay.tui.cli.entry import entry_point

entry_point()
