"""Tests of ``core.files.session_file``: whole sessions saved and loaded, refusals, atomic writes."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnplay.core.files.session_file as persist
from nnplay.core.files.session_file import (
    ARRAYS,
    SessionFileError,
    atomic_write,
    load_session,
    save_session,
    session_bytes,
)
from nnplay.core.run.train_until import train_until
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig

# 40 training points in batches of 3: epochs end on a short batch and reshuffle.
SMALL = TrainConfig(
    dataset="quadrants",
    train_size=40,
    test_ratio=0.25,
    layers=(5,),
    lr=0.05,
    batch_size=3,
    iterations=200,
    l2=0.001,
)


def _trained(config: TrainConfig = SMALL, steps: int = 37) -> Trainer:
    t = Trainer(config)
    t.step(steps)
    t.evaluate()
    return t


def _state(t: Trainer) -> dict:
    """Everything that decides how a run continues, copied."""
    return {
        "config": t.config,
        "params": t.net.params.copy(),
        "initial_params": t.initial_params.copy(),
        "opt_state": t.optimizer.state.copy(),
        "opt_t": t.optimizer.t,
        "step": t.step_count,
        "epoch": t.epoch,
        "order": t.batches.order.copy(),
        "at": t.batches.at,
        "rng": t.rng.bit_generator.state,
        "history": t.history.rows(),
        "diverged_at": t.diverged_at,
    }


def _assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype, key
            assert a[key].shape == b[key].shape, key
            # Bitwise: NaN rows of the history compare equal, -0.0 and 0.0 do not.
            assert a[key].tobytes() == b[key].tobytes(), key
        else:
            assert a[key] == b[key], key


def _dir_listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# -- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_round_trip(tmp_path: Path, optimizer: str) -> None:
    t = _trained(SMALL.replace(optimizer=optimizer))
    path = tmp_path / "s.npz"
    save_session(t, path)
    u = load_session(path)
    _assert_same_state(_state(t), _state(u))
    assert u.optimizer.kind == optimizer
    assert u.optimizer.lr == t.optimizer.lr
    for name in ("X_train", "y_train", "X_test", "y_test"):
        a, b = getattr(t.data, name), getattr(u.data, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert (u.data.name, u.data.n_classes, u.data.extent, u.data.class_names) == (
        t.data.name,
        t.data.n_classes,
        t.data.extent,
        t.data.class_names,
    )
    for f in dataclasses.fields(t.metrics):
        np.testing.assert_array_equal(getattr(u.metrics, f.name), getattr(t.metrics, f.name), err_msg=f.name)
    assert len(u.history.rows()) == 1


def test_round_trip_regression_and_schedule(tmp_path: Path) -> None:
    config = TrainConfig(
        dataset="reg-plane",
        train_size=30,
        layers=(),
        output="linear",
        loss="mse",
        optimizer="adam",
        schedule="cosine",
        lr=0.01,
        batch_size=4,
        iterations=50,
    )
    t = _trained(config, steps=11)
    save_session(t, tmp_path / "r.npz")
    u = load_session(tmp_path / "r.npz")
    _assert_same_state(_state(t), _state(u))
    assert u.regression and u.data.y_train.dtype == np.float64
    assert u.learning_rate() == t.learning_rate()


def test_csv_session_loads_without_its_file(tmp_path: Path) -> None:
    csv = tmp_path / "pts.csv"
    rows = [f"{x},{y},{int(x > 0)}" for x, y in np.random.default_rng(1).uniform(-1, 1, (30, 2))]
    csv.write_text("x,y,label\n" + "\n".join(rows) + "\n")
    t = _trained(SMALL.replace(dataset="csv", csv_path=str(csv)), steps=9)
    save_session(t, tmp_path / "c.npz")
    csv.unlink()
    u = load_session(tmp_path / "c.npz")
    _assert_same_state(_state(t), _state(u))
    assert np.array_equal(u.data.X_train, t.data.X_train)


def test_diverged_session_round_trip(tmp_path: Path) -> None:
    config = TrainConfig(dataset="reg-plane", train_size=50, layers=(), output="linear", lr=50.0, batch_size=10)
    t = Trainer(config)
    t.step(500)
    assert t.diverged_at is not None
    save_session(t, tmp_path / "d.npz")
    u = load_session(tmp_path / "d.npz")
    assert u.diverged_at == t.diverged_at
    assert u.step(10) == 0
    _assert_same_state(_state(t), _state(u))


def test_history_round_trip_keeps_many_rows(tmp_path: Path) -> None:
    t = Trainer(SMALL)
    train_until(t, 50, chunk=2)
    save_session(t, tmp_path / "h.npz")
    u = load_session(tmp_path / "h.npz")
    rows = u.history.rows()
    assert rows.shape == (25, 6)
    assert rows[:, 0].tolist() == list(range(2, 51, 2))
    np.testing.assert_array_equal(rows, t.history.rows())


# -- resume == straight ------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(("first", "second"), [(37, 45), (13, 1), (1, 60)])
def test_resume_equals_straight_run(tmp_path: Path, optimizer: str, first: int, second: int) -> None:
    config = SMALL.replace(optimizer=optimizer, lr=0.01 if optimizer == "adam" else 0.05)
    straight = Trainer(config)
    straight.step(first + second)

    part = Trainer(config)
    part.step(first)
    part.evaluate()  # evaluations in between must not change the run
    path = tmp_path / "p.npz"
    save_session(part, path)
    resumed = load_session(path)
    assert resumed.step(second) == second

    assert resumed.net.params.tobytes() == straight.net.params.tobytes()
    assert resumed.optimizer.state.tobytes() == straight.optimizer.state.tobytes()
    assert resumed.optimizer.t == straight.optimizer.t
    assert (resumed.step_count, resumed.epoch, resumed.batches.at) == (
        straight.step_count,
        straight.epoch,
        straight.batches.at,
    )
    assert np.array_equal(resumed.batches.order, straight.batches.order)
    assert resumed.rng.bit_generator.state == straight.rng.bit_generator.state


def resumed_and_straight(config: TrainConfig, first: int, second: int, path: Path) -> tuple[Trainer, Trainer]:
    """A run saved after ``first`` steps, loaded and trained ``second`` more; and the run that never stopped."""
    straight, part = Trainer(config), Trainer(config)
    straight.step(first + second)
    part.step(first)
    save_session(part, path)
    resumed = load_session(path)
    resumed.step(second)
    return resumed, straight


def test_a_dropout_run_resumed_from_its_file_draws_the_masks_it_would_have(tmp_path: Path) -> None:
    config = SMALL.replace(dropout=0.3, layers=(6,))
    resumed, straight = resumed_and_straight(config, 20, 30, tmp_path / "d.npz")
    assert resumed.net.params.tobytes() == straight.net.params.tobytes()


def test_a_session_saved_before_the_dropout_stream_was_kept_still_loads(tmp_path: Path) -> None:
    t = Trainer(SMALL.replace(dropout=0.3, layers=(6,)))
    t.step(20)
    arrays, meta = _arrays(t)
    del meta["dropout_rng"]
    _write_session(tmp_path / "old.npz", arrays, meta)
    old = load_session(tmp_path / "old.npz")
    assert old.step_count == 20 and np.array_equal(old.net.params, t.net.params)
    assert old.step(5) == 5  # its masks drawn from the seed's stream


def test_resume_equals_straight_run_with_schedule_and_full_batches(tmp_path: Path) -> None:
    config = SMALL.replace(optimizer="adam", schedule="step", lr=0.02, batch_size=7, iterations=40)
    resumed, straight = resumed_and_straight(config, 22, 33, tmp_path / "p.npz")
    assert resumed.net.params.tobytes() == straight.net.params.tobytes()


def test_save_load_save_is_stable(tmp_path: Path) -> None:
    t = _trained()
    save_session(t, tmp_path / "a.npz")
    save_session(load_session(tmp_path / "a.npz"), tmp_path / "b.npz")
    a, b = (np.load(tmp_path / n, allow_pickle=False) for n in ("a.npz", "b.npz"))
    with a, b:
        assert a.files == b.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# -- refusals ----------------------------------------------------------------------------


def _arrays(t: Trainer) -> tuple[dict, dict]:
    """The arrays of a session and its decoded header, ready to be tampered with."""
    with np.load(io.BytesIO(session_bytes(t)), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    return arrays, json.loads(str(arrays["meta"]))


def _write_session(path: Path, arrays: dict, meta: dict | None = None) -> Path:
    arrays = dict(arrays)
    if meta is not None:
        arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


class _Trap:
    """Unpickling this would create a folder: proof that no code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


@pytest.fixture
def good(tmp_path: Path) -> tuple[Path, Trainer, dict]:
    """A saved session, the Trainer loaded from it, and that Trainer's state."""
    path = tmp_path / "good.npz"
    save_session(_trained(), path)
    loaded = load_session(path)
    return path, loaded, _state(loaded)


def _bad_files(tmp_path: Path, good_bytes: bytes, t: Trainer) -> dict[str, tuple[Path, str]]:
    """name -> (file, words the refusal must contain)."""
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, reason: str) -> None:
        p = tmp_path / f"{name}.npz"
        p.write_bytes(data)
        files[name] = (p, reason)

    put("empty", b"", "not a readable nnplay session")
    for cut in (10, 100, len(good_bytes) // 2, len(good_bytes) - 1):
        put(f"truncated-{cut}", good_bytes[:cut], "not a readable nnplay session")
    put("random", np.random.default_rng(0).bytes(5000), "not a readable nnplay session")
    put("zip-magic-then-random", b"PK\x03\x04" + np.random.default_rng(1).bytes(3000), "not a readable")
    flipped = bytearray(good_bytes)
    flipped[len(flipped) // 2] ^= 0xFF
    put("bit-flip", bytes(flipped), "not a readable nnplay session")
    put("json", json.dumps({"format": "nnplay-session", "version": 1}).encode(), "not a readable nnplay session")
    put("pickle", pickle.dumps(_Trap(tmp_path / "pwned")), "not a readable nnplay session")
    put("text", b"hello, world\n" * 10, "not a readable nnplay session")

    buf = io.BytesIO()
    np.savez(buf, weights=np.arange(5.0), labels=np.arange(5))
    put("foreign-npz", buf.getvalue(), "not an nnplay session (missing meta")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not numpy")
        zf.writestr("meta", "{}")
    put("plain-zip", buf.getvalue(), "not an nnplay session (missing")

    # A session whose first member claims a compression method Python cannot read (99 = WinZip AES),
    # and one whose first member claims to be encrypted.
    for name, local, central, value in (("unsupported-zip", 8, 10, 99), ("encrypted-zip", 6, 8, 1)):
        data = bytearray(good_bytes)
        for magic, offset in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
            at = data.find(magic)
            data[at + offset : at + offset + 2] = value.to_bytes(2, "little")
        put(name, bytes(data), "not a readable nnplay session")

    buf = io.BytesIO()
    np.save(buf, np.arange(3.0))
    put("npy", buf.getvalue(), "not a readable nnplay session")

    arrays, meta = _arrays(t)
    buf = io.BytesIO()
    np.savez(buf, **{**arrays, "params": np.array([_Trap(tmp_path / "pwned2")], dtype=object)})
    put("object-array", buf.getvalue(), "not a readable nnplay session")

    def tampered(name: str, reason: str, meta_changes: dict | None = None, **array_changes) -> None:
        m = json.loads(json.dumps(meta))
        for key, value in (meta_changes or {}).items():
            where = m
            *path, last = key.split(".")
            for part in path:
                where = where[part]
            where[last] = value
        _write_session(tmp_path / f"{name}.npz", {**arrays, **array_changes}, None if "meta" in array_changes else m)
        files[name] = (tmp_path / f"{name}.npz", reason)

    tampered("newer", "newer than this nnplay reads", {"version": persist.VERSION + 1})
    tampered("version-0", "unknown session version", {"version": 0})
    tampered("version-text", "unknown session version", {"version": "1"})
    tampered("other-format", "not an nnplay session (format 'something-else'", {"format": "something-else"})
    tampered("bad-setting", "bad setting in session (lr", {"config.lr": -1})
    tampered("huge-setting", "bad setting in session (lr", {"config.lr": 10**400})
    tampered("unknown-setting", "bad setting in session (colour", {"config.colour": "red"})
    tampered("missing-dataset", "damaged session", {"dataset": None})
    tampered("inf-classes", "damaged session", {"dataset.n_classes": float("inf")})
    tampered("bad-rng", "damaged session", {"rng": {"bit_generator": "MT19937", "state": 3}})
    tampered("bad-dropout-rng", "dropout_rng is not a PCG64 random state", {"dropout_rng": {"state": 3}})
    tampered("negative-step", "step -1 is not a count", {"step": -1})
    tampered("text-epoch", "epoch", {"epoch": "3"})
    tampered("bad-diverged", "diverged_at", {"diverged_at": "soon"})
    tampered("params-shape", "params has dtype float64 and shape (3,)", params=np.zeros(3))
    tampered("params-nan", "params contains NaN or inf", params=np.full_like(arrays["params"], np.nan))
    tampered("params-text", "params has dtype", params=np.array(["a"] * arrays["params"].size))
    tampered("opt-shape", "optimizer_state", optimizer_state=np.zeros((3, 3)))
    tampered("history-columns", "history has 5 columns", history=np.zeros((2, 5)))
    tampered("order", "not a permutation", order=np.zeros_like(arrays["order"]))
    tampered("order-float", "not a permutation", order=arrays["order"].astype(np.float64))
    tampered("labels", "train labels are not classes", y_train=np.full_like(arrays["y_train"], 9))
    tampered("labels-length", "train labels do not match", y_train=arrays["y_train"][:3])
    tampered("points-3d", "X_train must have 2 columns", X_train=np.zeros((len(arrays["X_train"]), 3)))
    tampered(
        "no-points",
        "the session has no training points",
        X_train=np.zeros((0, 2)),
        y_train=np.zeros(0, np.int64),
        order=np.zeros(0, np.int64),
    )
    tampered("meta-not-json", "header is not JSON", meta=np.array("{not json"))
    tampered("meta-number", "bad header", meta=np.array(3.0))
    return files


def test_every_bad_file_is_refused_and_nothing_changes(tmp_path: Path, good) -> None:
    path, loaded, before = good
    good_bytes = path.read_bytes()
    files = _bad_files(tmp_path, good_bytes, loaded)
    listing = _dir_listing(tmp_path)
    for name, (bad, reason) in files.items():
        content = bad.read_bytes()
        with pytest.raises(SessionFileError) as info:
            load_session(bad)
        message = str(info.value)
        assert str(bad) in message, name
        assert reason in message, (name, message)
        assert "\n" not in message, name
        assert bad.read_bytes() == content, name
    # Nothing ran, nothing was written, and the session loaded before is as it was.
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    assert _dir_listing(tmp_path) == listing
    assert path.read_bytes() == good_bytes
    _assert_same_state(before, _state(loaded))
    assert loaded.step(3) == 3  # and it still trains


def test_missing_file(tmp_path: Path, good) -> None:
    _, loaded, before = good
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "nope.npz")
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "no-folder" / "nope.npz")
    _assert_same_state(before, _state(loaded))


def test_folder_is_not_a_session(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match="not a file"):
        load_session(tmp_path)


def test_too_large_file_is_refused_before_reading(tmp_path: Path, good, monkeypatch: pytest.MonkeyPatch) -> None:
    path, loaded, before = good
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", 1000)

    def no_reading(*args, **kwargs):
        raise AssertionError("np.load was called on an oversized file")

    monkeypatch.setattr(persist.np, "load", no_reading)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    assert "larger than" in str(info.value) and "1,000-byte limit" in str(info.value)
    _assert_same_state(before, _state(loaded))


def test_header_bit_flips_are_refused_or_load(tmp_path: Path) -> None:
    """Damage in any zip header byte gives SessionFileError (or a still-valid session), never another error."""
    data = session_bytes(_trained(steps=3))
    spots: list[int] = []
    for magic, size in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46), (b"PK\x05\x06", 22)):
        at = data.find(magic)
        spots += range(at, at + size)
    spots += np.random.default_rng(0).integers(0, len(data), 40).tolist()
    bad = tmp_path / "flip.npz"
    for i in spots:
        for mask in (0xFF, 0x01, 0x20):
            flipped = bytearray(data)
            flipped[i] ^= mask
            bad.write_bytes(bytes(flipped))
            try:
                load_session(bad)
            except SessionFileError:
                pass


def test_dataset_name_must_match_the_config(tmp_path: Path) -> None:
    arrays, meta = _arrays(_trained(steps=2))
    meta["dataset"]["name"] = "nonsense"
    with pytest.raises(SessionFileError):
        load_session(_write_session(tmp_path / "n.npz", arrays, meta))


# -- the file format ---------------------------------------------------------------------


def test_file_holds_no_pickle(tmp_path: Path) -> None:
    path = tmp_path / "s.npz"
    save_session(_trained(), path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(["meta", *ARRAYS])
        for key in archive.files:
            assert archive[key].dtype.kind != "O", key
        meta = json.loads(str(archive["meta"]))
    assert meta["format"] == "nnplay-session" and meta["version"] == persist.VERSION
    assert meta["config"] == _trained().config.as_dict()
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(f"{k}.npy" for k in ["meta", *ARRAYS])


# -- atomic writes -----------------------------------------------------------------------


def test_save_creates_file_and_no_temp(tmp_path: Path) -> None:
    save_session(_trained(), tmp_path / "new.npz")
    assert _dir_listing(tmp_path) == ["new.npz"]


def test_save_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "s.npz"
    save_session(_trained(steps=5), path)
    save_session(_trained(steps=9), path)
    assert load_session(path).step_count == 9
    assert _dir_listing(tmp_path) == ["s.npz"]


def _crash_on_replace(*args, **kwargs):
    raise OSError(28, "No space left on device")


class _HalfWriter:
    """A file that writes half of what it is given, then fails like a full disk."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def write(self, data: bytes) -> int:
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str):
        return getattr(self.fh, name)


@pytest.mark.parametrize("crash", ["replace", "fsync", "half-write", "interrupt"])
def test_crash_mid_save_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    path = tmp_path / "s.npz"
    save_session(_trained(steps=5), path)
    old = path.read_bytes()
    newer = _trained(steps=9)
    if crash == "replace":
        monkeypatch.setattr(os, "replace", _crash_on_replace)
        error: type[BaseException] = OSError
    elif crash == "fsync":
        monkeypatch.setattr(os, "fsync", _crash_on_replace)
        error = OSError
    elif crash == "half-write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: _HalfWriter(real_fdopen(*a, **k)))
        error = OSError
    else:

        def interrupt(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "replace", interrupt)
        error = KeyboardInterrupt
    with pytest.raises(error):
        save_session(newer, path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert _dir_listing(tmp_path) == ["s.npz"]
    assert load_session(path).step_count == 5


def test_crash_writing_a_new_file_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", _crash_on_replace)
    with pytest.raises(OSError):
        save_session(_trained(), tmp_path / "new.npz")
    assert _dir_listing(tmp_path) == []


def test_save_into_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_session(_trained(), tmp_path / "missing" / "s.npz")
    assert _dir_listing(tmp_path) == []


def test_atomic_write_bytes(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    atomic_write(path, b"one")
    atomic_write(str(path), b"two")
    assert path.read_bytes() == b"two"
    assert _dir_listing(tmp_path) == ["blob.bin"]


def test_atomic_write_gives_new_files_the_usual_mode_and_keeps_an_existing_files(tmp_path: Path) -> None:
    """mkstemp's 0600 would make an export meant for sharing unreadable to anyone else."""
    old_mask = os.umask(0o022)
    try:
        fresh = tmp_path / "model.py"
        atomic_write(fresh, b"print(1)\n")
        assert fresh.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        atomic_write(tmp_path / "private.npz", b"x")
        assert (tmp_path / "private.npz").stat().st_mode & 0o777 == 0o600
        fresh.chmod(0o640)
        atomic_write(fresh, b"print(2)\n")  # replacing: the file keeps the mode its owner gave it
        assert fresh.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old_mask)
