"""Workout history: schema and migrations, the store and its History analytics, CSV export.

The public API is re-exported here; the modules say where each piece lives:
:mod:`~fitness.store.store` (SessionStore, the door), :mod:`~fitness.store.values` (what it hands
out), its transactions by job (:mod:`~fitness.store.profiles`, :mod:`~fitness.store.writes`,
:mod:`~fitness.store.corrections`, :mod:`~fitness.store.lookups`, :mod:`~fitness.store.plans`),
:mod:`~fitness.store.recorder` (recording a live session), :mod:`~fitness.store.schema`,
:mod:`~fitness.store.migrations`, :mod:`~fitness.store.connection`, :mod:`~fitness.store.liveness`,
:mod:`~fitness.store.analytics`, :mod:`~fitness.store.export`, :mod:`~fitness.store.localtime`,
:mod:`~fitness.store.ledger` (which videos ``fitness batch`` has recorded).
"""

from fitness.errors import StorageError
from fitness.store.connection import ENV_VAR, default_db_path, default_db_url, to_url
from fitness.store.export import CSV_COLUMNS, REP_CSV_COLUMNS, write_reps_csv
from fitness.store.ledger import LedgerEntry, VideoMark
from fitness.store.migrations import LATEST_VERSION
from fitness.store.recorder import EndReason, SessionInfo, SessionRecorder, angle_trace
from fitness.store.store import SessionStore
from fitness.store.values import HistoryChoices, HistoryView, Selection, SessionDetail, SessionSummary

__all__ = [
    "CSV_COLUMNS",
    "ENV_VAR",
    "LATEST_VERSION",
    "REP_CSV_COLUMNS",
    "EndReason",
    "HistoryChoices",
    "HistoryView",
    "LedgerEntry",
    "Selection",
    "SessionDetail",
    "SessionInfo",
    "SessionRecorder",
    "SessionStore",
    "SessionSummary",
    "StorageError",
    "VideoMark",
    "angle_trace",
    "default_db_path",
    "default_db_url",
    "to_url",
    "write_reps_csv",
]
