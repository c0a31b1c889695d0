"""Snapshots across a process boundary: what the trainer's process sends, and the UI rebuilds.

A snapshot's data set, its timeline's moments and the blocks of its recorded path are
immutable and mostly the same from one snapshot to the next, so each crosses once: the sender
remembers what it sent (by identity) and the receiver keeps them; a snapshot carries the rest
(the parameters, the metrics, the history, the training points' outputs). The parameters
arrive read-only, as the trainer's snapshots make them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nnplay.core.run.path_recorder import RecordedPath
from nnplay.core.run.trainer import Moment, Snapshot


class SnapshotSender:
    """The trainer's side: a snapshot as a picklable message without what the receiver has."""

    def __init__(self) -> None:
        self._data: Any = None
        self._moments: dict[int, Moment] = {}  # sent, by id; held so an id is never reused meanwhile
        self._blocks: dict[int, tuple] = {}  # the path's blocks sent, likewise

    def encode(self, snap: Snapshot) -> dict:
        fields = {f.name: getattr(snap, f.name) for f in dataclasses.fields(snap)}
        fields["data"] = None if snap.data is self._data else snap.data
        self._data = snap.data
        moments = {id(m): m for m in snap.timeline}
        fields["timeline"] = tuple(key if key in self._moments else (key, m) for key, m in moments.items())
        self._moments = moments
        if snap.path is not None:
            blocks = {id(b): b for b in snap.path.blocks}
            keys = tuple(key if key in self._blocks else (key, b) for key, b in blocks.items())
            self._blocks = blocks
            fields["path"] = (keys, snap.path.tail, snap.path.n_params)
        return fields


class SnapshotReceiver:
    """The UI's side: the message made a ``Snapshot`` again, with the data and moments it kept."""

    def __init__(self) -> None:
        self._data: Any = None
        self._moments: dict[int, Moment] = {}
        self._blocks: dict[int, tuple] = {}

    def decode(self, fields: dict) -> Snapshot:
        if fields["data"] is not None:
            self._data = fields["data"]
        moments = {}
        for entry in fields["timeline"]:
            key, moment = entry if isinstance(entry, tuple) else (entry, self._moments[entry])
            moments[key] = moment
        self._moments = moments
        fields = {**fields, "data": self._data, "timeline": tuple(moments.values())}
        if fields["path"] is not None:
            keys, tail, n_params = fields["path"]
            blocks = {}
            for entry in keys:
                if isinstance(entry, tuple):
                    key, block = entry
                    for array in block:
                        array.flags.writeable = False  # as the recorder made it
                else:
                    key, block = entry, self._blocks[entry]
                blocks[key] = block
            self._blocks = blocks
            fields["path"] = RecordedPath(tuple(blocks.values()), tail, n_params)
        network = fields["network"]
        network.params.flags.writeable = False
        network.weights, network.biases = network._views(network.params)  # views made before the flag stay writeable
        if fields["train_outputs"] is not None:
            fields["train_outputs"].flags.writeable = False
        return Snapshot(**fields)
