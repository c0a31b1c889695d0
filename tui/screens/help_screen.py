"""The help screen: every control, and the ideas behind them in a few lines each.

The text is Markdown (the key table comes from ``tui/keys/key_table.py``), parsed once and rendered to
lines once per width: opening the help draws cached lines instead of laying out a Markdown
document of some two hundred widgets each time ``?`` is pressed. The screen is built once per app
and kept (installed), and once the app is up ``prepare_help`` renders the lines at the width the
help will open at, on a thread of its own: the first ``?`` finds them ready. Rich's Markdown (and
the Pygments it brings) is imported only then, so this module costs the start-up nothing.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget

from nnplay.tui.keys.key_table import markdown_table

if TYPE_CHECKING:
    from rich.markdown import Markdown

HELP_SCREEN = "help"  # the name the app's one help screen is installed under
# The help's box: a share of the screen's width up to a limit, less its border, padding and scroll bar.
BOX_SHARE, BOX_MAX, BOX_FRAME, SCROLLBAR = 90, 100, 4, 2

HELP_TEXT = """\
# nnplay help

**Keys.** While you type in a field, every printable key is part of what you type: `enter`
or `tab` applies it (a value that cannot be used is refused under the field, and the value in
force stays), `escape` puts the value in force back; then the letters are the app's keys again.
While typing, `f5` runs and pauses, `f1` opens this help, `ctrl+s` saves and `ctrl+q` quits.
`escape`, `?` or `q` closes this help.

{KEY_TABLE}

In the **diagram** (its border lights up when it has the keys; `shift+tab` from the panel's
first field): arrows pick a neuron, `[` and `]` pick one of its incoming weights,
`escape` goes back to the neuron; clicking works too; `enter` types a new value for the
selected weight or bias and the plot follows at once. The line under the diagram shows
the exact value and its trajectory over the run.

The **loss curves** (train and test) span the whole recorded run on a log scale, so a fall
from 0.8 to 0.0001 stays visible; the number beside each is the latest loss. The status line
shows the step, epoch, speed, both losses and accuracies, and the learning rate in force.

Beside the loss: the test set's **confusion matrix** (rows: true class, columns:
predicted) and each class's accuracy; R² for regression.

In the **learning-rate** field, `up`/`down` step along 0.00001 ... 10.

**The plot.** The data plane is drawn square (`--cell-aspect` if your font's cells are not
twice as tall as wide). Each cell's background is the class the network predicts there;
the stronger the shade, the more confident it is. The dots are the training points in the
colour of their *true* class (TensorFlow Playground's convention), so a dot on a
background of another colour is a mistake; misclassified points are also underlined and
bold (while more than two thirds are wrong, the right ones instead: the legend says which).
A few points (up to 40) are drawn as `●`; test points as `◦`. The legend under the
plot names each colour; `p` colours the points by prediction instead.

**The diagram.** Blue solid lines are positive weights, orange dashed ones negative; the
brighter, the larger |w| (the legend gives the scale). The selected neuron's lines stay
bright and the rest fade; a selected weight is the one white line. `k` keeps only each
neuron's strongest incoming links (on by itself when the mesh would be solid). The square
left of a neuron is its bias; where there is room, each neuron shows a tiny heatmap of its
own output over the input plane.

# The ideas

**Neuron.** Adds up its inputs times their weights, plus a bias, then applies an
activation function. **Sigmoid** squashes any number into (0, 1): 1/(1+e^-z).
**tanh** squashes into (-1, 1) and is centred on 0, which often trains faster.
**relu** is max(0, z): cheap, does not saturate for z > 0, but can "die" at 0.

**Learning rate.** Each step moves every weight against its gradient, scaled by the
learning rate. Too small: nothing seems to happen (the article's 0.01). Too large: the
loss jumps around or the run *diverges* (nnplay pauses and keeps the last good weights).

**Why a hidden layer.** Without one the network can only draw straight boundaries
(the article's version 1 is enough for quadrants). Circles, xor and spirals need
hidden neurons: each one bends the boundary a little, and the next layer combines them.

**Backpropagation.** The error at the output times the output activation's slope gives
each output neuron's delta; a hidden neuron's delta is the weighted sum of the deltas it
feeds, times *its own* slope. The article's version 2 dropped the output slope, which is
why it trained worse than version 1. The panel's *backprop* field (`--backprop`) can
train with that flawed rule, `article-v2`, to see it: the status line then says
**FLAWED backprop**; the bias updates skip the slopes too, as the article's did.
nnplay's gradients are checked against finite
differences and an independent autograd in its tests.

**Overfitting and the test loss.** The test points are never trained on. When the
training loss keeps falling while the test loss rises, the network is memorising the
training points instead of learning the pattern: use more data, fewer neurons, L2
regularisation, or stop earlier.

**Batch size.** 1 updates after every sample (the article's way: noisy but quick);
larger batches average the gradient over more samples (smoother, fewer steps per epoch).
A batch larger than the training set is the whole set (full-batch gradient descent).

**Dropout.** While training, each hidden neuron is switched off at random with the given
probability (the others scaled up to compensate), so no neuron can rely on another: a
cheap guard against overfitting. It is off when the network is evaluated or drawn.

**Schedules.** *step* halves the learning rate at 25, 50 and 75 % of *iterations*;
*cosine* lowers it smoothly to zero: big steps early, fine ones at the end. After
*iterations* steps the rate stays where the schedule ended (zero for cosine).

**Optimisers.** *momentum* keeps a running sum of past gradients so steps build up speed
along consistent directions; *adam* also scales each weight's step by its recent gradient
size. **L1/L2** add a pull of every weight toward zero (biases are left alone).
"""
HELP = HELP_TEXT.replace("{KEY_TABLE}", markdown_table())


@cache
def _document() -> Markdown:
    from rich.markdown import Markdown  # with Pygments: ~40 ms of imports the first frame does not need

    return Markdown(HELP, code_theme="ansi_dark", inline_code_lexer=None)


@cache
def help_lines(width: int) -> tuple[Strip, ...]:
    """The help rendered ``width`` cells wide: Rich lays out the table with a gap between every
    key and its words, and the result is kept for the next time the help opens at this width."""
    width = max(width, 20)
    console = Console(width=width, color_system="truecolor", force_terminal=True, legacy_windows=False)
    lines = console.render_lines(_document(), console.options.update_width(width), pad=True)
    # Every segment gets a style: Textual's NO_COLOR filter reads each segment's style's colour.
    styled = ([Segment(text, style or Style(), control) for text, style, control in line] for line in lines)
    return tuple(Strip(Segment.simplify(line), width) for line in styled)


_rendering = threading.Lock()  # one rendering at a time: a ? during prepare_help's waits for its lines


def lines_at(width: int) -> tuple[Strip, ...]:
    """``help_lines(width)``, rendered once even when the UI thread and ``prepare_help``'s ask together."""
    with _rendering:
        return help_lines(width)


def text_width(screen_width: int) -> int:
    """The width the help's text is laid out at on a screen ``screen_width`` cells wide (HelpScreen's CSS)."""
    return min(screen_width * BOX_SHARE // 100, BOX_MAX) - BOX_FRAME - SCROLLBAR


def prepare_help(app: App) -> threading.Thread:
    """Build the app's help screen before ``?`` asks for it: installed, and its lines rendered on a
    thread of their own (the UI thread stays free for keys meanwhile) at the widths its layout asks
    for: without a scroll bar (is the text taller than the box?), then with one."""
    installed(app)
    width = text_width(app.size.width)
    widths = (width + SCROLLBAR, width)
    thread = threading.Thread(target=lambda: [lines_at(w) for w in widths], name="help", daemon=True)
    thread.start()
    return thread


def show_help(app: App) -> None:
    """``?``: the app's one help screen, built on the first press (or by ``prepare_help``) and kept."""
    app.push_screen(installed(app))


def installed(app: App) -> str:
    """The name of the app's help screen, installed (made) if it is not yet."""
    if not app.is_screen_installed(HELP_SCREEN):
        app.install_screen(HelpScreen(), HELP_SCREEN)
    return HELP_SCREEN


class HelpText(Widget):
    """The rendered help, as cached lines (Textual's line API)."""

    DEFAULT_CSS = "HelpText { height: auto; }"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(lines_at(width))

    def render_line(self, y: int) -> Strip:
        lines = lines_at(self.size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.size.width)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = f"""
    HelpScreen {{ align: center middle; background: $background; }}
    HelpScreen > VerticalScroll {{
        width: {BOX_SHARE}%; max-width: {BOX_MAX}; height: 90%; border: thick $primary; background: $surface;
        padding: 0 1;
    }}
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close"),
        Binding("q", "dismiss", "Close"),
    ]
    AUTO_FOCUS = "VerticalScroll"  # so up/down/pgup/pgdn scroll the help at once

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield HelpText()

    def on_screen_resume(self) -> None:
        for scroll in self.query(VerticalScroll):  # opened again: at the top, as the first time
            scroll.scroll_home(animate=False, immediate=True)
