"""Screens and panes ask instead of reaching into the app: they return results (dismiss with a
value) or post messages, and the app handles them. So a screen or a widget uses only what every
Textual ``App`` has (``notify``, ``push_screen``, ``screen_stack``...), never ``NNPlayApp``'s own
attributes (its run channel, its view, ``apply_config``...), which would tie it to one app and hide
the dependency from the type checker."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App

from nnplay.tui.widgets.keys_in_order import RoutesKeysInOrder

ROOT = Path(__file__).resolve().parents[2]
# What any Textual app offers, and what an app routing keys in order declares for its widgets.
ALLOWED = set(dir(App())) | set(dir(RoutesKeysInOrder)) | set(RoutesKeysInOrder.__annotations__)


def _is_app(node: ast.expr) -> bool:
    """``self.app``, or a name ``app`` (a parameter or a local holding the app)."""
    if isinstance(node, ast.Name):
        return node.id == "app"
    return isinstance(node, ast.Attribute) and node.attr == "app" and isinstance(node.value, ast.Name)


def app_attributes_used(source: str) -> list[tuple[int, str]]:
    """Each (line, name) of an attribute read from the app: ``self.app.X``, ``app.X``, ``getattr(app, "X")``."""
    used = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _is_app(node.value):
            used.append((node.lineno, node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr", "setattr"}
            and node.args
            and _is_app(node.args[0])
        ):
            name = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else "?"
            used.append((node.lineno, str(name)))
    return sorted(used)


def test_the_scan_finds_an_app_attribute_however_it_is_reached() -> None:
    source = """
def f(app):
    app.channel.pause()
    app.notify("x")
    getattr(app, "lesson_tracker", None)
class S:
    def g(self):
        self.app.apply_config(None)
        self.app.push_screen(None)
"""
    found = [name for _, name in app_attributes_used(source) if name not in ALLOWED]
    assert found == ["channel", "lesson_tracker", "apply_config"]


def test_no_screen_or_widget_uses_an_attribute_of_the_app_beyond_textual() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: app.{name}"
        for folder in ("tui/screens", "tui/widgets")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, name in app_attributes_used(path.read_text(encoding="utf-8"))
        if name not in ALLOWED
    ]
    assert offenders == [], "post a message or return a result instead:\n" + "\n".join(offenders)
