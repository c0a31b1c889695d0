"""The suite's numbers are the same on every x86-64 machine (tests/same_numbers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import same_numbers


def test_the_environment_is_pinned_where_nothing_set_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(same_numbers, "has_avx2", lambda: True)
    environ = {"OPENBLAS_CORETYPE": "Zen"}
    assert same_numbers.pin(environ) == {"NPY_DISABLE_CPU_FEATURES": same_numbers.AVX512_TARGETS}
    assert environ["OPENBLAS_CORETYPE"] == "Zen"  # a value already set is kept
    monkeypatch.setattr(same_numbers, "has_avx2", lambda: False)
    assert same_numbers.pin(environ := {}) == {} and environ == {}  # Haswell kernels need AVX2


def test_avx2_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n")
    assert same_numbers.has_avx2(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2x\n")
    assert not same_numbers.has_avx2(cpuinfo)
    assert not same_numbers.has_avx2(tmp_path / "missing")


def test_numpy_runs_its_avx2_loops_in_the_suite() -> None:
    from numpy._core._multiarray_umath import __cpu_features__ as features

    if not features.get("AVX512F"):
        pytest.skip("no AVX-512 on this CPU: numpy's loops are the AVX2 ones already")
    if os.environ.get("NPY_DISABLE_CPU_FEATURES") != same_numbers.AVX512_TARGETS:
        pytest.skip("NPY_DISABLE_CPU_FEATURES was set before the suite")
    # Disabled, a target reads False; AVX512_SKX in every numpy, X86_V4 from numpy 2.4 on.
    assert not features.get("AVX512_SKX") and not features.get("X86_V4")
