"""``nnplay export``: a saved session's network as a PyTorch script, numpy arrays and a script, or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnplay.core.io.output_file import shown_path
from nnplay.tui.cli.arguments import UsageError, check_save_path, short_path


def export_command(args: argparse.Namespace) -> int:
    from nnplay.core.files.export import DEFAULT_NAMES, export_files
    from nnplay.core.files.session_file import SessionFileError, load_session

    out = args.out or DEFAULT_NAMES[args.format]
    # A torch script named .npz (or JSON named .py) would only confuse whoever opens it.
    suffixes = {"torch": (".py",), "numpy": (".npz", ".py"), "json": (".json",)}[args.format]
    if Path(out).suffix.lower() not in suffixes:
        allowed = " or ".join(f"a {s} file" for s in suffixes)
        raise UsageError(f"argument --out: {out!r} is not a name for a {args.format} export; allowed: {allowed}")
    check_save_path(out, flag="--out", inputs=[args.load])
    try:
        trainer = load_session(args.load)
    except SessionFileError as exc:
        raise UsageError(f"argument --load: {exc}") from None
    data = trainer.data
    try:
        files = export_files(trainer.net, trainer.config.features, data.class_names, data.extent, args.format, out)
    except ValueError as exc:
        raise UsageError(f"argument --load: {args.load!r}: {exc}") from None
    # Every file is checked before any is written: none may be the session read, nor another of them.
    from nnplay.core.io.output_file import atomic_write, same_target

    paths = [str(path) for path, _ in files]
    for i, path in enumerate(paths):
        check_save_path(path, flag="--out", inputs=[args.load])
        for earlier in paths[:i]:
            if same_target(path, earlier):
                raise UsageError(f"argument --out: {short_path(path)}: is the same file as {short_path(earlier)}")

    for path, payload in zip(paths, (payload for _, payload in files), strict=True):
        try:
            atomic_write(path, payload, [args.load])
        except OSError as exc:
            raise UsageError(f"argument --out: cannot write {short_path(path)} ({exc.strerror})") from None
        print(shown_path(path))
    return 0
