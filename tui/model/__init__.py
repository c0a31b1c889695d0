"""The frame model: what the panes draw, computed without Textual or Rich."""
