"""The results database's schema: its named migrations, applied in order, and the write
transaction everything in the store takes (``BEGIN IMMEDIATE``: one writer at a time)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE works (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            model_version TEXT NOT NULL,
            format TEXT,
            title TEXT,
            authors TEXT,
            words INTEGER,
            chapters INTEGER,
            declared TEXT,
            rating_declared TEXT,
            archive_warnings_declared TEXT,
            rating_suggested TEXT,
            scanned_at TEXT NOT NULL,
            seconds REAL,
            report_json TEXT NOT NULL,
            UNIQUE (content_hash, model_version)
        );
        CREATE TABLE passages (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            chapter INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            words INTEGER NOT NULL,
            position REAL NOT NULL,
            PRIMARY KEY (work_id, idx)
        );
        CREATE TABLE detections (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            warning TEXT NOT NULL,
            confidence REAL NOT NULL,
            severity TEXT NOT NULL,
            passage_count INTEGER NOT NULL,
            declared INTEGER NOT NULL,
            PRIMARY KEY (work_id, warning)
        );
        CREATE INDEX detections_warning ON detections (warning, declared, confidence);
        CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            content_hash TEXT,
            model_version TEXT NOT NULL,
            error TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (content_hash, model_version)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            model_version TEXT NOT NULL,
            engine TEXT NOT NULL,
            target TEXT NOT NULL,
            scanned INTEGER DEFAULT 0,
            skipped INTEGER DEFAULT 0,
            failed INTEGER DEFAULT 0,
            words INTEGER DEFAULT 0,
            seconds REAL
        );
        """,
    ),
    (
        "002_runs_interrupted",
        """
        ALTER TABLE runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0
        """,
    ),
    (
        # Identical files are one work (one scan, one row in works) with several paths.
        # works.path stays the first path seen, so older readers of the file still work.
        "003_work_paths",
        """
        CREATE TABLE work_paths (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (work_id, path)
        );
        CREATE INDEX work_paths_path ON work_paths (path);
        INSERT INTO work_paths (work_id, path) SELECT id, path FROM works;
        ALTER TABLE runs ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0
        """,
    ),
    (
        # Every saved work looks its path up in works and errors (a file holds one content):
        # unindexed, that scanned both tables, so saving got slower as the database grew (21 ms
        # more per work at 23,000 works).
        "004_path_indexes",
        """
        CREATE INDEX IF NOT EXISTS works_path ON works (path);
        CREATE INDEX IF NOT EXISTS errors_path ON errors (path)
        """,
    ),
    (
        # Identical unreadable files share one errors row (one per content and model version), which
        # kept only the first path: the other files were counted but listed nowhere, and a re-run over
        # a subfolder replaced that path with its own. errors.path stays the first path, for older readers.
        "005_error_paths",
        """
        CREATE TABLE error_paths (
            error_id INTEGER NOT NULL REFERENCES errors(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (error_id, path)
        );
        CREATE INDEX error_paths_path ON error_paths (path);
        INSERT INTO error_paths (error_id, path) SELECT id, path FROM errors
        """,
    ),
    (
        # The language a work's text reads as (report work.detected_language), for query and stats
        # to filter on without parsing every stored report; filled from the reports already there.
        "006_works_language",
        """
        ALTER TABLE works ADD COLUMN detected_language TEXT;
        UPDATE works SET detected_language = json_extract(report_json, '$.work.detected_language');
        CREATE INDEX works_language ON works (detected_language)
        """,
    ),
]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied now.

    Which are done is read again inside the one ``BEGIN IMMEDIATE`` transaction that applies
    them, so processes opening a new database at once wait for each other instead of applying
    the same migration twice ("table works already exists"); a failed one leaves none applied.
    """
    if _applied(conn) >= {name for name, _ in MIGRATIONS}:
        return []  # the usual case: no write lock taken
    applied = []
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = _applied(conn)
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
            applied.append(name)
    return applied


def _applied(conn: sqlite3.Connection) -> set[str]:
    """The migrations recorded in the database (none when it has no ``migrations`` table)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone() is None:
        return set()
    return {r[0] for r in conn.execute("SELECT name FROM migrations")}
