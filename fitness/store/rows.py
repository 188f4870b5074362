"""Values to rows and back: everything that goes in is checked first, with a one-line reason.

A rep's row is built from :class:`~fitness.engine.values.Rep`'s fields (:mod:`fitness.engine.fields`):
whole numbers, finite measurements, one of the allowed words, short text. Numpy scalars
become plain numbers; NaN is refused (SQLite would store it as NULL and a chart would miss
the rep).
"""

from __future__ import annotations

import json
import math
import operator
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from fitness.engine.fields import Column
from fitness.engine.machines import Break
from fitness.engine.values import Rep, SetResult
from fitness.errors import StorageError
from fitness.store.recorder import EndReason, SessionInfo
from fitness.store.schema import (
    FINAL_REASONS,
    MAX_EXERCISE,
    MAX_INT32,
    MAX_INT64,
    MAX_NAME,
    MAX_NAME_KEY,
    MAX_NOTE,
    MAX_PLAN_NAME,
    MAX_VARIANT,
    MAX_VIDEO_NAME,
    SOURCES,
    break_columns,
    column_name,
    item_columns,
    list_columns,
    rep_columns,
    set_columns,
)
from fitness.store.values import PlanItem


def _as_int(value: object, name: str, what: object) -> int:
    if isinstance(value, bool):
        raise StorageError(f"{what}: {name} must be a whole number, got {value!r}")
    try:
        return operator.index(cast(Any, value))
    except TypeError:
        raise StorageError(f"{what}: {name} must be a whole number, got {value!r}") from None


def _as_float(value: object, name: str, what: object) -> float:
    try:
        number = float(cast(Any, value))
    except (TypeError, ValueError):
        raise StorageError(f"{what}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        # SQLite would silently store NaN as NULL; a chart would then miss the rep.
        raise StorageError(f"{what}: {name} must be a finite number, got {number}")
    return number


def _is_text(value: object, limit: int | None) -> bool:
    # PostgreSQL cannot store NUL in text; refusing it everywhere keeps both backends alike.
    return isinstance(value, str) and 0 < len(value) <= (limit or 0) and "\x00" not in value


def _field_value(col: Column, value: object, what: str, name: str | None = None) -> object:
    name = name or col.name
    if value is None and col.optional:
        return None
    if col.kind == "int":
        number = _as_int(value, name, what)
        if abs(number) > MAX_INT64:
            raise StorageError(f"{what}: {name} is out of range: {number}")
        return number
    if col.kind == "float":
        return _as_float(value, name, what)
    if col.kind == "choice":
        if value not in col.choices:
            raise StorageError(f"{what}: {name} must be one of {', '.join(col.choices)}, got {value!r}")
        return value
    if not _is_text(value, col.info.max_len):
        if col.info.example is not None:
            raise StorageError(f"{what}: {name} must be a short name like {col.info.example!r}, got {value!r}")
        raise StorageError(f"{what}: {name} must be text of 1-{col.info.max_len} characters, got {value!r}")
    return value


def rep_row(rep: Rep) -> dict[str, Any]:
    """The ``reps`` row for ``rep`` (numpy scalars become plain numbers), validated, list
    fields included (their items go to tables of their own: :func:`rep_items`)."""
    index = _as_int(rep.index, "index", f"rep {rep.index}")
    if not 0 <= index <= MAX_INT32:
        raise StorageError(f"rep index must be between 0 and {MAX_INT32}, got {index}")
    row: dict[str, Any] = {
        column_name(c): index if c.name == "index" else _field_value(c, c.get(rep), f"rep {index}")
        for c in rep_columns()
    }
    rep_items(rep)  # validated too
    return row


def _item_row(lst: Column, item: object, index: int) -> dict[str, Any]:
    """One item of list ``lst`` as its table's columns, validated."""
    row: dict[str, Any] = {}
    for name, col in item_columns(lst):
        if col is None:
            if not _is_text(item, lst.info.max_len):
                raise StorageError(
                    f"rep {index}: each {lst.item} must be text of 1-{lst.info.max_len} characters, got {item!r}"
                )
            row[name] = item
        elif lst.item_type is None or not isinstance(item, lst.item_type):
            kind = "a value" if lst.item_type is None else f"a {lst.item_type.__name__}"
            raise StorageError(f"rep {index}: each {lst.item} must be {kind}, got {item!r}")
        else:
            row[name] = _field_value(col, col.get(item), f"rep {index}", f"{lst.item} {col.name}")
    return row


def rep_items(rep: Rep) -> dict[str, list[dict[str, Any]]]:
    """The rows of each list field of ``rep`` (one per cue), by field name, validated."""
    index = _as_int(rep.index, "index", rep.index)
    return {col.name: [_item_row(col, item, index) for item in col.get(rep)] for col in list_columns()}


def _plain(col: Column, value: Any) -> Any:
    convert = {"int": int, "float": float, "choice": str, "text": str}
    return None if value is None and col.optional else convert[col.kind](value)


def item_from_row(lst: Column, row: Mapping[Any, Any]) -> Any:
    """One item of list ``lst`` from its table's columns (a dataclass value, or text)."""
    cols = item_columns(lst)
    if lst.item_type is None:
        return str(row[cols[0][0]])
    return lst.item_type(**{c.name: _plain(c, row[name]) for name, c in cols if c is not None})


def rep_from_row(row: Mapping[Any, Any], items: Mapping[str, Sequence[Any]]) -> Rep:
    """A :class:`Rep` from its ``reps`` row and its list items, with plain Python types."""
    values: dict[str, Any] = {c.name: _plain(c, row[column_name(c)]) for c in rep_columns()}
    values.update({c.name: tuple(items.get(c.name, ())) for c in list_columns()})
    return Rep(**values)


# -- sessions ---------------------------------------------------------------------------------


def check_text(value: object, what: str, limit: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _is_text(value, limit) or not value.strip():
        raise StorageError(f"{what} must be text of 1-{limit} characters, got {value!r}")
    return value


def profile_name(name: object) -> str:
    """``name`` as a profile is called: checked, trimmed, inner runs of spaces made one.

    A profile is one person however the name is typed, so what is stored is what was meant:
    " Alice " is "Alice"."""
    check_text(name, "profile name", MAX_NAME)
    return " ".join(unicodedata.normalize("NFC", str(name)).split())


def profile_key(name: object) -> str:
    """What makes two profile names one person: the trimmed name, case-folded ("Alice",
    "alice" and " ALICE " share one key; so do "Straße" and "STRASSE"). NFKC first, so that
    the same letters typed differently (a full-width "Ａ", a decomposed "é") match as well.

    ``profiles.name_key`` holds this; changing it needs a migration that recomputes the keys.
    """
    key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", profile_name(name)).casefold())
    if len(key) > MAX_NAME_KEY:
        raise StorageError(f"profile name {name!r} is too long once its letters are spelled out; use a shorter one")
    return key


def check_note(value: object, what: str) -> str | None:
    """A note as stored: trimmed text of at most :data:`MAX_NOTE` characters; empty is none."""
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise StorageError(f"{what} must be text, got {value!r}")
    text = value.strip()
    if len(text) > MAX_NOTE:
        raise StorageError(f"{what} is {len(text)} characters long; keep it under {MAX_NOTE + 1}")
    return text or None


def check_info(info: SessionInfo) -> str:
    """Check what is known about a new session; returns its extra data as JSON."""
    check_text(info.exercise, "exercise", MAX_EXERCISE)
    check_text(info.model_variant, "model variant", MAX_VARIANT)
    check_text(info.video_name, "video name", MAX_VIDEO_NAME, optional=True)
    check_text(info.profile, "profile name", MAX_NAME)
    if info.source not in SOURCES:
        raise StorageError(f"session source must be one of {', '.join(SOURCES)}, got {info.source!r}")
    return extra_json(info.extra)


def extra_json(extra: Mapping[str, Any]) -> str:
    try:
        return json.dumps(dict(extra), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"session extra data must be JSON-serialisable: {exc}") from None


def check_reason(reason: str) -> EndReason:
    if reason not in FINAL_REASONS:
        raise StorageError(f"a session ends as one of {', '.join(FINAL_REASONS)}, not {reason!r}")
    return cast(EndReason, reason)


def now() -> datetime:
    return datetime.now(UTC)


def aware(ts: datetime | None, name: str) -> datetime | None:
    if ts is not None and ts.tzinfo is None:
        raise StorageError(f"{name} must be timezone-aware (e.g. datetime.now(UTC)), got {ts.isoformat()}")
    return ts


# -- sets -------------------------------------------------------------------------------------


def set_row(found: SetResult) -> dict[str, Any]:
    """The ``sets`` row for ``found`` (its reps and breaks are rows of their own), validated."""
    index = _as_int(found.index, "index", f"set {found.index}")
    if not 1 <= index <= MAX_INT32:
        raise StorageError(f"set index must be between 1 and {MAX_INT32}, got {index}")
    what = f"set {index}"
    row: dict[str, Any] = {
        column_name(c, SetResult): index if c.name == "index" else _field_value(c, c.get(found), what)
        for c in set_columns()
    }
    if row["end_ms"] < row["start_ms"]:
        raise StorageError(f"{what} ends ({row['end_ms']} ms) before it starts ({row['start_ms']} ms)")
    for name in ("rest_before_ms", "hold_ms"):
        if row[name] is not None and row[name] < 0:
            raise StorageError(f"{what}: {name} cannot be negative, got {row[name]}")
    check_load(found.load, found.load_unit, what)
    return row


def check_load(load: object, unit: object, what: str) -> None:
    """A set's load: none, or a positive weight with its unit (kg or lb)."""
    if load is None and unit is None:
        return
    if load is None or unit not in ("kg", "lb"):
        raise StorageError(f"{what}: a load needs a weight and its unit, kg or lb (got {load!r} {unit!r})")
    number = _as_float(load, "load", what)
    if number <= 0:
        raise StorageError(f"{what}: a load must be more than 0 {unit}, got {number:g}")


def break_rows(found: SetResult) -> list[dict[str, Any]]:
    """The ``set_breaks`` rows of a hold's breaks, in order."""
    return [
        {column_name(c, Break): _field_value(c, c.get(b), f"set {found.index} break {i + 1}") for c in break_columns()}
        for i, b in enumerate(found.breaks)
    ]


def set_from_row(row: Mapping[Any, Any], found: Sequence[Rep], breaks: Sequence[Mapping[Any, Any]]) -> SetResult:
    """A :class:`SetResult` from its ``sets`` row, its reps and its ``set_breaks`` rows."""
    values: dict[str, Any] = {c.name: _plain(c, row[column_name(c, SetResult)]) for c in set_columns()}
    kept = tuple(
        Break(**cast(dict[str, Any], {c.name: _plain(c, b[column_name(c, Break)]) for c in break_columns()}))
        for b in breaks
    )
    return SetResult(**values, reps=tuple(found), breaks=kept)


def one_set(exercise: str, reps: Sequence[Rep]) -> SetResult:
    """A session recorded as one set of ``exercise``: its reps, from the first's start to the
    last's end (0 to 0 without reps)."""
    start = min((r.start_ms for r in reps), default=0)
    return SetResult(
        index=1,
        exercise=exercise,
        start_ms=start,
        end_ms=max([start, *(r.end_ms for r in reps)]),
        reps=tuple(reps),
    )


# -- plans ------------------------------------------------------------------------------------


def check_plan_name(name: object) -> str:
    text = check_text(name, "a plan's name", MAX_PLAN_NAME)
    assert text is not None
    return " ".join(text.split())


def check_plan_items(items: Sequence[PlanItem], known: Mapping[str, str]) -> tuple[PlanItem, ...]:
    """A plan's items, checked: at least one; each a known exercise (``known``: key -> kind),
    a whole number of sets, a target of reps (or, for a hold, seconds) and a rest, all above
    zero. The first problem found is a one-line :class:`StorageError`."""
    if not items:
        raise StorageError("a plan needs at least one exercise: add one (for example 3 sets of 10 squats)")
    for n, item in enumerate(items, start=1):
        where = f"plan item {n}"
        if item.exercise not in known:
            raise StorageError(f"{where}: unknown exercise {item.exercise!r}; valid exercises: {', '.join(known)}")
        for name in ("sets", "rest_s"):
            _positive(getattr(item, name), f"{where} ({item.exercise}): {name.replace('_s', '')}")
        hold = known[item.exercise] == "hold"
        if hold and item.target_hold_s is None:
            raise StorageError(f"{where}: {item.exercise} is a hold: give its target in seconds, not reps")
        if not hold and item.target_reps is None:
            raise StorageError(f"{where}: {item.exercise} is counted in reps: give its target in reps, not seconds")
        target = item.target_hold_s if hold else item.target_reps
        _positive(target, f"{where} ({item.exercise}): {'seconds held' if hold else 'reps'}")
        if (item.target_reps is not None) and (item.target_hold_s is not None):
            raise StorageError(f"{where}: give a target in reps or in seconds, not both")
    return tuple(items)


def _positive(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StorageError(f"{what} must be a whole number, got {value!r}")
    if value <= 0:
        raise StorageError(f"{what} must be more than 0, got {value}")
    if value > MAX_INT32:
        raise StorageError(f"{what} is out of range: {value}")
