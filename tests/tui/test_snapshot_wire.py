"""Snapshots across a process boundary (tui/run/snapshot_wire.py): the same snapshot comes out, and
the data set and each moment of the timeline cross once."""

from __future__ import annotations

import pickle

import numpy as np

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from nnplay.tui.run.snapshot_wire import SnapshotReceiver, SnapshotSender

CONFIG = TrainConfig(dataset="xor", train_size=200, layers=(4,), batch_size=10, seed=3)


def across(sender: SnapshotSender, receiver: SnapshotReceiver, snap):
    message = pickle.dumps(sender.encode(snap), protocol=5)
    return receiver.decode(pickle.loads(message)), message


def test_a_snapshot_crosses_whole_and_read_only_and_its_data_and_moments_cross_once() -> None:
    trainer = Trainer(CONFIG)
    sender, receiver = SnapshotSender(), SnapshotReceiver()
    trainer.step(30)
    trainer.evaluate()
    first, first_message = across(sender, receiver, trainer.snapshot())
    trainer.step(30)
    trainer.evaluate()
    snap = trainer.snapshot()
    second, second_message = across(sender, receiver, snap)
    assert (second.step, second.epoch, second.config) == (snap.step, snap.epoch, snap.config)
    assert repr(second.metrics) == repr(snap.metrics)  # r2 is nan in a classification: nan != nan
    np.testing.assert_array_equal(second.network.params, snap.network.params)
    np.testing.assert_array_equal(second.history, snap.history)
    np.testing.assert_array_equal(second.train_outputs, snap.train_outputs)
    np.testing.assert_array_equal(second.predict(snap.data.X_test), snap.predict(snap.data.X_test))
    assert not second.network.params.flags.writeable and not second.network.weights[0].flags.writeable
    assert second.data is first.data  # kept, not sent again
    assert [m.step for m in second.timeline] == [m.step for m in snap.timeline]
    assert second.timeline[0] is first.timeline[0]
    assert len(second_message) < len(first_message) - snap.data.X_train.nbytes


def test_a_network_pickles_as_its_parameters_and_its_views_share_them() -> None:
    net = Trainer(CONFIG).net
    again = pickle.loads(pickle.dumps(net))
    X = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
    again.weights[0][0, 0] = 7.0
    assert again.params[0] == 7.0 and net.params[0] != 7.0


def test_the_recorded_path_crosses_each_block_once_and_a_run_crossing_keeps_it() -> None:
    from nnplay.tui.run.trainer_process import TrainerParts

    trainer = Trainer(CONFIG)
    sender, receiver = SnapshotSender(), SnapshotReceiver()
    trainer.step(30)
    first, _ = across(sender, receiver, trainer.snapshot())
    trainer.step(30)
    snap = trainer.snapshot()
    second, _ = across(sender, receiver, snap)
    assert snap.path is not None and len(snap.path.blocks) >= 2
    np.testing.assert_array_equal(second.path.steps, snap.path.steps)
    np.testing.assert_array_equal(second.path.params, snap.path.params)
    assert second.path.blocks[0] is first.path.blocks[0]  # kept, not sent again
    assert not second.path.blocks[-1][1].flags.writeable
    again = TrainerParts.of(trainer).trainer()
    np.testing.assert_array_equal(again.snapshot().path.steps, snap.path.steps)
