"""The suite computes the same numbers on every x86-64 machine: imported before numpy loads.

Snapshots and screenshots show trained runs number by number, and training amplifies a change in
the last bit: after 15,000 steps of the spiral preset a bias differs in its fourth digit, and the
compare screen's lr=3 run ends at another loss. numpy picks its loops for ``tanh``, ``exp`` and
the like by CPU (AVX-512 where there is AVX-512, else AVX2), and OpenBLAS its matrix kernels; the
two sets differ in the last bit. So the suite, and every process it starts (they inherit the
environment), runs numpy's AVX2 loops and OpenBLAS's Haswell kernels wherever the CPU has AVX2,
the level every x86-64 machine of the last ten years has. nnplay itself uses what the CPU offers.

A value already in the environment is kept: ``NPY_DISABLE_CPU_FEATURES=`` (empty) runs the suite
on the CPU's own loops.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# numpy's AVX-512 dispatch targets, by their names in numpy 2.4 (X86_V4, AVX512_ICL, AVX512_SPR)
# and before it (AVX512F ... AVX512_SPR); numpy ignores a name it does not dispatch on.
AVX512_TARGETS = "X86_V4 AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"
PINNED = {"NPY_DISABLE_CPU_FEATURES": AVX512_TARGETS, "OPENBLAS_CORETYPE": "Haswell"}


def has_avx2(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU runs AVX2 code (read without numpy, which must not be loaded yet)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and "avx2" in line.split(":", 1)[-1].split() for line in text.splitlines())


def pin(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, str]:
    """Set the environment above where the CPU has AVX2 and nothing set it already; what it set."""
    if not has_avx2():
        return {}
    chosen = {name: value for name, value in PINNED.items() if name not in environ}
    environ.update(chosen)
    return chosen


if __name__ == "__main__":  # python -m tests.same_numbers COMMAND...: run it with the suite's numbers
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m tests.same_numbers COMMAND [ARGUMENT...]")
    pin()
    os.execvp(sys.argv[1], sys.argv[1:])

if "numpy" in sys.modules:  # too late: numpy has chosen its loops and loaded OpenBLAS
    raise ImportError("tests/same_numbers.py must be imported before numpy (first in tests/conftest.py)")
pin()
