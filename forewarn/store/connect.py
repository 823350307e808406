"""Opening a results database: ``open_db`` for the batch, which writes and migrates;
``open_existing`` for the readers (query, stats, export, the web app), which change nothing."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from forewarn.store.migrations import _applied, migrate


class NotADatabase(ValueError):
    """The path cannot be used as a results database (not SQLite, unreadable, no such folder)."""


def open_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database: for ``forewarn batch``, which writes.

    An SQLite file of another application (tables, but not forewarn's) is refused untouched.
    Raises ``NotADatabase`` (a ``ValueError``) with a one-line reason instead of
    sqlite3's errors, so a mistyped ``--db`` never ends in a traceback.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    except sqlite3.Error as e:
        raise NotADatabase(f"{path}: cannot open as a results database ({e})") from None
    try:
        conn.row_factory = sqlite3.Row
        tables = _tables(conn)
        if tables and not _is_ours(conn, tables):  # another application's database: leave it as it is
            conn.close()
            raise NotADatabase(f"{path}: not a forewarn results database (it holds other tables)")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        migrate(conn)
    except sqlite3.OperationalError as e:  # read-only storage, no permission, locked past the timeout
        conn.close()
        raise NotADatabase(f"{path}: cannot use as a results database ({e})") from None
    except sqlite3.DatabaseError as e:
        conn.close()
        raise NotADatabase(f"{path}: not a forewarn results database ({e})") from None
    return conn


def _use_wal(conn: sqlite3.Connection, *, wait_s: float = 30.0) -> None:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting, while
    another process creates or switches the same new file; so wait here as for a write."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


# What query, stats, export and the web app read: works from 001_initial (work_paths from 003
# is stood in for when missing).
_READ_COLUMNS = {"id", "path", "content_hash", "model_version", "title", "words", "report_json", "scanned_at"}


def open_existing(path: str | Path) -> sqlite3.Connection:
    """Open an existing results database read-only: for query, stats, export and the web app.

    Never creates the file, never migrates it, never changes its journal mode (an SQLite
    ``file:...?mode=ro`` connection with ``query_only`` set); SQLite may add the ``-wal``
    and ``-shm`` files a WAL database reads through. A database on read-only storage is read
    as immutable. One from an older forewarn (before ``003_work_paths`` or
    ``005_error_paths``) is read as it is, temporary views standing in for ``work_paths``
    and ``error_paths``; one from a newer forewarn is read too (migrations only add tables
    and columns). Raises ``NotADatabase`` with a one-line reason when ``path`` is missing,
    cannot be opened, is not a forewarn results database or is damaged. A database damaged
    past its first pages can still raise ``sqlite3.DatabaseError`` on a later query: callers
    treat that as damaged too.
    """
    p = Path(path)
    if not p.is_file():
        raise NotADatabase(f"{path}: no such results database (`forewarn batch` creates one)")
    uri = p.resolve().as_uri() + "?mode=ro"
    try:
        conn = _connect_ro(uri)
        try:
            tables = _tables(conn)
        except sqlite3.OperationalError:
            conn.close()
            if os.access(p.resolve().parent, os.W_OK):
                raise
            # WAL on read-only storage: SQLite cannot make the -shm file; nothing can write there either.
            conn = _connect_ro(uri + "&immutable=1")
            tables = _tables(conn)
    except sqlite3.OperationalError as e:
        raise NotADatabase(f"{path}: cannot open the results database ({e})") from None
    except sqlite3.DatabaseError as e:
        what = "not a forewarn results database" if "not a database" in str(e) else "the results database is damaged"
        raise NotADatabase(f"{path}: {what} ({e})") from None
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(works)")}
        # _is_ours asks for 001_initial unless migrations is the only table, when works has no columns
        if not _is_ours(conn, tables) or not columns >= _READ_COLUMNS:
            raise NotADatabase(f"{path}: not a forewarn results database (no forewarn tables in it)")
        if "work_paths" not in tables:
            conn.execute("CREATE TEMP VIEW work_paths (work_id, path) AS SELECT id, path FROM works")
        if "error_paths" not in tables:  # before 005_error_paths: each error's first file only
            conn.execute("CREATE TEMP VIEW error_paths (error_id, path) AS SELECT id, path FROM errors")
        conn.execute("PRAGMA query_only = ON")
    except NotADatabase:
        conn.close()
        raise
    except sqlite3.DatabaseError as e:
        conn.close()
        raise NotADatabase(f"{path}: the results database is damaged ({e})") from None
    return conn


def _connect_ro(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _is_ours(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """The database has forewarn's ``migrations`` table (other applications have one too) and,
    unless that is all it has, the first migration recorded in it."""
    if "migrations" not in tables:
        return False
    if not {"name", "applied_at"} <= {r[1] for r in conn.execute("PRAGMA table_info(migrations)")}:
        return False
    return tables == {"migrations"} or "001_initial" in _applied(conn)
