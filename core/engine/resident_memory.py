"""Hand a loaded library's pages back to the operating system once it is no longer needed.

numba's compiler (LLVM, in ``libllvmlite.so``) is needed to compile or load the training
kernel, and then never again: the kernel is machine code that runs without it. Its ~70 MB
of touched code pages would otherwise stay resident for the whole life of the process. ``MADV_PAGEOUT``
(Linux 5.4+) asks the kernel to reclaim them: clean file-backed pages are dropped and read
back from the file should they ever be used again; dirty pages are written out first (or
stay, without swap), so no data is ever lost. Anywhere else this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

MADV_PAGEOUT = 21


def page_out_mappings(path_fragment: str) -> int:
    """Advise the kernel to reclaim every mapping whose file path contains ``path_fragment``.

    Returns the bytes of address space advised (0 where unsupported); never raises."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        madvise.restype = ctypes.c_int
        advised = 0
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(maxsplit=5)
                if len(fields) < 6 or path_fragment not in fields[5]:
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                if madvise(start, end - start, MADV_PAGEOUT) == 0:
                    advised += end - start
        return advised
    except (OSError, AttributeError, ValueError):
        return 0
