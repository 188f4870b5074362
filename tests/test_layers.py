"""The packages are layers, and imports only point down them: pose -> engine -> pipeline ->
store -> batch -> bench/app -> cli. A module that imports upwards (say, the engine reaching
for the store) ties a lower layer to a higher one and is caught here, function-level imports
included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "fitness"
# Each layer's rank: a module may import its own layer and any of lower rank.
LAYERS = {"pose": 0, "engine": 1, "pipeline": 2, "store": 3, "batch": 4, "bench": 5, "app": 5, "cli": 6}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "fitness" and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_imports_point_down_the_layers(layer: str) -> None:
    upward = sorted(
        f"{path.relative_to(ROOT.parent)} imports {module}"
        for path in (ROOT / layer).rglob("*.py")
        for module in _imports(path)
        if (target := _layer_of(module)) is not None and LAYERS[target] > LAYERS[layer]
    )
    assert not upward, "\n".join(upward)


def test_every_package_has_a_layer() -> None:
    """A new package must be placed in the order above, not slip past this test."""
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS), packages ^ set(LAYERS)


def test_the_library_does_not_import_the_exercise_files_directly() -> None:
    """``exercises/`` is data the registry loads; the library never imports it by name."""
    direct = sorted(
        str(path.relative_to(ROOT.parent))
        for path in ROOT.rglob("*.py")
        if any(m == "exercises" or m.startswith("exercises.") for m in _imports(path))
    )
    assert not direct, direct
