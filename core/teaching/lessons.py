"""Guided lessons as data: a setup, a few lines to read, tasks checked from snapshots.

A ``Task``'s goal reads one ``Snapshot`` (its config, metrics and loss history) and says
whether it is met, with the measured numbers behind the answer. The app checks the goals
on every frame it draws; ``core.teaching.lesson_player`` plays each lesson's reference solution
headless, so every lesson is known to be solvable as written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnplay.core.data.features import feature_matrix
from nnplay.core.run.trainer import HISTORY_FIELDS, Snapshot, targets_for
from nnplay.core.settings.config import TrainConfig
from nnplay.core.settings.presets import PRESETS

STEP = HISTORY_FIELDS.index("step")
TRAIN_LOSS = HISTORY_FIELDS.index("train_loss")
TEST_LOSS = HISTORY_FIELDS.index("test_loss")


@dataclass(frozen=True)
class Check:
    met: bool
    detail: str  # the measured numbers the answer rests on


@dataclass(frozen=True)
class Task:
    key: str  # stable name, kept in the progress file
    text: str
    hint: str
    goal: Callable[[Snapshot], Check]


@dataclass(frozen=True)
class Move:
    """One step of a reference solution: change settings, maybe reset, then train."""

    changes: dict[str, Any] = field(default_factory=dict)
    reset: bool = False  # r: back to the first weights (a new network if the changes need one)
    train: int = 0  # optimiser updates, recorded as the app's t records them


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    text: tuple[str, ...]
    preset: str
    overrides: dict[str, Any]
    tasks: tuple[Task, ...]
    solution: tuple[Move, ...]

    def config(self) -> TrainConfig:
        """The setup the lesson starts from."""
        return PRESETS[self.preset].config(**self.overrides)


# -- measuring a snapshot -----------------------------------------------------------------


def _pct(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x * 100:.1f}%"


def _num(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.3g}"


def lowest_test_loss(snap: Snapshot) -> tuple[float, float]:
    """(lowest recorded test loss, training loss at that moment); nan when nothing is recorded."""
    rows = snap.history
    if not len(rows) or not np.isfinite(rows[:, TEST_LOSS]).any():
        return math.nan, math.nan
    i = int(np.nanargmin(rows[:, TEST_LOSS]))
    return float(rows[i, TEST_LOSS]), float(rows[i, TRAIN_LOSS])


def accuracy_goal(target: float, when: Callable[[TrainConfig], bool], needs: str) -> Callable[[Snapshot], Check]:
    """Met when the test accuracy reaches ``target`` in a setup that ``when`` accepts."""

    def goal(snap: Snapshot) -> Check:
        acc = snap.metrics.test_accuracy
        fits = when(snap.config)
        detail = f"test acc {_pct(acc)} (goal ≥ {target:.0%})" + ("" if fits else f"; needs {needs}")
        return Check(fits and math.isfinite(acc) and acc >= target, detail)

    return goal


def stays_low_goal(
    ceiling: float, steps: int, when: Callable[[TrainConfig], bool], needs: str
) -> Callable[[Snapshot], Check]:
    """Met when, after ``steps`` updates, the test accuracy is still below ``ceiling`` (a setup that fails)."""

    def goal(snap: Snapshot) -> Check:
        acc = snap.metrics.test_accuracy
        fits = when(snap.config)
        detail = f"step {snap.step:,}/{steps:,}, test acc {_pct(acc)} (stays < {ceiling:.0%})"
        if not fits:
            detail += f"; needs {needs}"
        return Check(fits and snap.step >= steps and math.isfinite(acc) and acc < ceiling, detail)

    return goal


def _no_hidden(c: TrainConfig) -> bool:
    return not c.layers


# -- the lessons --------------------------------------------------------------------------


def _v2_flawed(snap: Snapshot) -> Check:
    c, acc = snap.config, snap.metrics.test_accuracy
    fits = c.backprop == "article-v2" and bool(c.layers)
    detail = f"step {snap.step:,}/20,000, {c.backprop} backprop: test acc {_pct(acc)}"
    return Check(fits and snap.step >= 20_000, detail + ("" if fits else "; needs backprop article-v2"))


def _diverged(snap: Snapshot) -> Check:
    if snap.diverged_at is not None:
        return Check(True, f"diverged at step {snap.diverged_at:,}; back at step {snap.step:,}")
    return Check(False, f"lr {snap.config.lr:g}: not diverged (train loss {_num(snap.metrics.train_loss)})")


def _overfits(snap: Snapshot) -> Check:
    c = snap.config
    low, train_then = lowest_test_loss(snap)
    test, train = snap.metrics.test_loss, snap.metrics.train_loss
    fits = c.l2 == 0 and c.dropout == 0 and c.l1 == 0
    met = fits and math.isfinite(low) and test >= 1.5 * low and train < train_then
    detail = f"test loss {_num(test)}, lowest {_num(low)} (goal ≥ 1.5×); train loss {_num(train)} falling"
    return Check(met, detail + ("" if fits else "; needs L1, L2 and dropout at 0"))


def _regularised(snap: Snapshot) -> Check:
    c = snap.config
    low, _ = lowest_test_loss(snap)
    test = snap.metrics.test_loss
    regular = c.l2 > 0 or c.l1 > 0 or c.dropout > 0
    early = c.epochs > 0 and snap.epoch >= c.epochs
    long_enough = snap.step >= 3000 or early
    met = (regular or early) and long_enough and math.isfinite(low) and test <= 1.25 * low
    how = "L2" if c.l2 else "L1" if c.l1 else "dropout" if c.dropout else "stop epoch" if c.epochs else "nothing"
    detail = f"with {how}: step {snap.step:,}/3,000, test loss {_num(test)}, lowest {_num(low)} (goal ≤ 1.25×)"
    return Check(met, detail)


def chance_loss(snap: Snapshot) -> float:
    """The cross-entropy of guessing every class alike, ln(classes): where a run that has learnt
    nothing sits (nan for another output or loss)."""
    c = snap.config
    if c.output != "softmax" or c.loss != "cross_entropy":
        return math.nan
    return math.log(snap.network.sizes[-1])


def _on_plateau(snap: Snapshot) -> Check:
    c, loss, chance = snap.config, snap.metrics.train_loss, chance_loss(snap)
    fits = c.optimizer == "sgd" and c.lr <= 0.1 and math.isfinite(chance)
    met = fits and snap.step >= 400 and math.isfinite(loss) and loss >= 0.95 * chance
    detail = f"{c.optimizer} lr {c.lr:g}, step {snap.step:,}/400: train loss {_num(loss)}, chance {_num(chance)}"
    needs = "sgd, lr ≤ 0.1, softmax and cross_entropy"
    return Check(met, detail + (" (goal: still ≥ 95% of it)" if fits else f"; needs {needs}"))


def _off_plateau(snap: Snapshot) -> Check:
    loss, chance = snap.metrics.train_loss, chance_loss(snap)
    met = math.isfinite(chance) and math.isfinite(loss) and loss <= 0.5 * chance and snap.diverged_at is None
    return Check(met, f"step {snap.step:,}: train loss {_num(loss)}, chance {_num(chance)} (goal ≤ half of it)")


def bowl_bottom(snap: Snapshot) -> float:
    """The lowest training loss a network without a hidden layer, with a linear output and MSE, can
    reach: its loss is a quadratic bowl in the weights, whose bottom least squares finds."""
    X = feature_matrix(snap.data.X_train, snap.config.features)
    Y = targets_for(snap.data.y_train, snap.network.sizes[-1], "linear", snap.data.is_regression)
    A = np.c_[X, np.ones(len(X))]
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    return float(0.5 * ((A @ coef - Y) ** 2).sum(axis=1).mean())


def _times(loss: float, bottom: float, digits: int) -> str:
    """``loss`` as a multiple of the bowl's ``bottom``: "3.01×"."""
    ratio = loss / bottom if math.isfinite(loss) and math.isfinite(bottom) and bottom > 0 else math.nan
    return "-" if not math.isfinite(ratio) else f"{ratio:.{digits}g}×"


def _is_bowl(c: TrainConfig) -> bool:
    return not c.layers and c.output == "linear" and c.loss == "mse"


def bottom_goal(
    rule: Callable[[TrainConfig], bool], needs: str, steps: int | None = None
) -> Callable[[Snapshot], Check]:
    """Met when a bowl-shaped run's training loss is at the bottom (within 0.001%) in a setup ``rule``
    accepts, within ``steps`` updates if given."""

    def goal(snap: Snapshot) -> Check:
        c, loss = snap.config, snap.metrics.train_loss
        fits = _is_bowl(c) and rule(c)
        bottom = bowl_bottom(snap) if _is_bowl(c) else math.nan
        met = fits and math.isfinite(loss) and loss <= bottom * (1 + 1e-5) and (steps is None or snap.step <= steps)
        if steps is None:
            detail = f"{c.optimizer} lr {c.lr:g}: train loss {loss:.6g}, the bottom {bottom:.6g}"
        else:  # short enough for the lesson bar at 80 columns
            detail = f"{c.optimizer} lr {c.lr:g}, step {snap.step:,}/{steps:,}: {_times(loss, bottom, 6)} the bottom"
        return Check(met, detail + ("" if fits else f"; needs {needs}"))

    return goal


def _crawls(snap: Snapshot) -> Check:
    c, loss = snap.config, snap.metrics.train_loss
    fits = _is_bowl(c) and c.optimizer == "sgd" and c.lr <= 0.01 and snap.diverged_at is None
    bottom = bowl_bottom(snap) if _is_bowl(c) else math.nan
    detail = f"{c.optimizer} lr {c.lr:g}, step {snap.step:,}/200: {_times(loss, bottom, 3)} the bottom"
    met = fits and snap.step >= 200 and math.isfinite(loss) and loss >= 2 * bottom
    return Check(met, detail + (" (goal ≥ 2×)" if fits else "; needs sgd, lr ≤ 0.01, the bowl's setup"))


def _epochs_goal(batch_ok: Callable[[int], bool], needs: str) -> Callable[[Snapshot], Check]:
    def goal(snap: Snapshot) -> Check:
        c = snap.config
        n = len(snap.data.X_train)
        per_epoch = 1 if c.batch_size >= n else math.ceil(n / c.batch_size)
        fits = batch_ok(c.batch_size)
        detail = f"batch {c.batch_size}: {per_epoch:,} steps an epoch; epoch {snap.epoch}/5, step {snap.step:,}"
        return Check(fits and snap.epoch >= 5, detail + ("" if fits else f"; needs {needs}"))

    return goal


def _has(*features: str) -> Callable[[TrainConfig], bool]:
    return lambda c: all(f in c.features for f in features)


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "article-v1",
        "The article's version 1",
        (
            "Two inputs (x, y) wired straight to four sigmoid outputs, no hidden layer,",
            "trained on the four centre points of the quadrants: the article's first network.",
            "Look at the plot: each quadrant's colour is the class the network predicts there.",
            "Press t (the article's Train button), then c (Classify Points) to test fresh points.",
        ),
        "seed-v1",
        {},
        (
            Task(
                "train",
                "Train it: test accuracy ≥ 95% with no hidden layer",
                "Press t: it runs the configured iterations (10,000), then pauses.",
                accuracy_goal(0.95, _no_hidden, "no hidden layer"),
            ),
        ),
        (Move(train=10_000),),
    ),
    Lesson(
        "article-v2",
        "Version 2 and its bug",
        (
            "A hidden layer of 4 sigmoids, and the article's own backprop: its hidden error",
            "skips the output sigmoid's slope a(1 - a) (the status line says FLAWED backprop).",
            "Train it, then switch the panel's backprop field to correct and train again from",
            "the same first weights (r). x explains one step: see the factor that was missing.",
            "Both at once: palette, Compare two runs, backprop=correct,backprop=article-v2.",
        ),
        "seed-v2",
        {"backprop": "article-v2", "iterations": 20_000},
        (
            Task(
                "flawed",
                "Train 20,000 steps with the article's flawed rule (article-v2)",
                "Press t and watch the accuracy: the flawed rule stalls well below the correct one.",
                _v2_flawed,
            ),
            Task(
                "correct",
                "Correct backprop, same first weights: test accuracy ≥ 98%",
                "Set backprop to correct in the panel, press r (same seed), then t.",
                accuracy_goal(0.98, lambda c: c.backprop == "correct" and bool(c.layers), "correct backprop"),
            ),
        ),
        (Move(train=20_000), Move({"backprop": "correct"}, reset=True, train=20_000)),
    ),
    Lesson(
        "linear-limits",
        "Linear limits: xor",
        (
            "xor: the classes sit in opposite corners. With no hidden layer the network can",
            "only draw one straight boundary, and no straight line splits xor.",
            "Try the x·y feature (it is the xor sign itself), or a hidden layer on x and y.",
        ),
        "xor",
        {"layers": ()},
        (
            Task(
                "fails",
                "No hidden layer, x and y only: it stays below 80% after 500 steps",
                "Press t and watch the regions: a single straight cut, half of each class wrong.",
                stays_low_goal(0.8, 500, lambda c: _no_hidden(c) and "xy" not in c.features, "x, y, no hidden layer"),
            ),
            Task(
                "feature",
                "Add the x·y feature, still no hidden layer: test accuracy ≥ 95%",
                "Tick x·y under features (enter toggles), press r, then t.",
                accuracy_goal(0.95, lambda c: _no_hidden(c) and "xy" in c.features, "x·y and no hidden layer"),
            ),
            Task(
                "hidden",
                "Or x and y only with a hidden layer: test accuracy ≥ 95%",
                "Untick x·y, press +layer (twice helps), r, then t.",
                accuracy_goal(0.95, lambda c: bool(c.layers) and "xy" not in c.features, "a hidden layer, no x·y"),
            ),
        ),
        (
            Move(train=1000),
            Move({"features": ("x", "y", "xy")}, reset=True, train=1000),
            Move({"features": ("x", "y"), "layers": (8, 8)}, reset=True, train=1500),
        ),
    ),
    Lesson(
        "circle",
        "Circle: x² and y²",
        (
            "One class inside a ring of the other. No straight line in (x, y) separates them,",
            "but x² + y² is the squared radius: with the x² and y² features the boundary is",
            "a straight line in the features, a circle on the plot.",
        ),
        "circle",
        {"layers": ()},
        (
            Task(
                "fails",
                "No hidden layer, x and y only: it stays below 70% after 500 steps",
                "Press t: the best straight line still cuts the circle in half.",
                stays_low_goal(0.7, 500, lambda c: _no_hidden(c) and c.features == ("x", "y"), "x, y only"),
            ),
            Task(
                "squares",
                "Add x² and y², still no hidden layer: test accuracy ≥ 95%",
                "Tick x² and y² under features, press r, then t.",
                accuracy_goal(0.95, lambda c: _no_hidden(c) and _has("x2", "y2")(c), "x², y² and no hidden layer"),
            ),
        ),
        (Move(train=1000), Move({"features": ("x", "y", "x2", "y2")}, reset=True, train=1000)),
    ),
    Lesson(
        "spiral",
        "Spiral: depth or sin",
        (
            "Two arms winding round each other: the hardest set here. From x and y alone one",
            "hidden layer of 8 cannot follow the arms; several layers can. sin x and sin y",
            "give the network waves to build the arms from, so it needs far less.",
        ),
        "spiral",
        {"features": ("x", "y"), "layers": (8,), "iterations": 3000},
        (
            Task(
                "deep",
                "x and y only, 3 or more hidden layers: test accuracy ≥ 90%",
                "+layer until there are 3 (+n widens the last), r, then t (twice if needed).",
                accuracy_goal(
                    0.9, lambda c: len(c.layers) >= 3 and c.features == ("x", "y"), "x, y and ≥ 3 hidden layers"
                ),
            ),
            Task(
                "sin",
                "With the sin x and sin y features: test accuracy ≥ 95%",
                "Tick sin x and sin y, press r, then t.",
                accuracy_goal(0.95, _has("sinx", "siny"), "sin x and sin y"),
            ),
        ),
        (
            Move({"layers": (16, 16, 16)}, reset=True, train=5000),
            Move({"features": ("x", "y", "sinx", "siny"), "layers": (8, 8, 8)}, reset=True, train=3000),
        ),
    ),
    Lesson(
        "learning-rate",
        "The learning rate",
        (
            "Version 1 with a linear output and MSE: its loss is a bowl in the weights. Each step",
            "moves every weight by the learning rate times its slope. Press m to see the bowl",
            "(darker lower) and the path the run took. Too big: each jump lands higher up the",
            "other side until the numbers blow up (nnplay goes back to the last good weights);",
            "too small: it crawls. Momentum and Adam get more out of a small rate.",
        ),
        "seed-v1",
        {"output": "linear", "loss": "mse", "batch_size": 4, "lr": 0.3, "iterations": 200},
        (
            Task(
                "diverge",
                "Too high: lr ≥ 2.5, the path zig-zags out of the bowl (it diverges)",
                "Set learn rate 2.5, r, m, then n a few times: each jump lands higher; t: it blows up.",
                _diverged,
            ),
            Task(
                "crawl",
                "Too low: sgd, lr ≤ 0.01, 200 steps: the loss still ≥ 2× the bottom",
                "Set learn rate 0.01 (down arrow in the field steps it), r, then t and m.",
                _crawls,
            ),
            Task(
                "momentum",
                "Momentum or Adam, lr ≤ 0.03: at the bottom within 200 steps",
                "Set lr 0.03 and optimizer momentum (or adam), r, then t and m: it curves in.",
                bottom_goal(
                    lambda c: c.optimizer in ("momentum", "adam") and c.lr <= 0.03, "momentum or adam, lr ≤ 0.03", 200
                ),
            ),
        ),
        (
            Move({"lr": 2.5}, reset=True, train=200),
            Move({"lr": 0.01}, reset=True, train=200),
            Move({"lr": 0.03, "optimizer": "momentum"}, reset=True, train=200),
        ),
    ),
    Lesson(
        "overfitting",
        "Overfitting",
        (
            "40 noisy points and a 16-16 network: it can memorise every training point.",
            "Watch both loss curves: the training loss keeps falling, the test loss turns up",
            "(T shows the test points). L2, dropout or stopping early keep the test loss down.",
        ),
        "moons",
        {"train_size": 40, "noise": 0.3, "layers": (16, 16)},
        (
            Task(
                "overfit",
                "Test loss rises to 1.5× its lowest while the training loss falls",
                "Press t and watch the test curve after the first few hundred steps.",
                _overfits,
            ),
            Task(
                "regularise",
                "With L2, dropout or a stop epoch: test loss ends ≤ 1.25× its lowest",
                "Set L2 to 0.01 (or dropout 0.3), press r, then t for the full 3,000 steps.",
                _regularised,
            ),
        ),
        (Move(train=3000), Move({"l2": 0.01}, reset=True, train=3000)),
    ),
    Lesson(
        "batch-size",
        "Batch size",
        (
            "Batch 1 updates after every point (the article's way): many small noisy steps,",
            "250 of them an epoch. A larger batch averages the gradient over more points:",
            "smoother loss curves and far fewer steps per epoch. Compare the curves and speed.",
        ),
        "circle",
        {"layers": (8,), "optimizer": "sgd", "lr": 0.03, "batch_size": 1, "iterations": 1250},
        (
            Task(
                "single",
                "Batch 1: train 5 epochs",
                "Press e five times (one epoch each), or t.",
                _epochs_goal(lambda b: b == 1, "batch size 1"),
            ),
            Task(
                "large",
                "Batch 25 or more: train 5 epochs",
                "Set batch size 25, press r, then e five times.",
                _epochs_goal(lambda b: b >= 25, "batch size ≥ 25"),
            ),
        ),
        (Move(train=1250), Move({"batch_size": 25}, reset=True, train=50)),
    ),
    Lesson(
        "landscape",
        "The loss landscape: a bowl",
        (
            "Lesson 6's bowl, looked at closely: version 1, a linear output and MSE.",
            "Press m: the loss over the selected weight and its neuron's bias (arrows and [ ] pick",
            "another), darker lower, the path the run took (•) and where it is now (●). M shows the",
            "plane the whole run moved in: its two main directions, each with its share of the path.",
            "A small rate slides straight down; a larger one lands on the other side of the valley.",
        ),
        "seed-v1",
        {"output": "linear", "loss": "mse", "batch_size": 4, "lr": 0.3, "iterations": 200},
        (
            Task(
                "bottom",
                "Slide to the bottom: sgd, lr ≤ 0.5, training loss at the bowl's bottom",
                "Press t, then m: the path runs straight down into the dark middle; M: its plane.",
                bottom_goal(lambda c: c.optimizer == "sgd" and c.lr <= 0.5, "sgd and lr ≤ 0.5"),
            ),
            Task(
                "zigzag",
                "Zig-zag across the valley: sgd, 1.5 ≤ lr < 2, still reaches the bottom",
                "Set learn rate 1.8, press r, then t, m and M: the path jumps from side to side.",
                bottom_goal(lambda c: c.optimizer == "sgd" and 1.5 <= c.lr < 2, "sgd and 1.5 ≤ lr < 2"),
            ),
        ),
        (
            Move(train=200),
            Move({"lr": 1.8}, reset=True, train=200),
        ),
    ),
    Lesson(
        "plateau",
        "The loss landscape: a plateau",
        (
            "xor with four sigmoid neurons whose weights all start small and positive: the neurons",
            "start alike, and alike they cannot draw xor. Around them the loss is nearly flat at",
            "chance (ln 2 ≈ 0.69): a plateau. Press m: the scale under the map spans about 0.01 of",
            "loss, where lesson 9's bowl spans tenths. Train on: the neurons part and the loss falls.",
        ),
        "xor",
        {
            "layers": (4,),
            "activation": "sigmoid",
            "init": "uniform01",
            "optimizer": "sgd",
            "lr": 0.1,
            "batch_size": 10,
            "iterations": 400,
        },
        (
            Task(
                "plateau",
                "Plateau: sgd at lr ≤ 0.1, 400 steps: the loss is still ≥ 95% of chance",
                "Press t (400 steps), then m: the map's scale spans about 0.01; M: the path's own plane.",
                _on_plateau,
            ),
            Task(
                "off",
                "Off the plateau: train on until the loss is half of chance (or momentum)",
                "Press t again a few times; or set optimizer momentum, r, then t: it leaves sooner.",
                _off_plateau,
            ),
        ),
        (Move(train=400), Move({"optimizer": "momentum"}, reset=True, train=400)),
    ),
)


def lesson_by_number(number: int) -> Lesson:
    """Lesson ``number`` counted from 1; ValueError naming the allowed range."""
    if not 1 <= number <= len(LESSONS):
        raise ValueError(f"no lesson {number}; allowed: 1..{len(LESSONS)}")
    return LESSONS[number - 1]
