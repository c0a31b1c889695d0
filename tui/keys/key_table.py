"""Every key of the app, in one table: the bindings, the command palette, the help and the README come from it.

The rule for keys and fields (DESIGN.md): a text field being typed in owns every printable
key, so the single-letter keys below work everywhere else (plot, diagram, metrics, the
panel's selects, buttons and checkboxes) and never while typing. Textual enforces the first
half: a widget that consumes a key (``Input.check_consume_key``) hides it from every binding,
priority ones included. The few keys needed while typing have a non-printable twin
(``typing_key``), which the footer shows while a field has focus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from textual.binding import Binding, BindingType

# What a key works in: "app" everywhere but a text field being typed in; "edit" only while
# editing the data (arrows, digits and backspace belong to the diagram and fields otherwise);
# "diagram" while the diagram has focus (its own bindings, ``widget_bindings(DIAGRAM_KEYS)``).
APP, EDIT, DIAGRAM = "app", "edit", "diagram"


@dataclass(frozen=True)
class Key:
    """One row of the key table: one or more Textual keys bound to actions of ``NNPlayApp``."""

    keys: tuple[tuple[str, str], ...]  # (Textual key name, action) pairs
    shown: str  # the key as a person reads it: "space", "1..9", "arrows"
    title: str  # the footer's label and the command palette's title
    help: str  # what it does, in one line (help screen, README, palette)
    footer: bool = False
    palette: bool = True
    typing_key: str | None = None  # a non-printable key that does the same while a field is being typed in
    mode: str = APP

    @property
    def action(self) -> str:
        return self.keys[0][1]


def _one(key: str, action: str) -> tuple[tuple[str, str], ...]:
    return ((key, action),)


@dataclass(frozen=True)
class QuitAnswer:
    """One answer to the question ``q`` asks when the run has unsaved work (tui/screens/quit_prompt.py)."""

    keys: tuple[str, ...]  # Textual key names, as a person reads them too
    answer: str | None  # what the question screen dismisses with ("quit", "save"; None: stay)
    says: str


QUIT_ANSWERS: tuple[QuitAnswer, ...] = (
    QuitAnswer(("q", "y"), "quit", "quit anyway (the unsaved work is lost)"),
    QuitAnswer(("s",), "save", "save (asks where), then quit"),
    QuitAnswer(("escape", "n"), None, "stay"),
)

# fmt: off
# One row a key, so the table reads as the table it is.
KEYS: tuple[Key, ...] = (
    # Help and quit first: at 80 columns the footer shows only its first eight or so keys.
    Key(_one("question_mark", "help"), "?", "Help", "this help: every control and the ideas behind them",
        footer=True, typing_key="f1"),
    Key(_one("q", "quit"), "q", "Quit", "quit; with unsaved steps or edits it asks first: " + "; ".join(
        f"{'/'.join(f'`{key}`' for key in a.keys)} {a.says}" for a in QUIT_ANSWERS),
        footer=True, typing_key="ctrl+q", palette=False),
    Key(_one("space", "toggle_run"), "space", "Run/Pause",
        "run / pause training (stops by itself at *stop epoch* or *stop loss* if set)", footer=True, typing_key="f5"),
    Key(_one("n", "step"), "n", "Step", "one optimiser step (one batch)", footer=True),
    Key(_one("e", "epoch"), "e", "Epoch", "train to the end of the current epoch (one pass over the data)",
        footer=True),
    Key(_one("t", "train"), "t", "Train",
        "**Train**: run *iterations* steps, then pause (the article's Train button)", footer=True),
    Key(_one("c", "classify"), "c", "Classify",
        "**Classify Points**: *classify n* fresh points coloured by prediction, in place of the data till `T`/`r`",
        footer=True),
    Key(_one("r", "reset"), "r", "Reset", "reset to the same initial weights; applies pending network/data changes",
        footer=True),
    Key(_one("R", "reseed"), "R", "Reseed", "reseed: new initial weights (seed + 1)"),
    Key(_one("v", "view('toggle_diagram')"), "v", "Diagram", "show / hide the neuron and weight diagram", footer=True),
    Key(_one("d", "view('discretize')"), "d", "Discretize",
        "discretize: the decision regions without confidence shading"),
    Key(_one("T", "view('show_test')"), "T", "Test points",
        "show / hide the test points (◦, paler); after `c`, back to the data with them"),
    Key(_one("p", "view('colour_by_prediction')"), "p", "Points by prediction",
        "points in the colour of their predicted class or of their true one, in turn (the legend says which)"),
    Key(_one("k", "view('thin_links')"), "k", "Strongest links",
        "diagram: only each neuron's 2 strongest incoming links, or all (on by itself for dense meshes)"),
    Key(_one("h", "view('hidden_space')"), "h", "Hidden space",
        "hidden space: the data as two hidden neurons see it (the selected neuron and a partner)"),
    Key(_one("H", "view('hidden_partner')"), "H", "Next partner neuron", "hidden space: another partner neuron"),
    Key(_one("w", "view('weight_evolution')"), "w", "Weights over the run",
        "each layer's weight distribution over time, instead of the diagram"),
    Key(_one("m", "view('loss_landscape')"), "m", "Loss landscape",
        "the loss over a plane through the weights and the path training took, instead of the diagram"),
    Key(_one("M", "view('landscape_plane')"), "M", "Landscape plane",
        "landscape plane: the selected weight and its neuron's bias (arrows, `[` `]`), or the run's path plane"),
    Key(_one("x", "explain"), "x", "Explain a step",
        "explain one step: a sample's forward pass, errors, deltas and updates, with the formulas"),
    Key(_one("comma", "view('travel', -1)"), ",", "Back in time",
        "time travel: back through the recorded moments of the run"),
    Key(_one("full_stop", "view('travel', 1)"), ".", "Forward in time",
        "time travel: forward (or click the loss curve)"),
    Key(_one("g", "resume_here"), "g", "Resume here",
        "go on from the moment shown (the run rewinds to it; `space` trains on)"),
    Key(_one("l", "view('live')"), "l", "Live", "back to the live run"),
    Key(_one("a", "edit_data"), "a", "Edit data",
        "edit the data: a cursor on the plot; the keys below add and remove points; `a` again ends"),
    Key((("up", "cursor(0, 1)"), ("down", "cursor(0, -1)"), ("left", "cursor(-1, 0)"), ("right", "cursor(1, 0)")),
        "arrows", "Move the cursor", "editing the data: move the cursor (a click works too)", mode=EDIT,
        palette=False),
    Key(tuple((str(k), f"add_point({k})") for k in range(1, 10)), "1..9", "Add a point",
        "editing the data: add a point of that class at the cursor", mode=EDIT, palette=False),
    Key((("backspace", "remove_point"), ("delete", "remove_point")), "backspace", "Remove a point",
        "editing the data: remove the point nearest the cursor", mode=EDIT, palette=False),
    Key(_one("ctrl+z", "undo"), "ctrl+z", "Undo",
        "undo the last data or weight edit (up to 50; a new network or data set ends the history)"),
    Key(_one("s", "share"), "s", "Share setup",
        "share: show (and copy) the `nnplay ...` command line that reproduces this setup"),
    Key(_one("ctrl+s", "save"), "ctrl+s", "Save session",
        "save the whole session (settings, weights, optimiser, history)", typing_key="ctrl+s"),
    Key(_one("ctrl+o", "load"), "ctrl+o", "Load session", "load a saved session"),
    Key(_one("L", "lessons"), "L", "Lessons",
        "lessons: the guided lessons, each task checked as you train (`h` hints, `enter` starts one)"),
)
# fmt: on

# Commands with no key of their own: (title, help, action), in the command palette only.
PALETTE_ONLY: tuple[tuple[str, str, str], ...] = (
    ("Compare two runs", "this setup twice, one setting apart (lr=0.03,lr=3), trained in step", "compare"),
)

# fmt: off
# The diagram's keys: they change the view's selection (in the app, in the order they come).
DIAGRAM_KEYS: tuple[Key, ...] = (
    Key((("up", "app.view('select_neuron', 0, -1)"), ("down", "app.view('select_neuron', 0, 1)"),
         ("left", "app.view('select_neuron', -1, 0)"), ("right", "app.view('select_neuron', 1, 0)"),
         ("left_square_bracket", "app.view('select_link', -1)"), ("right_square_bracket", "app.view('select_link', 1)"),
         ("escape", "app.view('select_link', 0)")),
        "arrows, [ ]", "Select", "in the diagram: pick a neuron, then one of its incoming weights", palette=False,
        mode=DIAGRAM),
    Key(_one("enter", "edit"), "enter (diagram)", "edit value",
        "type a new value for the selected weight or bias (ctrl+z undoes it)", footer=True, palette=False,
        mode=DIAGRAM),
)
# fmt: on

# Keys nnplay does not bind itself but a person needs to know (Textual's, the fields').
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "command palette: presets and every action"),
    ("tab / shift+tab", "move between fields; leaving a field applies what you typed"),
    ("enter / escape", "in a field: apply and leave / put the value in force back and leave"),
)

EDIT_ACTIONS = frozenset(name for k in KEYS if k.mode == EDIT for _, a in k.keys for name in [a.split("(")[0]])
APP_ACTIONS = frozenset(a.split("(")[0] for k in KEYS for _, a in k.keys) - EDIT_ACTIONS
TYPING_ACTION = "while_typing"
# Keys that act on the run alone, not on a field, the focus or a screen: the same wherever the
# focus is and whether the panel's fields exist yet, so one typed during start-up acts at once.
RUN_ONLY_KEYS = frozenset(
    key for k in KEYS for key, action in k.keys if action in ("toggle_run", "step", "epoch", "train")
)


def key_works(action: str, *, modal: bool, typing: bool, editing: bool) -> bool:
    """Whether the key table's ``action`` works now (``NNPlayApp.check_action``): over a modal
    screen, while a field is typed in, while editing the data. Actions not in the table work."""
    if action == TYPING_ACTION:
        # The twins of space, ?, q and ctrl+s: shown in the footer and working while a field is typed in.
        return typing and not modal
    if action in EDIT_ACTIONS:
        # Arrows, digits and backspace belong to the fields and the diagram unless editing data.
        return editing and not modal
    if action in APP_ACTIONS:
        # A prompt or help is open: its keys are text or close it. (In a panel field Textual hides
        # every printable key from the bindings: the field consumes it.)
        return not modal
    return True


# The footer's keys in the order it shows them (it shows the first that fit: at 80 columns about
# six): help and quit, then the article's own buttons (run, Train, Classify), then the rest.
FOOTER_ORDER = ("help", "quit", "toggle_run", "train", "classify", "step", "epoch", "reset")


def footer_rank(action: str) -> int:
    """Where the footer shows the key of ``action``: FOOTER_ORDER's, then every other key."""
    return FOOTER_ORDER.index(action) if action in FOOTER_ORDER else len(FOOTER_ORDER)


def bindings() -> list[BindingType]:
    """The app's BINDINGS: each key at priority, so a focused diagram, select or button cannot take it.
    Their order is the footer's (``FOOTER_ORDER``); the help and the README keep the table's."""
    out: list[BindingType] = [
        Binding(key, action, k.title, show=(k.footer or k.typing_key == key) and i == 0, priority=True)
        for k in sorted(KEYS, key=lambda k: footer_rank(k.action))
        for i, (key, action) in enumerate(k.keys)
    ]
    # While a field is being typed in, its printable keys are the field's; these twins stand in
    # (and are what the footer shows then: NNPlayApp.check_action enables them only while typing).
    # A key that is not printable (ctrl+s) is its own twin: it works, and shows, everywhere.
    out += [
        Binding(k.typing_key, f"{TYPING_ACTION}('{k.action}')", k.title, show=True, priority=True)
        for k in KEYS
        if k.typing_key and k.typing_key not in dict(k.keys)
    ]
    return out


def widget_bindings(keys: tuple[Key, ...]) -> list[BindingType]:
    """A pane's own BINDINGS (working while it has focus), from its rows of the table."""
    return [
        Binding(key, action, k.title, show=k.footer and i == 0) for k in keys for i, (key, action) in enumerate(k.keys)
    ]


def plain(markdown: str) -> str:
    """The table's Markdown as plain words (the command palette shows text, not Markdown)."""
    return re.sub(r"\*\*(.+?)\*\*|\*(.+?)\*|`(.+?)`", lambda m: next(g for g in m.groups() if g), markdown)


def palette_entries() -> Iterator[tuple[str, str, str]]:
    """(title, help, action) for the command palette, in plain words."""
    for k in KEYS:
        if k.palette:
            yield k.title, plain(f"{k.shown}: {k.help}"), k.action
    for title, help_text, action in PALETTE_ONLY:
        yield title, plain(help_text), action


def _shown(k: Key) -> str:
    return f"`{k.shown}`" + (f" (`{k.typing_key}` while typing)" if k.typing_key and k.typing_key != k.shown else "")


def markdown_table() -> str:
    """The key table as Markdown: the help screen shows it and the README carries it word for word."""
    rows = ["| key | what it does |", "|---|---|"]
    rows += [f"| {_shown(k)} | {k.help} |" for k in KEYS]
    rows += [f"| `{key}` | {text} |" for key, text in OTHER_KEYS]
    rows += [f"| {_shown(k)} | {k.help} |" for k in DIAGRAM_KEYS]
    return "\n".join(rows)
