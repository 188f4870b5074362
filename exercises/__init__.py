"""Exercise catalogue: every module in this package exposes one ``SPEC``.

Adding an exercise is one small file here; :data:`REGISTRY` finds it by itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Final

from fitness.spec import ExerciseSpec


def _discover() -> dict[str, ExerciseSpec]:
    found: dict[str, ExerciseSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if not isinstance(spec, ExerciseSpec):
            continue
        if spec.key in found:
            raise ValueError(f"two exercises share the key {spec.key!r}")
        found[spec.key] = spec
    return found


REGISTRY: Final[dict[str, ExerciseSpec]] = _discover()


def get_spec(key: str) -> ExerciseSpec:
    """The spec for ``key``; :class:`KeyError` lists the valid keys."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown exercise {key!r}; valid exercises: {', '.join(sorted(REGISTRY))}") from None
