"""The parameter side panel: every knob of the engine, validated as you type.

The panel owns the *pending* ``TrainConfig``: a value reaches it only after
``core.settings.config`` accepts it, so the trainer never sees an invalid setting. An invalid
entry shows the reason under its field and the last good value stays in force.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import suppress
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from nnplay.core.data.features import FEATURES
from nnplay.core.engine.backprop import BACKPROP_LABELS
from nnplay.core.io.outside_text import printable
from nnplay.core.settings.config import (
    FIELDS,
    MAX_LAYERS,
    MAX_NEURONS,
    PANEL_GROUPS,
    ConfigError,
    TrainConfig,
    parse_value,
)
from nnplay.tui.widgets.keys_in_order import KeysInOrder
from nnplay.tui.widgets.ordered_input import OrderedInput

LR_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def panel_layout() -> tuple[tuple[str, str], ...]:
    """The panel's rows, from the settings table (each setting's ``PanelRow``): ("#", group) heads
    each group, then (setting, label) in the group's order."""
    rows: list[tuple[str, str]] = []
    for group in PANEL_GROUPS:
        placed = sorted((row.place, name, row.label) for name, row in PANEL_ROWS.items() if row.group == group)
        rows += [("#", group), *((name, label) for _, name, label in placed)]
    return tuple(rows)


PANEL_ROWS = {name: spec.panel for name, spec in FIELDS.items() if spec.panel is not None}
LAYOUT = panel_layout()  # (field, label) in panel order; section titles start with "#"
# Rows mounted between two paints while the panel is built: each paint lays the whole screen out
# again (a paint per row was most of the build's time), and between them the screen stands still.
ROWS_PER_PAINT = 6
CHOICE_LABELS = {"backprop": BACKPROP_LABELS}


def format_value(name: str, value: Any) -> str:
    if name in ("layers", "layer_activations"):
        return ",".join(map(str, value)) if value else ""
    if name == "csv_path":
        return value or ""
    if isinstance(value, float):
        # Short where that is exact, else every digit: the field shows the value in force, and
        # text equal to what it shows is that value (leaving a field unchanged changes nothing).
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


class FieldValidator(Validator):
    """Checks text with the same rules as the CLI and the config (core.settings.config.parse_value)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def validate(self, value: str) -> ValidationResult:
        if self.name in ("layers", "layer_activations") and not value.strip():
            return self.success()
        try:
            parse_value(self.name, value)
        except ConfigError as exc:  # the limits of core.config, as the CLI and session files have them
            return self.failure(exc.allowed)
        return self.success()


class FieldInput(OrderedInput):
    """An Input bound to one config field: it owns every printable key, and applies on enter, tab or leaving.

    It takes any text (a number field does not silently drop a "-" or an "e"); the panel checks it
    as you type, shows the reason under the field, and applies it only when you leave the field,
    so typing "500" never applies 5 and 50 on the way. ``escape`` puts the value in force back.
    The learning rate also steps along a ladder with up/down, which applies at once.
    """

    BINDINGS = [
        Binding("up", "ladder(1)", "faster", show=False),
        Binding("down", "ladder(-1)", "slower", show=False),
        Binding("enter", "leave", "apply", show=False),
        Binding("escape", "cancel", "put back", show=False),
        Binding("tab", "leave(1)", "next field", show=False),
        Binding("shift+tab", "leave(-1)", "previous field", show=False),
    ]

    def __init__(self, field: str, value: str) -> None:
        super().__init__(
            value,
            id=f"field-{field}",
            compact=True,
            placeholder={"layers": "none", "csv_path": "path.csv", "layer_activations": "same for all"}.get(field, ""),
        )
        self.field = field

    @property
    def panel(self) -> ParamsPanel:
        return self.query_ancestor(ParamsPanel)

    def action_leave(self, direction: int = 0) -> None:
        """Apply what was typed, then leave: to the next or previous field, or (enter) out of the fields.

        Both happen here, in key order: the keys after this one in a burst must find the value
        applied and the focus moved, as they would if typed one by one.
        """
        panel = self.panel
        panel.commit(self)
        if direction > 0:
            self.screen.focus_next()
        elif direction < 0:
            self.screen.focus_previous()
        else:
            panel.leave_fields(self)

    def action_cancel(self) -> None:
        panel = self.panel
        panel.put_back(self)
        panel.leave_fields(self)

    def action_ladder(self, direction: int) -> None:
        if self.field != "lr":
            self.action_leave(-1 if direction > 0 else 1)
            return
        try:
            current = float(self.value)
        except ValueError:
            current = 0.03
        if direction > 0:
            bigger = [v for v in LR_LADDER if v > current * 1.0001]
            new = bigger[0] if bigger else LR_LADDER[-1]
        else:
            smaller = [v for v in LR_LADDER if v < current * 0.9999]
            new = smaller[-1] if smaller else LR_LADDER[0]
        self.value = f"{new:g}"
        self.panel.commit(self)


class PanelButton(KeysInOrder, Button):
    """A button that counts every press: five quick enters on +layer add five layers.

    Textual's Button ignores a press while its 0.2 s press animation runs, which drops the
    presses of a burst (key repeat, a fast typist).
    """

    def action_press(self) -> None:
        self.press()

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()  # a click during the animation counts too (Button ignores it)


class PanelSelect(KeysInOrder, Select[str]):
    """A choice field that takes a burst's keys in order (tui/widgets/keys_in_order.py)."""

    # The panel's rows are mounted one at a time during start-up; a signal then ends the app, whose
    # teardown can take a select's parts (its overlay, its label) before Select's Mount handler sets
    # them up, which then raises NoMatches into the exit. A select being torn down needs no setting up.
    def _setup_options_renderables(self) -> None:
        with suppress(NoMatches):
            super()._setup_options_renderables()

    def _init_selected_option(self, hint: Any = Select.NULL) -> None:
        with suppress(NoMatches):
            super()._init_selected_option(hint)


class FeatureList(KeysInOrder, SelectionList[str]):
    """The features' checklist, taking a burst's keys in order (tui/widgets/keys_in_order.py)."""


class FieldError(Static):
    """The refusal under a field. Shown, it stays in view whatever height its text gives it: the
    panel's scroll to it can run before a longer text's extra line is laid out."""

    def on_resize(self, event: events.Resize) -> None:
        if self.has_class("-shown"):  # the panel's scroll range follows a refresh later
            self.call_after_refresh(self.call_after_refresh, self.scroll_visible, animate=False)


class ParamsPanel(KeysInOrder, VerticalScroll):
    DEFAULT_CSS = """
    ParamsPanel { width: 34; padding: 0 1 0 0; border-right: solid $primary-darken-2; }
    ParamsPanel .section { color: $accent; text-style: bold; margin-top: 1; }
    ParamsPanel .row { height: 1; }
    ParamsPanel .row Label { width: 11; color: $text-muted; }
    ParamsPanel .row Input, ParamsPanel .row Select { width: 1fr; }
    ParamsPanel .error { color: $error; height: auto; display: none; }
    ParamsPanel .error.-shown { display: block; }
    ParamsPanel SelectionList { height: auto; max-height: 7; border: none; padding: 0; }
    ParamsPanel .buttons { height: 1; }
    ParamsPanel .buttons Button { min-width: 4; width: auto; margin: 0; }
    ParamsPanel #pending { color: $warning; height: auto; dock: top; }  /* in view however far down you are */
    /* The field with the focus stands out at every colour depth, NO_COLOR too: its label is
       reversed and the field tinted (a compact field's own 5% tint vanishes in greys). A list's
       highlighted row is drawn only while the list has the focus, so it is never mistaken for it. */
    ParamsPanel .row.-focused > Label { color: $text; text-style: bold reverse; }
    ParamsPanel FieldInput:focus, ParamsPanel PanelSelect:focus > SelectCurrent {
        text-style: bold; background-tint: $foreground 20%;
    }
    ParamsPanel FeatureList:focus { border: none; }  /* a border on focus pushed the fields below down two rows */
    ParamsPanel FeatureList:focus > .option-list--option-highlighted {
        color: $background; background: $foreground; text-style: bold;
    }
    ParamsPanel FeatureList:blur > .option-list--option-highlighted {
        background: $surface; color: $foreground; text-style: none;
    }
    """

    class ConfigChanged(Message):
        """A field changed to a valid value; ``config`` is the new pending configuration."""

        def __init__(self, config: TrainConfig, field: str) -> None:
            super().__init__()
            self.config = config
            self.field = field

    class RegenerateData(Message):
        pass

    BINDINGS = [
        Binding("tab", "next_field(1)", "next field", show=False),
        Binding("shift+tab", "next_field(-1)", "previous field", show=False),
    ]

    def __init__(
        self,
        config: TrainConfig,
        *,
        deferred: bool = False,
        on_change: Callable[[TrainConfig, str], None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.config = config
        # Deferred: the fields (most of the app's widgets) are composed only when build() is called,
        # so the plot reaches the screen first. Until then the panel keeps config and pending itself.
        self.deferred = deferred
        # A new value goes to ``on_change`` at once, in key order (the app's next key must see it);
        # without one (a panel on its own) it is posted as a ConfigChanged message.
        self.on_change = on_change
        self._composing = False
        self._pending: tuple[str, ...] = ()
        self._left: str | None = None  # the id of the field enter or escape left: tab goes on from there
        self._csv_read = 0  # how many CSV reads were started
        self._csv_reading: int | None = None  # the one whose result will be applied, while it is read
        self._csv_path_read = ""
        self._after_csv: list[Callable[[], object]] = []

    def compose(self) -> ComposeResult:
        yield Static(pending_text(self._pending), id="pending")
        if not self.deferred:
            for name, label in LAYOUT:
                yield from self._row(name, label)

    def _row(self, name: str, label: str) -> Iterator[Widget]:
        """The widgets of one row of LAYOUT: a section's title, or a field with its error line."""
        if name == "#":
            yield Label(label, classes="section")
            return
        spec = FIELDS[name]
        value = getattr(self.config, name)
        if name == "features":
            yield Label("features (enter toggles)", classes="row")
            yield FeatureList(
                *[(title, key, key in self.config.features) for key, title in FEATURES.items()], id="field-features"
            )
        elif spec.kind == "choice":
            # No type-to-search: letters are the app's keys.
            choices = [(CHOICE_LABELS.get(name, {}).get(c, c), c) for c in spec.choices]
            select = PanelSelect(
                choices, value=value, allow_blank=False, id=f"field-{name}", compact=True, type_to_search=False
            )
            yield Horizontal(Label(label), select, classes="row")
        else:
            yield Horizontal(Label(label), FieldInput(name, format_value(name, value)), classes="row")
        yield FieldError("", id=f"error-{name}", classes="error")
        if name == "layers":
            yield Horizontal(
                PanelButton("+layer", id="add-layer", compact=True),
                PanelButton("-layer", id="remove-layer", compact=True),
                PanelButton("+n", id="more-neurons", compact=True),
                PanelButton("-n", id="fewer-neurons", compact=True),
                classes="buttons",
            )
        if name == "features":
            yield PanelButton("regenerate data", id="regenerate", compact=True)

    # -- applying values ------------------------------------------------------------

    def _apply(self, name: str, value: Any) -> bool:
        """Try ``name = value``; on failure show why and keep the old value. True if applied."""
        try:
            new = self.config.replace(**{name: value})
        except ConfigError as exc:
            self._show_error(name, f"✗ {exc.allowed} (keeping {self._in_force(name)})")
            return False
        self._hide_error(name)
        if new != self.config:
            self.config = new
            self._changed(name)
        return True

    def _changed(self, name: str) -> None:
        if self.on_change is not None:
            self.on_change(self.config, name)
        else:
            self.post_message(self.ConfigChanged(self.config, name))

    def _in_force(self, name: str) -> str:
        return format_value(name, getattr(self.config, name)) or "none"

    def _show_error(self, name: str, text: str) -> None:
        error = self.query_one(f"#error-{name}", Static)
        shown = Text(printable(text))  # it quotes typed text, a path, a CSV's refusal: shown, never markup
        if error.has_class("-shown") and error.content == shown:
            return  # the same refusal again (another key of the same refused text): no layout, no scroll
        error.update(shown)
        error.add_class("-shown")
        # Seen at 80x24 too, however far down the field is: scrolled to once the panel is laid out with
        # it (after one refresh the panel's scroll range can still be the old one, short of the line);
        # a refusal that takes another line scrolls again when it is resized (FieldError).
        self.call_after_refresh(self.call_after_refresh, error.scroll_visible, animate=False)

    def _hide_error(self, name: str) -> None:
        self.query_one(f"#error-{name}", Static).remove_class("-shown")

    @staticmethod
    def _refusal(name: str, text: str) -> str | None:
        """Why ``text`` cannot be applied to the field ``name``, or None if it can."""
        if name == "csv_path":
            return None  # a path is checked when applied, by reading the file
        result = FieldValidator(name).validate(text.strip())
        return None if result.is_valid else "; ".join(result.failure_descriptions)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        """Check what is being typed and say at once what is wrong; nothing applies until the field is left."""
        if not isinstance(event.input, FieldInput):
            return
        event.stop()
        if event.value != event.input.value:
            return  # the field changed again since (a refusal put the value in force back): that text counts
        name = event.input.field
        if event.value.strip() == format_value(name, getattr(self.config, name)):
            self._hide_error(name)
            return
        reason = self._refusal(name, event.value)
        if reason is None:
            self._hide_error(name)
        else:
            self._show_error(name, f"✗ {reason} (keeping {self._in_force(name)})")

    def commit(self, field: FieldInput, *, confirmed: bool = True) -> bool:
        """Apply the text in ``field`` (enter, tab, leaving it); refused, the value in force comes back.

        ``confirmed``: the person applied the value in force itself (enter or tab), which clears a
        refusal shown before. Losing the focus alone (right after such a refusal) leaves it shown.
        """
        name, text = field.field, field.value.strip()
        if text == format_value(name, getattr(self.config, name)):
            if confirmed:
                self._hide_error(name)
            return True
        if name == "csv_path":
            if text:
                self._apply_csv(text)
            return True
        reason = self._refusal(name, text)
        applied = reason is None and self._apply(
            name, () if name in ("layers", "layer_activations") and not text else parse_value(name, text)
        )
        if reason is not None:
            shown = text if len(text) <= 12 else text[:9] + "..."
            self._show_error(name, f"✗ {shown!r} refused: {reason} (keeping {self._in_force(name)})")
        with self.prevent(Input.Changed):
            field.value = format_value(name, getattr(self.config, name))
        return applied

    def put_back(self, field: FieldInput) -> None:
        """Escape: the field shows the value in force again, and nothing is applied."""
        with self.prevent(Input.Changed):
            field.value = format_value(field.field, getattr(self.config, field.field))
        self._hide_error(field.field)

    def leave_fields(self, field: FieldInput) -> None:
        """Out of the text fields (enter, escape): the app's keys work again; tab goes on after ``field``."""
        self._left = field.id
        self.screen.set_focus(self)  # now, not later as Widget.focus does: the next key of a burst goes here

    def action_next_field(self, direction: int) -> None:
        left, self._left = self._left, None
        if left is not None:
            try:
                self.screen.set_focus(self.query_one(f"#{left}"))
            except NoMatches:
                pass
        self.screen.focus_next() if direction > 0 else self.screen.focus_previous()

    def watch_has_focus(self, has_focus: bool) -> None:
        """Restyle the panel alone when it takes or loses the focus (enter or escape out of a field).

        Textual restyles the focused widget with all its descendants, here the ~150 widgets of
        every row, on each such key; no rule styles a row by the panel's focus (the look of the
        field with the focus follows the field itself), so the rows' styles cannot change.
        """
        self.app.stylesheet.update_nodes([self], animate=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._mark_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._mark_row(event.widget, False)

    @staticmethod
    def _mark_row(widget: Widget, focused: bool) -> None:
        # A class on the field's row, not `:focus-within`: Textual restyles only the focused
        # widget and its ancestors when the focus moves, so the row's label would keep its old look.
        row = widget.parent
        if isinstance(row, Horizontal) and row.has_class("row"):
            row.set_class(focused, "-focused")

    @on(Input.Blurred)
    def _input_left(self, event: Input.Blurred) -> None:
        # Leaving by any other way (a click, the app moving the focus) applies too.
        if isinstance(event.input, FieldInput) and event.input.is_mounted:
            self.commit(event.input, confirmed=False)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # FieldInput applies on enter itself (action_leave), in key order

    def _apply_csv(self, path: str) -> None:
        """Check the file in a thread (a 50 MB file takes seconds to parse); apply it when it is good."""
        if self._csv_reading is not None and path == self._csv_path_read:
            return  # already being read (enter, then the focus leaving, both apply it)
        self._csv_path_read = path
        self._csv_read += 1
        self._csv_reading = self._csv_read
        self._read_csv(path, self._csv_read)

    def after_csv(self, callback: Callable[[], object]) -> bool:
        """Run ``callback`` once the CSV file being read is applied or refused; False if none is being read.

        A key typed after enter in the csv field (r, in one burst) must find the file applied, as it
        would if typed a moment later.
        """
        if self._csv_reading is None:
            return False
        self._after_csv.append(callback)
        return True

    @work(thread=True, exclusive=True, group="csv")
    def _read_csv(self, path: str, read: int) -> None:
        from nnplay.core.data.datasets import DatasetError, load_csv

        try:
            load_csv(path)
        except DatasetError as exc:
            self.app.call_from_thread(self._csv_checked, path, str(exc), read)
        except Exception as exc:  # a file must never take the app down
            self.app.call_from_thread(self._csv_checked, path, f"{path}: cannot read ({type(exc).__name__})", read)
        else:
            self.app.call_from_thread(self._csv_checked, path, None, read)

    def _csv_checked(self, path: str, problem: str | None, read: int) -> None:
        if read != self._csv_reading or not self.is_mounted:
            # A newer file was typed since (this read may even have been cancelled): that one counts.
            # Or the app closed while the file was read.
            return
        self._csv_reading = None
        try:
            self._take_csv(path, problem)
        except NoMatches:
            pass  # the app is closing: its fields are going
        finally:
            waiting, self._after_csv = self._after_csv, []
            for callback in waiting:
                callback()

    def _take_csv(self, path: str, problem: str | None) -> None:
        if problem:
            short = path if len(path) <= 40 else path[:37] + "..."
            self._show_error("csv_path", f"✗ {problem.replace(path, short)} (keeping {self._in_force('csv_path')})")
            with self.prevent(Input.Changed):
                self.query_one("#field-csv_path", Input).value = format_value("csv_path", self.config.csv_path)
            return
        self._hide_error("csv_path")
        if self._apply("csv_path", path):
            self.set_field("dataset", "csv")
            self._apply("dataset", "csv")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        name = (event.select.id or "").removeprefix("field-")
        if name not in FIELDS or event.value == getattr(self.config, name):
            return
        if not self._apply(name, event.value):
            # Put the control back on the value still in force.
            with self.prevent(Select.Changed):
                event.select.value = getattr(self.config, name)

    @on(SelectionList.SelectedChanged)
    def _features_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        chosen = tuple(k for k in FEATURES if k in event.selection_list.selected)
        if not chosen:
            error = self.query_one("#error-features", Static)
            error.update("✗ pick at least one feature (keeping " + ",".join(self.config.features) + ")")
            error.add_class("-shown")
            # Put the list back on the features still in force, as a refused Select goes back.
            with self.prevent(SelectionList.SelectedChanged):
                for f in self.config.features:
                    event.selection_list.select(f)
            return
        self._apply("features", chosen)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        layers = list(self.config.layers)
        match event.button.id:
            case "add-layer" if len(layers) < MAX_LAYERS:
                layers.append(layers[-1] if layers else 4)
            case "remove-layer" if layers:
                layers.pop()
            case "more-neurons" if layers and layers[-1] < MAX_NEURONS:
                layers[-1] += 1
            case "fewer-neurons" if layers:
                layers[-1] = max(1, layers[-1] - 1)
            case "regenerate":
                # data_seed has no field (nor an error line) in the panel: set it directly.
                self.config = self.config.replace(data_seed=(self.config.data_seed + 1) % (2**32))
                self.post_message(self.RegenerateData())
                return
            case _:
                return
        acts = list(self.config.layer_activations)
        if acts:
            # Keep one activation per layer: a new layer repeats the last one.
            acts = (acts + [acts[-1]] * len(layers))[: len(layers)]
            try:
                self.load_config(self.config.replace(layers=tuple(layers), layer_activations=tuple(acts)))
            except ConfigError:
                return
            self._changed("layers")
            return
        self.set_field("layers", tuple(layers))

    # -- from the app -----------------------------------------------------------------

    @property
    def composing(self) -> bool:
        """Are the fields of a deferred panel being composed (mounted) now?"""
        return self._composing

    async def build(self, between: Callable[[], Awaitable[object]] | None = None) -> None:
        """Compose the fields of a deferred panel, showing the config it holds by now.

        ``ROWS_PER_PAINT`` rows at a time, ``between`` awaited after each batch: Textual paints
        nothing while widgets are mounted in a batch, and all the fields in one batch kept the screen
        still (the step counter of a run started meanwhile included) for ~0.3 s, 2-4 s on a busy machine."""
        if self.deferred:
            self.deferred = False
            # A key (R) while the fields are being composed changes the config, not a field that
            # is not there yet (set_field looked one up and failed); the fields then show it.
            self._composing = True
            shown = self.config
            try:
                for start in range(0, len(LAYOUT), ROWS_PER_PAINT):
                    if not self.is_attached:  # the app is ending: no more rows
                        break
                    async with self.batch():
                        rows = LAYOUT[start : start + ROWS_PER_PAINT]
                        await self.mount_all([widget for name, label in rows for widget in self._row(name, label)])
                    if between is not None:
                        await between()
            finally:
                self._composing = False
            if self.config != shown:
                self.load_config(self.config)

    def set_field(self, name: str, value: Any) -> None:
        """Show ``value`` in the field's control and apply it (a select applies through its change event)."""
        if self.deferred or self._composing:
            new = self.config.replace(**{name: value})
            if new != self.config:
                self.config = new
                self._changed(name)
            return
        if name == "features":
            sl = self.query_one("#field-features", SelectionList)
            with self.prevent(SelectionList.SelectedChanged):
                sl.deselect_all()
                for f in value:
                    sl.select(f)
            self._apply(name, tuple(value))
            return
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            widget.value = value
        elif isinstance(widget, Input):
            with self.prevent(Input.Changed):
                widget.value = format_value(name, value)
            self._apply(name, value)

    def load_config(self, config: TrainConfig) -> None:
        """Show every value of ``config`` (after a load or a preset) without re-posting them."""
        self.config = config
        # A whole new config supersedes a CSV file still being read, and what waited for it.
        self._csv_reading = None
        self._after_csv = []
        if self.deferred or self._composing:  # build() shows it once the fields exist
            return
        for name, _ in LAYOUT:
            if name == "#":
                continue
            widget = self.query_one(f"#field-{name}")
            value = getattr(config, name)
            if isinstance(widget, Select):
                with self.prevent(Select.Changed):
                    widget.value = value
            elif isinstance(widget, SelectionList):
                with self.prevent(SelectionList.SelectedChanged):
                    widget.deselect_all()
                    for f in value:
                        widget.select(f)
            elif isinstance(widget, Input):
                with self.prevent(Input.Changed):
                    widget.value = format_value(name, value)
            self.query_one(f"#error-{name}", Static).remove_class("-shown")

    def show_pending(self, names: tuple[str, ...]) -> None:
        if names != self._pending:
            self._pending = names
            self.query_one("#pending", Static).update(pending_text(names))


def pending_text(names: tuple[str, ...]) -> str:
    """The settings waiting for a reset, by the labels the panel shows them under."""
    labels = {name: label for name, label in LAYOUT if name != "#"}
    return "pending until reset (r): " + ", ".join(labels.get(n, n.replace("_", " ")) for n in names) if names else ""
