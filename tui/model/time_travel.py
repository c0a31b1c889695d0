"""A past moment of the run shown as a snapshot: its parameters, metrics and loss history."""

from __future__ import annotations

from dataclasses import replace

from nnplay.core.run.trainer import Moment, Snapshot


def past_snapshot(latest: Snapshot, moments: tuple[Moment, ...], index: int) -> Snapshot | None:
    """``latest`` with moment ``index``'s parameters, metrics and loss history; None when the
    network was rebuilt since (the moment's parameters no longer fit it)."""
    key = (id(latest), id(moments), index)
    if _last is not None and _last[0] == key and _last[1] is latest:
        return _last[2]
    moment = moments[index]
    if moment.params.shape != latest.network.params.shape:
        return None
    rows = latest.history
    view = replace(
        latest,
        network=latest.network.with_params(moment.params),
        step=moment.step,
        epoch=moment.epoch,
        metrics=moment.metrics,
        history=rows[rows[:, 0] <= moment.step] if len(rows) else rows,
        timeline=moments[: index + 1],
        version=-(index + 1) - 1000 * latest.version,
        train_outputs=None,  # the latest parameters' outputs, not the moment's
    )
    _remember(key, latest, view)
    return view


# The last past snapshot made: the frame timer asks for the same one every frame while you look.
_last: tuple[tuple[int, int, int], Snapshot, Snapshot] | None = None


def _remember(key: tuple[int, int, int], latest: Snapshot, view: Snapshot) -> None:
    global _last
    _last = (key, latest, view)
