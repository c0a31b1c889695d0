"""How a snapshot crosses from the trainer's process to the UI's: a pipe, or shared memory.

    python benchmarks/bench_snapshot_transfer.py [--points 50000] [--repeats 200] [--smoke]

The trainer's process (spawned) trains a few steps, makes a snapshot and sends it; the UI's
side receives it and rebuilds the ``Snapshot`` (tui/run/snapshot_wire.py). Measured from just
before the trainer's send to the rebuilt snapshot (both clocks are the system's monotonic
clock), as medians and worst cases, once the data set has crossed:

- pipe: the whole message pickled over a ``multiprocessing`` pipe (protocol 5);
- shared memory: the large arrays (parameters, the training points' outputs, the history)
  written into a ``SharedMemory`` block and read back from it, the rest over the pipe.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smoke_mode import parse_args  # noqa: E402  (benchmarks/ is the script's own folder)


def _config(points: int):
    from nnplay.core.settings.config import TrainConfig

    return TrainConfig(dataset="spiral", train_size=points, layers=(8, 8, 8), batch_size=10)


def _trainer_side(conn, points: int, repeats: int, shared: bool) -> None:
    import numpy as np

    from nnplay.core.run.trainer import Trainer
    from nnplay.tui.run.snapshot_wire import SnapshotSender

    trainer = Trainer(_config(points))
    sender = SnapshotSender()
    block = None
    for _ in range(repeats + 1):
        trainer.step(20)
        trainer.evaluate()
        fields = sender.encode(trainer.snapshot())
        started = time.perf_counter()
        if shared:
            from multiprocessing import shared_memory

            arrays = {"params": fields["network"].params, "train_outputs": fields["train_outputs"]}
            arrays["history"] = fields["history"]
            size = sum(a.nbytes for a in arrays.values())
            if block is None or block.size < size:
                block = shared_memory.SharedMemory(create=True, size=size * 2)
            at, layout = 0, {}
            for name, a in arrays.items():
                np.ndarray(a.shape, a.dtype, buffer=block.buf, offset=at)[...] = a
                layout[name] = (at, a.shape, a.dtype.str)
                at += a.nbytes
            net = fields["network"]
            fields = {**fields, "history": None, "train_outputs": None}
            fields["network"] = (net.__getstate__() | {"params": None}, layout, block.name)
        conn.send((started, fields))
        conn.recv()  # the UI's side has it: the next one
    conn.send(None)
    conn.recv()
    if block is not None:
        block.close()
        block.unlink()


def _transfer_times(points: int, repeats: int, shared: bool) -> list[float]:
    import numpy as np

    from nnplay.core.engine.network import Network
    from nnplay.tui.run.snapshot_wire import SnapshotReceiver

    ctx = mp.get_context("spawn")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_trainer_side, args=(theirs, points, repeats, shared), daemon=True)
    child.start()
    receiver, times, blocks = SnapshotReceiver(), [], {}
    while (message := ours.recv()) is not None:
        started, fields = message
        if shared:
            from multiprocessing import shared_memory

            state, layout, name = fields["network"]
            block = blocks.get(name) or blocks.setdefault(name, shared_memory.SharedMemory(name=name))
            arrays = {
                key: np.ndarray(shape, np.dtype(dtype), buffer=block.buf, offset=at).copy()
                for key, (at, shape, dtype) in layout.items()
            }
            network = object.__new__(Network)
            network.__setstate__(state | {"params": arrays["params"]})
            fields = {**fields, "network": network, "history": arrays["history"]}
            fields["train_outputs"] = arrays["train_outputs"]
        receiver.decode(fields)
        times.append(time.perf_counter() - started)
        ours.send(True)
    ours.send(True)
    child.join(30)
    for block in blocks.values():
        block.close()
    return times[1:]  # the first carried the data set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parse_args(parser, points=500, repeats=5)
    import os

    print(f"load average {os.getloadavg()[0]:.1f}; {args.points:,} points, spiral 8,8,8, {args.repeats} snapshots each")
    rows = []
    for _round in range(2):  # interleaved, so both see the same machine
        for shared in (False, True):
            rows.append((shared, _transfer_times(args.points, args.repeats, shared)))
    for shared in (False, True):
        times = [t for s, ts in rows if s is shared for t in ts]
        name = "shared memory" if shared else "pipe"
        print(f"{name:>14}: median {statistics.median(times) * 1e3:6.2f} ms  worst {max(times) * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
