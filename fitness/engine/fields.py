"""A value's fields, written once: what each is called, its unit, and how it reads as text.

A value dataclass (:class:`fitness.engine.values.Rep`) declares each field with
``field(metadata=about("Label", "unit"))``; :func:`columns` turns the class into an ordered
tuple of :class:`Column`. The store's table, the CSV and JSON fields and every table a person
reads are derived from that tuple, so adding a field to a value is one edit (plus, for stored
values, one migration).
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar, Union, get_args, get_origin, get_type_hints, overload

INFO_KEY: Final = "fitness.field"

# The unit of a value as it is held ("" for counts and words). People read times in seconds.
Unit = Literal["", "ms", "deg", "%", "kg"]
# What a field holds: a whole number, a measurement, one of a fixed set of words, free text, or
# a list (cues): lists are stored in a table of their own, one row per item. A list's items
# are text, or values of a dataclass whose own fields (declared the same way) are that table's
# columns. A field typed ``X | None`` may be empty (NULL when stored).
Kind = Literal["int", "float", "choice", "text", "list"]

SHOWN_UNIT: Final[Mapping[str, str]] = {"ms": "s", "deg": "°"}
# Metadata of a field that holds other values (a set's reps), not a column: see :func:`nested`.
NESTED_KEY: Final = "fitness.nested"

ObjT = TypeVar("ObjT")
ValT = TypeVar("ValT")


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """How one field is named and measured. ``max_len`` (text, choices and list items) is the
    longest value accepted, and sizes the stored column; ``example`` is a typical value for
    messages ("side must be a short name like 'left'")."""

    label: str
    unit: Unit = ""
    max_len: int | None = None
    example: str | None = None


def about(label: str, unit: Unit = "", *, max_len: int | None = None, example: str | None = None) -> dict[str, Any]:
    """Field metadata: ``index: int = field(metadata=about("Rep"))``."""
    return {INFO_KEY: FieldInfo(label, unit, max_len, example)}


def nested(label: str) -> dict[str, Any]:
    """Field metadata for values held inside another (a set's reps, a hold's breaks): they are
    rows of their own table, not columns, so :func:`columns` leaves the field out."""
    return {NESTED_KEY: label}


class Computed(Generic[ObjT, ValT]):
    """A read-only value computed from the fields (a rep's duration). Tables, CSV files and
    frames show it right after the field named ``after``; it is never stored."""

    def __init__(self, fget: Callable[[ObjT], ValT], info: FieldInfo, after: str) -> None:
        self.fget = fget
        self.info = info
        self.after = after
        self.name = fget.__name__
        self.__doc__ = fget.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Computed[ObjT, ValT]: ...

    @overload
    def __get__(self, obj: ObjT, owner: type[Any] | None = None) -> ValT: ...

    def __get__(self, obj: ObjT | None, owner: type[Any] | None = None) -> ValT | Computed[ObjT, ValT]:
        return self if obj is None else self.fget(obj)


def computed(label: str, unit: Unit = "", *, after: str) -> Callable[[Callable[[ObjT], ValT]], Computed[ObjT, ValT]]:
    """Decorator, used like ``@property``: ``@computed("Duration", "ms", after="end_ms")``."""

    def wrap(fget: Callable[[ObjT], ValT]) -> Computed[ObjT, ValT]:
        return Computed(fget, FieldInfo(label, unit), after)

    return wrap


@dataclass(frozen=True, slots=True)
class Column:
    """One field (or computed value) of a value type, as every table and file sees it."""

    name: str
    info: FieldInfo
    kind: Kind
    choices: tuple[str, ...] = ()
    computed: bool = False
    optional: bool = False  # ``X | None``: may be missing (a set's rest before it, a hold's time)
    item_type: type | None = None  # a list of these dataclass values (None: a list of text)

    @property
    def item(self) -> str:
        """What one element of a list field is called: the field's name without its plural s."""
        return self.name.removesuffix("s")

    def item_columns(self) -> tuple[Column, ...]:
        """The fields of one item of a list of values (empty for a list of text)."""
        return () if self.item_type is None else stored_columns(self.item_type)

    def get(self, obj: object) -> Any:
        return getattr(obj, self.name)

    def csv_value(self, value: Any) -> object:
        """A CSV cell: lists joined with ``"; "``, everything else as it is."""
        if value is None:
            return ""
        return "; ".join(str(v) for v in value) if self.kind == "list" else value


@functools.cache
def columns(cls: type) -> tuple[Column, ...]:
    """The fields of dataclass ``cls`` in declaration order, each computed value right after
    the field it names. A field without :func:`about` metadata is an error, so a new field
    cannot be added without saying what it is."""
    hints = get_type_hints(cls)
    out: list[Column] = []
    for f in dataclasses.fields(cls):
        if NESTED_KEY in f.metadata:
            continue
        info = f.metadata.get(INFO_KEY)
        where = f"{cls.__name__}.{f.name}"
        if not isinstance(info, FieldInfo):
            raise TypeError(f"{where} has no label: declare it with field(metadata=about(...))")
        hint, optional = _optional(hints[f.name])
        kind, choices = _kind(hint, where)
        item_type = _item_type(hint) if kind == "list" else None
        if (kind in ("text", "choice") or (kind == "list" and item_type is None)) and info.max_len is None:
            raise TypeError(f"{where} holds text: give it a max_len")
        out.append(Column(f.name, info, kind, choices, optional=optional, item_type=item_type))
    extras = [v for v in vars(cls).values() if isinstance(v, Computed)]
    for extra in extras:
        names = [c.name for c in out]
        if extra.after not in names:
            raise TypeError(f"{cls.__name__}.{extra.name} comes after {extra.after!r}, which is not a field")
        hint, optional = _optional(get_type_hints(extra.fget).get("return"))
        kind, choices = _kind(hint, f"{cls.__name__}.{extra.name}")
        out.insert(
            names.index(extra.after) + 1,
            Column(extra.name, extra.info, kind, choices, computed=True, optional=optional),
        )
    return tuple(out)


def stored_columns(cls: type) -> tuple[Column, ...]:
    """The fields that are stored (computed values are not)."""
    return tuple(c for c in columns(cls) if not c.computed)


def _optional(hint: object) -> tuple[object, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(hint, False)``."""
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in args and len(args) == 2:
        return next(a for a in args if a is not type(None)), True
    return hint, False


def _item_type(hint: object) -> type | None:
    """The dataclass a list holds (``None`` for a list of text)."""
    item = get_args(hint)[0]
    return item if isinstance(item, type) and dataclasses.is_dataclass(item) else None


def _kind(hint: object, where: str) -> tuple[Kind, tuple[str, ...]]:
    if hint is int:
        return "int", ()
    if hint is float:
        return "float", ()
    if hint is str:
        return "text", ()
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal and args and all(isinstance(a, str) for a in args):
        return "choice", tuple(str(a) for a in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if args[0] is str or (isinstance(args[0], type) and dataclasses.is_dataclass(args[0])):
            return "list", ()
        raise TypeError(f"{where}: a list holds text or dataclass values, not {args[0]!r}")
    raise TypeError(f"{where}: cannot store a field of type {hint!r}")


# -- text for people ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Style:
    """How one kind of table writes numbers: decimals of seconds and degrees, and the mark
    for an empty list. The app's tables are compact; the terminal's show more digits."""

    seconds: int = 1
    degrees: int = 0
    number: int = 1
    empty: str = "—"

    def header(self, col: Column) -> str:
        shown = SHOWN_UNIT.get(col.info.unit, col.info.unit)
        return f"{col.info.label} ({shown})" if shown else col.info.label

    def text(self, col: Column, value: Any) -> str:
        if value is None:
            return self.empty
        if col.kind == "list":
            return "; ".join(str(v) for v in value) or self.empty
        if col.kind == "choice":
            return str(value).replace("_", " ")
        if col.info.unit == "ms":
            return f"{value / 1000:.{self.seconds}f}"
        if col.info.unit in ("deg", "%"):
            return f"{value:.{self.degrees}f}"
        if col.kind == "float":
            return f"{value:.{self.number}f}"
        return str(value)


def reading_order(cols: tuple[Column, ...]) -> tuple[Column, ...]:
    """Columns as a person reads a table: lists (free text of any length) last, so the
    numbers line up and the long text runs off to the right."""
    return tuple(c for c in cols if c.kind != "list") + tuple(c for c in cols if c.kind == "list")
