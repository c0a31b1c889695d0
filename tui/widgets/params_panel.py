"""The parameter side panel: every knob of the engine, validated as you type.

The panel owns the *pending* ``TrainConfig``: a value reaches it only after
``core.config`` accepts it, so the trainer never sees an invalid setting. An invalid
entry shows the reason under its field and the last good value stays in force.
"""

from __future__ import annotations

import re
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from nnplay.core.config import FIELDS, MAX_LAYERS, ConfigError, TrainConfig, parse_value
from nnplay.core.features import FEATURES
from nnplay.tui.widgets.ordered_input import OrderedInput

LR_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PANEL_MAX_NEURONS = 16  # the diagram stays readable up to here; the CLI allows more

# (field, label) in panel order; section titles start with "#".
LAYOUT: tuple[tuple[str, str], ...] = (
    ("#", "data"),
    ("dataset", "dataset"),
    ("csv_path", "csv file"),
    ("noise", "noise"),
    ("train_size", "train size"),
    ("test_ratio", "test ratio"),
    ("features", "features"),
    ("#", "network"),
    ("layers", "hidden"),
    ("activation", "activation"),
    ("layer_activations", "per layer"),
    ("output", "output"),
    ("loss", "loss"),
    ("init", "init"),
    ("seed", "seed"),
    ("#", "training"),
    ("lr", "learn rate"),
    ("schedule", "schedule"),
    ("optimizer", "optimizer"),
    ("momentum", "momentum"),
    ("l1", "L1"),
    ("l2", "L2"),
    ("dropout", "dropout"),
    ("batch_size", "batch size"),
    ("iterations", "iterations"),
    ("epochs", "stop epoch"),
    ("target_loss", "stop loss"),
    ("points_to_classify", "classify n"),
)
RESTRICT = {"int": r"[0-9]*", "float": r"[0-9eE.+-]*", "layers": r"[0-9, ]*", "activations": r"[a-z_, ]*"}


def format_value(name: str, value: Any) -> str:
    if name in ("layers", "layer_activations"):
        return ",".join(map(str, value)) if value else ""
    if name == "csv_path":
        return value or ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class FieldValidator(Validator):
    """Checks text with the same rules as the CLI and the config (core.config.parse_value)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def validate(self, value: str) -> ValidationResult:
        if self.name in ("layers", "layer_activations") and not value.strip():
            return self.success()
        try:
            parse_value(self.name, value)
        except ConfigError as exc:
            if self.name == "layers":
                return self.failure(f"sizes 1..{PANEL_MAX_NEURONS}, up to {MAX_LAYERS} layers")
            return self.failure(exc.allowed)
        if self.name == "layers" and any(s > PANEL_MAX_NEURONS for s in parse_value("layers", value)):
            return self.failure(f"at most {PANEL_MAX_NEURONS} neurons per layer in the app")
        return self.success()


class FieldInput(OrderedInput):
    """An Input bound to one config field; the learning rate steps along a ladder with up/down."""

    BINDINGS = [
        Binding("up", "ladder(1)", "faster", show=False),
        Binding("down", "ladder(-1)", "slower", show=False),
    ]

    def __init__(self, field: str, value: str) -> None:
        kind = FIELDS[field].kind
        super().__init__(
            value,
            id=f"field-{field}",
            validators=[FieldValidator(field)] if field != "csv_path" else [],
            restrict=RESTRICT.get(kind),
            compact=True,
            placeholder={"layers": "none", "csv_path": "path.csv", "layer_activations": "same for all"}.get(field, ""),
        )
        self.field = field

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Take only the characters this field can hold, so the app's keys work while it has focus."""
        if character is None or not character.isprintable():
            return False
        if self.restrict is None or self.field == "layer_activations":
            return True  # free text: a path, or activation names
        return character != " " and re.fullmatch(self.restrict, character) is not None

    def action_ladder(self, direction: int) -> None:
        if self.field != "lr":
            self.screen.focus_next() if direction < 0 else self.screen.focus_previous()
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


class ParamsPanel(VerticalScroll):
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
    """

    class ConfigChanged(Message):
        """A field changed to a valid value; ``config`` is the new pending configuration."""

        def __init__(self, config: TrainConfig, field: str) -> None:
            super().__init__()
            self.config = config
            self.field = field

    class RegenerateData(Message):
        pass

    def __init__(self, config: TrainConfig, *, deferred: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = config
        # Deferred: the fields (most of the app's widgets) are composed only when build() is called,
        # so the plot reaches the screen first. Until then the panel keeps config and pending itself.
        self.deferred = deferred
        self._composing = False
        self._pending: tuple[str, ...] = ()
        # field -> the value in force when the user started typing into it. Each valid keystroke
        # applies (typing "500" applies 5, then 50): a refused result goes back to this value.
        self._edit_start: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static(pending_text(self._pending), id="pending")
        if self.deferred:
            return
        for name, label in LAYOUT:
            if name == "#":
                yield Label(label, classes="section")
                continue
            spec = FIELDS[name]
            value = getattr(self.config, name)
            if name == "features":
                yield Label("features (enter toggles)", classes="row")
                yield SelectionList[str](
                    *[(title, key, key in self.config.features) for key, title in FEATURES.items()],
                    id="field-features",
                )
            elif spec.kind == "choice":
                with Horizontal(classes="row"):
                    yield Label(label)
                    # No type-to-search: letters are the app's keys.
                    yield Select(
                        [(c, c) for c in spec.choices],
                        value=value,
                        allow_blank=False,
                        id=f"field-{name}",
                        compact=True,
                        type_to_search=False,
                    )
            else:
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield FieldInput(name, format_value(name, value))
            yield Static("", id=f"error-{name}", classes="error")
            if name == "layers":
                with Horizontal(classes="buttons"):
                    yield Button("+layer", id="add-layer", compact=True)
                    yield Button("-layer", id="remove-layer", compact=True)
                    yield Button("+n", id="more-neurons", compact=True)
                    yield Button("-n", id="fewer-neurons", compact=True)
            if name == "features":
                yield Button("regenerate data", id="regenerate", compact=True)

    # -- applying values ------------------------------------------------------------

    def _apply(self, name: str, value: Any) -> bool:
        """Try ``name = value``; on failure show why and keep the old value. True if applied."""
        error = self.query_one(f"#error-{name}", Static)
        try:
            new = self.config.replace(**{name: value})
        except ConfigError as exc:
            old = format_value(name, getattr(self.config, name))
            error.update(f"✗ {exc.allowed} (keeping {old or 'none'})")
            error.add_class("-shown")
            return False
        error.remove_class("-shown")
        if new != self.config:
            self.config = new
            self.post_message(self.ConfigChanged(new, name))
        return True

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        field = getattr(event.input, "field", None)
        if field is None:
            return
        event.stop()
        if field == "csv_path":
            return  # a path is checked when applied (enter), not on every keystroke
        error = self.query_one(f"#error-{field}", Static)
        result = event.validation_result
        start = self._edit_start.setdefault(field, getattr(self.config, field)) if event.input.has_focus else None
        if result is not None and not result.is_valid:
            if start is not None and getattr(self.config, field) != start:
                self._apply(field, start)  # undo what the keystrokes before this one applied
            old = format_value(field, getattr(self.config, field))
            error.update(f"✗ {'; '.join(result.failure_descriptions)} (keeping {old or 'none'})")
            error.add_class("-shown")
            return
        text = event.value.strip()
        value = () if field in ("layers", "layer_activations") and not text else parse_value(field, text)
        self._apply(field, value)

    @on(Input.Blurred)
    def _input_left(self, event: Input.Blurred) -> None:
        self._edit_start.pop(getattr(event.input, "field", None), None)  # the next edit starts from here

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        self._edit_start.pop(getattr(event.input, "field", None), None)
        if getattr(event.input, "field", None) == "csv_path":
            event.stop()
            path = event.value.strip()
            if path:
                self._apply_csv(path)

    def _apply_csv(self, path: str) -> None:
        from nnplay.core.datasets import DatasetError, load_csv

        error = self.query_one("#error-csv_path", Static)
        try:
            load_csv(path)
        except DatasetError as exc:
            error.update(f"✗ {exc}")
            error.add_class("-shown")
            return
        error.remove_class("-shown")
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
                layers.append(min(layers[-1], PANEL_MAX_NEURONS) if layers else 4)
            case "remove-layer" if layers:
                layers.pop()
            case "more-neurons" if layers and layers[-1] < PANEL_MAX_NEURONS:
                layers[-1] += 1  # a wider layer (from the CLI or a file) is left alone, not cut to the cap
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
            self.post_message(self.ConfigChanged(self.config, "layers"))
            return
        # Apply now, not through the input's Changed event: a second click handled before that
        # event would start from the old layers and be lost.
        with self.prevent(Input.Changed):
            self.set_field("layers", tuple(layers))
        self._apply("layers", tuple(layers))

    # -- from the app -----------------------------------------------------------------

    async def build(self) -> None:
        """Compose the fields of a deferred panel, showing the config it holds by now."""
        if self.deferred:
            self.deferred = False
            # A key (R) while the fields are being composed changes the config, not a field that
            # is not there yet (set_field looked one up and failed); the fields then show it.
            self._composing = True
            shown = self.config
            try:
                await self.recompose()
            finally:
                self._composing = False
            if self.config != shown:
                self.load_config(self.config)

    def set_field(self, name: str, value: Any) -> None:
        """Show ``value`` in the field's control (the control's change event applies it)."""
        if self.deferred or self._composing:
            new = self.config.replace(**{name: value})
            if new != self.config:
                self.config = new
                self.post_message(self.ConfigChanged(new, name))
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
            widget.value = format_value(name, value)

    def load_config(self, config: TrainConfig) -> None:
        """Show every value of ``config`` (after a load or a preset) without re-posting them."""
        self.config = config
        self._edit_start.clear()
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
