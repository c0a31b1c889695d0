"""``nnplay train``: a run trained headless, then a table or one JSON object."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from nnplay.core.engine.backprop import FLAWED_LABEL
from nnplay.core.io.output_file import shown_path
from nnplay.core.settings.presets import DEFAULT_PRESET
from nnplay.tui.cli.arguments import (
    EXIT_DIVERGED,
    EXIT_SAVE_FAILED,
    UsageError,
    build_trainer,
    check_save_path,
    short_path,
)
from nnplay.tui.cli.parser import AUTO_KERNEL_STEPS


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def _kernel_pays_off(trainer) -> bool:
    """``--engine auto``: the kernel, for a run long enough to repay loading it (~1 s, more on its
    first compile) with a batch it trains faster than numpy."""
    return trainer.config.iterations >= AUTO_KERNEL_STEPS and trainer.kernel_is_faster()


def train_command(args: argparse.Namespace) -> int:
    # The session may be saved back over the one loaded (resuming); never over the CSV it reads.
    inputs = [args.csv_path] if args.csv_path else []
    check_save_path(args.save, inputs=inputs)
    trainer = build_trainer(args)
    if args.engine == "numba" or (args.engine == "auto" and _kernel_pays_off(trainer)):
        from nnplay.core.engine.kernel import fallback_message, kernel_unavailable_reason, load_kernel

        kernel = load_kernel()  # compiled (or loaded from cache) before the timed loop
        if kernel is None:
            if args.engine == "numba":
                raise UsageError(f"argument --engine: 'numba' is not available ({kernel_unavailable_reason()})")
            print(f"nnplay train: {fallback_message()}", file=sys.stderr)
        trainer.use_kernel(kernel, when_faster=args.engine == "auto")
    first_step = trainer.step_count  # a loaded session goes on from its own step
    if args.json:
        from nnplay.core.run.train_until import train_until

        reason, seconds = train_until(trainer)
    else:
        reason, seconds = _train_with_progress(trainer)
    m = trainer.metrics
    classify = _classify_accuracy(trainer)
    result = {
        "steps": trainer.step_count,
        "epochs": trainer.epoch,
        "train_loss": _finite(m.train_loss),
        "test_loss": _finite(m.test_loss),
        "train_accuracy": _finite(m.train_accuracy),
        "test_accuracy": _finite(m.test_accuracy),
        "classify_accuracy": _finite(classify),
        "r2_train": _finite(m.r2_train),
        "r2_test": _finite(m.r2_test),
        "seconds": seconds,
        # Every stop reason: epochs and target-loss runs have a speed too.
        "steps_per_second": (trainer.step_count - first_step) / seconds if seconds > 0 else None,
        "stop_reason": reason,
        "engine": trainer.engine,
        "diverged": trainer.diverged_at is not None,
        "diverged_at": trainer.diverged_at,
        # Every setting, and the preset the flags were applied to (None: a loaded session's own).
        "config": {"preset": None if args.load else args.preset or DEFAULT_PRESET, **trainer.config.as_dict()},
    }
    if trainer.config.backprop != "correct":
        result["backprop_note"] = FLAWED_LABEL
    save_error = None
    if args.save:
        from nnplay.core.files.session_file import save_session

        try:
            save_session(trainer, args.save, inputs)
        except OSError as exc:
            save_error = (
                f"nnplay train: error: argument --save: cannot write {short_path(args.save)} ({exc.strerror or exc})"
            )
    # The result is printed even when the save failed: the run is not lost with it.
    if args.json:
        print(json.dumps(result))
    else:
        _print_table(trainer, result)
        if "backprop_note" in result:
            print(result["backprop_note"])
        if args.save and not save_error:
            print(f"saved the session to {shown_path(args.save)}")
    if save_error:
        print(save_error, file=sys.stderr)
        return EXIT_SAVE_FAILED
    if trainer.diverged_at is not None:
        print(f"nnplay train: {trainer.message}; lower --lr and run again", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def _classify_accuracy(trainer) -> float:
    """The article's Classify Points on fresh points (nan for CSV or regression data)."""
    if trainer.regression or trainer.data.name == "csv":
        return math.nan
    return trainer.classify(trainer.config.points_to_classify).accuracy


def _train_with_progress(trainer) -> tuple[str, float]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nnplay.core.run.train_until import train_until

    total = trainer.config.iterations
    start = trainer.step_count
    with Progress(
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[loss]}"),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("train", total=total, loss="")

        def update(t) -> None:
            progress.update(task, completed=t.step_count - start, loss=f"loss {t.metrics.train_loss:.4g}")

        return train_until(trainer, on_progress=update)


def _print_table(trainer, result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    def fmt(key: str, v: Any) -> str:
        if v is None:
            return "-"
        if key.endswith("accuracy"):
            return f"{v:.1%}"  # "1" beside "0.994" read as one sample, not 100%
        if key == "steps_per_second":
            return f"{v:,.0f}"
        if isinstance(v, float):
            return f"{v:.4g}"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"{v:,}"
        return str(v)

    sizes = "-".join(map(str, trainer.net.sizes))
    table = Table(title=f"{trainer.config.dataset} {sizes}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "steps",
        "epochs",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "classify_accuracy",
        "r2_test",
        "seconds",
        "steps_per_second",
        "stop_reason",
        "diverged",
    ):
        if result[key] is not None or key in ("train_loss", "test_loss"):
            table.add_row(key.replace("_", " "), fmt(key, result[key]))
    Console().print(table)
