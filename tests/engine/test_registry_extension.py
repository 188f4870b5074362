"""The 19th exercise is one file and one test: the worked example of
``docs/adding-an-exercise.md`` run as it stands, from a temporary package.

The spec's code block becomes ``front_raise.py`` in a throw-away package, the registry's own
discovery finds it next to the 18 of ``exercises/``, recognition tells it apart, and the
page's test code runs against it unchanged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitness.engine.context import ContextTracker
from fitness.engine.recognition import ExerciseRecognizer
from fitness.engine.registry import REGISTRY, discover
from fitness.engine.spec import ExerciseSpec
from tests.figures import DT, reps, standing_figure

DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-an-exercise.md"


def code_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.fixture()
def extra_package(tmp_path: Path) -> Iterator[str]:
    spec_code, _ = code_blocks()
    package = tmp_path / "extra_exercises"
    package.mkdir()
    (package / "__init__.py").write_text('"""More exercises."""\n')
    (package / "front_raise.py").write_text(spec_code)
    sys.path.insert(0, str(tmp_path))
    try:
        yield package.name
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package.name or m.startswith(f"{package.name}.")]:
            del sys.modules[name]


def test_the_page_has_the_spec_and_its_test() -> None:
    blocks = code_blocks()
    assert len(blocks) == 2 and "SPEC = ExerciseSpec(" in blocks[0] and "def test_" in blocks[1]


def test_a_new_file_is_a_new_exercise(extra_package: str) -> None:
    found = discover(extra_package)
    assert list(found) == ["front_raise"]
    spec = found["front_raise"]
    assert isinstance(spec, ExerciseSpec) and spec.rules[0].id == "too_high"
    catalogue = {**REGISTRY, **found}
    assert len(catalogue) == len(REGISTRY) + 1 == 19


def test_the_pages_test_passes_against_it(extra_package: str) -> None:
    _, test_code = code_blocks()
    namespace: dict[str, object] = {}
    exec(compile(test_code, str(DOC), "exec"), namespace)
    namespace["REGISTRY"] = {**REGISTRY, **discover(extra_package)}
    test = namespace["test_front_raises_are_counted"]
    assert callable(test)
    test()


def test_recognition_knows_the_new_exercise(extra_package: str) -> None:
    recognizer = ExerciseRecognizer({**REGISTRY, **discover(extra_package)})
    tracker = ContextTracker()
    for i, a in enumerate(reps(4, 5, 90)):
        recognizer.step(tracker.update(standing_figure(elbow=175, upper_arm=a), i * DT))
    recognizer.finish()
    assert recognizer.current().exercise == "front_raise"
    # Without it, the same movement is not an exercise the app knows.
    plain = ExerciseRecognizer(REGISTRY)
    tracker = ContextTracker()
    for i, a in enumerate(reps(4, 5, 90)):
        plain.step(tracker.update(standing_figure(elbow=175, upper_arm=a), i * DT))
    plain.finish()
    assert plain.current().exercise is None


def test_two_files_with_one_key_are_refused(extra_package: str, tmp_path: Path) -> None:
    package = tmp_path / extra_package
    (package / "front_raise_again.py").write_text((package / "front_raise.py").read_text())
    with pytest.raises(ValueError, match="two exercises share the key 'front_raise'"):
        discover(extra_package)
