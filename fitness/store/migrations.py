"""The ordered migrations that build the schema, and the upgrade that runs them.

``schema_version`` holds one row per applied migration, so a fresh database and an upgraded
old one go through the same steps. Each migration is frozen in time: it spells out its own
DDL instead of using :mod:`fitness.store.schema`, which always describes the newest schema.
A database written by a newer program, or tables of someone else's, are refused untouched.

Adding a field to :class:`~fitness.engine.values.Rep` means appending one migration here that
adds its column (``ALTER TABLE reps ADD COLUMN ...``); ``tests/store/test_schema.py`` fails
until the migrated database matches the schema derived from the field.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.errors import StorageError

log = logging.getLogger(__name__)

# Two processes opening a fresh PostgreSQL database at once take this transaction-level
# advisory lock, so one migrates and the other waits. Any 64-bit number works as long as every
# fitness-coach process uses the same one and nothing else on the server does: 0x666974 is
# "fit" in ASCII, easy to recognise in pg_locks (objid 6711668).
MIGRATION_LOCK_KEY: Final = 0x666974

# The version table, frozen like the migrations (the current one is schema.schema_version).
_versions = sa.Table(
    "schema_version",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# Tables a fitness history has (v1); finding one in a database without schema_version means
# it belongs to someone else.
OUR_TABLES: Final = frozenset({"profiles", "sessions", "reps", "cues", "sets", "plans"})


def _migration_1_initial(conn: Connection) -> None:
    md = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "profiles",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.UniqueConstraint("name", name="uq_profiles_name"),
    )
    sa.Table(
        "sessions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(50), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("model_variant", sa.String(50), nullable=False),
        sa.Column("video_name", sa.String(500)),
        sa.Column("started_at", when, nullable=False),
        sa.Column("ended_at", when),
        sa.Column("end_reason", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("extra_json", sa.Text, nullable=False),
        sa.CheckConstraint("source IN ('live', 'video')", name="ck_sessions_source"),
        sa.CheckConstraint(
            "end_reason IN ('in_progress', 'completed', 'stopped', 'interrupted', 'error')",
            name="ck_sessions_end_reason",
        ),
        sa.Index("ix_sessions_profile_started", "profile_id", "started_at"),
    )
    sa.Table(
        "reps",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rep_index", sa.Integer, nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("bottom_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger, nullable=False),
        sa.Column("min_angle", sa.Double, nullable=False),
        sa.Column("max_angle", sa.Double, nullable=False),
        sa.Column("rom_deg", sa.Double, nullable=False),
        sa.Column("eccentric_ms", sa.BigInteger, nullable=False),
        sa.Column("concentric_ms", sa.BigInteger, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("side", sa.String(20), nullable=False),
        sa.UniqueConstraint("session_id", "rep_index", name="uq_reps_session_index"),
        sa.CheckConstraint("verdict IN ('good', 'needs_work')", name="ck_reps_verdict"),
    )
    sa.Table(
        "cues",
        md,
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("cue", sa.String(200), nullable=False),
        sa.Index("ix_cues_cue", "cue"),
    )
    md.create_all(conn)


def _migration_2_session_owner(conn: Connection) -> None:
    when = sa.DateTime(timezone=True).compile(dialect=conn.dialect)
    for column, kind in (
        ("owner_host", "VARCHAR(255)"),
        ("owner_pid", "INTEGER"),
        ("owner_tag", "VARCHAR(100)"),
        ("heartbeat_at", when),
    ):
        conn.exec_driver_sql(f"ALTER TABLE sessions ADD COLUMN {column} {kind}")
    conn.exec_driver_sql("CREATE INDEX ix_sessions_end_reason ON sessions (end_reason)")


def _v3_name(name: str) -> str:
    # Frozen copies of fitness.store.rows.profile_name / profile_key as they were for v3.
    return " ".join(unicodedata.normalize("NFC", name).split())


def _v3_key(name: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", _v3_name(name)).casefold())


def _migration_3_profile_keys(conn: Connection) -> None:
    """Profiles become one per person: each gets its trimmed, case-folded name as a unique key,
    and profiles whose names differ only in case or spaces are merged into the oldest of them
    (which keeps its id; the others' sessions move to it). No session or rep is lost."""
    sqlite = conn.dialect.name == "sqlite"
    # SQLite adds a NOT NULL column only with a default; every row gets its key below.
    conn.exec_driver_sql(
        "ALTER TABLE profiles ADD COLUMN name_key VARCHAR(400)" + (" NOT NULL DEFAULT ''" if sqlite else "")
    )
    rows = conn.execute(sa.text("SELECT id, name FROM profiles ORDER BY created_at, id")).all()
    people: dict[str, list[tuple[int, str]]] = {}
    for pid, name in rows:
        # A name that is all spaces cannot have been saved through the store; keep it apart.
        people.setdefault(_v3_key(name) or f"#{pid}", []).append((int(pid), str(name)))
    for key, ((keep, name), *others) in people.items():
        if others:
            gone = [pid for pid, _ in others]
            params = {"keep": keep, "gone": gone}
            moved = conn.execute(
                sa.text("UPDATE sessions SET profile_id = :keep WHERE profile_id IN :gone").bindparams(
                    sa.bindparam("gone", expanding=True)
                ),
                params,
            ).rowcount
            conn.execute(
                sa.text("DELETE FROM profiles WHERE id IN :gone").bindparams(sa.bindparam("gone", expanding=True)),
                params,
            )
            log.warning(
                "profiles %s are one person: merged into %r (%d session(s) moved)",
                ", ".join(repr(n) for _, n in others),
                _v3_name(name) or name,
                moved,
            )
        conn.execute(
            sa.text("UPDATE profiles SET name = :name, name_key = :key WHERE id = :id"),
            {"name": _v3_name(name) or name, "key": key, "id": keep},
        )
    if not sqlite:
        conn.exec_driver_sql("ALTER TABLE profiles ALTER COLUMN name_key SET NOT NULL")
    conn.exec_driver_sql("CREATE UNIQUE INDEX uq_profiles_name_key ON profiles (name_key)")


def _migration_4_corrected_counts(conn: Connection) -> None:
    conn.exec_driver_sql(
        "ALTER TABLE sessions ADD COLUMN corrected_reps INTEGER"
        " CONSTRAINT ck_sessions_corrected_reps CHECK (corrected_reps >= 0)"
    )
    conn.exec_driver_sql(
        "ALTER TABLE sessions ADD COLUMN correction_note TEXT"
        " CONSTRAINT ck_sessions_correction_note CHECK (corrected_reps IS NULL OR correction_note IS NOT NULL)"
    )


def _migration_5_batch_ledger(conn: Connection) -> None:
    md = sa.MetaData()
    # The foreign key's target, named only so the constraint can be written; it exists already.
    sa.Table("sessions", md, sa.Column("id", sa.Integer, primary_key=True))
    ledger = sa.Table(
        "batch_videos",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("batch", sa.String(100), nullable=False),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="SET NULL")),
        sa.Column("duration_ms", sa.BigInteger),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("content_sha256", name="uq_batch_videos_sha256"),
        sa.CheckConstraint("status IN ('done', 'failed')", name="ck_batch_videos_status"),
        sa.Index("ix_batch_videos_batch", "batch"),
        sa.Index("ix_batch_videos_session", "session_id"),
    )
    ledger.create(conn)


# The cue texts the coach wrote before cues had ids, and the rule each came from, by exercise
# (frozen: the texts of the exercise specs as they were for v5).
_V6_KNOWN_CUES: Final[tuple[tuple[str, str, str], ...]] = (
    ("burpee", "Finish with a jump, arms overhead", "jump"),
    ("crunch", "Keep your lower back on the floor", "lower_back_down"),
    ("curl", "Straighten your arm fully at the bottom", "extension"),
    ("curl", "Curl all the way up", "flexion"),
    ("curl", "Keep your elbows pinned to your sides", "elbow_drift"),
    ("curl", "Don't swing: keep your torso still", "swing"),
    ("deadlift", "Keep your back flat: chest up", "rounded_back"),
    ("deadlift", "Stand tall at the top: hips through", "lockout"),
    ("glute_bridge", "Lift your hips into line with your knees", "full_extension"),
    ("glute_bridge", "Lift your hips until shoulders, hips and knees line up", "full_extension"),
    ("jumping_jack", "Bring your arms all the way overhead", "arms_overhead"),
    ("jumping_jack", "Jump your feet wider than your shoulders", "feet_apart"),
    ("lateral_raise", "Stop at shoulder height", "too_high"),
    ("lateral_raise", "Raise your arms to shoulder height", "range"),
    ("lunge", "Keep your torso upright", "torso_upright"),
    ("lunge", "Sink lower: front thigh to level", "depth"),
    ("mountain_climber", "Drive your knee further in", "knee_drive"),
    ("mountain_climber", "Tighten your core: hips are sagging", "hips_sag"),
    ("overhead_press", "Lock out your arms overhead", "lockout"),
    ("overhead_press", "Don't lean back: brace your core", "back_arch"),
    ("plank", "Tighten your core: hips are sagging", "hips_sag"),
    ("plank", "Lower your hips into a straight line", "hips_pike"),
    ("pull_up", "Straighten your arms at the bottom", "full_hang"),
    ("pull_up", "Pull until your chin clears the bar", "chin_over_bar"),
    ("pushup", "Tighten your core: hips are sagging", "hips_sag"),
    ("pushup", "Lower your hips into a straight line", "hips_pike"),
    ("pushup", "Go lower: chest towards the floor", "depth"),
    ("pushup", "Lock out your arms at the top", "lockout"),
    ("sit_up", "Sit all the way up", "full_range"),
    ("sit_up", "Lower your shoulders all the way to the floor", "lie_back"),
    ("squat", "Go lower: hips to knee height", "depth"),
    ("squat", "Keep your chest up", "chest_up"),
    ("squat", "Push your knees out", "knees_in"),
    ("tricep_dip", "Lower until your upper arms are level", "depth"),
    ("tricep_dip", "Lock out your arms at the top", "lockout"),
    ("tricep_extension", "Straighten your arms fully at the top", "lockout"),
    ("tricep_extension", "Lower the weight further behind your head", "depth"),
    ("wall_sit", "Keep your back flat against the wall", "back_flat"),
    ("wall_sit", "Push your knees out over your feet", "knees_in"),
)


def _migration_6_cue_evidence(conn: Connection) -> None:
    """A cue keeps its rule's id, the value measured, the unit, the target and when it was
    judged. Existing cues keep their text; those whose text a rule of their exercise wrote get
    that rule's id, the others ``"legacy"``; nothing was measured for them (NULL)."""
    sqlite = conn.dialect.name == "sqlite"
    dbl = sa.Double().compile(dialect=conn.dialect)
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cues_cue")  # an early v1 database may lack it
    conn.exec_driver_sql("ALTER TABLE cues RENAME COLUMN cue TO text")
    # SQLite adds a NOT NULL column only with a default; PostgreSQL drops it again below.
    conn.exec_driver_sql("ALTER TABLE cues ADD COLUMN cue_id VARCHAR(40) NOT NULL DEFAULT 'legacy'")
    for column, kind in (("measured", dbl), ("unit", "VARCHAR(10)"), ("target", "VARCHAR(40)"), ("t_ms", "BIGINT")):
        conn.exec_driver_sql(f"ALTER TABLE cues ADD COLUMN {column} {kind}")
    if not sqlite:
        conn.exec_driver_sql("ALTER TABLE cues ALTER COLUMN cue_id DROP DEFAULT")
    for exercise, text, rule in _V6_KNOWN_CUES:
        conn.execute(
            sa.text(
                "UPDATE cues SET cue_id = :rule WHERE text = :text AND rep_id IN"
                " (SELECT reps.id FROM reps JOIN sessions ON sessions.id = reps.session_id"
                " WHERE sessions.exercise = :exercise)"
            ),
            {"rule": rule, "text": text, "exercise": exercise},
        )
    conn.exec_driver_sql("CREATE INDEX ix_cues_cue_id ON cues (cue_id)")


def _migration_7_workouts(conn: Connection) -> None:
    """Sessions become workouts of sets: a ``sets`` table (a set's exercise, span, rest before
    it, hold time, load), each rep belongs to a set, holds keep their breaks, and plans (with
    their items) can be followed by a session. Every existing session becomes a one-set
    workout: one set of its exercise spanning its reps, which move into it; counts,
    corrections and notes stay on the session as they were."""
    md = sa.MetaData()
    when = sa.DateTime(timezone=True)
    # Reflected names only: the tables the earlier migrations built, referred to by key.
    sa.Table("profiles", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("sessions", md, sa.Column("id", sa.Integer, primary_key=True))
    plans = sa.Table(
        "plans",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.UniqueConstraint("profile_id", "name", name="uq_plans_profile_name"),
    )
    sa.Table(
        "plan_items",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("exercise", sa.String(50), nullable=False),
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
    sets = sa.Table(
        "sets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("set_index", sa.Integer, nullable=False),
        sa.Column("exercise", sa.String(50), nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger, nullable=False),
        sa.Column("rest_before_ms", sa.BigInteger),
        sa.Column("hold_ms", sa.BigInteger),
        sa.Column("load", sa.Double),
        sa.Column("load_unit", sa.String(2)),
        sa.Column("plan_item_id", sa.Integer, sa.ForeignKey("plan_items.id", ondelete="SET NULL")),
        sa.UniqueConstraint("session_id", "set_index", name="uq_sets_session_index"),
        sa.CheckConstraint("load_unit IN ('kg', 'lb')", name="ck_sets_load_unit"),
        sa.CheckConstraint("load > 0", name="ck_sets_load"),
        sa.CheckConstraint("(load IS NULL) = (load_unit IS NULL)", name="ck_sets_load_with_unit"),
        sa.Index("ix_sets_exercise", "exercise"),
    )
    sa.Table(
        "set_breaks",
        md,
        sa.Column("set_id", sa.Integer, sa.ForeignKey("sets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("reason_id", sa.String(50), nullable=False),
    )
    md.create_all(conn, tables=[plans, md.tables["plan_items"], sets, md.tables["set_breaks"]])
    # SQLite adds a foreign-key column only as nullable (a NOT NULL one needs the whole table
    # rebuilt, which would cascade-delete the cues): the store never writes a rep without a set.
    conn.exec_driver_sql("ALTER TABLE reps ADD COLUMN set_id INTEGER REFERENCES sets (id) ON DELETE CASCADE")
    conn.exec_driver_sql("CREATE INDEX ix_reps_set ON reps (set_id)")
    conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN plan_id INTEGER REFERENCES plans (id) ON DELETE SET NULL")
    conn.exec_driver_sql(
        "ALTER TABLE sessions ADD COLUMN planned_sets INTEGER"
        " CONSTRAINT ck_sessions_planned_sets CHECK (planned_sets > 0)"
    )
    # Every session one set: its exercise, from its first rep's start to its last rep's end.
    conn.exec_driver_sql(
        "INSERT INTO sets (session_id, set_index, exercise, start_ms, end_ms)"
        " SELECT s.id, 1, s.exercise, COALESCE(MIN(r.start_ms), 0), COALESCE(MAX(r.end_ms), 0)"
        " FROM sessions s LEFT JOIN reps r ON r.session_id = s.id GROUP BY s.id, s.exercise"
    )
    conn.exec_driver_sql("UPDATE reps SET set_id = (SELECT sets.id FROM sets WHERE sets.session_id = reps.session_id)")
    moved = conn.exec_driver_sql("SELECT COUNT(*) FROM sets").scalar_one()
    log.info("%d session(s) became one-set workouts", moved)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "profiles, sessions, reps, cues", _migration_1_initial),
    Migration(2, "sessions record their owner process and a heartbeat", _migration_2_session_owner),
    Migration(3, "one profile per person: names compared trimmed and case-folded", _migration_3_profile_keys),
    Migration(4, "a session's rep count can be corrected by hand, with a note", _migration_4_corrected_counts),
    Migration(5, "batch ledger: each analysed video content recorded once", _migration_5_batch_ledger),
    Migration(
        6, "a cue keeps its rule id, the value measured, the target and when it was judged", _migration_6_cue_evidence
    ),
    Migration(7, "workouts: sessions of sets (holds with their breaks, loads), plans", _migration_7_workouts),
)
LATEST_VERSION: Final = MIGRATIONS[-1].version


def read_version(conn: Connection, tables: set[str] | None = None) -> int:
    """The highest applied migration (0 for a database without our version table)."""
    if tables is None:
        tables = set(sa.inspect(conn).get_table_names())
    if "schema_version" not in tables:
        return 0
    return int(conn.scalar(sa.select(sa.func.max(_versions.c.version))) or 0)


def checked_version(conn: Connection, location: str) -> int:
    """The schema version, refusing a newer database and foreign tables."""
    # One look at the table list: on PostgreSQL each statement sees the latest commits, so a
    # second look could see another process's brand-new tables but not its schema_version.
    tables = set(sa.inspect(conn).get_table_names())
    version = read_version(conn, tables)
    if version > LATEST_VERSION:
        raise StorageError(
            f"the database {location} has schema version {version}, newer than this program "
            f"understands ({LATEST_VERSION}); update fitness-coach to open it"
        )
    if version == 0:
        clash = OUR_TABLES & tables
        if clash:
            raise StorageError(
                f"the database {location} has tables named {', '.join(sorted(clash))} but no "
                "schema_version: it is not a fitness history; refusing to touch it"
            )
    return version


def migrate(conn: Connection, location: str) -> None:
    """Apply every migration the database lacks, in one transaction (``conn``'s)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    version = checked_version(conn, location)  # again, under the lock
    if version == 0:
        _versions.create(conn, checkfirst=True)
    for migration in MIGRATIONS[version:]:
        log.info("upgrading %s to schema version %d: %s", location, migration.version, migration.description)
        migration.apply(conn)
        conn.execute(
            sa.insert(_versions).values(
                version=migration.version, description=migration.description, applied_at=datetime.now(UTC)
            )
        )
