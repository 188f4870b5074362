"""The exercise catalogue: every module of the ``exercises`` package exposes one ``SPEC``.

Adding an exercise is one small file in ``exercises/``; :data:`REGISTRY` finds it by itself. The
library never imports an exercise by name: the package is found by its name at import time,
so ``exercises/`` depends on the engine and never the other way round.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Final

from fitness.engine.spec import ExerciseSpec

PACKAGE: Final = "exercises"


def discover(package: str = PACKAGE) -> dict[str, ExerciseSpec]:
    """Every ``SPEC`` in the modules of ``package``, by key; two specs with one key are an error."""
    pkg = importlib.import_module(package)
    found: dict[str, ExerciseSpec] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if not isinstance(spec, ExerciseSpec):
            continue
        if spec.key in found:
            raise ValueError(f"two exercises share the key {spec.key!r}")
        found[spec.key] = spec
    return found


REGISTRY: Final[dict[str, ExerciseSpec]] = discover()


def get_spec(key: str) -> ExerciseSpec:
    """The spec for ``key``; :class:`KeyError` lists the valid keys."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown exercise {key!r}; valid exercises: {', '.join(sorted(REGISTRY))}") from None
