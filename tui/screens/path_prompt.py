"""The prompt for a file path (save and load a session)."""

from __future__ import annotations

from nnplay.tui.screens.text_prompt import TextPrompt


class PathPrompt(TextPrompt):
    """Asks for a file path; ``path`` is offered as the answer (the session's last file)."""

    def __init__(self, title: str, path: str) -> None:
        super().__init__(title, path)
