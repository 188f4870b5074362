"""The schema the queries use is the schema the migrations build: compared by inspection.

Runs on an SQLite file and, when FITNESS_TEST_PG_URL is set, in a fresh PostgreSQL schema.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from fitness.store import SessionStore
from fitness.store.migrations import MIGRATION_LOCK_KEY
from fitness.store.schema import metadata

Shape = dict[str, Any]


def _from_metadata(table: sa.Table, dialect: Dialect) -> Shape:
    checks = {c.name: str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)}
    return {
        "columns": {c.name: (str(c.type.compile(dialect)), c.nullable) for c in table.columns},
        "primary_key": sorted(c.name for c in table.primary_key.columns),
        "foreign_keys": sorted(
            (fk.parent.name, fk.column.table.name, fk.column.name, fk.ondelete) for fk in table.foreign_keys
        ),
        "unique": sorted(
            (c.name, tuple(col.name for col in c.columns))
            for c in table.constraints
            if isinstance(c, sa.UniqueConstraint)
        ),
        "indexes": sorted((i.name, tuple(col.name for col in i.columns), bool(i.unique)) for i in table.indexes),
        "checks": checks if dialect.name == "sqlite" else sorted(checks),
    }


def _sqlite_on_delete(inspector: Any, name: str) -> dict[str, str | None]:
    """Each foreign key column's ON DELETE as SQLite itself reads it: SQLAlchemy's reflection
    misses the action of a REFERENCES clause written on the column (as ALTER TABLE ADD COLUMN
    writes it)."""
    with inspector.bind.connect() as conn:
        rows = conn.exec_driver_sql(f"PRAGMA foreign_key_list({name})").all()
    return {row[3]: (None if row[6] == "NO ACTION" else row[6]) for row in rows}


def _from_database(inspector: Any, name: str, dialect: Dialect) -> Shape:
    checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(name)}
    on_delete = _sqlite_on_delete(inspector, name) if dialect.name == "sqlite" else {}
    return {
        "columns": {c["name"]: (str(c["type"].compile(dialect)), c["nullable"]) for c in inspector.get_columns(name)},
        "primary_key": sorted(inspector.get_pk_constraint(name)["constrained_columns"]),
        "foreign_keys": sorted(
            (
                fk["constrained_columns"][0],
                fk["referred_table"],
                fk["referred_columns"][0],
                on_delete.get(fk["constrained_columns"][0], fk["options"].get("ondelete")),
            )
            for fk in inspector.get_foreign_keys(name)
        ),
        "unique": sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(name)),
        # PostgreSQL lists the index behind each unique constraint too: that one is the constraint.
        "indexes": sorted(
            (i["name"], tuple(i["column_names"]), bool(i["unique"]))
            for i in inspector.get_indexes(name)
            if "duplicates_constraint" not in i
        ),
        # PostgreSQL rewrites a CHECK's text (x::text = ANY (ARRAY[...])): there only names compare.
        "checks": checks if dialect.name == "sqlite" else sorted(checks),
    }


def test_the_tables_describe_the_migrated_database(db_url: str) -> None:
    with SessionStore.open(db_url) as store:
        inspector = sa.inspect(store.engine)
        dialect = store.engine.dialect
        assert set(inspector.get_table_names()) == set(metadata.tables)
        for table in metadata.sorted_tables:
            built, described = _from_database(inspector, table.name, dialect), _from_metadata(table, dialect)
            for part, expected in described.items():
                assert built[part] == expected, f"{table.name} {part}: the migrations build {built[part]}"


def test_every_constraint_and_index_is_named() -> None:
    """Named in the metadata as in the migrations, so that a later migration can drop or
    change one by name on every backend."""
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, sa.PrimaryKeyConstraint | sa.ForeignKeyConstraint):
                assert isinstance(constraint.name, str), (table.name, constraint)
        assert all(isinstance(i.name, str) for i in table.indexes), table.name


def test_the_migration_lock_key_reads_fit() -> None:
    assert MIGRATION_LOCK_KEY.to_bytes(3, "big") == b"fit"
