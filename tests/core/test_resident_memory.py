"""Paging out the compiler after the kernel is loaded: less resident memory, same training."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import pytest

from nnplay.core.engine.kernel import load_kernel
from nnplay.core.engine.resident_memory import page_out_mappings
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS


def resident_kb(path_fragment: str) -> int:
    """Resident KiB of this process's mappings of one file."""
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            first = line.split(maxsplit=1)[0]
            if "-" in first and not first.endswith(":"):
                inside = path_fragment in line
            elif inside and first == "Rss:":
                total += int(line.split()[1])
    return total


def test_a_library_nobody_loaded_advises_nothing() -> None:
    assert page_out_mappings("no-such-library-in-this-process") == 0


def test_the_pages_of_a_mapped_file_leave_memory_and_read_back_the_same(tmp_path: Path) -> None:
    # A file only this process maps (pages of a shared library that another process also
    # maps stay resident: the kernel reclaims only pages nobody else uses).
    path = tmp_path / "library-like.bin"
    content = np.random.default_rng(0).integers(0, 256, 8 << 20, dtype=np.uint8).tobytes()
    path.write_bytes(content)
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
    try:
        checksum = sum(mapped[i] for i in range(0, len(mapped), 4096))  # touch every page
        assert resident_kb(path.name) > 6_000
        assert page_out_mappings(path.name) == len(content)
        assert resident_kb(path.name) < 1_000
        assert sum(mapped[i] for i in range(0, len(mapped), 4096)) == checksum
        assert mapped[:] == content
    finally:
        mapped.close()


def test_training_with_the_kernel_is_unchanged_after_llvm_is_paged_out() -> None:
    kernel = load_kernel()
    if kernel is None:
        pytest.skip("numba is not available")
    config = PRESETS["spiral"].config(train_size=300)
    compiled = Trainer(config)
    compiled.use_kernel(kernel)
    compiled.step(10)
    assert page_out_mappings("libllvmlite") > 0
    compiled.step(490)
    reference = Trainer(config)
    reference.step(500)
    np.testing.assert_allclose(compiled.net.params, reference.net.params, rtol=1e-9, atol=1e-12)
