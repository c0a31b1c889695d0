"""The layer boundaries and install names, checked on every run of the suite."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL_IMPORT = re.compile(r"^\s*(from|import)\s+(core|tui)\b", re.M)


def test_import_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: the engine stays free of the app, Textual and Rich."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_code_imports_the_installed_names_only() -> None:
    """``core`` and ``tui`` are folders; installed they are ``nnplay.core`` and ``nnplay.tui``."""
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for folder in ("core", "tui", "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        for match in TOP_LEVEL_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_public_api_imports_under_nnplay() -> None:
    from nnplay.core import Network

    net = Network([2, 6, 4], activation="sigmoid", output="sigmoid", loss="mse", seed=0)
    assert net.sizes == [2, 6, 4]
    assert "core" not in sys.modules and "tui" not in sys.modules


def test_headless_training_imports_neither_textual_nor_rich() -> None:
    """``nnplay train --json`` is the engine alone: fast to start, usable where Textual is not."""
    script = (
        "import sys\n"
        "from nnplay.tui.cli.entry import main\n"
        "code = main(['train', '--preset', 'xor', '--iterations', '20', '--json', '--engine', 'numpy'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr


def test_the_engine_tests_drive_the_engine_only() -> None:
    """tests/core is the engine alone (quick, no terminal): the app's tests are in tests/tui, the CLI's in tests/cli."""
    app_import = re.compile(r"^\s*(from|import)\s+(nnplay\.tui|textual|rich)\b", re.M)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in (ROOT / "tests" / "core").rglob("*.py")
        for match in app_import.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_app_stays_a_thin_composition() -> None:
    """``NNPlayApp`` composes the panes and runs one-line actions; the rules live in tui/model,
    tui/keys/key_table.py, the session and the screens. A class growing past 300 lines is taking them back."""
    import inspect

    from nnplay.tui.app.app import NNPlayApp

    lines, _ = inspect.getsourcelines(NNPlayApp)
    assert len(lines) < 300, f"NNPlayApp is {len(lines)} lines: move the rule it gained to where such rules live"


def test_every_package_folder_is_in_the_wheel() -> None:
    """pyproject lists the packages by hand (``package-dir`` maps the folders to ``nnplay.*``):
    a new subfolder missing from the list would import in the checkout and be absent installed."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        "nnplay." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("core", "tui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert folders == listed


def _layered_packages() -> list[str]:
    """Every module or package named by a layer of pyproject's layers contracts."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    named = []
    for contract in contracts:
        if contract["type"] != "layers":
            continue
        for layer in contract["layers"]:
            for name in re.split(r"[|:]", layer):
                named += [f"{c}.{name.strip()}" for c in contract.get("containers", [])] or [name.strip()]
    return named


def test_every_module_is_in_a_layer() -> None:
    """A module of core/ or tui/ that no layers contract names is outside every boundary: any
    import to or from it would pass. The two roots (``nnplay.core``, ``nnplay.tui``) are the layers."""
    roots = ("nnplay.core", "nnplay.tui")
    named = [name for name in _layered_packages() if name not in roots]
    modules = [
        "nnplay." + ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for top in ("core", "tui")
        for path in (ROOT / top).rglob("*.py")
    ]
    outside = [
        m for m in modules if m not in roots and not any(m == name or m.startswith(name + ".") for name in named)
    ]
    assert outside == [], f"in no layers contract of pyproject.toml: {outside}"


def test_no_module_imports_itself_back() -> None:
    """No import cycle between modules, counting the imports inside functions and under
    ``TYPE_CHECKING`` (grimp, which import-linter uses, sees both): a cycle hidden in a deferred
    import is still two modules that cannot be understood, or moved, apart."""
    import grimp

    graph = grimp.build_graph("nnplay.core", "nnplay.tui", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if module < imported and graph.chain_exists(importer=imported, imported=module):
                back = graph.find_shortest_chain(importer=imported, imported=module)
                cycles.append(" -> ".join([module, *back]))
    assert cycles == []
