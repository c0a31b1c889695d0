"""Random keys, mouse events and resizes for the running app, and the driver that sends them.

Shared by the CI fuzz test (``tests/tui/test_fuzz_session.py``: a few hundred events) and
the soak (``benchmarks/soak.py``: the same stream for minutes). It lives here rather than
under ``tests/``: a benchmark script cannot import a test module reliably (``tests`` is no
package), while pytest puts the repository root on ``sys.path`` (``pythonpath = ["."]``),
so the test imports ``benchmarks.fuzz_events`` as a namespace package.

Events are plain data drawn from a seeded ``random.Random``: the same seed gives the same
stream. ``Fuzzer`` sends them the way the terminal driver does (keys, mouse events and
resizes posted to the app) and waits only until the app has handled them. ``Pilot.press``
and ``Pilot.click`` also wait for an idle CPU, which never comes while the trainer thread
runs flat out: a second per key.

Modal screens that a key opens are answered: a save or load prompt gets a path in
``workdir`` (good, missing, garbage, or with markup characters), a weight's value prompt gets
a number or junk, help and explain get a random key and then escape, and the command
palette is closed at once (its enter could run "Quit").
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import unicodedata
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from textual import events
from textual.command import CommandPalette
from textual.geometry import Size
from textual.pilot import Pilot, _get_mouse_message_arguments
from textual.screen import ModalScreen
from textual.widgets import Input

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.app.app import NNPlayApp
from nnplay.tui.app.main_screen import MIN_SIZE
from nnplay.tui.screens.text_prompt import TextPrompt
from nnplay.tui.widgets.scatter_plot import ScatterPlot

# Every key the app binds except quit, plus the keys that move focus and drive the panel and diagram.
EXCLUDED_KEYS = frozenset({"q"})
EXTRA_KEYS = ("tab", "shift+tab", "escape", "enter", "left_square_bracket", "right_square_bracket", "0", "minus",
              "ctrl+p")  # fmt: skip
KEYS: tuple[str, ...] = tuple(
    dict.fromkeys([b.key for b in NNPlayApp.BINDINGS if b.key not in EXCLUDED_KEYS] + list(EXTRA_KEYS))
)
# Keys that open a screen built from Markdown or a list of commands cost most of a second each:
# drawn a fifth as often, so a few hundred events stay quick and still open each a few times.
SLOW_KEYS = frozenset({"question_mark", "x", "ctrl+p"})
KEY_WEIGHTS = tuple(0.2 if key in SLOW_KEYS else 1.0 for key in KEYS)
WIDTHS = (40, 160)
HEIGHTS = (12, 50)
WAITS = (0.0, 0.005, 0.02, 0.05)
CLOSE_WAIT = 10.0  # seconds for a modal screen to leave the top after a key that closes it

# Error notifications a user can cause on purpose; anything else is a bug.
EXPECTED_ERRORS = (
    r"diverged at step",  # typed a huge learning rate, or a weight
    r"^not loaded: ",  # loaded a missing or garbage file
    r"^not changed: ",  # typed junk as a weight
    r"^could not save ",  # saved into a missing folder
    r"^class \d+ does not exist",  # edit mode: a digit with no such class
    r"^the last training point cannot be removed",
)


@dataclass(frozen=True)
class Event:
    kind: str  # "key", "click", "scroll", "resize", "wait"
    key: str = ""
    x: float = 0.0  # fractions of the screen for mouse events
    y: float = 0.0
    width: int = 0
    height: int = 0
    seconds: float = 0.0
    up: bool = False

    def __str__(self) -> str:
        if self.kind == "key":
            return f"key {self.key}"
        if self.kind in ("click", "scroll"):
            return f"{self.kind} at ({self.x:.2f}, {self.y:.2f}) of the screen"
        if self.kind == "resize":
            return f"resize to {self.width}x{self.height}"
        return f"wait {self.seconds:g} s"


def event_stream(seed: int, count: int | None = None) -> Iterator[Event]:
    """``count`` random events (endless with None), the same ones for the same seed."""
    rng = random.Random(seed)
    n = 0
    while count is None or n < count:
        n += 1
        r = rng.random()
        if r < 0.66:
            yield Event("key", key=rng.choices(KEYS, KEY_WEIGHTS)[0])
        elif r < 0.76:
            yield Event("click", x=rng.random(), y=rng.random())
        elif r < 0.80:
            yield Event("scroll", x=rng.random(), y=rng.random(), up=rng.random() < 0.5)
        elif r < 0.88:
            yield Event("resize", width=rng.randint(*WIDTHS), height=rng.randint(*HEIGHTS))
        else:
            yield Event("wait", seconds=rng.choice(WAITS))


def key_character(key: str) -> str | None:
    """The character a terminal sends with ``key`` (as ``App._press_keys`` works it out)."""
    from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key

    try:
        return unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        return key if len(key) == 1 else None


class StepCounter:
    """Counts every optimiser update any Trainer makes while active (the trainer is replaced on reset)."""

    def __init__(self) -> None:
        self.steps = 0
        self._original = None

    def __enter__(self) -> StepCounter:
        original = self._original = Trainer.step
        counter = self

        def step(trainer: Trainer, n: int = 1) -> int:
            done = original(trainer, n)
            counter.steps += done
            return done

        Trainer.step = step  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        Trainer.step = self._original  # type: ignore[method-assign]


@dataclass
class Fuzzer:
    pilot: Pilot
    workdir: Path
    seed: int = 0
    events_done: int = 0
    notifications: list[tuple[str, str]] = field(default_factory=list)
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=12))  # for the report of a failure
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed + 1)
        (self.workdir / "garbage.npz").write_bytes(b"PK\x03\x04 not really a zip")
        app = self.app
        original = app.notify

        def notify(message: str, **kwargs) -> None:
            self.notifications.append((kwargs.get("severity", "information"), str(message)))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    @property
    def app(self) -> NNPlayApp:
        return self.pilot.app  # type: ignore[return-value]

    def history(self) -> str:
        return "\n".join(self.recent)

    def unexpected_errors(self) -> list[str]:
        return [
            text
            for severity, text in self.notifications
            if severity == "error" and not any(re.search(p, text) for p in EXPECTED_ERRORS)
        ]

    # -- sending events ------------------------------------------------------------------

    async def settle(self) -> None:
        await self.pilot._wait_for_screen()

    async def key(self, key: str) -> None:
        self.app.post_message(events.Key(key, key_character(key)))
        await self.settle()

    async def mouse(self, kinds: tuple[type[events.MouseEvent], ...], x: int, y: int, button: int) -> None:
        app = self.app
        screen = app.screen
        x = min(max(x, 0), screen.size.width - 1)
        y = min(max(y, 0), screen.size.height - 1)
        try:
            widget, _ = screen.get_widget_at(x, y)
        except Exception:  # no widget there (mid-resize): the event goes to the screen
            widget = None
        if getattr(widget, "action", None) in ("app.quit", "quit"):
            return  # the footer's "q Quit": quitting is the one thing the fuzz must not do
        arguments = _get_mouse_message_arguments(screen, (x, y), button=button)
        for kind in kinds:  # posted to the app, which sends each to the screen on top when it takes it
            app.post_message(kind(**arguments))
        await self.settle()

    async def resize(self, width: int, height: int) -> None:
        app = self.app
        size = Size(width, height)
        app._driver._size = size  # the headless driver's terminal size
        app.post_message(events.Resize(size, size))
        await self.settle()

    async def send(self, event: Event) -> None:
        width, height = self.app.size
        self.recent.append(f"{self.events_done}: {event} (on {type(self.app.screen).__name__} at {width}x{height})")
        if event.kind == "key":
            await self.key(event.key)
        elif event.kind == "click":
            kinds = (events.MouseDown, events.MouseUp)  # the app makes the click of the two
            await self.mouse(kinds, int(event.x * width), int(event.y * height), 1)
        elif event.kind == "scroll":
            kind = events.MouseScrollUp if event.up else events.MouseScrollDown
            await self.mouse((kind,), int(event.x * width), int(event.y * height), 0)
        elif event.kind == "resize":
            await self.resize(event.width, event.height)
        else:
            await asyncio.sleep(event.seconds)
        await self.answer_modals()
        self.events_done += 1
        self.check_invariants()

    def check_invariants(self) -> None:
        """What must hold after every event: the app runs, and its main screen knows the terminal's size."""
        app = self.app
        if not app.is_running:
            raise AssertionError(f"the app stopped after event {self.events_done}; last events:\n" + self.history())
        width, height = app.size
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        if app.screen_stack[0].has_class("-too-small") != too_small:
            raise AssertionError(
                f"at {width}x{height} the main screen {'does not say' if too_small else 'says'} it is too small; "
                "last events:\n" + self.history()
            )

    async def answer_modals(self) -> None:
        """Deal with whatever screen a key opened, so the stream goes on to the main screen."""
        for attempt in range(6):
            screen = self.app.screen
            if not isinstance(screen, ModalScreen):
                return
            if attempt == 0 and self.rng.random() < 0.25:  # the terminal changes size under the modal
                await self.resize(self.rng.randint(*WIDTHS), self.rng.randint(*HEIGHTS))
            if isinstance(screen, TextPrompt):
                field = await self.mounted(screen, Input)
                if field is None:
                    continue  # the prompt closed before it was answered
                field.value = self.prompt_answer(screen.title_text)
                field.focus()
                await self.settle()
                if attempt == 0:
                    await self.key("enter")
                else:  # the key went elsewhere (focus still moving): submit the field itself
                    await field.action_submit()
                    await self.settle()
            elif isinstance(screen, CommandPalette):
                await self.key("escape")
            else:  # help or explain: one of their keys, then close
                if self.rng.random() < 0.5:
                    await self.key(self.rng.choice(("x", "down", "up", "tab", "enter", "pagedown")))
                await self.key("escape")
            await self.off_top(screen)
        raise AssertionError(f"a modal screen would not close: {self.app.screen!r}; last events:\n" + self.history())

    async def off_top(self, screen) -> None:
        """Until ``screen`` is no longer on top (a screen closes after the key's message is handled,
        which a loaded machine may take seconds to do), or ``CLOSE_WAIT`` seconds: then try again."""
        deadline = time.monotonic() + CLOSE_WAIT
        while self.app.screen is screen and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def mounted(self, screen: ModalScreen, kind: type[Input]) -> Input | None:
        """The screen's widget of that kind, once the just pushed screen has composed it
        (None if the screen has left the stack meanwhile). A loaded machine may take seconds."""
        for _ in range(1000):
            if screen not in self.app.screen_stack:
                return None
            found = screen.query(kind)
            if found:
                return found.first()
            await asyncio.sleep(0.005)
        raise AssertionError(f"{screen!r} never showed its {kind.__name__}")

    def prompt_answer(self, title: str) -> str:
        rng, work = self.rng, self.workdir
        if title.startswith("Save"):
            return str(work / rng.choice(("fuzz.npz", "fuzz.npz", "fuzz[b].npz", "missing/fuzz.npz")))
        if title.startswith("Load"):
            return str(work / rng.choice(("fuzz.npz", "fuzz[b].npz", "garbage.npz", "none.npz", "[/]")))
        return rng.choice(("0.5", "-2", "1e9", "nan", "abc", "[/]", "[b]x", "", "1e-3"))

    async def run(self, stream: Iterator[Event]) -> None:
        for event in stream:
            await self.send(event)

    # -- back to a known state -------------------------------------------------------------

    async def back_to_normal(self, size: tuple[int, int] = (120, 40), preset: str = "circle") -> None:
        """No modal, the live view with its toggles as at start, no data editing, the preset's config
        and data everywhere, paused."""
        app = self.app
        # Keys typed while the app starts are held until its panel is up, then handed on in order
        # (tui/keys/pacing.py): the stream's first keys may still be on their way.
        await wait_until(lambda: not app.key_hold.holding, "the keys typed during start-up to be handed on")
        await self.answer_modals()
        await self.resize(*size)
        if app.view.editing:
            app.action_edit_data()
        if app.view.hidden:
            app.action_view("hidden_space")
        app.action_view("live")
        # The view's toggles as the app starts: test points, colours by prediction and the box's
        # other views change what the plot draws and how much room its legend takes.
        app.set_view(
            discretize=False, show_test=False, by_prediction=False, diagram=True, evolution=False, landscape=False
        )
        app.query_one("#diagram").focus()
        # A new run on the same data keeps the data as the stream edited it (points removed in
        # edit mode stay removed): another preset's data first, so the preset's run has its own.
        app.apply_preset("xor" if preset != "xor" else "circle")
        app.apply_preset(preset)
        await self.settle()
        config = PRESETS[preset].config()
        await wait_until(
            lambda: not app.channel.running and app.channel.latest.step == 0 and app.channel.latest.config == config,
            "the preset's reset to land",
        )

    async def check_trains(self) -> None:
        """n makes one step; space trains on and on; the numbers stay finite."""
        app = self.app
        step = app.channel.latest.step
        await self.key("n")
        await wait_until(lambda: app.channel.latest.step == step + 1, "n to make one step")
        await self.key("space")
        await wait_until(lambda: app.channel.latest.step > step + 50, "space to train")
        first = app.channel.latest.step
        await wait_until(lambda: app.channel.latest.step > first, "training to go on")
        await self.key("space")
        await wait_until(lambda: not app.channel.running, "space to pause")
        assert np.isfinite(app.channel.latest.network.params).all()

    async def plot_braille(self) -> int:
        """Braille dots (U+2801..U+28FF) in the plot as drawn now, after a fresh frame."""
        app = self.app
        assert app.size.width >= MIN_SIZE[0] and app.size.height >= MIN_SIZE[1]
        app.draw_frame()
        await self.settle()
        plot = app.query_one(ScatterPlot)
        text = "".join(plot.render_line(y).text for y in range(plot.size.height))
        return sum(1 for ch in text if 0x2801 <= ord(ch) <= 0x28FF)


async def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.01)
