"""Shared fixtures: the real test footage beside the repo and the real, cached models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ARTIFACTS = REPO / "artifacts"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def shared_data() -> Path:
    """The labelled footage in ../shared/data, or skip saying why."""
    if not (SHARED_DATA / "manifest.csv").is_file():
        pytest.skip(f"real test footage not found at {SHARED_DATA} (../shared/data beside the repo)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return shared_data()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh history lives: a file path (SQLite) or a new PostgreSQL schema's URL."""
    from tests.storage_worker import PG_ENV, fresh_pg_schema

    if request.param == "sqlite":
        yield str(tmp_path / "history.db")
        return
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL test server (scripts/test.sh starts one)")
    with fresh_pg_schema(admin) as url:
        yield url


@pytest.fixture(scope="session")
def lightning_files() -> object:
    from fitness.pose.models import ensure_model

    return ensure_model("lightning")


@pytest.fixture()
def lightning() -> Iterator[object]:
    """A fresh Lightning estimator (video mode is stateful, so one per test)."""
    from fitness.pose.estimator import load_estimator

    yield load_estimator("lightning")
