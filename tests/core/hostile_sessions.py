"""Crafted session files, one per way a file can lie: shared by the engine, CLI and app tests.

``crafted_sessions(folder)`` writes them and returns name -> (path, words the refusal must hold).
Each starts from a genuine save and changes one thing, as an attacker or a broken disk would.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from nnplay.core.files.session_file import session_bytes
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig

# Text that a terminal obeys instead of showing: class names a crafted file may hold.
TERMINAL_TEXT = {
    "osc-title": "\x1b]0;PWNED\x07",  # sets the window's title
    "alt-screen": "\x1b[?1049l",  # leaves the alternate screen
    "c1-csi": "\x9b2J",  # the one-byte CSI: clears the screen on terminals that take C1
    "bidi-override": "abc\u202edef",  # draws the rest of the line backwards
    "newline": "two\nlines",
    "carriage-return": "hidden\rshown",
}

BASE = TrainConfig(dataset="quadrants", train_size=40, test_ratio=0.25, layers=(5,), batch_size=3, iterations=200)


def genuine(config: TrainConfig = BASE, steps: int = 7) -> Trainer:
    t = Trainer(config)
    t.step(steps)
    t.evaluate()
    return t


def members(t: Trainer) -> tuple[dict[str, np.ndarray], dict]:
    with np.load(io.BytesIO(session_bytes(t)), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    return arrays, json.loads(str(arrays["meta"]))


def npy_header(descr: str, shape: tuple[int, ...], fortran: bool = False) -> bytes:
    """A version-1 ``.npy`` header that says whatever it is told to."""
    text = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin-1")


def write_zip(path: Path, raw: dict[str, bytes], compress: bool = False) -> Path:
    """An archive of raw ``.npy`` members (bytes exactly as given)."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as zf:
        for key, data in raw.items():
            zf.writestr(f"{key}.npy", data)
    return path


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def raw_members(arrays: dict[str, np.ndarray], meta: dict | str | None = None) -> dict[str, bytes]:
    out = {k: npy_bytes(v) for k, v in arrays.items() if k != "meta"}
    if meta is None:
        out["meta"] = npy_bytes(arrays["meta"])
    else:
        out["meta"] = npy_bytes(np.array(meta if isinstance(meta, str) else json.dumps(meta)))
    return out


def deflate_bomb(path: Path, arrays: dict[str, np.ndarray], meta: dict, key: str, rows: int) -> Path:
    """A session whose ``key`` member is ``rows`` x 2 zeros, deflated: megabytes on disk,
    gigabytes if read. Written in chunks, so making it costs no memory."""
    raw = raw_members({k: v for k, v in arrays.items() if k != key}, meta)
    chunk = bytes(8 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, data in raw.items():
            zf.writestr(f"{k}.npy", data)
        with zf.open(f"{key}.npy", "w", force_zip64=True) as fh:
            fh.write(npy_header("<f8", (rows, 2) if key.startswith("X") else (rows * 2,)))
            left = rows * 16
            while left:
                fh.write(chunk[: min(len(chunk), left)])
                left -= min(len(chunk), left)
    return path


def crafted_sessions(folder: Path, bomb_rows: int = 1_000_000) -> dict[str, tuple[Path, str]]:
    """name -> (file, words its refusal must contain)."""
    t = genuine()
    arrays, meta = members(t)
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, path: Path, reason: str) -> None:
        files[name] = (path, reason)

    def tampered(name: str, reason: str, meta_changes: dict | None = None, **array_changes: np.ndarray) -> None:
        m = json.loads(json.dumps(meta))
        for key, value in (meta_changes or {}).items():
            where = m
            *parts, last = key.split(".")
            for part in parts:
                where = where[part]
            where[last] = value
        path = folder / f"{name}.npz"
        write_zip(path, raw_members({**arrays, **array_changes}, None if "meta" in array_changes else m))
        put(name, path, reason)

    # -- headers that lie about the data ---------------------------------------------------
    for key, shape in (("params", (10**12,)), ("X_train", (10**12, 2)), ("history", (10**9, 6))):
        raw = raw_members(arrays)
        raw[key] = npy_header("<f8", shape) + b"\0" * 64
        put(f"header-lie-{key}", write_zip(folder / f"header-lie-{key}.npz", raw), "not a readable nnplay session")
    raw = raw_members(arrays)
    raw["params"] = npy_header("<f8", (10**12,)) + bytes(8 * 10)  # the archive's size is honest, the header not
    put("header-count-lie", write_zip(folder / "header-count-lie.npz", raw), "not a readable nnplay session")
    raw = raw_members(arrays)
    raw["order"] = npy_header("|O", (40,)) + bytes(40 * 8)
    put("header-object", write_zip(folder / "header-object.npz", raw), "not a plain array")
    genuine_bytes = session_bytes(t)
    at = genuine_bytes.find(b"{'descr'")
    three = genuine_bytes[:at] + b"{'''" + genuine_bytes[at + 4 :]  # a 3-byte change: tokenize.TokenError in numpy
    (folder / "three-bytes.npz").write_bytes(three)
    put("three-bytes", folder / "three-bytes.npz", "not a readable nnplay session")
    raw = raw_members(arrays)
    raw["meta"] = raw["meta"].replace(b"{'de", b"{'''", 1)  # the same change with a CRC that matches it
    put("three-bytes-crc", write_zip(folder / "three-bytes-crc.npz", raw), "malformed .npy header")

    # -- bombs: small on disk, huge once inflated ------------------------------------------
    put("bomb-params", deflate_bomb(folder / "bomb-params.npz", arrays, meta, "params", bomb_rows), "params has")
    bomb = deflate_bomb(folder / "five-million.npz", arrays, meta, "X_train", 5_000_000)
    put("five-million-points", bomb, "5,000,000 training points is over the limit of 100,000")

    # -- the header JSON -------------------------------------------------------------------
    deep = json.dumps(meta)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    tampered("nested-100000", "deep (the limit is 8)", meta=np.array(deep))
    huge = json.dumps(meta).replace('"step": 7', '"step": 1' + "0" * 100_000)
    tampered("int-100000-digits", "a number of 100,001 digits", meta=np.array(huge))
    tampered("meta-huge", "over the 1,048,576-byte limit", meta=np.array(json.dumps(meta) + " " * 300_000))

    # -- run state out of range ------------------------------------------------------------
    tampered("order_at-1e18", "order_at 1,000,000,000,000,000,000 is outside 0..39", {"order_at": 10**18})
    tampered("order_at-n", "order_at 40 is outside 0..39", {"order_at": 40})
    tampered("step-2^63", "step 9,223,372,036,854,775,808 is outside", {"step": 2**63})
    tampered("epoch-1e18", "epoch 1,000,000,000,000,000,000 is outside", {"epoch": 10**18})
    tampered("optimizer_t-2^63", "optimizer_t", {"optimizer_t": 2**63})
    tampered("diverged_at--5", "diverged_at -5 is not a count", {"diverged_at": -5})
    tampered("diverged_at-step", "diverged_at 7 is outside 8..", {"diverged_at": 7})
    tampered("diverged_at-float", "diverged_at 9.5 is not a count", {"diverged_at": 9.5})
    tampered("rng-negative", "rng is not a PCG64 random state", {"rng.state.state": -1})
    tampered("rng-2^200", "rng is not a PCG64 random state", {"rng.state.inc": 2**200})
    tampered("rng-has_uint32", "rng is not a PCG64 random state", {"rng.has_uint32": 7})
    tampered("rng-extra-key", "rng is not a PCG64 random state", {"rng.colour": "red"})
    tampered("class-names-long", "class names", {"dataset.class_names": ["x" * 10_000] * 4})
    names = meta["dataset"]["class_names"]
    for case, text in TERMINAL_TEXT.items():
        tampered(f"class-name-{case}", "which is not printable text", {"dataset.class_names": [*names[:-1], text]})
    tampered("extent-1e308", "extent 1e+308 is not a positive number", {"dataset.extent": 1e308})
    tampered("extent-negative", "extent -1.0 is not a positive number", {"dataset.extent": -1.0})
    history = arrays["history"].copy()
    history[0, 0] = np.nan
    tampered("history-nan-step", "history steps and epochs", history=history)
    history = arrays["history"].copy()
    history[0, 2] = -1e308
    tampered("history-negative-loss", "history losses", history=history)

    # -- extreme numbers -------------------------------------------------------------------
    params = arrays["params"].copy()
    params[::2], params[1::2] = 1e308, -1e308
    tampered("params-1e308", "params has values beyond ±1e+30", params=params)
    tampered("initial-1e308", "initial_params has values beyond", initial_params=params)
    X = arrays["X_train"].copy()
    X[0] = 1.7e308
    tampered("points-1.7e308", "X_train has a coordinate beyond ±1e+15", X_train=X)
    tampered("test-points-inf", "X_test contains NaN or inf", X_test=np.full_like(arrays["X_test"], np.inf))
    tampered("labels-big", "train labels are not classes", y_train=np.full_like(arrays["y_train"], 2**62))
    return files
