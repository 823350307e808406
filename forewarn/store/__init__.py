"""The results database: SQLite, WAL, one writer, named migrations.

Workers compute; only the batch's main process writes, one transaction per
work (``BEGIN IMMEDIATE``), so a crash or ``kill -9`` loses at most the works
in flight and never leaves a half-written work. A work is identified by the
SHA-256 of its bytes plus the model version: the pair is unique, which makes
re-running a batch skip what is done.

The package's modules: ``migrations`` (the schema), ``connect`` (opening a database),
``write`` (what a batch stores) and ``read`` (what query, stats, export and the web app show).
Every name is importable from ``forewarn.store`` itself.
"""

from __future__ import annotations

from forewarn.store.connect import NotADatabase, open_db, open_existing
from forewarn.store.migrations import MIGRATIONS, migrate, transaction
from forewarn.store.read import (
    all_work_paths,
    failed_files,
    language_expr,
    model_versions,
    query_works,
    shown_in,
    shown_works,
    stats,
    stored_report,
    work_paths,
)
from forewarn.store.write import (
    Saved,
    add_error_path,
    add_path,
    failed_before,
    finish_run,
    is_done,
    save_error,
    save_report,
    start_run,
    unread_before,
)

__all__ = [
    "MIGRATIONS",
    "NotADatabase",
    "Saved",
    "add_error_path",
    "add_path",
    "all_work_paths",
    "failed_before",
    "failed_files",
    "finish_run",
    "is_done",
    "language_expr",
    "migrate",
    "model_versions",
    "open_db",
    "open_existing",
    "query_works",
    "save_error",
    "save_report",
    "shown_in",
    "shown_works",
    "start_run",
    "stats",
    "stored_report",
    "transaction",
    "unread_before",
    "work_paths",
]
