"""Reading an ``.npz`` archive that may be hostile: every size is known before anything is allocated.

``np.load`` trusts each member's header: a header claiming 10^12 elements allocates them
(MemoryError), a small deflate stream can expand to gigabytes, and the header itself is
parsed with ``ast.literal_eval`` (a damaged one raises tokenize errors). Here a member's
header is read on its own and matched by a strict pattern; the caller checks its dtype and
shape against what it expects, and only then is the data read, in chunks, and never past
the number of bytes the header promised (which must also be the size the archive declares).
Only stored and deflated members are read (deflate is decompressed with a bound per call).
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from typing import IO

import numpy as np

MAGIC = b"\x93NUMPY"
MAX_HEADER_BYTES = 16 * 1024  # numpy writes ~128 bytes; it refuses more than 10,000 itself
READ_CHUNK = 16 * 1024 * 1024
PLAIN_KINDS = "biufcUS"  # anything else (objects, void, dates) is not an array of numbers or text

_HEADER = re.compile(
    r"\{\s*'descr'\s*:\s*'(?P<descr>[<>|=]?[A-Za-z]\d{0,9})'\s*,"
    r"\s*'fortran_order'\s*:\s*(?P<fortran>True|False)\s*,"
    r"\s*'shape'\s*:\s*\(\s*(?P<shape>(?:\d{1,15}\s*,\s*)*(?:\d{1,15})?)\s*\)\s*,?\s*\}\s*"
)


class ArchiveError(ValueError):
    """The archive or one of its members cannot be read; the message is one line."""


@dataclass(frozen=True)
class Member:
    """One ``.npy`` member's header: what reading it would give, before reading it."""

    key: str
    info: zipfile.ZipInfo
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    header_bytes: int

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize


class NpzReader:
    """The ``.npy`` members of a zip archive, read header first."""

    def __init__(self, fh: IO[bytes]) -> None:
        try:
            self.zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveError(f"not a zip archive ({_reason(exc)})") from None
        self._infos = {i.filename.removesuffix(".npy"): i for i in self.zip.infolist() if i.filename.endswith(".npy")}

    def keys(self) -> set[str]:
        return set(self._infos)

    def member(self, key: str) -> Member:
        """The header of member ``key``; ArchiveError when it is not a plain ``.npy`` array."""
        info = self._infos[key]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(f"{key}: compression method {info.compress_type} is not read (stored or deflate only)")
        with self.zip.open(info) as fh:
            head = fh.read(len(MAGIC) + 2)
            if len(head) < len(MAGIC) + 2 or head[: len(MAGIC)] != MAGIC:
                raise ArchiveError(f"{key}: not a .npy array")
            major = head[len(MAGIC)]
            if major not in (1, 2, 3):
                raise ArchiveError(f"{key}: .npy format version {major} is unknown")
            width = 2 if major == 1 else 4
            raw = fh.read(width)
            if len(raw) < width:
                raise ArchiveError(f"{key}: truncated .npy header")
            length = int.from_bytes(raw, "little")
            if length > MAX_HEADER_BYTES:
                raise ArchiveError(f"{key}: .npy header of {length:,} bytes (the limit is {MAX_HEADER_BYTES:,})")
            text_bytes = fh.read(length)
        if len(text_bytes) < length:
            raise ArchiveError(f"{key}: truncated .npy header")
        text = text_bytes.decode("utf-8" if major == 3 else "latin-1", errors="replace")
        match = _HEADER.fullmatch(text)
        if match is None:
            raise ArchiveError(f"{key}: malformed .npy header")
        try:
            dtype = np.dtype(match["descr"])
        except (TypeError, ValueError):
            raise ArchiveError(f"{key}: unknown dtype {match['descr']!r}") from None
        if dtype.kind not in PLAIN_KINDS or dtype.hasobject or dtype.subdtype is not None:
            raise ArchiveError(f"{key}: dtype {match['descr']!r} is not a plain array of numbers or text")
        shape = tuple(int(s) for s in match["shape"].split(",") if s.strip())
        m = Member(key, info, dtype, shape, match["fortran"] == "True", len(MAGIC) + 2 + width + length)
        if info.file_size != m.header_bytes + m.nbytes:
            raise ArchiveError(
                f"{key}: the archive says {info.file_size:,} bytes but the header says {m.header_bytes + m.nbytes:,}"
            )
        return m

    def read(self, m: Member) -> np.ndarray:
        """The array of a member whose header the caller has checked; reads ``m.nbytes`` and no more."""
        if m.nbytes == 0:
            return np.zeros(m.shape, m.dtype)
        out = np.empty(m.nbytes, np.uint8)
        with self.zip.open(m.info) as fh:
            fh.read(m.header_bytes)
            at = 0
            while at < m.nbytes:
                chunk = fh.read(min(READ_CHUNK, m.nbytes - at))
                if not chunk:
                    raise ArchiveError(f"{m.key}: shorter than its header says")
                out[at : at + len(chunk)] = np.frombuffer(chunk, np.uint8)
                at += len(chunk)
            fh.read(1)  # reaching the end checks the member's CRC
        return out.view(m.dtype).reshape(m.shape, order="F" if m.fortran_order else "C")


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
