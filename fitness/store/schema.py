"""The current schema: what queries use. :mod:`fitness.store.migrations` is what builds it.

The tables describe the database as the migrations leave it, constraints and indexes
included (``tests/store/test_schema.py`` compares the two by inspection). The ``reps`` table
and the tables of a rep's lists (``cues``: one row per cue, one column per field of
:class:`~fitness.engine.values.Cue`) are derived from :class:`~fitness.engine.values.Rep`'s
fields, the ``sets`` table from :class:`~fitness.engine.values.SetResult`'s and ``set_breaks``
from :class:`~fitness.engine.machines.Break`'s, so a new field shows up here by itself; only
its migration is written by hand.

A workout is a session of sets, a set has reps (or a hold's time and breaks): ``sessions`` ->
``sets`` -> ``reps``. A session may follow a plan (``plans`` -> ``plan_items``), and each of
its sets then names the plan item it did.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from fitness.engine.fields import Column, stored_columns
from fitness.engine.machines import Break
from fitness.engine.values import Rep, SetResult
from fitness.store.recorder import EndReason

END_REASONS: Final[tuple[str, ...]] = get_args(EndReason)
FINAL_REASONS: Final = tuple(r for r in END_REASONS if r != "in_progress")
SOURCES: Final = ("live", "video")
MAX_NAME: Final = 100
# A profile's name key (:func:`fitness.store.rows.profile_key`): case folding and NFKC can
# spell one character as several ("ß" -> "ss"), so the key has more room than the name.
MAX_NAME_KEY: Final = 4 * MAX_NAME
MAX_NOTE: Final = 2000  # a session's notes and the reason for a corrected count
MAX_EXERCISE: Final = 50
MAX_VARIANT: Final = 50
MAX_VIDEO_NAME: Final = 500
MAX_BATCH: Final = 100
LEDGER_STATUSES: Final = ("done", "failed")
MAX_INT32: Final = 2**31 - 1
MAX_INT64: Final = 2**63 - 1


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps naive text, PostgreSQL timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one (datetime.now(UTC))")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# -- rep fields as columns ------------------------------------------------------------------

# A field whose column is named otherwise: "index" is a reserved word in SQL, and a break's
# "id" would read as the row's id.
STORED_NAME: Final = {"index": "rep_index"}
STORED_NAMES: Final[dict[type, dict[str, str]]] = {
    Rep: STORED_NAME,
    SetResult: {"index": "set_index"},
    Break: {"id": "reason_id"},
}
# The column that orders a session's reps and is unique within it.
REP_INDEX: Final = STORED_NAME["index"]
SET_INDEX: Final = STORED_NAMES[SetResult]["index"]
MAX_PLAN_NAME: Final = 100


def column_name(col: Column, value: type = Rep) -> str:
    return STORED_NAMES[value].get(col.name, col.name)


def item_column_name(lst: Column, col: Column) -> str:
    """The column of field ``col`` of the items of list ``lst``: an item's ``id`` (a cue's rule
    id) would read as the row's own key, so it is called after the item (``cue_id``)."""
    return f"{lst.item}_{col.name}" if col.name == "id" else column_name(col)


def _sql_type(col: Column) -> sa.types.TypeEngine[Any]:
    if col.name == "index":
        return sa.Integer()  # counts reps or sets within one session: 32 bits are plenty
    if col.kind == "int":
        return sa.BigInteger()  # milliseconds since the stream started
    if col.kind == "float":
        return sa.Double()
    return sa.String(col.info.max_len)


def rep_columns(value: type = Rep) -> tuple[Column, ...]:
    """The fields of ``value`` held in the ``reps`` row itself (lists have tables of their own)."""
    return tuple(c for c in stored_columns(value) if c.kind != "list")


def list_columns(value: type = Rep) -> tuple[Column, ...]:
    """The list fields of ``value``: each is a table with one row per item."""
    return tuple(c for c in stored_columns(value) if c.kind == "list")


def item_columns(lst: Column) -> tuple[tuple[str, Column | None], ...]:
    """``(column name, field)`` of each column holding an item of list ``lst``: one per field of
    its item type, or for a list of text one column named after the item (``None`` field)."""
    fields = lst.item_columns()
    if not fields:
        return ((lst.item, None),)
    return tuple((item_column_name(lst, c), c) for c in fields)


def index_column(lst: Column) -> str:
    """The item column the History page finds items by: the id of a value, else the text."""
    return item_columns(lst)[0][0]


def _item_sql(lst: Column, col: Column | None) -> sa.types.TypeEngine[Any]:
    return sa.String(lst.info.max_len) if col is None else _sql_type(col)


def _value_columns(table: str, fields: tuple[Column, ...], value: type) -> list[Any]:
    """A value's fields as columns (NOT NULL unless the field may be None), each choice field
    checked against its choices."""
    return [
        *(sa.Column(column_name(c, value), _sql_type(c), nullable=c.optional) for c in fields),
        *(
            sa.CheckConstraint(one_of(column_name(c, value), c.choices), name=f"ck_{table}_{column_name(c, value)}")
            for c in fields
            if c.kind == "choice"
        ),
    ]


def reps_table(md: sa.MetaData, value: type = Rep) -> sa.Table:
    """The ``reps`` table for the fields of ``value``. ``set_id`` (v7) is nullable only because
    SQLite cannot add a NOT NULL foreign key to a table: the store never writes a rep without
    its set."""
    return sa.Table(
        "reps",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        *_value_columns("reps", rep_columns(value), value),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("sets.id", ondelete="CASCADE")),
        sa.UniqueConstraint("session_id", REP_INDEX, name="uq_reps_session_index"),
        sa.Index("ix_reps_set", "set_id"),
    )


def set_columns() -> tuple[Column, ...]:
    """The fields of a set held in its ``sets`` row (its reps and breaks are rows of their own)."""
    return tuple(c for c in stored_columns(SetResult) if c.kind != "list")


def break_columns() -> tuple[Column, ...]:
    return stored_columns(Break)


def sets_table(md: sa.MetaData) -> sa.Table:
    """The ``sets`` table from :class:`SetResult`'s fields, with the session it belongs to and
    the plan item it did (if the session followed a plan)."""
    return sa.Table(
        "sets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        *_value_columns("sets", set_columns(), SetResult),
        sa.Column("plan_item_id", sa.Integer, sa.ForeignKey("plan_items.id", ondelete="SET NULL")),
        sa.UniqueConstraint("session_id", SET_INDEX, name="uq_sets_session_index"),
        sa.CheckConstraint("load > 0", name="ck_sets_load"),
        sa.CheckConstraint("(load IS NULL) = (load_unit IS NULL)", name="ck_sets_load_with_unit"),
        sa.Index("ix_sets_exercise", "exercise"),
    )


def breaks_table(md: sa.MetaData) -> sa.Table:
    """A hold's breaks, in order, from :class:`Break`'s fields."""
    return sa.Table(
        "set_breaks",
        md,
        sa.Column("set_id", sa.Integer, sa.ForeignKey("sets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        *_value_columns("set_breaks", break_columns(), Break),
    )


def list_table(md: sa.MetaData, col: Column) -> sa.Table:
    """The table of list field ``col``: its items in order, one column per field of an item
    (NOT NULL unless the field may be None), found through an index on the first (the History
    page counts cues by their id)."""
    first = index_column(col)
    return sa.Table(
        col.name,
        md,
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, _item_sql(col, f), nullable=f is not None and f.optional) for name, f in item_columns(col)),
        sa.Index(f"ix_{col.name}_{first}", first),
    )


# -- the tables -------------------------------------------------------------------------------

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # v3: the name trimmed and case-folded; one person per key ("Alice" and " alice " are one).
    sa.Column("name_key", sa.String(MAX_NAME_KEY), nullable=False),
    sa.UniqueConstraint("name", name="uq_profiles_name"),
    sa.Index("uq_profiles_name_key", "name_key", unique=True),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(MAX_EXERCISE), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("model_variant", sa.String(MAX_VARIANT), nullable=False),
    sa.Column("video_name", sa.String(MAX_VIDEO_NAME)),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("end_reason", sa.String(20), nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("extra_json", sa.Text, nullable=False),
    # v2: who is recording an in-progress session, and when it last showed signs of life.
    sa.Column("owner_host", sa.String(255)),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("owner_tag", sa.String(100)),
    sa.Column("heartbeat_at", UTCDateTime),
    # v4: a count corrected by hand (the reps the coach saved stay as they were) and why.
    sa.Column("corrected_reps", sa.Integer),
    sa.Column("correction_note", sa.Text),
    # v7: the plan the workout followed, and how many sets it planned when it started (kept if
    # the plan is edited or deleted later, so adherence stays what it was).
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="SET NULL")),
    sa.Column("planned_sets", sa.Integer),
    sa.CheckConstraint("planned_sets > 0", name="ck_sessions_planned_sets"),
    sa.CheckConstraint(one_of("source", SOURCES), name="ck_sessions_source"),
    sa.CheckConstraint("corrected_reps >= 0", name="ck_sessions_corrected_reps"),
    sa.CheckConstraint("corrected_reps IS NULL OR correction_note IS NOT NULL", name="ck_sessions_correction_note"),
    sa.CheckConstraint(one_of("end_reason", END_REASONS), name="ck_sessions_end_reason"),
    sa.Index("ix_sessions_profile_started", "profile_id", "started_at"),
    sa.Index("ix_sessions_end_reason", "end_reason"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(MAX_PLAN_NAME), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("profile_id", "name", name="uq_plans_profile_name"),
)

plan_items = sa.Table(
    "plan_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("exercise", sa.String(MAX_EXERCISE), nullable=False),
    sa.Column("sets", sa.Integer, nullable=False),
    sa.Column("target_reps", sa.Integer),
    sa.Column("target_hold_s", sa.Integer),
    sa.Column("rest_s", sa.Integer, nullable=False),
    sa.UniqueConstraint("plan_id", "position", name="uq_plan_items_position"),
    sa.CheckConstraint("sets > 0", name="ck_plan_items_sets"),
    sa.CheckConstraint("target_reps > 0", name="ck_plan_items_target_reps"),
    sa.CheckConstraint("target_hold_s > 0", name="ck_plan_items_target_hold_s"),
    sa.CheckConstraint("(target_reps IS NULL) <> (target_hold_s IS NULL)", name="ck_plan_items_target"),
    sa.CheckConstraint("rest_s > 0", name="ck_plan_items_rest"),
)

sets = sets_table(metadata)
set_breaks = breaks_table(metadata)
reps = reps_table(metadata)
# One table per list field of a rep, by field name ("cues").
rep_lists: Final = {col.name: list_table(metadata, col) for col in list_columns()}
cues = rep_lists["cues"]

# v3: the batch ledger. One row per video CONTENT (its SHA-256) ever analysed into this history
# by ``fitness batch``: the unique constraint, not a look-before-insert, is what makes a batch
# record each video once however often it is rerun, killed or run twice at the same time. A
# done row points at the session it produced; deleting that session from History keeps the row
# (SET NULL), so a rerun does not bring back what a person deleted.
batch_videos = sa.Table(
    "batch_videos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("batch", sa.String(MAX_BATCH), nullable=False),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="SET NULL")),
    sa.Column("duration_ms", sa.BigInteger),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("content_sha256", name="uq_batch_videos_sha256"),
    sa.CheckConstraint(one_of("status", LEDGER_STATUSES), name="ck_batch_videos_status"),
    sa.Index("ix_batch_videos_batch", "batch"),
    sa.Index("ix_batch_videos_session", "session_id"),
)
